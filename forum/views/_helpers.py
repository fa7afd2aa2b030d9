"""Small helpers shared by the views: form errors, the viewer, safe redirects."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import request
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError

from forum import markup
from forum.errors import ValidationError
from forum.ids import parse_id
from forum.addresses import external_url, site_name  # noqa: F401 (the views' absolute links and the site's name)
from forum.times import LONDON, parse_uk_time  # noqa: F401 (the views' one date reader)
from forum.db import session
from forum.services import mentions, posting

EXPIRED = _l("This form had expired, so nothing was sent. Check what you typed and send it again.")


def form_errors(form: FlaskForm) -> list[tuple[str, str]]:
    """The form's errors as (field id, message) pairs, in field order, for the error summary."""
    found: list[tuple[str, str]] = []
    for name, messages in form.errors.items():
        if name == "csrf_token":
            found.append(("main-content", str(EXPIRED)))
            continue
        if name is None:  # errors about the whole form
            found.extend(("main-content", str(message)) for message in messages)
            continue
        field = form[name] if name in form else None
        for message in messages:  # str(): a lazily translated message is made in the page's language now
            found.append((field.id if field is not None else name, str(message)))
    return found


def first_error(form: FlaskForm) -> str:
    """The form's first error message, for a form that answers with a flash and a redirect."""
    found = form_errors(form)
    return found[0][1] if found else _("Check what you sent and try again.")


def apply_errors(form: FlaskForm, error: ValidationError) -> None:
    """Attach a service's ValidationError messages to the form's fields."""
    if not error.errors:
        form.form_errors.append(error.message)
    for name, message in error.errors.items():
        if name in form:
            form[name].errors = [*form[name].errors, message]
        else:
            form.form_errors.append(message)


def safe_next(target: str | None, default: str) -> str:
    """Return `target` when it is a path on this site, otherwise `default`; never another host."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):  # CR/LF would split the Location header
        return default
    return target


def page_number() -> int:
    """The ?page= number; anything that is not a positive whole number is page 1... or a 404 later."""
    number = parse_id(request.args.get("page", "1"))
    return number if number is not None and number < 1_000_000 else 0


def ensure_submission_key(form) -> None:
    """Give a posting form a one-time key, so that submitting it twice posts once."""
    if not form.submission_key.data:
        form.submission_key.data = new_submission_key()


def new_submission_key() -> str:
    """A posting form's one-time key (forms made once are given a new one each time they are shown)."""
    return secrets.token_urlsafe(24)


@dataclass
class Outcome:
    """What a form's action came to: true when it was saved, with what the service returned."""

    saved: bool
    value: object = None

    def __bool__(self) -> bool:
        return self.saved


def attempt(db, form, action) -> Outcome:
    """Run a form's `action` (a service call) and commit; on a ValidationError roll back and put its
    messages on the form. The one way a view handles a submitted form:

        if form.validate_on_submit() and attempt(db, form, lambda: service.do(db, ...)):
            flash("Done."); return redirect(...)
        return render_template(..., errors=form_errors(form)), 400 if form.errors else 200
    """
    try:
        value = action()
        db.commit()
    except ValidationError as exc:
        db.rollback()
        apply_errors(form, exc)
        return Outcome(False)
    return Outcome(True, value)


def preview_body(form) -> Markup | None:
    """How the form's body will look; a body that can't be posted (too long) is an error on the form instead,
    and the text stays in the form."""
    try:
        return mentions.linked(session(), current_user, markup.render(posting.check_body(form.body.data or "")))
    except ValidationError as exc:
        apply_errors(form, exc)
        return None


def post_once(db, form, create) -> object | None:
    """Run `create` (which writes a post and returns it) once per posting form, then commit.

    A form submitted again returns the post it already made, also when two copies race; a
    ValidationError fills the form's errors and returns None.
    """
    earlier = posting.already_posted(db, current_user, form.submission_key.data)
    if earlier is not None:
        return earlier
    try:
        return attempt(db, form, create).value
    except IntegrityError:
        db.rollback()  # the same form won a race a moment ago
        earlier = posting.already_posted(db, current_user, form.submission_key.data)
        if earlier is None:
            raise
        return earlier
