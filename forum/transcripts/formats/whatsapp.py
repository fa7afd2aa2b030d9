"""WhatsApp "Export chat" text from Android and iOS, in any locale's date order, separators and clock."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from forum.errors import TranscriptError
from forum.transcripts import register
from forum.transcripts.base import ChatMessage, Importer, Kind, Transcript, decode_text
from forum.transcripts.formats._text import (
    ContentIds,
    Record,
    join_lines,
    opens_with,
    parse_clock,
    records,
    reject_preamble,
    require_messages,
    strip_bidi,
)

_STAMP = (
    r"(?P<date>\d{1,4}[-/.] ?\d{1,2}[-/.] ?\d{1,4})\.?,? "
    r"(?:[^\d\s\[\]]{1,4} )?"  # a word some locales put before the time, like Finnish `klo`
    r"(?P<clock>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)"
    r"(?:[ \u202f\u00a0]?(?P<meridiem>[ap]\.? ?m\.?))?"
)
# Android `date, time - rest`; iOS `[date, time] rest`; some locales `date time: rest`.
_LINE = re.compile(rf"(?P<mark>[\u200e\u200f]*)(?P<open>\[)?{_STAMP}(?(open)\]|(?: -|:)) (?P<rest>.*)", re.I)
_DATE_PARTS = re.compile(r"[-/.] ?")
_EDITED = "<This message was edited>"
# What exports write for media left out and deleted messages, in English and German.
_PLACEHOLDER = re.compile(
    r"<Media omitted>|(?:.+ )?document omitted|(?:image|video|audio|sticker|GIF|Contact card) omitted"
    r"|<attached: [^>]*>|This message was deleted\.?|You deleted this message\.?"
    r"|<Medien weggelassen>|Diese Nachricht wurde gelöscht\.?|Du hast diese Nachricht gelöscht\.?",
    re.I,
)


@dataclass(frozen=True)
class _Line:
    date: str
    fields: tuple[int, int, int]    # the date's numbers in file order
    year_first: bool                # `2018/06/13`; otherwise the year comes last
    clock: str
    meridiem: str | None
    rest: str
    marked: bool                    # iOS starts system and attachment lines with U+200E


@register
class WhatsApp(Importer):
    """Read a WhatsApp chat export, stamped in the phone's local wall-clock time."""

    name = "whatsapp"
    label = "WhatsApp chat export (.txt)"
    platform = "whatsapp"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Say whether the first line starts with a WhatsApp date and time."""
        return opens_with(head, _opener)

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read every dated line and its continuation lines into a message."""
        preamble, found = records(decode_text(data), _opener)
        reject_preamble(preamble, "a WhatsApp line starting with a date, like '31/12/2024, 18:05 - Name: text'")
        day_first = _day_first(found)
        ids = ContentIds("wa")
        messages = [_message(record, day_first, ids) for record in found]
        return Transcript(self.name, self.platform, require_messages(messages, "messages"))


def _opener(line: str) -> _Line | None:
    match = _LINE.fullmatch(line)
    if match is None:
        return None
    first, second, third = _DATE_PARTS.split(match["date"])
    return _Line(
        date=match["date"],
        fields=(int(first), int(second), int(third)),
        year_first=len(first) > 2,
        clock=match["clock"],
        meridiem=match["meridiem"],
        rest=match["rest"],
        marked="\u200e" in match["mark"],
    )


def _day_first(found: list[Record[_Line]]) -> bool:
    """Decide from the whole file whether dates put the day before the month (the default, as in the UK)."""
    dated = [record for record in found if not record.head.year_first]
    day_first = next((r for r in dated if r.head.fields[0] > 12), None)
    month_first = next((r for r in dated if r.head.fields[1] > 12), None)
    if day_first and month_first:
        later = max(day_first, month_first, key=lambda record: record.line)
        raise TranscriptError(f"line {later.line}: {later.head.date} mixes up day-first and month-first dates")
    return month_first is None


def _stamp(record: Record[_Line], day_first: bool) -> datetime:
    first, second, third = record.head.fields
    if record.head.year_first:
        year, month, day = first, second, third
    elif day_first:
        day, month, year = first, second, third
    else:
        month, day, year = first, second, third
    clock = parse_clock(record.head.clock, record.line, record.head.meridiem)
    try:
        return datetime.combine(date(year + 2000 if year < 100 else year, month, day), clock)
    except ValueError:
        raise TranscriptError(f"line {record.line}: {record.head.date} is not a date") from None


def _message(record: Record[_Line], day_first: bool, ids: ContentIds) -> ChatMessage:
    stamp = _stamp(record, day_first)
    author, separator, said = record.head.rest.partition(": ")
    # No `Name: `, or one inside a quoted group subject, means an event such as `X changed the subject to "a: b"`.
    if not separator or '"' in author:
        author, said = "", record.head.rest
    text = strip_bidi(join_lines(said, record.more)).removesuffix(_EDITED).rstrip()
    kind: Kind = "message"
    if not author or record.head.marked or said.startswith("\u200e") or _PLACEHOLDER.fullmatch(text):
        kind = "system"
    author = strip_bidi(author).strip()
    return ChatMessage(
        id=ids(stamp, author, text), author_name=author, text=text, stamp=stamp, kind=kind, line=record.line
    )
