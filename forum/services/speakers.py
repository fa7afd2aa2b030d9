"""Imported speakers: confirming a member's claim to a handle, and hiding a speaker at their request."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from forum.db import utcnow
from forum.errors import PermissionDenied, ValidationError
from forum.models import Handle, Member, Post, Space, Speaker, Thread
from forum.services import moderation_log
from forum.services.threads import recount_space, recount_thread


def unconfirmed_claims(db: Session) -> list[Handle]:
    """Handles members have claimed and moderators have not yet confirmed, oldest first."""
    return list(db.scalars(select(Handle).join(Member).where(Handle.confirmed.is_(False), Member.state == "approved")
                           .order_by(Handle.id)))


def _require_moderator(actor: Member) -> None:
    if not actor.is_moderator:
        raise PermissionDenied(_("Only moderators can do that."))


def _matching_speakers(db: Session, handle: Handle) -> list[Speaker]:
    return list(db.scalars(select(Speaker).where(
        Speaker.platform == handle.platform,
        or_(Speaker.speaker_key == f"handle:{handle.handle_key}", Speaker.speaker_key == f"name:{handle.handle_key}",
            Speaker.handle.is_not(None) & (Speaker.handle == handle.handle.lstrip("@"))),
    )))


def confirm_claim(db: Session, handle: Handle, moderator: Member) -> int:
    """Confirm a claim: that speaker's imported posts, past and future, become the member's. Return how many."""
    _require_moderator(moderator)
    handle.confirmed = True
    attributed = 0
    for speaker in _matching_speakers(db, handle):
        if speaker.member_id not in (None, handle.member_id):
            raise ValidationError(_("%(name)s is already matched to another member.", name=speaker.display_name))
        speaker.member_id = handle.member_id
        attributed += db.execute(update(Post).where(Post.speaker_id == speaker.id).values(
            author_id=handle.member_id)).rowcount or 0
    moderation_log.record(db, moderator, "confirm_handle", "member", handle.member_id,
                          platform=handle.platform, handle=handle.handle)
    return attributed


def reject_claim(db: Session, handle: Handle, moderator: Member) -> None:
    """Turn a claim down; the member can claim again if it was a mistake."""
    _require_moderator(moderator)
    moderation_log.record(db, moderator, "reject_handle", "member", handle.member_id,
                          platform=handle.platform, handle=handle.handle)
    db.delete(handle)


def hide_speaker(db: Session, speaker: Speaker, moderator: Member, reason: str) -> int:
    """Remove everything a speaker said in imported chats, everywhere, at their request. Return how many posts.

    Removed posts are shown to nobody, not even as a placeholder (policy.post_state), and leave the counts.
    """
    _require_moderator(moderator)
    if not reason or not reason.strip():
        raise ValidationError(_("Give a reason"), {"reason": _("Enter how the person asked, for the log")})
    now = utcnow()
    speaker.hidden_at = now
    threads = set(db.scalars(select(Post.thread_id).where(Post.speaker_id == speaker.id, Post.removed_at.is_(None))))
    hidden = db.execute(update(Post).where(Post.speaker_id == speaker.id, Post.removed_at.is_(None))
                        .values(removed_at=now)).rowcount or 0
    spaces = set()
    for thread in db.scalars(select(Thread).where(Thread.id.in_(threads))) if threads else ():
        recount_thread(db, thread)
        spaces.add(thread.space_id)
    db.flush()
    for space in db.scalars(select(Space).where(Space.id.in_(spaces))) if spaces else ():
        recount_space(db, space)
    moderation_log.record(db, moderator, "hide_speaker", "speaker", speaker.id, reason,
                          name=speaker.display_name, platform=speaker.platform)
    return hidden
