"""Topics across chats: the library's service areas set on chats and their question threads, and a topic's page.

A host sets a chat's topics at import or later, and each question thread's; a thread's topics are
suggested from the service areas of the library entries promoted from it. A question thread is on a
topic when it, or its chat, carries it (the welcome and wrap-up thread only when it carries it itself).
`/topics/<tag>` lists, newest first, every question thread and library entry on the topic that the
viewer may see: threads through the policy's `listed_thread_filter`, entries when published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, delete, func, insert, literal, or_, select, union_all
from sqlalchemy.orm import Session, joinedload

from forum import policy
from forum.db import built_once
from forum.errors import NotFound, PermissionDenied, ValidationError
from forum.models import Chat, LibraryEntry, LibraryTag, Space, Thread, chat_tags, thread_tags
from forum.models.library import entry_tags as entry_tags_table
from forum.services.pages import Page, check_page_number
from forum.times import LONDON

PER_PAGE = 30
WELCOME_NUMBER = 0  # the welcome and wrap-up thread (services/importing.WELCOME_NUMBER)


def get_tag(db: Session, slug: str) -> LibraryTag:
    """A service area by its slug; NotFound for one that does not exist."""
    tag = db.scalar(select(LibraryTag).where(LibraryTag.slug == slug))
    if tag is None:
        raise NotFound(_("There is no such topic. Topics are the library's service areas."))
    return tag


def chat_topics(db: Session, chat: Chat) -> list[LibraryTag]:
    """The service areas a chat carries, by name."""
    return list(db.scalars(select(LibraryTag).join(chat_tags, chat_tags.c.tag_id == LibraryTag.id)
                           .where(chat_tags.c.chat_id == chat.id).order_by(LibraryTag.name)))


def thread_topics(db: Session, thread_ids: list[int]) -> dict[int, list[LibraryTag]]:
    """The service areas each of these threads carries itself (not through its chat), in one query."""
    found: dict[int, list[LibraryTag]] = {i: [] for i in thread_ids}
    if thread_ids:
        for thread_id, tag in db.execute(select(thread_tags.c.thread_id, LibraryTag)
                                         .join(LibraryTag, thread_tags.c.tag_id == LibraryTag.id)
                                         .where(thread_tags.c.thread_id.in_(thread_ids)).order_by(LibraryTag.name)):
            found[thread_id].append(tag)
    return found


def topics_of_thread(db: Session, thread: Thread) -> list[LibraryTag]:
    """A thread's topics as its page shows them: its own, and for a question thread its chat's (one query)."""
    with_chat = thread.chat_id is not None and thread.question_number != WELCOME_NUMBER
    statement = built_once(("topics_of_thread", with_chat), lambda: _topics_statement(with_chat))
    return list(db.scalars(statement, {"thread_id": thread.id, "chat_id": thread.chat_id}))


def _topics_statement(with_chat: bool):
    tag_ids = select(thread_tags.c.tag_id).where(thread_tags.c.thread_id == bindparam("thread_id"))
    if with_chat:
        tag_ids = tag_ids.union(select(chat_tags.c.tag_id).where(chat_tags.c.chat_id == bindparam("chat_id")))
    return select(LibraryTag).where(LibraryTag.id.in_(tag_ids)).order_by(LibraryTag.name)


def suggested(db: Session, thread_ids: list[int]) -> dict[int, set[int]]:
    """For each thread, the service areas of the published library entries promoted from it (one query)."""
    found: dict[int, set[int]] = {i: set() for i in thread_ids}
    if thread_ids:
        rows = db.execute(select(LibraryEntry.thread_id, entry_tags_table.c.tag_id)
                          .join(entry_tags_table, entry_tags_table.c.entry_id == LibraryEntry.id)
                          .where(LibraryEntry.thread_id.in_(thread_ids), LibraryEntry.status == "published"))
        for thread_id, tag_id in rows:
            found[thread_id].add(tag_id)
    return found


def _known(db: Session, tag_ids: set[int]) -> set[int]:
    if not tag_ids:
        return set()
    known = set(db.scalars(select(LibraryTag.id).where(LibraryTag.id.in_(tag_ids))))
    if known != tag_ids:
        raise ValidationError(_("One of the service areas chosen is no longer on the list: choose again."))
    return known


def set_chat_topics(db: Session, chat: Chat, tag_ids: set[int]) -> None:
    """Set a chat's service areas (the caller has checked the actor may manage the chat)."""
    tag_ids = _known(db, set(tag_ids))
    db.execute(delete(chat_tags).where(chat_tags.c.chat_id == chat.id))
    if tag_ids:
        db.execute(insert(chat_tags), [{"chat_id": chat.id, "tag_id": i} for i in sorted(tag_ids)])


def add_chat_topics(db: Session, chat: Chat, tag_ids: set[int]) -> None:
    """Add service areas to a chat, keeping those it has (the import's choice: a re-import removes none)."""
    have = set(db.scalars(select(chat_tags.c.tag_id).where(chat_tags.c.chat_id == chat.id)))
    set_chat_topics(db, chat, have | set(tag_ids))


def set_topics(db: Session, actor, chat: Chat, space: Space, chat_tag_ids: set[int],
               thread_tag_ids: dict[int, set[int]], can_manage: bool) -> None:
    """A host sets the service areas of a chat and of its threads (only threads of this chat)."""
    if not can_manage:
        raise PermissionDenied(_("Only the chat's hosts and moderators set its topics."))
    ours = set(db.scalars(select(Thread.id).where(Thread.chat_id == chat.id)))
    if set(thread_tag_ids) - ours:
        raise ValidationError(_("One of the threads is no longer part of this chat: load the page again."))
    set_chat_topics(db, chat, chat_tag_ids)
    wanted = {thread_id: _known(db, set(ids)) for thread_id, ids in thread_tag_ids.items()}
    if wanted:
        db.execute(delete(thread_tags).where(thread_tags.c.thread_id.in_(list(wanted))))
        rows = [{"thread_id": t, "tag_id": i} for t, ids in wanted.items() for i in sorted(ids)]
        if rows:
            db.execute(insert(thread_tags), rows)
    db.flush()


# -- a topic's page ------------------------------------------------------------------------------------------------

@dataclass
class TopicItem:
    """One thing on a topic's page: a question thread (or thread) from a chat, or a library entry."""

    kind: str            # "thread" or "library"
    at: datetime
    thread: Thread | None = None
    entry: LibraryEntry | None = None

    @property
    def year(self) -> int:
        """The year it happened, in UK time: the topic's page is a timeline by year."""
        return self.at.astimezone(LONDON).year


def on_topic(tag: LibraryTag):
    """A WHERE clause on Thread: it carries the topic, or it is a question thread of a chat that does."""
    return or_(
        Thread.id.in_(select(thread_tags.c.thread_id).where(thread_tags.c.tag_id == tag.id)),
        and_(Thread.chat_id.in_(select(chat_tags.c.chat_id).where(chat_tags.c.tag_id == tag.id)),
             or_(Thread.question_number.is_(None), Thread.question_number != WELCOME_NUMBER)),
    )


def topic_page(db: Session, viewer, slug: str, number: int) -> tuple[LibraryTag, Page[TopicItem]]:
    """Every question thread and library entry on a topic that the viewer may see, newest first (four queries)."""
    tag = get_tag(db, slug)
    threads = (select(literal("thread").label("kind"), Thread.id.label("id"), Thread.created_at.label("at"))
               .join(Space, Thread.space_id == Space.id).where(policy.listed_thread_filter(viewer), on_topic(tag)))
    entries = (select(literal("library").label("kind"), LibraryEntry.id.label("id"), LibraryEntry.created_at.label("at"))
               .join(entry_tags_table, entry_tags_table.c.entry_id == LibraryEntry.id)
               .where(entry_tags_table.c.tag_id == tag.id, LibraryEntry.status == "published"))
    both = union_all(threads, entries).subquery()
    total = db.scalar(select(func.count()).select_from(both)) or 0
    number = check_page_number(number, total, PER_PAGE)
    rows = db.execute(select(both.c.kind, both.c.id, both.c.at)
                      .order_by(both.c.at.desc(), both.c.kind, both.c.id.desc())
                      .offset((number - 1) * PER_PAGE).limit(PER_PAGE)).all()
    thread_ids = [row.id for row in rows if row.kind == "thread"]
    entry_ids = [row.id for row in rows if row.kind == "library"]
    loaded_threads = {t.id: t for t in db.scalars(
        select(Thread).where(Thread.id.in_(thread_ids)).options(joinedload(Thread.chat), joinedload(Thread.space))
    )} if thread_ids else {}
    loaded_entries = {e.id: e for e in db.scalars(select(LibraryEntry).where(LibraryEntry.id.in_(entry_ids)))
                      .unique()} if entry_ids else {}
    items = [TopicItem("thread", row.at, thread=loaded_threads[row.id]) if row.kind == "thread"
             else TopicItem("library", row.at, entry=loaded_entries[row.id]) for row in rows]
    return tag, Page(items, number, PER_PAGE, total)
