"""Slack workspace export: a zip of channels.json, users.json and <channel>/<YYYY-MM-DD>.json day files."""

from __future__ import annotations

import io
import lzma
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.errors import TranscriptError
from forum.transcripts import register
from forum.transcripts.base import ChatMessage, Importer, Kind, Transcript
from forum.transcripts.formats._social import (
    Record,
    describe,
    is_web_link,
    json_document,
    link_markdown,
    quote,
    unescape_entities,
)

MAX_UNPACKED_BYTES = 200 * 1024 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
_DAY_FILE = re.compile(r"(?:(?P<root>.*)/)?(?P<folder>[^/]+)/\d{4}-\d{2}-\d{2}\.json")
_EXPORT_MEMBER = re.compile(
    r"(?:.*/)?(?:(?:channels|users|org_users|groups|dms|mpims|integration_logs)\.json|[^/]+/\d{4}-\d{2}-\d{2}\.json)")
_TS = re.compile(r"(\d{1,10})(?:\.(\d{1,6}))?", re.ASCII)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# Subtypes that are people talking; every other subtype (joins, topics, bots, tombstones...) is a notice.
_SPOKEN_SUBTYPES = {None, "thread_broadcast", "reply_broadcast", "file_share", "me_message"}
# What zipfile and its decompressors raise on a damaged, encrypted or unsupported archive.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError,
               ValueError, struct.error, zlib.error, lzma.LZMAError)
_MARKUP = re.compile(r"<([^<>]*)>|&(?:amp|lt|gt);")
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_STRIKE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])")
_SPECIAL_MENTIONS = {"here", "channel", "everyone"}


@dataclass(frozen=True)
class _Person:
    """Who wrote a message, as the export names them."""

    name: str
    handle: str
    bot: bool = False


@register
class SlackImporter(Importer):
    """Read one channel of a Slack export, resolving mentions to names and importing broadcast replies once."""

    name = "slack"
    label = _l("Slack workspace export (zip)")
    platform = "slack"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Recognise a zip whose first entries are export files such as users.json or general/2024-05-01.json."""
        return head.startswith(_ZIP_MAGIC) and any(_EXPORT_MEMBER.fullmatch(name) for name in _zip_names(head))

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read the chosen channel's day files in date order; `channel` may be left out when there is only one."""
        export = _Export(data)
        folder = _choose(export, channel)
        entries = [entry for day in export.channels[folder] for entry in export.messages(day)]
        people = _people(export, entries)
        names = {**{user_id: person.handle for user_id, person in people.items()}, **export.channel_names()}
        private = folder in export.direct_folders()
        messages: list[ChatMessage] = []
        seen: set[str | None] = set()
        for entry in entries:
            message = _message(entry, people, names, private, len(messages) + 1)
            if message.id not in seen:  # a thread_broadcast reply may be written both in the thread and the channel
                seen.add(message.id)
                messages.append(message)
        return Transcript(format=self.name, platform=self.platform, messages=messages, title=folder)


def channels(data: bytes) -> list[str]:
    """The channels a Slack export holds (not its direct messages), by name, for a host to choose one."""
    export = _Export(data)
    private = export.direct_folders()
    return sorted(folder for folder in export.channels if folder not in private)


class _Export:
    """The members of a Slack export zip, read within a total unpacked-size budget against zip bombs."""

    def __init__(self, data: bytes):
        if not data.strip():
            raise TranscriptError(_("the file is empty"))
        if not data.startswith(_ZIP_MAGIC):
            raise TranscriptError(_("a Slack export must be the zip file Slack sends (or its folder, zipped)"))
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except _ZIP_ERRORS as exc:
            raise TranscriptError(_("the zip is damaged (%(problem)s)", problem=str(exc))) from None
        self._budget = MAX_UNPACKED_BYTES
        # Zips made on a Mac carry resource forks under __MACOSX/ that merely shadow the real files.
        self._members = {info.filename: info for info in infos
                         if not info.is_dir() and not info.filename.startswith("__MACOSX/")}
        self.channels: dict[str, list[str]] = {}
        roots = set()
        for name in sorted(self._members):
            if match := _DAY_FILE.fullmatch(name):
                self.channels.setdefault(match["folder"], []).append(name)
                roots.add(match["root"])
        if len(roots) > 1:
            raise TranscriptError(_("the zip holds more than one export: zip a single export folder"))
        root = roots.pop() if roots else None
        self._prefix = f"{root}/" if root else ""

    def messages(self, day: str) -> list[Record]:
        """Return the messages of one day file."""
        messages = self._json(day)
        if not isinstance(messages, list):
            raise TranscriptError(_("%(where)s: expected a list of messages, found %(found)s", where=day, found=describe(messages)))
        return [Record(message, _("%(day)s, message %(number)s", day=day, number=number)) for number, message in enumerate(messages, 1)]

    def listing(self, name: str) -> list[Record]:
        """Return the entries of a top-level list such as users.json, or [] when the export has none."""
        path = self._prefix + name
        if path not in self._members:
            return []
        entries = self._json(path)
        if not isinstance(entries, list):
            raise TranscriptError(_("%(where)s: expected a list, found %(found)s", where=path, found=describe(entries)))
        return [Record(entry, _("%(path)s, entry %(number)s", path=path, number=number)) for number, entry in enumerate(entries, 1)]

    def channel_names(self) -> dict[str, str]:
        """Map channel ids to names, for <#C123> mentions written without a name."""
        return {entry.required_text("id"): entry.required_text("name")
                for listing in ("channels.json", "groups.json") for entry in self.listing(listing)}

    def direct_folders(self) -> set[str]:
        """Return the folders of direct messages: named by id for DMs and by name for group DMs."""
        return ({entry.required_text("id") for entry in self.listing("dms.json")}
                | {entry.required_text("name") for entry in self.listing("mpims.json")})

    def _json(self, path: str) -> Any:
        content = self._read(path)
        try:
            return json_document(content)
        except TranscriptError as exc:
            raise TranscriptError(_("%(where)s: %(problem)s", where=path, problem=exc.message)) from None

    def _read(self, path: str) -> bytes:
        # Count what is actually unpacked: a zip bomb's headers lie about sizes.
        try:
            with self._zip.open(self._members[path]) as stream:
                content = stream.read(self._budget + 1)
        except _ZIP_ERRORS as exc:
            raise TranscriptError(_("%(where)s: the zip is damaged (%(problem)s)", where=path, problem=str(exc))) from None
        if len(content) > self._budget:
            raise TranscriptError(_("the export unpacks to more than %(limit)s MB; refusing it",
                                    limit=MAX_UNPACKED_BYTES // 2**20))
        self._budget -= len(content)
        return content


def _zip_names(head: bytes) -> Iterator[str]:
    # A local file header is the signature, 22 bytes of fields, the name's length at 26 and the name at 30.
    position = head.find(_ZIP_MAGIC)
    while position != -1 and position + 30 <= len(head):
        length = int.from_bytes(head[position + 26:position + 28], "little")
        yield head[position + 30:position + 30 + length].decode("utf-8", "replace")
        position = head.find(_ZIP_MAGIC, position + 4)


def channels(data: bytes) -> list[str]:
    """List the channels of a Slack export zip by name, sorted, leaving out direct messages.

    Any of them may be passed to `parse` as `channel`; a TranscriptError says why a file is no export.
    """
    return _channel_names(_Export(data))


def _channel_names(export: _Export) -> list[str]:
    # Direct and group messages are private: they can be named, but are never offered.
    direct = export.direct_folders()
    return sorted(folder for folder in export.channels if folder not in direct)


def _choose(export: _Export, wanted: str | None) -> str:
    if not export.channels:
        raise TranscriptError(_("the export holds no channel day files (<channel>/<YYYY-MM-DD>.json)"))
    names = _channel_names(export) or sorted(export.channels)
    if wanted is None:
        if len(names) > 1:
            raise TranscriptError(
                _("this export holds %(count)s channels: %(names)s; name one with --channel",
                  count=len(names), names=", ".join(names)))
        return names[0]
    folder = wanted.strip().removeprefix("#")
    if folder not in export.channels:
        raise TranscriptError(_("the export has no channel %(name)s; it holds %(names)s", name=quote(folder),
                                names=", ".join(names)))
    return folder


def _people(export: _Export, entries: list[Record]) -> dict[str, _Person]:
    # Messages carry a user_profile snapshot; users.json, read last, has the final say.
    people = {}
    for entry in entries:
        profile = entry.record("user_profile")
        user_id = entry.text("user")
        if profile and user_id and (person := _person(profile, profile)):
            people[user_id] = person
    for user in (*export.listing("users.json"), *export.listing("org_users.json")):
        if person := _person(user, user.record("profile") or user):
            people[user.required_text("id")] = person
    return people


def _person(user: Record, profile: Record) -> _Person | None:
    # Slack shows the display name when one is set, else the full name.
    handle = profile.text("display_name") or user.text("name")
    name = profile.text("display_name") or profile.text("real_name") or user.text("real_name") or handle
    return _Person(name, handle, user.flag("is_bot")) if name and handle else None


def _message(entry: Record, people: Mapping[str, _Person], names: Mapping[str, str], private: bool,
             line: int) -> ChatMessage:
    ts = entry.required_text("ts")
    user_id = entry.text("user")
    person = people.get(user_id or "") or _stranger(entry, user_id)
    thread_ts = entry.text("thread_ts")
    return ChatMessage(
        id=ts,
        author_name=person.name,
        author_handle=person.handle,
        author_id=user_id,
        text=mrkdwn_to_markdown(entry.text("text") or "", names),
        stamp=_stamp(entry, ts),
        reply_to=thread_ts if thread_ts and thread_ts != ts else None,
        kind=_kind(entry, person, private),
        line=line,
    )


def _stranger(entry: Record, user_id: str | None) -> _Person:
    # Integrations post with a username and bot_id instead of a user.
    name = entry.text("username") or user_id or entry.text("bot_id") or "unknown"
    return _Person(name, name, entry.has("bot_id") and not user_id)


def _stamp(entry: Record, ts: str) -> datetime:
    # ts is epoch seconds with microseconds, read as integers so no float rounding creeps in.
    match = _TS.fullmatch(ts)
    if match is None:
        entry.fail(_("%(key)s %(value)s is not a Slack timestamp", key="ts", value=quote(ts)))
    seconds, fraction = match.groups()
    return _EPOCH + timedelta(seconds=int(seconds), microseconds=int((fraction or "").ljust(6, "0")))


def _kind(entry: Record, person: _Person, private: bool) -> Kind:
    if private:
        return "private"
    return "system" if person.bot or entry.text("subtype") not in _SPOKEN_SUBTYPES else "message"


def mrkdwn_to_markdown(text: str, names: Mapping[str, str]) -> str:
    """Decode Slack mrkdwn once: <...> mentions and links, the three entities, then *bold* and ~strike~."""
    decoded = _MARKUP.sub(lambda match: _decode_markup(match, names), text)
    return _STRIKE.sub(r"~~\1~~", _BOLD.sub(r"**\1**", decoded))


def _decode_markup(match: re.Match[str], names: Mapping[str, str]) -> str:
    inner = match.group(1)
    if inner is None:
        return unescape_entities(match.group(0))
    target, _, label = inner.partition("|")
    label = unescape_entities(label)
    if target.startswith(("@", "#")):  # <@U123>, <@U123|name>, <#C123|name>
        return target[0] + (label.removeprefix(target[0]) or names.get(target[1:], target[1:]))
    if target.startswith("!"):  # <!here>, <!subteam^S123|@team>, <!date^...|fallback>
        keyword = target[1:].partition("^")[0]
        return f"@{keyword}" if keyword in _SPECIAL_MENTIONS or not label else label
    target = unescape_entities(target)
    if is_web_link(target):
        return link_markdown(target, label) if label else target
    return label or target.removeprefix("mailto:")
