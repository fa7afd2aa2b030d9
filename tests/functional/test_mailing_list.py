"""Email out for reply by email (#21): Reply-To on every email about a post, mailing-list mode and its headers.

Mail goes through the real outbox and a real SMTP server (tests/mailserver.py); each test parses what
was delivered, as a mail program would.
"""

from __future__ import annotations

import re
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from forum.mail_tokens import ReplyTarget, read_reply_address
from forum.models import Member, Post, Space, Thread, Watch
from forum.services.notifications import REPLY_LINE
from tests.factories import csrf_token, login, make_member, make_space, make_thread, submit
from tests.factories import db_session as _db
from tests.mailserver import MailServer

DOMAIN = "in.forum.example"


@pytest.fixture
def smtp(app):
    with MailServer() as server:
        app.config.update(FORUM_MAIL_SERVER="127.0.0.1", FORUM_MAIL_PORT=server.port,
                          FORUM_BASE_URL="https://forum.example", FORUM_INCOMING_DOMAIN=DOMAIN)
        yield server


def deliver(app):
    assert app.test_cli_runner().invoke(args=["forum", "send-mail"]).exit_code == 0


def signed_in(app, member):
    client = app.test_client()
    login(client, member)
    return client


def set_member(app, member, **values):
    with app.app_context():
        row = _db(app).get(Member, member.id)
        for key, value in values.items():
            setattr(row, key, value)
        _db(app).commit()


def watch(client, kind, target_id):
    response = client.post("/watch", data={"csrf_token": csrf_token(client, "/"), "kind": kind,
                                           "target": str(target_id)})
    assert response.status_code == 302


def every_post(app, client, member, kind, target_id, on=True):
    """Turn mailing-list mode on for a watch, on the watching page, as a member does."""
    watch(client, kind, target_id)
    with app.app_context():
        watch_id = _db(app).scalar(select(Watch.id).where(Watch.member_id == member.id, Watch.kind == kind,
                                                          Watch.target_id == target_id))
    page = client.get("/watching").get_data(as_text=True)
    assert f"/watching/{watch_id}/every-post" in page and ("Turn on" if on else "Turn off") in page
    response = submit(client, f"/watching/{watch_id}/every-post", {"every_post": "on" if on else "off"},
                      form_url="/watching")
    assert response.status_code == 302
    return watch_id


def reply(client, thread_id, body, quote=None):
    data = {"body": body, "submit": "Post reply"}
    if quote:
        data["quote_of"] = str(quote)
    response = submit(client, f"/threads/{thread_id}/reply", data, form_url=f"/threads/{thread_id}")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def post_ids(app, thread_id):
    with app.app_context():
        return list(_db(app).scalars(select(Post.id).where(Post.thread_id == thread_id).order_by(Post.id)))


def one_click(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_every_post_of_a_thread_by_email_threads_in_mail_programs(app, smtp):
    author = make_member(app, "Jo Williams")
    reader = make_member(app, "Sam Patel")
    space = make_space(app, "comms-chat", name="Comms chat")
    thread = make_thread(app, space, author, title="Scheduling tools")
    every_post(app, signed_in(app, reader), reader, "thread", thread.id)
    writer = signed_in(app, author)
    reply(writer, thread.id, "We use the **CRM's own** scheduler, all of it.")
    first, second = post_ids(app, thread.id)
    reply(writer, thread.id, "And a quote of that one", quote=second)
    deliver(app)
    one, two = smtp.to(reader.email)

    assert one["Subject"] == two["Subject"] == "Re: Scheduling tools"
    assert one["Message-ID"] == f"<post-{second}@{DOMAIN}>"
    assert one["In-Reply-To"] == f"<post-{first}@{DOMAIN}>" and one["References"] == f"<post-{first}@{DOMAIN}>"
    third = post_ids(app, thread.id)[2]
    assert two["Message-ID"] == f"<post-{third}@{DOMAIN}>"
    assert two["In-Reply-To"] == f"<post-{second}@{DOMAIN}>"
    assert two["References"].split() == [f"<post-{first}@{DOMAIN}>", f"<post-{second}@{DOMAIN}>"]
    assert len(one.get_all("Message-ID")) == 1

    assert one["List-Id"].endswith(f"<comms-chat.{DOMAIN}>") and "Comms chat" in one["List-Id"]
    assert one["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(rf"<https://forum\.example/every-post/stop/[^>]+>, <mailto:stop\+[a-z2-7]+@{DOMAIN}"
                        r"\?subject=unsubscribe>", one["List-Unsubscribe"])
    body = smtp.body(one)
    assert "We use the CRM's own scheduler, all of it." in body and "Jo Williams wrote" in body
    assert REPLY_LINE in body
    assert read_reply_address(app.config, one["Reply-To"]) == ReplyTarget(reader.id, thread.id)
    assert smtp.to(author.email) == []  # no copy of one's own posts


def test_one_click_stops_that_watch_every_post_and_nothing_else(app, smtp):
    author = make_member(app)
    reader = make_member(app)
    thread = make_thread(app, make_space(app), author, title="Budget simulators")
    watch_id = every_post(app, signed_in(app, reader), reader, "thread", thread.id)
    writer = signed_in(app, author)
    reply(writer, thread.id, "First reply")
    deliver(app)
    [email] = smtp.to(reader.email)
    stop = one_click(re.search(r"<(https://[^>]+)>", email["List-Unsubscribe"]).group(1))
    assert "Stop every post by email" in app.test_client().get(stop).get_data(as_text=True)
    response = app.test_client().post(stop, data={"List-Unsubscribe": "One-Click"})  # as a mail program does
    assert response.status_code == 200
    with app.app_context():
        kept = _db(app).get(Watch, watch_id)
        assert kept is not None and kept.every_post is False  # still watching
        assert _db(app).get(Member, reader.id).email_frequency != "none"  # other email untouched
    reply(writer, thread.id, "Second reply")
    deliver(app)
    assert len(smtp.to(reader.email)) == 1
    assert app.test_client().post(stop[:-4] + "abcd").status_code == 400


def test_the_mailto_unsubscribe_turns_that_watch_off_through_receive_mail(app, smtp):
    author = make_member(app)
    reader = make_member(app, email="sam.patel@example.gov.uk")
    thread = make_thread(app, make_space(app), author)
    watch_id = every_post(app, signed_in(app, reader), reader, "thread", thread.id)
    reply(signed_in(app, author), thread.id, "First reply")
    deliver(app)
    [email] = smtp.to(reader.email)
    stop_address = re.search(r"<mailto:([^?>]+)\?subject=unsubscribe>", email["List-Unsubscribe"]).group(1)
    request = EmailMessage()  # what Apple Mail or Outlook sends for "Unsubscribe"
    request["From"], request["To"], request["Subject"] = reader.email, stop_address, "unsubscribe"
    request["Message-ID"] = "<unsubscribe-1@example.gov.uk>"
    request.set_content("This message was automatically generated by Mail to unsubscribe you from this list.")
    result = app.test_cli_runner().invoke(args=["forum", "receive-mail"], input=request.as_bytes())
    assert result.exit_code == 0 and "unsubscribed" in result.output
    with app.app_context():
        assert _db(app).get(Watch, watch_id).every_post is False
    assert len(post_ids(app, thread.id)) == 2  # nothing was posted
    reply(signed_in(app, author), thread.id, "Second reply")
    deliver(app)
    assert len(smtp.to(reader.email)) == 1


def test_a_space_watched_for_every_post_sends_new_threads_and_replies(app, smtp):
    author = make_member(app, "Jo Williams")
    reader = make_member(app)
    space = make_space(app, "digital", name="Digital")
    every_post(app, signed_in(app, reader), reader, "space", space.id)
    writer = signed_in(app, author)
    response = submit(writer, "/spaces/digital/new", {"title": "Chatbots for council tax", "body": "Has anyone?",
                                                      "submit": "Start thread"}, form_url="/spaces/digital/new")
    assert response.status_code == 302
    with app.app_context():
        thread_id = _db(app).scalar(select(Thread.id).where(Thread.title == "Chatbots for council tax"))
    reply(writer, thread_id, "Answering myself")
    deliver(app)
    start, answer = smtp.to(reader.email)
    first = post_ids(app, thread_id)[0]
    assert start["Subject"] == "Chatbots for council tax" and start["In-Reply-To"] is None
    assert start["Message-ID"] == f"<post-{first}@{DOMAIN}>"
    assert answer["Subject"] == "Re: Chatbots for council tax" and answer["In-Reply-To"] == start["Message-ID"]
    assert "every post in this space" in smtp.body(start)
    assert read_reply_address(app.config, start["Reply-To"]) == ReplyTarget(reader.id, thread_id)


def test_each_member_gets_their_own_reply_address_and_cannot_use_another(app, smtp):
    author = make_member(app)
    first_reader, second_reader = make_member(app), make_member(app)
    thread = make_thread(app, make_space(app), author)
    for person in (first_reader, second_reader):
        every_post(app, signed_in(app, person), person, "thread", thread.id)
    reply(signed_in(app, author), thread.id, "News for both")
    deliver(app)
    [to_first] = smtp.to(first_reader.email)
    [to_second] = smtp.to(second_reader.email)
    assert to_first["Reply-To"] != to_second["Reply-To"]
    assert read_reply_address(app.config, to_first["Reply-To"]) == ReplyTarget(first_reader.id, thread.id)
    assert read_reply_address(app.config, to_second["Reply-To"]) == ReplyTarget(second_reader.id, thread.id)
    # Member A's token spliced into an address that claims B (or edited by one letter) reads as no one.
    token = to_first["Reply-To"].split("@")[0].removeprefix("reply+")
    edited = token[:-2] + ("a" if token[-2] != "a" else "b") + token[-1]
    assert read_reply_address(app.config, f"reply+{edited}@{DOMAIN}") is None


def test_immediate_emails_and_mentions_carry_a_reply_to(app, smtp):
    author = make_member(app, "Jo Williams")
    reader = make_member(app, "Sam Patel")
    set_member(app, reader, email_frequency="immediate")
    thread = make_thread(app, make_space(app), author, title="Mentions")
    reply(signed_in(app, author), thread.id, "What do you think, @Sam Patel?")
    deliver(app)
    [email] = smtp.to(reader.email)
    assert "mentioned you" in email["Subject"]
    assert read_reply_address(app.config, email["Reply-To"]) == ReplyTarget(reader.id, thread.id)
    assert REPLY_LINE in smtp.body(email)
    assert email["List-Id"] is None  # a notification, not a mailing-list email


def test_without_an_incoming_domain_no_reply_to_and_no_promise(app, smtp):
    app.config["FORUM_INCOMING_DOMAIN"] = None
    author = make_member(app)
    reader = make_member(app, "Sam Patel")
    set_member(app, reader, email_frequency="immediate")
    thread = make_thread(app, make_space(app, "plain"), author)
    reply(signed_in(app, author), thread.id, "Hello @Sam Patel")
    deliver(app)
    [email] = smtp.to(reader.email)
    assert email["Reply-To"] is None and REPLY_LINE not in smtp.body(email)


def test_no_reply_to_where_the_member_may_not_reply(app, smtp):
    author = make_member(app, "Jo Williams", role="moderator")
    reader = make_member(app, "Sam Patel")
    thread = make_thread(app, make_space(app), author)
    every_post(app, signed_in(app, reader), reader, "thread", thread.id)
    with app.app_context():
        _db(app).get(Thread, thread.id).locked = True
        _db(app).commit()
    reply(signed_in(app, author), thread.id, "Locked now, a moderator's last word")
    deliver(app)
    [email] = smtp.to(reader.email)
    assert email["Reply-To"] is None and REPLY_LINE not in smtp.body(email)


def test_a_post_waiting_for_a_moderator_is_emailed_only_once_approved(app, smtp):
    author = make_member(app)
    reader = make_member(app)
    moderator = make_member(app, role="moderator")
    space = make_space(app)
    thread = make_thread(app, space, author)
    with app.app_context():
        _db(app).get(Space, space.id).premoderate_first = 1
        _db(app).commit()
    every_post(app, signed_in(app, reader), reader, "thread", thread.id)
    reply(signed_in(app, make_member(app, "New Person")), thread.id, "My first ever post")
    deliver(app)
    assert smtp.to(reader.email) == []
    waiting = post_ids(app, thread.id)[-1]
    hosting = signed_in(app, moderator)
    token = csrf_token(hosting, "/account")
    hosting.post(f"/posts/{waiting}/moderate", data={f"p{waiting}-csrf_token": token, f"p{waiting}-approve": "1"})
    deliver(app)
    [email] = smtp.to(reader.email)
    assert "My first ever post" in smtp.body(email) and email["Message-ID"] == f"<post-{waiting}@{DOMAIN}>"


def test_every_post_respects_stop_all_email(app, smtp):
    author = make_member(app)
    reader = make_member(app)
    thread = make_thread(app, make_space(app), author)
    client = signed_in(app, reader)
    every_post(app, client, reader, "thread", thread.id)
    set_member(app, reader, email_frequency="none")
    assert "turned off all email" in client.get("/watching").get_data(as_text=True)
    reply(signed_in(app, author), thread.id, "Anyone there?")
    deliver(app)
    assert smtp.to(reader.email) == []


def test_every_post_can_be_turned_off_on_the_watching_page(app, smtp):
    author = make_member(app)
    reader = make_member(app)
    thread = make_thread(app, make_space(app), author)
    client = signed_in(app, reader)
    every_post(app, client, reader, "thread", thread.id)
    every_post(app, client, reader, "thread", thread.id, on=False)
    reply(signed_in(app, author), thread.id, "Quiet now")
    deliver(app)
    assert smtp.to(reader.email) == []  # the default daily digest holds it instead


def test_one_cannot_switch_another_members_watch(app):
    owner, other = make_member(app), make_member(app)
    thread = make_thread(app, make_space(app), owner)
    client = signed_in(app, owner)
    watch(client, "thread", thread.id)
    with app.app_context():
        watch_id = _db(app).scalar(select(Watch.id).where(Watch.member_id == owner.id))
    intruder = signed_in(app, other)
    response = submit(intruder, f"/watching/{watch_id}/every-post", {"every_post": "on"}, form_url="/watching")
    assert response.status_code == 404
    with app.app_context():
        assert _db(app).get(Watch, watch_id).every_post is False


def test_a_digest_of_many_threads_gives_each_its_own_reply_address(app, smtp):
    author = make_member(app)
    reader = make_member(app)
    space = make_space(app, name="Between chats")
    threads = [make_thread(app, space, author, title=title) for title in ("Consultations", "Podcasts")]
    client = signed_in(app, reader)
    for thread in threads:
        watch(client, "thread", thread.id)
        reply(signed_in(app, author), thread.id, f"News in {thread.title}")
    app.test_cli_runner().invoke(args=["forum", "send-digests", "--frequency", "daily"])
    deliver(app)
    [digest] = smtp.to(reader.email)
    body = smtp.body(digest)
    assert digest["Reply-To"] is None  # one Reply-To can't answer two threads
    found = re.findall(r"Reply by email: (\S+)", body)
    assert [read_reply_address(app.config, a) for a in found] == [ReplyTarget(reader.id, t.id) for t in threads]
    assert "write to the address under it" in body


def test_a_digest_about_one_thread_has_its_reply_to(app, smtp):
    author = make_member(app)
    reader = make_member(app)
    thread = make_thread(app, make_space(app), author, title="Consultations")
    watch(signed_in(app, reader), "thread", thread.id)
    reply(signed_in(app, author), thread.id, "One")
    reply(signed_in(app, author), thread.id, "Two")
    app.test_cli_runner().invoke(args=["forum", "send-digests", "--frequency", "daily"])
    deliver(app)
    [digest] = smtp.to(reader.email)
    assert read_reply_address(app.config, digest["Reply-To"]) == ReplyTarget(reader.id, thread.id)
    assert REPLY_LINE in smtp.body(digest) and "Reply by email:" not in smtp.body(digest)

