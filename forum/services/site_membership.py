"""Membership: signing up as a peer, confirming an email, approval, resets, profiles, suspension, leaving.

Links in emails are made by the caller (a view knows the site's address); this module only decides
what happens and writes the email into the outbox in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from forum import emails, mail, policy
from forum.db import utcnow
from forum.errors import PermissionDenied, ValidationError
from forum.i18n import in_language, save_language
from forum.models import (PLATFORMS, SECTORS, Handle, Member, Post, ReadState, SavedPost, SignInIdentity, Space,
                          SpaceRequest, Speaker, Thread)
from forum.models.accounts import handle_key, normalise_name
from forum.services import accounts, moderation_log

FORMER_MEMBER = "Former member"


@dataclass
class Profile:
    """What a member says about themselves."""

    display_name: str
    sector: str | None
    organisation: str | None
    job_role: str | None
    bio: str = ""
    handles: dict[str, str] | None = None  # platform -> handle; an empty handle removes it


def is_trusted(email: str | None, domains: tuple[str, ...]) -> bool:
    """Is the email one valid address at a trusted domain or one of its subdomains (e.g. staffordshire.gov.uk)?

    Decided on the domain the address check read, so `someone@evil.example,.gov.uk` is not trusted.
    """
    return emails.in_domains(email, domains)


def _check_profile(profile: Profile) -> dict[str, str]:
    errors: dict[str, str] = {}
    if profile.sector not in SECTORS:
        errors["sector"] = _("Choose the sector you work in")
    if profile.organisation and len(profile.organisation.strip()) > 200:
        errors["organisation"] = _("Enter an organisation name of at most 200 characters")
    if profile.job_role and len(profile.job_role) > 120:
        errors["job_role"] = _("Enter a job role of at most 120 characters")
    if len(profile.bio or "") > 5000:
        errors["bio"] = _("Enter at most 5,000 characters about yourself")
    for platform, handle in (profile.handles or {}).items():
        if platform not in PLATFORMS:
            errors[f"handle_{platform}"] = _("That platform is not one we import from")
        elif handle and (len(handle) > 200 or not handle_key(handle)):
            errors[f"handle_{platform}"] = _("Enter your %(platform)s handle, at most 200 characters",
                                             platform=PLATFORMS[platform])
    return errors


@dataclass
class SignUpMail:
    """How to write the links in the email a sign-up sends, and the site's name."""

    confirm_link: Callable[[Member], str]  # confirms a new member's address
    reset_link: Callable[[Member], str]    # lets an existing account's owner choose a new password
    site_name: str


def sign_up(db: Session, *, email: str, password: str, profile: Profile, password_method: str,
            outgoing: SignUpMail, language: str | None = None) -> str:
    """Create a member who has yet to confirm their email and be approved, and email them; return the address.

    When the address already has an account, nothing is created: its owner is emailed instead (someone
    tried to sign up with it; here is how to reset the password). The caller answers the same either
    way, so the form cannot be used to learn who has an account. `language` (a code of forum.i18n.LANGUAGES,
    or None to follow the browser) is saved on a new account, so its mail is in the language it signed up in.
    """
    errors = _check_profile(profile)
    details, address = accounts.check_details(db, profile.display_name, email, password)
    errors = {**details, **errors}
    if errors:
        raise ValidationError(_("There is a problem with your details"), errors)
    owner = db.scalar(select(Member).where(Member.email == address))
    if owner is not None:
        accounts.hash_password(password, password_method)  # the same work as a new account, so no faster
        _tell_owner_of_sign_up(db, owner, outgoing)
        return address
    member = accounts.register(
        db, display_name=profile.display_name, email=address, password=password, password_method=password_method,
        state="pending", sector=profile.sector, organisation=profile.organisation, job_role=profile.job_role,
    )
    save_language(member, language)
    _set_handles(db, member, profile.handles or {})
    db.flush()
    send_confirmation(db, member, outgoing.confirm_link(member), outgoing.site_name)
    return address


def _tell_owner_of_sign_up(db: Session, owner: Member, outgoing: SignUpMail) -> None:
    """Tell an account's owner that someone tried to sign up with their address."""
    site_name = outgoing.site_name
    with in_language(owner.language):
        if owner.state == "rejected":
            way_in = _("A moderator could not approve that account. If you think this is a mistake, reply to this "
                       "email.") + "\n"
        else:
            way_in = _("If it was you, sign in with your password. If you have forgotten it, choose a new one by "
                       "opening this link within an hour:\n\n%(link)s", link=outgoing.reset_link(owner)) + "\n"
        mail.queue(db, owner.email, _("Someone tried to sign up to %(site)s with your address", site=site_name),
                   _("Hello %(name)s,\n\nSomeone tried to create an account on %(site)s with this email address, "
                     "which already has an account.", name=owner.display_name, site=site_name) + f"\n\n{way_in}\n"
                   + _("If it was not you, you need do nothing: no account was created and your password has not "
                       "changed.") + "\n")


def _set_handles(db: Session, member: Member, handles: dict[str, str]) -> None:
    """Claim, change or drop the member's handle on each platform; a changed claim needs confirming again."""
    current = {h.platform: h for h in member.handles}
    for platform, raw in handles.items():
        handle = (raw or "").strip()
        existing = current.get(platform)
        if not handle:
            if existing is not None:
                member.handles.remove(existing)
            continue
        if existing is not None and existing.handle_key == handle_key(handle):
            continue
        taken = db.scalar(select(Handle).where(Handle.platform == platform, Handle.handle_key == handle_key(handle),
                                               Handle.member_id != member.id))
        if taken is not None:
            raise ValidationError(_("There is a problem with your handles"), {
                f"handle_{platform}": _("Another member has already claimed %(handle)s on %(platform)s",
                                        handle=handle, platform=PLATFORMS[platform])})
        if existing is not None:
            member.handles.remove(existing)
            db.flush()
        member.handles.append(Handle(platform=platform, handle=handle))


def send_confirmation(db: Session, member: Member, link: str, site_name: str) -> None:
    """Email the link that confirms the member's address."""
    with in_language(member.language):
        mail.queue(db, member.email, _("Confirm your email address for %(site)s", site=site_name), _(
            "Hello %(name)s,\n\nConfirm your email address by opening this link:\n\n%(link)s\n\n"
            "The link works for 3 days. If you did not create an account on %(site)s, ignore this email.",
            name=member.display_name, link=link, site=site_name) + "\n")


def confirm_email(db: Session, member: Member, email: str, trusted: tuple[str, ...], site_name: str) -> str:
    """Confirm the address the link was sent to; approve at once at a trusted domain. Say what happened."""
    if member.email != email or member.state in ("deleted", "rejected"):
        raise ValidationError(_("This link is not valid any more. Ask for a new one."))
    if member.email_confirmed_at is None:
        member.email_confirmed_at = utcnow()
    if member.state == "pending" and is_trusted(email, trusted):
        member.state, member.approved_at = "approved", utcnow()
        return "approved"
    db.flush()
    return "waiting" if member.state == "pending" else "confirmed"


def waiting_for_approval(db: Session) -> list[Member]:
    """Confirmed members waiting for a moderator, oldest first."""
    return list(db.scalars(
        select(Member).where(Member.state == "pending", Member.email_confirmed_at.is_not(None))
        .order_by(Member.created_at)
    ))


def sign_ins_of(db: Session, member_ids: list[int]) -> dict[int, list[SignInIdentity]]:
    """The sign-ins linked to each of these members (oldest first), in one query: the approvals page says
    who came in through a work account (#23)."""
    found: dict[int, list[SignInIdentity]] = {}
    if member_ids:
        for identity in db.scalars(select(SignInIdentity).where(SignInIdentity.member_id.in_(member_ids))
                                   .order_by(SignInIdentity.id)):
            found.setdefault(identity.member_id, []).append(identity)
    return found


def count_waiting(db: Session) -> int:
    """How many confirmed members are waiting for a moderator."""
    return db.scalar(select(func.count()).select_from(Member).where(
        Member.state == "pending", Member.email_confirmed_at.is_not(None))) or 0


def _require_moderator(actor: Member) -> None:
    if not actor.is_moderator:
        raise PermissionDenied(_("Only moderators can do that."))


def approve(db: Session, member: Member, moderator: Member, site_name: str, link: str) -> None:
    """Approve a waiting member and tell them."""
    _require_moderator(moderator)
    if member.state != "pending":
        raise ValidationError(_("%(name)s is not waiting for approval.", name=member.display_name))
    member.state, member.approved_at, member.info_request = "approved", utcnow(), None
    moderation_log.record(db, moderator, "approve_member", "member", member.id)
    with in_language(member.language):
        mail.queue(db, member.email, _("Welcome to %(site)s", site=site_name), _(
            "Hello %(name)s,\n\nA moderator has approved your account. You can now read the members' spaces "
            "and post:\n\n%(link)s", name=member.display_name, link=link) + "\n")


def reject(db: Session, member: Member, moderator: Member, reason: str, site_name: str) -> None:
    """Turn a sign-up down, with a reason that is emailed to them."""
    _require_moderator(moderator)
    if not reason or not reason.strip():
        raise ValidationError(_("Give a reason"), {"reason": _("Enter the reason; it is sent to the person")})
    if member.state != "pending":
        raise ValidationError(_("%(name)s is not waiting for approval.", name=member.display_name))
    member.state, member.status_reason = "rejected", reason.strip()
    member.session_version += 1
    moderation_log.record(db, moderator, "reject_member", "member", member.id, reason)
    with in_language(member.language):
        mail.queue(db, member.email, _("Your %(site)s account", site=site_name), _(
            "Hello %(name)s,\n\nA moderator could not approve your account. Their reason:\n\n%(reason)s\n\n"
            "If you think this is a mistake, reply to this email.", name=member.display_name,
            reason=reason.strip()) + "\n")


def ask_for_information(db: Session, member: Member, moderator: Member, question: str, site_name: str,
                        link: str) -> None:
    """Ask a waiting member to tell the moderators more; they answer on a page."""
    _require_moderator(moderator)
    if not question or not question.strip():
        raise ValidationError(_("Write your question"), {"reason": _("Enter what you would like to know")})
    member.info_request, member.info_response = question.strip(), None
    moderation_log.record(db, moderator, "ask_member", "member", member.id, question)
    with in_language(member.language):
        mail.queue(db, member.email, _("A question about your %(site)s account", site=site_name), _(
            "Hello %(name)s,\n\nBefore approving your account, a moderator asks:\n\n%(question)s\n\n"
            "Answer here:\n\n%(link)s", name=member.display_name, question=question.strip(), link=link) + "\n")


def answer_information_request(db: Session, member: Member, answer: str) -> None:
    """Record a waiting member's answer to the moderators' question."""
    if member.info_request is None:
        raise ValidationError(_("The moderators have not asked you anything."))
    if not answer or not answer.strip():
        raise ValidationError(_("Write your answer"), {"answer": _("Enter your answer for the moderators")})
    if len(answer) > 5000:
        raise ValidationError(_("Shorten your answer"), {"answer": _("Enter at most 5,000 characters")})
    member.info_response = answer.strip()


def request_password_reset(db: Session, email: str, make_link, site_name: str) -> None:
    """Email a reset link when the address belongs to a member; do the same visible thing either way.

    An address that is not one valid address is refused (that says nothing about who has an account).
    """
    if emails.normalise(email) is None:
        raise ValidationError(_("Check the email address"), {"email": emails.FORMAT_ERROR})
    member = accounts.find_by_email(db, email)
    if member is None or member.state in ("deleted", "rejected"):
        return
    with in_language(member.language):
        mail.queue(db, member.email, _("Reset your %(site)s password", site=site_name), _(
            "Hello %(name)s,\n\nTo choose a new password, open this link within an hour:\n\n%(link)s\n\n"
            "If you did not ask for this, ignore this email: your password has not changed.",
            name=member.display_name, link=make_link(member)) + "\n")


def set_password(db: Session, member: Member, new_password: str, password_method: str) -> None:
    """Set a new password and end every other session (and every outstanding reset link)."""
    problem = accounts.check_new_password(new_password)
    if problem:
        raise ValidationError(_("Check your new password"), {"password": problem})
    member.password_hash = accounts.hash_password(new_password, password_method)
    member.session_version += 1


def change_password(db: Session, member: Member, current: str, new: str, password_method: str) -> None:
    """Change a password, checking the current one first."""
    if not member.password_hash or not check_password_hash(member.password_hash, current or ""):
        raise ValidationError(_("Check your current password"),
                              {"current_password": _("Your current password is not right")})
    set_password(db, member, new, password_method)


def request_email_change(db: Session, member: Member, new_email: str, password: str, make_link,
                         site_name: str) -> str:
    """Send a confirmation link to the new address; the email changes only when it is followed."""
    new_email = emails.normalise(new_email)
    errors: dict[str, str] = {}
    if new_email is None:
        errors["email"] = emails.FORMAT_ERROR
    elif new_email == member.email:
        errors["email"] = _("That is already your email address")
    elif db.scalar(select(Member.id).where(Member.email == new_email)) is not None:
        errors["email"] = _("Another account uses that email address")
    if not member.password_hash or not check_password_hash(member.password_hash, password or ""):
        errors["password"] = _("Your password is not right")
    if errors:
        raise ValidationError(_("Check the details"), errors)
    with in_language(member.language):
        mail.queue(db, new_email, _("Confirm your new email address for %(site)s", site=site_name), _(
            "Hello %(name)s,\n\nTo use this address for %(site)s, open this link within a day:\n\n%(link)s",
            name=member.display_name, site=site_name, link=make_link(new_email)) + "\n")
    return new_email


def confirm_email_change(db: Session, member: Member, new_email: str, old_email: str | None) -> None:
    """Switch to the new, now confirmed, address; a link works once, while the address it replaces is current."""
    if old_email is None or member.email != old_email:
        raise ValidationError(_("This link has already been used or is no longer valid. If your address has not "
                              "changed, ask for a new link on your account page."))
    if db.scalar(select(Member.id).where(Member.email == new_email, Member.id != member.id)) is not None:
        raise ValidationError(_("Another account now uses that email address."))
    member.email, member.email_confirmed_at = new_email, utcnow()


def update_profile(db: Session, member: Member, profile: Profile) -> None:
    """Change what a member says about themselves; the name stays unique by its normalised form."""
    errors = _check_profile(profile)
    name = " ".join((profile.display_name or "").split())
    key = normalise_name(name)
    if not key or len(name) > 80:
        errors["display_name"] = _("Enter your name as other members will see it, at most 80 characters")
    elif key != member.name_key and db.scalar(select(Member.id).where(Member.name_key == key)) is not None:
        errors["display_name"] = _("That name is already taken by another member")
    if errors:
        raise ValidationError(_("There is a problem with your profile"), errors)
    member.display_name, member.name_key = name, key
    member.sector, member.job_role = profile.sector, (profile.job_role or "").strip() or None
    member.organisation = accounts.find_organisation(db, profile.organisation)
    member.set_bio(profile.bio or "")
    _set_handles(db, member, profile.handles or {})
    db.flush()


def suspend(db: Session, member: Member, moderator: Member, reason: str) -> None:
    """Suspend a member: they cannot sign in, and their sessions end at once."""
    _require_moderator(moderator)
    if not reason or not reason.strip():
        raise ValidationError(_("Give a reason"), {"reason": _("Enter why the member is suspended")})
    if member.id == moderator.id:
        raise ValidationError(_("You cannot suspend yourself."))
    if member.is_admin and not moderator.is_admin:
        raise PermissionDenied(_("Only an administrator can suspend an administrator."))
    member.state, member.status_reason = "suspended", reason.strip()
    member.session_version += 1
    moderation_log.record(db, moderator, "suspend_member", "member", member.id, reason)


def unsuspend(db: Session, member: Member, moderator: Member) -> None:
    """Lift a suspension."""
    _require_moderator(moderator)
    if member.state != "suspended":
        raise ValidationError(_("%(name)s is not suspended.", name=member.display_name))
    member.state, member.status_reason = "approved", None
    moderation_log.record(db, moderator, "unsuspend_member", "member", member.id)


def set_champion(db: Session, member: Member, moderator: Member, champion: bool) -> None:
    """Give or take away the "digital champion" badge."""
    _require_moderator(moderator)
    member.champion = champion
    moderation_log.record(db, moderator, "champion" if champion else "unchampion", "member", member.id)


def export_data(db: Session, member: Member) -> dict:
    """Everything the forum holds about a member and what they wrote, as plain data.

    Their own words always; the title of a thread someone else started only while they may still see
    the thread (a space they left, or one it was moved into, keeps its titles).
    """
    posts = db.execute(
        select(Post, Thread, Space).join(Thread, Post.thread_id == Thread.id).join(Space, Thread.space_id == Space.id)
        .where(Post.author_id == member.id).order_by(Post.created_at)
    ).all()
    return {
        "profile": {
            "display_name": member.display_name, "email": member.email,
            "sector": str(member.sector_label or "") or None,
            "organisation": member.organisation.name if member.organisation else None, "job_role": member.job_role,
            "bio": member.bio_source, "joined": member.created_at.isoformat(), "role": member.role,
            "state": member.state, "champion": member.champion,
            "handles": [{"platform": h.platform, "handle": h.handle, "confirmed": h.confirmed} for h in member.handles],
            "work_accounts": [{"provider": i.provider, "issuer": i.issuer, "email": i.email,
                               "linked": i.created_at.isoformat()} for i in db.scalars(
                select(SignInIdentity).where(SignInIdentity.member_id == member.id).order_by(SignInIdentity.id))],
        },
        "posts": [
            {"id": post.id, "thread": thread.title if policy.can_see_thread_exists(member, thread, space) or
             thread.first_post_id == post.id else None,
             "thread_id": post.thread_id, "created_at": post.created_at.isoformat(),
             "edited_at": post.edited_at.isoformat() if post.edited_at else None, "anonymous": post.anonymous,
             "deleted": post.is_deleted, "markdown": post.body_source}
            for post, thread, space in posts
        ],
        # Saved posts (#22): their notes always; the thread's title only while they may still see the post.
        "saved": [
            {"post_id": saved.post_id, "saved_at": saved.created_at.isoformat(), "note": saved.note,
             "thread": thread.title if policy.can_see_thread_exists(member, thread, space)
             and policy.post_state(member, post, space) is not None else None}
            for saved, post, thread, space in db.execute(
                select(SavedPost, Post, Thread, Space).join(Post, SavedPost.post_id == Post.id)
                .join(Thread, Post.thread_id == Thread.id).join(Space, Thread.space_id == Space.id)
                .where(SavedPost.member_id == member.id).order_by(SavedPost.created_at))
        ],
    }


def delete_account(db: Session, member: Member, password: str) -> None:
    """Delete a member's personal data; their posts stay, shown as written by a former member."""
    if not member.password_hash or not check_password_hash(member.password_hash, password or ""):
        raise ValidationError(_("Check your password"), {"password": _("Your password is not right")})
    erase(db, member)


def send_deletion_link(db: Session, member: Member, link: str, site_name: str) -> None:
    """Email a member who has no password (they sign in with a work account only) a link that deletes their
    account, to their own address (#23): opening it while signed in as them proves it is them."""
    if member.password_hash:
        raise ValidationError(_("Enter your password to delete your account"))
    with in_language(member.language):
        mail.queue(db, member.email, _("Delete your %(site)s account", site=site_name), _(
            "Hello %(name)s,\n\nYou asked to delete your account. To do it, open this link within an hour, "
            "signed in as you are now, and confirm:\n\n%(link)s\n\n"
            "If you did not ask for this, ignore this email: your account stays as it is.",
            name=member.display_name, link=link, site=site_name) + "\n")


def deletion_payload(member: Member) -> dict:
    """What a deletion link signs: the member, the address it went to and their sessions' version, so that
    changing the address or signing out everywhere ends it."""
    return {"id": member.id, "email": member.email, "v": member.session_version}


def delete_account_by_link(db: Session, member: Member, payload: dict) -> None:
    """Delete the signed-in member's account from their emailed link (a member with no password)."""
    if payload != deletion_payload(member) or member.password_hash or member.state == "deleted":
        raise ValidationError(_("This link is not valid any more. Ask for a new one."))
    erase(db, member)


def erase(db: Session, member: Member) -> None:
    """Remove everything personal from a member's row; keep the row so their posts still have an author."""
    db.execute(delete(Handle).where(Handle.member_id == member.id))
    db.execute(delete(SignInIdentity).where(SignInIdentity.member_id == member.id))  # work accounts unlinked
    db.execute(delete(SavedPost).where(SavedPost.member_id == member.id))  # saved posts and their notes (#22)
    db.execute(delete(ReadState).where(ReadState.member_id == member.id))
    db.execute(update(Speaker).where(Speaker.member_id == member.id).values(member_id=None))
    # Invitations to them (by account or by address) end, and forget the address they were sent to.
    theirs = SpaceRequest.member_id == member.id
    if member.email:
        theirs = theirs | (SpaceRequest.invited_email == member.email)
    db.execute(update(SpaceRequest).where(theirs, SpaceRequest.kind == "invitation", SpaceRequest.status == "pending")
               .values(status="withdrawn", decided_at=utcnow()))
    db.execute(update(SpaceRequest).where(theirs).values(invited_email=None))
    member.display_name, member.name_key, member.email = FORMER_MEMBER, None, None
    member.password_hash = None
    member.set_bio("")
    member.sector = member.job_role = member.organisation_id = None
    member.status_reason = member.info_request = member.info_response = None
    member.state, member.role, member.champion = "deleted", "member", False
    member.session_version += 1
    db.flush()
    db.expire(member, ["handles", "organisation"])
