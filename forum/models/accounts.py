"""Members, the organisations they work for, and the handles that link imported speech to them."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from markupsafe import Markup

from forum import markup
from forum.db import Base, UTCDateTime, utcnow

ROLES = ("member", "moderator", "admin")
STATES = ("pending", "approved", "rejected", "suspended", "deleted")
# Where a member can claim a handle or a display name, so that imported speech shows as theirs. Chat logs and
# meeting transcripts (plain text, Zoom, Teams) know people only by the name they showed.
PLATFORMS = {
    "x": _l("X (Twitter)"), "mastodon": _l("Mastodon"), "bluesky": _l("Bluesky"), "slack": _l("Slack display name"),
    "teams": _l("Teams display name"), "zoom": _l("Zoom display name"), "text": _l("Chat log name"),
}
SECTORS = {
    "local_government": _l("Local government"),
    "voluntary": _l("Voluntary and community sector"),
    "councillor": _l("Councillor"),
    "public_sector": _l("Other public sector"),
    "partner": _l("Partner or supplier"),
    "research": _l("Researcher or journalist"),
    "other": _l("Other"),
}


# Which chat recaps a member gets by email (#20); "watched" is the default.
RECAP_CHOICES = {
    "watched": _l("For chats in spaces I watch"),
    "all": _l("For every chat I can read"),
    "none": _l("Never"),
}


def normalise_name(name: str) -> str:
    """Fold a name for comparison: NFKC, invisible characters gone, spaces collapsed, case-folded."""
    name = unicodedata.normalize("NFKC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cf", "Cc", "Co", "Cs"})
    return " ".join(name.split()).casefold()


class Organisation(Base):
    """A council, charity or other body; unique by its normalised name."""

    __tablename__ = "forum_organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[str | None] = mapped_column(String(40))

    def __init__(self, name: str, sector: str | None = None):
        self.name = " ".join(name.split())
        self.name_key = normalise_name(name)
        self.sector = sector


class Member(Base):
    """An account: who someone is, what they may do, and where they work."""

    __tablename__ = "forum_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)  # stored lower-case; None once deleted
    display_name: Mapped[str] = mapped_column(String(80))
    name_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(16), default="member")
    state: Mapped[str] = mapped_column(String(16), default="approved")
    sector: Mapped[str | None] = mapped_column(String(40))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("forum_organisation.id"))
    job_role: Mapped[str | None] = mapped_column(String(120))
    bio_source: Mapped[str] = mapped_column(Text, default="")
    bio_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    champion: Mapped[bool] = mapped_column(default=False)  # "digital champion", given by moderators
    # Why a moderator rejected or suspended the account, or what more they asked to know.
    status_reason: Mapped[str | None] = mapped_column(Text)
    info_request: Mapped[str | None] = mapped_column(Text)
    info_response: Mapped[str | None] = mapped_column(Text)
    # Bumped to end every session at once (sign out everywhere, password change, suspension).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Keeping up: how email reaches them, whether writing in a thread watches it, their private feed.
    email_frequency: Mapped[str] = mapped_column(String(10), default="daily")
    auto_watch: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str | None] = mapped_column(String(8))  # "en", "cy"; None: as the browser asks
    feed_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Chat recaps by email (#20): "watched" (chats in spaces they watch; the default), "all" or "none".
    recap_email: Mapped[str] = mapped_column(String(10), default="watched")

    organisation: Mapped[Organisation | None] = relationship(lazy="joined", innerjoin=False)
    handles: Mapped[list[Handle]] = relationship(back_populates="member", cascade="all, delete-orphan")

    # -- Flask-Login ------------------------------------------------------------------------------
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.state in ("approved", "pending")

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def set_bio(self, source: str) -> None:
        """Set the bio's markdown and the HTML rendered from it, in one step."""
        self.bio_source, self.bio_html = source, markup.render(source) if source.strip() else ""

    @property
    def bio(self) -> Markup:
        """The bio's stored HTML, for templates to print as it is."""
        return markup.safe(self.bio_html)

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    # -- roles ------------------------------------------------------------------------------------
    @property
    def is_approved(self) -> bool:
        return self.state == "approved"

    @property
    def is_moderator(self) -> bool:
        return self.role in ("moderator", "admin") and self.is_approved

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" and self.is_approved

    @property
    def sector_label(self) -> str | None:
        return SECTORS.get(self.sector or "")

    def __repr__(self) -> str:
        return f"<Member {self.id} {self.display_name!r}>"


class Handle(Base):
    """A platform handle a member claims (x, mastodon, bluesky, slack...), confirmed by a moderator."""

    __tablename__ = "forum_handle"
    __table_args__ = (UniqueConstraint("platform", "handle_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("forum_member.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    handle: Mapped[str] = mapped_column(String(200))
    handle_key: Mapped[str] = mapped_column(String(200))
    confirmed: Mapped[bool] = mapped_column(default=False)

    member: Mapped[Member] = relationship(back_populates="handles")

    @property
    def platform_label(self) -> str:
        return PLATFORMS.get(self.platform, self.platform)

    def __init__(self, platform: str, handle: str, confirmed: bool = False, member: Member | None = None):
        self.platform = platform
        self.handle = handle.strip()
        self.handle_key = handle_key(handle)
        self.confirmed = confirmed
        if member is not None:
            self.member = member


def handle_key(handle: str) -> str:
    """Fold a handle for matching: no leading @, case-insensitive, trimmed."""
    return normalise_name(handle.strip().lstrip("@"))
