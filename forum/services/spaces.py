"""Creating and changing spaces."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum import mail_tokens
from forum.errors import ValidationError
from forum.models import VISIBILITIES, Space

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _check(db: Session, slug: str, name: str, visibility: str, space: Space | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not SLUG_RE.match(slug) or len(slug) > 60:
        errors["slug"] = _("Enter a short address of lower-case letters, digits and hyphens, like lgovsm-chat")
    else:
        taken = db.scalar(select(Space).where(Space.slug == slug))
        if taken is not None and taken is not space:
            errors["slug"] = _("Another space already has that address")
    if not name.strip() or len(name) > 120:
        errors["name"] = _("Enter the space's name, at most 120 characters")
    if visibility not in VISIBILITIES:
        errors["visibility"] = _("Choose who can read the space: %(choices)s", choices=", ".join(VISIBILITIES))
    return errors


def _check_email(db: Session, email_threads: bool, local_part: str, space: Space | None,
                 errors: dict[str, str]) -> str | None:
    """The space's email local part as stored (None: none), adding what is wrong with it to `errors`."""
    if not (local_part or "").strip():
        if email_threads:
            errors["email_local_part"] = _("Enter the part before the @ of the space's email address, like comms-chat")
        return None
    try:
        local = mail_tokens.clean_local_part(local_part)
    except ValueError as exc:
        errors["email_local_part"] = str(exc)
        return None
    taken = db.scalar(select(Space).where(Space.email_local_part == local))
    if taken is not None and taken is not space:
        errors["email_local_part"] = _("Another space already has that email address")
    return local


def create_space(
    db: Session, *, slug: str, name: str, visibility: str = "public", description: str = "",
    anonymous_posting: bool = False, email_threads: bool = False, email_local_part: str = "",
) -> Space:
    """Create a space, refusing a taken or malformed address (web or email)."""
    slug = slug.strip().lower()
    errors = _check(db, slug, name, visibility, None)
    local = _check_email(db, email_threads, email_local_part, None, errors)
    if errors:
        raise ValidationError(_("The space could not be created"), errors)
    space = Space(
        slug=slug, name=name.strip(), visibility=visibility, description=description.strip(),
        anonymous_posting=anonymous_posting, email_threads=email_threads, email_local_part=local,
    )
    db.add(space)
    db.flush()
    return space


def update_space(
    db: Session, space: Space, *, slug: str, name: str, visibility: str, description: str,
    anonymous_posting: bool, email_threads: bool | None = None, email_local_part: str | None = None,
) -> Space:
    """Change a space's details (its email settings too, when given)."""
    slug = slug.strip().lower()
    errors = _check(db, slug, name, visibility, space)
    if email_threads is not None:
        local = _check_email(db, email_threads, email_local_part or "", space, errors)
    if errors:
        raise ValidationError(_("The space could not be saved"), errors)
    space.slug, space.name, space.visibility = slug, name.strip(), visibility
    space.description, space.anonymous_posting = description.strip(), anonymous_posting
    if email_threads is not None:
        space.email_threads, space.email_local_part = email_threads, local
    db.flush()
    return space
