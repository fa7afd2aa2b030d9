"""A Microsoft Teams meeting chat copied as text: a `[10:02] Name` or `Name 10:02` line, then the message.

Teams (until August 2024) copied selected chat messages with a header line per message: `[10:02] Ann
Example`, with the date when not today (`[08/05/2024 10:02] Ann Example`, `[Yesterday 10:02 AM]`); the
conversation view copies as `Ann Example 10:02` (or `Ann Example 08/05/2024, 10:02`). The message's lines
follow. Times are local and usually carry no date: --start gives the day.
"""

from __future__ import annotations

import re
from datetime import datetime, time

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.transcripts import register
from forum.transcripts.base import ChatMessage, Importer, Stamp, Transcript, decode_text
from forum.transcripts.formats._text import ContentIds, head_lines, records, reject_preamble, require_messages

_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?(?:[\s\u202f]?[AaPp]\.?[Mm]\.?)?"
_DAY = r"(?:\d{1,2}/\d{1,2}/\d{2,4},?|Yesterday|Today|Mon|Tue|Wed|Thu|Fri|Sat|Sun)\w*"
_NAME = r"[^\[\]<>:\n]{1,80}?"
# "[10:02] Ann Example", "[08/05/2024 10:02] Ann Example:", "[10:42 • 13/08/2024] Ann Example:"
_BRACKETED = re.compile(rf"\[(?P<stamp>(?:{_DAY}\s+)?{_CLOCK}(?:\s*[•·]\s*\d{{1,2}}/\d{{1,2}}/\d{{2,4}})?)\]\s*"
                        rf"(?P<name>{_NAME}):?")
# "Ann Example 10:02", "Ann Example 08/05/2024, 10:02 AM", "Ann Example Yesterday 10:02"
_TRAILING = re.compile(rf"(?P<name>{_NAME})\s+(?P<stamp>(?:{_DAY}\s+)?{_CLOCK})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[\s\u202f]?([AaPp])\.?[Mm]\.?)?")
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2,4})")
_NUMBERED = re.compile(r"(?:re\s*)?[qa]\s?\d", re.I)
_MOST_WORDS = 6
# "we meet at 8:30" ends like a header; a name doesn't end in a preposition.
_NOT_LAST_WORDS = {"at", "by", "until", "till", "from", "to", "before", "after", "around", "about", "since", "is"}


@register
class TeamsChat(Importer):
    """Read a Teams meeting chat copied as text, one message per header line and the lines after it."""

    name = "teams_chat"
    label = _l("Microsoft Teams meeting chat (copied text)")
    platform = "teams"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Say whether the first line is a header and another header follows a message line."""
        lines = head_lines(head)
        if not lines or _header(lines[0]) is None:
            return False
        return any(_header(line) and not _header(before) for before, line in zip(lines[1:], lines[2:]))

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read every header and its message lines; a day given in a header is read day first, as in the UK."""
        text = decode_text(data)
        preamble, found = records(text, _header)
        reject_preamble(preamble, _("a Teams chat line such as '[10:02] Ann Example'"))
        ids = ContentIds("teams-chat")
        messages = []
        for record in found:
            name, stamp = record.head
            body = "\n".join(record.more).strip()
            messages.append(ChatMessage(id=ids(stamp, name, body), author_name=name, text=body, stamp=stamp,
                                        kind="message" if body else "system", line=record.line))
        return Transcript(self.name, self.platform, require_messages(messages, _("Teams chat lines")))


def _header(line: str) -> tuple[str, Stamp] | None:
    line = line.strip()
    match = _BRACKETED.fullmatch(line) or _TRAILING.fullmatch(line)
    if match is None:
        return None
    name = match["name"].strip()
    words = name.split()
    if not words or len(words) > _MOST_WORDS or _NUMBERED.match(name) or name[-1] in ".?!," or (
            words[-1].lower() in _NOT_LAST_WORDS):
        return None
    stamp = _stamp(match["stamp"])
    return (name, stamp) if stamp is not None else None


def _stamp(text: str) -> Stamp:
    clock = _TIME.search(text)
    if clock is None:
        return None
    hour, minute, second = int(clock[1]), int(clock[2]), int(clock[3] or 0)
    if clock[4]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if clock[4] in "pP" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    date = _DATE.search(text)
    if date is None:
        return time(hour, minute, second)
    day, month, year = int(date[1]), int(date[2]), int(date[3])
    year += 2000 if year < 100 else 0
    if month > 12 and day <= 12:  # a US date
        day, month = month, day
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
