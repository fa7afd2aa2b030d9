"""Finding things reads in Welsh (#24): search, the library, topics, links shared and the accessibility statement.

Each page is asked for in Welsh; none of the catalog's English phrases (those Welsh says differently)
may be left in its main content, and its own Welsh words must be there.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from html import unescape

import pytest
import time_machine
from sqlalchemy import select

from forum.models import Chat, LibraryEntry, LibraryTag, Member, OutboxMessage, Post, Thread
from tests.factories import db_session, make_member, make_post, make_space, make_thread, submit
from tests.functional.test_links_shared import CHAT_ONE, import_chat
from tests.welsh import welsh_client as welsh
from tests.welsh import phrases as _catalog_phrases

MAIN = re.compile(r"<main\b.*?</main>", re.S)
TAG = re.compile(r"<[^>]+>")
# The day after the chat in CHAT_ONE, so the import takes it as past whatever day the tests run.
TODAY = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture(scope="module")
def phrases() -> dict[str, str]:
    """The catalog's English phrases and their Welsh (tests/welsh.py), read once for the module."""
    return _catalog_phrases()


def content(app) -> list[str]:
    """What people wrote, which stays as written: service areas' names, thread and chat titles, longest first."""
    with app.app_context():
        db = db_session(app)
        found = [*db.scalars(select(LibraryTag.name)), *db.scalars(select(Thread.title)), *db.scalars(select(Chat.title))]
    return sorted(set(found), key=len, reverse=True)


def read(client, url, phrases, status=200, **params) -> str:
    """The main content of a page asked for in Welsh, checked for English left in it (beyond what people wrote)."""
    response = client.get(url, query_string=params)
    assert response.status_code == status, (url, response.status_code)
    text = " ".join(unescape(TAG.sub(" ", MAIN.search(response.get_data(as_text=True)).group(0))).split())
    words = re.sub(r"“[^”]*”", " ", text)  # names quoted as another program shows them (Outlook's menus)
    for written in content(client.application):
        words = words.replace(written, " ")
    left = [english for english in phrases if re.search(rf"(?<!\w){re.escape(english)}(?!\w)", words)]
    assert not left, f"English left on {url} in Welsh: {left[:10]}"
    return text


@pytest.fixture
def cast(app):
    author = make_member(app, "Nia Jones")
    moderator = make_member(app, "Rhys Evans", role="moderator")
    space = make_space(app, "sgwrs-gyllideb", name="Sgwrs gyllideb")
    thread = make_thread(app, space, author, title="Cynllunio cyllideb", body="Sut mae cynllunio cyllideb gyda thrigolion?")
    make_post(app, thread, author, "Rydym yn dechrau cynllunio ym mis Medi.")
    with app.app_context():
        post_id = db_session(app).scalar(select(Post.id).where(Post.thread_id == thread.id).order_by(Post.id))
        tags = [str(t) for t in db_session(app).scalars(select(LibraryTag.id).where(LibraryTag.slug == "digital"))]
    return {"author": author, "moderator": moderator, "thread": thread, "post_id": post_id, "tags": tags}


def test_search_reads_in_welsh_with_results_none_a_suggestion_and_a_mistake(app, cast, phrases):
    client = welsh(app, cast["author"])
    found = read(client, "/search", phrases, q="cyllideb")
    assert "1 canlyniad" in found and "Cynllunio cyllideb" in found
    assert "Chwilio" in read(client, "/search", phrases)
    nothing = read(client, "/search", phrases, q="cynlluno")
    assert "Oeddech chi’n golygu cynllunio ?" in nothing and "Does dim byd yn cyfateb i’r geiriau hynny." in nothing
    common = read(client, "/search", phrases, q="the")
    assert "Rhowch air i chwilio amdano. Mae “the” yn rhy gyffredin i chwilio amdano ar ei ben ei hun." in common
    wrong = read(client, "/search", phrases, status=400, q="cyllideb", since="31/2/2024", until="1/1/2024")
    assert "Rhowch ddyddiad go iawn ar gyfer ‘O’, er enghraifft 31/3/2024" in wrong


def test_the_library_reads_in_welsh_from_promoting_to_its_entry(app, cast, phrases):
    client = welsh(app, cast["moderator"])
    promote = f"/posts/{cast['post_id']}/promote"
    assert "Ychwanegu at y llyfrgell arfer da" in read(client, promote, phrases)
    refused = submit(client, promote, {"title": "Cyllideb gyda thrigolion", "problem": "", "approach": "", "outcome": "",
                                       "tags": []})
    assert refused.status_code == 400
    assert "Disgrifiwch y broblem" in unescape(refused.get_data(as_text=True))
    done = submit(client, promote, {"title": "Cyllideb gyda thrigolion", "problem": "Neb yn dod",
                                    "approach": "Gweithdai yn y llyfrgell", "outcome": "Dwywaith cymaint",
                                    "tags": cast["tags"]}, follow_redirects=True)
    assert "Wedi’i ychwanegu at y llyfrgell." in unescape(done.get_data(as_text=True))
    with app.app_context():
        entry_id = db_session(app).scalar(select(LibraryEntry.id))
    entry = read(client, f"/library/{entry_id}", phrases)
    assert "O ble y daeth" in entry and "Y broblem" in entry  # a Welsh moderator's headings are Welsh
    assert "1 cofnod." in read(welsh(app), "/library", phrases)
    assert "Meysydd gwasanaeth yn y llyfrgell" in read(client, "/library/tags", phrases)
    topic = read(welsh(app), "/topics/digital", phrases)
    assert "1 eitem." in topic and "Cofnod llyfrgell:" in topic


def test_asking_for_consent_reads_in_welsh_to_an_author_who_reads_welsh(app, phrases):
    author = make_member(app, "Dafydd Price")
    with app.app_context():
        db = db_session(app)
        db.get(Member, author.id).language = "cy"
        db.commit()
    space = make_space(app, "preifat", visibility="private", name="Gofod preifat", members=[author])
    thread = make_thread(app, space, author, title="Ein canllaw", body="Dyma ein canllaw")
    with app.app_context():
        db = db_session(app)
        post_id = db.scalar(select(Post.id).where(Post.thread_id == thread.id))
        tags = [str(t) for t in db.scalars(select(LibraryTag.id).where(LibraryTag.slug == "digital"))]
    moderator = welsh(app, make_member(app, "Rhys Evans", role="moderator"))
    assert "Gofod preifat yw hwn" in read(moderator, f"/posts/{post_id}/promote", phrases)
    done = submit(moderator, f"/posts/{post_id}/promote", {"title": "Canllaw un dudalen", "problem": "Ofn",
                                                          "approach": "Rheolau", "outcome": "Mwy", "tags": tags})
    assert done.status_code == 302
    with app.app_context():
        db = db_session(app)
        entry_id = db.scalar(select(LibraryEntry.id))
        mail = db.scalars(select(OutboxMessage)).all()[-1]
    assert mail.subject.startswith("Gawn ni ychwanegu eich neges at lyfrgell")
    consent = read(welsh(app, author), f"/library/{entry_id}/consent", phrases)
    assert "Gawn ni ychwanegu hwn at y llyfrgell?" in consent and "Ie, cyhoeddwch ef" in consent


def test_links_shared_read_in_welsh(app, runner, tmp_path, phrases):
    make_space(app, "lgovsm-chat", name="lgovsm chat", hosts=[make_member(app, "Sam Host")])
    chat_id = import_chat(runner, tmp_path, "lgovsm-chat", CHAT_ONE, "20/11/2026 12:58")
    client = welsh(app)
    assert "Rhannwyd" in read(client, f"/chats/{chat_id}/links", phrases)
    assert "4 dolen." in read(client, "/links", phrases)


def test_the_accessibility_statement_reads_in_welsh(app, phrases):
    text = read(welsh(app), "/accessibility", phrases)
    assert "Datganiad hygyrchedd ar gyfer" in text and "Y weithdrefn orfodi" in text
    assert "chwyddo hyd at 400% heb i’r testun ddiflannu oddi ar y sgrin" in text
