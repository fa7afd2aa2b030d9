"""Registering, signing in and creating accounts."""

from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from forum import emails
from forum.errors import ValidationError
from forum.models import Member, Organisation, normalise_name

MIN_PASSWORD = 10

# Per hashing method, a real hash of a random password, made once on first need: an unknown address
# is checked against it, so it costs one verification with the same parameters as a wrong password.
_DUMMY_HASHES: dict[str, str] = {}


def hash_password(password: str, method: str) -> str:
    """Hash a password with the configured method (scrypt with N=2^17 by default)."""
    return generate_password_hash(password, method=method)


def check_new_password(password: str) -> str | None:
    """Say what is wrong with a new password, or None when it will do."""
    if len(password) < MIN_PASSWORD:
        return _("Enter a password of at least %(count)s characters", count=MIN_PASSWORD)
    if len(password) > 1000:
        return _("Enter a password of at most 1,000 characters")
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


def find_by_email(db: Session, email: str | None) -> Member | None:
    """The member whose address this is, once checked and normalised; None for an address that is not one."""
    address = emails.normalise(email)
    if address is None:
        return None
    return db.scalar(select(Member).where(Member.email == address))


def check_details(db: Session, display_name: str, email: str, password: str) -> tuple[dict[str, str], str | None]:
    """What is wrong with a new account's name, address and password, and the normalised address.

    A taken address is not an error here: the caller decides whether it may say so.
    """
    errors: dict[str, str] = {}
    display_name = " ".join(display_name.split())
    name_key = normalise_name(display_name)
    if not name_key:
        errors["display_name"] = _("Enter your name as other members will see it")
    elif len(display_name) > 80:
        errors["display_name"] = _("Enter a name of at most 80 characters")
    elif db.scalar(select(func.count()).select_from(Member).where(Member.name_key == name_key)):
        errors["display_name"] = _("That name is already taken by another member; add an initial or your organisation")
    address = emails.normalise(email)
    if address is None:
        errors["email"] = emails.FORMAT_ERROR
    problem = check_new_password(password)
    if problem:
        errors["password"] = problem
    return errors, address


def register(
    db: Session, *, display_name: str, email: str, password: str, password_method: str,
    role: str = "member", state: str = "approved", sector: str | None = None,
    organisation: str | None = None, job_role: str | None = None,
) -> Member:
    """Create a member, refusing a taken email or a name that looks like someone else's."""
    errors, email = check_details(db, display_name, email, password)
    if email is not None and db.scalar(select(func.count()).select_from(Member).where(Member.email == email)):
        errors["email"] = _("An account with that email address already exists; sign in instead")
    if errors:
        raise ValidationError(_("There is a problem with your details"), errors)
    display_name = " ".join(display_name.split())
    name_key = normalise_name(display_name)
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
    member = find_by_email(db, email)
    if member is None:
        # An address stored before the address check (so not in its normal form) can still sign in,
        # so its owner can change it; `flask forum check` lists such accounts.
        member = db.scalar(select(Member).where(Member.email == (email or "").strip().lower()))
    if member is None or member.password_hash is None:
        check_password_hash(dummy_hash(password_method), password)
        return None
    if not check_password_hash(member.password_hash, password):
        return None
    return member


def dummy_hash(password_method: str) -> str:
    """A hash made with `password_method` of a password nobody knows, computed once per method."""
    dummy = _DUMMY_HASHES.get(password_method)
    if dummy is None:
        dummy = _DUMMY_HASHES[password_method] = hash_password(secrets.token_urlsafe(32), password_method)
    return dummy


def sign_in_refusal(member: Member) -> str | None:
    """Why this member may not sign in right now, or None."""
    if member.state == "suspended":
        return _("Your account is suspended. Contact the moderators if you think this is a mistake.")
    if member.state == "rejected":
        return _("A moderator could not approve this account; we emailed you their reason.")
    if member.state == "deleted":
        return _("The email address or password is not right")
    return None
