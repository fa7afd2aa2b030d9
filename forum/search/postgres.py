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

from sqlalchemy import (JSON, BigInteger, Connection, String, Text, and_, any_, bindparam, func, literal_column,
                        select, text, union_all)
from sqlalchemy.dialects.postgresql import ARRAY

from forum.db import built_once, planned_for_its_values, unnested
from forum.search import backend
from forum.search.documents import LIBRARY_ID_BASE, Document, documents
from forum.search.query import Query
from forum.search.text import BLOCK_BOUNDARY_PATTERN, START, STOP, TAG_PATTERN

CONFIG = literal_column("'english'::regconfig")
# How the newest matches are found (see `PostgresBackend.plan`): GIN lookups, a partition at a time, newest
# first, when at most LOOKUP_MATCHES documents of a partition's worth hold the rarest word searched for, or when
# the newest PROBE_ROWS documents hold few enough matches; otherwise a walk back through the primary key. With
# filters, or before ANALYZE has counted the words, the partitions' id ranges newest first, each read as the
# planner chooses.
LOOKUP_MATCHES = 2_500  # in a partition's worth of the newest documents (see `PostgresBackend.plan`)
PROBE_ROWS = 2_000
# The index is partitioned by range of id (migration 0025): PARTITION_IDS post ids a partition, named
# forumsearch_document_<first id>, each with its own GIN index; the forum makes the next as ids reach the last.
PARTITION_IDS = 50_000
# Whether the index is partitioned, and its partitions' bounds ("FOR VALUES FROM ('0') TO ('50000')").
_PARTITIONS = text("""
SELECT c.relkind = 'p', ARRAY(SELECT pg_get_expr(child.relpartbound, child.oid) FROM pg_inherits i
                              JOIN pg_class child ON child.oid = i.inhrelid WHERE i.inhparent = c.oid)
FROM pg_class c WHERE c.oid = to_regclass(:table)""")
_UPPER_BOUND = re.compile(r"TO \('?(\d+)'?\)")  # a post partition's end (the library's is MAXVALUE)
_PARTITION_LOCK = 0x5EA4C4  # pg_advisory_xact_lock key: one transaction at a time makes partitions
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
# The index is partitioned: each partition's counts (autovacuum analyzes partitions, never their parent), as JSON.
_LEXEMES_AND_COUNTS = text(f"""
WITH counted AS (
    SELECT json_agg(json_build_object('elems', s.most_common_elems::text::text[], 'freqs', s.most_common_elem_freqs,
                                      'documents', c.reltuples)) AS partitions
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = 'document' AND NOT s.inherited
    WHERE c.reltuples > 0 AND (c.oid = to_regclass('{documents.name}') OR c.oid IN (
        SELECT inhrelid FROM pg_inherits WHERE inhparent = to_regclass('{documents.name}')))
)
SELECT found.*, counted.partitions FROM ({_TOP_AND_LEXEMES}) AS found LEFT JOIN counted ON true
""").columns(top=BigInteger(), lexemes=ARRAY(Text()), partitions=JSON())
STATISTICS_SECONDS = 60  # how long an engine keeps them: they change only when ANALYZE runs
LEXEME_ITEMS = 10_000  # the items (words, phrases) whose lexemes an engine keeps
_KEPT = "_forum_search_statistics"  # where, in the engine's __dict__: (until, counts, highest id)
_KEPT_LEXEMES = "_forum_search_lexemes"  # and the lexemes: {item: "lexeme lexeme"}


class _Counts(NamedTuple):
    """One partition's counts, as ANALYZE left them."""

    shares: dict[str, float]  # lexeme: the share of documents holding it
    rarest: float             # the least share listed: any lexeme not listed is rarer
    documents: float          # the documents ANALYZE counted

    def holding(self, lexeme: str) -> float:
        return self.shares.get(lexeme, self.rarest) * self.documents


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
    headlined = True

    def write(self, connection: Connection, docs: Sequence[Document]) -> None:
        if not docs:
            return
        # One short INSERT ... SELECT from the documents as arrays, whatever their number: the server
        # makes each tsvector from its texts.
        _make_partitions(connection, max((doc.id for doc in docs if doc.id < LIBRARY_ID_BASE), default=0))
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
        # own statistics (the lexemes ANALYZE found most common in each partition, with the share of documents
        # holding each) say how many documents hold the rarest word searched for, which bounds the matches:
        # when a partition's worth of the newest documents holds few, GIN lookups read them all (a heap page
        # each), a partition at a time, newest first, until `limit` are found. When every word is common, a count
        # over the newest documents says how often they come together. A walk reads about `limit` x (documents /
        # matches) rows, so its cost falls as the matches grow while the lookups' rises: over the bench's
        # searches (250,000 documents in 5 partitions, server time, best of 3) the lookups were the cheaper up to
        # about 12,000 matches (2,400 a partition), the walk above.
        # With filters, which thin the matches in ways the word counts do not show, see `_partitions`.
        # Statistics only choose the plan: every plan gives the same rows, so stale or missing statistics
        # (a partition ANALYZE has not reached yet, or kept a minute by this process) cost time, never correctness.
        top, rarest = self._statistics(connection, query)
        count, edges = self._partitions(top)
        if narrowed or rarest is None:
            return ("ranges", count), edges
        if self._per_partition(rarest, top) <= LOOKUP_MATCHES:
            return ("lookup", count), edges
        if not PROBE_ROWS:
            return ("ranges", count), edges
        if len(query.include) == 1 and len(query.include[0]) == 1 and not query.exclude:
            return ("walk",), {}  # one common word: the counts already say how common
        # Every word is common, but together (or less the words left out) they may be rare: count the
        # matches among the newest PROBE_ROWS documents (a walk of under a millisecond), and from that
        # share take whichever plan reads less, the lookups or the walk.
        with planned_for_its_values(connection):
            held = connection.scalar(built_once(("pg_search_probe", _shape(query)), lambda: _probe(query)),
                                     {**self.words(query), "base": LIBRARY_ID_BASE, "rows": PROBE_ROWS}) or 0
        if self._per_partition(held * max(top, 1) / PROBE_ROWS, top) <= LOOKUP_MATCHES:
            return ("lookup", count), edges
        return ("walk",), {}

    @staticmethod
    def _per_partition(matches: float, top: int) -> float:
        """Of `matches` among the documents up to id `top`, how many a partition's worth of them holds."""
        return matches * min(top, PARTITION_IDS) / max(top, 1)

    def newest(self, plan: tuple, query: Query, candidates, limit):
        if plan[:1] == ("walk",):
            return candidates(match=_walk(query))
        if plan[0] == "lookup":
            return self._ranges(plan[1], lambda where: self._looked_up(query, candidates(where)), limit)
        return self._ranges(plan[1], candidates, limit)

    @staticmethod
    def _looked_up(query: Query, found):
        """`found`, the newest-first query, through the GIN index, scored after its LIMIT.

        Ordered by id + 0, which the primary key cannot serve, the planner reads the matches from the GIN
        index and sorts them. The rows kept are scored after that, from the words carried through the sort:
        scoring every match before the sort (as the planner would) costs more than the lookup itself.
        """
        kept = found.with_only_columns(documents.c.id, documents.c.document).order_by(None).order_by(
            (documents.c.id + literal_column("0")).desc()).subquery("kept")
        return select(kept.c.id.label("id"), _rank(kept.c.document, query).label("score"))

    def _statistics(self, connection: Connection, query: Query) -> tuple[int, float | None]:
        """The highest post document id, and how many documents hold the rarest word searched for
        (None when ANALYZE has not yet counted the index's lexemes).

        Kept by this process: the counts and the highest id for STATISTICS_SECONDS, and the lexemes of the last
        LEXEME_ITEMS items searched for, so a search of words seen before sends no statement for them. The
        highest id only places the partitions' edges, the newest range is open above, and a plan reads the
        same rows whatever the counts say: what is kept can cost time, never a result.
        """
        items = [" ".join(item) for item in query.include]
        engine, now = connection.engine, time.monotonic()
        kept = engine.__dict__.get(_KEPT)
        known = engine.__dict__.setdefault(_KEPT_LEXEMES, {})
        lexemes = [known.get(item) for item in items]
        if kept is not None and kept[0] > now and None not in lexemes:
            counts, top = kept[1], kept[2]
        else:
            if kept is not None and kept[0] > now:
                row, until, counts = connection.execute(_LEXEMES, {"base": LIBRARY_ID_BASE, "items": items}).one(), \
                    kept[0], kept[1]
            else:
                row = connection.execute(_LEXEMES_AND_COUNTS, {"base": LIBRARY_ID_BASE, "items": items}).one()
                # most_common_elem_freqs: a share per lexeme, then the least and greatest of those and the share of
                # nulls.
                until, counts = now + STATISTICS_SECONDS, [
                    _Counts(dict(zip(part["elems"], part["freqs"])), part["freqs"][len(part["elems"])],
                            part["documents"])
                    for part in row.partitions or () if part["elems"] and part["freqs"] and part["documents"] > 0]
            top, lexemes = row.top or 0, list(row.lexemes or ())
            engine.__dict__[_KEPT] = (until, counts, top)
            if len(known) + len(items) > LEXEME_ITEMS:
                known.clear()
            known.update(zip(items, lexemes))
        if not counts:
            return top, None
        # Each item is as rare as its rarest lexeme (an item with none, all stop words to PostgreSQL, tells nothing).
        held = [min(sum(partition.holding(lexeme) for partition in counts) for lexeme in item.split())
                for item in lexemes if item]
        return top, min(held) if held else None

    @staticmethod
    def _partitions(top: int) -> tuple[int, dict]:
        """The partitions' id ranges up to `top`, newest first: how many edges between them, and their values.

        UNION ALL stops as soon as `limit` rows have come, so an older partition is read only when the newer
        ones held too few matches. In the plan "ranges" the planner chooses each partition's reading knowing
        the filters; in "lookup" each is read through its GIN index.
        """
        edges = list(range(top // PARTITION_IDS * PARTITION_IDS, 0, -PARTITION_IDS))
        return len(edges), {f"edge_{n}": edge for n, edge in enumerate(edges)}

    @staticmethod
    def _ranges(count: int, candidates, limit):
        edges = [bindparam(f"edge_{n}", type_=BigInteger()) for n in range(count)]
        if not edges:
            return candidates(None)
        ranges = [documents.c.id >= edges[0]]  # the newest range is open above: library entries rank as new
        ranges += [and_(documents.c.id >= low, documents.c.id < high) for high, low in zip(edges, edges[1:])]
        ranges.append(documents.c.id < edges[-1])
        union = union_all(*[candidates(where) for where in ranges]).subquery("newest")
        return select(*union.c).limit(limit)

    def match(self, query: Query):
        return documents.c.document.op("@@")(tsquery(query))

    def score(self, query: Query):
        return _rank(documents.c.document, query)

    def headlines(self, query: Query, title, html):
        # The text made from the HTML in the same statement, as `text.plain_text` makes it: block boundaries as
        # spaces, other tags gone (two regular expressions, about 30 microseconds a post); entities are read in
        # this process, and ts_headline drops control characters, START and STOP among them. Made in this
        # process, it cost a statement more: the posts' HTML read here and their texts sent back.
        text = html
        for pattern, by in ((BLOCK_BOUNDARY_PATTERN, " "), (TAG_PATTERN, "")):
            text = func.regexp_replace(text, pattern, by, "g")
        wanted = tsquery(query, with_exclusions=False)
        return (func.ts_headline(CONFIG, title, wanted, TITLE_HEADLINE),
                func.ts_headline(CONFIG, text, wanted, BODY_HEADLINE))


def _make_partitions(connection: Connection, highest: int) -> None:
    """Make the index's partitions up to one past the one post document id `highest` falls in, if missing.

    In the writing transaction, after an advisory lock (two writers would otherwise both make one), and only
    when an id falls past the last partition: at most once every PARTITION_IDS posts. The partitions are read
    from the catalog at each write (a short statement): a partition a transaction made is gone if it rolls
    back, so nothing is kept. A table that is not partitioned (a database before migration 0025) needs none.
    """
    for locked in (False, True):
        if locked:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PARTITION_LOCK})
        partitioned, bounds = connection.execute(_PARTITIONS, {"table": documents.name}).one()
        if not partitioned:
            return
        covered = max((int(end) for end in _UPPER_BOUND.findall(" ".join(bounds or ()))), default=0)
        if highest < covered:
            return
    start = covered
    while True:
        connection.exec_driver_sql(f"CREATE TABLE {documents.name}_{start} PARTITION OF {documents.name} "
                                   f"FOR VALUES FROM ({start}) TO ({start + PARTITION_IDS})")
        start += PARTITION_IDS
        if start > highest + PARTITION_IDS:  # the partition `highest` falls in, and one more
            break


def _probe(query: Query):
    """How many of the newest `rows` post documents match (a walk back through the primary key)."""
    newest = (select(documents.c.document).where(documents.c.id < bindparam("base"))
              .order_by(documents.c.id.desc()).limit(bindparam("rows")).subquery("newest"))
    return select(func.count()).select_from(newest).where(func.ts_match_vq(newest.c.document, tsquery(query)))


def _walk(query: Query):
    """The match tested row by row (ts_match_vq, which no index serves): for walking back through the primary key."""
    return func.ts_match_vq(documents.c.document, tsquery(query))



backend.register("postgresql", PostgresBackend())
