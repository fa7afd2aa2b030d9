"""Posts a member saved for later, each with a private note (#22).

A saved post is the member's own: nobody else sees the list or learns what is on it. What each item
shows comes from the policy as it stands now, not when it was saved: a post the member can no longer
see (they left its private space, it was removed, its thread moved out of their reach) shows only
that, and a hidden or deleted post shows its placeholder.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from forum import policy
from forum.db import among_ids, built_once
from forum.errors import NotFound, ValidationError
from forum.models import Member, Post, SavedPost, Space, Thread
from forum.models.reading import NOTE_MAX
from forum.services.pages import Page, check_page_number


def save(db: Session, member: Member, post: Post) -> SavedPost:
    """Save a post for the member (the caller has fetched it through the policy); saving twice keeps one."""
    existing = db.scalar(select(SavedPost).where(SavedPost.member_id == member.id, SavedPost.post_id == post.id))
    if existing is not None:
        return existing
    saved = SavedPost(member_id=member.id, post_id=post.id, note="")
    try:
        with db.begin_nested():
            db.add(saved)
    except IntegrityError:  # the same button pressed twice at once
        return db.scalar(select(SavedPost).where(SavedPost.member_id == member.id, SavedPost.post_id == post.id))
    return saved


def unsave(db: Session, member: Member, post_id: int) -> bool:
    """Take a post off the member's saved list; False when it was not on it."""
    result = db.execute(delete(SavedPost).where(SavedPost.member_id == member.id, SavedPost.post_id == post_id))
    return bool(result.rowcount)


def saved_ids(db: Session, viewer, post_ids: list[int]) -> set[int]:
    """Which of these posts the viewer has saved, in one query (none for visitors)."""
    if not post_ids or not isinstance(viewer, Member) or not viewer.is_authenticated:
        return set()
    statement = built_once(("saved_ids",), lambda: select(SavedPost.post_id).where(
        SavedPost.member_id == bindparam("member_id"), among_ids(SavedPost.post_id, "post_ids")))
    return set(db.scalars(statement, {"member_id": viewer.id, "post_ids": post_ids}))


def set_note(saved: SavedPost, note: str) -> None:
    """Set the private note on a saved item: at most NOTE_MAX characters; blank clears it."""
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(_("The note is too long"), {"note": _(
            "Make the note %(most)s characters or fewer (it has %(count)s)", most=NOTE_MAX, count=len(note))})
    saved.note = note


@dataclass
class SavedItem:
    """A saved post as its member may see it now: the policy's verdict, with the thread and space only
    when they may still see them."""

    saved: SavedPost
    post: Post | None     # None: a post they can no longer see (nothing of it is shown)
    thread: Thread | None
    space: Space | None
    state: str | None     # policy.SHOWN, HIDDEN or DELETED; None when it is out of their sight


def saved_page(db: Session, member: Member, number: int, per_page: int) -> Page[SavedItem]:
    """One page of the member's saved posts, newest first, in two queries however many there are."""
    total = db.scalar(select(func.count()).select_from(SavedPost).where(SavedPost.member_id == member.id)) or 0
    number = check_page_number(number, total, per_page)
    rows = db.execute(
        select(SavedPost, Post, Thread, Space)
        .join(Post, SavedPost.post_id == Post.id).join(Thread, Post.thread_id == Thread.id)
        .join(Space, Thread.space_id == Space.id)
        .where(SavedPost.member_id == member.id)
        .options(joinedload(Post.author).joinedload(Member.organisation), joinedload(Post.speaker))
        .order_by(SavedPost.created_at.desc(), SavedPost.id.desc())
        .offset((number - 1) * per_page).limit(per_page)
    ).unique().all()
    return Page([_as_seen(member, *row) for row in rows], number, per_page, total)


def saved_item(db: Session, member: Member, saved_id: int) -> SavedItem:
    """One of the member's own saved items as they may see it now; anyone else's is the same NotFound as none."""
    row = db.execute(
        select(SavedPost, Post, Thread, Space)
        .join(Post, SavedPost.post_id == Post.id).join(Thread, Post.thread_id == Thread.id)
        .join(Space, Thread.space_id == Space.id)
        .where(SavedPost.id == saved_id, SavedPost.member_id == member.id)
    ).first()
    if row is None:
        raise NotFound(_("There is no saved post at this address."))
    return _as_seen(member, *row)


def _as_seen(member: Member, saved: SavedPost, post: Post, thread: Thread, space: Space) -> SavedItem:
    """What the policy lets the member see of a saved post today."""
    state = policy.post_state(member, post, space) if policy.can_see_thread_exists(member, thread, space) else None
    if state is None:
        return SavedItem(saved, None, None, None, None)
    return SavedItem(saved, post, thread, space, state)
