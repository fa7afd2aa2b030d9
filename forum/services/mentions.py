"""@mentions: who a post names, for notifications, and the links a reader sees on them.

A member is mentioned as @Display Name (the longest name that matches wins) or by a handle they have
claimed and a moderator has confirmed (@fionagrant, as imported chats write it). The links are made
when a page is shown, for the readers the policy lets open profiles, with one query per page.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum import markup, policy
from forum.models import Member
from forum.models.accounts import Handle


def members_named(db: Session, keys: Iterable[str]) -> dict[str, Member]:
    """Approved members by folded display name (names are unique), else by confirmed handle; a handle two
    members have confirmed on different platforms names neither."""
    keys = set(keys)
    if not keys:
        return {}
    found = {m.name_key: m for m in db.scalars(select(Member).where(Member.name_key.in_(keys),
                                                                   Member.state == "approved"))}
    by_handle: dict[str, dict[int, Member]] = {}
    for key, member in db.execute(select(Handle.handle_key, Member).join(Member, Handle.member_id == Member.id)
                                  .where(Handle.handle_key.in_(keys - found.keys()), Handle.confirmed,
                                         Member.state == "approved")):
        by_handle.setdefault(key, {})[member.id] = member
    found.update({key: next(iter(members.values())) for key, members in by_handle.items() if len(members) == 1})
    return found


def mentioned_members(db: Session, text: str) -> list[Member]:
    """The members a post's source mentions."""
    matches = [markup.mention_candidates(m) for m in markup.MENTION.finditer(text or "")]
    by_key = members_named(db, {key for candidates in matches for key, _ in candidates})
    found: dict[int, Member] = {}
    for candidates in matches:
        member = next((by_key[key] for key, _ in candidates if key in by_key), None)
        if member is not None:
            found[member.id] = member
    return list(found.values())


def links_for(db: Session, viewer, stored_htmls: Iterable[str | None]) -> dict[str, str]:
    """Folded name -> profile address, for the @mentions in these posts that this reader may follow."""
    if not policy.can_browse_members(viewer):
        return {}
    keys = set().union(*(markup.mention_keys(h) for h in stored_htmls))
    return {key: url_for("forum.member", member_id=member.id) for key, member in members_named(db, keys).items()}


def linked(db: Session, viewer, stored_html: str | None):
    """One post's HTML with its mentions linked, for this reader (a preview)."""
    return markup.link_mentions(stored_html, links_for(db, viewer, [stored_html]))
