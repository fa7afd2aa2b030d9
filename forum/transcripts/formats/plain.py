"""Plain-text chats: `Name: text` lines, optionally after an `[HH:MM]` time, with continuation lines."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.transcripts import register
from forum.transcripts.base import ChatMessage, Importer, Transcript, decode_text
from forum.transcripts.formats._text import (
    ContentIds,
    Record,
    head_lines,
    join_lines,
    parse_clock,
    records,
    require_messages,
)

_CLOCK = re.compile(r"(?:\[(?P<bracketed>\d{1,2}:\d{2}(?::\d{2})?)\]|(?P<bare>\d{1,2}:\d{2}(?::\d{2})?))\s+")
_LONGEST_NAME = 40
# A left side with these is a sentence, a URL or markup, not a name.
_NOT_IN_NAMES = re.compile(r"[?!;:\"<>\[\]{}*=#]|\.$|^\s|\s$")
# Words that are followed by a colon in running text: `Note: ...`, `PS: ...`, `Q1: ...`.
_NOT_SPEAKERS = frozenset(
    {"note", "nb", "ps", "p.s", "pps", "update", "edit", "edited", "http", "https", "re", "fwd", "fw",
     "question", "answer", "reminder", "warning", "tip", "source", "link", "example", "todo", "also",
     # sigtop's Signal fields: `From: Name`, `Type: incoming`, `Sent: Tue, 12 Mar 2024 ...`.
     "conversation", "from", "type", "sent", "received", "attachment", "reaction", "edited"}
)
_NUMBERED = re.compile(r"(?:re\s*)?[qa]\s?\d{1,2}[a-z]?\b", re.I)
_HANDLE = re.compile(r"[\w.@+\-'()|&]+")
# Lower-case words that may stand inside a capitalised name: `Ana de la Cruz`, `Jan van Dijk`.
_PARTICLES = frozenset(
    {"de", "la", "le", "du", "da", "van", "von", "der", "den", "di", "del", "dos", "bin", "al", "of"}
)
_MOST_WORDS = 4
_JSON_OR_VTT = re.compile(r"\s*(?:\{|\[\s*[\[{\"\]]|WEBVTT)")
_CSV_COMMAS = 3
_MEET_MARK = re.compile(r"\d{1,2}:[0-5]\d:[0-5]\d")


@dataclass(frozen=True)
class _Speaker:
    clock: str | None
    name: str
    text: str


@register
class Plain(Importer):
    """Read a plain-text chat of `Name: text` lines, the catch-all for text."""

    name = "plain"
    label = _l("Plain text chat (Name: text)")
    platform = "text"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Say whether at least two of the first lines look like `Name: text` and the file is no other format."""
        lines = head_lines(head)
        if not lines or _is_foreign(lines[0]) or _is_meeting_transcript(lines):
            return False
        return sum(1 for line in lines if (speaker := _split(line)) and _looks_like_name(speaker.name)) >= 2

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read every speaker line and its continuation lines into a message; lines before the first give the title."""
        text = decode_text(data)
        recurring = _recurring_names(text)
        preamble, found = records(text, lambda line: _speaker(line, recurring))
        ids = ContentIds("txt")
        messages = [_message(record, ids) for record in found]
        title = preamble[0][1].strip() if preamble else None
        return Transcript(self.name, self.platform, require_messages(messages, _("'Name: text' lines")), title=title)


def _is_foreign(first_line: str) -> bool:
    # JSON and VTT belong to other formats; so does CSV, whose header is a run of commas without `: `.
    return bool(_JSON_OR_VTT.match(first_line)) or (first_line.count(",") >= _CSV_COMMAS and ": " not in first_line)


def _is_meeting_transcript(lines: list[str]) -> bool:
    # A Google Meet transcript's headings: its own format (meet_transcript) reads it, Attendees and all.
    return "transcript" in {line.strip().lower() for line in lines} and any(
        line.strip().lower() == "attendees" or _MEET_MARK.fullmatch(line.strip()) for line in lines)


def _split(line: str) -> _Speaker | None:
    """Split `[HH:MM] Name: text` into its time, name and text, when the name could be one."""
    clock = _CLOCK.match(line)
    rest = line[clock.end():] if clock else line
    name, separator, text = rest.partition(": ")
    if not separator and rest.endswith(":"):
        name, separator = rest[:-1], ":"
    if not separator or not _could_be_name(name):
        return None
    return _Speaker((clock["bracketed"] or clock["bare"]) if clock else None, name, text)


def _could_be_name(name: str) -> bool:
    if not 0 < len(name) <= _LONGEST_NAME or _NOT_IN_NAMES.search(name) or _NUMBERED.match(name):
        return False
    return name.split()[0].casefold().rstrip(".") not in _NOT_SPEAKERS


def _looks_like_name(name: str) -> bool:
    """Say whether a left side looks like a person: a handle, or a few capitalised words."""
    words = name.split()
    if len(words) == 1:
        return _HANDLE.fullmatch(name) is not None and any(char.isalnum() for char in name)
    return len(words) <= _MOST_WORDS and all(
        word[0].isupper() or word[0].isdigit() or word[0] in "(@|&-+" or word in _PARTICLES for word in words
    )


def _recurring_names(text: str) -> frozenset[str]:
    # A left side that opens several lines is a speaker even when it doesn't look like a name (`jane doe`).
    counts = Counter(speaker.name for line in text.split("\n") if (speaker := _split(line)))
    return frozenset(name for name, count in counts.items() if count > 1)


def _speaker(line: str, recurring: frozenset[str]) -> _Speaker | None:
    speaker = _split(line)
    if speaker and (speaker.name in recurring or _looks_like_name(speaker.name)):
        return speaker
    return None


def _message(record: Record[_Speaker], ids: ContentIds) -> ChatMessage:
    speaker = record.head
    stamp = parse_clock(speaker.clock, record.line) if speaker.clock else None
    # Continuation lines are often indented; four spaces would make them a markdown code block.
    text = join_lines(speaker.text, [line.strip() for line in record.more])
    return ChatMessage(
        id=ids(stamp, speaker.name, text), author_name=speaker.name, text=text, stamp=stamp, line=record.line
    )
