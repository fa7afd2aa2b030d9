"""Links shared in posts: one row per distinct URL in a post, found when the post is written (#20)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, UTCDateTime, utcnow


class Link(Base):
    """A URL a post shares: its normal form (which merges duplicates across chats), as posted, and its domain.

    Who may see it is never stored here: every read joins the post, its thread and space, and asks the
    policy, so a post hidden, deleted, waiting or in a closed space keeps its links to those who see it.
    """

    __tablename__ = "forum_link"
    __table_args__ = (
        UniqueConstraint("post_id", "url_key"),
        Index("ix_forum_link_url_key_post", "url_key", "post_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"), index=True)
    url_key: Mapped[str] = mapped_column(String(40))   # sha1 of `url`: groups duplicates, indexable at any length
    url: Mapped[str] = mapped_column(Text)             # the normal form (see services/links.normalise)
    shown_url: Mapped[str] = mapped_column(Text)       # as it was posted (first time in this post)
    domain: Mapped[str] = mapped_column(String(255), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)  # for the feed of new links
