"""PostgreSQL backend: a weighted tsvector on each document with a GIN index, ranked by ts_rank_cd.

Queries are built with plainto_tsquery/phraseto_tsquery over bound parameters, one per word or
phrase, so what people type is only ever data.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from functools import reduce
from typing import NamedTuple

from sqlalchemy import (BigInteger, Connection, Float, String, Text, and_, any_, bindparam, func, literal_column,
                        select, text, union_all)
from sqlalchemy.dialects.postgresql import ARRAY

from forum.db import built_once, unnested
from forum.search import backend
from forum.search.documents import LIBRARY_ID_BASE, Document, documents
from forum.search.query import Query
from forum.search.text import START, STOP

CONFIG = literal_column("'english'::regconfig")
# How the newest matches are found (see `PostgresBackend.plan`): one GIN lookup when at most
# LOOKUP_MATCHES documents hold the rarest word searched for, or when the newest PROBE_ROWS documents
# hold few enough matches that the whole index would hold at most that many; otherwise a walk back
# through the primary key. With filters, or before ANALYZE has counted the words, id ranges that double,
# newest first: the newest FIRST_WINDOW, as many again, twice that...
LOOKUP_MATCHES = 6_000
PROBE_ROWS = 2_000
FIRST_WINDOW = 10_000
RANK_NORMALISATION = 1  # divide by 1 + log(document length), so long posts do not win by length alone
BODY_HEADLINE = (f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, ShortWord=3, "
                 f"MaxFragments=2, FragmentDelimiter=\" … \"")
TITLE_HEADLINE = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"

# The highest post document id, and for each item searched for the lexemes PostgreSQL indexes it by.
_TOP_AND_LEXEMES = f"""
SELECT (SELECT max(id) FROM {documents.name} WHERE id < :base) AS top,
       ARRAY(
           SELECT array_to_string(tsvector_to_array(to_tsvector('english', item.words)), ' ')
           FROM unnest(CAST(:items AS text[])) WITH ORDINALITY AS item(words, n)
           ORDER BY item.n
       ) AS lexemes"""
_LEXEMES = text(_TOP_AND_LEXEMES).columns(top=BigInteger(), lexemes=ARRAY(Text()))
# The same, with the lexemes ANALYZE found most common in the index, the share of documents holding each, and the
# documents it counted (nulls before ANALYZE has run), for when this process has not read them for a while: in the
# same statement, so a search sends as many statements either way. Read by anyone who may read the table (pg_stats
# checks that).
_LEXEMES_AND_COUNTS = text(f"""
WITH counted AS (
    SELECT s.most_common_elems::text::text[] AS elems, s.most_common_elem_freqs AS freqs, c.reltuples AS documents
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = 'document'
    WHERE c.oid = to_regclass('{documents.name}')
)
SELECT found.*, counted.* FROM ({_TOP_AND_LEXEMES}) AS found LEFT JOIN counted ON true
""").columns(top=BigInteger(), lexemes=ARRAY(Text()), elems=ARRAY(Text()), freqs=ARRAY(Float()), documents=Float())
STATISTICS_SECONDS = 60  # how long an engine keeps them: they change only when ANALYZE runs
_KEPT = "_forum_search_statistics"  # where, in the engine's __dict__


class _Counts(NamedTuple):
    shares: dict[str, float]  # lexeme: the share of documents holding it
    rarest: float             # the least share listed: any lexeme not listed is rarer
    documents: float          # the documents ANALYZE counted


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


def _item(name: str, phrase: bool):
    value = bindparam(name, type_=String())
    return func.phraseto_tsquery(CONFIG, value) if phrase else func.plainto_tsquery(CONFIG, value)


def _shape(query: Query) -> tuple:
    """Which items are phrases, among those included and those left out: all the SQL depends on."""
    return tuple(len(item) > 1 for item in query.include), tuple(len(item) > 1 for item in query.exclude)


def tsquery(query: Query, with_exclusions: bool = True):
    """The tsquery: included items AND-ed, and (unless told not to) each excluded item negated; the words are
    bound parameters (`PostgresBackend.words`), so the SQL is the same for every query of its shape."""
    included, excluded = _shape(query)
    parts = [_item(f"include_{n}", phrase) for n, phrase in enumerate(included)]
    if with_exclusions:
        parts += [func.tsquery_not(_item(f"exclude_{n}", phrase)) for n, phrase in enumerate(excluded)]
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
        connection.engine.__dict__.pop(_KEPT, None)  # this process reads the new counts at once

    def source(self):
        return documents

    def shape(self, query: Query) -> tuple:
        return _shape(query)

    def words(self, query: Query) -> dict:
        return {**{f"include_{n}": " ".join(item) for n, item in enumerate(query.include)},
                **{f"exclude_{n}": " ".join(item) for n, item in enumerate(query.exclude)}}

    def plan(self, connection: Connection, query: Query, narrowed: bool = False) -> tuple[tuple, dict]:
        # One plan cannot serve every query: walking back through the primary key, testing each document,
        # is quick for a common word and slow for a rare one, the GIN index the other way round, and the
        # planner, taking words to be independent, cannot tell how often they come together. The index's
        # own statistics (the lexemes ANALYZE found most common, with the share of documents holding each)
        # say how many documents hold the rarest word searched for, which bounds the matches: when that is
        # small, one GIN lookup reads them all (a heap page each, most of them) and sorts them. When every word
        # is common, a count over the newest documents says how often they come together. A walk reads
        # about `limit` x (documents / matches) rows, so its cost falls as the matches grow while the lookup's
        # rises: forced one way and the other over the bench's two-word searches (250,000 documents, a table
        # larger than PostgreSQL's default shared buffers) they cost the same near 5,000-6,000 matches, and the
        # walk was 2-20 ms cheaper from there to 11,000.
        # With filters, which thin the matches in ways the word counts do not show, see `_windows`.
        # Statistics only choose the plan: every plan gives the same rows, so stale or missing statistics
        # (a table ANALYZE has not reached yet, or kept a minute by this process) cost time, never correctness.
        top, rarest = self._statistics(connection, query)
        if narrowed or rarest is None:
            return self._windows(top)
        if rarest <= LOOKUP_MATCHES:
            return ("lookup",), {}
        if not PROBE_ROWS:
            return self._windows(top)
        # Every word is common, but together (or less the words left out) they may be rare: count the
        # matches among the newest PROBE_ROWS documents (a walk of under a millisecond), and from that
        # share take whichever plan reads less, the lookup or the walk.
        probe = built_once(("pg_search_probe", _shape(query)), lambda: (
            select(func.count()).select_from(documents).where(documents.c.id > bindparam("newest_from"), _walk(query))))
        held = connection.scalar(probe, {**self.words(query), "newest_from": top - PROBE_ROWS}) or 0
        if held * max(top, 1) / PROBE_ROWS <= LOOKUP_MATCHES:
            return ("lookup",), {}
        return ("walk",), {}

    def newest(self, plan: tuple, query: Query, candidates, limit):
        if plan[:1] == ("lookup",):
            return self._lookup(query, candidates())
        if plan[:1] == ("walk",):
            return candidates(match=_walk(query))
        return self._ranges(plan[1], candidates, limit)

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
        engine, now = connection.engine, time.monotonic()
        kept = engine.__dict__.get(_KEPT)
        if kept is not None and kept[0] > now:
            row, counts = connection.execute(_LEXEMES, {"base": LIBRARY_ID_BASE, "items": items}).one(), kept[1]
        else:
            row = connection.execute(_LEXEMES_AND_COUNTS, {"base": LIBRARY_ID_BASE, "items": items}).one()
            counts = None
            if row.elems and row.freqs:
                # most_common_elem_freqs: a share per lexeme, then the least and greatest of those and the share of nulls.
                counts = _Counts(dict(zip(row.elems, row.freqs)), row.freqs[len(row.elems)], row.documents)
            engine.__dict__[_KEPT] = (now + STATISTICS_SECONDS, counts)
        top = row.top or 0
        if counts is None or not counts.documents or counts.documents <= 0:
            return top, None
        # Each item is as rare as its rarest lexeme (an item with none, all stop words to PostgreSQL, tells nothing).
        shares = [min(counts.shares.get(lexeme, counts.rarest) for lexeme in lexemes.split())
                  for lexemes in row.lexemes or () if lexemes]
        return top, min(shares) * counts.documents if shares else None

    def _windows(self, top: int) -> tuple[tuple, dict]:
        """The plan of id ranges that double, newest first: the newest FIRST_WINDOW, as many again, twice that...

        UNION ALL stops as soon as `limit` rows have come. A range is reached only when the newer ones held
        too few matches, so the words are rare enough there for either plan to be quick, and the planner
        chooses each range's plan knowing the filters: whatever the words, about 2 x `limit` rows are read.
        """
        edges, size = [top - FIRST_WINDOW], FIRST_WINDOW
        while edges[-1] > 0:
            edges.append(edges[-1] - size)
            size *= 2
        return ("ranges", len(edges)), {f"edge_{n}": edge for n, edge in enumerate(edges)}

    @staticmethod
    def _ranges(count: int, candidates, limit):
        edges = [bindparam(f"edge_{n}", type_=BigInteger()) for n in range(count)]
        ranges = [documents.c.id > edges[0]]  # the newest range is open above: library entries rank as new
        ranges += [and_(documents.c.id > low, documents.c.id <= high) for high, low in zip(edges, edges[1:-1])]
        if count > 1:
            ranges.append(documents.c.id <= edges[-2])
        parts = [candidates(where) for where in ranges]
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
        statement = built_once(("pg_highlights", _shape(query)), lambda: _highlights(query))
        found = connection.execute(statement, {
            **self.words(query), "ids": [id_ for id_, _title, _body in items],
            "titles": [title or "" for _id, title, _body in items], "bodies": [body or "" for _id, _title, body in items]})
        return {id_: (title, body) for id_, title, body in found}


def _walk(query: Query):
    """The match tested row by row (ts_match_vq, which no index serves): for walking back through the primary key."""
    return func.ts_match_vq(documents.c.document, tsquery(query))


def _highlights(query: Query):
    rows = func.unnest(bindparam("ids", type_=ARRAY(BigInteger())), bindparam("titles", type_=ARRAY(Text())),
                       bindparam("bodies", type_=ARRAY(Text()))).table_valued("id", "title", "body").render_derived()
    wanted = tsquery(query, with_exclusions=False)
    return select(rows.c.id, func.ts_headline(CONFIG, rows.c.title, wanted, TITLE_HEADLINE),
                  func.ts_headline(CONFIG, rows.c.body, wanted, BODY_HEADLINE))


backend.register("postgresql", PostgresBackend())
