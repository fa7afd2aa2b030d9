"""PostgreSQL backend: a weighted tsvector on each document with a GIN index, ranked by ts_rank_cd.

Queries are built with plainto_tsquery/phraseto_tsquery over bound parameters, one per word or
phrase, so what people type is only ever data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import reduce

from sqlalchemy import (BigInteger, Connection, Text, and_, any_, bindparam, column, func, literal_column, select,
                        union_all, values)
from sqlalchemy.dialects.postgresql import ARRAY

from forum.db import unnested
from forum.search import backend
from forum.search.documents import LIBRARY_ID_BASE, Document, documents
from forum.search.query import Query
from forum.search.text import START, STOP

CONFIG = literal_column("'english'::regconfig")
# Documents are searched newest first, in id ranges that double: the newest FIRST_WINDOW, as many
# again, twice that... (see `newest`).
FIRST_WINDOW = 10_000
RANK_NORMALISATION = 1  # divide by 1 + log(document length), so long posts do not win by length alone
BODY_HEADLINE = (f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, ShortWord=3, "
                 f"MaxFragments=2, FragmentDelimiter=\" … \"")
TITLE_HEADLINE = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"


def _vector(text, weight: str):
    return func.setweight(func.to_tsvector(CONFIG, text), literal_column(f"'{weight}'"))


def _document(title, body):
    """The weighted tsvector: titles weigh A, texts B, so a word in the title counts for more."""
    return _vector(title, "A").op("||")(_vector(body, "B"))


# PostgreSQL's parser keeps web addresses, host names and e-mail addresses whole ("www.gov.uk" is one
# lexeme), so "gov" would not find them; indexed text has the dots, slashes, colons and @ between
# letters and digits made spaces, as SQLite's tokenizer does.
_JOINED = re.compile(r"(?<=\w)[./:@]+(?=\w)")


def words(text: str) -> str:
    """Text as PostgreSQL should index it: addresses split into their words."""
    return _JOINED.sub(" ", text)


def _item(item: tuple[str, ...]):
    text = " ".join(item)
    return func.plainto_tsquery(CONFIG, text) if len(item) == 1 else func.phraseto_tsquery(CONFIG, text)


def tsquery(query: Query, with_exclusions: bool = True):
    """The tsquery: included items AND-ed, and (unless told not to) each excluded item negated."""
    parts = [_item(item) for item in query.include]
    if with_exclusions:
        parts += [func.tsquery_not(_item(item)) for item in query.exclude]
    return reduce(func.tsquery_and, parts)


class PostgresBackend(backend.Backend):
    """Full-text search in PostgreSQL, with the English stemmer and stop words."""

    name = "postgresql"
    needs_text = True  # the index keeps only the tsvector; snippets are made from the texts shown

    def write(self, connection: Connection, docs: Sequence[Document]) -> None:
        if not docs:
            return
        # One short INSERT ... SELECT from the documents as arrays, whatever their number: the server
        # makes each tsvector from its texts.
        rows = [{**doc.row(), "title_text": words(doc.title), "body_text": words(doc.body)} for doc in docs]
        columns = [name for name in rows[0] if name in documents.c]
        source = unnested(rows, {**{name: documents.c[name].type for name in columns},
                                 "title_text": Text(), "body_text": Text()})
        connection.execute(documents.insert().from_select(
            [*columns, "document"],
            select(*[source.c[name] for name in columns], _document(source.c.title_text, source.c.body_text)),
        ))

    def delete(self, connection: Connection, ids: Sequence[int]) -> None:
        ids = list(ids)
        if ids:  # = ANY(one array): a short statement however many ids
            connection.execute(documents.delete().where(
                documents.c.id == any_(bindparam(None, ids, type_=ARRAY(BigInteger)))))

    def clear(self, connection: Connection) -> None:
        connection.execute(documents.delete())

    def optimise(self, connection: Connection) -> None:
        connection.exec_driver_sql(f"ANALYZE {documents.name}")

    def source(self):
        return documents

    def newest(self, connection: Connection, candidates, limit: int):
        # One plan cannot serve every query: walking back through the primary key is quick for a common
        # word and slow for a rare one, the GIN index the other way round, and the planner cannot tell
        # how often two words come together. So the search runs over id ranges, newest first, each as
        # large as all the newer ones together, and UNION ALL stops as soon as `limit` rows have come.
        # A range is reached only when the newer ones held too few matches, so the words are rare
        # enough there for either plan to be quick: whatever the words, about 2 x `limit` rows are read.
        top = connection.scalar(select(func.max(documents.c.id)).where(documents.c.id < LIBRARY_ID_BASE)) or 0
        edges, size = [top - FIRST_WINDOW], FIRST_WINDOW
        while edges[-1] > 0:
            edges.append(edges[-1] - size)
            size *= 2
        ranges = [documents.c.id > edges[0]]  # the newest range is open above: library entries rank as new
        ranges += [and_(documents.c.id > low, documents.c.id <= high) for high, low in zip(edges, edges[1:-1])]
        ranges.append(documents.c.id <= edges[-2] if len(edges) > 1 else None)
        parts = [candidates(where) for where in ranges if where is not None]
        if len(parts) == 1:
            return parts[0]
        union = union_all(*parts).subquery("newest")
        return select(union.c.id, union.c.score).limit(limit)

    def match(self, query: Query):
        return documents.c.document.op("@@")(tsquery(query))

    def score(self, query: Query):
        return func.ts_rank_cd(documents.c.document, tsquery(query, with_exclusions=False), RANK_NORMALISATION)

    def highlights(self, connection: Connection, query: Query, items) -> dict[int, tuple[str, str]]:
        if not items or query.is_empty:
            return {}
        rows = values(column("id", BigInteger), column("title", Text), column("body", Text), name="shown").data(
            [(id_, title or "", body or "") for id_, title, body in items])
        wanted = tsquery(query, with_exclusions=False)
        found = connection.execute(select(
            rows.c.id,
            func.ts_headline(CONFIG, rows.c.title, wanted, TITLE_HEADLINE),
            func.ts_headline(CONFIG, rows.c.body, wanted, BODY_HEADLINE),
        ))
        return {id_: (title, body) for id_, title, body in found}


backend.register("postgresql", PostgresBackend())
