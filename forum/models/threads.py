"""Threads and posts, and the speakers that imported posts came from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, select, text
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from markupsafe import Markup

from forum import markup
from forum.db import Base, UTCDateTime, utcnow

PLATFORM_NAMES = {
    "x": "X (Twitter)", "mastodon": "Mastodon", "bluesky": "Bluesky", "slack": "Slack",
    "teams": "Microsoft Teams", "zoom": "Zoom", "discord": "Discord", "whatsapp": "WhatsApp",
    "irc": "IRC", "signal": "Signal", "text": "a chat log",
}


def platform_name(platform: str) -> str:
    """A chat platform's name as readers see it."""
    return PLATFORM_NAMES.get(platform, platform)


class Speaker(Base):
    """Someone who spoke in an imported chat, matched to a member when they have claimed the handle."""

    __tablename__ = "forum_speaker"
    __table_args__ = (UniqueConstraint("platform", "speaker_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    speaker_key: Mapped[str] = mapped_column(String(300))  # stable id, else folded handle, else folded name
    display_name: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str | None] = mapped_column(String(200))
    platform_user_id: Mapped[str | None] = mapped_column(String(200))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("forum_member.id", ondelete="SET NULL"), index=True)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # "removed at the author's request"

    member = relationship("Member", lazy="raise")

    @property
    def platform_name(self) -> str:
        return platform_name(self.platform)


class Thread(Base):
    """A conversation in a space, with counts kept in step with its posts."""

    __tablename__ = "forum_thread"
    __table_args__ = (
        Index("ix_forum_thread_space_activity", "space_id", "pinned", "last_post_at"),
        Index("ix_forum_thread_activity", "last_post_at", "id"),  # the home page's latest threads
        # The threads of given spaces, read from the index alone: what a search leaves out for a viewer
        # (forum.policy.unreadable_threads) is a few spaces' threads, not a read of every thread (#19).
        Index("ix_forum_thread_space_id", "space_id", "id"),
        # A member's own threads waiting for approval, which the lists show them beside the listed ones: without
        # it, "these 30 threads or my waiting ones" read every thread (#19).
        Index("ix_forum_thread_waiting", "author_id", postgresql_where=text("awaiting_approval IS true"),
              sqlite_where=text("awaiting_approval IS 1")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("forum_space.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    # Who started it, for "your thread waits for approval"; never printed (see policy.byline).
    author_id: Mapped[int | None] = mapped_column(ForeignKey("forum_member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    first_post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_post.id", use_alter=True, ondelete="SET NULL"))
    last_post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_post.id", use_alter=True, ondelete="SET NULL"))
    pinned: Mapped[bool] = mapped_column(default=False)
    locked: Mapped[bool] = mapped_column(default=False)
    lock_reason: Mapped[str | None] = mapped_column(Text)
    awaiting_approval: Mapped[bool] = mapped_column(default=False)  # its first post waits for a moderator
    chat_id: Mapped[int | None] = mapped_column(ForeignKey("forum_chat.id", ondelete="SET NULL"), index=True)
    question_number: Mapped[int | None] = mapped_column(Integer)

    space = relationship("Space", foreign_keys=[space_id], lazy="raise")
    # No `author` relationship: who a thread is "by" is its first post's byline, which the policy decides.
    first_post = relationship("Post", foreign_keys=[first_post_id], lazy="raise", post_update=True)
    last_post = relationship("Post", foreign_keys=[last_post_id], lazy="raise", post_update=True)
    chat = relationship("Chat", foreign_keys=[chat_id], lazy="raise")

    @property
    def reply_count(self) -> int:
        return max(self.post_count - 1, 0)

    def __repr__(self) -> str:
        return f"<Thread {self.id} {self.title!r}>"


class Post(Base):
    """One message: its markdown source, the sanitised HTML made when it was written, and its author."""

    __tablename__ = "forum_post"
    __table_args__ = (
        Index("ix_forum_post_thread_order", "thread_id", "created_at", "id"),
        # The same order with what decides whether a post counts as new (read_state._counted): "N new"
        # and read marks come from the index alone (#19).
        Index("ix_forum_post_thread_counted", "thread_id", "created_at", "id", "author_id", "awaiting_approval",
              "rejected_at", "removed_at", "deleted_at", "hidden_at"),
        UniqueConstraint("chat_id", "source_key"),
        # A form submitted twice (a double click, a retried request) posts once.
        UniqueConstraint("author_id", "submission_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("forum_member.id", ondelete="SET NULL"), index=True)
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("forum_speaker.id", ondelete="SET NULL"), index=True)
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("forum_post.id", ondelete="SET NULL"))
    quote_of_id: Mapped[int | None] = mapped_column(ForeignKey("forum_post.id", ondelete="SET NULL"))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)   # deleted by its author
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)    # hidden by a moderator
    anonymous: Mapped[bool] = mapped_column(default=False)
    awaiting_approval: Mapped[bool] = mapped_column(default=False)  # pre-moderation: hidden until approved
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a moderator turned it down while it waited
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)   # removed at its (imported) speaker's request
    submission_key: Mapped[str | None] = mapped_column(String(64))
    # Imported posts: the chat they came from, and the platform's id (or a content hash) for re-imports.
    chat_id: Mapped[int | None] = mapped_column(ForeignKey("forum_chat.id", ondelete="SET NULL"))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("forum_chat_import.id", ondelete="SET NULL"))
    source_key: Mapped[str | None] = mapped_column(String(300))
    source_url: Mapped[str | None] = mapped_column(String(500))
    # The language it is written in, as its author said ("en", "cy"), so screen readers read it right
    # (#24); None: not said (imports, posts from before).
    language: Mapped[str | None] = mapped_column(String(8))

    thread = relationship("Thread", foreign_keys=[thread_id], lazy="raise")
    author = relationship("Member", foreign_keys=[author_id], lazy="raise")
    speaker = relationship("Speaker", foreign_keys=[speaker_id], lazy="raise")
    reply_to = relationship("Post", remote_side=[id], foreign_keys=[reply_to_id], lazy="raise")
    import_record = relationship("ChatImport", foreign_keys=[import_id], lazy="raise")

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    # -- the body: markdown and the sanitised HTML made from it, always set together (render on write) --

    @staticmethod
    def body_columns(source: str) -> dict[str, str]:
        """The body's columns for `source`, for a bulk INSERT (the import) as for one post."""
        return {"body_source": source, "body_html": markup.render(source)}

    def set_body(self, source: str) -> None:
        """Set the markdown and the HTML rendered from it, in one step."""
        for name, value in self.body_columns(source).items():
            setattr(self, name, value)

    @property
    def body(self) -> Markup:
        """The stored HTML, for templates to print as it is."""
        return markup.safe(self.body_html)

    def __repr__(self) -> str:
        return f"<Post {self.id} in thread {self.thread_id}>"


# A thread's title is taken to be in its first post's language (#24); loaded only where asked for
# (reading.get_thread), one subquery on the first post's key.
Thread.title_language = column_property(
    select(Post.language).where(Post.id == Thread.first_post_id).correlate_except(Post).scalar_subquery(),
    deferred=True,
)
