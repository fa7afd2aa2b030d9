"""Who belongs to a closed space: requests to join, invitations, hosts' decisions, removals, leaving.

Emails about a closed space say who and which space, never what is said inside it.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from forum import emails, mail, policy
from forum.db import utcnow
from forum.errors import NotFound, PermissionDenied, ValidationError
from forum.i18n import in_language
from forum.models import Member, Space, SpaceMembership, SpaceRequest
from forum.models.accounts import normalise_name
from forum.services import moderation_log


def membership(db: Session, space: Space, member: Member) -> SpaceMembership | None:
    return db.get(SpaceMembership, (space.id, member.id))


def pending(db: Session, space: Space, member: Member, kind: str) -> SpaceRequest | None:
    return db.scalar(select(SpaceRequest).where(
        SpaceRequest.space_id == space.id, SpaceRequest.member_id == member.id,
        SpaceRequest.kind == kind, SpaceRequest.status == "pending"))


def hosts(db: Session, space: Space) -> list[Member]:
    return list(db.scalars(
        select(Member).join(SpaceMembership, SpaceMembership.member_id == Member.id)
        .where(SpaceMembership.space_id == space.id, SpaceMembership.role == "host", Member.state == "approved")
    ))


def members_of(db: Session, space: Space) -> list[SpaceMembership]:
    return list(db.scalars(
        select(SpaceMembership).join(Member, SpaceMembership.member_id == Member.id)
        .where(SpaceMembership.space_id == space.id).order_by(SpaceMembership.role.desc(), Member.display_name)
    ))


def requests_for(db: Session, space: Space) -> list[SpaceRequest]:
    return list(db.scalars(select(SpaceRequest).where(
        SpaceRequest.space_id == space.id, SpaceRequest.kind == "request", SpaceRequest.status == "pending"
    ).order_by(SpaceRequest.created_at)))


def count_requests(db: Session, space: Space) -> int:
    """How many requests to join the space wait for its hosts."""
    return db.scalar(select(func.count()).select_from(SpaceRequest).where(
        SpaceRequest.space_id == space.id, SpaceRequest.kind == "request", SpaceRequest.status == "pending")) or 0


def count_requests_to_host(db: Session, host: Member) -> int:
    """How many requests to join the spaces `host` hosts are waiting (counted with their notifications)."""
    hosted = select(SpaceMembership.space_id).where(SpaceMembership.member_id == host.id,
                                                    SpaceMembership.role == "host")
    return db.scalar(select(func.count()).select_from(SpaceRequest).where(
        SpaceRequest.kind == "request", SpaceRequest.status == "pending", SpaceRequest.space_id.in_(hosted))) or 0


def requests_to_host(db: Session, host: Member) -> list[tuple[SpaceRequest, Member, Space]]:
    """Requests to join the spaces `host` hosts, oldest first: shown with the host's notifications, as
    the email the hosts are sent is only as quick as the outbox."""
    if not getattr(host, "is_authenticated", False) or not host.is_approved:
        return []
    hosted = select(SpaceMembership.space_id).where(SpaceMembership.member_id == host.id,
                                                    SpaceMembership.role == "host")
    rows = db.execute(
        select(SpaceRequest, Member, Space).join(Member, SpaceRequest.member_id == Member.id)
        .join(Space, SpaceRequest.space_id == Space.id)
        .where(SpaceRequest.kind == "request", SpaceRequest.status == "pending", SpaceRequest.space_id.in_(hosted))
        .order_by(SpaceRequest.created_at).limit(50)
    ).all()
    return [(row.SpaceRequest, row.Member, row.Space) for row in rows
            if policy.can_moderate_space(host, row.Space)]


def invitations_for(db: Session, member: Member) -> list[SpaceRequest]:
    return list(db.scalars(select(SpaceRequest).where(
        SpaceRequest.member_id == member.id, SpaceRequest.kind == "invitation", SpaceRequest.status == "pending"
    ).order_by(SpaceRequest.created_at)))


def ask_to_join(db: Session, space: Space, member: Member, message: str, link: str, site_name: str) -> SpaceRequest:
    """Ask to join a private space; its hosts are told by email."""
    if space.visibility != "private" or not policy.can_see_space_exists(member, space):
        raise NotFound(_("There is no space at this address, or you do not have access to it."))
    if membership(db, space, member) is not None:
        raise ValidationError(_("You are already a member of this space."))
    if pending(db, space, member, "request") is not None:
        raise ValidationError(_("You have already asked to join; the hosts will decide soon."))
    if len(message or "") > 2000:
        raise ValidationError(_("Shorten your message"), {"message": _("Enter at most 2,000 characters")})
    request = SpaceRequest(space_id=space.id, member_id=member.id, kind="request", message=(message or "").strip())
    db.add(request)
    for host in hosts(db, space):
        with in_language(host.language):
            names = dict(host=host.display_name, name=member.display_name, space=space.name, site=site_name)
            mail.queue(db, host.email, _("%(name)s asks to join %(space)s", **names), _(
                "Hello %(host)s,\n\n%(name)s has asked to join %(space)s on %(site)s. Decide here:\n\n%(link)s",
                link=link, **names) + "\n")
    db.flush()
    return request


def decide(db: Session, request: SpaceRequest, host: Member, accept: bool, link: str, site_name: str) -> None:
    """A host approves or declines a request to join; the person is told."""
    space = request.space
    if not policy.can_moderate_space(host, space):
        raise PermissionDenied(_("Only the space's hosts can decide who joins."))
    if request.kind != "request" or request.status != "pending":
        raise ValidationError(_("That request has already been decided."))
    request.status = "accepted" if accept else "declined"
    request.decided_at, request.decided_by_id = utcnow(), host.id
    if accept:
        _add(db, space, request.member)
    moderation_log.record(db, host, "approve_join" if accept else "decline_join", "space", space.id,
                          member_id=request.member_id)
    with in_language(request.member.language):
        names = dict(name=request.member.display_name, space=space.name, site=site_name)
        body = (_("Hello %(name)s,\n\nThe hosts have welcomed you into %(space)s on %(site)s.", **names) if accept else
                _("Hello %(name)s,\n\nThe hosts have declined your request to join %(space)s on %(site)s.", **names))
        mail.queue(db, request.member.email, _("Your request to join %(space)s", space=space.name),
                   f"{body}\n\n{link}\n")


INVITED_BY_ADDRESS = _l("If that address belongs to an approved member, they have been invited.")


def invite(db: Session, space: Space, host: Member, who: str, link: str, site_name: str) -> SpaceRequest:
    """A host invites an approved member, named by email address or display name; they accept or decline.

    By address the answer and the host's list of invitations are the same whether or not the address has
    an account (see `invite_address`); names are public, so by name the host hears who was invited.
    """
    if not policy.can_moderate_space(host, space):
        raise PermissionDenied(_("Only the space's hosts can invite people."))
    who = (who or "").strip()
    if "@" in who:
        address = emails.normalise(who)
        if address is None:
            raise ValidationError(_("Check who to invite"), {"who": _(
                "Enter an email address in the correct format, like name@example.gov.uk, or a member's name")})
        return invite_address(db, space, host, address, link, site_name)
    invitee = db.scalar(select(Member).where(Member.name_key == normalise_name(who), Member.state == "approved"))
    if not who or invitee is None:
        raise ValidationError(_("Check who to invite"), {"who": _("No approved member has that name")})
    if membership(db, space, invitee) is not None:
        raise ValidationError(_("Check who to invite"), {
            "who": _("%(name)s is already a member", name=invitee.display_name)})
    if pending(db, space, invitee, "invitation") is not None:
        raise ValidationError(_("Check who to invite"), {
            "who": _("%(name)s has already been invited", name=invitee.display_name)})
    invitation = SpaceRequest(space_id=space.id, member_id=invitee.id, kind="invitation", decided_by_id=host.id)
    db.add(invitation)
    _send_invitation(db, space, host, invitee, link, site_name)
    db.flush()
    return invitation


def invite_address(db: Session, space: Space, host: Member, address: str, link: str,
                   site_name: str) -> SpaceRequest:
    """Invite whoever has this (normalised) address: an approved member who is not yet in is emailed.

    The invitation is recorded either way, under the address, so the host sees the same thing whether
    the address has an account, belongs to a member already in, or to no one.
    """
    invitation = db.scalar(select(SpaceRequest).where(
        SpaceRequest.space_id == space.id, SpaceRequest.kind == "invitation", SpaceRequest.status == "pending",
        SpaceRequest.invited_email == address))
    if invitation is not None:
        return invitation
    invitee = db.scalar(select(Member).where(Member.email == address, Member.state == "approved"))
    if invitee is not None and (membership(db, space, invitee) is not None
                                or pending(db, space, invitee, "invitation") is not None):
        invitee = None  # already in, or already asked: nothing new to send them
    invitation = SpaceRequest(space_id=space.id, member_id=invitee.id if invitee else None, invited_email=address,
                              kind="invitation", decided_by_id=host.id)
    db.add(invitation)
    if invitee is not None:
        _send_invitation(db, space, host, invitee, link, site_name)
    db.flush()
    return invitation


def _send_invitation(db: Session, space: Space, host: Member, invitee: Member, link: str, site_name: str) -> None:
    with in_language(invitee.language):
        mail.queue(db, invitee.email, _("You are invited to join %(space)s", space=space.name), _(
            "Hello %(name)s,\n\n%(host)s has invited you to join %(space)s on %(site)s. Accept or decline on your "
            "account page:\n\n%(link)s", name=invitee.display_name, host=host.display_name, space=space.name,
            site=site_name, link=link) + "\n")


def invitations_sent(db: Session, space: Space) -> list[SpaceRequest]:
    """The space's invitations still waiting for an answer, oldest first, for its hosts."""
    return list(db.scalars(select(SpaceRequest).where(
        SpaceRequest.space_id == space.id, SpaceRequest.kind == "invitation", SpaceRequest.status == "pending"
    ).order_by(SpaceRequest.created_at, SpaceRequest.id)))


def withdraw_invitation(db: Session, invitation: SpaceRequest, host: Member) -> None:
    """A host takes back an invitation that has not been answered; the invitee can no longer accept it."""
    if not policy.can_moderate_space(host, invitation.space):
        raise PermissionDenied(_("Only the space's hosts can withdraw invitations."))
    if invitation.kind != "invitation" or invitation.status != "pending":
        raise ValidationError(_("That invitation has already been answered or withdrawn."))
    invitation.status, invitation.decided_at, invitation.decided_by_id = "withdrawn", utcnow(), host.id
    moderation_log.record(db, host, "withdraw_invitation", "space", invitation.space_id,
                          invitation_id=invitation.id)


def answer_invitation(db: Session, invitation: SpaceRequest, member: Member, accept: bool) -> None:
    """The invitee accepts or declines."""
    if invitation.kind != "invitation" or invitation.member_id != member.id or invitation.status != "pending":
        raise NotFound(_("There is no such invitation."))
    invitation.status = "accepted" if accept else "declined"
    invitation.decided_at = utcnow()
    if accept:
        _add(db, invitation.space, member)


def remove(db: Session, space: Space, host: Member, member: Member) -> None:
    """A host removes someone from the space; they lose access on their next request."""
    if not policy.can_moderate_space(host, space):
        raise PermissionDenied(_("Only the space's hosts can remove members."))
    if membership(db, space, member) is None:
        raise NotFound(_("That person is not a member of this space."))
    db.execute(delete(SpaceMembership).where(SpaceMembership.space_id == space.id,
                                             SpaceMembership.member_id == member.id))
    moderation_log.record(db, host, "remove_from_space", "space", space.id, member_id=member.id)
    policy.forget_roles(member)


def leave(db: Session, space: Space, member: Member) -> None:
    """Leave a space."""
    if membership(db, space, member) is None:
        raise NotFound(_("You are not a member of this space."))
    db.execute(delete(SpaceMembership).where(SpaceMembership.space_id == space.id,
                                             SpaceMembership.member_id == member.id))
    policy.forget_roles(member)


def _add(db: Session, space: Space, member: Member) -> None:
    if membership(db, space, member) is None:
        db.add(SpaceMembership(space_id=space.id, member_id=member.id))
    for other in db.scalars(select(SpaceRequest).where(
            SpaceRequest.space_id == space.id, SpaceRequest.member_id == member.id,
            SpaceRequest.status == "pending")):
        other.status, other.decided_at = "accepted", utcnow()
    policy.forget_roles(member)
