"""Registering, signing in and creating accounts."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from forum.errors import ValidationError
from forum.models import Member, Organisation, normalise_name

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10

# A real hash to compare against when the email is unknown, so both failures take the same time.
_DUMMY_HASH: dict[str, str] = {}


def hash_password(password: str, method: str) -> str:
    """Hash a password with the configured method (scrypt with N=2^17 by default)."""
    return generate_password_hash(password, method=method)


def check_new_password(password: str) -> str | None:
    """Say what is wrong with a new password, or None when it will do."""
    if len(password) < MIN_PASSWORD:
        return f"Enter a password of at least {MIN_PASSWORD} characters"
    if len(password) > 1000:
        return "Enter a password of at most 1,000 characters"
    return None


def find_organisation(db: Session, name: str | None) -> Organisation | None:
    """Find an organisation by its normalised name, creating it when it is new."""
    if not name or not name.strip():
        return None
    key = normalise_name(name)
    organisation = db.scalar(select(Organisation).where(Organisation.name_key == key))
    if organisation is None:
        organisation = Organisation(name)
        db.add(organisation)
    return organisation


def register(
    db: Session, *, display_name: str, email: str, password: str, password_method: str,
    role: str = "member", state: str = "approved", sector: str | None = None,
    organisation: str | None = None, job_role: str | None = None,
) -> Member:
    """Create a member, refusing a taken email or a name that looks like someone else's."""
    errors: dict[str, str] = {}
    display_name = " ".join(display_name.split())
    name_key = normalise_name(display_name)
    email = email.strip().lower()
    if not name_key:
        errors["display_name"] = "Enter your name as other members will see it"
    elif len(display_name) > 80:
        errors["display_name"] = "Enter a name of at most 80 characters"
    elif db.scalar(select(func.count()).select_from(Member).where(Member.name_key == name_key)):
        errors["display_name"] = "That name is already taken by another member; add an initial or your organisation"
    if not EMAIL_RE.match(email) or len(email) > 254:
        errors["email"] = "Enter an email address in the correct format, like name@example.gov.uk"
    elif db.scalar(select(func.count()).select_from(Member).where(Member.email == email)):
        errors["email"] = "An account with that email address already exists; sign in instead"
    problem = check_new_password(password)
    if problem:
        errors["password"] = problem
    if errors:
        raise ValidationError("There is a problem with your details", errors)
    member = Member(
        display_name=display_name, name_key=name_key, email=email,
        password_hash=hash_password(password, password_method), role=role, state=state,
        sector=sector, organisation=find_organisation(db, organisation), job_role=job_role or None,
    )
    db.add(member)
    db.flush()
    return member


def authenticate(db: Session, email: str, password: str, password_method: str) -> Member | None:
    """Return the member for these credentials, or None; unknown emails cost as much as wrong passwords."""
    member = db.scalar(select(Member).where(Member.email == email.strip().lower()))
    if member is None or member.password_hash is None:
        dummy = _DUMMY_HASH.setdefault(password_method, hash_password("not a password", password_method))
        check_password_hash(dummy, password)
        return None
    if not check_password_hash(member.password_hash, password):
        return None
    return member


def sign_in_refusal(member: Member) -> str | None:
    """Why this member may not sign in right now, or None."""
    if member.state == "suspended":
        return "Your account is suspended. Contact the moderators if you think this is a mistake."
    if member.state == "rejected":
        return "A moderator could not approve this account; we emailed you their reason."
    if member.state == "deleted":
        return "The email address or password is not right"
    return None
