"""The header and the footer every page wears, made once for each shape of reader and page (#19).

The header and footer were a sixth of a signed-in page's time: some twenty links and as many translated
words, made again on every request although they change with a handful of values. Each is made from
those values alone (templates `forum/_header.html` and `forum/_footer.html` are given them and read
nothing of the request or the reader), and kept in this process under a key made of every one of them,
the language, the site's name and the address the forum is served at: two readers given the same
header are readers whose headers are the same. The Sign-out form's CSRF token is the reader's own, put
in per request in the place of a stand-in.

What is kept is bounded (`LIMIT` entries; full, it is emptied and made again as asked), and
nothing is kept while templates reload on change (development).
"""

from __future__ import annotations

from flask import current_app, g, render_template, request
from flask_login import current_user
from markupsafe import Markup

from forum import i18n, policy
from forum.cache import card_placeholder, with_token

LIMIT = 1000  # headers and footers kept per process: about 2.5 KB and 0.6 KB each


def header() -> Markup:
    """The site's header for this reader: their name, unread notifications, the links their roles give them,
    and the Sign-out button; for a visitor, Sign in (back to this page) and Create an account."""
    from forum.views.keeping_up import unread_count
    from forum.views.moderation_people import waiting_count

    slots = g.get("forum_page_slots")
    if slots is not None:  # a page being kept whole (forum/frames.py): the reader's own, put in later
        return slots["header"]
    viewer = current_user._get_current_object()  # read a dozen times below: once through the proxy
    if viewer.is_authenticated:
        values = {"who": viewer.display_name, "unread": unread_count(), "approved": bool(viewer.is_approved),
                  "waiting": waiting_count() if policy.moderates_anything(viewer) else None,
                  "admin": bool(viewer.is_admin), "login_next": None}
    else:
        values = {"who": None, "unread": 0, "approved": False, "waiting": None, "admin": False,
                  "login_next": request.full_path if request.endpoint != "forum.login" else None}
    html = _made("forum/_header.html", values)
    return Markup(with_token(html) if viewer.is_authenticated else html)  # noqa: S704


def footer() -> Markup:
    """The site's footer: the links to this page in the other languages, and the accessibility statement."""
    slots = g.get("forum_page_slots")
    if slots is not None:
        return slots["footer"]
    return Markup(_made("forum/_footer.html", {"here": request.full_path.rstrip("?")}))  # noqa: S704


def _made(template: str, values: dict) -> str:
    """The template made from `values` (with the stand-in for a CSRF token), kept per shape in this app."""
    key = (template, request.root_path, i18n.current_language(), current_app.config["FORUM_SITE_NAME"],
           *values.items())
    kept = current_app.extensions.setdefault("forum_chrome", {})
    html = kept.get(key)
    if html is None:
        html = render_template(template, csrf=card_placeholder(), **values)
        if current_app.jinja_env.auto_reload:
            return html
        if len(kept) >= LIMIT:
            kept.clear()
        kept[key] = html
    return html

