"""What a member has read: one row per member and thread, moved forward when they view a page (#22).

A post is new to a member when it comes after their position in the thread's order (created_at, id).
In a thread they have never opened, the posts made since they joined are new. Only posts the policy
lets every reader of the space see (published) and that show their words to this member count, and
never the member's own.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, Select, and_, bindparam, case, func, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from forum import policy
from forum.db import UTCDateTime, built_once, utcnow
from forum.models import Member, Post, ReadState, SavedPost, Space, Thread, Watch
from forum.services import notifications


def reader(viewer) -> Member | None:
    """The viewer as a member whose reading is kept, or None (visitors keep no read state)."""
    member = policy.signed_in_member(viewer)
    return member if member is not None and member.id is not None else None


def _after(created_at, post_id) -> ColumnElement[bool]:
    """Posts that come after the position (created_at, post_id) in their thread's order."""
    return or_(Post.created_at > created_at, and_(Post.created_at == created_at, Post.id > post_id))


def _counted(member: Member) -> ColumnElement[bool]:
    """Posts (joined to their Thread and Space) that count as new: published, their words shown, not one's own."""
    return and_(policy.shown_post_filter(member), policy.published_post_filter(),
                or_(Post.author_id.is_(None), Post.author_id != member.id))


def _unread_since(member: Member) -> ColumnElement[bool]:
    """Posts after the member's position in their thread (ReadState outer-joined), or since they joined."""
    return or_(_after(ReadState.post_created_at, ReadState.post_id),
               and_(ReadState.thread_id.is_(None), Post.created_at > member.created_at))


def with_new_posts(query: Select, viewer) -> Select:
    """Add to a query over Thread joined to its Space a last column: how many posts there are new to the viewer.

    One correlated count per listed thread, in the listing's own query (0 for visitors), so a page's
    query count stays the same however many threads and posts there are.
    """
    member = reader(viewer)
    if member is None:
        return query.add_columns(literal(0, Integer).label("new_posts"))
    count = (select(func.count(Post.id))
             .where(Post.thread_id == Thread.id, _counted(member), _unread_since(member))
             .correlate(Thread, Space, ReadState).scalar_subquery())
    read_to = func.coalesce(ReadState.post_created_at, literal(member.created_at, UTCDateTime()))
    # A thread whose latest post is older than the position has nothing new: skip the count.
    new_posts = case((Thread.last_post_at < read_to, 0), else_=count)
    return (query.outerjoin(ReadState, and_(ReadState.thread_id == Thread.id, ReadState.member_id == member.id))
            .add_columns(new_posts.label("new_posts")))


@dataclass(frozen=True)
class WatchMark:
    """A member's watch of a thread, as its page shows it (the Watch and every-post buttons)."""

    id: int
    every_post: bool


@dataclass
class ThreadMarks:
    """Where a member's unread posts begin in a thread: the first one, its page, and how many there are;
    and how far they had read (None: never opened), so a page already read writes nothing."""

    first_unread_id: int | None = None
    first_unread_page: int | None = None
    new_posts: int = 0
    read_before: bool = False  # they had read some of it (so a divider means something)
    read_post_id: int | None = None
    read_post_at: datetime | None = None
    own_unlisted: bool = False  # posts of their own that only they are shown (waiting, rejected): their pages differ
    saved_any: bool = False     # they saved some of its posts (which ones: services.saved.saved_ids)
    watch: WatchMark | None = None  # their watch of the thread, if they watch it
    unread_notifications: int | None = None  # the header's count (None: not read here)

    def has_read(self, post_id: int, created_at: datetime) -> bool:
        """Is the member's position already at or past this post?"""
        if self.read_post_at is None:
            return False
        return (self.read_post_at, self.read_post_id) >= (created_at, post_id)


def thread_marks(db: Session, viewer, thread: Thread, space: Space, per_page: int) -> ThreadMarks:
    """The viewer's position in the thread, their first unread post and its page, whether they have posts there
    that only they are shown, whether they saved any of its posts, their watch of it and the header's count of
    unread notifications: one query (none for visitors), the same however much they have read."""
    member = reader(viewer)
    if member is None:
        return ThreadMarks()
    statement = built_once(("thread_marks", member.created_at, *policy.filter_shape(member, space)),
                           lambda: _marks_statement(member, space))
    row = db.connection().execute(statement, {"thread_id": thread.id, "member_id": member.id}).first()
    if row is None:
        return ThreadMarks()
    position = {"read_post_id": row.read_id, "read_post_at": row.read_at, "own_unlisted": bool(row.own_unlisted),
                "saved_any": bool(row.saved), "unread_notifications": row.unread or 0,
                "watch": WatchMark(row.watch_id, bool(row.every_post)) if row.watch_id is not None else None}
    if row.first_id is None:
        return ThreadMarks(**position)
    if row.read_id is None:  # never opened: it all reads as new, and the page starts at the top
        return ThreadMarks(row.first_id, None, row.total, read_before=False, **position)
    return ThreadMarks(row.first_id, (row.before or 0) // per_page + 1, row.total, read_before=True, **position)


def _marks_statement(member: Member, space: Space):
    unread = (select(Post.id).where(Post.thread_id == Thread.id, _counted(member), _unread_since(member))
              .correlate(Thread, Space, ReadState))
    marks = (
        select(Thread.id.label("thread_id"), ReadState.post_id.label("read_id"),
               ReadState.post_created_at.label("read_at"),
               unread.order_by(Post.created_at, Post.id).limit(1).scalar_subquery().label("first_id"),
               unread.with_only_columns(func.count(Post.id)).scalar_subquery().label("total"),
               select(func.count(Post.id)).where(Post.thread_id == Thread.id, policy.own_unlisted_post_filter(member))
               .correlate(Thread).scalar_subquery().label("own_unlisted"),
               select(func.count(SavedPost.id)).join(Post, Post.id == SavedPost.post_id)
               .where(SavedPost.member_id == member.id, Post.thread_id == Thread.id)
               .correlate(Thread).scalar_subquery().label("saved"))
        .select_from(Thread).join(Space, Thread.space_id == Space.id)
        .outerjoin(ReadState, and_(ReadState.thread_id == Thread.id, ReadState.member_id == member.id))
        .where(Thread.id == bindparam("thread_id"))
    ).cte("marks")
    # Worked out once: SQLite would otherwise repeat its subqueries inside `before` (MATERIALIZED: SQLite
    # 3.35 and PostgreSQL 12 on).
    marks = marks.prefix_with("MATERIALIZED", dialect="postgresql")
    if sqlite3.sqlite_version_info >= (3, 35):
        marks = marks.prefix_with("MATERIALIZED", dialect="sqlite")
    # The first unread post by its key, not its subquery again: the statement stays short enough for psycopg
    # to keep its parsed form (4 KB) and SQLAlchemy's to stay small.
    first = Post.__table__.alias("first_unread")
    before = (select(func.count()).select_from(Post).where(
        Post.thread_id == marks.c.thread_id, policy.listed_posts_in(member, space),
        or_(Post.created_at < first.c.created_at, and_(Post.created_at == first.c.created_at, Post.id < first.c.id)))
        .correlate(marks, first).scalar_subquery())
    # Their watch of the thread, and the header's count of their unread notifications.
    watch = and_(Watch.member_id == member.id, Watch.kind == "thread", Watch.target_id == marks.c.thread_id)
    return (select(marks.c.read_id, marks.c.read_at, marks.c.first_id, marks.c.total, marks.c.own_unlisted,
                   marks.c.saved, before.label("before"), notifications.unread_count_column().label("unread"),
                   Watch.id.label("watch_id"), Watch.every_post)
            .select_from(marks.outerjoin(first, first.c.id == marks.c.first_id).outerjoin(Watch, watch)))


def _upsert(db: Session, table):
    """The dialect's INSERT, which has ON CONFLICT DO UPDATE on both SQLite and PostgreSQL."""
    return (postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert)(table)


def _forward_only(statement):
    """ON CONFLICT: move the member's position to the new one only when it is further on."""
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[ReadState.member_id, ReadState.thread_id],
        set_={"post_id": new.post_id, "post_created_at": new.post_created_at, "read_at": new.read_at},
        where=or_(new.post_created_at > ReadState.post_created_at,
                  and_(new.post_created_at == ReadState.post_created_at, new.post_id > ReadState.post_id)),
    )


def mark_read(db: Session, member_id: int, thread_id: int, post_id: int, post_created_at: datetime,
              now: datetime | None = None) -> None:
    """Record that a member has read a thread up to one post (the last on the page they viewed).

    One statement (INSERT ... ON CONFLICT DO UPDATE, on SQLite and PostgreSQL alike) that never moves
    the position back. Takes ids, not objects, so it can run after the page's own transaction ended.
    """
    statement = _upsert(db, ReadState).values(member_id=member_id, thread_id=thread_id, post_id=post_id,
                                              post_created_at=post_created_at, read_at=now or utcnow())
    db.execute(_forward_only(statement))


def mark_all_read(db: Session, viewer, space: Space | None = None, now: datetime | None = None) -> None:
    """Mark every thread the viewer may see (in one space, or everywhere) as read up to its latest post.

    One INSERT ... SELECT ... ON CONFLICT statement; only threads active since the member joined get a
    row, since older ones have nothing new for them anyway.
    """
    member = reader(viewer)
    if member is None:
        return
    threads = (
        select(literal(member.id, Integer), Thread.id, Thread.last_post_id, Thread.last_post_at,
               literal(now or utcnow(), UTCDateTime()))
        .join(Space, Thread.space_id == Space.id)
        .where(policy.listed_thread_filter(member), Thread.last_post_id.is_not(None),
               Thread.last_post_at > member.created_at, *([Thread.space_id == space.id] if space else []))
    )
    statement = _upsert(db, ReadState).from_select(
        ["member_id", "thread_id", "post_id", "post_created_at", "read_at"], threads)
    db.execute(_forward_only(statement))
