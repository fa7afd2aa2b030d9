"""IRC channel logs as ZNC, irssi and WeeChat write them."""

from __future__ import annotations

import re
from contextlib import suppress
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
    shorten,
)

_CLOCK = r"\d{2}:\d{2}(?::\d{2})?"
# ZNC `[HH:MM:SS] rest`, irssi `HH:MM rest`.
_TIMED = re.compile(rf"(?:\[(?P<bracketed>{_CLOCK})\]|(?P<bare>{_CLOCK})) (?P<rest>.*)")
_WEECHAT = re.compile(r"(?P<date>\d{4}-\d{2}-\d{2}) (?P<clock>\d{2}:\d{2}:\d{2})\t(?P<prefix>[^\t]*)\t(?P<rest>.*)")
_SAY = re.compile(r"<(?P<nick>[^>]+)> ?(?P<text>.*)")
_ACT = re.compile(r" ?\* (?P<nick>\S+)(?: (?P<text>.*))?")
_EVENT = re.compile(r"(?:\*\*\*|-!-) (?P<text>.*)")
_NOTICE = re.compile(r"-(?P<nick>[^-\s]+)- (?P<text>.*)")
# irssi: `--- Log opened Mon Jan 14 10:00:00 2011`, `--- Day changed Tue Jan 15 2011`, `--- Log closed ...`.
_MARKER = re.compile(r"--- (?P<what>Log opened|Day changed|Log closed)\b.*")
_MARKER_DATE = re.compile(
    r"--- (?:Log opened|Day changed) \w+ (?P<month>\w{3}) +(?P<day>\d{1,2})(?: \d{2}:\d{2}:\d{2})? (?P<year>\d{4})"
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Channel modes written before nicks: op, voice, half-op, owner, admin.
_MODES = "@+%~&! "
# WeeChat's prefixes for joins, parts and quits, network notices and errors.
_WEECHAT_EVENTS = frozenset({"-->", "<--", "--", "=!=", ""})
_RENAME = re.compile(r"(?P<old>\S+) is now known as (?P<new>\S+)")
_EXPECTED = "an IRC log line like '[12:00:00] <nick> text'"
_ADDRESS = re.compile(r"(?P<nick>[^\s:]+): (?P<text>.*)", re.S)


@dataclass(frozen=True)
class _Entry:
    day: date | None                # WeeChat dates every line; ZNC and irssi give only the time
    clock: str
    nick: str
    text: str
    kind: Kind
    action: bool = False


@dataclass(frozen=True)
class _Marker:
    line: str
    dates: bool                     # whether it starts a day (Log opened, Day changed)


@register
class Irc(Importer):
    """Read an IRC log, stamped by time of day, or by local date and time where the log has dates."""

    name = "irc"
    label = "IRC log (ZNC, irssi, WeeChat)"
    platform = "irc"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Say whether the first line is an IRC log line."""
        return opens_with(head, _opener)

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read every log line, dating irssi lines by its day markers and linking `nick: ` addresses as replies."""
        preamble, found = records(decode_text(data), _opener)
        reject_preamble(preamble, _EXPECTED)
        return Transcript(self.name, self.platform, require_messages(_messages(found), "log lines"))


def _opener(line: str) -> _Entry | _Marker | None:
    if marker := _MARKER.fullmatch(line):
        return _Marker(line, dates=marker["what"] != "Log closed")
    if weechat := _WEECHAT.fullmatch(line):
        return _weechat(weechat)
    timed = _TIMED.fullmatch(line)
    return _timed(timed["bracketed"] or timed["bare"], timed["rest"]) if timed else None


def _timed(clock: str, rest: str) -> _Entry | None:
    if say := _SAY.fullmatch(rest):
        return _Entry(None, clock, say["nick"].lstrip(_MODES), say["text"], "message")
    if event := _EVENT.fullmatch(rest):
        return _Entry(None, clock, "", event["text"], "system")
    if act := _ACT.fullmatch(rest):
        return _Entry(None, clock, act["nick"].lstrip(_MODES), act["text"] or "", "message", action=True)
    if notice := _NOTICE.fullmatch(rest):
        return _Entry(None, clock, notice["nick"], notice["text"], "system")
    return None


def _weechat(match: re.Match[str]) -> _Entry | None:
    try:
        day = date.fromisoformat(match["date"])
    except ValueError:
        return None
    prefix = match["prefix"].strip()
    if prefix in _WEECHAT_EVENTS:
        return _Entry(day, match["clock"], "", match["rest"], "system")
    if prefix == "*":
        nick, _, text = match["rest"].partition(" ")
        return _Entry(day, match["clock"], nick.lstrip(_MODES), text, "message", action=True)
    return _Entry(day, match["clock"], prefix.lstrip(_MODES), match["rest"], "message")


def _messages(found: list[Record[_Entry | _Marker]]) -> list[ChatMessage]:
    messages: list[ChatMessage] = []
    ids = ContentIds("irc")
    spoken: dict[str, str] = {}     # casefolded nick -> id of its latest message, to link addresses as replies
    day: date | None = None
    for record in found:
        if isinstance(record.head, _Marker):
            # A marker is one line: anything under it that is not a log line has nothing to continue.
            stray = [(record.line + n, line) for n, line in enumerate(record.more, start=1) if line.strip()]
            reject_preamble(stray, _EXPECTED)
            day = _marker_day(record) if record.head.dates else day
            continue
        message = _message(record, record.head, record.head.day or day, spoken, ids)
        if message.kind == "message":
            spoken[message.author_name.casefold()] = message.id
        elif (renamed := _RENAME.fullmatch(message.text)) and renamed["old"].casefold() in spoken:
            spoken[renamed["new"].casefold()] = spoken[renamed["old"].casefold()]
        messages.append(message)
    return messages


def _marker_day(record: Record[_Entry | _Marker]) -> date:
    match = _MARKER_DATE.fullmatch(record.head.line)
    month = match["month"].casefold() if match else ""
    if match and month in _MONTHS:
        with suppress(ValueError):
            return date(int(match["year"]), _MONTHS.index(month) + 1, int(match["day"]))
    raise TranscriptError(f"line {record.line}: cannot read the date in {shorten(record.head.line)!r}")


def _message(
    record: Record[_Entry | _Marker], entry: _Entry, day: date | None, spoken: dict[str, str], ids: ContentIds
) -> ChatMessage:
    clock = parse_clock(entry.clock, record.line)
    stamp = datetime.combine(day, clock) if day else clock
    text = join_lines(entry.text, [line.strip() for line in record.more])
    reply_to = None
    if entry.action:
        text = f"_{entry.nick} {text}_" if text else f"_{entry.nick}_"
    elif entry.kind == "message" and (address := _ADDRESS.fullmatch(text)) and address["nick"].casefold() in spoken:
        # `nick: text` answers someone who spoke before; `Q1: text` has the same shape but names nobody.
        reply_to, text = spoken[address["nick"].casefold()], address["text"]
    return ChatMessage(
        id=ids(stamp, entry.nick, text),
        author_name=entry.nick,
        text=text,
        stamp=stamp,
        reply_to=reply_to,
        kind=entry.kind,
        line=record.line,
    )
