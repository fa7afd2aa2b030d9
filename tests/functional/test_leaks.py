"""The leak suite: private and secret content reaches nobody outside its space, on any surface.

Every thread title, post body and member-only string in a private and a secret space carries a
canary token. As a visitor, a signed-in non-member, a pending member and a removed ex-member, every
GET route in app.url_map is requested with real ids (private ones included), and every email sent is
read: no canary appears. As a control, a member sees them. A route this suite does not classify
fails it, so a new route cannot slip past.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from datetime import timedelta

from forum.db import utcnow
from forum.models import Chat, LibraryEntry, OutboxMessage, Post, ProposedQuestion, Space, SpaceMembership, Speaker, Thread
from forum.services import space_members
from forum.services.spaces import update_space
from forum.services.threads import move_thread
from tests.factories import login, make_member, make_space, make_thread, submit

# Canary tokens: single words, so that a search engine indexes them as such.
PRIVATE = {"title": "zqxprivtitle", "body": "zqxprivbody", "reply": "zqxprivreply", "anon": "zqxprivanon",
           "chat": "zqxprivchat", "question": "zqxprivquestion", "library": "zqxprivlibrary"}
SECRET = {"name": "zqxsecretname", "description": "zqxsecretdesc", "title": "zqxsecrettitle", "body": "zqxsecretbody"}
CANARIES = [*PRIVATE.values(), *SECRET.values()]


@dataclass
class World:
    member: object
    host: object
    ex_member: object
    outsider: object
    pending: object
    moderator: object
    private: object
    secret: object
    public: object
    private_thread: object
    secret_thread: object
    public_thread: object
    private_post: int
    secret_post: int
    public_post: int
    anon_post: int
    private_chat: int
    speaker: int


def _first_post(app, thread_id: int) -> int:
    with app.app_context():
        return app.extensions["forum"].db.session.scalar(
            select(Post.id).where(Post.thread_id == thread_id).order_by(Post.id))


@pytest.fixture
def world(app) -> World:
    member = make_member(app, "Insider Member")
    host = make_member(app, "Space Host")
    ex_member = make_member(app, "Ex Member")
    outsider = make_member(app, "Outsider Member")
    pending = make_member(app, "Pending Person", state="pending")
    moderator = make_member(app, "Site Moderator", role="moderator")
    private = make_space(app, "evangelists", visibility="private", name="Evangelist support",
                         anonymous_posting=True, members=[member, ex_member], hosts=[host])
    secret = make_space(app, "hidden", visibility="secret", name=f"Secret {SECRET['name']}",
                        members=[member, ex_member], hosts=[host])
    with app.app_context():
        session = app.extensions["forum"].db.session
        session.get(Space, secret.id).description = SECRET["description"]
        session.commit()
    public = make_space(app, "open", name="Open space")
    private_thread = make_thread(app, private, member, title=f"About {PRIVATE['title']}",
                                 body=f"Words {PRIVATE['body']}", replies=0)
    secret_thread = make_thread(app, secret, member, title=f"About {SECRET['title']}", body=f"Words {SECRET['body']}")
    public_thread = make_thread(app, public, member, title="An open thread", body="Open words")
    client = app.test_client()
    login(client, member)
    submit(client, f"/threads/{private_thread.id}/reply", {"body": f"Reply {PRIVATE['reply']}", "submit": "Post reply"},
           form_url=f"/threads/{private_thread.id}")
    submit(client, f"/threads/{private_thread.id}/reply",
           {"body": f"Anonymous {PRIVATE['anon']}", "anonymous": "y", "submit": "Post reply"},
           form_url=f"/threads/{private_thread.id}")
    with app.app_context():
        session = app.extensions["forum"].db.session
        anon_post = session.scalar(select(Post.id).where(Post.anonymous.is_(True)))
        # The ex-member is removed by the host, as in real life.
        space_members.remove(session, session.get(Space, private.id), session.get(type(host), host.id),
                             session.get(type(ex_member), ex_member.id))
        space_members.remove(session, session.get(Space, secret.id), session.get(type(host), host.id),
                             session.get(type(ex_member), ex_member.id))
        session.commit()
    with app.app_context():
        session = app.extensions["forum"].db.session
        chat = Chat(title=f"Chat {PRIVATE['chat']}", space_id=private.id, starts_at=utcnow() + timedelta(days=3))
        session.add(chat)
        session.flush()
        session.add(ProposedQuestion(chat_id=chat.id, member_id=member.id, text=f"Question {PRIVATE['question']}"))
        speaker = Speaker(platform="x", speaker_key="handle:someone", display_name="Some One", handle="someone")
        session.add(speaker)
        # A library entry promoted from the private space, still waiting for its author's consent.
        session.add(LibraryEntry(title=f"Entry {PRIVATE['library']}", problem="p", approach="a", outcome="o",
                                 summary_html="<p>s</p>", thread_id=private_thread.id, status="awaiting_consent",
                                 consent_member_id=member.id))
        session.commit()
        session.get(type(outsider), outsider.id).feed_token = "outsider-feed-token"
        session.commit()
        chat_id, speaker_id = chat.id, speaker.id
    return World(member, host, ex_member, outsider, pending, moderator, private, secret, public, private_thread,
                 secret_thread, public_thread, _first_post(app, private_thread.id), _first_post(app, secret_thread.id),
                 _first_post(app, public_thread.id), anon_post, chat_id, speaker_id)


def routes(w: World) -> dict[str, list[str]]:
    """Every GET endpoint, with the URLs that exercise it (private and secret ids included)."""
    private_ids = [w.private_post, w.secret_post, w.anon_post]
    return {
        "forum.home": ["/", "/?page=2"],
        "forum.health": ["/health"],
        "forum.space": ["/spaces/evangelists", "/spaces/hidden", "/spaces/open", "/spaces/evangelists?page=2"],
        "forum.new_thread": ["/spaces/evangelists/new", "/spaces/hidden/new"],
        "forum.space_members_page": ["/spaces/evangelists/members", "/spaces/hidden/members"],
        "forum.thread": [f"/threads/{w.private_thread.id}", f"/threads/{w.secret_thread.id}",
                         f"/threads/{w.private_thread.id}/about", f"/threads/{w.private_thread.id}?page=2",
                         f"/threads/{w.public_thread.id}"],
        "forum.reply": [f"/threads/{w.private_thread.id}/reply", f"/threads/{w.secret_thread.id}/reply",
                        *(f"/threads/{w.public_thread.id}/reply?quote={i}" for i in private_ids)],
        "forum.post": [f"/posts/{i}" for i in private_ids],
        "forum.edit_post": [f"/posts/{i}/edit" for i in private_ids],
        "forum.delete_post": [f"/posts/{i}/delete" for i in private_ids],
        "forum.reveal_author": [f"/posts/{w.anon_post}/reveal"],
        "forum.members": ["/members", "/members?organisation=secret"],
        "forum.member": [f"/members/{w.member.id}", f"/members/{w.host.id}", f"/members/{w.ex_member.id}"],
        "forum.account": ["/account"],
        "forum.edit_profile": ["/account/profile"],
        "forum.change_password": ["/account/password"],
        "forum.change_email": ["/account/email"],
        "forum.delete_account": ["/account/delete"],
        "forum.download_data": ["/account/data"],
        "forum.moderation": ["/moderation"],
        "forum.approvals": ["/moderation/approvals"],
        "forum.admin_spaces": ["/admin/spaces"],
        "forum.admin_new_space": ["/admin/spaces/new"],
        "forum.admin_edit_space": ["/admin/spaces/hidden/edit", "/admin/spaces/evangelists/edit"],
        "forum.login": ["/login", f"/login?next=/threads/{w.private_thread.id}"],
        "forum.register": ["/register"],
        "forum.forgot_password": ["/password/forgot"],
        "forum.reset_password": ["/password/reset/not-a-token"],
        "forum.confirm_email": ["/confirm/not-a-token"],
        "forum.confirm_email_change": ["/account/email/not-a-token"],
        "forum.chat_list": ["/chats"],
        "forum.chat": [f"/chats/{w.private_chat}"],
        "forum.chat_ics": [f"/chats/{w.private_chat}.ics"],
        "forum.chats_ics": ["/chats.ics"],
        "forum.new_chat": ["/chats/new"],
        "forum.edit_chat": [f"/chats/{w.private_chat}/edit"],
        "forum.import_upload": [f"/import?chat={w.private_chat}"],
        "forum.import_preview": ["/import/not-a-token"],
        "forum.handle_claims": ["/moderation/handles"],
        "forum.hide_speaker": [f"/speakers/{w.speaker}/hide"],
        "forum.library_index": ["/library", "/library?tag=digital"],
        "forum.library_entry": ["/library/1", "/library/2"],
        "forum.library_feed": ["/library/feed.atom"],
        "forum.library_consent": ["/library/1/consent"],
        "forum.library_tags": ["/library/tags"],
        "forum.promote_post": [f"/posts/{i}/promote" for i in private_ids],
        "forum.report_post": [f"/posts/{i}/report" for i in private_ids],
        "forum.post_history": [f"/posts/{i}/history" for i in private_ids],
        "forum.thread_tools": [f"/threads/{w.private_thread.id}/tools", f"/threads/{w.secret_thread.id}/tools"],
        "forum.moderation_log_page": ["/moderation/log"],
        "forum.watching": ["/watching"],
        "forum.notification_list": ["/notifications"],
        "forum.notification_settings": ["/account/notifications"],
        "forum.unsubscribe": ["/unsubscribe/not-a-token"],
        "forum.recent_feed": ["/feeds/recent.atom"],
        "forum.space_feed": ["/spaces/evangelists/feed.atom", "/spaces/hidden/feed.atom", "/spaces/open/feed.atom"],
        # An outsider's own private feed (the URL is the key) must hold nothing from the closed spaces.
        "forum.member_feed": ["/feeds/member/not-a-token.atom", "/feeds/member/outsider-feed-token.atom"],
        # Queries use the private posts' other words: a leaked result would carry its canary.
        "forum.search": ["/search?q=words", "/search?q=about", "/search?q=reply", "/search?q=anonymous",
                         "/search?q=secret", "/search?q=words&space=evangelists", "/search?q=words&space=hidden"],
    }


EXCLUDED = {"forum.static"}  # files, not data


def _get_endpoints(app) -> set[str]:
    return {r.endpoint for r in app.url_map.iter_rules()
            if r.endpoint.startswith("forum.") and "GET" in r.methods} - EXCLUDED


def test_every_get_route_is_classified(app, world):
    missing = _get_endpoints(app) - set(routes(world))
    assert not missing, f"add these endpoints to routes() in {__file__}: {sorted(missing)}"


def _leaks(client, app, world) -> list[tuple[str, str]]:
    found = []
    table = routes(world)
    for endpoint in sorted(_get_endpoints(app)):
        for url in table[endpoint]:
            response = client.get(url)
            assert response.status_code < 500, (url, response.status_code)
            text = response.get_data(as_text=True) + " " + response.headers.get("Location", "")
            found += [(url, c) for c in CANARIES if c in text]
    return found


def _viewer(app, member):
    client = app.test_client()
    if member is not None:
        login(client, member)
    return client


@pytest.mark.parametrize("who", ["visitor", "outsider", "pending", "ex_member"])
def test_no_canary_reaches_anyone_outside_the_spaces(app, world, who):
    member = None if who == "visitor" else getattr(world, who)
    assert _leaks(_viewer(app, member), app, world) == []


def test_control_a_member_sees_the_canaries(app, world):
    found = {canary for _url, canary in _leaks(_viewer(app, world.member), app, world)}
    assert set(PRIVATE.values()) <= found and {SECRET["title"], SECRET["body"], SECRET["name"]} <= found


def test_emails_never_carry_private_content(app, world):
    # Make the space send what it sends: a request to join, a decision, an invitation.
    outsider = _viewer(app, world.outsider)
    submit(outsider, "/spaces/evangelists/join", {"message": "let me in"}, form_url="/spaces/evangelists")
    host = _viewer(app, world.host)
    submit(host, "/spaces/hidden/members", {"who": world.outsider.email})
    with app.app_context():
        messages = app.extensions["forum"].db.session.scalars(select(OutboxMessage)).all()
    assert messages, "the actions above should have written email"
    for message in messages:
        text = message.subject + message.body
        for canary in (*PRIVATE.values(), SECRET["title"], SECRET["body"], SECRET["description"]):
            assert canary not in text
        if message.to != world.outsider.email:  # the invitee may learn the secret space's name
            assert SECRET["name"] not in text


def test_a_thread_moved_from_public_to_private_disappears_at_once(app, world):
    visitor = app.test_client()
    thread = make_thread(app, world.public, world.member, title="zqxmovedtitle", body="zqxmovedbody")
    assert "zqxmovedtitle" in visitor.get(f"/threads/{thread.id}").get_data(as_text=True)
    with app.app_context():
        session = app.extensions["forum"].db.session
        move_thread(session, session.get(Thread, thread.id), session.get(Space, world.public.id),
                    session.get(Space, world.private.id), session.get(type(world.moderator), world.moderator.id))
        session.commit()
    assert visitor.get(f"/threads/{thread.id}").status_code == 404
    assert "zqxmovedtitle" not in visitor.get("/").get_data(as_text=True)
    assert "zqxmovedtitle" not in visitor.get("/spaces/open").get_data(as_text=True)


def test_a_space_made_private_disappears_for_visitors_at_once(app, world):
    visitor = app.test_client()
    assert "An open thread" in visitor.get("/spaces/open").get_data(as_text=True)
    with app.app_context():
        session = app.extensions["forum"].db.session
        space = session.get(Space, world.public.id)
        update_space(session, space, slug=space.slug, name=space.name, visibility="private",
                     description="", anonymous_posting=False)
        session.commit()
    assert visitor.get("/spaces/open").status_code == 404
    assert visitor.get(f"/threads/{world.public_thread.id}").status_code == 404
    assert "An open thread" not in visitor.get("/").get_data(as_text=True)


def test_a_removed_member_loses_access_on_the_next_request(app, world):
    client = _viewer(app, world.member)
    assert PRIVATE["body"] in client.get(f"/threads/{world.private_thread.id}").get_data(as_text=True)
    with app.app_context():
        session = app.extensions["forum"].db.session
        session.delete(session.get(SpaceMembership, (world.private.id, world.member.id)))
        session.commit()
    assert client.get(f"/threads/{world.private_thread.id}").status_code == 404


def test_the_anonymous_author_is_never_shown_to_other_members(app, world):
    other = make_member(app, "Another Insider")
    with app.app_context():
        session = app.extensions["forum"].db.session
        session.add(SpaceMembership(space_id=world.private.id, member_id=other.id))
        session.commit()
    client = _viewer(app, other)
    page = client.get(f"/threads/{world.private_thread.id}").get_data(as_text=True)
    anon = page[page.index(f'id="post-{world.anon_post}"'):]
    anon = anon[:anon.index("</article>")]
    assert "A member of this space" in anon and "Insider Member" not in anon
    assert not re.search(PRIVATE["anon"], client.get(f"/members/{world.member.id}").get_data(as_text=True))
