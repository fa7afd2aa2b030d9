"""What the search index holds: one document per post today, with a kind so library entries can join it.

A document carries the words (the thread's title on its opening post, and the post's text) and the
columns search filters on: thread, author (never for anonymous posts), speaker, chat, time, and
whether only moderators may find it (hidden by one, waiting for their approval, or turned down). The
space is not copied: searches ask of the live threads and spaces which thread ids the viewer may read
(`policy.unreadable_threads`), so a moved thread is found in its new space at once.
Deleted posts, and posts removed at their speaker's request, have no document: nobody may find them.

A post is good practice while a published library entry promotes it, or promotes the whole thread
it opens. To index library entries themselves: give `documents` rows of kind "library" with ids
from `library_document_id`, good_practice true, and a `library_documents` loader like
`post_documents` (their readers are everyone, not the source space's, so the search's space scope
must let published entries through).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Column, Connection, Integer, MetaData, String, Table, and_, or_, select
from sqlalchemy.dialects.postgresql import TSVECTOR

from forum.db import UTCDateTime
from forum.models import LibraryEntry, Post, Thread
from forum.search.text import clean, plain_text

# The index is derived data, not a model: its tables live outside the models' metadata (and outside
# the forum_ prefix, so schema comparisons and autogenerate leave them to migration 0010).
metadata = MetaData()
TABLE_PREFIX = "forumsearch_"

documents = Table(
    "forumsearch_document", metadata,
    Column("id", BigInteger, primary_key=True),       # a post's own id; see library_document_id
    Column("kind", String(10), nullable=False),        # "post" ("library" next)
    Column("post_id", Integer),
    Column("thread_id", Integer, nullable=False),
    Column("author_id", Integer),                      # None when the post is anonymous
    Column("speaker_id", Integer),                     # None when the post is anonymous
    Column("chat_id", Integer),                        # set on posts imported from a chat transcript
    Column("created_at", UTCDateTime, nullable=False),
    Column("hidden", Boolean, nullable=False),
    Column("good_practice", Boolean, nullable=False),
    Column("document", TSVECTOR),                      # PostgreSQL only: the words, weighted
)

LIBRARY_ID_BASE = 1 << 40


def library_document_id(entry_id: int) -> int:
    """The document id of a library entry: above every post id, so kinds never collide."""
    return LIBRARY_ID_BASE + entry_id


@dataclass(frozen=True)
class Document:
    """One searchable thing: its filter columns and its words."""

    id: int
    kind: str
    post_id: int | None
    thread_id: int
    author_id: int | None
    speaker_id: int | None
    chat_id: int | None
    created_at: datetime
    hidden: bool
    good_practice: bool
    title: str
    body: str

    def row(self) -> dict:
        """The document's filter columns, as a row of `documents`."""
        return {
            "id": self.id, "kind": self.kind, "post_id": self.post_id, "thread_id": self.thread_id,
            "author_id": self.author_id, "speaker_id": self.speaker_id, "chat_id": self.chat_id,
            "created_at": self.created_at, "hidden": self.hidden, "good_practice": self.good_practice,
        }


def post_documents(connection: Connection, post_ids: Iterable[int]) -> list[Document]:
    """The documents for these posts as they stand in this transaction (none for deleted, removed or missing posts)."""
    ids = sorted(set(post_ids))
    if not ids:
        return []
    promoted = select(LibraryEntry.id).where(LibraryEntry.status == "published", or_(
        LibraryEntry.post_id == Post.id,
        and_(LibraryEntry.post_id.is_(None), LibraryEntry.thread_id == Post.thread_id, Thread.first_post_id == Post.id),
    )).exists()
    rows = connection.execute(
        select(Post.id, Post.thread_id, Post.author_id, Post.speaker_id, Post.anonymous, Post.chat_id,
               Post.created_at, Post.hidden_at, Post.awaiting_approval, Post.rejected_at, Post.body_html, Thread.title,
               Thread.first_post_id, promoted.label("promoted"))
        .join(Thread, Post.thread_id == Thread.id)
        .where(Post.id.in_(ids), Post.deleted_at.is_(None), Post.removed_at.is_(None))
    )
    return [
        Document(
            id=row.id, kind="post", post_id=row.id, thread_id=row.thread_id,
            author_id=None if row.anonymous else row.author_id,
            speaker_id=None if row.anonymous else row.speaker_id,
            chat_id=row.chat_id, created_at=row.created_at,
            hidden=row.hidden_at is not None or bool(row.awaiting_approval) or row.rejected_at is not None,
            good_practice=bool(row.promoted),
            title=clean(row.title) if row.first_post_id == row.id else "",
            body=plain_text(row.body_html),
        )
        for row in rows
    ]
