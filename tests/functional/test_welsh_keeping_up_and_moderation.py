"""Keeping up, the account page, moderation, the mail log, members and admin read wholly in Welsh (#24).

Each page is filled with what a member would find there (notifications of every kind, a request to
join, watches, an invitation, a question from the moderators, a report, a post waiting, mail of each
outcome), then read with the language cookie set to Welsh: no English phrase of the catalog may be
left in the page's main content, and the sentences built around names read in Welsh.
"""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from forum import tokens
from forum.db import utcnow
from forum.models import Member, Post, ReceivedMail, Space
from forum.services import moderation, site_membership, space_membership
from tests.welsh import english_left as _english_left, main_text as _text, phrases as _phrases, welsh_client as _welsh
from tests.factories import csrf_token, db_session, login, make_member, make_space, make_thread, submit



def _english(app, member):
    client = app.test_client()
    login(client, member)
    return client


def _reply(client, thread_id: int, body: str):
    return submit(client, f"/threads/{thread_id}/reply", {"body": body, "submit": "Post reply"},
                  form_url=f"/threads/{thread_id}")


@pytest.fixture
def cast(app):
    """A host with notifications of every kind and a request to join, and a moderator with work to do."""
    admin = make_member(app, "Gwen Hughes", role="admin")
    moderator = make_member(app, "Rhys Evans", role="moderator")
    host = make_member(app, "Nia Jones")
    other = make_member(app, "Dafydd Morgan")
    asker = make_member(app, "Elin Roberts")
    waiting = make_member(app, "Owain Price", state="pending")
    public = make_space(app, "cyllid", name="Cyllid")
    closed = make_space(app, "cudd", name="Gofod Cudd", visibility="private", hosts=[host])
    thread = make_thread(app, public, host, title="Cyllidebau", body="Beth ydych chi'n ei feddwl?")
    hosting, writing = _english(app, host), _english(app, other)
    submit(hosting, "/watch", {"kind": "space", "target": str(public.id), "next": "/"}, form_url="/")
    submit(hosting, "/watch", {"kind": "thread", "target": str(thread.id), "next": "/"}, form_url="/")
    submit(hosting, "/watching", {"keyword": "#cyllideb"})
    _reply(writing, thread.id, "Ateb cyntaf")                                   # a reply in a watched thread
    _reply(writing, thread.id, "Diolch @Nia Jones")                             # a mention
    elsewhere = make_thread(app, public, other, title="Arian", body="Helo")
    _reply(writing, elsewhere.id, "Pwy sy'n defnyddio #cyllideb?")              # a word listened for
    submit(writing, "/spaces/cyllid/new", {"title": "Edefyn newydd", "body": "Helo", "submit": "Post thread"})
    with app.app_context():
        db = db_session(app)
        space_membership.ask_to_join(db, db.get(Space, closed.id), db.get(Member, asker.id), "", "http://x",
                                     "Afterchat")
        space_membership.invite(db, db.get(Space, closed.id), db.get(Member, host.id), "Dafydd Morgan", "http://x",
                                "Afterchat")
        site_membership.ask_for_information(db, db.get(Member, waiting.id), db.get(Member, moderator.id),
                                            "Ble rydych chi'n gweithio?", "Afterchat", "http://x")
        post = db.scalars(select(Post).where(Post.thread_id == thread.id).order_by(Post.id.desc())).first()
        moderation.report(db, post, db.get(Space, public.id), db.get(Member, asker.id), "Dydy hyn ddim yn iawn")
        db.get(Space, public.id).premoderate_first = 1
        db.commit()
    _reply(_english(app, make_member(app, "Aelod Newydd")), thread.id, "Fy neges gyntaf")
    now = utcnow()
    with app.app_context():
        db = db_session(app)
        for n, outcome in enumerate(["posted", "started", "dropped", "refused", "bounce"]):
            db.add(ReceivedMail(message_key=f"<cy{n}@example.org>", from_address=f"anfon{n}@example.org",
                                to_address="ateb@in.example.org", subject=f"Neges {n}", outcome=outcome,
                                reason="", received_at=now - timedelta(minutes=n)))
        db.commit()
    return {"admin": admin, "moderator": moderator, "host": host, "other": other, "waiting": waiting}


def test_keeping_up_account_and_moderation_pages_read_in_welsh(app, cast):
    secret = app.config["SECRET_KEY"]
    all_mail = tokens.make(secret, "unsubscribe", {"id": cast["other"].id})
    recaps = tokens.make(secret, "unsubscribe", {"id": cast["other"].id, "what": "recaps"})
    pages = [
        ("host", "/notifications"), ("host", "/watching"), ("host", "/account/notifications"),
        ("other", "/account"), ("waiting", "/account"), (None, f"/unsubscribe/{all_mail}"),
        (None, f"/unsubscribe/{recaps}"), ("moderator", "/moderation"), ("moderator", "/moderation/mail"),
        ("moderator", "/moderation/mail?outcome=refused"), ("moderator", "/moderation/approvals"),
        ("moderator", "/moderation/log"), ("moderator", "/members"), ("admin", "/admin/spaces"),
    ]
    phrases = _phrases()
    english_left, texts = [], {}
    for who, url in pages:
        response = _welsh(app, cast[who] if who else None).get(url)
        assert response.status_code == 200, (url, response.status_code)
        texts[(who, url)] = text = _text(response)
        english_left += [(url, english) for english in _english_left(text, phrases)]
    for path in (all_mail, recaps):
        response = _welsh(app).post(f"/unsubscribe/{path}")
        english_left += [("unsubscribed", english) for english in _english_left(_text(response), phrases)]
    assert not english_left, f"English left on Welsh pages: {english_left[:10]}"

    notes = texts[("host", "/notifications")]
    assert "Gofynnodd Elin Roberts am ymuno â Gofod Cudd" in notes
    for sentence in ("Ymatebodd Dafydd Morgan yn Cyllidebau", "Soniodd Dafydd Morgan amdanoch yn Cyllidebau",
                     "Dafydd Morgan: codwyd “#cyllideb” yn Arian", "Dechreuodd Dafydd Morgan Edefyn newydd"):
        assert sentence in notes
    assert "Rydych wedi cael gwahoddiad i ymuno â Gofod Cudd" in texts[("other", "/account")]
    assert "Gofynnodd y cymedrolwyr" in texts[("waiting", "/account")]
    queue = texts[("moderator", "/moderation")]
    assert "Adroddwyd gan Elin Roberts" in queue and "Aelod Newydd yn Cyllidebau" in queue
    assert "holi aelod aelod" in texts[("moderator", "/moderation/log")]
    assert "5 neges" in texts[("moderator", "/moderation/mail")]
    assert "1 neges gyda'r canlyniad “" in texts[("moderator", "/moderation/mail?outcome=refused")]


def test_moderators_messages_after_acting_are_in_welsh(app, cast):
    client = _welsh(app, cast["moderator"])
    waiting = cast["waiting"]
    response = client.post(f"/moderation/approvals/{waiting.id}", follow_redirects=True, data={
        f"m{waiting.id}-approve": "Approve", f"m{waiting.id}-csrf_token": csrf_token(client, "/moderation/approvals")})
    assert "Mae Owain Price wedi'i gymeradwyo ac wedi cael gwybod." in unescape(response.get_data(as_text=True))


def test_the_same_pages_keep_their_english(app, cast):
    notes = _text(_english(app, cast["host"]).get("/notifications"))
    assert "Elin Roberts asked to join Gofod Cudd" in notes
    assert "Dafydd Morgan mentioned you in Cyllidebau" in notes and "Dafydd Morgan replied in Cyllidebau" in notes
    mail = _text(_english(app, cast["moderator"]).get("/moderation/mail?outcome=refused"))
    assert "1 message with the outcome “Refused”" in mail
    assert "Reported by Elin Roberts" in _text(_english(app, cast["moderator"]).get("/moderation"))
