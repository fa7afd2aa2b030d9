"""The lists a whole class of readers shares (policy.list_class), and what in them is new to one member (#19).

The home page's and a space's lists, as `reading.latest_threads`, `reading.this_weeks_chat` and
`reading.space_threads` give them, less what is one reader's own: only the published threads of the
spaces the reader may read (`policy.class_thread_filter`), and no counts of new posts. Those counts,
and whether the reader has waiting threads of their own that their lists would show, come from one
query per page (`new_posts_in`).
"""

from __future__ import annotations


import hashlib

from sqlalchemy import String, and_, bindparam, cast, literal, or_, select
from sqlalchemy.orm import Session, contains_eager

from forum import cache as page_cache
from forum import policy
from forum.db import among_ids, built_once
from forum.models import Member, ReadState, Space, Thread
from forum.models.page_cache import PageVersion
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

    None for visitors (who keep no read state and have no threads). For members, one query reads each
    thread's `thread:<id>` token (forum/cache.py: every change to its posts changes it, in the same
    transaction) and the member's position in it; a thread's count is kept for the member under its token
    and their position, and only the threads whose count is not kept are counted (a second query). The
    tokens are read before the counts, so a kept count is never older than its key.
    """
    member = read_state.reader(viewer)
    if member is None:
        return {}, False
    # Built once per shape (what the policy's filters read, and the member's join date), not per request:
    # a third of the query's time on a space page.
    shape = (member.created_at, waiting_in, *policy.filter_shape(member))
    params = {"thread_ids": thread_ids, "where": where if where is not None else -1}
    # Plain Core rows, on the session's connection: the ORM's handling of a result is a tenth of a space page.
    marks = db.connection().execute(
        built_once(("new_posts_marks", *shape), lambda: _marks_statement(member, waiting_in)), params).all()
    listed = set(thread_ids)
    own_waiting = any(thread_id not in listed for thread_id, _token, _read_id in marks)
    prefix = hashlib.blake2b(repr(("new_posts", shape)).encode(), digest_size=12).hexdigest()
    keys = {thread_id: f"new:{prefix}:{thread_id}:{token}:{read_id}"
            for thread_id, token, read_id in marks if thread_id in listed}
    counts = page_cache.stored_parts(keys)
    missing = [thread_id for thread_id in keys if thread_id not in counts]
    if missing:
        statement = built_once(("new_posts", *shape), lambda: _new_posts_statement(member, waiting_in))
        found = dict(db.connection().execute(statement, {**params, "thread_ids": missing}).all())
        made = {thread_id: found.get(thread_id, 0) for thread_id in missing}
        page_cache.store_parts({keys[thread_id]: count for thread_id, count in made.items()})
        counts.update(made)
    return {thread_id: count for thread_id, count in counts.items() if count}, own_waiting


def _listed_or_own_waiting(member: Member, waiting_in: str):
    waiting = Thread.chat_id if waiting_in == "chat" else Thread.space_id
    return or_(among_ids(Thread.id, "thread_ids"),
               and_(policy.own_waiting_thread_filter(member), waiting == bindparam("where")))


def _marks_statement(member: Member, waiting_in: str):
    """Each listed thread (and the member's own waiting ones there): its token and the member's position."""
    version = PageVersion.__table__
    scope = literal(page_cache.THREAD_SCOPE_PREFIX) + cast(Thread.id, String)
    return (select(Thread.id, version.c.token, ReadState.post_id.label("read_id"))
            .join(Space, Thread.space_id == Space.id)
            .outerjoin(version, version.c.scope == scope)
            .outerjoin(ReadState, and_(ReadState.thread_id == Thread.id, ReadState.member_id == member.id))
            .where(_listed_or_own_waiting(member, waiting_in)))


def _new_posts_statement(member: Member, waiting_in: str):
    return read_state.with_new_posts(
        select(Thread.id).join(Space, Thread.space_id == Space.id).where(_listed_or_own_waiting(member, waiting_in)),
        member)
