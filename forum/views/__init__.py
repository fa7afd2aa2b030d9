"""The forum's blueprint: thin views that parse the request, call a service and render."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import Blueprint, current_app, has_request_context, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from forum import chrome, i18n, policy
from forum.errors import ForumError
from forum.ids import IdConverter
from forum.resources import resource_dir

LONDON = ZoneInfo("Europe/London")

bp = Blueprint(
    "forum", __name__,
    template_folder=str(resource_dir("templates")),
    static_folder=str(resource_dir("static") / "forum"),
    static_url_path="/static/forum",
)


@bp.record_once
def _register_converters(state) -> None:
    # Before any route is added (the route modules are imported last): `<forum_id:...>` needs it.
    state.app.url_map.converters["forum_id"] = IdConverter


@bp.app_template_global("forum_static")
def forum_static(filename: str) -> str:
    """A static file's URL with a content hash, so it can be cached for a year: built once per file and mount
    point in this app (its content is read once per process)."""
    version = current_app.extensions["forum"].static_version
    if not has_request_context():
        return url_for("forum.static", filename=filename, v=version(filename))
    made = current_app.extensions.setdefault("forum_static_urls", {})
    key = (request.root_path, filename)
    url = made.get(key)
    if url is None:
        url = made[key] = url_for("forum.static", filename=filename, v=version(filename))
    return url


@bp.app_template_filter("forum_date")
def forum_date(moment) -> str:
    """A day as UK readers expect it, in UK time and their language: 14 January 2011, 14 Ionawr 2011."""
    local = moment.astimezone(LONDON)
    if i18n.current_language() == "en":
        return f"{local.day} {local:%B %Y}"
    return format_date(local, "d MMMM y", locale=i18n.current_language())


@bp.app_template_filter("forum_clock")
def forum_clock(moment) -> str:
    """A time of day as UK readers expect it, in UK time: 1:05pm (in Welsh, 1:05yh)."""
    local = moment.astimezone(LONDON)
    morning, afternoon = ("yb", "yh") if i18n.current_language() == "cy" else ("am", "pm")
    return f"{local.hour % 12 or 12}:{local:%M}{morning if local.hour < 12 else afternoon}"


@bp.app_template_filter("forum_time")
def forum_time(moment) -> str:
    """A time as UK readers expect it, in UK time: 14 January 2011, 1:05pm."""
    return f"{forum_date(moment)}, {forum_clock(moment)}"


bp.add_app_template_filter(i18n.format_list, "forum_list")
bp.add_app_template_filter(i18n.format_number, "forum_number")
bp.add_app_template_global(policy.can_edit_post, "forum_can_edit")
bp.add_app_template_global(policy.post_state, "forum_post_state")
bp.add_app_template_global(policy.byline, "forum_byline")
bp.add_app_template_global(policy.can_moderate_space, "forum_can_moderate")
bp.add_app_template_global(policy.moderates_anything, "forum_moderates_anything")


bp.add_app_template_global(generate_csrf, "forum_csrf_token")
bp.add_app_template_global(chrome.header, "forum_header")
bp.add_app_template_global(chrome.footer, "forum_footer")
bp.add_app_template_global(i18n.html_lang, "forum_html_lang")
bp.add_app_template_global(i18n.current_language, "forum_language")
bp.add_app_template_global(i18n.lang_attribute, "forum_lang")
bp.add_app_template_global(i18n.LANGUAGES, "forum_languages")


@bp.errorhandler(ForumError)
def _forum_error(error: ForumError):
    template = "forum/errors/404.html" if error.status == 404 else "forum/errors/error.html"
    return render_template(template, code=error.status, message=error.message), error.status


@bp.errorhandler(404)
def _not_found(_error):
    return render_template("forum/errors/404.html"), 404


@bp.errorhandler(429)
def _too_many(error):
    return render_template(
        "forum/errors/error.html", code=429,
        message=_("You have tried that too many times in a short while. Wait a minute and try again."),
    ), 429


@bp.after_request
def _static_caching(response):
    # Static URLs carry a content hash (forum_static), so a year of caching is safe.
    from flask import request
    if request.endpoint == "forum.static" and request.args.get("v"):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = 31536000
        response.cache_control.immutable = True
    return response


from forum.views import (  # noqa: E402,F401  (routes attach to bp)
    account, admin, auth, chats, importing, keeping_up, language, library, main, members, moderation_people,
    moderation_posts, oidc, reading, search, spaces, threads,
)
from forum.views import links, topics  # noqa: E402,F401  (#20: links shared, topics across chats)
from forum.views import mail_in  # noqa: E402,F401  (#21: the mail log, resuming mail after bounces)
