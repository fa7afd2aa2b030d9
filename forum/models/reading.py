"""What each member has read of each thread, and the posts they saved for later (#22)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.db import Base, UTCDateTime, utcnow

NOTE_MAX = 500  # characters in a saved post's private note


class ReadState(Base):
    """How far a member has read a thread: up to and including one post, in the thread's order.

    A thread's order is (created_at, id), so the position is kept as both; a post is unread when it
    comes after it. One row per member and thread, moved forward (never back) when they view a page.
    """

    __tablename__ = "forum_read_state"

    member_id: Mapped[int] = mapped_column(ForeignKey("forum_member.id", ondelete="CASCADE"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id", ondelete="CASCADE"), primary_key=True,
                                           index=True)
    # No foreign key: the position stays meaningful after the post it names is gone.
    post_id: Mapped[int] = mapped_column(Integer)
    post_created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # when the position last moved


class SavedPost(Base):
    """A post a member saved for later, with a note only they see."""

    __tablename__ = "forum_saved_post"
    __table_args__ = (
        UniqueConstraint("member_id", "post_id"),
        Index("ix_forum_saved_post_member_newest", "member_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("forum_member.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(String(NOTE_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    post = relationship("Post", lazy="raise")
