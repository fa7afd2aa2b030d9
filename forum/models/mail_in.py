"""Mail received: the log of every message taken in, and what the forum knows about each address it mails."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, UTCDateTime, utcnow

MAIL_OUTCOMES = ("posted", "started", "dropped", "bounce", "refused")


class ReceivedMail(Base):
    """One message taken in by receive-mail or fetch-mail, and what became of it (moderators read this log).

    `message_key` is the Message-ID (or, without one, a hash of the message), unique, so a message
    delivered twice is handled once.
    """

    __tablename__ = "forum_mail_received"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_key: Mapped[str] = mapped_column(String(300), unique=True)
    message_id: Mapped[str] = mapped_column(String(300), default="")
    from_address: Mapped[str] = mapped_column(String(254), default="")
    to_address: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(300), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Plain ids, not foreign keys: the log outlives what it points at.
    member_id: Mapped[int | None] = mapped_column(Integer)
    post_id: Mapped[int | None] = mapped_column(Integer)


class MailAddress(Base):
    """An address the forum mails: its hard bounces, whether sending to it has stopped, its last refusal reply."""

    __tablename__ = "forum_mail_address"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(254), unique=True)  # lower-case
    hard_bounces: Mapped[int] = mapped_column(Integer, default=0)
    last_bounce_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_bounce_reason: Mapped[str | None] = mapped_column(Text)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # no mail is sent to it from then on
    last_refusal_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
