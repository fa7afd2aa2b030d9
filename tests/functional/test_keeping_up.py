"""Keeping up: watching, mentions, keyword listening, notifications, immediate email, digests, unsubscribe, feeds."""

from __future__ import annotations

import html
import re
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select

from forum.models import Member, Notification, OutboxMessage
from tests.factories import csrf_token, login, make_member, make_space, make_thread, submit
from tests.factories import db_session as _db
from tests.mailserver import MailServer

ATOM = "{http://www.w3.org/2005/Atom}"


def _client(app, member):
    client = app.test_client()
    login(client, member)
    return client


def _set(app, member, **values):
    with app.app_context():
        row = _db(app).get(Member, member.id)
        for key, value in values.items():
            setattr(row, key, value)
        _db(app).commit()


def _reply(client, thread_id, body):
    return submit(client, f"/threads/{thread_id}/reply", {"body": body, "submit": "Post reply"},
                  form_url=f"/threads/{thread_id}")


def _notifications(app, member) -> list[tuple[str, str | None]]:
    with app.app_context():
        return [(n.kind, n.keyword) for n in _db(app).scalars(
            select(Notification).where(Notification.member_id == member.id).order_by(Notification.id))]


@pytest.fixture
def smtp(app):
    with MailServer() as server:
        app.config.update(FORUM_MAIL_SERVER="127.0.0.1", FORUM_MAIL_PORT=server.port,
                          FORUM_BASE_URL="http://forum.example")
        yield server


def deliver(app):
    assert app.test_cli_runner().invoke(args=["forum", "send-mail"]).exit_code == 0


def test_replying_watches_the_thread_and_the_next_reply_notifies(app):
    starter = make_member(app, "Thread Starter")
    replier = make_member(app, "Second Voice")
    space = make_space(app)
    starting = _client(app, starter)
    thread_url = submit(starting, f"/spaces/{space.slug}/new", {"title": "Weekend rotas", "body": "Who does it?",
                                                               "submit": "Post thread"}).headers["Location"]
    thread_id = int(re.search(r"/threads/(\d+)", thread_url).group(1))
    _reply(_client(app, replier), thread_id, "We have a rota of four")
    assert _notifications(app, starter) == [("reply", None)]
    page = starting.get("/notifications").get_data(as_text=True)
    assert "Second Voice" in page and "Weekend rotas" in page
    assert '<span class="count">1' in starting.get("/").get_data(as_text=True)
    starting.post("/notifications/read", data={"csrf_token": csrf_token(starting, "/notifications")})
    assert '<span class="count">' not in starting.get("/").get_data(as_text=True)


def test_watch_and_unwatch_a_thread_and_a_space(app):
    author = make_member(app)
    watcher = make_member(app, "Watcher")
    _set(app, watcher, auto_watch=False)
    space = make_space(app)
    thread = make_thread(app, space, author)
    client = _client(app, watcher)
    token = csrf_token(client, f"/threads/{thread.id}")
    client.post("/watch", data={"csrf_token": token, "kind": "space", "target": str(space.id), "next": "/"})
    submit(_client(app, author), f"/spaces/{space.slug}/new", {"title": "A new one", "body": "x", "submit": "Post thread"})
    assert _notifications(app, watcher) == [("new_thread", None)]
    client.post("/watch", data={"csrf_token": token, "kind": "thread", "target": str(thread.id)})
    assert "Stop watching this thread" in client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "Watching" in client.get("/watching").get_data(as_text=True)
    client.post("/watch", data={"csrf_token": token, "kind": "thread", "target": str(thread.id), "watch": "off"})
    _reply(_client(app, author), thread.id, "nobody hears this")
    assert _notifications(app, watcher) == [("new_thread", None)]


def test_watching_a_private_thread_one_cannot_read_is_a_404(app):
    author = make_member(app)
    thread = make_thread(app, make_space(app, visibility="private", members=[author]), author)
    client = _client(app, make_member(app))
    response = client.post("/watch", data={"csrf_token": csrf_token(client, "/"), "kind": "thread",
                                           "target": str(thread.id)})
    assert response.status_code == 404


def test_mentions_notify_only_members_who_may_read_the_post(app):
    author = make_member(app, "Jo Williams")
    insider = make_member(app, "Sam Patel")
    outsider = make_member(app, "Priya Shah")
    space = make_space(app, visibility="private", members=[author, insider])
    thread = make_thread(app, space, author)
    _reply(_client(app, author), thread.id, "Thanks @Sam Patel, and @Priya Shah would like this too")
    assert _notifications(app, insider) == [("mention", None)]
    assert _notifications(app, outsider) == []


def test_keyword_listening(app):
    author = make_member(app)
    listener = make_member(app, "Listener")
    client = _client(app, listener)
    submit(client, "/watching", {"keyword": "#budgetsim"})
    submit(client, "/watching", {"keyword": "x"})  # too short: refused, nothing added
    thread = make_thread(app, make_space(app), author)
    _reply(_client(app, author), thread.id, "Has anyone built a #budgetsim this year?")
    _reply(_client(app, author), thread.id, "Budgets are hard")
    assert _notifications(app, listener) == [("keyword", "#budgetsim")]


def test_immediate_email_with_one_click_unsubscribe(app, smtp):
    author = make_member(app, "Jo Williams")
    reader = make_member(app, "Sam Patel")
    _set(app, reader, email_frequency="immediate")
    thread = make_thread(app, make_space(app), author, title="Scheduling tools")
    _set_watch = _client(app, reader)
    _set_watch.post("/watch", data={"csrf_token": csrf_token(_set_watch, "/"), "kind": "thread",
                                    "target": str(thread.id)})
    _reply(_client(app, author), thread.id, "We use the CRM's own scheduler")
    deliver(app)
    [email] = smtp.to(reader.email)
    assert "Scheduling tools" in email["Subject"] and "the CRM's own scheduler" in smtp.body(email)
    unsubscribe = re.search(r"<([^>]+)>", email["List-Unsubscribe"]).group(1)
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = re.sub(r"^https?://[^/]+", "", unsubscribe)
    response = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})  # as a mail program does
    assert response.status_code == 200
    with app.app_context():
        assert _db(app).get(Member, reader.id).email_frequency == "none"
    assert app.test_client().get(path[:-4] + "abcd").status_code == 400


def test_email_about_a_private_space_carries_only_a_link(app, smtp):
    author = make_member(app)
    reader = make_member(app)
    _set(app, reader, email_frequency="immediate")
    thread = make_thread(app, make_space(app, visibility="private", members=[author, reader]), author,
                         title="zqxsecretsubject")
    _reply(_client(app, reader), thread.id, "watching by replying")
    _reply(_client(app, author), thread.id, "zqxsecretwords")
    deliver(app)
    [email] = smtp.to(reader.email)
    text = email["Subject"] + smtp.body(email)
    assert "zqxsecret" not in text and "http://forum.example/posts/" in text


def test_daily_digest_groups_by_space_includes_the_library_and_never_repeats(app, smtp):
    author = make_member(app)
    reader = make_member(app, "Digest Reader")
    space = make_space(app, name="Between chats")
    thread = make_thread(app, space, author, title="Consultation ideas")
    watcher = _client(app, reader)
    watcher.post("/watch", data={"csrf_token": csrf_token(watcher, "/"), "kind": "thread", "target": str(thread.id)})
    _reply(_client(app, author), thread.id, "Try a budget simulator")
    runner = app.test_cli_runner()
    assert "Queued 1 daily digests" in runner.invoke(args=["forum", "send-digests", "--frequency", "daily"]).output
    deliver(app)
    [digest] = smtp.to(reader.email)
    body = smtp.body(digest)
    assert "In Between chats:" in body and "New reply in Consultation ideas" in body
    assert digest["List-Unsubscribe"]
    assert "Queued 0 daily digests" in runner.invoke(args=["forum", "send-digests", "--frequency", "daily"]).output
    assert "Queued 0 weekly digests" in runner.invoke(args=["forum", "send-digests", "--frequency", "weekly"]).output
    deliver(app)
    assert len(smtp.to(reader.email)) == 1


def test_a_digest_leaves_out_what_the_member_can_no_longer_read(app, smtp):
    author = make_member(app)
    reader = make_member(app)
    space = make_space(app, visibility="private", members=[author, reader])
    thread = make_thread(app, space, author, title="zqxgonetitle")
    _reply(_client(app, reader), thread.id, "I watch it now")
    _reply(_client(app, author), thread.id, "zqxgonebody")
    with app.app_context():
        from forum.models import SpaceMembership
        _db(app).delete(_db(app).get(SpaceMembership, (space.id, reader.id)))
        _db(app).commit()
    app.test_cli_runner().invoke(args=["forum", "send-digests", "--frequency", "daily"])
    deliver(app)
    assert smtp.to(reader.email) == []


def test_public_feeds_are_valid_atom_and_closed_spaces_have_none(app):
    author = make_member(app)
    public = make_space(app, "open")
    hidden = make_space(app, "closed", visibility="members")
    make_thread(app, public, author, title="Open & <public> thread", body="**Bold** words")
    make_thread(app, hidden, author, title="zqxmembersonly")
    for url in ("/feeds/recent.atom", "/spaces/open/feed.atom"):
        response = app.test_client().get(url)
        assert response.mimetype == "application/atom+xml"
        feed = ET.fromstring(response.get_data())
        titles = [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")]
        assert titles == ["Open & <public> thread"]
        assert "<strong>Bold</strong>" in feed.find(f"{ATOM}entry/{ATOM}summary").text
    assert app.test_client().get("/spaces/closed/feed.atom").status_code == 404


def test_private_member_feed_at_a_secret_revocable_address(app):
    member = make_member(app)
    space = make_space(app, visibility="private", members=[member])
    make_thread(app, space, member, title="zqxmyprivatefeed")
    client = _client(app, member)
    submit(client, "/account/notifications", {"new_feed": "1", "email_frequency": "daily"})
    settings = html.unescape(client.get("/account/notifications").get_data(as_text=True))
    feed_url = re.sub(r"^https?://[^/]+", "", re.search(r"(http://\S+\.atom)", settings).group(1))
    assert "zqxmyprivatefeed" in app.test_client().get(feed_url).get_data(as_text=True)
    submit(client, "/account/notifications", {"new_feed": "1", "email_frequency": "daily"})
    assert app.test_client().get(feed_url).status_code == 404


def test_email_settings(app):
    member = make_member(app)
    client = _client(app, member)
    submit(client, "/account/notifications", {"email_frequency": "weekly", "auto_watch": ""})
    with app.app_context():
        row = _db(app).get(Member, member.id)
        assert (row.email_frequency, row.auto_watch) == ("weekly", False)
    bad = submit(client, "/account/notifications", {"email_frequency": "hourly"})
    assert bad.status_code == 400


def test_outbox_only_sends_once_per_message(app, smtp):
    author = make_member(app)
    reader = make_member(app)
    _set(app, reader, email_frequency="immediate")
    thread = make_thread(app, make_space(app), author)
    _reply(_client(app, reader), thread.id, "first")
    _reply(_client(app, author), thread.id, "second")
    deliver(app)
    deliver(app)
    assert len(smtp.to(reader.email)) == 1
    with app.app_context():
        assert _db(app).scalar(select(OutboxMessage.sent_at).where(OutboxMessage.to == reader.email)) is not None
