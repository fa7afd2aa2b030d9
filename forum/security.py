"""Safe by default: security headers, trusted hosts, cookie flags, request limits and error pages.

Installed by `Forum.init_app` (one call: `security.init_app(app)`). In a host app the forum only
touches its own responses (requests routed to the "forum" blueprint) and never replaces a header or
an error handler the host already has; in the standalone app (`forum.create_app`) it covers every
response, including the error pages for addresses that match no route.
"""

from __future__ import annotations

import logging
from html import escape

from flask import Flask, current_app, g, render_template, request, session, template_rendered
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.local import LocalProxy
from werkzeug.middleware.proxy_fix import ProxyFix

from forum.cleantext import has_control_characters
from forum.i18n import html_lang
from forum.settings import flag, whole_number, word_list

log = logging.getLogger("forum.security")

# Scripts, styles, images and forms from the forum's own origin only: no inline code at all, so an
# injected <script> or style attribute does nothing even if the sanitiser ever let one through.
CSP_TEMPLATE = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src {img_src}; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors {frame_ancestors}"
)
HSTS = "max-age=31536000"
# Bytes a request body may carry beyond the largest transcript upload (multipart framing, fields).
UPLOAD_MARGIN = 1024 * 1024


# -- settings ----------------------------------------------------------------------------------------

host_list = word_list  # FORUM_TRUSTED_HOSTS: '.example.gov.uk' allows subdomains


def uses_https(config) -> bool:
    """Is the forum served over HTTPS? FORUM_HTTPS when set, else whether FORUM_BASE_URL is https://."""
    explicit = flag(config.get("FORUM_HTTPS"))
    if explicit is not None:
        return explicit
    return str(config.get("FORUM_BASE_URL") or "").lower().startswith("https://")


def base_url(config) -> str:
    """The address every link in mail and feeds starts with: FORUM_BASE_URL, never a request's Host header.

    Unset (on a developer's computer), it is the first plain name in FORUM_TRUSTED_HOSTS, else
    http://localhost; `flask forum check` reports it either way.
    """
    configured = str(config.get("FORUM_BASE_URL") or "").strip()
    if configured:
        return configured.rstrip("/")
    names = [name for name in host_list(config.get("FORUM_TRUSTED_HOSTS")) if not name.startswith(".")]
    if not names:
        return "http://localhost"
    try:
        https = uses_https(config)
    except ValueError:  # reported by `flask forum check`
        https = False
    return f"{'https' if https else 'http'}://{names[0]}"


def is_standalone(app: Flask) -> bool:
    """Is this the forum's own app (forum.create_app), rather than a host app that mounts it?"""
    return app.import_name == "forum"


# -- installing ---------------------------------------------------------------------------------------

def init_app(app: Flask) -> None:
    """Apply safe defaults to `app` and install the hooks; see the module docstring for what is covered."""
    config = app.config
    try:
        https = uses_https(config)
    except ValueError as exc:  # a typo must not stop the app; `flask forum check` reports it
        log.error("FORUM_HTTPS is not understood (%s); following FORUM_BASE_URL instead", exc)
        https = str(config.get("FORUM_BASE_URL") or "").lower().startswith("https://")
    if https:
        # Flask's own default is False, so this cannot be a setdefault; FORUM_HTTPS=false opts out.
        config["SESSION_COOKIE_SECURE"] = True
        config.setdefault("REMEMBER_COOKIE_SECURE", True)
        if config.get("PREFERRED_URL_SCHEME", "http") == "http":
            config["PREFERRED_URL_SCHEME"] = "https"
    config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    if not config.get("SESSION_COOKIE_SAMESITE"):
        # Flask's default is None (no attribute), so init_app's setdefault("Lax") alone never applies.
        config["SESSION_COOKIE_SAMESITE"] = "Lax"

    trusted = host_list(config.get("FORUM_TRUSTED_HOSTS"))
    if trusted and not config.get("TRUSTED_HOSTS"):
        # Flask 3.1 checks every request's Host against this list; any other Host gets a 400.
        config["TRUSTED_HOSTS"] = trusted

    try:
        proxies = whole_number("FORUM_PROXY_COUNT", config.get("FORUM_PROXY_COUNT"))
    except ValueError as exc:  # trusting no forwarded headers is the safe reading of a typo
        log.error("%s; trusting no X-Forwarded-* headers", exc)
        proxies = 0
    if proxies and not getattr(app, "_forum_proxy_fix", False):
        # Behind nginx or a load balancer: take the client's address and scheme from the proxies'
        # X-Forwarded-For/-Proto, so rate limits are per person and HSTS and Secure cookies apply.
        # X-Forwarded-Host is not trusted: the proxy must pass the Host header on (see docs/deploy.md).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
        app._forum_proxy_fix = True  # type: ignore[attr-defined]

    app.before_request(_check_request)
    app.after_request(_secure_response)
    template_rendered.connect(_note_private_space, app)
    if is_standalone(app):
        handlers = app.error_handler_spec[None]  # a defaultdict: look, don't create
        for code, handler in ((400, _bad_request), (413, _too_large), (500, _server_error)):
            if not handlers.get(code):
                app.register_error_handler(code, handler)


def _ours() -> bool:
    """Is this response the forum's to secure: a forum page, or anything at all in the standalone app?"""
    return request.blueprint == "forum" or is_standalone(current_app)


# -- requests ----------------------------------------------------------------------------------------

def _check_request():
    """Limit the body size and refuse next= addresses that could split a header."""
    if not _ours():
        return None
    if current_app.config.get("MAX_CONTENT_LENGTH") is None:
        request.max_content_length = int(current_app.config["FORUM_IMPORT_MAX_BYTES"]) + UPLOAD_MARGIN
    for target in request.args.getlist("next"):
        if has_control_characters(target):
            return _error_page(400, _("The address in this link is not valid. Go back and follow the link again."))
    if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            targets = request.form.getlist("next")
        except HTTPException:
            return None  # too large: the view's own form access raises the 413 with its page
        if any(has_control_characters(target) for target in targets):
            return _error_page(400, _("The address in this form is not valid. Go back and try again."))
    return None


# -- responses ---------------------------------------------------------------------------------------

def _note_private_space(_app, template, context, **_extra) -> None:
    """Remember that this page showed something from a space that is not public (for no-store)."""
    from forum.models import Space

    for value in context.values():
        # Only what is already loaded: vars() never fires a lazy load (the models' relations raise).
        space = value if isinstance(value, Space) else _loaded(value, "space")
        if isinstance(space, Space) and _loaded(space, "visibility") not in (None, "public"):
            g.forum_private_page = True
            return


def _loaded(value, name: str):
    try:
        return vars(value).get(name)
    except TypeError:  # no __dict__ (numbers, strings, slotted objects)
        return None


def _signed_in() -> bool:
    """Does this request carry a signed-in member (loaded already, or a session/remember cookie)?"""
    user = g.get("_login_user")
    if isinstance(user, LocalProxy):  # login_user(current_user) stores the proxy itself: someone signed in
        return True
    if user is not None and getattr(user, "is_authenticated", False):
        return True
    if "_user_id" in session:
        return True
    return bool(request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")))


def _secure_response(response):
    """Add the security headers to the forum's responses, never replacing one the host app set."""
    if not _ours():
        return response
    config = current_app.config
    headers = response.headers
    img_src = config.get("FORUM_CSP_IMG_SRC") or "'self'"
    ancestors = config.get("FORUM_FRAME_ANCESTORS") or "'self'"
    if "Content-Security-Policy" not in headers:
        headers["Content-Security-Policy"] = CSP_TEMPLATE.format(img_src=img_src, frame_ancestors=ancestors)
        if ancestors.strip() in ("'self'", "'none'"):
            # Old browsers ignore frame-ancestors; X-Frame-Options says the same thing to them.
            headers.setdefault("X-Frame-Options", "SAMEORIGIN" if ancestors.strip() == "'self'" else "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "forum.static":
        if _signed_in() or g.get("forum_private_page"):
            # A member's pages, and anything from a space that is not public, stay out of every cache.
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
            response.vary.add("Cookie")
        elif "Cache-Control" not in headers:
            response.cache_control.private = True
            response.vary.add("Cookie")
    return response


# -- error pages (standalone app) ---------------------------------------------------------------------

def _error_page(code: int, message: str):
    """The forum's error page, or plain HTML when the page itself cannot be drawn (say, a bad Host)."""
    if _host_refused():  # no URL can be built for an untrusted Host, so no template can be drawn
        return _plain_page(code, message), code
    try:
        return render_template("forum/errors/error.html", code=code, message=message), code
    except Exception:  # the page must never fail: fall back to a plain one
        return _plain_page(code, message), code


def _host_refused() -> bool:
    from werkzeug.exceptions import SecurityError
    return isinstance(request.routing_exception, SecurityError)


def _plain_page(code: int, message: str) -> str:
    title = {413: _("That is too large"), 500: _("Sorry, something went wrong")}.get(code) or _("There is a problem")
    return (
        f'<!doctype html><html lang="{html_lang()}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body><main><h1>{escape(title)}</h1>"
        f"<p>{escape(message)}</p></main></body></html>"
    )


def _bad_request(error):
    if _host_refused():
        return _plain_page(400, _("This site is not served at that address.")), 400
    description = getattr(error, "description", None)
    message = _("The request could not be understood. Go back and try again.")
    if description and not str(description).startswith("The browser (or proxy) sent a request"):
        message = str(description)
    return _error_page(400, message)


def _too_large(_error):
    limit = request.max_content_length or current_app.config.get("MAX_CONTENT_LENGTH") or 0
    if limit:
        megabytes = f"{limit / 1024 / 1024:.0f}"
        return _error_page(413, _("What you sent is too large. The most it can take is %(size)s MB. Send something "
                                  "smaller.", size=megabytes))
    return _error_page(413, _("What you sent is too large. Send something smaller."))


def _server_error(_error):
    """A 500 from the forum's templates: what to do, never a traceback (Flask has logged that already)."""
    try:
        return render_template("forum/errors/500.html"), 500
    except Exception:
        log.exception("The 500 page could not be drawn")
        return _plain_page(500, _("The forum could not finish that. Nothing you sent was half-saved: try again "
                                  "in a minute.")), 500


# -- signing out ----------------------------------------------------------------------------------------

def end_sessions() -> None:
    """At sign-out, end every session of the signed-in member, including copies of this one's cookie.

    Flask's session is a signed cookie, so clearing it only changes this browser's copy: a copy taken
    earlier would still say who the member is. Bumping Member.session_version (which every session
    and "remember me" cookie carries) makes all of them worthless at once. It signs the member out
    on their other devices too: for a forum trusted with frank words, on shared council PCs, that is
    the safer meaning of "Sign out".
    """
    from flask_login import current_user
    from sqlalchemy import update

    from forum.db import session as db_session
    from forum.models import Member

    if not current_user.is_authenticated:
        return
    db = db_session()
    db.execute(update(Member).where(Member.id == current_user.id)
               .values(session_version=Member.session_version + 1))
    db.commit()
