"""Members who sign in with an organisation's account (OpenID Connect) or a host app's own users.

A sign-in is matched to a member by its issuer and subject only, never by email address. A new
person becomes a member with the provider's verified address (confirmed already) once they have
answered what the provider does not say; a trusted tenant or domain approves them at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from forum import emails
from forum.db import utcnow
from forum.errors import ValidationError
from forum.models import SECTORS, Member, SignInIdentity, normalise_name
from forum.services import accounts

HOST_PROVIDER = "host"


def find_member(db: Session, issuer: str, subject: str) -> Member | None:
    """The member linked to this issuer and subject, if any."""
    return db.scalar(select(Member).join(SignInIdentity, SignInIdentity.member_id == Member.id)
                     .where(SignInIdentity.issuer == issuer, SignInIdentity.subject == subject))


def identities(db: Session, member: Member) -> list[SignInIdentity]:
    """The sign-ins linked to a member, oldest first."""
    return list(db.scalars(select(SignInIdentity).where(SignInIdentity.member_id == member.id)
                           .order_by(SignInIdentity.id)))


def address_taken(db: Session, email: str) -> bool:
    """Does a member already use this address?"""
    return db.scalar(select(func.count()).select_from(Member).where(Member.email == email)) > 0


def signed_in(db: Session, member: Member, issuer: str, subject: str, email: str | None) -> None:
    """Note a returning sign-in: when, and the address it came with."""
    identity = db.scalar(select(SignInIdentity).where(SignInIdentity.issuer == issuer,
                                                      SignInIdentity.subject == subject))
    if identity is not None:
        identity.last_used_at, identity.email = utcnow(), email or identity.email


@dataclass
class NewMember:
    """What a first sign-in knows: from the provider (checked), and what the person told us."""

    provider: str
    issuer: str
    subject: str
    email: str
    display_name: str
    sector: str | None
    job_role: str | None
    organisation: str | None
    trusted: bool


def create_member(db: Session, new: NewMember) -> Member:
    """Create the member for a first sign-in, their address confirmed; approved at once when trusted."""
    errors: dict[str, str] = {}
    if new.sector not in SECTORS:
        errors["sector"] = _("Choose the sector you work in")
    if new.job_role and len(new.job_role.strip()) > 120:
        errors["job_role"] = _("Enter a job role of at most 120 characters")
    if new.organisation and len(new.organisation.strip()) > 200:
        errors["organisation"] = _("Enter an organisation name of at most 200 characters")
    name = " ".join((new.display_name or "").split())
    key = normalise_name(name)
    if not key:
        errors["display_name"] = _("Enter your name as other members will see it")
    elif len(name) > 80:
        errors["display_name"] = _("Enter a name of at most 80 characters")
    elif db.scalar(select(Member.id).where(Member.name_key == key)) is not None:
        errors["display_name"] = _("That name is already taken by another member; add an initial or your organisation")
    address = emails.normalise(new.email)
    if address is None or address_taken(db, address):
        raise ValidationError(_("An account already uses your email address. Sign in with its password, then link "
                              "your work account from your account page."))
    if find_member(db, new.issuer, new.subject) is not None:
        raise ValidationError(_("Your work account is already linked to a member. Sign in with it again."))
    if errors:
        raise ValidationError(_("There is a problem with your details"), errors)
    now = utcnow()
    member = Member(
        display_name=name, name_key=key, email=address, password_hash=None, role="member",
        state="approved" if new.trusted else "pending", approved_at=now if new.trusted else None,
        email_confirmed_at=now, sector=new.sector, job_role=(new.job_role or "").strip() or None,
        organisation=accounts.find_organisation(db, new.organisation),
    )
    db.add(member)
    db.flush()
    db.add(SignInIdentity(member_id=member.id, provider=new.provider, issuer=new.issuer, subject=new.subject,
                          email=address, last_used_at=now))
    db.flush()
    return member


def confirm_password(member: Member, password: str) -> None:
    """Check a member's password before linking a sign-in to their account."""
    if not member.password_hash or not check_password_hash(member.password_hash, password or ""):
        raise ValidationError(_("Check your password"), {"password": _("Your password is not right")})


def link(db: Session, member: Member, *, provider: str, issuer: str, subject: str, email: str | None) -> None:
    """Link a provider's account to a member (who gave their password before going to the provider)."""
    owner = find_member(db, issuer, subject)
    if owner is not None and owner.id != member.id:
        raise ValidationError(_("That work account is already linked to another member. Sign in with it, or ask "
                              "the moderators for help."))
    if owner is not None:
        return
    existing = db.scalar(select(SignInIdentity).where(SignInIdentity.member_id == member.id,
                                                      SignInIdentity.provider == provider))
    if existing is not None:
        db.delete(existing)
        db.flush()
    db.add(SignInIdentity(member_id=member.id, provider=provider, issuer=issuer, subject=subject, email=email,
                          last_used_at=utcnow()))
    db.flush()


def unlink(db: Session, member: Member, identity_id: int) -> str:
    """Unlink one of a member's sign-ins, if they keep a password to sign in with; return its provider's name."""
    identity = db.scalar(select(SignInIdentity).where(SignInIdentity.id == identity_id,
                                                      SignInIdentity.member_id == member.id))
    if identity is None:
        raise ValidationError(_("That sign-in is not linked to your account."))
    others = db.scalar(select(func.count()).select_from(SignInIdentity).where(
        SignInIdentity.member_id == member.id, SignInIdentity.id != identity.id))
    if not member.password_hash and not others:
        raise ValidationError(_("Set a password first: without it, or another linked sign-in, you could not sign in "
                              "again."))
    provider = identity.provider
    db.delete(identity)
    db.flush()
    return provider


# -- a host app's own users ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class HostUser:
    """Who the host app says is signed in: its stable id for them, their (verified) address and name.

    `approved` False leaves a new member waiting for a moderator, as a sign-up does.
    """

    external_id: str
    email: str
    name: str
    organisation: str | None = None
    sector: str | None = None
    job_role: str | None = None
    approved: bool = True


def member_for_host_user(db: Session, issuer: str, user: HostUser) -> Member | None:
    """Find the member for a host app's user, creating them on first sight; None when the address is not one.

    Matched by the host's id for them. On first sight only, a member who already uses the same address
    becomes theirs: the host app is the operator's own sign-in and vouches for its users' addresses (an
    OpenID Provider is not trusted so far: its sign-ins are linked only by a member with their password).
    The caller checks `accounts.sign_in_refusal` (a suspended member stays out).
    """
    external_id = str(user.external_id)
    member = find_member(db, issuer, external_id)
    if member is not None:
        return member
    address = emails.normalise(user.email)
    if address is None:
        return None
    now = utcnow()
    existing = db.scalar(select(Member).where(Member.email == address))
    if existing is not None:
        if db.scalar(select(SignInIdentity.id).where(SignInIdentity.member_id == existing.id,
                                                     SignInIdentity.provider == HOST_PROVIDER)) is not None:
            return None  # another of the host's users has it already
        db.add(SignInIdentity(member_id=existing.id, provider=HOST_PROVIDER, issuer=issuer, subject=external_id,
                              email=address, last_used_at=now))
        db.flush()
        return existing
    name = " ".join((user.name or "").split())[:80] or address.partition("@")[0]
    base, number = name, 1
    while db.scalar(select(Member.id).where(Member.name_key == normalise_name(name))) is not None:
        number += 1
        name = f"{base[:75]} ({number})"
    member = Member(
        display_name=name, name_key=normalise_name(name), email=address, password_hash=None,
        state="approved" if user.approved else "pending", approved_at=now if user.approved else None,
        email_confirmed_at=now, sector=user.sector if user.sector in SECTORS else None,
        job_role=(user.job_role or "").strip()[:120] or None,
        organisation=accounts.find_organisation(db, (user.organisation or "")[:200] or None),
    )
    db.add(member)
    db.flush()
    db.add(SignInIdentity(member_id=member.id, provider=HOST_PROVIDER, issuer=issuer, subject=external_id,
                          email=address, last_used_at=now))
    db.flush()
    return member
