"""What the leak suites share: the closed spaces' world with its canaries, every GET route with real ids, viewers.

tests/functional/test_leaks.py checks this world; tests/functional/test_leaks_posts.py builds on it
with every post state (hidden, waiting, deleted, removed, anonymous, moved, merged, split).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert, select

from forum.db import utcnow
from forum.models import (Chat, LibraryEntry, LibraryTag, Post, ProposedQuestion, SavedPost, Space, Speaker,
                          chat_tags, thread_tags)
from forum.services import sign_in_providers, space_membership
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
    work_account: object = None  # joined by signing in with an organisation's account (#23)
    saved: tuple[int, int] = (0, 0)  # the member's and the ex-member's saved private post (#22)


def first_post(app, thread_id: int) -> int:
    """The id of a thread's first post."""
    with app.app_context():
        return app.extensions["forum"].db.session.scalar(
            select(Post.id).where(Post.thread_id == thread_id).order_by(Post.id))


def build_world(app) -> World:
    """A private and a secret space full of canaries, a public space, and the people around them."""
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
    secret_thread = make_thread(app, secret, member, title=f"About {SECRET['title']}",
                                body=f"Words {SECRET['body']} https://{SECRET['body']}.org.uk/")
    public_thread = make_thread(app, public, member, title="An open thread", body="Open words")
    client = app.test_client()
    login(client, member)
    submit(client, f"/threads/{private_thread.id}/reply",
           {"body": f"Reply {PRIVATE['reply']} https://{PRIVATE['reply']}.org.uk/guide", "submit": "Post reply"},
           form_url=f"/threads/{private_thread.id}")
    submit(client, f"/threads/{private_thread.id}/reply",
           {"body": f"Anonymous {PRIVATE['anon']}", "anonymous": "y", "submit": "Post reply"},
           form_url=f"/threads/{private_thread.id}")
    private_first = first_post(app, private_thread.id)
    with app.app_context():
        session = app.extensions["forum"].db.session
        anon_post = session.scalar(select(Post.id).where(Post.anonymous.is_(True)))
        # Both save the private thread's first post; the ex-member's item must show nothing of it once removed.
        saved = [SavedPost(member_id=who.id, post_id=private_first, note="Read again later")
                 for who in (member, ex_member)]
        session.add_all(saved)
        session.flush()
        saved_ids = (saved[0].id, saved[1].id)
        # The ex-member is removed by the host, as in real life.
        space_membership.remove(session, session.get(Space, private.id), session.get(type(host), host.id),
                             session.get(type(ex_member), ex_member.id))
        space_membership.remove(session, session.get(Space, secret.id), session.get(type(host), host.id),
                             session.get(type(ex_member), ex_member.id))
        session.commit()
    with app.app_context():
        session = app.extensions["forum"].db.session
        chat = Chat(title=f"Chat {PRIVATE['chat']}", space_id=private.id, starts_at=utcnow() + timedelta(days=3))
        session.add(chat)
        session.flush()
        session.add(ProposedQuestion(chat_id=chat.id, member_id=member.id, text=f"Question {PRIVATE['question']}"))
        # Topics (#20): the private chat, and the private and secret threads, are about "digital".
        digital = session.scalar(select(LibraryTag.id).where(LibraryTag.slug == "digital"))
        session.execute(insert(chat_tags).values(chat_id=chat.id, tag_id=digital))
        session.execute(insert(thread_tags), [{"thread_id": private_thread.id, "tag_id": digital},
                                              {"thread_id": secret_thread.id, "tag_id": digital}])
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
                 secret_thread, public_thread, first_post(app, private_thread.id), first_post(app, secret_thread.id),
                 first_post(app, public_thread.id), anon_post, chat_id, speaker_id, work_account_member(app),
                 saved=saved_ids)


def work_account_member(app):
    """An approved member who joined by signing in with their organisation's account; in no closed space."""
    with app.app_context():
        session = app.extensions["forum"].db.session
        member = sign_in_providers.create_member(session, sign_in_providers.NewMember(
            provider="entra", issuer="https://login.example.test/tenant-a/v2.0", subject="leak-suite-subject",
            email="work.account@tenant-a.example.org", display_name="Work Account Person",
            sector="local_government", job_role="Comms officer", organisation="Tenant A Council", trusted=True))
        session.commit()
        session.refresh(member)
        session.expunge(member)
        return member


def routes(w: World) -> dict[str, list[str]]:
    """Every GET endpoint, with the URLs that exercise it (private and secret ids included)."""
    private_ids = [w.private_post, w.secret_post, w.anon_post]
    return {
        "forum.home": ["/", "/?page=2"],
        "forum.health": ["/health"],
        "forum.accessibility": ["/accessibility"],
        "forum.switch_language": [f"/language/cy?next=/threads/{w.secret_thread.id}", "/language/en"],
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
        "forum.confirm_delete_account": ["/account/delete/not-a-token"],
        "forum.download_data": ["/account/data"],
        "forum.moderation": ["/moderation"],
        "forum.approvals": ["/moderation/approvals"],
        "forum.admin_spaces": ["/admin/spaces"],
        "forum.admin_new_space": ["/admin/spaces/new"],
        "forum.admin_edit_space": ["/admin/spaces/hidden/edit", "/admin/spaces/evangelists/edit"],
        "forum.login": ["/login", f"/login?next=/threads/{w.private_thread.id}"],
        # Sign-in with an organisation's account (#23): no provider is configured here, so these answer 404.
        "forum.oidc_start": ["/login/with/entra", f"/login/with/entra?next=/threads/{w.private_thread.id}"],
        "forum.oidc_callback": ["/login/with/entra/callback?code=x&state=y"],
        "forum.oidc_welcome": ["/login/welcome"],
        "forum.sign_in_methods": ["/account/sign-in"],
        "forum.link_sign_in": ["/account/sign-in/entra/link"],
        "forum.register": ["/register"],
        "forum.forgot_password": ["/password/forgot"],
        "forum.reset_password": ["/password/reset/not-a-token"],
        "forum.confirm_email": ["/confirm/not-a-token"],
        "forum.confirm_email_change": ["/account/email/not-a-token"],
        "forum.chat_list": ["/chats"],
        "forum.chat": [f"/chats/{w.private_chat}"],
        "forum.chat_ics": [f"/chats/{w.private_chat}.ics"],
        "forum.chat_recap": [f"/chats/{w.private_chat}/recap"],
        "forum.chats_ics": ["/chats.ics"],
        # Links shared and topics (#20): queries hold no canary, so a page that echoes one is no false alarm.
        "forum.chat_links": [f"/chats/{w.private_chat}/links"],
        "forum.links_index": ["/links", "/links?q=guide", "/links?q=org.uk&order=most", "/links?area=digital"],
        "forum.links_feed": ["/links/feed.atom"],
        "forum.topic": ["/topics/digital", "/topics/digital?page=2", "/topics/no-such-topic"],
        "forum.chat_topics": [f"/chats/{w.private_chat}/topics"],
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
        "forum.mail_log": ["/moderation/mail"],
        "forum.watching": ["/watching"],
        "forum.saved_posts": ["/saved", "/saved?page=2"],
        "forum.first_unread": [f"/threads/{w.private_thread.id}/unread", f"/threads/{w.secret_thread.id}/unread"],
        "forum.saved_note": [f"/saved/{i}/note" for i in w.saved],
        "forum.notification_list": ["/notifications"],
        "forum.notification_settings": ["/account/notifications"],
        "forum.unsubscribe": ["/unsubscribe/not-a-token"],
        "forum.stop_every_post": ["/every-post/stop/not-a-token"],
        "forum.recent_feed": ["/feeds/recent.atom"],
        "forum.space_feed": ["/spaces/evangelists/feed.atom", "/spaces/hidden/feed.atom", "/spaces/open/feed.atom"],
        # An outsider's own private feed (the URL is the key) must hold nothing from the closed spaces.
        "forum.member_feed": ["/feeds/member/not-a-token.atom", "/feeds/member/outsider-feed-token.atom"],
        # Queries use the private posts' other words: a leaked result would carry its canary.
        "forum.search": ["/search?q=words", "/search?q=about", "/search?q=reply", "/search?q=anonymous",
                         "/search?q=secret", "/search?q=words&space=evangelists", "/search?q=words&space=hidden"],
    }


EXCLUDED = {"forum.static"}  # files, not data


def get_endpoints(app) -> set[str]:
    """Every forum endpoint that answers GET."""
    return {r.endpoint for r in app.url_map.iter_rules()
            if r.endpoint.startswith("forum.") and "GET" in r.methods} - EXCLUDED


def viewer(app, member):
    """A test client signed in as `member` (None: a visitor)."""
    client = app.test_client()
    if member is not None:
        login(client, member)
    return client
