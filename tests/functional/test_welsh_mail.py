"""Email goes out in its recipient's language, feeds and calendars in their reader's (#24).

A member whose saved language is Welsh gets every kind of email in Welsh, whoever's request or
command wrote it (an English-speaking poster's reply, `flask forum send-digests`, `send-recaps`,
`receive-mail`); a member on English gets the same email in English. Mail goes through the real
outbox and a real SMTP server (tests/mailserver.py). Feeds and .ics files follow the request's
Accept-Language, as a feed reader or calendar sends it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import icalendar
import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from forum import mail_tokens
from forum.models import Member, Thread
from forum.services import notifications
from tests.conftest import make_test_app
from tests.factories import csrf_token, login, make_member, make_space, make_thread, submit
from tests.factories import db_session as _db
from tests.mailserver import MailServer

CATALOG = Path(__file__).resolve().parents[2] / "translations" / "cy" / "LC_MESSAGES" / "messages.po"
MAIL = Path(__file__).resolve().parent.parent / "data" / "mail"
DOMAIN = "in.example.gov.uk"
ATOM = "{http://www.w3.org/2005/Atom}"
CHAT_CSV = (
    "id_str,from_user,text,created_at,in_reply_to_status_id_str,status_url\n"
    "3004,bob,@alice how long did that take? #lgovsm,Wed May 08 19:05:00 +0000 2024,3002,"
    "http://twitter.com/bob/statuses/3004\n"
    "3003,bob,A1 Drop-in sessions in libraries #lgovsm,Wed May 08 19:04:00 +0000 2024,,"
    "http://twitter.com/bob/statuses/3003\n"
    "3002,alice,A1 We built a budget simulator #lgovsm,Wed May 08 19:03:00 +0000 2024,,"
    "http://twitter.com/alice/statuses/3002\n"
    "3001,LGovSM,Q1 How do you run budget consultations online? #lgovsm,Wed May 08 19:02:00 +0000 2024,,"
    "http://twitter.com/LGovSM/statuses/3001\n"
)


@pytest.fixture
def app(database_url, tmp_path):
    """The forum with an incoming-mail domain, so emails carry reply addresses and replies come back."""
    app = make_test_app(database_url, tmp_path / "instance", FORUM_INCOMING_DOMAIN=DOMAIN,
                        FORUM_MAIL_SENDER="afterchat@example.gov.uk", FORUM_BASE_URL="https://forum.example")
    yield app
    with app.app_context():
        app.extensions["forum"].db.engine.dispose()


@pytest.fixture
def smtp(app):
    with MailServer() as server:
        app.config.update(FORUM_MAIL_SERVER="127.0.0.1", FORUM_MAIL_PORT=server.port)
        yield server


@pytest.fixture
def people(app):
    """Jo writes (in English); Nia reads Welsh, Sam English; both hear at once about what they watch."""
    jo = make_member(app, "Jo Williams", role="moderator")
    nia = make_member(app, "Nia Jones")
    sam = make_member(app, "Sam Patel")
    _set(app, nia, language="cy", email_frequency="immediate")
    _set(app, sam, language="en", email_frequency="immediate")
    space = make_space(app, "cyllid", name="Cyllid")
    thread = make_thread(app, space, jo, title="Cyllidebau 2026", body="Sut ydych chi'n ymgynghori?")
    return {"jo": jo, "nia": nia, "sam": sam, "space": space, "thread": thread}


def _set(app, member, **values):
    with app.app_context():
        row = _db(app).get(Member, member.id)
        for key, value in values.items():
            setattr(row, key, value)
        _db(app).commit()


def _signed_in(app, member, **cookies):
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    login(client, member)
    return client


def _watch(app, member, kind, target_id, every_post=False):
    with app.app_context():
        db = _db(app)
        notifications.watch(db, db.get(Member, member.id), kind, target_id).every_post = every_post
        db.commit()


def _reply(client, thread_id, body):
    response = submit(client, f"/threads/{thread_id}/reply", {"body": body, "submit": "Post reply"},
                      form_url=f"/threads/{thread_id}")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def deliver(app):
    assert app.test_cli_runner().invoke(args=["forum", "send-mail"]).exit_code == 0


def _english_phrases() -> dict[str, re.Pattern]:
    """Each English sentence of the catalog that Welsh says differently, as a pattern (placeholders match anything)."""
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    found = {}
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english in ids:
            literal = re.sub(r"%\(\w+\)s", " ", english or "")
            if len(literal.split()) < 3 or not all(strings) or english in strings:
                continue  # short words ("On", "Posted") may be a member's own; only sentences count here
            pieces = [re.escape(piece) for piece in re.split(r"%\(\w+\)s", english)]
            found[english] = re.compile(".+?".join(pieces))
    return found


def _english_left(text: str) -> list[str]:
    return [english for english, pattern in _english_phrases().items() if pattern.search(text)]


def _in_welsh(smtp, address: str) -> tuple[str, str]:
    [email] = smtp.to(address)
    subject, body = email["Subject"].strip(), _text(smtp, email)
    assert not _english_left(subject + "\n" + body), (_english_left(subject + "\n" + body), body)
    return subject, body


def _in_english(smtp, address: str) -> tuple[str, str]:
    [email] = smtp.to(address)
    return email["Subject"].strip(), _text(smtp, email)


def _text(smtp, email) -> str:
    """An email's text with its lines ended as Python writes them (SMTP ends them with CRLF)."""
    return smtp.body(email).replace("\r\n", "\n")


# -- email about posts ---------------------------------------------------------------------------------------------------

def test_an_immediate_notification_is_in_each_readers_language(app, smtp, people):
    thread = people["thread"]
    for reader in (people["nia"], people["sam"]):
        _watch(app, reader, "thread", thread.id)
    _reply(_signed_in(app, people["jo"]), thread.id, "Rydym yn defnyddio efelychydd cyllideb.")
    deliver(app)

    subject, body = _in_welsh(smtp, people["nia"].email)
    assert subject == "Ymatebodd Jo Williams: Cyllidebau 2026"
    assert body.startswith("Helo Nia Jones,\n\nYmatebodd Jo Williams yn “Cyllidebau 2026”:")
    assert "Atebwch yr e-bost hwn i bostio eich ateb yn yr edefyn hwn" in body
    assert "Atal pob e-bost gennym ni ag un clic: https://forum.example/" in body

    subject, body = _in_english(smtp, people["sam"].email)
    assert subject == "Jo Williams replied: Cyllidebau 2026"
    assert body.startswith("Hello Sam Patel,\n\nJo Williams replied in “Cyllidebau 2026”:")
    assert notifications.REPLY_LINE in body and "Stop all email from us with one click:" in body
    assert "Stop all email from us with one click: %(link)s" in _english_left(body)  # the check above sees English


def test_a_mention_in_a_private_space_says_only_there_is_something_new_in_welsh(app, smtp, people):
    space = make_space(app, "preifat", visibility="private", members=[people["jo"], people["nia"]])
    thread = make_thread(app, space, people["jo"], title="zqxcudd")
    _reply(_signed_in(app, people["jo"]), thread.id, "@Nia Jones zqxcudd")
    deliver(app)
    subject, body = _in_welsh(smtp, people["nia"].email)
    assert subject == "Gweithgarwch newydd i chi ar Afterchat"
    assert "Mae rhywbeth newydd i chi mewn gofod preifat:" in body and "zqxcudd" not in subject + body


def test_a_daily_digest_is_in_each_readers_language(app, smtp, people):
    thread = people["thread"]
    for reader in (people["nia"], people["sam"]):
        _set(app, reader, email_frequency="daily")
        _watch(app, reader, "thread", thread.id)
    _reply(_signed_in(app, people["jo"]), thread.id, "Rydym yn defnyddio efelychydd cyllideb.")
    result = app.test_cli_runner().invoke(args=["forum", "send-digests", "--frequency", "daily"])
    assert result.exit_code == 0, result.output
    deliver(app)

    subject, body = _in_welsh(smtp, people["nia"].email)
    assert subject == "Eich crynodeb dyddiol gan Afterchat"
    assert "Dyma beth sy'n newydd i chi." in body and "Yn Cyllid:" in body
    assert "- Ateb newydd yn Cyllidebau 2026: https://forum.example/posts/" in body
    assert "Rydych chi'n cael yr e-byst hyn oherwydd eich gosodiadau:" in body

    subject, body = _in_english(smtp, people["sam"].email)
    assert subject == "Your daily digest from Afterchat"
    assert "In Cyllid:" in body and "- New reply in Cyllidebau 2026: https://forum.example/posts/" in body


def test_every_post_by_email_is_in_each_readers_language(app, smtp, people):
    thread = people["thread"]
    for reader in (people["nia"], people["sam"]):
        _watch(app, reader, "thread", thread.id, every_post=True)
    _reply(_signed_in(app, people["jo"]), thread.id, "Rydym yn defnyddio efelychydd cyllideb.")
    deliver(app)

    subject, body = _in_welsh(smtp, people["nia"].email)
    assert subject == "Re: Cyllidebau 2026"  # mail programs group a thread by it, in any language
    assert body.startswith("Ysgrifennodd Jo Williams yn Cyllid:\n\nRydym yn defnyddio efelychydd cyllideb.")
    assert "Ar y fforwm: https://forum.example/posts/" in body
    assert "Rydych chi'n cael pob neges yn yr edefyn hwn drwy e-bost. Stopiwch ag un clic:" in body

    subject, body = _in_english(smtp, people["sam"].email)
    assert body.startswith("Jo Williams wrote in Cyllid:") and "You get every post in this thread by email." in body


# -- the recap, and the answer to a refused email -------------------------------------------------------------------------

@pytest.fixture
def chat(app, tmp_path, people):
    """A chat in a space Nia and Sam watch, imported from a TAGS export; both get recaps of chats they watch."""
    host = make_member(app, "LGovSM Host")
    space = make_space(app, "lgovsm", name="lgovsm", hosts=[host])
    for reader in (people["nia"], people["sam"]):
        _watch(app, reader, "space", space.id)
    path = tmp_path / "chat.csv"
    path.write_text(CHAT_CSV, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["forum", "import-transcript", str(path), "--space", space.slug,
                                                "--host", "LGovSM", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["chat_id"]


def test_a_chat_recap_is_in_each_readers_language(app, smtp, people, chat):
    result = app.test_cli_runner().invoke(args=["forum", "send-recaps"])
    assert result.exit_code == 0, result.output
    deliver(app)

    subject, body = _in_welsh(smtp, people["nia"].email)
    assert subject.startswith("Crynodeb: ")
    assert "Helo Nia Jones," in body and " ar 8 Mai 2024, i bawb nad oedd yn gallu bod yno." in body
    assert "Atebodd 2 person." in body and "Darllenwch yr edefyn cyfan: https://forum.example/threads/" in body
    assert "Y crynodeb ar y we: https://forum.example/chats/" in body
    assert "Atal crynodebau sgwrs ag un clic:" in body

    subject, body = _in_english(smtp, people["sam"].email)
    assert subject.startswith("Recap: ")
    assert " on 8 May 2024, for everyone who could not be there." in body and "2 people answered." in body


def test_the_answer_to_a_refused_email_is_in_the_senders_language(app, smtp, people):
    thread = people["thread"]
    with app.app_context():
        _db(app).get(Thread, thread.id).locked = True
        _db(app).commit()
    runner = app.test_cli_runner()
    for sender in (people["nia"], people["sam"]):
        raw = (MAIL / "gmail_top_posted.eml").read_bytes()
        raw = raw.replace(b"REPLY_ADDRESS", mail_tokens.reply_address(app.config, sender.id, thread.id).encode())
        raw = raw.replace(b"SENDER_ADDRESS", sender.email.encode())
        raw = raw.replace(b"CAKx9vQ2f0X", f"sender{sender.id}".encode())  # two messages, not one delivered twice
        result = runner.invoke(args=["forum", "receive-mail"], input=raw)
        assert result.output.startswith("refused: the thread is locked"), result.output  # the log stays English
    deliver(app)

    subject, body = _in_welsh(smtp, people["nia"].email)
    assert subject.startswith("Heb ei bostio: Re: ")
    assert body == ("Ni chafodd eich e-bost at Afterchat ei bostio: mae'r edefyn wedi'i gloi.\n\n"
                    "Mae'r edefyn wedi'i gloi: nid yw'n derbyn atebion newydd.\n\n"
                    "Ateb awtomatig yw hwn; byddwch yn cael un y dydd ar y mwyaf. "
                    "Nid yw atebion iddo'n cael eu darllen.\n")

    subject, body = _in_english(smtp, people["sam"].email)
    assert subject.startswith("Not posted: Re: ")
    assert body.startswith("Your email to Afterchat was not posted: the thread is locked.\n\n"
                           "The thread is locked: it takes no new replies.")


# -- account email -------------------------------------------------------------------------------------------------------

def test_account_emails_are_in_the_members_language(app, smtp, people):
    for name, language in (("Gwen Hughes", "cy"), ("Tom Baker", "en")):
        pending = make_member(app, name, state="pending", confirmed=False)
        _set(app, pending, language=language)
        # The confirmation link again, asked for from the account page.
        client = _signed_in(app, pending)
        response = client.post("/account/confirm-again", data={"csrf_token": csrf_token(client, "/account")})
        assert response.status_code == 302
        _set(app, pending, email_confirmed_at=people["jo"].email_confirmed_at)
        # A moderator (reading English) approves the account.
        moderator = _signed_in(app, people["jo"])
        response = moderator.post(f"/moderation/approvals/{pending.id}", data={
            f"m{pending.id}-approve": "Approve",
            f"m{pending.id}-csrf_token": csrf_token(moderator, "/moderation/approvals")})
        assert response.status_code == 302
        # A new password, asked for by someone signed out reading English.
        submit(app.test_client(), "/password/forgot", {"email": pending.email})
    deliver(app)

    welsh = {m["Subject"]: _text(smtp, m) for m in smtp.to(make_address(app, "Gwen Hughes"))}
    assert set(welsh) == {"Cadarnhewch eich cyfeiriad e-bost ar gyfer Afterchat", "Croeso i Afterchat",
                          "Ailosod eich cyfrinair Afterchat"}
    for subject, body in welsh.items():
        assert body.startswith("Helo Gwen Hughes,") and not _english_left(subject + "\n" + body), (subject, body)
    english = {m["Subject"] for m in smtp.to(make_address(app, "Tom Baker"))}
    assert english == {"Confirm your email address for Afterchat", "Welcome to Afterchat",
                       "Reset your Afterchat password"}


def make_address(app, name: str) -> str:
    with app.app_context():
        return _db(app).scalar(select(Member.email).where(Member.display_name == name))


# -- feeds and calendars follow the reader's language ----------------------------------------------------------------------

def test_a_feed_title_is_in_the_language_the_feed_reader_asks_for(app, people):
    welsh = app.test_client().get("/feeds/recent.atom", headers={"Accept-Language": "cy"})
    assert ET.fromstring(welsh.get_data()).find(f"{ATOM}title").text == "Afterchat: edafedd diweddar"
    english = app.test_client().get("/feeds/recent.atom", headers={"Accept-Language": "en-GB"})
    assert ET.fromstring(english.get_data()).find(f"{ATOM}title").text == "Afterchat: recent threads"


def test_a_chats_calendar_entry_is_in_the_language_the_calendar_asks_for(app, people, chat):
    welsh = app.test_client().get(f"/chats/{chat}.ics", headers={"Accept-Language": "cy"})
    [event] = icalendar.Calendar.from_ical(welsh.get_data()).walk("VEVENT")
    description = str(event["DESCRIPTION"])
    assert "Y drafodaeth, un edefyn i bob cwestiwn:" in description
    assert "Y crynodeb, i'r rhai a'i methodd:" in description and not _english_left(description)
    english = app.test_client().get(f"/chats/{chat}.ics", headers={"Accept-Language": "en-GB"})
    [event] = icalendar.Calendar.from_ical(english.get_data()).walk("VEVENT")
    assert "The recap, for those who missed it:" in str(event["DESCRIPTION"])
