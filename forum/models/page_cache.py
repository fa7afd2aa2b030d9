"""The page cache's versions: one random token per scope, changed in the same transaction as the data (#19)."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import String, event
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, UTCDateTime, utcnow

SITE = "site"        # everything every page may show: spaces, names, speakers, chats, the library...
LATEST = "latest"    # any thread's list entry: the home, space and chat pages' lists
SEEDED = (SITE, LATEST)


def new_token() -> str:
    """A token no other state of any database has had (so caches shared between copies never collide)."""
    return secrets.token_hex(8)


class PageVersion(Base):
    """What a cached page was made from: `site`, `latest` or `thread:<id>`, and a token changed by every write.

    A scope without a row has not changed since the table was made; pages key on `site` too, whose token
    is made with the table, so a copy of the database and the database it was copied from agree.
    """

    __tablename__ = "forum_page_version"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@event.listens_for(PageVersion.__table__, "after_create")
def _seed(table, connection, **_kw) -> None:
    # Schemas made without the migrations (create_all) get the seeded scopes too.
    connection.execute(table.insert(), [{"scope": s, "token": new_token(), "changed_at": utcnow()} for s in SEEDED])
