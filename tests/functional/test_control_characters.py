"""Control characters (pasted from Word, IRC bold and underline codes, a stray \\x01) never reach a page or break a feed."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select

from forum.models import Post, Space, Thread
from tests.factories import login, make_member, make_space, make_thread, submit
from tests.factories import db_session as _db

ATOM = "{http://www.w3.org/2005/Atom}"


def _feed(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    return ET.fromstring(response.data)  # raises ParseError on a character XML cannot carry


def _entry(feed: ET.Element, title_start: str) -> ET.Element:
    return next(e for e in feed.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}title").startswith(title_start))


@pytest.fixture
def author_client(app):
    author = make_member(app, "Priya Poster")
    client = app.test_client()
    login(client, author)
    return client


def test_a_thread_typed_with_control_characters_keeps_the_feeds_readable(app, author_client):
    space = make_space(app, "open")
    response = submit(author_client, f"/spaces/{space.slug}/new", {
        "title": "Budget\x01 cuts\x1b and comms", "submit": "Post thread",
        "body": "First line\x0b still first\n\tAn indented line\r\nThird\x85 line\x7f",
    })
    assert response.status_code == 302
    thread_page = author_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Budget cuts and comms" in thread_page

    for url in ("/feeds/recent.atom", f"/spaces/{space.slug}/feed.atom"):
        entry = _entry(_feed(app.test_client(), url), "Budget")
        assert entry.findtext(f"{ATOM}title") == "Budget cuts and comms"
        assert "First line still first" in entry.findtext(f"{ATOM}summary")
    with app.app_context():
        post = _db(app).scalars(select(Post)).one()
        assert post.body_source == "First line still first\n\tAn indented line\nThird line"


def test_feeds_stay_valid_xml_when_stored_text_already_has_control_characters(app):
    space = make_space(app, "open", name="Open\x01 space")
    thread = make_thread(app, space, make_member(app, "Old\x02 Timer"), title="Saved before the fix")
    with app.app_context():
        # Rows written before text was cleaned on the way in: the feed writer must cope on its own.
        db = _db(app)
        db.get(Thread, thread.id).title = "Saved\x01 before\x1f the fix\x0c"
        post = db.scalars(select(Post).where(Post.thread_id == thread.id)).one()
        post.body_html = "<p>old\x0b body\x08</p>"
        db.get(Space, space.id).name = "Open\x01 space"
        db.commit()
    for url in ("/feeds/recent.atom", f"/spaces/{space.slug}/feed.atom"):
        feed = _feed(app.test_client(), url)
        entry = _entry(feed, "Saved")
        assert entry.findtext(f"{ATOM}title") == "Saved before the fix"
        assert entry.findtext(f"{ATOM}summary") == "<p>old body</p>"


IRC_LOG = (
    "--- Log opened Tue Mar 12 19:55:00 2024\n"
    "20:00 <@LGovSM> Welcome to #lgovsm! Q1 coming up\n"
    "20:01 <@LGovSM> \x02Q1\x02 How do you reach \x1fresidents\x1f online?\n"
    "20:02 < ana_f> A1 Facebook\x0f groups\x16 mostly\n"
    "20:03 <+JoB> A1 weekly Q&A\n"
    "--- Log closed Tue Mar 12 21:00:00 2024\n"
)


def test_an_irc_log_with_formatting_codes_imports_clean_text(app, runner, tmp_path):
    space = make_space(app, "chats")
    log = tmp_path / "lgovsm.log"
    log.write_bytes(IRC_LOG.encode())
    result = runner.invoke(args=["forum", "import-transcript", str(log), "--space", "chats",
                                 "--title", "#lgovsm\x01 12 March", "--json"])
    assert result.exit_code == 0, result.output
    feed = _feed(app.test_client(), f"/spaces/{space.slug}/feed.atom")
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert any(title.startswith("Q1: How do you reach residents online?") for title in titles), titles
    with app.app_context():
        bodies = list(_db(app).scalars(select(Post.body_source)))
    assert "A1 Facebook groups mostly" in bodies
    assert not any(ch in body for body in bodies for ch in "\x02\x0f\x16\x1f")
    assert "#lgovsm 12 March" in app.test_client().get("/chats").get_data(as_text=True)


def test_a_space_created_on_the_command_line_has_a_clean_name(app, runner):
    result = runner.invoke(args=["forum", "create-space", "evangelists", "--name", "Evangelists\x07 corner",
                                 "--description", "Say it\x00 here\n\tsafely"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        space = _db(app).scalars(select(Space).where(Space.slug == "evangelists")).one()
        assert (space.name, space.description) == ("Evangelists corner", "Say it here\n\tsafely")
