"""Search: one index of posts (and, next, library entries), on SQLite FTS5 or PostgreSQL full-text search.

`init_app` starts the listeners that keep the index in step with every write; `service.search` is
the one way to read it; `flask forum reindex` rebuilds it.
"""

from __future__ import annotations

from flask import Flask

from forum.search.indexing import register_listeners


def init_app(app: Flask) -> None:
    """Keep the search index in step with the forum's writes (the listeners are process-wide, set once)."""
    register_listeners()
