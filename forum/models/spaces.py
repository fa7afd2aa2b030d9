"""Spaces, where threads live, and who belongs to the closed ones."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.db import Base, UTCDateTime, utcnow

VISIBILITIES = {
    "public": _l("Public: anyone can read"),
    "members": _l("Members: signed-in members can read"),
    "private": _l("Private: listed, but only its members can read"),
    "secret": _l("Secret: invisible except to its members"),
}


class Space(Base):
    """A place for threads, with a visibility and denormalised counts for the home page."""

    __tablename__ = "forum_space"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(10), default="public")
    anonymous_posting: Mapped[bool] = mapped_column(default=False)
    # A new member's first N posts here wait for a moderator (0: posts appear at once).
    premoderate_first: Mapped[int] = mapped_column(Integer, default=0)
    # New threads by email (#21): on, and the part before the @ of its address (forum/mail_tokens.py).
    email_threads: Mapped[bool] = mapped_column(default=False)
    email_local_part: Mapped[str | None] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    thread_count: Mapped[int] = mapped_column(Integer, default=0)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    last_post_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_thread.id", use_alter=True, ondelete="SET NULL")
    )

    last_thread = relationship("Thread", foreign_keys=[last_thread_id], lazy="raise", post_update=True)
    memberships: Mapped[list[SpaceMembership]] = relationship(
        back_populates="space", cascade="all, delete-orphan", lazy="raise"
    )

    @property
    def is_closed(self) -> bool:
        return self.visibility in ("private", "secret")

    def __repr__(self) -> str:
        return f"<Space {self.slug}>"


class SpaceMembership(Base):
    """A member of a closed space, or a host who looks after a space."""

    __tablename__ = "forum_space_membership"

    space_id: Mapped[int] = mapped_column(ForeignKey("forum_space.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("forum_member.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(10), default="member")  # member | host
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    space: Mapped[Space] = relationship(back_populates="memberships")
    member = relationship("Member", lazy="joined")


class SpaceRequest(Base):
    """A request to join a closed space (from the person) or an invitation into one (from a host)."""

    __tablename__ = "forum_space_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("forum_space.id", ondelete="CASCADE"), index=True)
    # None only for an invitation by address that reaches no one (no approved member to invite there):
    # it is kept all the same, so the host's list of invitations never tells which addresses have accounts.
    member_id: Mapped[int | None] = mapped_column(ForeignKey("forum_member.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # request | invitation
    invited_email: Mapped[str | None] = mapped_column(String(254))  # an invitation by address: the address
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | accepted | declined | withdrawn
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("forum_member.id", ondelete="SET NULL"))

    space: Mapped[Space] = relationship(lazy="joined")
    member = relationship("Member", foreign_keys=[member_id], lazy="joined")
