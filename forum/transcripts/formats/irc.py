"""IRC channel logs as the many loggers write them: ZNC, irssi, WeeChat, HexChat/XChat, mIRC, dircproxy, supybot, Textual."""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.errors import TranscriptError
from forum.transcripts import register
from forum.transcripts.base import ChatMessage, Importer, Kind, Stamp, Transcript
from forum.transcripts.formats._text import (
    ContentIds,
    Record,
    decode_lines,
    head_lines,
    join_lines,
    parse_clock,
    records,
    reject_preamble,
    require_messages,
    shorten,
)

_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?"
_MON = r"[A-Za-z]{3}"
# Every logger's stamp, each alternative whole; the body follows after a tab or spaces.
_STAMP = (
    # ISO 8601: supybot `2005-01-08T23:33:54`, Textual `2008-07-09T16:13:30+1200`, The Lounge `...54.853Z`,
    # WeeChat and many bots `2024-01-08 23:33:54`.
    rf"(?P<iso>\d{{4}}-\d{{2}}-\d{{2}})[T ](?P<iso_clock>{_CLOCK})(?:[.,]\d+)?(?P<zone>Z|[+-]\d{{2}}:?\d{{2}})?"
    # dircproxy `15 Jan 00:53`; supybot's older `02-Feb-2004 12:00:00`; eggdrop `08 Jan 2005 23:33:54`.
    rf"|(?P<dm_day>\d{{1,2}})[ -](?P<dm_month>{_MON})(?:[ -](?P<dm_year>\d{{4}}))? (?P<dm_clock>{_CLOCK})"
    # HexChat and XChat `Jan 08 23:33:54` (month names in the logger's language; English is read).
    rf"|(?P<md_month>{_MON}) +(?P<md_day>\d{{1,2}}) (?P<md_clock>{_CLOCK})"
    # ZNC and EnergyMech `[23:33:54]`, mIRC `[23:33]` (or `[11:33pm]`), irssi `23:33`.
    rf"|(?P<clock>{_CLOCK})(?: ?(?P<meridiem>[AaPp][Mm]))?"
)
_LINE = re.compile(rf"(?P<open>\[)?(?:{_STAMP})(?(open)\])(?P<sep>\t| +)(?P<body> ?\S.*)")
_SAY = re.compile(r"<(?P<nick>[^>]*)>[ \t]?(?P<text>.*)")
# Events: ZNC/supybot/dircproxy `***`, irssi `-!-`, HexChat `-->`/`<--`/`---`, WeeChat `=!=`.
_EVENT = re.compile(r"(?:\*\*\*|-!-|-->|<--|---|=!=)(?:[ \t]+(?P<text>.*))?")
_STAR = re.compile(r"\*[ \t]+(?P<rest>\S.*)")
_TEXTUAL_ACTION = re.compile(r"\u2022 (?P<nick>[^\s:]+): ?(?P<text>.*)")
_NOTICE = re.compile(r"-(?P<nick>[^\s\-!(:]+)(?:[!(:][^\s]*)?- (?P<text>.*)")
# A `*` line that is an event, not an action: mIRC `* Joins: x`, HexChat `*\tx has joined #c`, and the like.
_STAR_EVENT = re.compile(
    r"(?:Joins|Parts|Quits|Kicks|Now talking (?:in|on)|Topic (?:is|for)|Set by|Retrieving|Disconnected|Connecting"
    r"|Attempting to rejoin|Rejoined|You have (?:joined|left|been kicked)|You were kicked|You are now known as"
    r"|Looking up|Ping reply|Users on|Channel \S+ (?:created|modes))\b"
    r"|\S+ (?:\(\S*\) )?(?:is now known as|changes topic to|has (?:changed|removed) the topic|changed the topic"
    r"|was kicked by|has kicked|has joined|has left|has quit|has invited|gives (?:channel|voice)"
    r"|removes (?:channel|voice|ban|exempt|invite)|sets (?:modes?|ban|exempt|invite|channel|topic))\b"
)
_WEECHAT_EVENTS = frozenset({"-->", "<--", "--", "=!=", ""})
# Log headers: irssi `--- Log opened/Day changed/Log closed`, HexChat `**** BEGIN/ENDING LOGGING AT` (or its
# translation), mIRC `Session Start:/Time:/Close:/Ident:`.
_MARKER = re.compile(
    r"--- (?P<irssi>Log opened|Day changed|Log closed)\b.*|\*{4} .*|Session (?P<mirc>Start|Time|Close|Ident):.*"
)
_MARKER_DATE = re.compile(
    rf"(?P<month>{_MON})[a-z]* +(?P<day>\d{{1,2}}),? (?:\d{{1,2}}:\d{{2}}(?::\d{{2}})? )?(?P<year>\d{{4}})\b"
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Channel modes written before nicks: op, voice, half-op, owner, admin.
_MODES = "@+%~&! "
# Read from the start of an event's text only: searching every position would take quadratic time.
_RENAME = re.compile(r"(?:Nick change: )?(?P<old>[^\s:]+) is now known as (?P<new>\S+)")
_EXPECTED = _l("an IRC log line like '[12:00:00] <nick> text'")
_ADDRESS = re.compile(r"(?P<nick>[^\s:]+): (?P<text>.*)", re.S)
# dircproxy (with freenode's identify-msg) puts `+` or `-` before every message: identified or not.
_IDENTIFY_MARK = "+-"
# A time that goes back more than this without a day marker means the log ran past midnight.
_BACKWARDS = timedelta(hours=1)


@dataclass(frozen=True)
class _Stamp:
    clock: str
    meridiem: str | None = None
    day: date | None = None         # the full date, when the line gives one
    month_day: tuple[int, int] | None = None  # (month, day) without a year: dircproxy, HexChat
    zone: str | None = None


@dataclass(frozen=True)
class _Entry:
    stamp: _Stamp
    nick: str
    text: str
    kind: Kind
    action: bool = False
    known: bool = True              # the body is a shape IRC loggers write, not just any text after a time
    raw_nick: str = ""              # the nick as written, `nick!user@host` included


@dataclass(frozen=True)
class _Marker:
    line: str


@register
class Irc(Importer):
    """Read an IRC log, stamped by date and time where the logger writes or announces dates, else by time of day."""

    name = "irc"
    label = _l("IRC log (ZNC, irssi, WeeChat, HexChat, mIRC, dircproxy, supybot, Textual)")
    platform = "irc"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Say whether the log opens with an IRC log line or header and its first lines hold IRC speech or events."""
        lines = head_lines(head)
        if not lines or _opener(lines[0]) is None:
            return False
        return any(isinstance(entry := _opener(line), _Entry) and entry.known for line in lines)

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read every log line, dating lines by the log's own dates and day markers, linking `nick: ` addresses."""
        preamble, found = records(decode_lines(data), _opener)
        reject_preamble(preamble, _EXPECTED)
        return Transcript(self.name, self.platform, require_messages(_messages(found), _("log lines")))


def _opener(line: str) -> _Entry | _Marker | None:
    if _MARKER.fullmatch(line):
        return _Marker(line)
    match = _LINE.fullmatch(line)
    if match is None:
        return None
    stamp = _stamp(match)
    if stamp is None:
        return None
    body = match["body"]
    if match["iso"] and match["sep"] == "\t" and "\t" in body:
        return _weechat(stamp, body)
    return _body(stamp, body)


def _stamp(match: re.Match[str]) -> _Stamp | None:
    if match["iso"]:
        try:
            day = date.fromisoformat(match["iso"])
        except ValueError:
            return None
        return _Stamp(match["iso_clock"], day=day, zone=match["zone"])
    if match["dm_clock"]:
        month = _month(match["dm_month"])
        if month is None:
            return None
        if match["dm_year"]:
            try:
                return _Stamp(match["dm_clock"], day=date(int(match["dm_year"]), month, int(match["dm_day"])))
            except ValueError:
                return None
        return _Stamp(match["dm_clock"], month_day=(month, int(match["dm_day"])))
    if match["md_clock"]:
        month = _month(match["md_month"])
        return None if month is None else _Stamp(match["md_clock"], month_day=(month, int(match["md_day"])))
    if match["meridiem"] and not match["open"]:
        return None  # `11:33 pm` outside brackets is prose, not a logger's stamp
    return _Stamp(match["clock"], meridiem=match["meridiem"])


def _month(name: str) -> int | None:
    name = name.casefold()
    return _MONTHS.index(name) + 1 if name in _MONTHS else None


def _body(stamp: _Stamp, body: str) -> _Entry:
    if say := _SAY.fullmatch(body):
        raw = say["nick"].strip()
        nick = _nick(raw)
        return _Entry(stamp, nick, say["text"] or "", "message" if nick else "system", raw_nick=raw)
    if event := _EVENT.fullmatch(body):
        return _Entry(stamp, "", event["text"] or "", "system")
    if star := _STAR.fullmatch(body):
        rest = star["rest"]
        if _STAR_EVENT.match(rest):
            return _Entry(stamp, "", rest, "system")
        nick, _, text = rest.partition(" ")
        return _Entry(stamp, _nick(nick), text.strip(), "message", action=True)
    if act := _TEXTUAL_ACTION.fullmatch(body):
        return _Entry(stamp, _nick(act["nick"]), act["text"], "message", action=True)
    if notice := _NOTICE.fullmatch(body):
        return _Entry(stamp, notice["nick"], notice["text"], "system")
    # A stamped line of another shape (a client's own notice, a topic line): an event, counted and skipped.
    return _Entry(stamp, "", body, "system", known=False)


def _weechat(stamp: _Stamp, body: str) -> _Entry:
    prefix, _, text = body.partition("\t")
    prefix = prefix.strip()
    if prefix in _WEECHAT_EVENTS:
        return _Entry(stamp, "", text, "system")
    if prefix == "*":
        nick, _, said = text.partition(" ")
        return _Entry(stamp, _nick(nick), said, "message", action=True)
    return _Entry(stamp, _nick(prefix), text, "message", raw_nick=prefix)


def _nick(written: str) -> str:
    """The bare nick: without channel-mode prefixes, and without `!user@host`."""
    return written.strip().lstrip(_MODES).partition("!")[0].strip()


class _Calendar:
    """The date of each line: from the line itself, from the log's headers, or rolled over at midnight."""

    def __init__(self) -> None:
        self.day: date | None = None        # the day the latest line was on, when known
        self.year: int | None = None        # the year, for stamps that give only month and day
        self.previous: datetime | None = None

    def header(self, record: Record[_Entry | _Marker]) -> None:
        """Take the date a header announces; an irssi day marker must have one."""
        line = record.head.line
        found = _MARKER_DATE.search(line)
        when = _header_date(found) if found else None
        irssi = _MARKER.fullmatch(line)["irssi"]
        if when is None:
            if irssi in ("Log opened", "Day changed"):
                raise TranscriptError(_("line %(number)s: cannot read the date in %(found)s", number=record.line,
                                        found=repr(shorten(line))))
            return
        if "Close" in line or "ENDING" in line or irssi == "Log closed":
            return
        self.day, self.year = when, when.year
        clock = re.search(r"\b(\d{1,2}):(\d{2})(?::(\d{2}))?\b", line)
        self.previous = datetime.combine(when, time(int(clock[1]), int(clock[2]), int(clock[3] or 0))) if clock else (
            datetime.combine(when, time()))

    def stamp(self, entry: _Entry, line: int) -> Stamp:
        """The message's stamp: aware, local date and time, or a bare time of day when no date is known."""
        clock = parse_clock(entry.stamp.clock, line, entry.stamp.meridiem)
        if entry.stamp.day is not None:
            moment = datetime.combine(entry.stamp.day, clock)
            self.day, self.year, self.previous = moment.date(), moment.year, moment
            return moment.replace(tzinfo=_zone(entry.stamp.zone)) if entry.stamp.zone else moment
        if entry.stamp.month_day is not None:
            if self.year is None:
                return clock
            month, day = entry.stamp.month_day
            if self.previous is not None and month < self.previous.month - 6:
                self.year += 1  # December's log went on into January
            try:
                moment = datetime.combine(date(self.year, month, day), clock)
            except ValueError:
                raise TranscriptError(_("line %(number)s: %(text)s is not a date", number=line,
                                        text=" ".join((str(day), _MONTHS[month - 1].title())))) from None
            self.day, self.previous = moment.date(), moment
            return moment
        if self.day is None:
            return clock
        moment = datetime.combine(self.day, clock)
        if self.previous is not None and moment < self.previous - _BACKWARDS:
            moment += timedelta(days=1)  # the log ran past midnight without a day marker
        self.day, self.previous = moment.date(), moment
        return moment


def _header_date(found: re.Match[str]) -> date | None:
    month = _month(found["month"])
    if month is None:
        return None
    with suppress(ValueError):
        return date(int(found["year"]), month, int(found["day"]))
    return None


def _zone(text: str) -> timezone:
    if text == "Z":
        return timezone.utc
    digits = text[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return timezone(-offset if text[0] == "-" else offset)


def _messages(found: list[Record[_Entry | _Marker]]) -> list[ChatMessage]:
    messages: list[ChatMessage] = []
    ids = ContentIds("irc")
    spoken: dict[str, str] = {}     # casefolded nick -> id of its latest message, to link addresses as replies
    calendar = _Calendar()
    marked = _identify_marked([record.head for record in found if isinstance(record.head, _Entry)])
    for record in found:
        if isinstance(record.head, _Marker):
            # A header is one line: anything under it that is not a log line has nothing to continue.
            stray = [(record.line + n, line) for n, line in enumerate(record.more, start=1) if line.strip()]
            reject_preamble(stray, _EXPECTED)
            calendar.header(record)
            continue
        message = _message(record, record.head, calendar.stamp(record.head, record.line), spoken, ids, marked)
        if message.kind == "message":
            spoken[message.author_name.casefold()] = message.id
        elif (renamed := _RENAME.match(message.text)) and renamed["old"].casefold() in spoken:
            spoken[renamed["new"].casefold()] = spoken[renamed["old"].casefold()]
        messages.append(message)
    return messages


def _identify_marked(entries: Sequence[_Entry]) -> bool:
    """Say whether the log's `<nick!user@host>` messages carry identify-msg's `+`/`-` (as dircproxy's do)."""
    hosted = [entry for entry in entries if entry.kind == "message" and not entry.action and "!" in entry.raw_nick]
    return bool(hosted) and 2 * sum(1 for entry in hosted if entry.text[:1] in _IDENTIFY_MARK) > len(hosted)


def _message(
    record: Record[_Entry | _Marker], entry: _Entry, stamp: Stamp, spoken: dict[str, str], ids: ContentIds,
    marked: bool,
) -> ChatMessage:
    said = entry.text
    if marked and entry.kind == "message" and not entry.action and "!" in entry.raw_nick and said[:1] in _IDENTIFY_MARK:
        said = said[1:]
    text = join_lines(said.strip(), [line.strip() for line in record.more])
    kind = entry.kind
    reply_to = None
    if entry.action:
        text = f"_{entry.nick} {text}_" if text else f"_{entry.nick}_"
    elif kind == "message" and not text:
        kind = "system"  # nothing said: an away marker or an empty line
    elif kind == "message" and (address := _ADDRESS.fullmatch(text)) and address["nick"].casefold() in spoken:
        # `nick: text` answers someone who spoke before; `Q1: text` has the same shape but names nobody.
        reply_to, text = spoken[address["nick"].casefold()], address["text"]
    return ChatMessage(
        id=ids(stamp, entry.nick, text),
        author_name=entry.nick,
        text=text,
        stamp=stamp,
        reply_to=reply_to,
        kind=kind,
        line=record.line,
    )
