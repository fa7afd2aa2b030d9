"""The leak suite (tests/functional/test_leaks.py) again, with the page cache in Redis (#19).

The functional run already has the page cache on, in-process (it is on by default); this pass keeps
its pages in Redis, as several app hosts do, so a page stored for anyone reaches everyone who reads
the same Redis. Every test of test_leaks.py runs here unchanged; only the `app` fixture differs.
"""

from __future__ import annotations

import pytest

from tests.conftest import make_test_app
from tests.factories import flushed_redis
from tests.functional.test_leaks import *  # noqa: F401,F403  (the same tests, collected again here)

REDIS_URL = "redis://127.0.0.1:6379/12"  # a database of its own (page cache: 13, several hosts: 14, limits: 15)


@pytest.fixture
def app(database_url, tmp_path):
    """The standalone forum with its page cache (and rate limits) in Redis, flushed around each test."""
    redis = flushed_redis(REDIS_URL)
    next(redis)
    app = make_test_app(database_url, tmp_path / "instance", FORUM_REDIS_URL=REDIS_URL)
    assert type(app.extensions["forum_page_cache"].cache).__name__ == "RedisCache"
    yield app
    with app.app_context():
        app.extensions["forum"].db.engine.dispose()
    next(redis, None)
