"""Moving threads between spaces, with both spaces' counts kept in step."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forum import policy
from forum.errors import PermissionDenied, ValidationError
from forum.models import Member, Space, Thread
from forum.services import moderation_log


def recount_space(db: Session, space: Space) -> None:
    """Set a space's thread and post counts and latest activity from its threads."""
    space.thread_count = db.scalar(select(func.count()).select_from(Thread).where(Thread.space_id == space.id))
    space.post_count = db.scalar(select(func.coalesce(func.sum(Thread.post_count), 0)).where(Thread.space_id == space.id))
    latest = db.execute(select(Thread.id, Thread.last_post_at).where(Thread.space_id == space.id)
                        .order_by(Thread.last_post_at.desc()).limit(1)).first()
    space.last_thread_id, space.last_post_at = (latest.id, latest.last_post_at) if latest else (None, None)


def move_thread(db: Session, thread: Thread, source: Space, target: Space, moderator: Member, reason: str = "") -> None:
    """Move a thread into another space; the target's visibility decides who can read it from now on."""
    if not (policy.can_moderate_space(moderator, source) and policy.can_moderate_space(moderator, target)):
        raise PermissionDenied("You can move threads only between spaces you moderate.")
    if source.id == target.id:
        raise ValidationError("Choose a different space", {"space": "The thread is already in that space"})
    thread.space_id = target.id
    # Imported posts keep their chat; quotes across spaces are refused from now on by the same check as ever.
    db.flush()
    recount_space(db, source)
    recount_space(db, target)
    moderation_log.record(db, moderator, "move_thread", "thread", thread.id, reason, source=source.id, target=target.id)
