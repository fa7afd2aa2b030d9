"""Keep the search index in step with posts and threads, in the same transaction as each change.

Services never call the index. Session events do: after every flush, the posts that were added or
changed (text, deleted, hidden, anonymous, author, thread, chat) and the opening posts of threads
whose title changed are written again from the tables, on the flush's own connection, so they commit
or roll back with the change. Deletions are removed before the flush; bulk INSERT, UPDATE and DELETE
statements run through the ORM (`db.execute(update(Post)...)`) are caught too. A thread moved to
another space needs nothing: searches read the live thread and space.

Statements sent past the ORM (raw SQL, Core on a bare connection) are not seen: run `flask forum
reindex` after them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from sqlalchemy import Connection, event, func, select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.orm.attributes import get_history

from forum.models import LibraryEntry, Post, Space, Thread
from forum.search import backend as backends
from forum.search.documents import documents, post_documents

log = logging.getLogger(__name__)

# Post columns a document is made from: a change to any of them rewrites the post's document.
POST_FIELDS = ("body_html", "deleted_at", "hidden_at", "awaiting_approval", "rejected_at", "removed_at", "anonymous",
               "author_id", "speaker_id", "thread_id", "chat_id", "created_at")
THREAD_FIELDS = ("title", "first_post_id")
LIBRARY_FIELDS = ("status", "post_id", "thread_id")  # what makes a post good practice
BATCH = 500


# -- writing documents -----------------------------------------------------------------------------------

def ready(connection: Connection) -> backends.Backend | None:
    """The backend for this connection, if its tables are installed; None (and a warning) if not."""
    backend = backends.for_connection(connection)
    if backend is None:
        return None
    engine = connection.engine
    if engine.__dict__.get("_forum_search_installed"):
        return backend
    if not backend.installed(connection):
        if not engine.__dict__.get("_forum_search_warned"):
            log.warning("The search index tables are missing, so posts are not being indexed: "
                        "run `flask forum upgrade`, then `flask forum reindex`.")
            engine.__dict__["_forum_search_warned"] = True
        return None
    engine.__dict__["_forum_search_installed"] = True
    return backend


def reindex_posts(connection: Connection, post_ids: Iterable[int]) -> None:
    """Write these posts' documents again from the tables (removing those of deleted or missing posts)."""
    backend = ready(connection)
    ids = sorted({i for i in post_ids if i is not None})
    if backend is None or not ids:
        return
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        backend.delete(connection, chunk)
        backend.write(connection, post_documents(connection, chunk))


def remove_documents(connection: Connection, ids: Iterable[int]) -> None:
    """Remove documents by id."""
    backend = ready(connection)
    ids = sorted(set(ids))
    if backend is not None and ids:
        backend.delete(connection, ids)


def remove_threads(connection: Connection, thread_ids: Iterable[int]) -> None:
    """Remove the documents of these threads' posts (before the threads go)."""
    backend = ready(connection)
    thread_ids = sorted(set(thread_ids))
    if backend is None or not thread_ids:
        return
    ids = connection.scalars(select(documents.c.id).where(documents.c.thread_id.in_(thread_ids))).all()
    backend.delete(connection, ids)


def rebuild(connection: Connection, batch: int = 2000, progress: Callable[[int], None] | None = None) -> int:
    """Empty the index and index every post again, `batch` posts at a time; return how many were indexed."""
    backend = ready(connection)
    if backend is None:
        raise RuntimeError("the search index tables are missing; run `flask forum upgrade` first")
    backend.clear(connection)
    done, last = 0, 0
    while True:
        ids = connection.scalars(
            select(Post.id).where(Post.id > last, Post.deleted_at.is_(None)).order_by(Post.id).limit(batch)
        ).all()
        if not ids:
            break
        backend.write(connection, post_documents(connection, ids))
        done, last = done + len(ids), ids[-1]
        if progress:
            progress(done)
    backend.optimise(connection)
    return done


# -- session events ----------------------------------------------------------------------------------------

def _changed(obj, fields: tuple[str, ...]) -> bool:
    return any(get_history(obj, name).has_changes() for name in fields)


def _before_flush(session: Session, _context: UOWTransaction, _instances) -> None:
    """Remove the documents of posts, threads and spaces about to be deleted."""
    if not session.deleted:
        return
    posts = [obj.id for obj in session.deleted if isinstance(obj, Post) and obj.id is not None]
    threads = [obj.id for obj in session.deleted if isinstance(obj, Thread) and obj.id is not None]
    spaces = [obj.id for obj in session.deleted if isinstance(obj, Space) and obj.id is not None]
    if not (posts or threads or spaces):
        return
    connection = session.connection()
    if spaces:
        threads += connection.scalars(select(Thread.id).where(Thread.space_id.in_(spaces))).all()
    remove_documents(connection, posts)
    remove_threads(connection, threads)


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    """Index the posts this flush added or changed, and the opening posts of retitled threads."""
    posts: set[int] = set()
    retitled: set[int] = set()  # threads whose opening post's document must be written again
    for obj in session.new:
        if isinstance(obj, Post):
            posts.add(obj.id)
        elif isinstance(obj, Thread) and obj.first_post_id is not None:
            posts.add(obj.first_post_id)
    for obj in session.dirty:
        if isinstance(obj, Post) and _changed(obj, POST_FIELDS):
            posts.add(obj.id)
        elif isinstance(obj, Thread) and _changed(obj, THREAD_FIELDS):
            # The title lives on the opening post's document: the old opening post loses it, the new gains it.
            posts.update(i for i in get_history(obj, "first_post_id").deleted if i is not None)
            retitled.add(obj.id)
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, LibraryEntry) and (obj in session.new or obj in session.deleted
                                              or _changed(obj, LIBRARY_FIELDS)):
            # Promoting (or un-promoting) a post, or a whole thread through its opening post.
            for name in ("post_id", "thread_id"):
                history = get_history(obj, name)
                ids = {i for i in (*history.added, *history.unchanged, *history.deleted) if i is not None}
                (posts if name == "post_id" else retitled).update(ids)
    if not (posts or retitled):
        return
    connection = session.connection()
    if retitled:
        posts.update(connection.scalars(select(Thread.first_post_id).where(Thread.id.in_(retitled))))
    reindex_posts(connection, posts)


def _bulk_statement(state: ORMExecuteState):
    """Keep the index in step with ORM bulk INSERT, UPDATE and DELETE of posts, threads and spaces."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return None
    mapper = state.bind_mapper
    entity = mapper.class_ if mapper is not None else None
    if entity not in (Post, Thread, Space):
        return None
    session = state.session
    if state.is_insert:
        if entity is not Post:
            return None  # a thread or space without posts has nothing to find
        # New ids are above the highest before; other transactions' rows in between are not visible here.
        before = session.scalar(select(func.max(Post.id))) or 0
        result = state.invoke_statement()
        after = session.connection().scalar(select(func.max(Post.id))) or 0
        reindex_posts(session.connection(), range(before + 1, after + 1))
        return result
    if entity is Post and state.is_update and not _touches(state, POST_FIELDS):
        return None  # e.g. linking replies: nothing a document is made from changes
    affected = _affected_ids(state, entity)
    if not affected:
        return None
    if entity is Space:
        if state.is_delete:
            threads = session.scalars(select(Thread.id).where(Thread.space_id.in_(affected))).all()
            remove_threads(session.connection(), threads)
        return None  # a space's other changes (visibility, name) are read live by every search
    if entity is Thread:
        if state.is_delete:
            remove_threads(session.connection(), affected)
            return None
        before = set(session.scalars(select(Thread.first_post_id).where(Thread.id.in_(affected))))
        result = state.invoke_statement()
        after = set(session.connection().scalars(select(Thread.first_post_id).where(Thread.id.in_(affected))))
        reindex_posts(session.connection(), before | after)
        return result
    if state.is_delete:
        remove_documents(session.connection(), affected)
        return None
    result = state.invoke_statement()
    reindex_posts(session.connection(), affected)
    return result


def _touches(state: ORMExecuteState, fields: tuple[str, ...]) -> bool:
    """Whether a bulk UPDATE may set any of `fields` (a bulk update by key names its columns per row)."""
    params = state.parameters
    if isinstance(params, list) and params and all(isinstance(p, dict) for p in params):
        return any(name in p for p in params for name in fields)
    return True


def _affected_ids(state: ORMExecuteState, entity) -> list[int]:
    """The primary keys a bulk statement will touch: from its parameters (bulk by key) or its WHERE."""
    params = state.parameters
    if isinstance(params, list) and params and all(isinstance(p, dict) and "id" in p for p in params):
        return [p["id"] for p in params]
    where = state.statement.whereclause
    query = select(entity.id) if where is None else select(entity.id).where(where)
    return list(state.session.scalars(query))


_registered = False


def register_listeners() -> None:
    """Listen to every Session's flushes and bulk statements (once per process)."""
    global _registered
    if _registered:
        return
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _bulk_statement)
    _registered = True

