"""@mentions: who a post names, for notifications, and the links a reader sees on them.

A member is mentioned as @Display Name (the longest name that matches wins) or by a handle they have
claimed and a moderator has confirmed (@fionagrant, as imported chats write it). The links are made
when a page is shown, for the readers the policy lets open profiles, with one query per page.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import url_for
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from forum import markup, policy
from forum.models import Member
from forum.models.accounts import Handle


def members_named(db: Session, keys: Iterable[str]) -> dict[str, Member]:
    """Approved members by folded display name (names are unique), else by confirmed handle; a handle two
    members have confirmed on different platforms names neither. One query."""
    keys = set(keys)
    if not keys:
        return {}
    rows = db.execute(
        select(Member, Handle.handle_key)
        .outerjoin(Handle, and_(Handle.member_id == Member.id, Handle.handle_key.in_(keys), Handle.confirmed))
        .where(Member.state == "approved", or_(Member.name_key.in_(keys), Handle.id.is_not(None))))
    by_name: dict[str, Member] = {}
    by_handle: dict[str, dict[int, Member]] = {}
    for member, handle in rows:
        if member.name_key in keys:
            by_name[member.name_key] = member
        if handle is not None:
            by_handle.setdefault(handle, {})[member.id] = member
    found = {key: next(iter(members.values())) for key, members in by_handle.items()
             if len(members) == 1 and key not in by_name}
    return {**found, **by_name}


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
