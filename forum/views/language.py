"""The "Cymraeg" / "English" switch on every page: a plain link, remembered in a cookie (#24)."""

from __future__ import annotations

from flask import redirect, request, url_for

from forum import i18n
from forum.errors import NotFound
from forum.views import bp
from forum.views._helpers import safe_next


@bp.get("/language/<code>")
def switch_language(code: str):
    """Answer in `code` from now on, visitor or member, and go back to the page the link was on.

    A link rather than a form, so it works on every page (cached ones too) and without JavaScript;
    it only sets the reader's own cookie. A member's saved language, used for their email, is set
    on their account page.
    """
    if code not in i18n.LANGUAGES:
        raise NotFound("The forum is not written in that language.")
    response = redirect(safe_next(request.args.get("next"), url_for("forum.home")), code=303)
    response.set_cookie(i18n.COOKIE, code, max_age=i18n.COOKIE_SECONDS, samesite="Lax",
                        secure=request.is_secure, httponly=True, path="/")
    return response
