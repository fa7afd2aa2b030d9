"""Line-oriented helpers shared by the text transcript formats: records, clocks, ids and sniffing."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Generic, TypeVar

from flask_babel import gettext as _

from forum.errors import TranscriptError
from forum.transcripts.base import ChatMessage, Stamp

Head = TypeVar("Head")

# How many non-blank lines of a file's head the text sniffers look at.
SNIFF_LINES = 20

# Bidirectional controls that exports wrap around phone numbers and system lines: invisible, never content.
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?")
_ELAPSED = re.compile(r"(\d+):(\d{2}):(\d{2})")
_SIGNAL_STAMP = re.compile(r"\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\] ")


@dataclass
class Record(Generic[Head]):
    """One message's lines: what the opening line said, and the lines that continue it."""

    line: int                       # 1-based number of the opening line
    head: Head
    more: list[str] = field(default_factory=list)


def decode_lines(data: bytes) -> str:
    """Decode text whose lines may each be in another encoding: UTF-8 first, else Windows-1252, line by line.

    Logs that ran for years mix UTF-8 lines with Latin-1 or cp1257 ones, so one old line must not refuse the
    file; a line that is neither is refused by its number and the byte where it goes wrong in the file.
    """
    if not data.strip():
        raise TranscriptError(_("the file is empty"))
    if b"\x00" in data[:65536]:
        raise TranscriptError(_("the file is binary, not a text transcript"))
    lines: list[str] = []
    offset = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    for number, raw in enumerate(data[offset:].replace(b"\r\n", b"\n").split(b"\n"), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                lines.append(raw.decode("cp1252"))
            except UnicodeDecodeError as exc:
                at = _line_start(data, number, offset) + exc.start
                raise TranscriptError(
                    _("line %(number)s: byte %(byte)s is neither UTF-8 nor Windows-1252 text", number=number, byte=at)
                ) from None
    return "\n".join(lines).replace("\r", "\n")


def _line_start(data: bytes, line: int, start: int) -> int:
    """The offset in the file's own bytes (CRs and all) where 1-based `line` begins."""
    for _ in range(line - 1):
        start = data.index(b"\n", start) + 1
    return start


def records(text: str, opener: Callable[[str], Head | None]) -> tuple[list[tuple[int, str]], list[Record[Head]]]:
    """Group lines into records opened by the lines `opener` reads; also return the non-blank lines before the first."""
    preamble: list[tuple[int, str]] = []
    found: list[Record[Head]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        head = opener(line)
        if head is not None:
            found.append(Record(number, head))
        elif found:
            found[-1].more.append(line)
        elif line.strip():
            preamble.append((number, line))
    return preamble, found


def reject_preamble(preamble: Sequence[tuple[int, str]], expected: str) -> None:
    """Refuse text before the first message, naming its line and what should have been there."""
    if preamble:
        number, line = preamble[0]
        raise TranscriptError(_("line %(number)s: expected %(expected)s, found %(found)s", number=number,
                                expected=expected, found=repr(shorten(line))))


def join_lines(first: str, more: Sequence[str]) -> str:
    """Join a message's first line and its continuation lines, dropping blank lines around them."""
    return "\n".join([first, *more]).strip()


def require_messages(messages: list[ChatMessage], what: str) -> list[ChatMessage]:
    """Return `messages`, or refuse a file that holds none."""
    if not messages:
        raise TranscriptError(_("the file has no %(what)s", what=what))
    return messages


def strip_bidi(text: str) -> str:
    """Remove invisible bidirectional control characters."""
    return _BIDI.sub("", text)


def shorten(text: str, width: int = 40) -> str:
    """Cut text to `width` characters for an error message."""
    return text if len(text) <= width else text[: width - 1] + "…"


def parse_clock(text: str, line: int, meridiem: str | None = None) -> time:
    """Read `H:MM[:SS]` (parts may be split by dots) and an optional am/pm as a time of day."""
    match = _CLOCK.fullmatch(text)
    if match is None:
        raise TranscriptError(_("line %(line)s: %(text)s is not a time of day", line=line, text=repr(text)))
    hour, minute, second = (int(part or 0) for part in match.groups())
    if meridiem:
        if not 1 <= hour <= 12:
            raise TranscriptError(_("line %(line)s: %(text)s is not a 12-hour time", line=line, text=" ".join((text, meridiem))))
        hour = hour % 12 + (12 if meridiem[0] in "pP" else 0)
    try:
        return time(hour, minute, second)
    except ValueError:
        raise TranscriptError(_("line %(line)s: %(text)s is not a time of day", line=line, text=repr(text))) from None


def parse_elapsed(text: str, line: int) -> timedelta:
    """Read `H:MM:SS` as the time elapsed since a recording started."""
    match = _ELAPSED.fullmatch(text)
    if match is None or int(match[2]) > 59 or int(match[3]) > 59:
        raise TranscriptError(_("line %(line)s: %(text)s is not an elapsed time H:MM:SS", line=line, text=repr(text)))
    return timedelta(hours=int(match[1]), minutes=int(match[2]), seconds=int(match[3]))


class ContentIds:
    """Deterministic ids made from what a message says, so a longer re-export of a chat keeps its ids."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self._seen: Counter[tuple[str, str, str]] = Counter()

    def __call__(self, stamp: Stamp, author: str, text: str) -> str:
        """Return the id of the next message with this stamp, author and text (repeats are counted apart)."""
        key = (_stamp_key(stamp), author, text)
        self._seen[key] += 1
        digest = hashlib.sha1("\x1f".join([*key, str(self._seen[key])]).encode()).hexdigest()
        return f"{self.prefix}:{digest[:16]}"


def _stamp_key(stamp: Stamp) -> str:
    if isinstance(stamp, timedelta):
        return f"+{stamp.total_seconds():g}"
    return "" if stamp is None else stamp.isoformat()


def head_lines(head: bytes, limit: int = SNIFF_LINES) -> list[str]:
    """Return the first non-blank lines of a file's head for sniffing, or none for binary data."""
    if b"\x00" in head:
        return []
    text = head.decode("utf-8", "replace").removeprefix("\ufeff")
    return [line for line in text.splitlines() if line.strip()][:limit]


def opens_with(head: bytes, opener: Callable[[str], object]) -> bool:
    """Say whether a file's first non-blank line is one that `opener` reads (returns something for)."""
    lines = head_lines(head, limit=1)
    return bool(lines) and bool(opener(lines[0]))


def signal_markdown(lines: Sequence[str], filename: str | None) -> bool:
    """Say whether `[YYYY-MM-DD HH:MM:SS] Name: text` lines are signal-export's Markdown rather than WhatsApp's.

    signal-export writes `chat.md` and ends every message with two spaces (a Markdown line break); a
    Swedish iPhone's WhatsApp export has the same stamps, but in a `.txt` and without them.
    """
    stamped = [line for line in lines if _SIGNAL_STAMP.match(line)]
    if not stamped:
        return False
    return (filename or "").lower().endswith(".md") or any(line.endswith("  ") for line in stamped)
