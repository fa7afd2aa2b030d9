"""The lists a whole class of readers shares (policy.list_class), and what in them is new to one member (#19).

The home page's and a space's lists, as `reading.latest_threads`, `reading.this_weeks_chat` and
`reading.space_threads` give them, less what is one reader's own: only the published threads of the
spaces the reader may read (`policy.class_thread_filter`), and no counts of new posts. Those counts,
and whether the reader has waiting threads of their own that their lists would show, come from one
query per page (`new_posts_in`).
"""

from __future__ import annotations


from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session, contains_eager

from forum import policy
from forum.db import built_once
from forum.models import Member, Space, Thread
from forum.services import read_state, reading
from forum.services.pages import Page
from forum.services.reading import ThisWeek


def latest_threads(db: Session, viewer, limit: int = 10) -> list[Thread]:
    """The most recently active published threads the viewer's class may read, with their spaces."""
    return list(db.scalars(
        select(Thread).join(Space, Thread.space_id == Space.id)
        .where(policy.class_thread_filter(viewer), Thread.last_post_id.is_not(None))
        .options(contains_eager(Thread.space))
        .order_by(Thread.last_post_at.desc(), Thread.id.desc())
        .limit(limit)
    ).unique())


def this_weeks_chat(db: Session, viewer) -> ThisWeek:
    """The newest imported chat the viewer's class may read, its published threads in question order, and the
    next chat; two queries however many chats and posts there are."""
    rows = reading.questions_only(db.execute(
        reading.chat_threads_select(viewer, policy.class_thread_filter(viewer))).all())
    return ThisWeek(rows[0].Chat if rows else None, [row.Thread for row in rows], {}, reading.next_chat(db, viewer))


def space_threads(db: Session, viewer, space: Space, number: int, per_page: int) -> Page[Thread]:
    """One page of a space's published threads (`number` checked already): pinned first, then by latest activity."""
    threads = db.scalars(reading.space_threads_select(space, policy.class_thread_filter(viewer), number, per_page))
    return Page(list(threads.unique()), number, per_page, space.thread_count)


def new_posts_in(db: Session, viewer, thread_ids: list[int], waiting_in: str, where: int | None) -> tuple[dict[int, int], bool]:
    """How many posts in these threads are new to the viewer (threads with none left out), and whether they
    have waiting threads of their own in the chat (`waiting_in` "chat") or space ("space") `where`, which
    their lists would show.

    One query for members, none for visitors (who keep no read state and have no threads).
    """
    member = read_state.reader(viewer)
    if member is None:
        return {}, False
    # Built once per shape (what the policy's filters read, and the member's join date), not per request:
    # a third of the query's time on a space page.
    statement = built_once(("new_posts", member.created_at, waiting_in, *policy.filter_shape(member)),
                           lambda: _new_posts_statement(member, waiting_in))
    rows = db.execute(statement, {"thread_ids": thread_ids, "where": where if where is not None else -1}).all()
    listed = set(thread_ids)
    return ({row.id: row.new_posts for row in rows if row.new_posts and row.id in listed},
            any(row.id not in listed for row in rows))


def _new_posts_statement(member: Member, waiting_in: str):
    waiting = Thread.chat_id if waiting_in == "chat" else Thread.space_id
    return read_state.with_new_posts(
        select(Thread.id).join(Space, Thread.space_id == Space.id)
        .where(or_(Thread.id.in_(bindparam("thread_ids", expanding=True)),
                   and_(policy.own_waiting_thread_filter(member), waiting == bindparam("where")))), member)
