"""Mounted in a host app, the forum compresses its own responses and leaves the host's as the host sends them."""

from __future__ import annotations

import gzip

from flask import Flask

from forum import Forum
from tests.conftest import migrate

BIG_PAGE = "<p>" + "Intranet news for every team. " * 200 + "</p>"


def _host(tmp_path, *, host_compresses: bool = False) -> Flask:
    url = f"sqlite:///{tmp_path / 'f.sqlite3'}"
    migrate(url)
    app = Flask("intranet", instance_path=str(tmp_path / "inst"))
    app.config.update(SECRET_KEY="host-secret", FORUM_DATABASE_URL=url,
                      FORUM_PASSWORD_HASH="pbkdf2:sha256:1000")
    if host_compresses:
        from flask_compress import Compress
        Compress(app)

    @app.get("/news")
    def news():
        return BIG_PAGE

    Forum(app, url_prefix="/community")
    return app


def test_the_hosts_pages_are_left_alone_and_the_forums_are_compressed(tmp_path):
    client = _host(tmp_path).test_client()
    news = client.get("/news", headers={"Accept-Encoding": "gzip"})
    assert news.headers.get("Content-Encoding") is None
    assert news.get_data(as_text=True) == BIG_PAGE
    forum = client.get("/community/", headers={"Accept-Encoding": "gzip"})
    assert forum.status_code == 200
    assert forum.headers["Content-Encoding"] == "gzip"
    assert b"</html>" in gzip.decompress(forum.get_data())


def test_a_host_that_compresses_everything_is_not_compressed_twice(tmp_path):
    client = _host(tmp_path, host_compresses=True).test_client()
    news = client.get("/news", headers={"Accept-Encoding": "gzip"})
    assert news.headers["Content-Encoding"] == "gzip"
    forum = client.get("/community/", headers={"Accept-Encoding": "gzip"})
    assert forum.headers["Content-Encoding"] == "gzip"
    assert b"</html>" in gzip.decompress(forum.get_data())  # once: a second gzip would not decode to HTML
