"""WhatsApp "Export chat" text from Android and iOS, in any locale's date order, separators and clock."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.errors import TranscriptError
from forum.transcripts import register
from forum.transcripts.base import ChatMessage, Importer, Kind, Transcript, decode_text
from forum.transcripts.formats._text import (
    ContentIds,
    Record,
    head_lines,
    join_lines,
    records,
    reject_preamble,
    require_messages,
    signal_markdown,
    strip_bidi,
)

_ZIP_MAGIC = b"PK\x03\x04"
# The chat inside an export zip: iOS `_chat.txt`; Android `WhatsApp Chat with Name.txt`, in the phone's language
# (`WhatsApp Chat mit`, `Chat de WhatsApp con`, `Discussion WhatsApp avec`, `Conversa do WhatsApp com`).
_ZIPPED_CHAT = re.compile(r"(?:.*/)?(?:_chat\.txt|[^/]*whatsapp[^/]*\.txt)", re.I)
# The most text a zipped chat may unpack to: zipfile never reads past the size its header gives.
_MOST_UNZIPPED = 64 * 2**20
# The spaces exports put inside stamps: a plain space, a no-break space (`p.\u00a0m.`) and, since 2023,
# a narrow no-break space before AM/PM (`10:37\u202fPM`).
_SP = "[ \u00a0\u202f]"
# Markers before noon and after it, as locales write them: `am`, `a. m.`, `vorm.`, `ص`, `午前`, `上午`, `오전`, `π.μ.`.
_AM = rf"a\.?{_SP}?m\.?|vorm\.|ص|午前|上午|오전|π\.{_SP}?μ\."
_PM = rf"p\.?{_SP}?m\.?|nachm\.|م|午後|下午|오후|μ\.{_SP}?μ\."
_AFTER_NOON = re.compile(rf"(?:{_PM})", re.I)
_STAMP = (
    rf"(?P<date>\d{{1,4}}[-/.]{_SP}?\d{{1,2}}[-/.]{_SP}?\d{{1,4}})\.?,?{_SP}"
    # Chinese, Japanese and Korean may put the marker first; some locales put a word there, like Finnish `klo`.
    rf"(?:(?P<before>上午|下午|午前|午後|오전|오후){_SP}?|[^\d\s\[\]]{{1,4}} )?"
    r"(?P<clock>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)"
    rf"(?:{_SP}?(?P<meridiem>{_AM}|{_PM}))?"
)
# Android `date, time - rest`; iOS `[date, time] rest`; some locales `date time: rest`.
_LINE = re.compile(rf"(?P<mark>[\u200e\u200f]*)(?P<open>\[)?{_STAMP}(?(open)\]|(?: -|:)) (?P<rest>.*)", re.I)
# Arabic-Indic and Persian digits, the Arabic comma and the fullwidth colon, read as their ASCII twins
# (one character for one, so a match on the translated line points into the original).
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹،：", "01234567890123456789,:")
_DATE_PARTS = re.compile(rf"[-/.]{_SP}?")
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?")
_EDITED = "<This message was edited>"
# What exports write for media left out and deleted messages, in English and a few other languages.
_PLACEHOLDER = re.compile(
    r"<Media omitted>|(?:.+ )?document omitted|(?:image|video|audio|sticker|GIF|Contact card) omitted"
    r"|< ?attached: [^>]*>|This message was deleted\.?|You deleted this message\.?|Waiting for this message"
    r"|null|[^\n]{1,120} \(file attached\)"
    r"|<Medien weggelassen>|<Medien ausgeschlossen>|Diese Nachricht wurde gelöscht\.?|Du hast diese Nachricht gelöscht\.?"
    r"|<Multimedia omitido>|<Archivo omitido>|Se eliminó este mensaje\.?|<Mídia oculta>|<Médias omis>"
    r"|<Media omessi>|<Media weggelaten>",
    re.I,
)
# Notices that iOS attributes to the chat itself, like a message, when it leaves out its U+200E mark.
_NOTICE = re.compile(
    r"Messages (?:and calls are|to this (?:group|chat)(?: and calls)? are now secured with) end-to-end encrypt"
    r"|Your security code with .* changed|Missed (?:voice|video) call",
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
    label = _l("WhatsApp chat export (.txt)")
    platform = "whatsapp"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Say whether the first line starts with a WhatsApp date and time (or the zip holds such a chat), and the
        file is no Signal export."""
        if head.startswith(_ZIP_MAGIC):
            return any(_ZIPPED_CHAT.fullmatch(name) for name in _zip_names(head))
        lines = head_lines(head)
        if not lines or _opener(lines[0]) is None:
            return False
        return not signal_markdown(lines, filename)

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read every dated line and its continuation lines into a message."""
        if data.startswith(_ZIP_MAGIC):
            data = _unzip(data)
        preamble, found = records(decode_text(data), _opener)
        reject_preamble(preamble, _("a WhatsApp line starting with a date, like '31/12/2024, 18:05 - Name: text'"))
        day_first = _day_first(found)
        ids = ContentIds("wa")
        messages = [_message(record, day_first, ids) for record in found]
        return Transcript(self.name, self.platform, require_messages(messages, _("messages")))


def _zip_names(head: bytes) -> list[str]:
    """The names of the first entries of a zip, read from their local headers (name length at 26, name at 30)."""
    names: list[str] = []
    position = head.find(_ZIP_MAGIC)
    while position != -1 and position + 30 <= len(head):
        length = int.from_bytes(head[position + 26:position + 28], "little")
        names.append(head[position + 30:position + 30 + length].decode("utf-8", "replace"))
        position = head.find(_ZIP_MAGIC, position + 4)
    return names


def _unzip(data: bytes) -> bytes:
    """The chat text inside an "Export chat" zip, which also holds the photos and voice notes."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            chats = [info for info in archive.infolist() if _ZIPPED_CHAT.fullmatch(info.filename)]
            if not chats:
                raise TranscriptError(_("the zip holds no WhatsApp chat (_chat.txt or 'WhatsApp Chat with ….txt')"))
            chat = min(chats, key=lambda info: (info.filename.count("/"), info.filename))
            if chat.file_size > _MOST_UNZIPPED:
                raise TranscriptError(_("%(name)s unpacks to more than %(limit)s MB; refusing it", name=chat.filename,
                                            limit=_MOST_UNZIPPED // 2**20))
            return archive.read(chat)
    except TranscriptError:
        raise
    except Exception as exc:  # zipfile and its decompressors raise many kinds on a damaged or encrypted zip
        raise TranscriptError(_("the zip is damaged or encrypted (%(problem)s)", problem=type(exc).__name__)) from None


def _opener(line: str) -> _Line | None:
    match = _LINE.fullmatch(line.translate(_DIGITS))
    if match is None:
        return None
    first, second, third = _DATE_PARTS.split(match["date"])
    return _Line(
        date=match["date"],
        fields=(int(first), int(second), int(third)),
        year_first=len(first) > 2,
        clock=match["clock"],
        meridiem=match["before"] or match["meridiem"],
        rest=line[match.start("rest"):],
        marked="\u200e" in match["mark"],
    )


def _day_first(found: list[Record[_Line]]) -> bool:
    """Decide from the whole file whether dates put the day before the month.

    A first number above 12 settles it for the day, a second one for the month. Otherwise the file's own
    order decides, since an export runs forward in time: within a year the month never goes back, the
    day does. Failing that, the number that changes more often is the day; failing that, the US clock
    (`3/12/24, 7:58 PM`) means month first, and anything else day first, as in the UK.
    """
    dated = [record.head for record in found if not record.head.year_first]
    late_first = sum(1 for head in dated if head.fields[0] > 12)
    late_second = sum(1 for head in dated if head.fields[1] > 12)
    if late_first or late_second:
        # Both happen only when a line is garbled; the many outvote it, and its date is then skipped as unreadable.
        return late_first >= late_second
    pairs = list(zip(dated, dated[1:]))
    same_year = [(a.fields, b.fields) for a, b in pairs if a.fields[2] == b.fields[2]]
    first_back = any(b[0] < a[0] for a, b in same_year)
    second_back = any(b[1] < a[1] for a, b in same_year)
    if first_back != second_back:
        return first_back
    first_changes = sum(1 for a, b in pairs if a.fields[0] != b.fields[0])
    second_changes = sum(1 for a, b in pairs if a.fields[1] != b.fields[1])
    if first_changes != second_changes:
        return first_changes > second_changes
    return not any(_american(head) for head in dated)


def _american(head: _Line) -> bool:
    """Say whether a stamp is written as US phones write it: `3/12/24, 7:58 PM`."""
    return bool(
        head.meridiem in ("AM", "PM") and re.fullmatch(r"[1-9]\d?/\d{1,2}/\d{2}", head.date)
    )


def _stamp(head: _Line, day_first: bool) -> datetime | None:
    """The line's local date and time, or None when they cannot be read (the line is then skipped, not fatal)."""
    first, second, third = head.fields
    if head.year_first:
        year, month, day = first, second, third
    elif day_first:
        day, month, year = first, second, third
    else:
        month, day, year = first, second, third
    if (clock := _clock(head.clock, head.meridiem)) is None:
        return None
    try:
        return datetime.combine(date(year + 2000 if year < 100 else year, month, day), clock)
    except ValueError:
        return None


def _clock(text: str, meridiem: str | None) -> time | None:
    hour, minute, second = (int(part or 0) for part in _CLOCK.fullmatch(text).groups())
    if meridiem:
        afternoon = _AFTER_NOON.fullmatch(meridiem) is not None
        if hour > 12 and not afternoon:
            return None  # `13:00 a. m.` names no time
        if hour <= 12:
            # `12:05 AM` is just after midnight; some locales write `00:08 a. m.` for it.
            hour = hour % 12 + (12 if afternoon else 0)
    try:
        return time(hour, minute, second)
    except ValueError:
        return None


def _message(record: Record[_Line], day_first: bool, ids: ContentIds) -> ChatMessage:
    stamp = _stamp(record.head, day_first)
    author, separator, said = record.head.rest.partition(": ")
    # No `Name: `, or one inside a quoted group subject, means an event such as `X changed the subject to "a: b"`.
    if not separator or '"' in author or "\u201c" in author:
        author, said = "", record.head.rest
    text = strip_bidi(join_lines(said, record.more)).removesuffix(_EDITED).rstrip()
    kind: Kind = "message"
    if (
        stamp is None
        or not author
        or record.head.marked
        or said.startswith("\u200e")
        or _PLACEHOLDER.fullmatch(text)
        or _NOTICE.match(text)
    ):
        kind = "system"
    elif (attached := re.match(r"[^\n]{1,120} \(file attached\)\n", text)) is not None:
        text = text[attached.end():].strip()  # Android puts a file's caption on the line after it
    author = strip_bidi(author).strip()
    return ChatMessage(
        id=ids(stamp, author, text), author_name=author, text=text, stamp=stamp, kind=kind, line=record.line
    )
