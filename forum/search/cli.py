"""`flask forum reindex`: rebuild the search index from the posts."""

from __future__ import annotations

import sys
import time

import click

from forum.cli import forum_cli
from forum.db import session, write_transactions
from forum.search import indexing


@forum_cli.command("reindex")
@click.option("--batch", default=2000, show_default=True, type=click.IntRange(100, 100_000),
              help="Posts read and indexed at a time.")
def reindex_command(batch: int) -> None:
    """Rebuild the search index from every post (after a restore, a bulk load, or raw SQL changes)."""
    db = session()
    started = time.perf_counter()
    with write_transactions():
        backend = indexing.ready(db.connection())
        if backend is None:
            db.rollback()
            click.echo("Error: the search tables are missing; run `flask forum upgrade` first.", err=True)
            sys.exit(2)
        count = indexing.rebuild(db.connection(), batch=batch,
                                 progress=lambda done: click.echo(f"  {done:,} posts indexed…", err=True))
        db.commit()
    posts = "post" if count == 1 else "posts"
    click.echo(f"Indexed {count:,} {posts} for search ({backend.name}) in {time.perf_counter() - started:.1f}s.")
