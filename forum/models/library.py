"""The good-practice library: posts and threads promoted by moderators, tagged by service area."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from markupsafe import Markup

from forum import markup
from forum.db import Base, UTCDateTime, utcnow

entry_tags = Table(
    "forum_library_entry_tag", Base.metadata,
    Column("entry_id", ForeignKey("forum_library_entry.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("forum_library_tag.id", ondelete="CASCADE"), primary_key=True),
)


class LibraryTag(Base):
    """A service area, such as housing or children's services; moderators edit the list."""

    __tablename__ = "forum_library_tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(80))


class LibraryEntry(Base):
    """A promoted post or thread with a summary a council officer can take to their manager."""

    __tablename__ = "forum_library_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text)
    approach: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(Text)
    summary_html: Mapped[str] = mapped_column(Text)   # problem, approach and outcome rendered at write time
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("forum_organisation.id", ondelete="SET NULL"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_post.id", ondelete="SET NULL"), index=True)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("forum_thread.id", ondelete="SET NULL"), index=True)
    chat_id: Mapped[int | None] = mapped_column(ForeignKey("forum_chat.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("forum_member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # published, or awaiting the author's consent (content from a private space)
    status: Mapped[str] = mapped_column(String(16), default="published")
    consent_member_id: Mapped[int | None] = mapped_column(ForeignKey("forum_member.id", ondelete="SET NULL"))
    # The person credited by name beside the organisation (#22): the author of a post already public
    # under their name, or an author from a private space who agreed to be named.
    credited_member_id: Mapped[int | None] = mapped_column(ForeignKey("forum_member.id", ondelete="SET NULL"))

    tags = relationship(LibraryTag, secondary=entry_tags, lazy="selectin", order_by=LibraryTag.name)
    organisation = relationship("Organisation", lazy="joined")

    def set_summary(self, source: str) -> None:
        """Render the summary's markdown (problem, approach, outcome) to the HTML it stores."""
        self.summary_html = markup.render(source)

    @property
    def summary(self) -> Markup:
        """The summary's stored HTML, for templates and feeds to print as it is."""
        return markup.safe(self.summary_html)
