"""The "Cymraeg" / "English" switch on every page: a plain link, remembered in a cookie (#24)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum import i18n
from forum.db import session
from forum.errors import NotFound
from forum.forms import LanguageForm
from forum.views import bp
from forum.views._helpers import attempt, first_error, safe_next


@bp.get("/language/<code>")
def switch_language(code: str):
    """Answer in `code` from now on, visitor or member, and go back to the page the link was on.

    A link rather than a form, so it works on every page (cached ones too) and without JavaScript;
    it only sets the reader's own cookie. A member's saved language, used for their email, is set
    on their account page.
    """
    if code not in i18n.LANGUAGES:
        raise NotFound(_("The forum is not written in that language."))
    response = redirect(safe_next(request.args.get("next"), url_for("forum.home")), code=303)
    response.set_cookie(i18n.COOKIE, code, max_age=i18n.COOKIE_SECONDS, samesite="Lax",
                        secure=request.is_secure, httponly=True, path="/")
    return response


@bp.post("/account/language")
@login_required
def save_language():
    """A member's saved language: their pages (where they have not clicked the switch) and their email."""
    form = LanguageForm()
    db = session()
    if form.validate_on_submit() and attempt(db, form, lambda: i18n.save_language(current_user, form.language.data)):
        chosen = form.language.data or None
        response = redirect(url_for("forum.account"), code=303)
        # The switch link's cookie would otherwise outvote the setting just saved on this browser.
        if chosen:
            response.set_cookie(i18n.COOKIE, chosen, max_age=i18n.COOKIE_SECONDS, samesite="Lax",
                                secure=request.is_secure, httponly=True, path="/")
        else:
            response.delete_cookie(i18n.COOKIE, path="/")
        with i18n.in_language(chosen or request.accept_languages.best_match(i18n.LANGUAGES)):
            flash(_("Your language was saved."), "success")
        return response
    flash(first_error(form), "error")
    return redirect(url_for("forum.account"), code=303)
