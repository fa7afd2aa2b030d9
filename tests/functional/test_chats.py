"""Chat sessions: before (details, calendar, proposed questions) and after (import in the browser, the chat page)."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

import icalendar
import pytest
import time_machine
from sqlalchemy import func, select

from forum.models import (Chat, Handle, Member, ModerationLogEntry, PendingImport, Post, ProposedQuestion, Speaker,
                          Thread)
from tests.factories import csrf_token, login, make_member, make_space, submit
from tests.factories import db_session as _session

TRANSCRIPT = Path(__file__).resolve().parents[1] / "data" / "import" / "lgovsm_tags.csv"
# The chats here are on 27 November 2026 (GMT) and 3 July 2026 (BST). Each test runs on a clock set
# to the week before the November chat, time still flowing, so "upcoming" means the same on any day.
TODAY = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TODAY, tick=True):
        yield


def _host_world(app):
    host = make_member(app, "Jo Host")
    space = make_space(app, "lgovsm-chat", name="lgovsm chat", hosts=[host])
    return host, space


def _create_chat(app, client, space, **changes):
    form = {"title": "#lgovsm: budgets, honestly", "space": str(space.id), "starts_at": "27/11/2026 13:00",
            "duration_minutes": "60", "hashtag": "lgovsm", "description": "Budget consultations; A, B; C\\D",
            "hosts": "", **changes}
    return submit(client, "/chats/new", form)


def test_a_host_creates_a_chat_and_it_is_listed_with_a_calendar_entry(app, client):
    host, space = _host_world(app)
    login(client, host)
    response = _create_chat(app, client, space)
    assert response.status_code == 302
    chat_url = response.headers["Location"]
    page = client.get(chat_url).get_data(as_text=True)
    assert "#lgovsm: budgets, honestly" in page and "Jo Host" in page and "27 November 2026, 1:00pm" in page
    assert "#lgovsm: budgets, honestly" in app.test_client().get("/chats").get_data(as_text=True)
    ics = client.get(chat_url + ".ics")
    assert ics.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(ics.get_data())
    [event] = calendar.walk("VEVENT")
    assert event["UID"] and event["DTSTAMP"]
    assert event.decoded("DTSTART") == datetime(2026, 11, 27, 13, 0, tzinfo=timezone.utc)  # GMT in November
    assert str(event["SUMMARY"]) == "#lgovsm: budgets, honestly"
    assert "Budget consultations; A, B; C\\D" in str(event["DESCRIPTION"])
    assert b"\r\n" in ics.get_data()


def test_summer_chats_are_stored_in_utc(app, client):
    host, space = _host_world(app)
    login(client, host)
    chat_url = _create_chat(app, client, space, starts_at="03/07/2026 13:00").headers["Location"]
    event = icalendar.Calendar.from_ical(client.get(chat_url + ".ics").get_data()).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == datetime(2026, 7, 3, 12, 0, tzinfo=timezone.utc)


def test_the_calendar_feed_lists_upcoming_public_chats(app, client):
    host, space = _host_world(app)
    secret = make_space(app, "hidden", visibility="private", hosts=[host])
    login(client, host)
    _create_chat(app, client, space, title="Public chat")  # next week
    _create_chat(app, client, space, title="Last week's chat", starts_at="13/11/2026 13:00")
    _create_chat(app, client, secret, title="Private chat")
    feed = icalendar.Calendar.from_ical(app.test_client().get("/chats.ics").get_data())
    assert [str(e["SUMMARY"]) for e in feed.walk("VEVENT")] == ["Public chat"]


def test_chat_form_errors_are_shown_together_and_keep_input(app, client):
    host, space = _host_world(app)
    login(client, host)
    response = _create_chat(app, client, space, title="", starts_at="next friday", duration_minutes="5",
                            hosts="Nobody Known")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    for message in ("Enter the chat's title", "Enter the date and time", "between 10 and 600", "No approved member"):
        assert message in page
    assert 'value="next friday"' in page


def test_members_cannot_create_chats(app, client):
    _host_world(app)
    login(client, make_member(app))
    assert client.get("/chats/new").status_code == 403


def test_members_propose_and_vote_once_and_hosts_choose(app, client):
    host, space = _host_world(app)
    login(client, host)
    chat_url = _create_chat(app, client, space).headers["Location"]
    chat_id = int(chat_url.rsplit("/", 1)[1])
    member = make_member(app, "Priya Proposer")
    proposer = app.test_client()
    login(proposer, member)
    submit(proposer, f"/chats/{chat_id}/questions", {"text": "Who signs off your posts?"}, form_url=chat_url)
    too_short = submit(proposer, f"/chats/{chat_id}/questions", {"text": "Why?"}, form_url=chat_url)
    assert too_short.status_code == 400 and "10 to 500 characters" in too_short.get_data(as_text=True)
    with app.app_context():
        question_id = _session(app).scalar(select(ProposedQuestion.id))
    token = csrf_token(proposer, chat_url)
    for _ in range(2):  # voting twice counts once
        proposer.post(f"/questions/{question_id}/vote", data={"csrf_token": token})
    assert "1 vote" in proposer.get(chat_url).get_data(as_text=True)
    assert "Take back your vote" in proposer.get(chat_url).get_data(as_text=True)  # only to whoever voted
    assert "Take back your vote" not in client.get(chat_url).get_data(as_text=True)
    proposer.post(f"/questions/{question_id}/vote", data={"csrf_token": token, "vote": "off"})
    assert "0 votes" in proposer.get(chat_url).get_data(as_text=True)
    proposer.post(f"/questions/{question_id}/vote", data={"csrf_token": token})

    host_page = client.get(chat_url).get_data(as_text=True)
    host_token = re.search(rf'name="q{question_id}-csrf_token" type="hidden" value="([^"]+)"', host_page).group(1)
    client.post(f"/questions/{question_id}/decide", data={
        f"q{question_id}-csrf_token": host_token, f"q{question_id}-position": "1", f"q{question_id}-choose": "Choose"})
    page = proposer.get(chat_url).get_data(as_text=True)
    assert '<span class="tag">Q1</span> Who signs off your posts?' in page
    # Someone who is not a host tries to set the chosen question aside: refused, and it stays chosen.
    refused = proposer.post(f"/questions/{question_id}/decide", data={
        f"q{question_id}-csrf_token": token, f"q{question_id}-reject": "Set aside"})
    assert refused.status_code == 403
    with app.app_context():
        assert _session(app).get(ProposedQuestion, question_id).status == "chosen"


def _upload(client, **fields):
    token = csrf_token(client, "/import")
    data = {"csrf_token": token, "chat": "", "space": "", "format": "", "start": "", "hosts": "", **fields}
    return client.post("/import", data=data, content_type="multipart/form-data")


def test_import_in_the_browser_preview_adjust_confirm_and_land_on_the_chat(app, client):
    host, space = _host_world(app)
    login(client, host)
    chat_url = _create_chat(app, client, space, starts_at="14/01/2011 13:00").headers["Location"]
    chat_id = int(chat_url.rsplit("/", 1)[1])
    response = _upload(client, chat=str(chat_id), file=(BytesIO(TRANSCRIPT.read_bytes()), "lgovsm.csv"))
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    preview = client.get(preview_url).get_data(as_text=True)
    assert "TAGS (Twitter Archiving Google Sheet) CSV" in preview
    assert 'value="How do you support the evangelists?"' in preview
    assert "Reposts and retweets: they repeat what someone said already: 1" in html.unescape(preview)
    assert "alice" in preview and "Welcome and wrap-up" in preview
    with app.app_context():
        assert _session(app).scalar(select(func.count()).select_from(Post)) == 0  # nothing saved yet

    token = csrf_token(client, preview_url)
    response = client.post(preview_url, data={"csrf_token": token, "format": "", "confirm": "1",
                                              "title_1": "Supporting the lonely evangelist",
                                              "title_2": "Who decides who gets an account?"})
    assert response.status_code == 302 and response.headers["Location"] == f"/chats/{chat_id}"
    page = client.get(f"/chats/{chat_id}").get_data(as_text=True)
    assert "Q1: Supporting the lonely evangelist" in page
    assert "4 people took part" in page and "<svg" in page and "Messages per five minutes" in page
    with app.app_context():
        chat = _session(app).get(Chat, chat_id)
        assert chat.status == "imported"
        assert _session(app).scalar(select(func.count()).select_from(PendingImport)) == 0
        thread = _session(app).scalar(select(Thread).where(Thread.question_number == 1))
    thread_page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "This thread came from the chat" in thread_page and "imported from X (Twitter) on" in thread_page
    submit(client, f"/threads/{thread.id}/reply", {"body": "Carrying on after the chat", "submit": "Post reply"},
           form_url=f"/threads/{thread.id}")
    assert "Carrying on after the chat" in client.get(f"/threads/{thread.id}?page=1").get_data(as_text=True)
    after = client.get(f"/chats/{chat_id}").get_data(as_text=True)
    assert "4 people took part, with 9 posts during the chat" in after  # the member's reply is not one of them
    week = re.search(r"Replies.*?<tbody>(.*?)</tbody>", after, re.S).group(1)
    assert re.findall(r'<td class="numeric">(\d+)</td>', week) == ["1"]


def test_preview_can_override_the_format_and_reports_a_wrong_one(app, client):
    host, space = _host_world(app)
    login(client, host)
    response = _upload(client, space=str(space.id), file=(BytesIO(TRANSCRIPT.read_bytes()), "lgovsm.csv"))
    preview_url = response.headers["Location"]
    token = csrf_token(client, preview_url)
    client.post(preview_url, data={"csrf_token": token, "format": "mastodon", "update": "1"})
    wrong = client.get(preview_url)
    assert wrong.status_code == 400 and "There is a problem" in wrong.get_data(as_text=True)
    client.post(preview_url, data={"csrf_token": token, "format": "tags_csv", "update": "1"})
    assert client.get(preview_url).status_code == 200


def test_bad_uploads_get_clear_errors_and_nothing_is_kept(app, client):
    host, space = _host_world(app)
    login(client, host)
    cases = [
        ({}, "Choose the transcript file"),
        ({"file": (BytesIO(b""), "empty.csv")}, "the file is empty"),
        ({"file": (BytesIO(b"\x00\x01\x02" * 100), "binary.bin")}, "binary"),
        ({"file": (BytesIO(b'{"data": [{"id'), "cut.json")}, "JSON is broken"),
    ]
    for fields, message in cases:
        response = _upload(client, space=str(space.id), **fields)
        assert response.status_code == 400, message
        assert message in response.get_data(as_text=True), message
    app.config["FORUM_IMPORT_MAX_BYTES"] = 100
    response = _upload(client, space=str(space.id), file=(BytesIO(TRANSCRIPT.read_bytes()), "big.csv"))
    assert response.status_code == 400 and "smaller than" in response.get_data(as_text=True)
    with app.app_context():
        assert _session(app).scalar(select(func.count()).select_from(PendingImport)) == 0


def test_a_pending_import_belongs_to_its_uploader_and_expires(app, client):
    host, space = _host_world(app)
    login(client, host)
    preview_url = _upload(client, space=str(space.id),
                          file=(BytesIO(TRANSCRIPT.read_bytes()), "lgovsm.csv")).headers["Location"]
    other = app.test_client()
    login(other, make_member(app, role="moderator"))
    assert other.get(preview_url).status_code == 404
    with app.app_context():
        pending = _session(app).scalar(select(PendingImport))
        pending.expires_at = datetime.now(timezone.utc) - timedelta(minutes=1)
        _session(app).commit()
    assert client.get(preview_url).status_code == 410


def test_members_cannot_import(app, client):
    _host_world(app)
    login(client, make_member(app))
    assert client.get("/import").status_code == 403


def test_a_confirmed_handle_claim_attributes_past_imported_posts(app, client, runner):
    host, space = _host_world(app)
    runner.invoke(args=["forum", "import-transcript", str(TRANSCRIPT), "--space", space.slug])
    alice = make_member(app, "Alice Example")
    with app.app_context():
        _session(app).add(Handle(platform="x", handle="@alice", member=_session(app).get(Member, alice.id)))
        _session(app).commit()
        handle_id = _session(app).scalar(select(Handle.id))
    moderator = make_member(app, "Mod", role="moderator")
    login(client, moderator)
    assert "@alice" in client.get("/moderation/handles").get_data(as_text=True)
    client.post(f"/moderation/handles/{handle_id}", data={"accept": "Confirm",
                                                          "csrf_token": csrf_token(client, "/moderation/handles")})
    with app.app_context():
        assert _session(app).scalar(select(func.count()).select_from(Post).where(Post.author_id == alice.id)) == 2
        assert _session(app).scalar(select(ModerationLogEntry.action)) == "confirm_handle"


def test_a_moderator_hides_a_speaker_everywhere_at_their_request(app, client, runner):
    host, space = _host_world(app)
    runner.invoke(args=["forum", "import-transcript", str(TRANSCRIPT), "--space", space.slug])
    with app.app_context():
        speaker = _session(app).scalar(select(Speaker).where(Speaker.handle == "alice"))
        thread_id = _session(app).scalar(select(Thread.id).where(Thread.question_number == 1))
    login(client, make_member(app, "Mod", role="moderator"))
    response = submit(client, f"/speakers/{speaker.id}/hide", {"reason": "Alice emailed asking us to"})
    assert response.status_code == 302
    page = html.unescape(app.test_client().get(f"/threads/{thread_id}").get_data(as_text=True))
    # Removed at their request means gone: no words, no placeholder pointing at them, no name or handle.
    assert "we run drop-ins" not in page and "@alice, imported" not in page and "removed at the author's request" not in page
    with app.app_context():
        entry = _session(app).scalar(select(ModerationLogEntry))
        assert (entry.action, entry.reason) == ("hide_speaker", "Alice emailed asking us to")
