"""PostgreSQL backend: a weighted tsvector on each document with a GIN index, ranked by ts_rank_cd.

Queries are built with plainto_tsquery/phraseto_tsquery over bound parameters, one per word or
phrase, so what people type is only ever data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import reduce

from sqlalchemy import (BigInteger, Connection, Float, Text, and_, any_, bindparam, func, literal_column, select,
                        text, union_all)
from sqlalchemy.dialects.postgresql import ARRAY

from forum.db import unnested
from forum.search import backend
from forum.search.documents import LIBRARY_ID_BASE, Document, documents
from forum.search.query import Query
from forum.search.text import START, STOP

CONFIG = literal_column("'english'::regconfig")
# How the newest matches are found (see `PostgresBackend.newest`): one GIN lookup when at most
# LOOKUP_MATCHES documents hold the rarest word searched for, or when the newest PROBE_ROWS documents
# hold few enough matches that the whole index would hold at most that many; otherwise a walk back
# through the primary key. With filters, or before ANALYZE has counted the words, id ranges that double,
# newest first: the newest FIRST_WINDOW, as many again, twice that...
LOOKUP_MATCHES = 10_000
PROBE_ROWS = 2_000
FIRST_WINDOW = 10_000
RANK_NORMALISATION = 1  # divide by 1 + log(document length), so long posts do not win by length alone
BODY_HEADLINE = (f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, ShortWord=3, "
                 f"MaxFragments=2, FragmentDelimiter=\" … \"")
TITLE_HEADLINE = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"

# The highest post document id, the documents ANALYZE counted, and for each item searched for the share
# of documents holding its rarest lexeme: from the lexemes ANALYZE found most common, or for any other
# lexeme the least share among those (it is rarer than all of them). One statement, read by anyone who
# may read the table (pg_stats checks that).
_STATISTICS = text(f"""
WITH stats AS (
    SELECT s.most_common_elems::text::text[] AS elems, s.most_common_elem_freqs AS freqs, c.reltuples
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = 'document'
    WHERE c.oid = to_regclass('{documents.name}')
)
SELECT (SELECT max(id) FROM {documents.name} WHERE id < :base) AS top,
       (SELECT reltuples FROM stats) AS documents,
       ARRAY(
           SELECT (SELECT min(coalesce(stats.freqs[array_position(stats.elems, lexeme)],
                                       stats.freqs[cardinality(stats.elems) + 1]))
                   FROM unnest(tsvector_to_array(to_tsvector('english', item.words))) AS lexeme)
           FROM stats, unnest(CAST(:items AS text[])) WITH ORDINALITY AS item(words, n)
           ORDER BY item.n
       ) AS frequencies
""").columns(top=BigInteger(), documents=Float(), frequencies=ARRAY(Float()))


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


def _rank(document, query: Query):
    return func.ts_rank_cd(document, tsquery(query, with_exclusions=False), RANK_NORMALISATION)


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

    def newest(self, connection: Connection, query: Query, candidates, limit: int, narrowed: bool = False):
        # One plan cannot serve every query: walking back through the primary key, testing each document,
        # is quick for a common word and slow for a rare one, the GIN index the other way round, and the
        # planner, taking words to be independent, cannot tell how often they come together. The index's
        # own statistics (the lexemes ANALYZE found most common, with the share of documents holding each)
        # say how many documents hold the rarest word searched for, which bounds the matches: when that is
        # small, one GIN lookup reads them all (about a microsecond each) and sorts them. When every word
        # is common, a count over the newest documents says how often they come together. A walk reads
        # about `limit` x (documents / matches) rows at about 0.3 us each, so the two cost the same near
        # 9,000 matches in 250,000 documents (9 ms or so), and each is the cheaper one on its own side.
        # With filters, which thin the matches in ways the word counts do not show, see `_windows`.
        # Statistics only choose the plan: every plan gives the same rows, so stale or missing statistics
        # (a table ANALYZE has not reached yet) cost time, never correctness.
        top, rarest = self._statistics(connection, query)
        if narrowed or rarest is None:
            return self._windows(top, candidates, limit)
        if rarest <= LOOKUP_MATCHES:
            return self._lookup(query, candidates())
        if not PROBE_ROWS:
            return self._windows(top, candidates, limit)
        # Every word is common, but together (or less the words left out) they may be rare: count the
        # matches among the newest PROBE_ROWS documents (a walk of under a millisecond), and from that
        # share take whichever plan reads less, the lookup or the walk.
        walk = func.ts_match_vq(documents.c.document, tsquery(query))  # the same test, which no index serves
        held = connection.scalar(select(func.count()).select_from(documents)
                                 .where(documents.c.id > top - PROBE_ROWS, walk)) or 0
        if held * max(top, 1) / PROBE_ROWS <= LOOKUP_MATCHES:
            return self._lookup(query, candidates())
        return candidates(match=walk)

    def _lookup(self, query: Query, found):
        """`found`, the newest-first query, through one GIN lookup, scored after its LIMIT.

        Ordered by id + 0, which the primary key cannot serve, the planner reads the matches from the GIN
        index and sorts them; the rows kept are scored from the table again after that, since scoring every
        match before the sort (as the planner would) costs more than the lookup itself.
        """
        found = found.with_only_columns(documents.c.id).order_by(None).order_by(
            (documents.c.id + literal_column("0")).desc()).subquery("found")
        kept = documents.alias("kept")
        return select(found.c.id.label("id"), _rank(kept.c.document, query).label("score")).join_from(
            found, kept, kept.c.id == found.c.id)

    def _statistics(self, connection: Connection, query: Query) -> tuple[int, float | None]:
        """The highest post document id, and how many documents hold the rarest word searched for
        (None when ANALYZE has not yet counted the index's lexemes)."""
        items = [" ".join(item) for item in query.include]
        row = connection.execute(_STATISTICS, {"base": LIBRARY_ID_BASE, "items": items}).one()
        known = [frequency for frequency in row.frequencies or () if frequency is not None]
        return row.top or 0, min(known) * row.documents if known and row.documents and row.documents > 0 else None

    def _windows(self, top: int, candidates, limit: int):
        """The newest matches over id ranges, newest first, each as large as all the newer ones together.

        UNION ALL stops as soon as `limit` rows have come. A range is reached only when the newer ones held
        too few matches, so the words are rare enough there for either plan to be quick, and the planner
        chooses each range's plan knowing the filters: whatever the words, about 2 x `limit` rows are read.
        """
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
        return _rank(documents.c.document, query)

    def highlights(self, connection: Connection, query: Query, items) -> dict[int, tuple[str, str]]:
        if not items or query.is_empty:
            return {}
        # The texts as three arrays (not a VALUES list, whose every row is new SQL to compile and send).
        rows = unnested([{"id": id_, "title": title or "", "body": body or ""} for id_, title, body in items],
                        {"id": BigInteger(), "title": Text(), "body": Text()})
        wanted = tsquery(query, with_exclusions=False)
        found = connection.execute(select(
            rows.c.id,
            func.ts_headline(CONFIG, rows.c.title, wanted, TITLE_HEADLINE),
            func.ts_headline(CONFIG, rows.c.body, wanted, BODY_HEADLINE),
        ))
        return {id_: (title, body) for id_, title, body in found}


backend.register("postgresql", PostgresBackend())
