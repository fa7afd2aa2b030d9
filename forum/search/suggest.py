""""Did you mean ...?" for a search that found nothing: the closest words the index holds.

The vocabulary is the index's own (SQLite: FTS5's fts5vocab over the text table; PostgreSQL: ts_stat
over the newest documents), read one first letter at a time and kept per process until the index
grows; both hold stems ("plan" for planning), so a stem close to the misspelt word is searched for,
through the policy like any search, and what is suggested is the word readers saw marked in the
results: the form of it closest to what was typed. A word nobody may read is never suggested.
"""

from __future__ import annotations

import difflib
import re
import threading
import time
from collections import Counter
from collections.abc import Callable

from sqlalchemy import Connection, func, select

from forum.search.documents import LIBRARY_ID_BASE, documents
from forum.search.query import Query, parse

MAX_WORDS = 3          # misspelt words looked at in one search
MAX_CANDIDATES = 3     # stems tried for each
CUTOFF = 0.7           # difflib's similarity, 0 to 1
PG_NEWEST = 50_000     # PostgreSQL: the vocabulary of the newest documents (ts_stat reads every one given)
CACHE_SECONDS = 600

_cache: dict[tuple, tuple[float, list[str]]] = {}
_lock = threading.Lock()
_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def _terms(connection: Connection, letter: str) -> list[str]:
    """The index's terms that start with `letter`."""
    high = chr(ord(letter) + 1)
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.forumsearch_vocab USING fts5vocab(main, forumsearch_text, row)")
        rows = connection.exec_driver_sql(
            "SELECT term FROM temp.forumsearch_vocab WHERE term >= ? AND term < ?", (letter, high))
    elif connection.dialect.name == "postgresql":
        top = connection.scalar(select(func.max(documents.c.id)).where(documents.c.id < LIBRARY_ID_BASE)) or 0
        rows = connection.exec_driver_sql(
            "SELECT word FROM ts_stat(%(docs)s) WHERE word >= %(low)s AND word < %(high)s",
            {"docs": f"SELECT document FROM {documents.name} WHERE id > {int(top) - PG_NEWEST}",
             "low": letter, "high": high})
    else:
        return []
    return [row[0] for row in rows if row[0].isalpha()]


def vocabulary(connection: Connection, letter: str) -> list[str]:
    """The index's terms starting with `letter`, cached until the index gains a document (or 10 minutes)."""
    top = connection.scalar(select(func.max(documents.c.id))) or 0
    key = (str(connection.engine.url), id(connection.engine), top, letter)
    now = time.monotonic()
    with _lock:
        found = _cache.get(key)
        if found and found[0] > now:
            return found[1]
    terms = _terms(connection, letter)
    with _lock:
        if len(_cache) > 256:
            _cache.clear()
        _cache[key] = (now + CACHE_SECONDS, terms)
    return terms


def _surface(results, typed: str, stem: str) -> str:
    """The word readers saw marked in the results for `stem`, in the form closest to what was typed."""
    seen = Counter()
    for hit in results.page.items:
        for text in (str(hit.title), str(hit.snippet)):
            seen.update(word.lower() for word in _MARK.findall(text) if word.isalpha())
    if not seen:
        return stem
    return max(seen, key=lambda word: (difflib.SequenceMatcher(None, typed, word).ratio(), seen[word]))


def suggestion(connection: Connection, query: Query, run: Callable[[Query], object],
               finds: Callable[[Query], bool]) -> str | None:
    """The search to suggest instead of `query`, which found nothing: each word that finds nothing on its
    own swapped for the closest indexed word that finds something. `run(query)` searches as the viewer;
    `finds(query)` only asks whether that search finds anything (a match, not a page of them)."""
    swaps: dict[str, str] = {}
    for item in [item for item in query.include if len(item) == 1][:MAX_WORDS]:
        typed = item[0]
        if len(typed) < 3 or not typed.isalpha() or finds(parse(typed)):
            continue
        # Every close stem is tried, and the word readers saw that is closest to what was typed wins:
        # "planing" is nearer "planning" (stem "plan") than "plain", though "plain" is the nearer stem.
        best: tuple[float, str] | None = None
        for stem in difflib.get_close_matches(typed, vocabulary(connection, typed[0]), MAX_CANDIDATES, CUTOFF):
            if stem == typed:
                continue
            found = run(parse(stem))
            if found.page.total:
                word = _surface(found, typed, stem)
                score = difflib.SequenceMatcher(None, typed, word).ratio()
                if word != typed and (best is None or score > best[0]):
                    best = (score, word)
        if best is not None:
            swaps[typed] = best[1]
    if not swaps:
        return None
    corrected = re.sub(r"[^\W_]+", lambda m: swaps.get(m.group(0).lower(), m.group(0)), query.text)
    return corrected if finds(parse(corrected)) else None
