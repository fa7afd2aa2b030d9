"""Search is permission-aware inside the query: private words never show, not even as a count.

A visitor's counts and pages are exactly those a forum holding only the public posts would give.
"""

from __future__ import annotations

import re

import pytest

from forum.db import utcnow
from forum.models import Post
from tests.factories import login, make_member, make_post, make_space, make_thread
from tests.functional.test_search import found, search

CANARY = "zqxcanaryvw"


@pytest.fixture
def spaces(app):
    """A public space, a members-only one, a private and a secret one, each holding the canary word."""
    author = make_member(app, "Ann Author")
    insider = make_member(app, "Ina Insider")
    public = make_space(app, "public", name="Public")
    members = make_space(app, "members", visibility="members", name="Members only")
    private = make_space(app, "support", visibility="private", name="Evangelist support", members=[author, insider])
    secret = make_space(app, "secret", visibility="secret", name="Secret room", members=[author, insider])
    posts = {}
    for space in (public, members, private, secret):
        thread = make_thread(app, space, author, title=f"Lanterns in {space.name}",
                             body=f"{CANARY} lanterns {space.slug}word")
        replies = [make_post(app, thread, author, f"More lanterns {i}") for i in range(3)]
        posts[space.slug] = [thread.first_post_id, *[r.id for r in replies]]
    return author, insider, posts


def page_text(client, q, **params) -> str:
    return client.get("/search", query_string={"q": q, **params}).get_data(as_text=True)


def assert_sees_only(client, posts, readable):
    """The client finds exactly the readable spaces' posts, and nothing of the others leaks into the page."""
    expected = sorted(i for slug in readable for i in posts[slug])
    response, ids, count = search(client, "lanterns")
    assert sorted(ids) == expected
    assert count == f"{len(expected)} results"
    assert len(found(client, CANARY)) == len(readable)
    for slug in set(posts) - set(readable):
        page = page_text(client, f"{slug}word")
        assert "0 results" in page and "Lanterns in" not in page


def test_a_visitor_finds_only_public_posts(client, spaces):
    _, _, posts = spaces
    assert_sees_only(client, posts, ["public"])


def test_a_signed_in_non_member_finds_public_and_members_posts_only(app, client, spaces):
    _, _, posts = spaces
    login(client, make_member(app, "Nora Outsider"))
    assert_sees_only(client, posts, ["public", "members"])


def test_a_member_waiting_for_approval_finds_only_public_posts(app, client, spaces):
    _, _, posts = spaces
    login(client, make_member(app, "Pat Pending", state="pending"))
    assert_sees_only(client, posts, ["public"])


def test_members_of_private_and_secret_spaces_find_their_posts(client, spaces):
    _, insider, posts = spaces
    login(client, insider)
    assert_sees_only(client, posts, ["public", "members", "support", "secret"])


def test_the_canary_word_never_reaches_an_outsiders_page_or_count(app, client, spaces):
    for viewer, readable in ((None, 1), (make_member(app, "Nora Outsider"), 2)):
        if viewer is not None:
            login(client, viewer)
        for params, count in (({}, readable), ({"author": "Ann Author"}, readable), ({"chats": "y"}, 0),
                              ({"space": "support"}, None), ({"space": "secret"}, None)):
            response, _, shown = search(client, CANARY, **params)
            page = response.get_data(as_text=True)
            assert "supportword" not in page and "secretword" not in page
            assert "Evangelist support" not in page and "Secret room" not in page
            if count is None:
                assert response.status_code == 400 and shown is None
            else:
                assert shown == f"{count} {'result' if count == 1 else 'results'}"


def test_a_private_space_cannot_be_chosen_as_a_filter_by_outsiders(app, client, spaces):
    login(client, make_member(app, "Nora Outsider"))
    for slug in ("support", "secret", "no-such-space"):
        response = client.get("/search", query_string={"q": "lanterns", "space": slug})
        # The same answer whether the space exists or not: nothing is learnt about it.
        assert response.status_code == 400 and "Choose a space from the list" in response.get_data(as_text=True)


def test_a_visitors_counts_and_pages_equal_those_over_the_public_posts_alone(app, client, spaces):
    author, _, _ = spaces
    public = make_space(app, "open", name="Open")
    closed = make_space(app, "closed", visibility="private", members=[author])
    public_thread = make_thread(app, public, author, title="Kites", body="Kites one")
    closed_thread = make_thread(app, closed, author, title="Kites", body="Kites one")
    for i in range(23):
        make_post(app, public_thread, author, f"Kites {i}")
    for i in range(31):
        make_post(app, closed_thread, author, f"Kites {i} and secrets")
    # 24 public posts mention kites: two pages of 20, whatever the private space holds.
    _, first, count = search(client, "kites")
    _, second, _ = search(client, "kites", page=2)
    assert count == "24 results" and (len(first), len(second)) == (20, 4)
    assert client.get("/search?q=kites&page=3").status_code == 404
    login(client, author)
    _, _, member_count = search(client, "kites")
    assert member_count == "56 results"


def test_hidden_posts_are_found_by_moderators_of_their_space_only(app, client, spaces):
    author, insider, posts = spaces
    host = make_member(app, "Hal Host")
    hosted = make_space(app, "hosted", hosts=[host])
    thread = make_thread(app, hosted, author, title="Kites", body="Kites one")
    with app.app_context():
        db = app.extensions["forum"].db.session
        db.get(Post, thread.first_post_id).hidden_at = utcnow()
        db.commit()
    for viewer, sees in ((None, False), (author, False), (insider, False), (host, True),
                         (make_member(app, "Sue Moderator", role="moderator"), True)):
        c = app.test_client()
        if viewer is not None:
            login(c, viewer)
        assert (found(c, "kites") == [thread.first_post_id]) is sees, viewer


def test_a_host_of_one_space_does_not_see_hidden_posts_elsewhere(app, client, spaces):
    author, _, _ = spaces
    host = make_member(app, "Hal Host")
    make_space(app, "hosted", hosts=[host])
    elsewhere = make_space(app, "elsewhere")
    thread = make_thread(app, elsewhere, author, title="Kites", body="Kites one")
    with app.app_context():
        db = app.extensions["forum"].db.session
        db.get(Post, thread.first_post_id).hidden_at = utcnow()
        db.commit()
    login(client, host)
    assert found(client, "kites") == []


def test_member_names_are_for_approved_members_only(app, client, spaces):
    assert "Ina Insider" not in page_text(client, "insider")
    login(client, make_member(app, "Pat Pending", state="pending"))
    assert "Ina Insider" not in page_text(client, "insider")
    login(client, make_member(app, "Nora Outsider"))
    assert "Ina Insider" in page_text(client, "insider")
