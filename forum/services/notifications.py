"""Keeping up: watches, @mentions, keyword listening, notifications, immediate emails and digests.

A new post notifies only members who may read it (the one policy decides), in the same transaction.
Email about a private or secret space carries only a link, never what was said. Digests never send
the same notification twice: each is stamped when it goes out.

Reply by email (#21): every email about a post carries a Reply-To unique to the member and thread
(forum/mail_tokens.py), when FORUM_INCOMING_DOMAIN is set and the member may reply there, with a line
saying so. A digest covers many threads and an email has one Reply-To, so a digest has one only when
all of it is about one thread; otherwise each entry shows its own reply address. Mailing-list mode
(a watch's `every_post`) emails each new post as it appears, with List-* headers and a Message-ID
per post, In-Reply-To/References pointing at the thread's first post and the replied-to post, so
mail programs group a thread's emails.

Each email is written in its recipient's saved language (`in_language(member.language)`, #24),
whoever's request or command sends it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session, joinedload

from forum import mail, markup, policy
from forum.db import built_once, utcnow
from forum.errors import NotFound, ValidationError
from forum.i18n import in_language
from forum.models import (EMAIL_FREQUENCIES, LibraryEntry, Member, Notification, Post, Space, Thread, Watch)
from forum.models.accounts import normalise_name
from forum.services import mentions, open_questions

PRIORITY = {"mention": 0, "answer": 1, "reply": 2, "keyword": 3, "new_thread": 4}


def N_(message: str) -> str:
    """Mark `message` for the catalog, to be translated where it is used (gettext_noop)."""
    return message


def _kind_subject(kind: str, who: str, title: str) -> str:
    """An immediate email's subject: who did what, and the thread's title."""
    if kind == "mention":
        return _("%(who)s mentioned you: %(title)s", who=who, title=title)
    if kind == "answer":
        return _("%(who)s answered your question: %(title)s", who=who, title=title)
    if kind == "reply":
        return _("%(who)s replied: %(title)s", who=who, title=title)
    if kind == "keyword":
        return _("%(who)s mentioned a word you listen for: %(title)s", who=who, title=title)
    return _("%(who)s started a thread: %(title)s", who=who, title=title)


def _kind_sentence(kind: str, who: str, title: str) -> str:
    """An immediate email's first line: who did what, in which thread."""
    if kind == "mention":
        return _("%(who)s mentioned you in “%(title)s”:", who=who, title=title)
    if kind == "answer":
        return _("%(who)s answered your question in “%(title)s”:", who=who, title=title)
    if kind == "reply":
        return _("%(who)s replied in “%(title)s”:", who=who, title=title)
    if kind == "keyword":
        return _("%(who)s mentioned a word you listen for in “%(title)s”:", who=who, title=title)
    return _("%(who)s started a thread in “%(title)s”:", who=who, title=title)


def _hello(member: Member) -> str:
    return _("Hello %(name)s,", name=member.display_name)


def _no_reply_address(member_id: int, thread_id: int) -> str | None:
    return None


@dataclass
class Links:
    """How the caller builds absolute links: from FORUM_BASE_URL, on the web and the command line alike."""

    post: Callable[[int], str]
    unsubscribe: Callable[[Member], str]
    settings: str
    library: Callable[[int], str]
    # The member's reply address for a thread (forum.mail_tokens.reply_address); None: no reply by email.
    reply_to: Callable[[int, int], str | None] = _no_reply_address
    # One-click link that turns off one watch's mailing-list mode, and an address that does the same.
    stop_every_post: Callable[[Watch], str] | None = None
    stop_every_post_address: Callable[[Watch], str | None] | None = None
    # The domain in Message-IDs and List-Ids (FORUM_INCOMING_DOMAIN, else the forum's host name).
    mail_domain: str = "localhost"


# -- watching ---------------------------------------------------------------------------------------------------------

def is_watching(db: Session, member, kind: str, target_id: int) -> bool:
    if not getattr(member, "is_authenticated", False):
        return False
    return db.scalar(select(Watch.id).where(Watch.member_id == member.id, Watch.kind == kind,
                                            Watch.target_id == target_id)) is not None


def watch_of(db: Session, member, kind: str, target_id: int) -> Watch | None:
    """The member's watch of this thread or space (None for a visitor, or when they do not watch it): its page
    shows Stop watching, and the every-post-by-email switch (#21)."""
    if not getattr(member, "is_authenticated", False):
        return None
    statement = built_once(("watch_of",), lambda: select(Watch).where(
        Watch.member_id == bindparam("member_id"), Watch.kind == bindparam("kind"),
        Watch.target_id == bindparam("target_id")))
    return db.scalar(statement, {"member_id": member.id, "kind": kind, "target_id": target_id})


def watch(db: Session, member: Member, kind: str, target_id: int = 0, keyword: str = "") -> Watch:
    """Start watching a thread or a space, or listening for a keyword or hashtag."""
    if kind == "keyword":
        keyword = " ".join((keyword or "").split()).lower()
        if not 2 <= len(keyword) <= 60:
            raise ValidationError(_("Check the word"),
                                  {"keyword": _("Enter a word, phrase or #hashtag of 2 to 60 characters")})
        target_id = 0
    existing = db.scalar(select(Watch).where(Watch.member_id == member.id, Watch.kind == kind,
                                             Watch.target_id == target_id, Watch.keyword == keyword))
    if existing is not None:
        return existing
    found = Watch(member_id=member.id, kind=kind, target_id=target_id, keyword=keyword)
    db.add(found)
    db.flush()
    return found


def unwatch(db: Session, member: Member, kind: str, target_id: int = 0, watch_id: int | None = None) -> None:
    """Stop watching (a thread or space by its id, or any watch by its own id)."""
    query = delete(Watch).where(Watch.member_id == member.id)
    query = query.where(Watch.id == watch_id) if watch_id else query.where(Watch.kind == kind,
                                                                          Watch.target_id == target_id)
    db.execute(query)


def set_every_post(db: Session, member: Member, watch_id: int, on: bool) -> Watch:
    """Turn mailing-list mode (every post by email) on or off for one of the member's thread or space watches."""
    found = db.scalar(select(Watch).where(Watch.id == watch_id, Watch.member_id == member.id))
    if found is None or found.kind not in ("thread", "space"):
        raise NotFound(_("You are not watching anything at this address."))
    found.every_post = on
    return found


def stop_every_post(db: Session, member_id: int, watch_id: int) -> bool:
    """Turn off one watch's mailing-list mode (its emails' one-click link); False when that watch is gone."""
    found = db.scalar(select(Watch).where(Watch.id == watch_id, Watch.member_id == member_id))
    if found is None:
        return False
    found.every_post = False
    return True


def watches(db: Session, member: Member) -> list[tuple[Watch, str]]:
    """What the member watches, each with a name to show (threads and spaces they can no longer read are left out)."""
    found = []
    for item in db.scalars(select(Watch).where(Watch.member_id == member.id).order_by(Watch.kind, Watch.created_at)):
        if item.kind == "keyword":
            found.append((item, item.keyword))
        elif item.kind == "thread":
            row = db.execute(select(Thread, Space).join(Space, Thread.space_id == Space.id)
                             .where(Thread.id == item.target_id)).first()
            if row and policy.can_view_space(member, row.Space):
                found.append((item, row.Thread.title))
        else:
            space = db.get(Space, item.target_id)
            if space and policy.can_view_space(member, space):
                found.append((item, space.name))
    return found


# -- a new post ---------------------------------------------------------------------------------------------------------

def _keyword_hits(db: Session, text: str) -> dict[int, str]:
    """Members listening for a word this text contains (whole words; hashtags match with or without #)."""
    lowered = (text or "").lower()
    hits: dict[int, str] = {}
    for item in db.scalars(select(Watch).where(Watch.kind == "keyword")):
        word = item.keyword.lstrip("#")
        if re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", lowered):
            hits.setdefault(item.member_id, item.keyword)
    return hits


def post_created(db: Session, post: Post, thread: Thread, space: Space, author: Member, links: Links,
                 site_name: str) -> list[Notification]:
    """Notify watchers, mentioned members and listeners who may read the post; watch the thread for its author."""
    if author.auto_watch:
        watch(db, author, "thread", thread.id)
    if post.awaiting_approval:
        return []  # notifications go out when a moderator approves it
    return _notify(db, post, thread, space, author.id, links, site_name)


def _notify(db: Session, post: Post, thread: Thread, space: Space, author_id: int | None, links: Links,
            site_name: str) -> list[Notification]:
    wanted: dict[int, tuple[str, str | None]] = {}

    def offer(member_id: int, kind: str, keyword: str | None = None) -> None:
        if member_id == author_id:
            return
        if member_id not in wanted or PRIORITY[kind] < PRIORITY[wanted[member_id][0]]:
            wanted[member_id] = (kind, keyword)

    for member_id in db.scalars(select(Watch.member_id).where(Watch.kind == "thread", Watch.target_id == thread.id)):
        offer(member_id, "reply")
    if thread.first_post_id == post.id:
        for member_id in db.scalars(select(Watch.member_id).where(Watch.kind == "space", Watch.target_id == space.id)):
            offer(member_id, "new_thread")
    for member_id, keyword in _keyword_hits(db, f"{thread.title}\n{post.body_source}").items():
        offer(member_id, "keyword", keyword)
    # A reply to (or quote of) a question left open in a chat tells its asker (#20).
    asker = open_questions.asker_to_tell(db, post)
    if asker is not None:
        offer(asker, "answer")
    for member in mentions.mentioned_members(db, post.body_source):
        offer(member.id, "mention")
    every_post = {member_id: item for member_id, item in _every_post_watches(db, thread, space).items()
                  if member_id != author_id}
    if not wanted and not every_post:
        return []
    members = {m.id: m for m in db.scalars(select(Member).where(Member.id.in_(list(set(wanted) | set(every_post))),
                                                                Member.state == "approved"))}
    listed: set[int] = set()
    for member_id, list_watch in every_post.items():
        member = members.get(member_id)
        if member is None or not member.email or member.email_frequency == "none" or not _may_read(member, post, thread, space):
            continue  # the same rule as notifications: only members who may read the post, and want email
        _email_every_post(db, member, list_watch, post, thread, space, links, site_name)
        listed.add(member_id)
    created = []
    for member_id, (kind, keyword) in wanted.items():
        member = members.get(member_id)
        if member is None or not _may_read(member, post, thread, space):
            continue  # only members who may read the post hear about it
        item = Notification(member_id=member.id, kind=kind, post_id=post.id, thread_id=thread.id, keyword=keyword)
        db.add(item)
        created.append(item)
        if member_id in listed:
            item.emailed_at = utcnow()  # the post itself went out by email: no second email, nor a digest entry
        elif member.email_frequency == "immediate" and member.email:
            _email_one(db, member, item, post, thread, space, links, site_name)
    db.flush()
    return created


def _may_read(member: Member, post: Post, thread: Thread, space: Space) -> bool:
    return policy.can_see_thread_exists(member, thread, space) and policy.post_state(member, post, space) == policy.SHOWN


def _every_post_watches(db: Session, thread: Thread, space: Space) -> dict[int, Watch]:
    """Who gets every post of this thread by email, each with the watch that asks for it (the thread's first)."""
    found: dict[int, Watch] = {}
    rows = db.scalars(select(Watch).where(Watch.every_post.is_(True), or_(
        and_(Watch.kind == "thread", Watch.target_id == thread.id),
        and_(Watch.kind == "space", Watch.target_id == space.id))))
    for item in sorted(rows, key=lambda w: (w.kind != "thread", w.id)):
        found.setdefault(item.member_id, item)
    return found


def _headers(member: Member, links: Links) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{links.unsubscribe(member)}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _footer(member: Member, links: Links) -> str:
    why = _("You get these emails because of your settings: %(settings)s", settings=links.settings)
    return "\n".join(("\n\n--", why, _stop_all(member, links), ""))


def _stop_all(member: Member, links: Links) -> str:
    return _("Stop all email from us with one click: %(link)s", link=links.unsubscribe(member))


# In English, as tests and callers compare it; each email says it in its reader's language: _(REPLY_LINE).
REPLY_LINE = N_("Reply to this email to post your reply in this thread, as you.")


def reply_address_for(member: Member, thread: Thread, space: Space, links: Links) -> str | None:
    """The member's reply address for this thread, if reply by email is on and they may reply there now."""
    if not policy.can_reply(member, thread, space):
        return None
    return links.reply_to(member.id, thread.id)


def _email_one(db: Session, member: Member, item: Notification, post: Post, thread: Thread, space: Space,
               links: Links, site_name: str) -> None:
    """One notification, one email; about a closed space, only a link."""
    url = links.post(post.id)
    with in_language(member.language):
        if space.is_closed:
            subject = _("New activity for you on %(site)s", site=site_name)
            body = _hello(member) + "\n\n" + _("There is something new for you in a private space:") + f"\n\n{url}"
        else:
            who = policy.byline(member, post).name
            subject = _kind_subject(item.kind, who, thread.title)[:300]
            snippet = markup.render_plain(post.body_source)[:400]
            body = (_hello(member) + "\n\n" + _kind_sentence(item.kind, who, thread.title)
                    + f"\n\n{snippet}\n\n{url}")
        headers = _headers(member, links)
        reply_to = reply_address_for(member, thread, space, links)
        if reply_to:
            headers["Reply-To"] = reply_to
            body += "\n\n" + _(REPLY_LINE)
        body += _footer(member, links)
    mail.queue(db, member.email, subject, body, headers)
    item.emailed_at = utcnow()


def _message_id(post_id: int, links: Links) -> str:
    return f"<post-{post_id}@{links.mail_domain}>"


def _email_every_post(db: Session, member: Member, list_watch: Watch, post: Post, thread: Thread, space: Space,
                      links: Links, site_name: str) -> None:
    """Mailing-list mode: the post itself, threaded under the thread's first post; about a closed space, only a link."""
    with in_language(member.language):
        subject, body, list_id = _every_post_text(member, post, thread, space, links, site_name)
    headers = {"Message-ID": _message_id(post.id, links), "List-Id": list_id,
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "Auto-Submitted": "auto-generated"}
    stop = links.stop_every_post(list_watch) if links.stop_every_post else links.unsubscribe(member)
    stop_address = links.stop_every_post_address(list_watch) if links.stop_every_post_address else None
    headers["List-Unsubscribe"] = f"<{stop}>" + (f", <mailto:{stop_address}?subject=unsubscribe>" if stop_address else "")
    if thread.first_post_id not in (None, post.id):
        references = [_message_id(thread.first_post_id, links)]
        parent_id = post.reply_to_id or post.quote_of_id  # the post it answers (an import's reply, a quote)
        parent = db.get(Post, parent_id) if parent_id not in (None, thread.first_post_id) else None
        if parent is not None and parent.thread_id == thread.id and policy.post_state(member, parent, space):
            references.append(_message_id(parent.id, links))  # only a post the member may know is there
        headers["In-Reply-To"] = references[-1]
        headers["References"] = " ".join(references)
    reply_to = reply_address_for(member, thread, space, links)
    with in_language(member.language):
        if reply_to:
            headers["Reply-To"] = reply_to
            body += "\n\n" + _(REPLY_LINE)
        if list_watch.kind == "thread":
            why = _("You get every post in this thread by email. Stop with one click: %(stop)s", stop=stop)
        else:
            why = _("You get every post in this space by email. Stop with one click: %(stop)s", stop=stop)
        footer = "\n".join(("\n\n--", why, _("Your email settings: %(settings)s", settings=links.settings),
                            _stop_all(member, links), ""))
    mail.queue(db, member.email, subject, body + footer, headers)


def _every_post_text(member: Member, post: Post, thread: Thread, space: Space, links: Links,
                     site_name: str) -> tuple[str, str, str]:
    """An every-post email's subject, text and List-Id; about a closed space, only a link."""
    url = links.post(post.id)
    if space.is_closed:
        subject = _("A thread in a private space on %(site)s (#%(id)s)", site=site_name, id=thread.id)[:300]
        body = _hello(member) + "\n\n" + _("There is a new post in a private space:") + f"\n\n{url}"
        return subject, body, f"<{space.slug}.{links.mail_domain}>"
    who = policy.byline(member, post).name
    is_first = thread.first_post_id in (None, post.id)
    # "Re:" stays as it is in every language: mail programs group a thread's emails by it.
    subject = (thread.title if is_first else f"Re: {thread.title}")[:300]
    text = markup.render_plain(post.body_source)
    if is_first:
        lead = _("%(who)s started this thread in %(space)s:", who=who, space=space.name)
    else:
        lead = _("%(who)s wrote in %(space)s:", who=who, space=space.name)
    body = lead + f"\n\n{text}\n\n" + _("On the forum: %(url)s", url=url)
    return subject, body, f"{_phrase(space.name)} <{space.slug}.{links.mail_domain}>"


def _phrase(name: str) -> str:
    """A display name for a header, quoted (the email package encodes what is not ASCII)."""
    cleaned = " ".join(name.replace("\\", " ").replace('"', "'").split())
    return f'"{cleaned}"'


def post_approved(db: Session, post: Post, thread: Thread, space: Space, links: Links, site_name: str) -> None:
    """Send the notifications a pre-moderated post held back."""
    _notify(db, post, thread, space, post.author_id, links, site_name)


# -- the notifications page ----------------------------------------------------------------------------------------------

def unread_count(db: Session, member: Member) -> int:
    statement = built_once(("unread_notifications",), _unread_statement)
    return db.scalar(statement, {"member_id": member.id}) or 0


def unread_count_column():
    """The member's unread notifications (the `member_id` parameter) as a column of another statement: a page
    that reads its own parts in one statement (read_state.thread_marks) reads the header's count with them."""
    return _unread_statement().scalar_subquery()


def _unread_statement():
    return select(func.count()).select_from(Notification).where(
        Notification.member_id == bindparam("member_id"), Notification.read_at.is_(None))


def recent(db: Session, member: Member, limit: int = 50) -> list[tuple[Notification, Space]]:
    """The member's latest notifications they may still read, with each one's space."""
    rows = db.execute(
        select(Notification, Space).join(Thread, Notification.thread_id == Thread.id)
        .join(Space, Thread.space_id == Space.id).join(Post, Notification.post_id == Post.id)
        .where(Notification.member_id == member.id, policy.shown_post_filter(member),
               policy.listed_thread_filter(member))
        .options(joinedload(Notification.post).options(joinedload(Post.author), joinedload(Post.speaker)),
                 joinedload(Notification.thread))
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    ).unique().all()
    return [(row.Notification, row.Space) for row in rows]


def mark_read(db: Session, member: Member, notification_id: int | None = None) -> None:
    query = update(Notification).where(Notification.member_id == member.id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    db.execute(query.values(read_at=utcnow()))


# -- email settings, unsubscribe, the private feed ------------------------------------------------------------------------

def set_preferences(db: Session, member: Member, frequency: str, auto_watch: bool) -> None:
    if frequency not in EMAIL_FREQUENCIES:
        raise ValidationError(_("Choose how often"), {"email_frequency": _("Choose how often we may email you")})
    member.email_frequency, member.auto_watch = frequency, auto_watch


def unsubscribe(db: Session, member_id: int) -> Member:
    member = db.get(Member, member_id)
    if member is None or member.state == "deleted":
        raise NotFound(_("This link is not valid any more."))
    member.email_frequency = "none"
    return member


def new_feed_token(db: Session, member: Member) -> str:
    """Give the member a new secret feed address; the old one stops working at once."""
    member.feed_token = secrets.token_urlsafe(32)
    return member.feed_token


def member_for_feed(db: Session, token: str) -> Member:
    member = db.scalar(select(Member).where(Member.feed_token == token)) if token else None
    if member is None or member.state != "approved":
        raise NotFound(_("There is no feed at this address."))
    return member


# -- digests ----------------------------------------------------------------------------------------------------------------

def send_digests(db: Session, frequency: str, links: Links, site_name: str, now: datetime | None = None) -> int:
    """Email each member on this frequency what is new since their last digest; return how many were sent."""
    if frequency not in ("daily", "weekly"):
        raise ValidationError(_("Choose daily or weekly."))
    now = now or utcnow()
    sent = 0
    wanted = (Member.email_frequency == frequency, Member.state == "approved", Member.email.is_not(None))
    due = db.execute(select(Member.id, Member.last_digest_at).where(*wanted).order_by(Member.id)).all()
    for member_id, seen in due:
        member = _claim_digest(db, member_id, seen, wanted)
        if member is None:
            db.rollback()  # another run (another host's cron) did this member's digest meanwhile
            continue
        policy.forget_roles(member)
        rows = db.execute(
            select(Notification, Thread, Space, Post).join(Thread, Notification.thread_id == Thread.id)
            .join(Space, Thread.space_id == Space.id).join(Post, Notification.post_id == Post.id)
            .where(Notification.member_id == member.id, Notification.digested_at.is_(None),
                   Notification.emailed_at.is_(None), Notification.created_at <= now)
            .order_by(Space.name, Thread.id, Notification.id)
        ).all()
        since = seen or member.approved_at or member.created_at
        entries = db.scalars(select(LibraryEntry).where(LibraryEntry.status == "published",
                                                        LibraryEntry.created_at > since,
                                                        LibraryEntry.created_at <= now)).all()
        readable = [(n, t, s) for n, t, s, p in rows
                    if policy.can_see_thread_exists(member, t, s) and policy.post_state(member, p, s) == policy.SHOWN]
        if readable or entries:
            addresses = {t.id: reply_address_for(member, t, s, links) for _n, t, s in readable}
            headers = _headers(member, links)
            if len(addresses) == 1 and None not in addresses.values():
                headers["Reply-To"] = next(iter(addresses.values()))  # all of it is about one thread
                addresses = {thread_id: REPLY_LINE for thread_id in addresses}
            with in_language(member.language):
                if frequency == "daily":
                    subject = _("Your daily digest from %(site)s", site=site_name)
                else:
                    subject = _("Your weekly digest from %(site)s", site=site_name)
                body = _digest_body(member, readable, entries, links, addresses) + _footer(member, links)
            mail.queue(db, member.email, subject, body, headers)
            sent += 1
        for notification, _thread, _space, _post in rows:
            notification.digested_at = now  # unreadable ones too: they must never go out later
        member.last_digest_at = now
        db.commit()
    return sent


def _claim_digest(db: Session, member_id: int, seen: datetime | None, wanted) -> Member | None:
    """Lock the member's row and return it if its digest is still as this run found it, else None.

    Several hosts may run `send-digests` at the same moment: the row lock (FOR UPDATE on PostgreSQL;
    on SQLite the command's transactions begin IMMEDIATE, one writer at a time) makes a second run
    wait until the first has committed this member's digest, and then see that `last_digest_at` has
    moved on, so each member gets one digest however many runs overlap.
    """
    member = db.scalar(select(Member).where(Member.id == member_id, *wanted).with_for_update(of=Member)
                       .execution_options(populate_existing=True))
    return member if member is not None and member.last_digest_at == seen else None


def _digest_body(member: Member, rows, entries, links: Links, addresses: dict[int, str | None]) -> str:
    """The digest's text; `addresses` holds each thread's reply address (or the reply line when it has a Reply-To)."""
    lines = [_hello(member), "", _("Here is what is new for you.")]
    if any(address and address != REPLY_LINE for address in addresses.values()):
        lines.append(_("To reply to a thread by email, write to the address under it: your reply is posted as you."))
    current = None
    for position, (notification, thread, space) in enumerate(rows):
        if space.id != current:
            current = space.id
            lines += ["", _("In %(space)s:", space=space.name)]
        url = links.post(notification.post_id)
        if space.is_closed:
            lines.append("- " + _("Something new in a private space: %(url)s", url=url))
        else:
            lines.append("- " + _digest_line(notification, thread.title, url))
        last_of_thread = position + 1 == len(rows) or rows[position + 1][1].id != thread.id
        address = addresses.get(thread.id)
        if last_of_thread and address:
            lines.append("  " + (_(REPLY_LINE) if address == REPLY_LINE
                                 else _("Reply by email: %(address)s", address=address)))
    if entries:
        lines += ["", _("New in the good-practice library:")]
        lines += [f"- {entry.title}: {links.library(entry.id)}" for entry in entries]
    return "\n".join(lines)


def _digest_line(notification: Notification, title: str, url: str) -> str:
    """One digest entry: what happened, in which thread, and its link."""
    kind = notification.kind
    if kind == "answer":
        return _("Your question was answered in %(title)s: %(url)s", title=title, url=url)
    if kind == "reply":
        return _("New reply in %(title)s: %(url)s", title=title, url=url)
    if kind == "new_thread":
        return _("New thread: %(title)s: %(url)s", title=title, url=url)
    if kind == "mention":
        return _("You were mentioned in %(title)s: %(url)s", title=title, url=url)
    return _("“%(keyword)s” came up in %(title)s: %(url)s", keyword=notification.keyword, title=title, url=url)
