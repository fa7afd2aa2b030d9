"""The neutral records every importer yields, the importer interface, and helpers shared by formats."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import ClassVar, Literal

from flask_babel import gettext as _

from forum.errors import TranscriptError

# What a message is. Only "message" becomes a post; the rest are counted as skipped.
Kind = Literal["message", "repost", "system", "private"]

# When a message was sent, as the source gives it:
# - an aware datetime (any offset; resolved to UTC later),
# - a naive datetime (local wall-clock time, read in the chat's timezone),
# - a time of day with no date (dated from the chat's start),
# - a timedelta since the recording started (counted from the chat's start),
# - None when the source has no time at all (the message takes the previous one's time).
Stamp = datetime | time | timedelta | None


@dataclass
class ChatMessage:
    """One message of a chat, as neutral as the formats allow."""

    id: str | None                  # the platform's message id, always a string; None when it has none
    author_name: str                # display name as shown on the platform
    text: str                       # markdown, decoded exactly once from the platform's encoding
    stamp: Stamp                    # see Stamp above
    author_handle: str | None = None  # handle/username without a leading @ (acct for Mastodon, handle for Bluesky)
    author_id: str | None = None    # the platform's stable user id (DID, snowflake, U123...) when it has one
    reply_to: str | None = None     # id of the message this one replies to, when the platform says
    url: str | None = None          # the original link, when the format gives or implies one
    kind: Kind = "message"
    line: int | None = None         # where it started in the file (1-based line or record number), for errors


@dataclass
class Transcript:
    """What a parser returns: the messages in the file's order (not necessarily time order)."""

    format: str                     # the importer's name, e.g. "tags_csv"
    platform: str                   # x, mastodon, bluesky, slack, teams, zoom, discord, whatsapp, irc, text
    messages: list[ChatMessage] = field(default_factory=list)
    title: str | None = None        # a title hint from the file (channel name, meeting topic)


class Importer:
    """One transcript format: a name, a cheap `sniff` and a pure `parse`. Subclass and `register`."""

    name: ClassVar[str]             # short and stable, used by --format: "tags_csv"
    label: ClassVar[str]            # for people: "TAGS (Twitter Archiving Google Sheet) CSV"
    platform: ClassVar[str]

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Say whether `head` (the first 64 KiB of the file) looks like this format."""
        raise NotImplementedError

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read the whole file into a Transcript, or raise TranscriptError naming the problem and where."""
        raise NotImplementedError


# -- helpers every format may use ------------------------------------------------------------------

def decode_text(data: bytes) -> str:
    """Decode bytes as UTF-8 (a BOM is dropped), falling back to Windows-1252; refuse binary files."""
    if not data.strip():
        raise TranscriptError(_("the file is empty"))
    if b"\x00" in data[:65536]:
        raise TranscriptError(_("the file is binary, not a text transcript"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise TranscriptError(
                _("the file is neither UTF-8 nor Windows-1252 text (line %(line)s, byte %(byte)s)",
                  line=line, byte=exc.start)
            ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_json(data: bytes):
    """Parse JSON, turning every failure (truncation, bad syntax, absurd nesting) into a TranscriptError."""
    text = decode_text(data)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptError(_("the JSON is broken at line %(line)s, column %(column)s: %(problem)s",
                                line=exc.lineno, column=exc.colno, problem=exc.msg)) from None
    except RecursionError:
        raise TranscriptError(_("the JSON is nested too deeply to be a transcript")) from None
    except ValueError as exc:  # e.g. an integer longer than Python will convert
        raise TranscriptError(_("the JSON holds a value that cannot be read: %(problem)s", problem=str(exc))) from None


def json_head(head: bytes) -> str:
    """Return the start of a JSON file as text with leading whitespace and BOM removed, for sniffing."""
    return head.decode("utf-8", "ignore").lstrip("\ufeff \t\r\n")
