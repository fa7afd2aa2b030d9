"""The moderation log: every moderator action, who did it, when and why. Append-only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, event, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.db import Base, UTCDateTime, utcnow
from forum.models.threads import Thread


class ModerationLogEntry(Base):
    """One action: approve a member, suspend, hide a post, reveal an anonymous author..."""

    __tablename__ = "forum_moderation_log"
    __table_args__ = (Index("ix_forum_moderation_log_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("forum_member.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(20))   # member, post, thread, space, speaker
    target_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    actor = relationship("Member", lazy="raise")


class Report(Base):
    """A member's report of a post, and what the moderators did about it."""

    __tablename__ = "forum_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("forum_member.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | hidden | dismissed
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("forum_member.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    reporter = relationship("Member", foreign_keys=[reporter_id], lazy="joined")
    post = relationship("Post", lazy="joined")


class PostRevision(Base):
    """An earlier version of an edited post, for moderators."""

    __tablename__ = "forum_post_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"), index=True)
    body_source: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)   # when this version was written
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("forum_member.id", ondelete="SET NULL"))

    editor = relationship("Member", lazy="joined")


class ThreadRedirect(Base):
    """Where a thread merged into another now lives, so old links still work."""

    __tablename__ = "forum_thread_redirect"

    old_id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id", ondelete="CASCADE"))


@event.listens_for(Thread, "before_insert")
def _never_reuse_a_merged_threads_id(_mapper, connection, thread) -> None:
    """On SQLite, give a new thread an id above every merged one's, so an old link never finds a stranger.

    SQLite (without AUTOINCREMENT, which needs a table rebuild that would cascade-delete posts) hands
    out the largest id again once its row is gone, as a merge removes it; PostgreSQL's sequences never do.
    SQLite writes one transaction at a time (BEGIN IMMEDIATE), so the highest id read here stays free.
    """
    if thread.id is not None or connection.dialect.name != "sqlite":
        return
    highest = connection.scalar(select(func.max(ThreadRedirect.old_id)))
    if highest is not None:
        thread.id = max(highest, connection.scalar(select(func.max(Thread.id))) or 0) + 1
