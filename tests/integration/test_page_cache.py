"""The page cache on both backends (#19): in-process, and Redis shared by two app hosts.

The leak suite's world (tests/leaks.py) is read first by the people who may see its canaries (a
member, the host, a site moderator), every GET route, so that anything the cache would wrongly keep
from them is in it; then by everyone who may not (visitors, an outsider, a pending member, a removed
ex-member) through a second app on the same database and cache, as on a second host: no canary
reaches them, and visitors' pages do come from the cache. Then a reply through one host shows on the
other's next visitor view. Runs on SQLite, and on PostgreSQL in the PostgreSQL pass.
"""

from __future__ import annotations

import pytest

from tests.conftest import make_test_app
from tests.factories import flushed_redis, login, make_member, make_post, submit
from tests.leaks import CANARIES, PRIVATE, SECRET, build_world, get_endpoints, routes

REDIS_URL = "redis://127.0.0.1:6379/13"  # a database of its own (several hosts: 14, limits: 15)


@pytest.fixture(params=["in-process", "redis"])
def hosts(request, database_url, tmp_path):
    """Two apps on one database: with Redis they share the cache, as two hosts do; in-process, each has its own."""
    config = {}
    if request.param == "redis":
        yield_redis = flushed_redis(REDIS_URL)
        next(yield_redis)
        request.addfinalizer(lambda: next(yield_redis, None))
        config["FORUM_REDIS_URL"] = REDIS_URL
    apps = [make_test_app(database_url, tmp_path / f"instance-{n}", **config) for n in (1, 2)]
    yield request.param, apps
    for app in apps:
        with app.app_context():
            app.extensions["forum"].db.engine.dispose()


def _scan(app, world, member):
    client = app.test_client()
    if member is not None:
        login(client, member)
    found, hits = set(), 0
    table = routes(world)
    for endpoint in sorted(get_endpoints(app)):
        for url in table.get(endpoint, []):
            response = client.get(url)
            assert response.status_code < 500, (url, response.status_code)
            body = response.get_data(as_text=True) + " " + response.headers.get("Location", "")
            found |= {c for c in CANARIES if c in body}
            hits += response.headers.get("X-Forum-Cache") == "hit"
            if member is not None:
                assert "X-Forum-Cache" not in response.headers, url  # a signed-in page is never stored
    return found, hits


def test_what_insiders_saw_never_reaches_anyone_else_through_the_cache(hosts):
    backend, (first, second) = hosts
    world = build_world(first)
    for insider in (world.member, world.host, world.moderator):
        found, _ = _scan(first, world, insider)
        assert set(PRIVATE.values()) & found, "the control must see the private space"
    assert {SECRET["title"], SECRET["body"]} <= _scan(first, world, world.member)[0]
    _scan(first, world, None)  # a visitor on the first host fills the cache
    for app in (first, second):
        for who in (None, world.outsider, world.pending, world.ex_member):
            found, hits = _scan(app, world, who)
            assert found == set(), (backend, who, found)
            if who is None and (backend == "redis" or app is first):
                assert hits > 0, "visitors' pages should come from the cache"


def test_a_reply_through_one_host_shows_on_the_others_next_visitor_view(hosts):
    backend, (first, second) = hosts
    world = build_world(first)
    url = f"/threads/{world.public_thread.id}"
    for app in (first, second):
        client = app.test_client()
        client.get(url)
        assert client.get(url).headers["X-Forum-Cache"] == "hit"
    make_post(first, world.public_thread, world.member, body="zqxreplyacrosshosts")
    response = second.test_client().get(url)
    assert "zqxreplyacrosshosts" in response.get_data(as_text=True)
    assert response.headers["X-Forum-Cache"] == "miss"
    again = first.test_client().get(url)
    assert "zqxreplyacrosshosts" in again.get_data(as_text=True)
    assert again.headers["X-Forum-Cache"] == ("hit" if backend == "redis" else "miss")


def test_a_cache_that_does_not_answer_makes_pages_instead_of_failing(database_url, tmp_path):
    app = make_test_app(database_url, tmp_path / "instance", FORUM_REDIS_URL="redis://127.0.0.1:1/0",
                        RATELIMIT_STORAGE_URI="memory://")  # nothing listens on port 1
    try:
        world = build_world(app)
        client = app.test_client()
        for _ in range(2):
            response = client.get(f"/threads/{world.public_thread.id}")
            assert response.status_code == 200 and "Open words" in response.get_data(as_text=True)
    finally:
        with app.app_context():
            app.extensions["forum"].db.engine.dispose()


def test_post_cards_stored_on_one_host_serve_members_of_the_other_and_a_change_shows_on_both(hosts):
    """A member's thread page on one host stores its cards; with Redis a member on the other host gets them
    from the store, and an edit made through either host shows on both at once."""
    backend, (first, second) = hosts
    world = build_world(first)
    readers = make_member(first, "Card Reader"), make_member(first, "Other Reader")  # no post of theirs there
    url = f"/threads/{world.public_thread.id}"
    post = make_post(first, world.public_thread, world.host, body="zqxcardwords")
    clients = []
    for app, member in zip((first, second), readers):
        client = app.test_client()
        login(client, member)
        clients.append(client)
    made = clients[0].get(url)
    stored, total = (int(n) for n in made.headers["X-Forum-Cards"].split(" of "))
    assert stored == 0 and total > 1 and made.headers["X-Forum-Kept"] == "kept"
    other = clients[1].get(url)
    assert other.headers["X-Forum-Cards"] == (f"{total} of {total}" if backend == "redis" else f"0 of {total}")
    # The page's rows and cards kept for their class on one host serve the other (Redis), or are kept there.
    assert other.headers["X-Forum-Kept"] == ("hit" if backend == "redis" else "kept")
    assert other.get_data(as_text=True).count("<article ") == made.get_data(as_text=True).count("<article ") == total
    author = second.test_client()
    login(author, world.host)
    assert submit(author, f"/posts/{post.id}/edit", {"body": "zqxcardedited", "submit": "Save changes"}).status_code == 302
    for client in clients:
        page = client.get(url).get_data(as_text=True)
        assert "zqxcardedited" in page and "zqxcardwords" not in page
