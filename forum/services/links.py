"""Links shared in chats: found in posts as they are written, merged by normal form, read through the policy.

How a URL is normalised (so that the same page shared twice, in two chats, counts once with a count
of two):

- the scheme and host are lower-cased, a default port (80 for http, 443 for https) and any user name
  or password are dropped;
- a leading ``www.`` is dropped from the host: ``www.example.org`` and ``example.org`` are the same
  site on every council and charity site we have seen, and people type both;
- the fragment (``#...``) is dropped, and so are tracking parameters (``utm_*``, ``fbclid``, ``gclid``,
  ``mc_*``); the other parameters keep their order;
- a trailing slash is dropped (``/guide/`` and ``/guide`` merge; the bare site is ``https://example.org``).

http and https stay apart (they can be different pages). Shortened ``t.co`` links are kept as they
are: resolving them needs the network, which the forum never calls.

Only links a post makes itself count: a link inside a quote of another post is that post's link.
Which links a viewer sees is never stored: every read joins the post, its thread and its space and
asks the policy (`shown_post_filter`, `listed_thread_filter`), so a link in a hidden, deleted,
waiting or removed post, or in a closed space, reaches only those who may read the post's words.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from flask_babel import gettext as _
from sqlalchemy import Connection, and_, event, delete, distinct, func, insert, or_, select, tuple_
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import get_history

from forum import policy
from forum.db import utcnow
from forum.errors import NotFound
from forum.models import Chat, LibraryTag, Link, Member, Post, Space, Thread, chat_tags, thread_tags
from forum.services.pages import Page, check_page_number

PER_PAGE = 30
FEED_SIZE = 50
MAX_URL = 2000      # longer URLs are not links anyone shares; they are skipped
DEFAULT_PORTS = {"http": 80, "https": 443}
TRACKING = ("utm_", "mc_")
TRACKING_NAMES = {"fbclid", "gclid"}
_TRACKED = re.compile(r"(?:^|&)(?:utm_|mc_|fbclid|gclid)", re.IGNORECASE)


# -- finding links ---------------------------------------------------------------------------------------------

def normalise(url: str) -> tuple[str, str] | None:
    """The normal form of an http(s) URL and its domain, or None for anything else (see the module's notes)."""
    url = (url or "").strip()
    if not url or len(url) > MAX_URL:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in DEFAULT_PORTS or not host:
        return None
    if host.startswith("www."):
        host = host[4:]
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = parts.query
    if query and _TRACKED.search(query):
        # The other parameters stay exactly as written (their order and encoding are the page's business).
        query = "&".join(pair for pair in query.split("&")
                         if (name := pair.split("=", 1)[0].lower()) not in TRACKING_NAMES
                         and not name.startswith(TRACKING))
    return urlunsplit((scheme, netloc, path, query, "")), host


def url_key(normal: str) -> str:
    """The key that groups a normal URL's shares (a hash: URLs are too long to index as they are)."""
    return hashlib.sha1(normal.encode("utf-8")).hexdigest()


# Stored HTML is what markup.render made (nh3's serialisation: attributes double-quoted, values escaped),
# so a pattern reads it as well as a parser, at a fraction of the cost on a 5,000-post import.
_TAGS = re.compile(r'<(/?)blockquote\b[^>]*>|<a\s[^>]*?\bhref="([^"]*)"', re.IGNORECASE)


def _hrefs(body_html: str) -> list[str]:
    """The hrefs of the links in stored post HTML, leaving out those inside quotes."""
    found, quoted = [], 0
    for match in _TAGS.finditer(body_html):
        if match.group(2) is None:
            quoted = max(0, quoted - 1) if match.group(1) else quoted + 1
        elif not quoted:
            found.append(html.unescape(match.group(2)))
    return found


def find_links(body_html: str) -> list[tuple[str, str, str]]:
    """The distinct links a post's stored HTML shares: (normal URL, URL as posted, domain), in order."""
    if not body_html or "<a" not in body_html:
        return []
    found: dict[str, tuple[str, str, str]] = {}
    for href in _hrefs(body_html):
        normal = normalise(href)
        if normal is not None and normal[0] not in found:
            found[normal[0]] = (normal[0], href.strip(), normal[1][:255])
    return list(found.values())


def link_rows(posts: Iterable[tuple], skip: frozenset[str] = frozenset()) -> list[dict]:
    """The forum_link rows for (post id, stored HTML[, when the forum learnt of it]) tuples, but not `skip`'s."""
    now = utcnow()
    return [{"post_id": post[0], "url_key": url_key(normal), "url": normal, "shown_url": shown, "domain": domain,
             "added_at": post[2] if len(post) > 2 else now}
            for post in posts for normal, shown, domain in find_links(post[1])
            if not skip or message_key(normal) not in skip]


def add_links(connection: Connection | Session, posts: Iterable[tuple], skip: frozenset[str] = frozenset()) -> int:
    """Store the links of new posts (id, stored HTML) in one INSERT; return how many.

    `skip`: the chat's own messages (`own_messages`), which an imported post links to when it quotes
    one (a quote on X is a link to the quoted post): quoting is not sharing a link.
    """
    rows = link_rows(posts, skip)
    if rows:
        connection.execute(insert(Link.__table__), rows)
    return len(rows)


X_HOSTS = {"twitter.com": "x.com", "mobile.twitter.com": "x.com"}


def message_key(normal: str) -> str:
    """A post's address as quotes name it: either scheme, twitter.com or x.com, /statuses/ or /status/."""
    parts = urlsplit(normal)
    host = X_HOSTS.get(parts.netloc, parts.netloc)
    return urlunsplit(("https", host, parts.path.replace("/statuses/", "/status/"), parts.query, ""))


def own_messages(source_urls: Iterable[str | None]) -> frozenset[str]:
    """The addresses of a chat's own messages (by `message_key`), which its posts link to when they quote each other."""
    return frozenset(message_key(found[0]) for url in source_urls if url and (found := normalise(url)) is not None)


def relink(connection: Connection | Session, post_ids: Iterable[int]) -> None:
    """Find the links of these posts again from their stored HTML (after an edit or a deletion)."""
    ids = sorted({i for i in post_ids if i is not None})
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        connection.execute(delete(Link.__table__).where(Link.__table__.c.post_id.in_(chunk)))
        posts = connection.execute(select(Post.__table__.c.id, Post.__table__.c.body_html)
                                   .where(Post.__table__.c.id.in_(chunk))).all()
        add_links(connection, posts)


def rebuild(db: Session, batch: int = 2000) -> int:
    """Find every stored post's links again (`flask forum relink`); return how many links there are.

    Each link counts as added when its post was written, so the feed of new links is not flooded.
    """
    db.execute(delete(Link))
    own = own_messages(db.scalars(select(Post.source_url).where(Post.source_url.is_not(None))))
    last, total = 0, 0
    while True:
        rows = db.execute(select(Post.id, Post.body_html, Post.created_at).where(Post.id > last)
                          .order_by(Post.id).limit(batch)).all()
        if not rows:
            return total
        total += add_links(db, rows, own)
        last = rows[-1][0]


# -- kept in step with every write ----------------------------------------------------------------------------

def _after_flush(session: Session, _context) -> None:
    """Store the links of posts this flush added, and find those of posts whose words changed again."""
    new = [(obj.id, obj.body_html) for obj in session.new if isinstance(obj, Post)]
    changed = [obj.id for obj in session.dirty
               if isinstance(obj, Post) and obj not in session.deleted and get_history(obj, "body_html").has_changes()]
    if not (new or changed):
        return
    connection = session.connection()
    relink(connection, changed)
    add_links(connection, new)


_registered = False


def register_listeners() -> None:
    """Listen to every Session's flushes (once per process). The import adds its posts' links itself, a
    batch at a time (`add_links`); hidden, deleted and moved posts need nothing: reads ask the policy."""
    global _registered
    if not _registered:
        event.listen(Session, "after_flush", _after_flush)
        _registered = True


# -- reading links, through the policy --------------------------------------------------------------------------

def _visible(viewer):
    """Posts whose words the viewer sees, in threads they may know of (Post joined to Thread and Space)."""
    return and_(policy.shown_post_filter(viewer), policy.listed_thread_filter(viewer))


def _joined(query):
    return query.join(Post, Link.post_id == Post.id).join(Thread, Post.thread_id == Thread.id) \
        .join(Space, Thread.space_id == Space.id)


@dataclass
class SharedLink:
    """A link as the viewer may see it: where and when it was (first) shared, and how often it came up."""

    url: str                  # the normal form
    shown_url: str            # as it was posted
    domain: str
    shared_by: policy.Byline  # the first share's author, as the policy lets the viewer see them
    post_id: int
    thread_id: int
    thread_title: str
    shared_at: datetime
    times: int                # shares the viewer can see, in every chat and thread
    chats: int                # chats those shares were in
    here: int = 1             # shares in this chat
    added_at: datetime | None = None  # when the forum learnt of it (an import adds old posts today)


def _counts(db: Session, viewer, keys: list[str]) -> dict[str, tuple[int, int]]:
    """For these URL keys: (shares, chats) among the posts the viewer may read."""
    if not keys:
        return {}
    rows = db.execute(_joined(select(Link.url_key, func.count(distinct(Post.id)), func.count(distinct(Thread.chat_id))))
                      .where(Link.url_key.in_(keys), _visible(viewer)).group_by(Link.url_key)).all()
    return {key: (times, chats) for key, times, chats in rows}


def _with_authors(query):
    return query.options(joinedload(Post.author).joinedload(Member.organisation), joinedload(Post.speaker))


def chat_links(db: Session, viewer, chat: Chat) -> list[SharedLink]:
    """Every link shared in a chat's threads that the viewer may see, in the order first shared (two queries)."""
    rows = db.execute(_with_authors(_joined(select(Link, Post, Thread)))
                      .where(Thread.chat_id == chat.id, _visible(viewer))
                      .order_by(Post.created_at, Post.id, Link.id)).unique().all()
    found: dict[str, SharedLink] = {}
    for link, post, thread in rows:
        if link.url_key in found:
            found[link.url_key].here += 1
            continue
        found[link.url_key] = SharedLink(link.url, link.shown_url, link.domain, policy.byline(viewer, post), post.id,
                                         thread.id, thread.title, post.created_at, 1, 1)
    counts = _counts(db, viewer, list(found))
    for key, item in found.items():
        item.times, item.chats = counts.get(key, (item.here, 1))
    return list(found.values())


def _service_area(db: Session, slug: str | None) -> LibraryTag | None:
    if not slug:
        return None
    tag = db.scalar(select(LibraryTag).where(LibraryTag.slug == slug))
    if tag is None:
        raise NotFound(_("There is no such service area."))
    return tag


def _on_topic(tag: LibraryTag):
    """A WHERE clause on Thread: the thread, or its chat, carries this service area."""
    return or_(Thread.id.in_(select(thread_tags.c.thread_id).where(thread_tags.c.tag_id == tag.id)),
               Thread.chat_id.in_(select(chat_tags.c.chat_id).where(chat_tags.c.tag_id == tag.id)))


def all_links(db: Session, viewer, *, service_area: str | None = None, query: str | None = None,
              page: int = 1, most_shared: bool = False) -> Page[SharedLink]:
    """Links shared anywhere the viewer may read, one entry per normal URL, latest (or most shared) first.

    `service_area` is a library tag's slug (a thread's or its chat's topic); `query` matches the URL, its
    domain and the question's title. Three queries whatever the page holds.
    """
    tag = _service_area(db, service_area)
    last_post = func.max(Post.id)
    grouped = _joined(select(Link.url_key.label("key"), func.count(distinct(Post.id)).label("times"),
                             func.count(distinct(Thread.chat_id)).label("chats"),
                             func.max(Post.created_at).label("last"), last_post.label("post_id"))) \
        .where(_visible(viewer)).group_by(Link.url_key)
    if tag is not None:
        grouped = grouped.where(_on_topic(tag))
    words = " ".join((query or "").split()).lower()
    if words:
        grouped = grouped.where(or_(func.lower(Link.url).contains(words, autoescape=True),
                                    func.lower(Thread.title).contains(words, autoescape=True)))
    total = db.scalar(select(func.count()).select_from(grouped.subquery())) or 0
    number = check_page_number(page, total, PER_PAGE)
    order = (func.count(distinct(Post.id)).desc(), func.max(Post.created_at).desc()) if most_shared \
        else (func.max(Post.created_at).desc(),)
    rows = db.execute(grouped.order_by(*order, Link.url_key).offset((number - 1) * PER_PAGE).limit(PER_PAGE)).all()
    pairs = [(row.post_id, row.key) for row in rows]
    shares = {(link.post_id, link.url_key): (link, post, thread) for link, post, thread in db.execute(
        _with_authors(_joined(select(Link, Post, Thread))).where(tuple_(Link.post_id, Link.url_key).in_(pairs))
    ).unique().all()} if pairs else {}
    items = []
    for row in rows:
        link, post, thread = shares[(row.post_id, row.key)]
        items.append(SharedLink(link.url, link.shown_url, link.domain, policy.byline(viewer, post), post.id,
                                thread.id, thread.title, row.last, row.times, row.chats, row.times))
    return Page(items, number, PER_PAGE, total)


def new_links(db: Session, viewer, limit: int = FEED_SIZE) -> list[SharedLink]:
    """The links most recently added to the forum that the viewer may see, newest first (for the feed)."""
    rows = db.execute(_with_authors(_joined(select(Link, Post, Thread))).where(_visible(viewer))
                      .order_by(Link.added_at.desc(), Link.id.desc()).limit(limit)).unique().all()
    return [SharedLink(link.url, link.shown_url, link.domain, policy.byline(viewer, post), post.id, thread.id,
                       thread.title, post.created_at, 1, 1, added_at=link.added_at) for link, post, thread in rows]


def link_entry_id(item: SharedLink) -> str:
    """A feed entry's id that never changes: the share (post and URL), not the page it is listed on."""
    return f"{item.post_id}-{url_key(item.url)[:16]}"
