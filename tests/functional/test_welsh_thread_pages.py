"""A thread, its reply page and the page frame read wholly in Welsh when the reader asks for Welsh (#24).

What members write here is Welsh too, so any English left on these pages is the interface's: the
header, footer, post cards, pagination, reply prompts, previews and error summaries.
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from forum.models import Member, Post, Space
from forum.services import posting
from tests.factories import db_session, login, make_member, make_post, make_space, make_thread, submit
from tests.welsh import welsh_client as _client

TAG = re.compile(r"<[^>]+>")
SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
ATTRIBUTES = re.compile(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"')
MAIN = re.compile(r"<main\b.*?</main>", re.S)
ADDRESS = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+|/[\w./?=&%-]+")  # e-mail addresses and paths
# Common English words that are not Welsh words, as in the sweep of every page.
ENGLISH = re.compile(r"(?<![\w'’])(?:the|and|your|you|this|that|with|from|have|has|will|are|not|been|there|what|"
                     r"which|when|their|they|here|was|were|only|post|posts|reply|page|thread|sign|search|"
                     r"previous|next|edit|delete|save|saved|quote|report|actions|error)(?![\w'’])", re.I)


def _english_left(html: str) -> list[str]:
    html = SCRIPT.sub(" ", html)
    text = unescape(TAG.sub(" ", html)) + " " + unescape(" ".join(ATTRIBUTES.findall(html)))
    return sorted({m.group(0) for m in ENGLISH.finditer(ADDRESS.sub(" ", text))})


@pytest.fixture
def cast(app):
    moderator = make_member(app, "Rhys Evans", role="moderator")
    author = make_member(app, "Nia Jones")
    other = make_member(app, "Dafydd Morgan")
    pending = make_member(app, "Siôn Prys", state="pending")
    space = make_space(app, "sgwrs", name="Sgwrs")
    thread = make_thread(app, space, author, title="Cyllidebau cynghorau", body="Beth ydych chi'n ei feddwl?")
    app.config["FORUM_POSTS_PER_PAGE"] = 3  # four posts make two pages: the pagination shows
    replies = [make_post(app, thread, other, body=f"Ateb rhif {i + 1}") for i in range(3)]
    with app.app_context():  # one reply edited, one deleted: their markers show too
        db = db_session(app)
        space_row, other_row = db.get(Space, space.id), db.get(Member, other.id)
        posting.edit_post(db, post=db.get(Post, replies[0].id), space=space_row, editor=other_row, body="Ateb wedi newid")
        posting.delete_post(db, post=db.get(Post, replies[1].id), space=space_row, member=other_row)
        db.commit()
    return {"moderator": moderator, "author": author, "other": other, "pending": pending, "thread": thread}


def test_page_frame_is_in_welsh_for_visitors_and_members(app, cast):
    for who in (None, cast["author"], cast["moderator"], make_member(app, "Gwen Hughes", role="admin")):
        page = _client(app, who).get("/").get_data(as_text=True)
        frame = MAIN.sub(" ", page)
        assert '<html lang="cy">' in page
        assert "Neidio i'r prif gynnwys" in frame and "Datganiad hygyrchedd" in frame
        assert _english_left(frame) == [], who


@pytest.mark.parametrize("who", [None, "author", "other", "moderator", "pending"])
def test_thread_page_reads_in_welsh(app, cast, who):
    thread = cast["thread"]
    client = _client(app, cast[who] if who else None)
    for url in (f"/threads/{thread.id}", f"/threads/{thread.id}?page=2"):
        page = client.get(url).get_data(as_text=True)
        assert "Cyllidebau cynghorau" in page
        assert _english_left(page) == [], (who, url)
    first = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "Nesaf" in first and "golygwyd" in first and "Dilëwyd y neges hon gan ei hawdur." in first
    if who is None:
        assert "Mewngofnodwch i ateb" in first
    elif who == "pending":
        assert "Gallwch ateb unwaith y bydd cymedrolwr wedi cymeradwyo eich cyfrif" in first
    else:
        assert "Camau gweithredu" in first and "Neidio i ateb" in first


def test_reply_page_preview_and_errors_read_in_welsh(app, cast):
    thread = cast["thread"]
    client = _client(app, cast["other"])
    quoting = client.get(f"/threads/{thread.id}/reply?quote={thread.first_post_id}")
    assert quoting.status_code == 200
    assert "Ymateb i “Cyllidebau cynghorau”" in quoting.get_data(as_text=True)
    preview = submit(client, f"/threads/{thread.id}/reply", {"body": "Cytuno'n llwyr", "preview": "1"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Rhagolwg" in html and "Cytuno&#39;n llwyr" in html
    empty = submit(client, f"/threads/{thread.id}/reply", {"body": " "})
    assert empty.status_code == 400 and "Mae problem" in empty.get_data(as_text=True)
    for response in (quoting, preview, empty):
        assert _english_left(response.get_data(as_text=True)) == []


def test_flash_after_replying_is_in_welsh(app, cast):
    thread = cast["thread"]
    client = _client(app, cast["other"])
    response = submit(client, f"/threads/{thread.id}/reply", {"body": "Diolch"}, follow_redirects=True)
    assert "Cafodd eich ateb ei bostio." in response.get_data(as_text=True)


def test_thread_page_in_english_is_unchanged(app, cast):
    client = app.test_client()
    client.set_cookie("forum_language", "en")
    login(client, cast["author"])
    page = client.get(f"/threads/{cast['thread'].id}").get_data(as_text=True)
    assert "Jump to reply" in page and 'Next<span class="visually-hidden"> page</span>' in page
    assert 'Actions<span class="visually-hidden"> for your post</span>' in page
    assert "4 posts · page 1 of 2" in page


def test_errors_and_notices_from_the_services_are_in_welsh(app, cast):
    client = _client(app, cast["other"])
    missing = client.get("/threads/99999")
    assert missing.status_code == 404
    assert "Nid oes edefyn yn y cyfeiriad hwn" in missing.get_data(as_text=True)
    post_id = cast["thread"].first_post_id
    saved = submit(client, f"/posts/{post_id}/save", {}, form_url=f"/threads/{cast['thread'].id}", follow_redirects=True)
    assert "Wedi&#39;i chadw. Fe welwch hi o dan Negeseuon a gadwyd." in saved.get_data(as_text=True)
    refused = client.get(f"/posts/{post_id}/edit")
    assert refused.status_code == 403
    assert "Dim ond eich negeseuon eich hun y gallwch eu golygu." in refused.get_data(as_text=True)
