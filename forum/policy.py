"""The one visibility and permission policy: who may see, post in and moderate what.

Every read path asks this module, either one object at a time (`can_view_space`, `can_view_thread`)
or as a SQL filter (`readable_space_filter`, `listed_space_filter`), so that a page, a feed and a
search cannot disagree about what a person may read.
"""

from __future__ import annotations

from sqlalchemy import false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from forum.db import session
from forum.models import Member, Post, Space, SpaceMembership, Thread


def _member(viewer) -> Member | None:
    """The viewer as a Member, or None for visitors and anonymous users."""
    return viewer if isinstance(viewer, Member) and viewer.is_authenticated else None


def space_roles(viewer) -> dict[int, str]:
    """The spaces the viewer belongs to, with their role there; loaded once per viewer object."""
    member = _member(viewer)
    if member is None or member.id is None:
        return {}
    cached = member.__dict__.get("_forum_space_roles")
    if cached is None:
        rows = session().execute(
            select(SpaceMembership.space_id, SpaceMembership.role).where(SpaceMembership.member_id == member.id)
        )
        cached = {space_id: role for space_id, role in rows}
        member.__dict__["_forum_space_roles"] = cached
    return cached


def forget_roles(viewer) -> None:
    """Drop the cached space roles after a membership changes."""
    member = _member(viewer)
    if member is not None:
        member.__dict__.pop("_forum_space_roles", None)


def is_site_moderator(viewer) -> bool:
    member = _member(viewer)
    return member is not None and member.is_moderator


# -- reading ------------------------------------------------------------------------------------------

def can_view_space(viewer, space: Space) -> bool:
    """May the viewer read the threads and posts inside this space?"""
    if space.visibility == "public":
        return True
    member = _member(viewer)
    if member is None or not member.is_approved:
        return False
    if space.visibility == "members" or member.is_moderator:
        return True
    return space.id in space_roles(member)


def can_see_space_exists(viewer, space: Space) -> bool:
    """May the viewer know the space exists (its name and description)?"""
    if can_view_space(viewer, space):
        return True
    member = _member(viewer)
    return space.visibility == "private" and member is not None and member.is_approved


def readable_space_filter(viewer) -> ColumnElement[bool]:
    """A WHERE clause on Space: the spaces whose content the viewer may read."""
    member = _member(viewer)
    if member is None or not member.is_approved:
        return Space.visibility == "public"
    if member.is_moderator:
        return true()
    own = list(space_roles(member))
    return or_(
        Space.visibility.in_(("public", "members")),
        Space.id.in_(own) if own else false(),
    )


def listed_space_filter(viewer) -> ColumnElement[bool]:
    """A WHERE clause on Space: the spaces the viewer may see listed (private ones show their name)."""
    member = _member(viewer)
    if member is None or not member.is_approved:
        return Space.visibility == "public"
    return or_(readable_space_filter(member), Space.visibility == "private")


def can_view_thread(viewer, thread: Thread, space: Space) -> bool:
    """May the viewer read this thread?"""
    return thread.space_id == space.id and can_view_space(viewer, space)


def can_view_post_body(viewer, post: Post, space: Space) -> bool:
    """Does the viewer see this post's words, or only that it was hidden or deleted?"""
    if post.is_deleted:
        return False
    if post.is_hidden:
        if post.awaiting_approval and _member(viewer) is not None and viewer.id == post.author_id:
            return True  # its author sees a post that waits for approval
        return can_moderate_space(viewer, space)
    return True


def can_see_waiting(viewer, author_id: int | None, space: Space) -> bool:
    """May the viewer see a thread or post that waits for approval (its author and moderators may)?"""
    member = _member(viewer)
    return member is not None and (member.id == author_id or can_moderate_space(member, space))


# -- writing ------------------------------------------------------------------------------------------

def can_post_in_space(viewer, space: Space) -> bool:
    """May the viewer start threads and reply in this space?"""
    member = _member(viewer)
    if member is None or not member.is_approved:
        return False
    if not can_view_space(member, space):
        return False
    if space.is_closed:
        return member.is_moderator or space.id in space_roles(member)
    return True


def can_reply(viewer, thread: Thread, space: Space) -> bool:
    """May the viewer reply to this thread?"""
    if not can_post_in_space(viewer, space):
        return False
    return not thread.locked or can_moderate_space(viewer, space)


def can_edit_post(viewer, post: Post, space: Space) -> bool:
    """May the viewer edit or delete this post? Its author may, while it stands; so may moderators."""
    member = _member(viewer)
    if member is None or post.is_deleted:
        return False
    if can_moderate_space(member, space):
        return True
    return member.is_approved and post.author_id == member.id and can_view_space(member, space)


def can_moderate_space(viewer, space: Space) -> bool:
    """May the viewer moderate inside this space (site moderators everywhere, hosts in their space)?"""
    member = _member(viewer)
    if member is None or not member.is_approved:
        return False
    return member.is_moderator or space_roles(member).get(space.id) == "host"


def moderates_anything(viewer) -> bool:
    """Is the viewer a site moderator, or a host of at least one space?"""
    member = _member(viewer)
    if member is None or not member.is_approved:
        return False
    return member.is_moderator or "host" in space_roles(member).values()


def can_administer(viewer) -> bool:
    """May the viewer manage the site (spaces, settings)?"""
    member = _member(viewer)
    return member is not None and member.is_admin
