"""search index

Revision ID: 0010
Revises: 0005
Create Date: 2026-11-22 15:30:00.000000

The search index: forumsearch_document (one row per post, with the columns searches filter on) and
where the words live: an FTS5 table on SQLite, a weighted tsvector column with a GIN index on
PostgreSQL. Both are filled from the existing posts. The tables are derived data, not models, so
they sit outside the forum_ prefix; `flask forum reindex` rebuilds them at any time.
"""
import html
import re

from alembic import context, op
import nh3
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import forum.db


revision = '0010'
down_revision = '0005'
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade():
    dialect = op.get_bind().dialect.name
    id_type = sa.BigInteger() if dialect == "postgresql" else sa.Integer()  # SQLite: the rowid itself
    extra = []
    if dialect == "postgresql":
        extra = [
            sa.Column("document", postgresql.TSVECTOR(), nullable=False),
            sa.ForeignKeyConstraint(["post_id"], ["forum_post.id"], name="fk_forumsearch_document_post_id",
                                    ondelete="CASCADE"),
            sa.ForeignKeyConstraint(["thread_id"], ["forum_thread.id"], name="fk_forumsearch_document_thread_id",
                                    ondelete="CASCADE"),
        ]
    # No foreign keys on SQLite: a later batch migration rebuilds forum_post by copying it and dropping
    # the old table, and that DROP would cascade to every document. The session listeners remove
    # documents instead, and searches join the live thread and check each post shown.
    op.create_table(
        "forumsearch_document",
        sa.Column("id", id_type, autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("speaker_id", sa.Integer(), nullable=True),
        sa.Column("chat_id", sa.Integer(), nullable=True),
        sa.Column("created_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("good_practice", sa.Boolean(), nullable=False, server_default=sa.false()),
        *extra,
        sa.PrimaryKeyConstraint("id", name="pk_forumsearch_document"),
    )
    op.create_index("ix_forumsearch_document_post_id", "forumsearch_document", ["post_id"])
    op.create_index("ix_forumsearch_document_thread_id", "forumsearch_document", ["thread_id"])
    if dialect == "postgresql":
        op.create_index("ix_forumsearch_document_document", "forumsearch_document", ["document"],
                        postgresql_using="gin")
    elif dialect == "sqlite":
        op.execute("CREATE VIRTUAL TABLE forumsearch_text USING fts5("
                   "title, body, tokenize = 'porter unicode61 remove_diacritics 2')")
    if not context.is_offline_mode():
        _backfill(op.get_bind(), dialect)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS forumsearch_text")
    op.drop_table("forumsearch_document")


# -- filling the index from the posts already there ---------------------------------------------------------
# A frozen copy of forum.search's text extraction: a migration must not change when the code does.

_BLOCK_BOUNDARY = re.compile(r"<(?:br|hr|img)\b[^>]*>|</(?:p|li|h[1-6]|td|th|tr|blockquote|pre|ul|ol|table|div)\s*>",
                             re.IGNORECASE)
_JOINERS = re.compile("[\u00ad\u200c\u200d\u2060\ufeff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2061-\u206f"
                      "\ufff9-\ufffb\ud800-\udfff]")


_JOINED = re.compile(r"(?<=\w)[./:@]+(?=\w)")  # PostgreSQL indexes www.gov.uk as www, gov, uk


def _clean(text):
    return " ".join(_CONTROL.sub(" ", _JOINERS.sub("", text or "")).split())


def _plain(fragment):
    if not fragment:
        return ""
    text = nh3.clean(_BLOCK_BOUNDARY.sub(" ", fragment), tags=set(), clean_content_tags={"script", "style"},
                     attributes={}, link_rel=None)
    return _clean(html.unescape(text))


def _backfill(bind, dialect):
    # Posts waiting for pre-moderation (0005) are indexed as hidden: only moderators find them; posts the
    # library (0005) promotes, alone or as the opening post of a promoted thread, are good practice.
    inspector = sa.inspect(bind)
    waiting = "awaiting_approval" in {c["name"] for c in inspector.get_columns("forum_post")}
    library = inspector.has_table("forum_library_entry")
    post = sa.table("forum_post", sa.column("id"), sa.column("thread_id"), sa.column("author_id"),
                    sa.column("speaker_id"), sa.column("anonymous"), sa.column("chat_id"),
                    sa.column("created_at", forum.db.UTCDateTime()), sa.column("deleted_at"),
                    sa.column("hidden_at"), sa.column("body_html"),
                    *([sa.column("awaiting_approval")] if waiting else []))
    thread = sa.table("forum_thread", sa.column("id"), sa.column("title"), sa.column("first_post_id"))
    promoted = sa.false()
    if library:
        entry = sa.table("forum_library_entry", sa.column("id"), sa.column("status"), sa.column("post_id"),
                         sa.column("thread_id"))
        promoted = sa.select(entry.c.id).where(entry.c.status == "published", sa.or_(
            entry.c.post_id == post.c.id,
            sa.and_(entry.c.post_id.is_(None), entry.c.thread_id == post.c.thread_id,
                    thread.c.first_post_id == post.c.id),
        )).exists()
    document = sa.table("forumsearch_document", sa.column("id"), sa.column("kind"), sa.column("post_id"),
                        sa.column("thread_id"), sa.column("author_id"), sa.column("speaker_id"),
                        sa.column("chat_id"), sa.column("created_at", forum.db.UTCDateTime()),
                        sa.column("hidden"), sa.column("good_practice"), sa.column("document"))
    if dialect == "postgresql":
        config = sa.literal_column("'english'::regconfig")
        words = sa.func.setweight(sa.func.to_tsvector(config, sa.bindparam("title_text", type_=sa.Text)),
                                  sa.literal_column("'A'")).op("||")(
            sa.func.setweight(sa.func.to_tsvector(config, sa.bindparam("body_text", type_=sa.Text)),
                              sa.literal_column("'B'")))
        insert_documents = document.insert().values(document=words)
    else:
        insert_documents = document.insert()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(post, thread.c.title, thread.c.first_post_id, promoted.label("promoted"))
            .select_from(post.join(thread, post.c.thread_id == thread.c.id))
            .where(post.c.id > last, post.c.deleted_at.is_(None)).order_by(post.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        last = rows[-1].id
        docs = [{
            "id": r.id, "kind": "post", "post_id": r.id, "thread_id": r.thread_id,
            "author_id": None if r.anonymous else r.author_id, "speaker_id": None if r.anonymous else r.speaker_id,
            "chat_id": r.chat_id, "created_at": r.created_at,
            "hidden": r.hidden_at is not None or (waiting and bool(r.awaiting_approval)),
            "good_practice": bool(r.promoted),
            "title_text": _clean(r.title) if r.first_post_id == r.id else "",
            "body_text": _plain(r.body_html),
        } for r in rows]
        if dialect == "postgresql":
            bind.execute(insert_documents, [{**d, "title_text": _JOINED.sub(" ", d["title_text"]),
                                             "body_text": _JOINED.sub(" ", d["body_text"])} for d in docs])
        else:
            bind.execute(insert_documents, [{k: v for k, v in d.items() if not k.endswith("_text")} for d in docs])
            if dialect == "sqlite":
                bind.execute(sa.text("INSERT INTO forumsearch_text (rowid, title, body) "
                                     "VALUES (:id, :title_text, :body_text)"), docs)
