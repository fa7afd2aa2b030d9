"""Read what a person typed into a search box: words, "exact phrases" and -excluded words.

Parsing is pure (no app, no database) and never fails: quotes that are not closed run to the end,
search-engine operators and punctuation are just characters, emoji are ignored. What comes out is
plain tokens (letters and digits only), so a backend can quote them and no input can become
query syntax.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

MAX_ITEMS = 10           # words and phrases searched for; the rest are ignored (and the reader told)
MAX_EXCLUDED = 5         # words and phrases left out
MAX_PHRASE_WORDS = 10    # a longer phrase is cut to its first ten words
MAX_TOKEN_CHARS = 60     # no real word is longer; longer runs are cut rather than refused

# PostgreSQL's English stop words: too common to search for. Dropping them on every backend makes
# SQLite and PostgreSQL agree on what "the budget" means. Inside a phrase they stay.
STOPWORDS = frozenset("""
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers
herself it its itself they them their theirs themselves what which who whom this that these those am is are
was were be been being have has had having do does did doing a an the and but if or because as until while
of at by for with about against between into through during before after above below to from up down in out
on off over under again further then once here there when where why how all any both each few more most
other some such no nor not only own same so than too very s t can will just don should now
""".split())

_QUOTES = str.maketrans({c: '"' for c in "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\uff02"})
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"})
_TOKEN = re.compile(r"[^\W_]+")
# Inside a bare word these join its parts into a phrase (e-mail, covid-19, gov.uk, and/or); anything else
# (brackets, colons, operators) separates words: NEAR(a b) is the words near, a and b.
_SEPARATOR = re.compile(r"[^\w\-'.\/&]+")
# A term: an optional run of - or + signs, then either a quoted phrase (closed or not) or a bare word.
_TERM = re.compile(r'(?P<sign>[-+]*)(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))')


@dataclass(frozen=True)
class Query:
    """A parsed search: what must match, what must not, and what was left out and why."""

    text: str                                   # the input, tidied, as shown back to the reader
    include: tuple[tuple[str, ...], ...] = ()   # each item a word (one token) or a phrase (several)
    exclude: tuple[tuple[str, ...], ...] = ()
    ignored_common: tuple[str, ...] = ()        # stop words dropped
    truncated: bool = False                     # more words than MAX_ITEMS / MAX_EXCLUDED / MAX_PHRASE_WORDS

    @property
    def is_empty(self) -> bool:
        """Is there nothing to look for (only punctuation, emoji, stop words or exclusions)?"""
        return not self.include

    @property
    def words(self) -> tuple[str, ...]:
        """Every token searched for, in order (for highlighting and member-name matching)."""
        return tuple(token for item in self.include for token in item)


@dataclass
class _Builder:
    include: list[tuple[str, ...]] = field(default_factory=list)
    exclude: list[tuple[str, ...]] = field(default_factory=list)
    common: list[str] = field(default_factory=list)
    truncated: bool = False

    def add(self, tokens: list[str], excluded: bool) -> None:
        """Add a word (one token) or a phrase (several); stop words alone, or phrases of nothing else, are dropped."""
        if not tokens:
            return
        if len(tokens) > MAX_PHRASE_WORDS:
            tokens, self.truncated = tokens[:MAX_PHRASE_WORDS], True
        if all(token in STOPWORDS for token in tokens):
            self.common.extend(token for token in tokens if token not in self.common)
            return
        item = tuple(tokens)
        target, limit = (self.exclude, MAX_EXCLUDED) if excluded else (self.include, MAX_ITEMS)
        if item in target:
            return
        if len(target) >= limit:
            self.truncated = True
            return
        target.append(item)


def tokens(text: str) -> list[str]:
    """The searchable tokens in `text`: runs of letters and digits, case-folded, each at most 60 characters."""
    return [token.casefold()[:MAX_TOKEN_CHARS] for token in _TOKEN.findall(text)]


def normalise(text: str) -> str:
    """NFKC, curly quotes and dashes made plain, control and invisible characters gone, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text or "")
    text = text.translate(_QUOTES).translate(_DASHES)
    text = "".join(ch if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"} else " " for ch in text)
    return " ".join(text.split())


def parse(raw: str | None) -> Query:
    """Parse a search box's text; never raises, whatever it holds."""
    text = normalise(raw or "")
    builder = _Builder()
    for match in _TERM.finditer(text):
        excluded = "-" in match.group("sign")
        if match.group("phrase") is not None:
            builder.add(tokens(match.group("phrase")), excluded)
            continue
        for part in _SEPARATOR.split(match.group("word")):
            builder.add(tokens(part), excluded)
    return Query(
        text=text, include=tuple(builder.include), exclude=tuple(builder.exclude),
        ignored_common=tuple(builder.common), truncated=builder.truncated,
    )
