"""Mail in (#21): a reply by email becomes a post, an email to a space starts a thread, and nothing unsafe gets in.

Every message here is a real .eml from tests/data/mail (Gmail, Outlook and Apple Mail layouts), fed to
`flask forum receive-mail` on standard input as Postfix would; the addresses in it are filled in per
test (a reply address is signed with the app's secret, so it can't be written into a file).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forum import mail_tokens
from forum.models import MailAddress, Member, Notification, OutboxMessage, Post, ReceivedMail, Space, SpaceMembership, Thread
from forum.services import notifications
from tests.conftest import make_test_app
from tests.factories import db_session, login, make_member, make_space, make_thread, submit

MAIL = Path(__file__).resolve().parent.parent / "data" / "mail"
DOMAIN = "in.example.gov.uk"
CONFIG = {"FORUM_INCOMING_DOMAIN": DOMAIN, "FORUM_MAIL_SENDER": "afterchat@example.gov.uk",
          "FORUM_BASE_URL": "https://community.example.gov.uk"}


@pytest.fixture
def app(database_url, tmp_path):
    """The forum with an incoming-mail domain, so it hands out reply addresses and reads them back."""
    app = make_test_app(database_url, tmp_path / "instance", **CONFIG)
    yield app
    with app.app_context():
        app.extensions["forum"].db.engine.dispose()


@pytest.fixture
def people(app):
    """Jo starts a thread in a public space; Sam will answer it by email."""
    jo = make_member(app, "Jo Evans", email="jo.evans@example.gov.uk")
    sam = make_member(app, "Sam Patel", email="sam.patel@example.gov.uk")
    space = make_space(app, "comms")
    thread = make_thread(app, space, jo, title="Who signs off your posts?", body="Our manager approves every tweet.")
    with app.app_context():
        db = db_session(app)
        notifications.watch(db, db.get(Member, jo.id), "thread", thread.id)
        db.commit()
    return jo, sam, space, thread


def reply_address(app, member, thread) -> str:
    return mail_tokens.reply_address(app.config, member.id, thread.id)


def eml(name: str, **values: str) -> bytes:
    """A fixture message with its placeholders (REPLY_ADDRESS, SENDER_ADDRESS, ...) filled in."""
    raw = (MAIL / name).read_bytes()
    for key, value in values.items():
        raw = raw.replace(key.encode(), value.encode())
    return raw


def receive(runner, raw: bytes, *args: str):
    return runner.invoke(args=["forum", "receive-mail", *args], input=raw)


def posts_by(app, member) -> list[Post]:
    with app.app_context():
        return list(db_session(app).scalars(select(Post).where(Post.author_id == member.id).order_by(Post.id)))


def outbox_to(app, address: str) -> list[OutboxMessage]:
    with app.app_context():
        return list(db_session(app).scalars(select(OutboxMessage).where(OutboxMessage.to == address)))


def logged(app) -> list[ReceivedMail]:
    with app.app_context():
        return list(db_session(app).scalars(select(ReceivedMail).order_by(ReceivedMail.id)))


def with_headers(raw: bytes, *lines: str) -> bytes:
    """The same message with header lines put on top, as a mail server or client would add them."""
    return "".join(f"{line}\r\n" for line in lines).encode() + raw


# -- a reply by email becomes a post -----------------------------------------------------------------------

LAYOUTS = [
    ("gmail_top_posted.eml",
     "We moved sign-off to the team leads last year and it halved the wait.\n"
     "Happy to share our approval flowchart if anyone wants it.\n\nSam"),
    ("outlook_original_message.eml",
     "Our legal team asked for a one-page policy first, then agreed to a trial\nmonth. The trial is what won them over."),
    ("outlook_html_only.eml",
     "Three things worked for us:\n\n- a **named deputy** for every approver\n- a shared calendar of planned posts\n"
     "- a 2-hour rule for reactive posts\n\nOur guide is on [our site](https://www.staffordshire.example.gov.uk/social)."
     "\n\n(1 attachment was left out: approval-flowchart.pdf)"),
    ("apple_mail_bottom_posted.eml",
     "Same here until we wrote down what \u201croutine\u201d means: routine posts need no sign-off now."),
    ("outlook_ios_underscores.eml",
     "On the train so briefly: yes, and we keep a list of who can post out of hours."),
]


@pytest.mark.parametrize("fixture, expected", LAYOUTS, ids=[name for name, _ in LAYOUTS])
def test_reply_by_email_becomes_a_post_without_quoted_history_or_signature(app, runner, people, fixture, expected):
    jo, sam, space, thread = people
    raw = eml(fixture, REPLY_ADDRESS=reply_address(app, sam, thread), SENDER_ADDRESS=sam.email)
    result = receive(runner, raw)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("posted")
    [post] = posts_by(app, sam)
    assert post.thread_id == thread.id
    assert post.body_source == expected
    assert "Original Message" not in post.body_html and "wrote:" not in post.body_html
    assert "<script" not in post.body_html


def test_a_reply_by_email_shows_in_the_thread_and_notifies_watchers(app, runner, client, people):
    jo, sam, space, thread = people
    raw = eml("gmail_top_posted.eml", REPLY_ADDRESS=reply_address(app, sam, thread), SENDER_ADDRESS=sam.email)
    assert receive(runner, raw).exit_code == 0
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "We moved sign-off to the team leads" in page and "Sam Patel" in page
    with app.app_context():
        db = db_session(app)
        told = db.scalars(select(Notification).where(Notification.member_id == jo.id)).all()
    assert [(n.kind, n.thread_id) for n in told] == [("reply", thread.id)]
    [entry] = logged(app)
    assert (entry.outcome, entry.from_address, entry.member_id) == ("posted", sam.email, sam.id)


def test_the_same_message_delivered_twice_posts_once(app, runner, people):
    jo, sam, space, thread = people
    raw = eml("gmail_top_posted.eml", REPLY_ADDRESS=reply_address(app, sam, thread), SENDER_ADDRESS=sam.email)
    assert receive(runner, raw).exit_code == 0
    again = receive(runner, raw)
    assert again.exit_code == 0 and again.output.startswith("duplicate")
    assert len(posts_by(app, sam)) == 1
    assert len(logged(app)) == 1


def test_the_envelope_recipient_from_the_mail_server_finds_the_thread(app, runner, people):
    jo, sam, space, thread = people
    raw = eml("apple_mail_bottom_posted.eml", REPLY_ADDRESS="forum@in.example.gov.uk", SENDER_ADDRESS=sam.email)
    result = receive(runner, raw, "--recipient", reply_address(app, sam, thread), "--sender", sam.email)
    assert result.exit_code == 0 and result.output.startswith("posted"), result.output
    assert len(posts_by(app, sam)) == 1


def test_a_first_post_by_email_waits_for_a_moderator_where_the_space_premoderates(app, runner, people):
    jo, sam, space, thread = people
    with app.app_context():
        db = db_session(app)
        db.get(Space, space.id).premoderate_first = 1
        db.commit()
    raw = eml("gmail_top_posted.eml", REPLY_ADDRESS=reply_address(app, sam, thread), SENDER_ADDRESS=sam.email)
    assert "waiting for a moderator" in receive(runner, raw).output
    [post] = posts_by(app, sam)
    assert post.awaiting_approval
    with app.app_context():
        assert db_session(app).scalar(select(func.count()).select_from(Notification)) == 0


def test_posting_by_email_keeps_to_the_posting_rate_limit(app, runner, people):
    jo, sam, space, thread = people
    app.config["FORUM_RATELIMIT_POSTING"] = "1 per minute"
    first = eml("gmail_top_posted.eml", REPLY_ADDRESS=reply_address(app, sam, thread), SENDER_ADDRESS=sam.email)
    assert receive(runner, first).output.startswith("posted")
    second = first.replace(b"CAKx9vQ2f0X", b"CAKx9vQ2f0Z")
    assert receive(runner, second).output.startswith("refused: posting too often")
    assert len(posts_by(app, sam)) == 1
    assert "Wait a while" in outbox_to(app, sam.email)[0].body


def test_a_member_who_wrote_without_their_name_is_not_named_by_replying_from_their_inbox(app, runner, client, people):
    jo, sam, space, thread = people
    support = make_space(app, "support", visibility="private", anonymous_posting=True, members=[jo, sam])
    private_thread = make_thread(app, support, jo, title="Pushing back on sign-off")
    with app.app_context():
        db = db_session(app)
        from forum.services import posting
        posting.reply(db, thread=db.get(Thread, private_thread.id), space=db.get(Space, support.id),
                      author=db.get(Member, sam.id), body="Our director reads this forum.", anonymous=True)
        db.commit()
    raw = eml("apple_mail_bottom_posted.eml", REPLY_ADDRESS=reply_address(app, sam, private_thread),
              SENDER_ADDRESS=sam.email)
    assert receive(runner, raw).output.startswith("posted")
    emailed = posts_by(app, sam)[-1]
    assert emailed.body_source.startswith("Same here") and emailed.anonymous
    login(client, jo)
    page = client.get(f"/threads/{private_thread.id}").get_data(as_text=True)
    assert "Same here" in page and "Sam Patel" not in page


# -- start a thread by email ---------------------------------------------------------------------------

def test_an_email_to_a_space_address_starts_a_thread_titled_by_its_subject(app, runner, people):
    jo, sam, space, thread = people
    with app.app_context():
        db = db_session(app)
        row = db.get(Space, space.id)
        row.email_threads, row.email_local_part = True, "comms-chat"
        db.commit()
    raw = eml("gmail_new_thread.eml", SPACE_ADDRESS=f"comms-chat@{DOMAIN}", SENDER_ADDRESS=sam.email)
    result = receive(runner, raw)
    assert result.exit_code == 0 and result.output.startswith("started"), result.output
    [post] = posts_by(app, sam)
    with app.app_context():
        started = db_session(app).get(Thread, post.thread_id)
    assert started.space_id == space.id
    assert started.title == "Has anyone run a Welsh-language account alongside the English one?"
    assert post.body_source.startswith("We're being asked to start one")


def test_a_space_that_does_not_take_email_starts_nothing(app, runner, people):
    jo, sam, space, thread = people
    with app.app_context():
        db = db_session(app)
        db.get(Space, space.id).email_local_part = "comms-chat"  # an address, but email threads are off
        db.commit()
    raw = eml("gmail_new_thread.eml", SPACE_ADDRESS=f"comms-chat@{DOMAIN}", SENDER_ADDRESS=sam.email)
    assert receive(runner, raw).output.startswith("refused")
    assert posts_by(app, sam) == []
    [answer] = outbox_to(app, sam.email)
    assert answer.headers["Auto-Submitted"] == "auto-replied"


# -- nothing unsafe gets in ----------------------------------------------------------------------------

def test_a_forged_sender_posts_nothing_and_gets_no_answer(app, runner, people):
    jo, sam, space, thread = people
    raw = eml("gmail_top_posted.eml", REPLY_ADDRESS=reply_address(app, sam, thread),
              SENDER_ADDRESS="someone@elsewhere.example.org")
    result = receive(runner, raw)
    assert result.exit_code == 0 and result.output.startswith("refused"), result.output
    with app.app_context():
        assert db_session(app).scalar(select(func.count()).select_from(Post).where(Post.thread_id == thread.id)) == 1
    assert outbox_to(app, "someone@elsewhere.example.org") == []


def test_another_members_reply_address_from_a_different_sender_posts_nothing(app, runner, people):
    jo, sam, space, thread = people
    # Jo forwards her notification to Sam, and Sam replies to Jo's address from his own mailbox.
    raw = eml("gmail_top_posted.eml", REPLY_ADDRESS=reply_address(app, jo, thread), SENDER_ADDRESS=sam.email)
    assert receive(runner, raw).output.startswith("refused")
    assert posts_by(app, sam) == [] and len(posts_by(app, jo)) == 1
    assert outbox_to(app, sam.email) == [] and outbox_to(app, jo.email) == []


def test_an_envelope_sender_that_is_not_the_from_address_posts_nothing(app, runner, people):
    jo, sam, space, thread = people
    raw = eml("gmail_top_posted.eml", REPLY_ADDRESS=reply_address(app, sam, thread), SENDER_ADDRESS=sam.email)
    assert receive(runner, raw, "--sender", "bulk@sender.example.org").output.startswith("refused")
    assert posts_by(app, sam) == []


@pytest.mark.parametrize("results", [
    "mx.in.example.gov.uk; dkim=pass header.d=spoof.example; spf=pass; dmarc=fail (p=REJECT) header.from=example.gov.uk",
    "mx.in.example.gov.uk; dkim=fail header.d=example.gov.uk; spf=fail smtp.mailfrom=example.gov.uk",
])
def test_a_sender_that_fails_dmarc_or_spf_and_dkim_posts_nothing(app, runner, people, results):
    jo, sam, space, thread = people
    raw = eml("gmail_top_posted.eml", REPLY_ADDRESS=reply_address(app, sam, thread), SENDER_ADDRESS=sam.email)
    raw = with_headers(raw, f"Authentication-Results: {results}")
    assert receive(runner, raw).output.startswith("refused")
    assert posts_by(app, sam) == [] and outbox_to(app, sam.email) == []


def test_only_our_servers_authentication_results_count(app, runner, people):
    jo, sam, space, thread = people
    app.config["FORUM_INCOMING_AUTHSERV_ID"] = "mx.in.example.gov.uk"
    raw = eml("gmail_top_posted.eml", REPLY_ADDRESS=reply_address(app, sam, thread), SENDER_ADDRESS=sam.email)
    # A sender can write any header; a "dmarc=fail" claimed by another server doesn't decide (nor would a pass).
    raw = with_headers(raw, "Authentication-Results: relay.elsewhere.example; dmarc=fail header.from=example.gov.uk")
    assert receive(runner, raw).output.startswith("posted")


def test_a_token_for_a_thread_the_member_can_no_longer_reach_posts_nothing_and_is_answered_once_a_day(
        app, runner, people):
    jo, sam, space, thread = people
    private = make_space(app, "support", visibility="private", members=[jo, sam])
    secret_thread = make_thread(app, private, jo, title="Pushing back on sign-off")
    address = reply_address(app, sam, secret_thread)
    with app.app_context():
        db = db_session(app)
        db.execute(SpaceMembership.__table__.delete().where(SpaceMembership.member_id == sam.id))
        db.commit()
    first = eml("gmail_top_posted.eml", REPLY_ADDRESS=address, SENDER_ADDRESS=sam.email)
    assert receive(runner, first).output.startswith("refused")
    second = first.replace(b"CAKx9vQ2f0X", b"CAKx9vQ2f0Y")  # another message, same day
    assert receive(runner, second).output.startswith("refused")
    assert posts_by(app, sam) == []
    [answer] = outbox_to(app, sam.email)
    assert "no longer able to post in this space" in answer.body
    assert "Pushing back" not in answer.body and "Pushing back" not in answer.subject


def test_an_unknown_or_altered_reply_address_posts_nothing(app, runner, people):
    jo, sam, space, thread = people
    address = reply_address(app, sam, thread)
    local, _, domain = address.partition("@")
    altered = local[:-1] + ("a" if local[-1] != "a" else "b") + "@" + domain
    raw = eml("gmail_top_posted.eml", REPLY_ADDRESS=altered, SENDER_ADDRESS=sam.email)
    assert receive(runner, raw).output.startswith("refused")
    assert posts_by(app, sam) == []
    [answer] = outbox_to(app, sam.email)
    assert "not one the forum gave out" in answer.body


def test_a_stranger_writing_to_an_unknown_address_gets_no_answer(app, runner, people):
    jo, sam, space, thread = people
    raw = eml("gmail_new_thread.eml", SPACE_ADDRESS=f"no-such-space@{DOMAIN}", SENDER_ADDRESS="spam@bulk.example.org")
    assert receive(runner, raw).output.startswith("refused")
    with app.app_context():
        assert db_session(app).scalar(select(func.count()).select_from(OutboxMessage)) == 0
        assert db_session(app).scalar(select(func.count()).select_from(Thread)) == 1


def test_a_reply_to_a_locked_thread_posts_nothing_and_says_why(app, runner, people):
    jo, sam, space, thread = people
    with app.app_context():
        db = db_session(app)
        db.get(Thread, thread.id).locked = True
        db.commit()
    raw = eml("gmail_top_posted.eml", REPLY_ADDRESS=reply_address(app, sam, thread), SENDER_ADDRESS=sam.email)
    assert receive(runner, raw).output.startswith("refused: the thread is locked")
    assert posts_by(app, sam) == []
    [answer] = outbox_to(app, sam.email)
    assert "locked" in answer.body and answer.headers["Auto-Submitted"] == "auto-replied"


def test_a_suspended_member_cannot_post_by_email(app, runner, people):
    jo, sam, space, thread = people
    with app.app_context():
        db = db_session(app)
        db.get(Member, sam.id).state = "suspended"
        db.commit()
    raw = eml("gmail_top_posted.eml", REPLY_ADDRESS=reply_address(app, sam, thread), SENDER_ADDRESS=sam.email)
    assert receive(runner, raw).output.startswith("refused")
    assert posts_by(app, sam) == []
    assert "suspended" in outbox_to(app, sam.email)[0].body


def test_a_reply_with_no_new_words_posts_nothing(app, runner, people):
    jo, sam, space, thread = people
    raw = eml("apple_mail_bottom_posted.eml", REPLY_ADDRESS=reply_address(app, sam, thread), SENDER_ADDRESS=sam.email)
    raw = raw.replace(b"Same here until we wrote down what =E2=80=9Croutine=E2=80=9D means: =\nroutine posts need no "
                      b"sign-off now.", b"")
    assert receive(runner, raw).output.startswith("refused: no new words")
    assert posts_by(app, sam) == []
    assert "above the quoted text" in outbox_to(app, sam.email)[0].body


def test_an_oversized_message_posts_nothing(app, runner, people):
    jo, sam, space, thread = people
    app.config["FORUM_INCOMING_MAX_BYTES"] = 4000
    raw = eml("outlook_html_only.eml", REPLY_ADDRESS=reply_address(app, sam, thread), SENDER_ADDRESS=sam.email)
    raw = raw.replace(b"JVBERi0xLjQK", b"JVBERi0xLjQK" + b"A" * 76 * 100)
    result = receive(runner, raw)
    assert result.exit_code == 0 and result.output.startswith("refused: the message is too large")
    assert posts_by(app, sam) == []
    assert "larger than the forum takes" in outbox_to(app, sam.email)[0].body


AUTOMATIC = [
    ("out_of_office.eml", ()),
    ("gmail_top_posted.eml", ("Auto-Submitted: auto-generated",)),
    ("gmail_top_posted.eml", ("X-Autoreply: yes",)),
    ("gmail_top_posted.eml", ("X-Autorespond: Out of office",)),
    ("gmail_top_posted.eml", ("Precedence: bulk",)),
    ("gmail_top_posted.eml", ("Precedence: auto_reply",)),
    ("gmail_top_posted.eml", ("List-Id: Council news <news.lists.example.gov.uk>",)),
    ("gmail_top_posted.eml", ("Return-Path: <>",)),
]


@pytest.mark.parametrize("fixture, extra", AUTOMATIC)
def test_auto_replies_bulk_mail_and_null_senders_are_dropped_without_a_post_or_an_answer(
        app, runner, people, fixture, extra):
    jo, sam, space, thread = people
    raw = with_headers(eml(fixture, REPLY_ADDRESS=reply_address(app, sam, thread), SENDER_ADDRESS=sam.email), *extra)
    result = receive(runner, raw)
    assert result.exit_code == 0 and result.output.startswith("dropped"), result.output
    assert posts_by(app, sam) == []
    with app.app_context():
        assert db_session(app).scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_mail_from_the_forum_itself_is_dropped_so_nothing_loops(app, runner, people):
    jo, sam, space, thread = people
    raw = eml("gmail_top_posted.eml", REPLY_ADDRESS=reply_address(app, sam, thread),
              SENDER_ADDRESS="afterchat@example.gov.uk")
    assert receive(runner, raw).output.startswith("dropped: loop")
    with app.app_context():
        assert db_session(app).scalar(select(func.count()).select_from(OutboxMessage)) == 0


# -- the command's exit statuses ------------------------------------------------------------------------

def test_input_that_is_not_an_email_exits_65(runner):
    result = receive(runner, b"\x00\x01 not a message at all")
    assert result.exit_code == 65
    assert "not an email message" in result.output


def test_a_database_that_cannot_be_reached_exits_75_so_the_mail_server_tries_again(app, tmp_path, people):
    jo, sam, space, thread = people
    raw = eml("gmail_top_posted.eml", REPLY_ADDRESS=reply_address(app, sam, thread), SENDER_ADDRESS=sam.email)
    broken = make_test_app(f"sqlite:///{tmp_path}/no/such/dir/forum.sqlite3", tmp_path / "broken", **CONFIG)
    result = broken.test_cli_runner().invoke(args=["forum", "receive-mail"], input=raw)
    assert result.exit_code == 75, result.output
    assert "try again later" in result.output
    receive(app.test_cli_runner(), raw)  # the retry, once the database is back, posts it
    assert len(posts_by(app, sam)) == 1


def test_receive_mail_reads_a_real_eml_piped_to_the_command(app, people, database_url, tmp_path):
    jo, sam, space, thread = people
    message = tmp_path / "reply.eml"
    message.write_bytes(eml("outlook_original_message.eml", REPLY_ADDRESS=reply_address(app, sam, thread),
                            SENDER_ADDRESS=sam.email))
    env = {**os.environ, "FORUM_DATABASE_URL": database_url, "FORUM_SECRET_KEY": app.config["SECRET_KEY"],
           "FORUM_INSTANCE_PATH": str(tmp_path / "instance"), **CONFIG}
    root = Path(__file__).resolve().parents[2]
    with message.open("rb") as stdin:
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "forum", "receive-mail"], stdin=stdin,
                              capture_output=True, cwd=root, env=env, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().startswith("posted")
    [post] = posts_by(app, sam)
    assert post.body_source.startswith("Our legal team asked for a one-page policy first")


# -- moderators see the log -----------------------------------------------------------------------------

def test_moderators_see_every_message_received_and_what_became_of_it(app, runner, client, people):
    jo, sam, space, thread = people
    moderator = make_member(app, "Mo Derator", role="moderator")
    receive(runner, eml("gmail_top_posted.eml", REPLY_ADDRESS=reply_address(app, sam, thread), SENDER_ADDRESS=sam.email))
    receive(runner, eml("out_of_office.eml", REPLY_ADDRESS=reply_address(app, sam, thread), SENDER_ADDRESS=sam.email))
    login(client, moderator)
    page = client.get("/moderation/mail")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "posted" in text and "dropped" in text and sam.email in text
    assert "Auto-Submitted: auto-replied" in text


def test_members_cannot_see_the_mail_log(app, client, people):
    jo, sam, space, thread = people
    login(client, sam)
    assert client.get("/moderation/mail").status_code in (403, 404)


# -- bounces ----------------------------------------------------------------------------------------------

def _bounce(message_number: int, failed: str, to: str = "afterchat@example.gov.uk") -> bytes:
    raw = eml("bounce_dsn.eml", FAILED_ADDRESS=failed, BOUNCE_TO=to)
    return raw.replace(b"20261203100102.4QbX1x0Yz9z3", f"20261203100102.{message_number}".encode())


def _send(app, runner, to: str, subject: str) -> None:
    from forum import mail

    with app.app_context():
        db = db_session(app)
        mail.queue(db, to, subject, "Jo replied")
        db.commit()
    assert runner.invoke(args=["forum", "send-mail"]).exit_code == 0


def test_hard_bounces_are_counted_and_after_three_no_more_mail_goes_there(app, runner, client, people):
    from tests.mailserver import MailServer

    jo, sam, space, thread = people
    with MailServer() as smtp:
        app.config.update(FORUM_MAIL_SERVER="127.0.0.1", FORUM_MAIL_PORT=smtp.port,
                          FORUM_MAIL_RETURN_PATH="bounces@in.example.gov.uk")
        for n in range(3):
            _send(app, runner, sam.email, f"A reply to your thread, {n + 1}")
            [sent] = [m for m in smtp.to(sam.email) if m["Subject"] == f"A reply to your thread, {n + 1}"]
            # Each message goes out with a return path of its own, which its bounce comes back to.
            return_path = smtp.envelope_sender(sent)
            assert return_path.startswith("bounces+") and return_path.endswith("@in.example.gov.uk")
            result = receive(runner, _bounce(n, sam.email, to=return_path), "--recipient", return_path, "--sender", "")
            assert result.output.startswith("bounce: hard bounce"), result.output
        with app.app_context():
            row = db_session(app).scalar(select(MailAddress).where(MailAddress.address == sam.email))
        assert row.hard_bounces == 3 and row.stopped_at is not None
        assert "5.1.1" in row.last_bounce_reason
        assert posts_by(app, sam) == []

        _send(app, runner, sam.email, "Another reply")
        assert len(smtp.to(sam.email)) == 3  # nothing more went out
        [held] = [m for m in outbox_to(app, sam.email) if m.subject == "Another reply"]
        assert held.sent_at is None and held.failed_at is not None and "bounced 3 times" in held.last_error

        login(client, sam)
        page = client.get("/account").get_data(as_text=True)
        assert "We have stopped sending email to" in page and "5.1.1" in page
        response = submit(client, "/account/mail/resume", {}, form_url="/account")
        assert response.status_code == 302
        _send(app, runner, sam.email, "And another")
        assert [m["Subject"] for m in smtp.to(sam.email)][-1] == "And another"


def test_a_forged_delivery_report_counts_for_nothing(app, runner, people):
    from tests.mailserver import MailServer

    jo, sam, space, thread = people
    with MailServer() as smtp:
        app.config.update(FORUM_MAIL_SERVER="127.0.0.1", FORUM_MAIL_PORT=smtp.port,
                          FORUM_MAIL_RETURN_PATH="bounces@in.example.gov.uk")
        _send(app, runner, sam.email, "A reply to your thread")
        real = smtp.envelope_sender(smtp.to(sam.email)[0])
        number, _, tag = real.partition("@")[0].partition("+")[2].partition("-")
        forged = [f"bounces+{number}-{'a' * len(tag)}@in.example.gov.uk",   # the right message, a made-up tag
                  "bounces@in.example.gov.uk"]                              # no tag at all
        for n, address in enumerate(forged * 2):
            result = receive(runner, _bounce(n, sam.email, to=address), "--recipient", address)
            assert "not counted" in result.output, result.output
        # Mail to a real return path that is not a delivery report (an out-of-office answer) is dropped.
        ooo = eml("out_of_office.eml", REPLY_ADDRESS=real, SENDER_ADDRESS=sam.email)
        assert receive(runner, ooo, "--recipient", real).output.startswith("dropped")
    with app.app_context():
        assert db_session(app).scalar(select(MailAddress).where(MailAddress.hard_bounces > 0)) is None


def test_a_bounce_for_an_address_the_forum_never_mailed_stops_nothing(app, runner, people):
    jo, sam, space, thread = people
    for n in range(3):
        assert receive(runner, _bounce(n, sam.email)).output.startswith("bounce")
    with app.app_context():
        row = db_session(app).scalar(select(MailAddress).where(MailAddress.address == sam.email))
    assert row is None
