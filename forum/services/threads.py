"""Threads' and spaces' counts, kept to what their readers see, and moving threads between spaces."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from forum import policy
from forum.errors import PermissionDenied, ValidationError
from forum.models import Member, Post, Space, Thread
from forum.services import moderation_log


def recount_thread(db: Session, thread: Thread) -> None:
    """Set a thread's first post, and its count and latest post from what every reader of it may see.

    Posts that wait for approval, were rejected or were removed at their speaker's request are not
    counted and are never its "latest post", so no count or "by ..." line tells that they exist.
    """
    first = db.scalar(select(Post.id).where(Post.thread_id == thread.id).order_by(Post.created_at, Post.id).limit(1))
    rows = db.execute(select(Post.id, Post.created_at).where(Post.thread_id == thread.id, policy.published_post_filter())
                      .order_by(Post.created_at.desc(), Post.id.desc()).limit(1)).first()
    thread.post_count = db.scalar(select(func.count()).select_from(Post)
                                  .where(Post.thread_id == thread.id, policy.published_post_filter()))
    thread.first_post_id = first
    if rows is not None:
        thread.last_post_id, thread.last_post_at = rows.id, rows.created_at
    else:
        thread.last_post_id = None


def recount_space(db: Session, space: Space) -> None:
    """Set a space's thread and post counts and latest activity from its threads everyone there may see."""
    listed = and_(Thread.space_id == space.id, Thread.awaiting_approval.is_(False))
    space.thread_count = db.scalar(select(func.count()).select_from(Thread).where(listed))
    space.post_count = db.scalar(select(func.coalesce(func.sum(Thread.post_count), 0)).where(listed))
    latest = db.execute(select(Thread.id, Thread.last_post_at).where(listed)
                        .order_by(Thread.last_post_at.desc()).limit(1)).first()
    space.last_thread_id, space.last_post_at = (latest.id, latest.last_post_at) if latest else (None, None)


def move_thread(db: Session, thread: Thread, source: Space, target: Space, moderator: Member, reason: str = "") -> None:
    """Move a thread into another space; the target's visibility decides who can read it from now on."""
    if not (policy.can_moderate_space(moderator, source) and policy.can_moderate_space(moderator, target)):
        raise PermissionDenied(_("You can move threads only between spaces you moderate."))
    if source.id == target.id:
        raise ValidationError(_("Choose a different space"), {"space": _("The thread is already in that space")})
    thread.space_id = target.id
    # Imported posts keep their chat; quotes across spaces are refused from now on by the same check as ever.
    db.flush()
    recount_space(db, source)
    recount_space(db, target)
    moderation_log.record(db, moderator, "move_thread", "thread", thread.id, reason, source=source.id, target=target.id)
