"""Uploaded transcripts waiting for their host to confirm the preview: a few per person, for a day at most.

An upload is up to FORUM_IMPORT_MAX_BYTES (20 MB) kept in the database, so each person keeps at
most FORUM_IMPORT_PENDING_LIMIT of them (a new one replaces their oldest) and none outlives
FORUM_IMPORT_PENDING_HOURS: expired ones are deleted on every upload and by `flask forum send-mail`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from forum.db import utcnow
from forum.errors import ForumError, NotFound
from forum.models import Member, PendingImport


class UploadExpired(ForumError):
    """The upload was kept too long and must be uploaded again."""

    status = 410

    def __init__(self, pending: PendingImport):
        super().__init__(_("Your upload of %(filename)s waited too long, so nothing from it was imported.",
                           filename=pending.filename))
        self.filename = pending.filename
        self.chat_id = (pending.options or {}).get("chat_id")


@dataclass
class Kept:
    """A stored upload, and the names of the person's older uploads it pushed out (oldest first)."""

    pending: PendingImport
    replaced: list[str]


def keep(db: Session, member: Member, filename: str, data: bytes, options: dict, *, hours: int, limit: int,
         now: datetime | None = None) -> Kept:
    """Store an upload for its preview; drop expired uploads, and this person's oldest beyond `limit`."""
    now = now or utcnow()
    discard_expired(db, now)
    waiting = list(db.execute(
        select(PendingImport.id, PendingImport.filename).where(PendingImport.member_id == member.id)
        .order_by(PendingImport.created_at, PendingImport.id)
    ))
    pushed_out = waiting[:max(len(waiting) - max(limit, 1) + 1, 0)]
    if pushed_out:
        db.execute(delete(PendingImport).where(PendingImport.id.in_([row.id for row in pushed_out])))
    pending = PendingImport(token=secrets.token_urlsafe(24), member_id=member.id, filename=filename[:255],
                            data=data, options=options, created_at=now, expires_at=now + timedelta(hours=hours))
    db.add(pending)
    db.flush()
    return Kept(pending, [row.filename for row in pushed_out])


def find(db: Session, member: Member, token: str, now: datetime | None = None) -> PendingImport:
    """The member's own waiting upload; NotFound for anyone else's or none, UploadExpired when too old."""
    pending = db.scalar(select(PendingImport).where(PendingImport.token == token))
    if pending is None or pending.member_id != member.id:
        raise NotFound(_("There is no upload waiting at this address: it may have expired, been imported "
                         "already, or been replaced by a newer upload."))
    if pending.expires_at <= (now or utcnow()):
        raise UploadExpired(pending)
    return pending


def discard_expired(db: Session, now: datetime | None = None) -> int:
    """Delete every upload past its time; return how many went."""
    result = db.execute(delete(PendingImport).where(PendingImport.expires_at <= (now or utcnow())))
    return result.rowcount or 0
