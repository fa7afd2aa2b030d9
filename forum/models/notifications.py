"""What members watch, and the notifications that follow from it."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.db import Base, UTCDateTime, utcnow

EMAIL_FREQUENCIES = {
    "immediate": _l("Straight away, one email per notification"),
    "daily": _l("A daily digest"),
    "weekly": _l("A weekly digest"),
    "none": _l("No email: I'll check the forum or my feed"),
}


class Watch(Base):
    """A member watching a thread, a space, or a keyword or hashtag ("listening")."""

    __tablename__ = "forum_watch"
    __table_args__ = (UniqueConstraint("member_id", "kind", "target_id", "keyword"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("forum_member.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))   # thread | space | keyword
    target_id: Mapped[int] = mapped_column(default=0)  # the thread's or space's id; 0 for keywords
    keyword: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Mailing-list mode (#21): every post in the thread or space by email, as it is posted.
    every_post: Mapped[bool] = mapped_column(default=False)


class Notification(Base):
    """Something a member should know about: a reply, a mention, a keyword, a new thread."""

    __tablename__ = "forum_notification"
    __table_args__ = (Index("ix_forum_notification_unread", "member_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("forum_member.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))   # reply | new_thread | mention | keyword
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"), index=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id", ondelete="CASCADE"))
    keyword: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)   # sent on its own
    digested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # included in a digest

    post = relationship("Post", lazy="raise")
    thread = relationship("Thread", lazy="raise")
