"""Signal Desktop chats as export tools write them: signal-export's Markdown, and sigtop's text and short text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

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
    shorten,
    signal_markdown,
)

# signal-export (carderne/signal-export) `chat.md`: `[2022-01-31 18:33:51] Alice: text  `, quotes as `> ` lines,
# reactions as `(- Bob: 👍 -)`, attachments as Markdown links to ./media/.
_MARKDOWN = re.compile(r"\[(?P<stamp>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\] (?P<who>[^:\n]+?): ?(?P<text>.*)")
_REACTIONS = re.compile(r"\(- .* -\)")
_STICKER = re.compile(r"\(\( .* \)\)")
# Bounded, so that a line of a thousand `[` is read in linear time.
_MEDIA_LINK = re.compile(r"!?\[[^\[\]\n]{0,300}\]\(\./[^()\n]{0,500}\)")
# sigtop (tbvdm/sigtop) `text` format: `From:`/`Type:`/`Sent:` fields, a blank line, then the body.
_FIELD = re.compile(r"(?P<name>Conversation|From|Type|Sent|Received|Attachment|Reaction|Edited): (?P<value>.*)")
_SENT = "%a, %d %b %Y %H:%M:%S %z"  # Go's "Mon, 2 Jan 2006 15:04:05 -0700"
# sigtop `text-short`: `2022-01-31 18:33 Alice: text`, details in brackets first.
_SHORT = re.compile(r"(?P<stamp>\d{4}-\d{2}-\d{2} \d{2}:\d{2}) (?!- )(?P<who>[^:\n]+?): ?(?P<text>.*)")
_SHORT_DETAILS = re.compile(r"\[(?P<details>(?:reply to |edited|\d+ attachments?)[^\]]*)\] ?")
_SHORT_EVENT = re.compile(r"\[(?P<type>[\w-]+) message\]")
# Signal's message types that are people talking; the rest (group changes, safety numbers, calls) are events.
_SPOKEN = frozenset({"incoming", "outgoing"})
# Calls and deletions as signal-export writes them in place of a message.
_EVENT_TEXT = re.compile(
    r"(?:Incoming|Outgoing|Missed)(?: (?:voice|video))? call(?: \(.*\))?|\(This message was deleted\)", re.I
)
# `Name (+31612345678)`, `Name (uuid)`: sigtop's detailed names end with the number or id in brackets.
_DETAIL = re.compile(r"(?P<name>.+?) \((?:\+?[\d ]{5,}|[0-9a-f-]{36})\)")


@dataclass
class _Message:
    line: int
    author: str
    stamp: datetime | None
    kind: Kind
    text: str
    quote: tuple[str, str] | None = None    # (author, sent) of the message quoted, as sigtop writes them
    attachments: int = 0
    body: list[str] = field(default_factory=list)


@register
class Signal(Importer):
    """Read a Signal chat exported with signal-export (Markdown) or sigtop (text or short text)."""

    name = "signal"
    label = _l("Signal chat (signal-export Markdown, sigtop text)")
    platform = "signal"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Say whether the file opens the way one of the Signal exports does."""
        lines = head_lines(head)
        if not lines:
            return False
        if _MARKDOWN.fullmatch(lines[0]):
            return signal_markdown(lines, filename)
        if _SHORT.fullmatch(lines[0]):
            return True
        fields = [match["name"] for line in lines if (match := _FIELD.fullmatch(line))]
        return bool(fields) and fields[0] in ("Conversation", "From", "Type") and "Type" in fields and "Sent" in fields

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read every message, skipping Signal's events (group changes, calls, safety numbers) as system lines."""
        text = decode_text(data)
        first = next((line for line in text.split("\n") if line.strip()), "")
        if _MARKDOWN.fullmatch(first):
            messages = _markdown(text)
        elif _SHORT.fullmatch(first):
            messages = _short(text)
        else:
            messages = _sigtop(text)
        return Transcript(self.name, self.platform, require_messages(messages, _("messages")))


def _markdown(text: str) -> list[ChatMessage]:
    preamble, found = records(text, _MARKDOWN.fullmatch)
    reject_preamble(preamble, _("a signal-export line like '[2024-01-08 23:33:54] Name: text'"))
    ids = ContentIds("signal")
    messages: list[ChatMessage] = []
    for record in found:
        head = record.head
        stamp = datetime.fromisoformat(head["stamp"]) if _valid(head["stamp"]) else None
        lines = [head["text"], *record.more]
        quoted = [line[2:].strip() for line in lines if line.startswith("> ")]
        said = [
            _MEDIA_LINK.sub("", line).rstrip()
            for line in lines
            if not line.startswith(">") and not _REACTIONS.fullmatch(line.strip()) and not _STICKER.fullmatch(line.strip())
        ]
        body = join_lines(said[0], said[1:]) if said else ""
        author = head["who"].strip()
        kind: Kind = "message"
        if stamp is None or not body or _EVENT_TEXT.fullmatch(body) or author == "No-Sender":
            kind = "system"
        reply_to = _quoted(" ".join(quoted), messages) if quoted else None
        messages.append(ChatMessage(
            id=ids(stamp, author, body), author_name=author, text=body, stamp=stamp, reply_to=reply_to, kind=kind,
            line=record.line,
        ))
    return messages


def _valid(stamp: str) -> bool:
    try:
        datetime.fromisoformat(stamp)
    except ValueError:
        return False
    return True


def _quoted(quote: str, earlier: list[ChatMessage]) -> str | None:
    """The latest earlier message whose text starts with the quoted text (signal-export quotes it whole)."""
    prefix = " ".join(quote.split())
    if not prefix:
        return None
    return next(
        (m.id for m in reversed(earlier) if m.kind == "message" and " ".join(m.text.split()).startswith(prefix)), None
    )


def _short(text: str) -> list[ChatMessage]:
    preamble, found = records(text, _SHORT.fullmatch)
    reject_preamble(preamble, _("a sigtop line like '2024-01-08 23:33 Name: text'"))
    ids = ContentIds("signal")
    messages: list[ChatMessage] = []
    latest: dict[tuple[str, str], str] = {}     # (author, minute) -> id, for `[reply to X on minute]`
    for record in found:
        head = record.head
        stamp = datetime.fromisoformat(head["stamp"]) if _valid(head["stamp"]) else None
        author = head["who"].strip()
        said = head["text"]
        kind: Kind = "message" if stamp is not None else "system"
        reply_to = None
        if _SHORT_EVENT.fullmatch(said.strip()):
            kind = "system"
        elif details := _SHORT_DETAILS.match(said):
            said = said[details.end():]
            reply = re.match(r"reply to (?P<who>.+?) on (?P<when>\d{4}-\d{2}-\d{2} \d{2}:\d{2})", details["details"])
            reply_to = latest.get((reply["who"], reply["when"])) if reply else None
        body = join_lines(said, record.more)
        if not body:
            kind = "system"
        message = ChatMessage(
            id=ids(stamp, author, body), author_name=author, text=body, stamp=stamp, reply_to=reply_to, kind=kind,
            line=record.line,
        )
        if kind == "message":
            latest[(author, head["stamp"])] = message.id
        messages.append(message)
    return messages


def _sigtop(text: str) -> list[ChatMessage]:
    found: list[_Message] = []
    current: _Message | None = None
    in_fields = False               # reading the current message's `Name: value` fields
    after_blank = True
    for number, line in enumerate(text.split("\n"), start=1):
        match = _FIELD.fullmatch(line)
        if match and match["name"] == "Conversation" and not found:
            continue
        if match and match["name"] in ("From", "Type") and after_blank and not in_fields:
            current = _Message(number, "", None, "?", "")
            found.append(current)
            in_fields = True
        if in_fields and match:
            _take_field(current, match)
            after_blank = False
            continue
        if current is None:
            if line.strip():
                raise TranscriptError(_("line %(number)s: expected a sigtop field like 'From: Name', found %(found)s",
                                        number=number, found=repr(shorten(line))))
            continue
        in_fields = False
        current.body.append(line)
        after_blank = not line.strip()
    return _sigtop_messages(found)


def _take_field(message: _Message, match: re.Match[str]) -> None:
    name, value = match["name"], match["value"].strip()
    if name == "From":
        detailed = _DETAIL.fullmatch(value)
        message.author = detailed["name"] if detailed else value
    elif name == "Type":
        message.kind = "message" if value in _SPOKEN else "system"
    elif name == "Sent":
        try:
            message.stamp = datetime.strptime(value, _SENT)
        except ValueError:
            message.stamp = None  # `unknown`, or a date that cannot be read: the message is skipped
    elif name == "Attachment":
        message.attachments += 1


def _sigtop_messages(found: list[_Message]) -> list[ChatMessage]:
    ids = ContentIds("signal")
    messages: list[ChatMessage] = []
    by_sent: dict[tuple[str, str], str] = {}
    for found_message in found:
        body, quote = _sigtop_body(found_message.body)
        kind: Kind = found_message.kind if found_message.kind != "?" else "system"
        if found_message.stamp is None or not body:
            kind = "system"
        reply_to = by_sent.get(quote) if quote else None
        message = ChatMessage(
            id=ids(found_message.stamp, found_message.author, body), author_name=found_message.author, text=body,
            stamp=found_message.stamp, reply_to=reply_to, kind=kind, line=found_message.line,
        )
        if kind == "message":
            by_sent[(found_message.author, found_message.stamp.strftime(_SENT))] = message.id
        messages.append(message)
    return messages


def _sigtop_body(lines: list[str]) -> tuple[str, tuple[str, str] | None]:
    """A message's own text, without its quote (`>` lines) or older versions (`|` lines), and whom it quotes."""
    quote_from = quote_sent = None
    own: list[str] = []
    versions = [i for i, line in enumerate(lines) if line.startswith("|Version: ")]
    if versions:
        # An edited message lists its versions newest first; its text is the newest version's body.
        end = versions[1] if len(versions) > 1 else len(lines)
        newest = [line for line in lines[versions[0]:end] if line.startswith("| ") or line == "|"]
        lines = [line[2:] if line.startswith("| ") else "" for line in newest]
        lines = [line for line in lines if not _FIELD.fullmatch(line)]
    for line in lines:
        if line.startswith(">"):
            if (field_ := _FIELD.fullmatch(line[1:])) is not None:
                if field_["name"] == "From":
                    detailed = _DETAIL.fullmatch(field_["value"].strip())
                    quote_from = detailed["name"] if detailed else field_["value"].strip()
                elif field_["name"] == "Sent":
                    quote_sent = field_["value"].strip()
            continue
        own.append(line)
    body = join_lines(own[0], own[1:]) if own else ""
    quote = (quote_from, quote_sent) if quote_from and quote_sent else None
    return body, quote
