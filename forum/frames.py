"""Pages rendered once for everyone given the same page, with each reader's own parts put in (#19).

Most of a signed-in reader's thread, space or home page is what every reader in the same state is given:
the title, the counts, the links and buttons their rights give them. Rendering it again for each request
was a quarter of a signed-in page's time. So a page is rendered once per *shape* and kept in this process,
cut where each reader's own parts go (the header and footer from forum/chrome.py, and what the page names:
a thread's posts and Watch buttons, a space's table of threads with the reader's "N new"); each request
joins the kept pieces with its reader's parts and puts in their CSRF token.

A shape is every value the page's template reads that is not one of the reader's own parts: the page says
what its view gives the template (`shape(kind, viewer, *values)`), and every shape also holds the address
(with its query), the language, the site's name and the reader's account state, which the layout shows.
Two readers with the same shape are given the same page around their own parts, and a change to anything
the page shows changes its shape, so a kept page is never stale. There is no shape (the page is made for
the reader alone) when the page cache is off, when a message was flashed for the reader, while templates
reload on change (development), or under a host app's own base template, which may show its own user.

What is kept is bounded: `LIMIT` pages, the one kept longest ago making way for a new one.
"""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Callable

from flask import current_app, g, make_response, request, session as flask_session
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import inspect

from forum import cache as page_cache
from forum import i18n

# Pages kept per process: about 10 KB each, and a thread page's rows and cards with it (about 90 KB for 50
# posts). The chat hour's readers share a few pages of three threads, the home page and a space or two.
LIMIT = 64
CHROME = ("header", "footer")

Piece = namedtuple("Piece", "text slot has_token")


class Frame:
    """A page rendered once for a shape and cut where each reader's own parts go (`pieces`), with whatever
    else its page keeps with it (`extra`: a thread page's rows and cards)."""

    def __init__(self, pieces: list[Piece], extra=None):
        self.pieces, self.extra = pieces, extra


def shape(kind: str, viewer, *values) -> tuple | None:
    """What a page of `kind` is kept under: `values` (all the page's template reads besides the reader's own
    parts) with the address, the language, the site's name and the reader's account state; None when the page
    must be made for the reader alone (see above)."""
    if (current_app.extensions.get("forum_page_cache") is None or flask_session.get("_flashes")
            or current_app.jinja_env.auto_reload or current_app.config["FORUM_BASE_TEMPLATE"] != "forum/base.html"):
        return None
    member = viewer if viewer.is_authenticated else None
    return (kind, request.endpoint, request.url_root, request.full_path, i18n.current_language(),
            current_app.config["FORUM_SITE_NAME"], None if member is None else (member.state, member.is_confirmed),
            *values)


def row_values(row) -> tuple:
    """Every column of a model's row as it was read (none loaded that was not), for a shape: a page that shows
    a column added later is kept apart by it from its first day."""
    state = inspect(row)
    loaded = state.dict
    return tuple((column.key, loaded[column.key]) for column in state.mapper.column_attrs if column.key in loaded)


def kept(shape_: tuple | None) -> Frame | None:
    """The page kept under `shape_` in this process, if there is one; the response's `X-Forum-Whole` says which."""
    frame = None if shape_ is None else current_app.extensions.get("forum_frames", {}).get(shape_)
    g.forum_page_whole = "no" if shape_ is None else "kept" if frame is None else "hit"
    return frame


def page(shape_: tuple | None, frame: Frame | None, own: dict[str, Markup | None], make: Callable[[dict], str],
         extra=None) -> str:
    """The page for this reader: `make(parts)` renders it with the reader's own parts (`own`, by name; the
    header and footer come from forum/chrome.py). Under a shape, it is rendered once with stand-ins for those
    parts and kept (with `extra`), and each request joins what was kept with its reader's parts."""
    if shape_ is None:
        return make(own)
    if frame is None:
        frame = Frame(_cut(own, make), extra)
        frames = current_app.extensions.setdefault("forum_frames", {})
        if len(frames) >= LIMIT:
            del frames[next(iter(frames))]  # the one kept longest ago: a shape goes out of date as its page changes
        frames[shape_] = frame
    from forum import chrome
    parts = {"header": chrome.header(), "footer": chrome.footer(), **own}
    token = generate_csrf() if any(piece.has_token for piece in frame.pieces) else ""
    return "".join(parts[piece.slot] or "" if piece.slot else
                   piece.text.replace(page_cache.card_placeholder(), token) if piece.has_token else piece.text
                   for piece in frame.pieces)


def response(page_html: str, viewer):
    """The page as a response; to a member, `X-Forum-Whole` says whether it came from a page kept whole ("hit"),
    was kept now ("kept"), or was made for them alone ("no")."""
    made = make_response(page_html)
    if viewer.is_authenticated:
        made.headers["X-Forum-Whole"] = g.get("forum_page_whole", "no")
    return made


def _cut(own: dict[str, Markup | None], make: Callable[[dict], str]) -> list[Piece]:
    """The page rendered with stand-ins for the reader's own parts, cut at them: text, and the slot it leaves."""
    stand_in = page_cache.card_placeholder()
    names = (*CHROME, *own)
    slots = {name: Markup(f"{stand_in}:{name}:") for name in names}  # noqa: S704  (ours, made above)
    g.forum_page_slots = slots  # the header and footer (forum/chrome.py) give their stand-ins
    try:
        html = make({name: slots[name] if value is not None else None for name, value in own.items()})
    finally:
        g.pop("forum_page_slots", None)
    made = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))  # Flask-WTF's token for this request
    if made:  # a token the template put in itself is the reader's own (a visitor's page makes none)
        html = html.replace(made, stand_in)
    cut = re.split(f"{re.escape(stand_in)}:({'|'.join(map(re.escape, names))}):", html)
    return [Piece(text, None, stand_in in text) if n % 2 == 0 else Piece("", text, False)
            for n, text in enumerate(cut)]
