"""The good-practice library: promote, browse and filter, the feed, consent for private content, tags."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from sqlalchemy import select

from forum.models import LibraryEntry, LibraryTag, ModerationLogEntry, OutboxMessage, Post
from tests.factories import login, make_member, make_space, make_thread, submit
from tests.factories import db_session as _db

ATOM = "{http://www.w3.org/2005/Atom}"


def _tag_ids(app, *names):
    with app.app_context():
        return [str(_db(app).scalar(select(LibraryTag.id).where(LibraryTag.name == n))) for n in names]


def _promote(app, client, post_id, **changes):
    data = {"title": "A one-page social media guide", "problem": "Officers were scared to post",
            "approach": "One page of rules with examples", "outcome": "Twice as many services post",
            "organisation": "Fife Council", "tags": _tag_ids(app, "Communications", "Digital"), **changes}
    return submit(client, f"/posts/{post_id}/promote", data)


def _first_post(app, thread):
    with app.app_context():
        return _db(app).scalar(select(Post.id).where(Post.thread_id == thread.id))


def test_a_moderator_promotes_a_post_and_it_is_found_by_tag(app, client):
    author = make_member(app, "Fiona Grant", organisation="Fife Council")
    thread = make_thread(app, make_space(app), author, title="Our guide", body="Here is our guide")
    post_id = _first_post(app, thread)
    login(client, make_member(app, role="moderator"))
    response = _promote(app, client, post_id)
    assert response.status_code == 302
    entry_url = response.headers["Location"]
    entry = app.test_client().get(entry_url).get_data(as_text=True)
    assert "A one-page social media guide" in entry and "Officers were scared to post" in entry
    assert f'href="/posts/{post_id}"' in entry and "Fife Council" in entry
    by_tag = app.test_client().get("/library?tag=digital").get_data(as_text=True)
    assert "A one-page social media guide" in by_tag
    assert "A one-page social media guide" not in app.test_client().get("/library?tag=housing").get_data(as_text=True)
    assert "A one-page social media guide" in app.test_client().get("/library?organisation=fife").get_data(as_text=True)
    assert "Good practice" in app.test_client().get(f"/threads/{thread.id}").get_data(as_text=True)
    with app.app_context():
        assert _db(app).scalar(select(ModerationLogEntry.action)) == "promote"


def test_the_library_feed_is_atom(app, client):
    thread = make_thread(app, make_space(app), make_member(app))
    login(client, make_member(app, role="moderator"))
    _promote(app, client, _first_post(app, thread), title="Feed & <friends>")
    response = app.test_client().get("/library/feed.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.get_data())
    assert feed.tag == f"{ATOM}feed" and feed.find(f"{ATOM}id") is not None and feed.find(f"{ATOM}updated") is not None
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Feed & <friends>"
    assert "Officers were scared to post" in entry.find(f"{ATOM}summary").text


def test_promoting_needs_a_summary_and_a_service_area(app, client):
    thread = make_thread(app, make_space(app), make_member(app))
    login(client, make_member(app, role="moderator"))
    response = _promote(app, client, _first_post(app, thread), problem="", tags=[])
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Describe the problem" in page and "Choose at least one service area" in page


def test_private_content_is_published_only_with_its_authors_consent(app, client):
    author = make_member(app, "Lonely Advocate")
    space = make_space(app, visibility="private", members=[author])
    thread = make_thread(app, space, author, body="zqxprivatepractice")
    login(client, make_member(app, role="moderator"))
    entry_url = _promote(app, client, _first_post(app, thread), title="zqxwaitingentry").headers["Location"]
    assert "zqxwaitingentry" not in app.test_client().get("/library").get_data(as_text=True)
    assert app.test_client().get(entry_url).status_code == 404
    with app.app_context():
        email = _db(app).scalar(select(OutboxMessage).where(OutboxMessage.to == author.email))
        assert "zqxprivatepractice" not in email.body
        assert "Nothing is published unless you agree" in email.body
        entry_id = _db(app).scalar(select(LibraryEntry.id))
    writer = app.test_client()
    login(writer, author)
    submit(writer, f"/library/{entry_id}/consent", {"accept": "Publish"})
    assert "zqxwaitingentry" in app.test_client().get("/library").get_data(as_text=True)
    # the entry links back, but the private source keeps its own rules
    assert f'href="/posts/' not in app.test_client().get(entry_url).get_data(as_text=True)


def test_declining_consent_removes_the_entry(app, client):
    author = make_member(app)
    thread = make_thread(app, make_space(app, visibility="private", members=[author]), author)
    login(client, make_member(app, role="moderator"))
    _promote(app, client, _first_post(app, thread))
    with app.app_context():
        entry_id = _db(app).scalar(select(LibraryEntry.id))
    writer = app.test_client()
    login(writer, author)
    submit(writer, f"/library/{entry_id}/consent", {"decline": "Decline"})
    with app.app_context():
        assert _db(app).scalar(select(LibraryEntry.id)) is None


def test_moderators_edit_the_service_areas(app, client):
    login(client, make_member(app, role="moderator"))
    response = submit(client, "/library/tags", {"name": "Waste and recycling"})
    assert response.status_code == 302
    assert "Waste and recycling" in client.get("/library").get_data(as_text=True)
    duplicate = submit(client, "/library/tags", {"name": "Housing"})
    assert duplicate.status_code == 400 and "already on the list" in duplicate.get_data(as_text=True)
    member = app.test_client()
    login(member, make_member(app))
    assert member.get("/library/tags").status_code == 403
