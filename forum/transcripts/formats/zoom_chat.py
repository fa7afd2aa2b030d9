"""Zoom in-meeting chat saves: legacy one-line, current local save with indented bodies, and cloud-recording chat."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.transcripts import register
from forum.transcripts.base import ChatMessage, Importer, Kind, Transcript, decode_text
from forum.transcripts.formats._text import (
    Record,
    join_lines,
    opens_with,
    parse_clock,
    parse_elapsed,
    records,
    reject_preamble,
    require_messages,
)

# Local saves (legacy and current): `HH:MM:SS[\t] From  Name  to  Everyone : text`, labels localised.
# No two neighbouring parts can match the same characters, so a hostile line is read in linear time.
_LOCAL = re.compile(
    r"(?P<clock>\d{1,2}:\d{2}:\d{2})(?P<tab>\t)?[ \t]*(?P<label>From|Von|De|Da)[ \t]+(?P<who>[^:\s][^:]*):(?P<text>.*)",
    re.I,
)
# Cloud-recording chat: `HH:MM:SS\tName:\tText`, the time elapsed since the recording started. Older local
# saves wrote the same with a space after the time, `08:02:35 Host:\tText`, and the time of day.
_CLOUD = re.compile(r"(?P<clock>\d{1,2}:\d{2}:\d{2})(?P<sep>[\t ])(?P<who>[^\t]+?):\t(?P<text>.*)")
# How a direct message's sender is marked in the name-colon-tab shapes: `Host to Ana(Privately)`.
_PRIVATE = re.compile(r".*\((?:Privately|Direct Message|privé|Privat|Privado|Direktnachricht)\)\s*", re.I)
# The word before the recipient, for each label: `From X to Y`, `Von X an Y`, `De X a/à/para Y`, `Da X a Y`.
_TO = {
    "from": re.compile(r"\sto\s", re.I),
    "von": re.compile(r"\san\s", re.I),
    "de": re.compile(r"\s(?:a|à|para)\s", re.I),
    "da": re.compile(r"\sa\s", re.I),
}
_EVERYONE = frozenset({"everyone", "alle", "todos", "tout le monde", "tutti"})
_REPLY = 'Replying to "'
# Zoom quotes the first 20 characters of a message; anything much longer is not a quote.
_LONGEST_QUOTE = 40
_REACTION = re.compile(r'Reacted to ".*" with \S+|Removed a \S+ reaction from ".*"', re.S)
# Older builds logged a reaction to the previous message as `add 👍` / `remove 👍`.
_SHORT_REACTION = re.compile(r"(?:add|remove) (?P<emoji>\S+)")
_EMOJI_PARTS = frozenset({"So", "Sk", "Mn", "Me", "Cf"})


@dataclass(frozen=True)
class _Header:
    stamp: time | timedelta
    author: str
    text: str
    private: bool


@register
class ZoomChat(Importer):
    """Read a Zoom meeting chat save, time-of-day stamped when saved locally and elapsed when recorded."""

    name = "zoom_chat"
    label = _l("Zoom meeting chat (meeting_saved_chat.txt)")
    platform = "zoom"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Say whether the first line is a Zoom chat header."""
        return opens_with(head, _looks_like_header)

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read every header and its body lines into a message, resolving quoted replies."""
        text = decode_text(data)
        cloud = _is_cloud(text)
        preamble, found = records(text, (_CLOUD if cloud else _LOCAL).fullmatch)
        reject_preamble(preamble, _("a Zoom chat line 'HH:MM:SS From Name to Everyone: text'"))
        messages: list[ChatMessage] = []
        for record in found:
            header = _cloud_header(record) if cloud else _local_header(record)
            messages.append(_message(record, header, messages))
        return Transcript(self.name, self.platform, require_messages(messages, _("chat messages")))


def _looks_like_header(line: str) -> bool:
    if _CLOUD.fullmatch(line):
        return True
    match = _LOCAL.fullmatch(line)
    # `10:00:00 De Souza: hi` could be plain text; Zoom writes a tab, names the recipient, or pads the name
    # with spaces before its colon (`From  Host : text`).
    return match is not None and (
        match["tab"] is not None
        or match["who"].endswith((" ", "\t"))
        or _recipient(match["label"], match["who"])[1] is not None
    )


def _is_cloud(text: str) -> bool:
    # The first header decides the shape: a cloud recording's times are elapsed, a local save's are clock times.
    for line in text.split("\n"):
        if _CLOUD.fullmatch(line):
            return True
        if _LOCAL.fullmatch(line):
            return False
    return False


def _cloud_header(record: Record[re.Match[str]]) -> _Header:
    match = record.head
    stamp = parse_elapsed(match["clock"], record.line) if match["sep"] == "\t" else parse_clock(match["clock"], record.line)
    who = match["who"].strip()
    if _PRIVATE.fullmatch(who):
        # `Host to Ana(Privately)`: the sender is before the last ` to `.
        author = who.rpartition(" to ")[0].strip() or who
        return _Header(stamp, author, match["text"], private=True)
    return _Header(stamp, who, match["text"], private=False)


def _local_header(record: Record[re.Match[str]]) -> _Header:
    match = record.head
    author, recipient = _recipient(match["label"], match["who"])
    private = recipient is not None and recipient.casefold() not in _EVERYONE
    return _Header(parse_clock(match["clock"], record.line), author, match["text"], private)


def _recipient(label: str, who: str) -> tuple[str, str | None]:
    who = who.strip()
    # The last ` to ` splits, since the recipient is usually the fixed word `Everyone`.
    splits = list(_TO[label.casefold()].finditer(who))
    if splits:
        author, recipient = who[: splits[-1].start()].strip(), who[splits[-1].end() :].strip()
        if author and recipient:
            return author, recipient
    return who, None


def _message(record: Record[re.Match[str]], header: _Header, earlier: list[ChatMessage]) -> ChatMessage:
    # Body lines are tab-indented in current saves and flush left in legacy ones.
    text = join_lines(header.text.strip(), [line.strip() for line in record.more])
    kind: Kind = "private" if header.private else "message"
    reply_to = None
    if kind == "message" and _is_reaction(text):
        kind = "system"
    elif text.startswith(_REPLY):
        reply_to, text = _reply(text, earlier)
    return ChatMessage(
        id=f"line:{record.line}",
        author_name=header.author,
        text=text,
        stamp=header.stamp,
        reply_to=reply_to,
        kind=kind,
        line=record.line,
    )


def _is_reaction(text: str) -> bool:
    if _REACTION.fullmatch(text):
        return True
    short = _SHORT_REACTION.fullmatch(text)
    return short is not None and all(unicodedata.category(char) in _EMOJI_PARTS for char in short["emoji"])


def _reply(text: str, earlier: list[ChatMessage]) -> tuple[str | None, str]:
    """Split `Replying to "prefix..." text` into the id of the quoted message and the reply's own text."""
    rest = text[len(_REPLY):]
    # The quoted prefix may itself hold quotes, so try each closing quote that ends a word, longest first.
    ends = [
        at for at, char in enumerate(rest[:_LONGEST_QUOTE]) if char == '"' and rest[at + 1 : at + 2] in ("", " ", "\n")
    ]
    for end in reversed(ends):
        target = _quoted(rest[:end], earlier)
        if target is not None:
            return target, rest[end + 1 :].strip()
    return (None, rest[ends[0] + 1 :].strip()) if ends else (None, text)


def _quoted(quote: str, earlier: list[ChatMessage]) -> str | None:
    prefix = _normalise(quote.removesuffix("...").removesuffix("…"))
    if not prefix:
        return None
    return next((m.id for m in reversed(earlier) if m.kind != "system" and _normalise(m.text).startswith(prefix)), None)


def _normalise(text: str) -> str:
    return " ".join(text.split())
