"""The home page's and a space's lists, made once for every reader of a class and kept (#19).

A signed-in member's page is never cached whole (their name, forms and marks are on it), but most of
the home page (this week's chat, the spaces, the latest threads) and of a space's page (its table of
threads) is the same for everyone who may read the same spaces: `policy.list_class` says who that
is. Those parts are made from `templates/forum/_lists.html` for the class, with no reader, and kept
in the page cache's store (forum/cache.py), under a key made of the class, what the part shows (a
space and page), the language, the address the forum is served at, and the `site` and `latest`
tokens, which every write that could change a list changes in its own transaction: a kept part is
never stale, and the tokens are read before the part is made, as for whole pages.

What is the reader's own is never kept: each thread leaves a mark where its "N new" goes, filled for
each request from one query (`lists.new_posts_in`), which also tells whether the reader has waiting
threads of their own that their lists would show; then, or when a list shows one of their own posts
without their name, or when they belong to no class (hosts, moderators), or the cache is off, the
lists are made for them alone, as before.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from flask import current_app, get_template_attribute, request
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from forum import cache as page_cache
from forum import i18n, policy
from forum.models import Space
from forum.services import lists, reading
from forum.services.pages import check_page_number

TEMPLATE = "forum/_lists.html"
SCOPES = [page_cache.SITE, page_cache.LATEST]
_MARK = re.compile(r"<!--forum:new:([0-9]+)-->")


def _macro(name: str):
    return get_template_attribute(TEMPLATE, name)


@dataclass
class HomeLists:
    """The home page's lists, as this reader sees them."""

    week: Markup
    spaces: Markup
    latest: Markup


@dataclass
class SpaceListing:
    """A space's table of threads (with its pages' links), as this reader sees it."""

    table: Markup
    has_threads: bool
    number: int


# -- the home page -------------------------------------------------------------------------------------------

def home(db: Session, viewer) -> HomeLists:
    """This week's chat, the spaces and the latest threads, as the viewer sees them."""
    shared = _shared(db, viewer, "home", (), lambda: _home_for_class(db, viewer))
    if shared is not None:
        chat_id = shared["chat_id"]
        new_posts, own_waiting = lists.new_posts_in(db, viewer, shared["ids"], "chat", chat_id)
        if not own_waiting:
            titles = shared["titles"]
            return HomeLists(*(_fill(shared[part], titles, new_posts) for part in ("week", "spaces", "latest")))
    spaces = reading.listed_spaces(db, viewer)
    readable = {space.id for space in spaces if policy.can_view_space(viewer, space)}
    threads, new_posts = reading.latest_threads(db, viewer)
    week = reading.this_weeks_chat(db, viewer)
    return HomeLists(_macro("week_section")(week, week.new_posts),
                     _macro("spaces_section")(spaces, readable, getattr(viewer, "is_admin", False)),
                     _macro("latest_list")(threads, new_posts))


def _home_for_class(db: Session, viewer) -> dict:
    spaces = reading.listed_spaces(db, viewer)
    readable = {space.id for space in spaces if policy.can_view_space(viewer, space)}
    threads = lists.latest_threads(db, viewer)
    week = lists.this_weeks_chat(db, viewer)
    shown = [*week.threads, *threads]
    return {
        "week": str(_macro("week_section")(week, None)),
        "spaces": str(_macro("spaces_section")(spaces, readable, False)),
        "latest": str(_macro("latest_list")(threads, None)),
        "ids": sorted({thread.id for thread in shown}),
        "titles": {thread.id: thread.title for thread in shown},
        "chat_id": week.chat.id if week.chat else None,
    }


# -- a space's page ------------------------------------------------------------------------------------------

def space_listing(db: Session, viewer, space: Space, number: int, per_page: int,
                  found: dict[str, str] | None = None) -> SpaceListing:
    """One page of a space's threads as the viewer sees it (NotFound for a page that does not exist). `found`:
    the tokens of SCOPES, when they were read with the space (reading.get_listed_space_and_parts)."""
    number = check_page_number(number, space.thread_count, per_page)
    shared = _shared(db, viewer, "space", (space.id, number, per_page),
                     lambda: _space_for_class(db, viewer, space, number, per_page), found)
    if shared is not None and not policy.listing_is_personal(viewer, shared["anonymous_authors"]):
        new_posts, own_waiting = lists.new_posts_in(db, viewer, shared["ids"], "space", space.id)
        if not own_waiting:
            return SpaceListing(_fill(shared["table"], shared["titles"], new_posts), bool(shared["ids"]), number)
    threads, new_posts = reading.space_threads(db, viewer, space, number, per_page)
    table = _macro("space_threads")(space, threads, new_posts, viewer) if threads.items else Markup("")
    return SpaceListing(table, bool(threads.items), threads.number)


def _space_for_class(db: Session, viewer, space: Space, number: int, per_page: int) -> dict:
    threads = lists.space_threads(db, viewer, space, number, per_page)
    return {
        "table": str(_macro("space_threads")(space, threads, None, None)) if threads.items else "",
        "ids": [thread.id for thread in threads.items],
        "titles": {thread.id: thread.title for thread in threads.items},
        # Posts without their author's name: their author alone sees them as their own (policy.byline).
        "anonymous_authors": sorted({thread.last_post.author_id for thread in threads.items
                                     if thread.last_post is not None and thread.last_post.anonymous
                                     and thread.last_post.author_id is not None}),
    }


# -- keeping and filling -------------------------------------------------------------------------------------

def _shared(db: Session, viewer, kind: str, what: tuple, make, found: dict[str, str] | None = None) -> dict | None:
    """The kept lists of the viewer's class (made and kept if need be); None: make them for the viewer alone.
    `found`: the tokens of SCOPES if the page read them already (with the space), else they are read here."""
    store = current_app.extensions.get("forum_page_cache")
    group = policy.list_class(viewer)
    if store is None or group is None:
        return None
    if found is None:  # before the content, so a key never names content older than itself
        found = page_cache.tokens(db, SCOPES)
    elif page_cache.SITE not in found:
        found = None
    if found is None:
        return None
    parts = [request.host_url, request.root_path, kind, group, *map(str, what), i18n.current_language(),
             *(f"{scope}={found.get(scope, '-')}" for scope in SCOPES)]
    key = "lists:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]
    kept = page_cache.stored(store, key)  # a store that does not answer (Redis down): the lists are made
    if kept is None:
        kept = make()
        page_cache.store(store, key, kept)
    return kept


def _fill(html: str, titles: dict[int, str], new_posts: dict[int, int]) -> Markup:
    """The kept HTML with each thread's mark replaced by the reader's "N new" (or nothing)."""
    if not new_posts:
        return Markup(_MARK.sub("", html))
    tag = _tag_shape()

    def replace(match: re.Match) -> str:
        thread_id = int(match.group(1))
        count = new_posts.get(thread_id)
        if not count:
            return ""
        if tag is None:
            return f" {_macro('new_posts_tag')(thread_id, titles[thread_id], count)}"
        return " " + (tag.replace(_ID, str(thread_id)).replace(_COUNT, str(count))
                      .replace(_TITLE, str(escape(titles[thread_id]))))

    return Markup(_MARK.sub(replace, html))


# Stand-ins for a thread's "N new" tag, made from the template once per language (`_tag_shape`) and
# filled per thread: a macro call per thread was a tenth of a space page's time. The numbers are digits
# only, so that url_for takes them; the title's stand-in is plain letters, so escaping leaves it as it is.
_ID, _COUNT, _TITLE = "975319024681", "864201357913", "ForumTitleStandIn"


def _tag_shape() -> str | None:
    """The tag with stand-ins, or None when it does not show each once (a translation that repeats the title):
    then each tag is made by the macro. Made once per language and address in this app (templates that reload
    on change: each time)."""
    made_once = current_app.extensions.setdefault("forum_new_posts_tag", {})
    key = (i18n.current_language(), request.root_path)
    if key in made_once:
        return made_once[key]
    shape = str(_macro("new_posts_tag")(int(_ID), _TITLE, int(_COUNT)))
    shape = shape if all(shape.count(stand_in) == 1 for stand_in in (_ID, _COUNT, _TITLE)) else None
    if not current_app.jinja_env.auto_reload:
        made_once[key] = shape
    return shape
