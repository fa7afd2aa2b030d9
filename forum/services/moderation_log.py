"""Writing to the moderation log (append-only)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from forum.models import Member, ModerationLogEntry


def record(db: Session, actor: Member | None, action: str, target_type: str, target_id: int,
           reason: str | None = None, **details) -> ModerationLogEntry:
    """Log one moderator action in the caller's transaction."""
    entry = ModerationLogEntry(actor_id=actor.id if actor else None, action=action, target_type=target_type,
                               target_id=target_id, reason=reason or None, details=details)
    db.add(entry)
    return entry
