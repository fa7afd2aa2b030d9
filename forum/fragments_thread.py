"""A thread page's post cards, stored for the readers of a class, and the page's rows and cards kept whole (#19).

**Cards.** Each post's card is stored for the readers of a class (`policy.card_class`) under a key made of
what it shows (forum/cache.py's `card_keys`: the `site` token, the language, every shown column of the post
and of the post it replies to). What is personal to a reader (`policy.card_is_personal`, the posts they
saved) and every card of those who moderate the space is stored for them alone (`policy.own_card_class`).
The reader's CSRF token is filled in per request.

**The kept page.** For the readers of a class, a page of a thread (its rows, in order, and each post's card
for the class) is kept whole in the page cache's store, under a key made of the class, the thread, the page
and its size, the language, the address the forum is served at, the card template, and the `site` and
`thread:<id>` tokens: every change a page shows (a post, its thread, a name, the library) changes one of
these in its own transaction, and the tokens are read before what they key, so a kept page is never stale.
A reader is given it when the rows are theirs too: not when they have waiting or rejected posts in the
thread that only they are shown (`ThreadMarks.own_unlisted`); then, and for readers of no class (hosts,
moderators) or with the cache off, the page is read for them alone. Their own cards come from the card
store as above, never from the kept page: a card personal to whoever made the kept page is not kept in it.

**The whole page.** Around a kept page's posts, the rest of the page its readers share is rendered once and
kept in the process (`whole_page`, forum/frames.py), cut where each reader's own parts go (header, posts,
Watch buttons, unread jump, reply fields, footer); each request puts in its reader's. The kept page's rows and class cards
are kept with it, so the next reader's posts are joined from them (`class_posts`) with their own cards from
the card store, as above; a card the maker could not keep (theirs) is filled in by the next reader's view.
"""

from __future__ import annotations

import functools
import hashlib
from collections import namedtuple

from collections.abc import Callable

from flask import current_app, g, get_template_attribute, request
from markupsafe import Markup
from sqlalchemy.orm import Session

from forum import cache as page_cache
from forum import frames, i18n, policy
from forum.models import Space, Thread
from forum.services import library, mentions, reading, saved
from forum.services.read_state import ThreadMarks


def post_cards(db: Session, viewer, view: reading.ThreadView, can_reply: bool, marks: ThreadMarks) -> dict[int, str]:
    """The page's post cards, by post id, from the card store where they are there, else made now and stored
    (with the CSRF placeholder, which `in_order` fills in)."""
    rows = view.posts.items
    saved_ids = saved.saved_ids(db, viewer, [row.id for row in rows]) if marks.saved_any else set()
    enabled = page_cache.cards_enabled()
    shared_class = policy.card_class(viewer, view.thread, view.space) if enabled else None
    cards = _cards(db, viewer, view.thread, view.space, can_reply, rows, saved_ids,
                   shared_class, policy.own_card_class(viewer, view.thread, view.space) if enabled else None)
    g.forum_cards_stored = cards.stored
    return cards.html


class _Made:
    """Cards by post id (with the CSRF placeholder), and how many came from the store."""

    def __init__(self, html: dict[int, str], stored: int):
        self.html, self.stored = html, stored


def _cards(db: Session, viewer, thread: Thread, space: Space, can_reply: bool, rows, saved_ids: set[int],
           shared_class: str | None, own_class: str | None) -> _Made:
    """These rows' cards: a row personal to the viewer (or saved by them) under their own class, any other
    under the shared class; from the store where they are there, else made and stored."""
    if not rows:  # a kept page's every card was in it, and none is the viewer's own
        return _Made({}, 0)
    classes = {}
    for row in rows:
        if row.id in saved_ids or shared_class is None or policy.card_is_personal(viewer, row.author_id,
                                                                                  row.parent_author_id):
            if own_class is not None:
                classes[row.id] = f"{own_class}:{'saved' if row.id in saved_ids else 'not-saved'}", tuple(row)
        else:
            classes[row.id] = shared_class, tuple(row)
    keys = page_cache.card_keys(db, classes) if classes else {}
    cards = page_cache.stored_parts(keys)
    stored = len(cards)
    wanted = [row.id for row in rows if row.id not in cards]
    if wanted:
        posts = reading.posts_by_id(db, wanted)
        promoted = library.promoted_post_ids(db, wanted)
        links = mentions.links_for(db, viewer, [p.body_html for p in posts.values()])
        card, placeholder = get_template_attribute("forum/macros.html", "post_card"), page_cache.card_placeholder()
        made = {i: str(card(posts[i], thread, space, viewer, can_reply, i in promoted, i in saved_ids, links,
                            csrf=placeholder)) for i in wanted if i in posts}
        page_cache.store_parts({keys[i]: html for i, html in made.items() if i in keys})
        cards.update(made)
    return _Made(cards, stored)


def in_order(viewer, rows, cards: dict[int, str], marks: ThreadMarks) -> Markup:
    """The page's cards in order, with the divider before the first post new to the reader (if they had read
    some of the thread before), and the reader's CSRF token in their Save forms: joined here, not by the
    template, 50 times a page, and the token filled in once for the page, not per card."""
    divider = marks.first_unread_id if marks.read_before else None
    parts = []
    for row in rows:
        if row.id == divider:
            parts.append(str(get_template_attribute("forum/macros.html", "new_divider")()))
        parts.append(cards[row.id])
    html = "\n".join(parts)
    if viewer.is_authenticated:  # the Save forms' token is the reader's own
        html = page_cache.with_token(html)
    return Markup(html)  # noqa: S704  (cards and the divider made by the templates)


# -- the kept page -------------------------------------------------------------------------------------------

class KeptPage:
    """A page's rows as the reader's class is given them, and its cards for this reader (with the CSRF
    placeholder, which `in_order` fills in); `key`: the kept page's, which names all that the class shares;
    `class_cards`: the cards as the class is given them, by post id (None for a post personal to whoever
    made the kept page, until another reader's view fills it in)."""

    def __init__(self, rows: list, cards: dict[int, str], key: str, class_cards: dict[int, str | None]):
        self.rows, self.cards, self.key, self.class_cards = rows, cards, key, class_cards


def page_key(viewer, thread: Thread, space: Space, number: int, per_page: int, marks: ThreadMarks,
             found: dict[str, str]) -> str | None:
    """The key of the page kept for the viewer's class; None when the page must be read for the viewer alone
    (see the module docstring). `found`: the `site` and thread's tokens, read with the thread
    (reading.get_thread_and_tokens), before the content they key."""
    shared_class = policy.card_class(viewer, thread, space)
    if (current_app.extensions.get("forum_page_cache") is None or shared_class is None or marks.own_unlisted
            or page_cache.SITE not in found):
        return None
    scopes = [page_cache.SITE, page_cache.thread_scope(thread.id)]
    # The cards' keys name the same `site` token as the page kept, never an older one: a visitor's page whose
    # tokens were read before (forum/cache.py's `page`) may hold newer parts, never older.
    g.forum_page_tokens = found
    parts = [request.host_url, request.script_root, "thread", shared_class, str(thread.id), str(number), str(per_page),
             i18n.current_language(), page_cache.macro_fingerprint(), *(f"{s}={found.get(s, '-')}" for s in scopes)]
    return "thread:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]


def kept_page(db: Session, viewer, thread: Thread, space: Space, number: int, per_page: int, can_reply: bool,
              marks: ThreadMarks, key: str | None) -> KeptPage | None:
    """The page's rows and cards from the page kept for the viewer's class under `key` (kept now if it was
    not); None when there is no key (`page_key`): the page is read for the viewer alone."""
    if key is None:
        return None
    store = current_app.extensions["forum_page_cache"]
    shared_class = policy.card_class(viewer, thread, space)
    kept = page_cache.stored(store, key)
    g.forum_page_kept = "kept" if kept is None else "hit"
    if kept is None:
        rows = reading.class_page_rows(db, viewer, thread, space, number, per_page)
        kept_cards: dict[int, str | None] = {}
    else:
        fields, values, kept_cards = kept
        rows = [_row_type(fields)._make(value) for value in values]
    ids = [row.id for row in rows]
    own_rows, saved_ids = _own_rows(db, viewer, rows, marks)
    own = {row.id for row in own_rows}
    shared_rows = [row for row in rows if row.id not in own and kept_cards.get(row.id) is None]
    made_shared = _cards(db, viewer, thread, space, can_reply, shared_rows, set(), shared_class, None)
    made_own = _cards(db, viewer, thread, space, can_reply, own_rows, saved_ids, None,
                      policy.own_card_class(viewer, thread, space))
    if shared_rows or kept is None:  # kept afresh, or a card its maker could not keep (theirs) is there now
        kept_cards = {i: kept_cards.get(i) or made_shared.html.get(i) for i in ids}
        page_cache.store(store, key, (rows[0]._fields if rows else (), [tuple(row) for row in rows], kept_cards))
    g.forum_cards_stored = (len(ids) - len(own) - len(shared_rows)) + made_shared.stored + made_own.stored
    cards = {i: kept_cards[i] for i in ids if i not in own}
    cards.update(made_own.html)
    return KeptPage(rows, cards, key, kept_cards)


def _own_rows(db: Session, viewer, rows, marks: ThreadMarks) -> tuple[list, set[int]]:
    """The rows whose cards are the viewer's own (`policy.card_is_personal`, or saved by them: made for them
    alone, under `policy.own_card_class`), and the ids of the ones they saved."""
    saved_ids = saved.saved_ids(db, viewer, [row.id for row in rows]) if marks.saved_any else set()
    own = [row for row in rows
           if row.id in saved_ids or policy.card_is_personal(viewer, row.author_id, row.parent_author_id)]
    return own, saved_ids


@functools.lru_cache(maxsize=8)
def _row_type(fields: tuple[str, ...]):
    """A light row with the kept columns as attributes (a stored page keeps plain tuples, not SQLAlchemy rows)."""
    return namedtuple("KeptRow", fields)


# -- the page made whole for a class -------------------------------------------------------------------------


class _ClassPosts:
    """A kept page's rows and its cards as the class is given them (None where a card was personal to whoever
    made it), kept with the page made whole (forum/frames.py)."""

    def __init__(self, rows: list, cards: dict[int, str | None]):
        self.rows, self.cards = rows, cards
        self.holes = sum(card is None for card in cards.values())


def whole_shape(viewer, key: str | None, can_moderate: bool, can_reply: bool) -> tuple | None:
    """What a page kept whole is kept under (forum/frames.py): the kept page's key (`page_key`: class, thread,
    page, language, tokens), whether the reader moderates the space and whether they may reply. None, and the
    page is made for the reader alone, when there is no kept page for them."""
    return None if key is None else frames.shape("thread", viewer, key, can_moderate, can_reply)


def kept_whole(shape: tuple | None) -> frames.Frame | None:
    """The page kept whole under `shape` in this process, if there is one."""
    return frames.kept(shape)


ReadyPosts = namedtuple("ReadyPosts", "rows html")


def class_posts(db: Session, whole: frames.Frame | None, viewer, thread: Thread, space: Space, can_reply: bool,
                marks: ThreadMarks) -> ReadyPosts | None:
    """The page's rows and its posts' HTML for this reader, from the page kept whole: the class's cards, and
    theirs (their posts, posts answering theirs, posts they saved) from the card store as in `kept_page`; None
    when the page kept whole has no posts, or lacks a card of the class's that this reader is given."""
    posts = whole.extra if whole is not None else None
    if posts is None:
        return None
    rows = posts.rows
    own, saved_ids = _own_rows(db, viewer, rows, marks)
    cards = posts.cards
    if own or posts.holes:
        own_ids = {row.id for row in own}
        if posts.holes and any(card is None and i not in own_ids for i, card in cards.items()):
            return None
        made = _cards(db, viewer, thread, space, can_reply, own, saved_ids, None,
                      policy.own_card_class(viewer, thread, space))
        cards = {**cards, **made.html}
        g.forum_cards_stored = len(rows) - len(own) + made.stored
    else:
        g.forum_cards_stored = len(rows)
    g.forum_page_kept, g.forum_page_whole = "hit", "hit, with its posts"
    return ReadyPosts(rows, in_order(viewer, rows, cards, marks))


def whole_page(shape: tuple | None, whole: frames.Frame | None, kept: KeptPage | None,
               own: dict[str, Markup | None], make: Callable[[dict], str]) -> str:
    """The thread page: `make(parts)` renders it with the reader's own parts (`own`: posts, watch, jump, reply;
    the header and footer come from forum/chrome.py). Under a `shape` (`whole_shape`), what is not a reader's
    own is rendered once and kept in this process with `kept`'s rows and class cards (forum/frames.py)."""
    posts = _ClassPosts(kept.rows, kept.class_cards) if kept is not None else None
    if whole is not None and posts is not None and (whole.extra is None or posts.holes < whole.extra.holes):
        whole.extra = posts  # a reader filled in cards its maker could not keep
    return frames.page(shape, whole, own, make, extra=posts)
