"""The post-state leak suite (tests/functional/test_leaks_posts.py) again, with the page cache in Redis (#19).

As tests/integration/test_page_cache_leaks.py does for test_leaks.py: the same tests, collected
again, with the module's app keeping its pages (and rate-limit counts) in Redis.
"""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import _postgres_database, make_test_app
from tests.factories import flushed_redis
from tests.functional.test_leaks_posts import *  # noqa: F401,F403  (the same tests, collected again here)

REDIS_URL = "redis://127.0.0.1:6379/11"  # a database of its own


@pytest.fixture(scope="module")
def leak_app(postgres_url, sqlite_template, tmp_path_factory):
    """One app and database for the module, as in test_leaks_posts.py, with the page cache in Redis."""
    redis = flushed_redis(REDIS_URL)
    next(redis)
    if postgres_url is None:
        path = tmp_path_factory.mktemp("leaks") / "forum.sqlite3"
        shutil.copyfile(sqlite_template, path)
        urls = iter([f"sqlite:///{path}"])
    else:
        urls = _postgres_database()
    url = next(urls)
    app = make_test_app(url, tmp_path_factory.mktemp("instance"), RATELIMIT_ENABLED=False, FORUM_REDIS_URL=REDIS_URL)
    assert type(app.extensions["forum_page_cache"].cache).__name__ == "RedisCache"
    yield app
    with app.app_context():
        app.extensions["forum"].db.engine.dispose()
    next(urls, None)
    next(redis, None)
