"""Creating and changing spaces."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.errors import ValidationError
from forum.models import VISIBILITIES, Space

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _check(db: Session, slug: str, name: str, visibility: str, space: Space | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not SLUG_RE.match(slug) or len(slug) > 60:
        errors["slug"] = "Enter a short address of lower-case letters, digits and hyphens, like lgovsm-chat"
    else:
        taken = db.scalar(select(Space).where(Space.slug == slug))
        if taken is not None and taken is not space:
            errors["slug"] = "Another space already has that address"
    if not name.strip() or len(name) > 120:
        errors["name"] = "Enter the space's name, at most 120 characters"
    if visibility not in VISIBILITIES:
        errors["visibility"] = "Choose who can read the space: " + ", ".join(VISIBILITIES)
    return errors


def create_space(
    db: Session, *, slug: str, name: str, visibility: str = "public", description: str = "",
    anonymous_posting: bool = False,
) -> Space:
    """Create a space, refusing a taken or malformed address."""
    slug = slug.strip().lower()
    errors = _check(db, slug, name, visibility, None)
    if errors:
        raise ValidationError("The space could not be created", errors)
    space = Space(
        slug=slug, name=name.strip(), visibility=visibility, description=description.strip(),
        anonymous_posting=anonymous_posting,
    )
    db.add(space)
    db.flush()
    return space


def update_space(
    db: Session, space: Space, *, slug: str, name: str, visibility: str, description: str,
    anonymous_posting: bool,
) -> Space:
    """Change a space's details."""
    slug = slug.strip().lower()
    errors = _check(db, slug, name, visibility, space)
    if errors:
        raise ValidationError("The space could not be saved", errors)
    space.slug, space.name, space.visibility = slug, name.strip(), visibility
    space.description, space.anonymous_posting = description.strip(), anonymous_posting
    db.flush()
    return space
