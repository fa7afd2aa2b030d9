"""Posting without one's name: only a moderator may see who wrote such a post, giving a reason, and it is logged."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from forum import policy
from forum.errors import NotFound, PermissionDenied, ValidationError
from forum.models import Member, Post, Space
from forum.services import moderation_log


def reveal_author(db: Session, post: Post, space: Space, moderator: Member, reason: str) -> Member | None:
    """Tell a moderator who wrote an anonymous post, and log that they looked and why."""
    if not policy.can_moderate_space(moderator, space):
        raise PermissionDenied(_("Only moderators can see who wrote a post without their name."))
    if not post.anonymous:
        raise NotFound(_("That post shows its author already."))
    if not reason or not reason.strip():
        raise ValidationError(_("Give a reason"), {"reason": _("Enter why you need to know who wrote this post")})
    moderation_log.record(db, moderator, "reveal_author", "post", post.id, reason.strip())
    return db.get(Member, post.author_id) if post.author_id else None
