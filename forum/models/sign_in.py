"""A member's linked sign-ins: an OpenID Connect account (issuer + subject), or a host app's user."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.db import Base, UTCDateTime, utcnow
from forum.models.accounts import Member


class SignInIdentity(Base):
    """Who a provider says someone is (its issuer and their subject there), and the member that is.

    A returning sign-in is matched by issuer + subject only, never by email address: an address can
    be reused or edited at the provider, the subject cannot.
    """

    __tablename__ = "forum_sign_in_identity"
    __table_args__ = (UniqueConstraint("issuer", "subject"), UniqueConstraint("member_id", "provider"))

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("forum_member.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(40))   # the configured name, e.g. "entra"; "host" for a host app
    issuer: Mapped[str] = mapped_column(String(300))    # the token's iss (per tenant for Entra)
    subject: Mapped[str] = mapped_column(String(255))   # the token's sub
    email: Mapped[str | None] = mapped_column(String(254))  # the verified address it last came with
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member] = relationship()

    def __repr__(self) -> str:
        return f"<SignInIdentity {self.provider} {self.subject!r} of member {self.member_id}>"
