"""Chat sessions and the imports that turned their transcripts into threads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.db import Base, UTCDateTime, utcnow


class Chat(Base):
    """One weekly chat: when it was, where its threads live, and how it went."""

    __tablename__ = "forum_chat"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    hashtag: Mapped[str | None] = mapped_column(String(60))
    space_id: Mapped[int] = mapped_column(ForeignKey("forum_space.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    status: Mapped[str] = mapped_column(String(12), default="upcoming")  # upcoming | held | imported
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    space = relationship("Space", lazy="raise")


class ChatImport(Base):
    """A transcript file imported into a chat: what, by whom, and what came of it."""

    __tablename__ = "forum_chat_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("forum_chat.id", ondelete="CASCADE"), index=True)
    format: Mapped[str] = mapped_column(String(40))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("forum_member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)

    chat = relationship("Chat", lazy="raise")
