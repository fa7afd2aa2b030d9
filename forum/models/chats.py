"""Chat sessions, the questions proposed for them, and the imports that turned their transcripts into threads."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.db import Base, UTCDateTime, utcnow

# What a chat's page and the chat list say of where it stands.
CHAT_STATUSES = {
    # Translators: a chat that has not started yet
    "upcoming": _l("Upcoming"),
    # Translators: a chat taking place at this moment
    "on_now": _l("On now"),
    # Translators: a chat that has ended
    "over": _l("Over"),
    "imported": _l("Transcript imported"),
}


class Chat(Base):
    """One weekly chat: when it is, where its threads live, who hosts it, and how it went."""

    __tablename__ = "forum_chat"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    hashtag: Mapped[str | None] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")
    space_id: Mapped[int] = mapped_column(ForeignKey("forum_space.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    status: Mapped[str] = mapped_column(String(12), default="upcoming")  # upcoming | held | imported
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The .ics event's SEQUENCE (RFC 5545): raised whenever the event is re-issued, as after an import (#20).
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0)

    # After the chat (#20): when its recap went out (once per chat), and when a host checked the threads' titles.
    recap_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    titles_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    space = relationship("Space", lazy="raise")
    hosts = relationship("Member", secondary="forum_chat_host", lazy="raise", order_by="Member.display_name")
    # Its service areas (#20): the library's tags, set by its hosts; see services/topics.py.
    topics = relationship("LibraryTag", secondary="forum_chat_tag", lazy="raise", order_by="LibraryTag.name")

    @property
    def ends_at(self) -> datetime | None:
        return self.starts_at + timedelta(minutes=self.duration_minutes) if self.starts_at else None

    @property
    def phase(self) -> str:
        """Where the chat stands by the clock: 'upcoming' before it starts (or with no date yet),
        'on_now' from its start to its end, 'over' after (#22)."""
        if self.starts_at is None:
            return "over" if self.status == "imported" else "upcoming"
        now = utcnow()
        if now < self.starts_at:
            return "upcoming"
        return "on_now" if now < self.ends_at else "over"

    @property
    def status_label(self) -> str:
        """Upcoming, On now or Over by the clock; 'Transcript imported' once its threads are in."""
        return CHAT_STATUSES["imported"] if self.status == "imported" else CHAT_STATUSES[self.phase]


class ChatHost(Base):
    """A member who hosts a chat."""

    __tablename__ = "forum_chat_host"

    chat_id: Mapped[int] = mapped_column(ForeignKey("forum_chat.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("forum_member.id", ondelete="CASCADE"), primary_key=True)


class ProposedQuestion(Base):
    """A question a member proposes for a coming chat; members vote, hosts choose and order."""

    __tablename__ = "forum_proposed_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("forum_chat.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("forum_member.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="proposed")  # proposed | chosen | not_chosen
    position: Mapped[int | None] = mapped_column(Integer)  # order among the chosen: Q1, Q2...
    vote_count: Mapped[int] = mapped_column(Integer, default=0)
    # A question left open in an earlier chat that a host carried into this one (#20): the post that asked it.
    source_post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_post.id", ondelete="SET NULL"), index=True)

    member = relationship("Member", lazy="raise")
    source_post = relationship("Post", lazy="raise")


class QuestionVote(Base):
    """One member's vote for a proposed question."""

    __tablename__ = "forum_question_vote"

    question_id: Mapped[int] = mapped_column(ForeignKey("forum_proposed_question.id", ondelete="CASCADE"),
                                             primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("forum_member.id", ondelete="CASCADE"), primary_key=True)


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


class PendingImport(Base):
    """An uploaded transcript waiting for its host to confirm the preview; kept on the server, and it expires."""

    __tablename__ = "forum_pending_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("forum_member.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
