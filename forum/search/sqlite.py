"""SQLite backend (the default): an FTS5 table of titles and texts beside the documents, ranked by bm25.

MATCH expressions are built only from quoted tokens, so what people type never becomes FTS syntax.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Column, Connection, Integer, String, Table, Text, bindparam, func, literal_column, select

from forum.db import built_once
from forum.search import backend
from forum.search.documents import Document, documents, metadata
from forum.search.query import Query
from forum.search.text import START, STOP

texts = Table(
    "forumsearch_text", metadata,  # CREATE VIRTUAL TABLE ... USING fts5(title, body): see migration 0010
    Column("rowid", Integer, key="rowid"),
    Column("title", Text),
    Column("body", Text),
    info={"fts5": True},
)
_FTS = literal_column(texts.name)
TITLE_WEIGHT, BODY_WEIGHT = 2.0, 1.0
SNIPPET_TOKENS = 28
_CHUNK = 500  # ids per statement, well under SQLite's bound-parameter limit


def _quoted(item: tuple[str, ...]) -> str:
    return '"' + " ".join(item).replace('"', '""') + '"'


def match_expression(query: Query) -> str:
    """The FTS5 query: every included word or phrase, quoted, AND-ed; the excluded ones after NOT."""
    expression = " AND ".join(_quoted(item) for item in query.include)
    if query.exclude:
        expression = f"({expression}) NOT ({' OR '.join(_quoted(item) for item in query.exclude)})"
    return expression


class SQLiteBackend(backend.Backend):
    """FTS5 with the porter stemmer, so "simulator" finds "simulators"."""

    name = "sqlite"
    tables = (documents.name, texts.name)

    def write(self, connection: Connection, docs: Sequence[Document]) -> None:
        if not docs:
            return
        connection.execute(documents.insert(), [doc.row() for doc in docs])
        connection.execute(texts.insert(), [{"rowid": doc.id, "title": doc.title, "body": doc.body} for doc in docs])

    def delete(self, connection: Connection, ids: Sequence[int]) -> None:
        ids = list(ids)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            connection.execute(documents.delete().where(documents.c.id.in_(chunk)))
            connection.execute(texts.delete().where(texts.c.rowid.in_(chunk)))

    def clear(self, connection: Connection) -> None:
        connection.execute(documents.delete())
        connection.execute(texts.delete())

    def optimise(self, connection: Connection) -> None:
        connection.exec_driver_sql(f"INSERT INTO {texts.name}({texts.name}) VALUES ('optimize')")
        connection.exec_driver_sql(f"ANALYZE {documents.name}")

    def source(self):
        return texts.join(documents, documents.c.id == texts.c.rowid)

    def words(self, query: Query) -> dict:
        return {"match": match_expression(query)}

    def match(self, query: Query):
        return _FTS.op("MATCH")(bindparam("match", type_=String()))  # one expression: the same SQL for every query

    def score(self, query: Query):
        return -func.bm25(_FTS, TITLE_WEIGHT, BODY_WEIGHT)  # bm25 is lower for better matches

    def recency(self):
        return texts.c.rowid  # FTS5 walks its rowids backwards without sorting

    def highlights(self, connection: Connection, query: Query, ids) -> dict[int, tuple[str, str]]:
        if not ids or query.is_empty:
            return {}
        statement = built_once(("sqlite_highlights",), lambda: (
            select(texts.c.rowid, func.highlight(_FTS, 0, START, STOP),
                   func.snippet(_FTS, 1, START, STOP, "…", SNIPPET_TOKENS))
            .where(self.match(query), texts.c.rowid.in_(bindparam("ids", expanding=True)))))
        rows = connection.execute(statement, {**self.words(query), "ids": ids})
        return {rowid: (title, snippet) for rowid, title, snippet in rows}


backend.register("sqlite", SQLiteBackend())
