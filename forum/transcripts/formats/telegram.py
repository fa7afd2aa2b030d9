"""Telegram Desktop JSON export: one chat's result.json, or a whole account's with every chat in chats.list."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.errors import TranscriptError
from forum.transcripts import register
from forum.transcripts.base import ChatMessage, Importer, Kind, Stamp, Transcript, json_head
from forum.transcripts.formats._social import Record, describe, has_json_key, is_web_link, json_document, quote

# Keys of a message only Telegram writes; "messages" alone is too common to go by.
_MESSAGE_KEYS = ("from_id", "actor_id", "date_unixtime", "text_entities")
# What a message without text carried, named for its post: Telegram keeps media in separate files.
_MEDIA = (("photo", "Photo"), ("sticker_emoji", "Sticker"), ("poll", "Poll"), ("contact_information", "Contact"),
          ("location_information", "Location"))
_MEDIA_TYPES = {"voice_message": "Voice message", "video_message": "Video message", "video_file": "Video",
                "audio_file": "Audio", "animation": "GIF", "sticker": "Sticker"}
# Markdown around an entity's text; every other entity type (links, mentions, hashtags...) is its text.
_WRAP = {"bold": "**", "italic": "_", "strikethrough": "~~", "code": "`"}
_DELETED_ACCOUNT = "Deleted Account"


@register
class TelegramImporter(Importer):
    """Read a Telegram Desktop chat export: service messages are system lines, forwards are reposts."""

    name = "telegram"
    label = _l("Telegram Desktop export (result.json)")
    platform = "telegram"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Recognise a chat with messages keyed as Telegram writes them, or a whole account's export."""
        text = json_head(head)
        if text[:1] != "{":
            return False
        if has_json_key(text, "personal_information") and has_json_key(text, "chats"):
            return True
        return has_json_key(text, "messages") and any(has_json_key(text, key) for key in _MESSAGE_KEYS)

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read one chat's messages in file order; an account's export needs the chat named when it has several."""
        export = Record(json_document(data), _("the export"))
        chat = _choose(export, channel) if export.has("chats") else export
        kind = chat.text("type") or ""
        messages = [_message(message, kind, number) for number, message in enumerate(chat.records("messages"), 1)]
        return Transcript(format=self.name, platform=self.platform, messages=messages, title=chat.text("name"))


def chats(data: bytes) -> list[str]:
    """List the chats of a Telegram export by name: one for a chat's export, every chat for an account's."""
    export = Record(json_document(data), _("the export"))
    if not export.has("chats"):
        return [export.text("name") or ""]
    return [_chat_name(chat) for chat in _listed(export)]


def _listed(export: Record) -> list[Record]:
    return list(export.required_record("chats").records("list"))


def _chat_name(chat: Record) -> str:
    return chat.text("name") or chat.ident("id") or ""


def _choose(export: Record, wanted: str | None) -> Record:
    listed = _listed(export)
    if not listed:
        export.fail(_("%(key)s holds no chats", key="chats.list"))
    if wanted is None:
        if len(listed) > 1:
            names = ", ".join(_chat_name(chat) for chat in listed)
            raise TranscriptError(_("this export holds %(count)s chats: %(names)s; name one with --channel",
                                    count=len(listed), names=names))
        return listed[0]
    for chat in listed:
        if wanted.strip() in (chat.text("name"), chat.ident("id")):
            return chat
    raise TranscriptError(_("the export has no chat %(name)s; it holds %(names)s", name=quote(wanted),
                            names=", ".join(map(_chat_name, listed))))


def _message(message: Record, chat_type: str, line: int) -> ChatMessage:
    service = message.text("type") == "service"
    author = (message.text("actor") if service else message.text("from")) or _DELETED_ACCOUNT
    # A service message says what happened ("pin_message", "invite_members"); it is shown among the skipped.
    text = (message.text("action") or "").replace("_", " ") if service else flatten_text(message, "text") or _media(message)
    kind: Kind = "message"
    if service or not text.strip():
        kind = "system"
    elif message.has("forwarded_from"):
        kind = "repost"
    elif chat_type == "personal_chat":
        kind = "private"
    return ChatMessage(
        id=message.ident("id") or message.fail(_("missing %(key)s", key="id")),
        author_name=author,
        author_id=message.text("actor_id" if service else "from_id"),
        text=text,
        stamp=_stamp(message),
        reply_to=message.ident("reply_to_message_id"),
        kind=kind,
        line=line,
    )


def _stamp(message: Record) -> Stamp:
    # date_unixtime (exports since 2021) is exact; date is the exporting computer's wall-clock time.
    unix = message.text("date_unixtime")
    if unix is not None:
        if not (unix.isascii() and unix.isdigit() and len(unix) <= 11):
            message.fail(_("%(key)s %(value)s is not a Unix time", key="date_unixtime", value=quote(unix)))
        return datetime.fromtimestamp(int(unix), timezone.utc)
    date = message.required_text("date")
    try:
        return datetime.fromisoformat(date).replace(tzinfo=None)
    except ValueError:
        message.fail(_("%(key)s %(value)s is not an ISO 8601 time", key="date", value=quote(date)))


def flatten_text(message: Record, key: str) -> str:
    """Turn Telegram's text (a string, or a list of strings and entities) into markdown-ish text."""
    value = message.fields.get(key)
    if value is None or isinstance(value, str):
        return value or ""
    if not isinstance(value, list):
        message.fail(_("%(key)s should be text or a list, found %(found)s", key=key, found=describe(value)))
    return "".join(_entity(part, message) for part in value)


def _entity(part: Any, message: Record) -> str:
    if isinstance(part, str):
        return part
    entity = Record(part, _("%(where)s, text entity", where=message.where))
    text = entity.text("text") or ""
    kind = entity.text("type") or "plain"
    if kind == "text_link":
        target = entity.text("href") or ""
        core = text.strip()
        if not (is_web_link(target) and core) or "\n" in core:
            return text
        start = text.index(core)
        return f"{text[:start]}[{core}]({target}){text[start + len(core):]}"
    if kind == "pre":
        return f"\n```\n{text.strip(chr(10))}\n```\n"
    if kind == "blockquote":
        return "\n".join(f"> {line}" if line.strip() else line for line in text.split("\n"))
    mark = _WRAP.get(kind)
    return _wrap(text, mark) if mark else text


def _wrap(text: str, mark: str) -> str:
    # Markdown emphasis can't start or end on a space or cross a line, so each line's words are wrapped.
    lines = []
    for line in text.split("\n"):
        core = line.strip()
        if not core:
            lines.append(line)
            continue
        start = line.index(core)
        lines.append(f"{line[:start]}{mark}{core}{mark}{line[start + len(core):]}")
    return "\n".join(lines)


def _media(message: Record) -> str:
    # A photo or file sent without a caption is still said; the export keeps the media beside it.
    for key, label in _MEDIA:
        if message.has(key):
            if key == "poll":
                poll = message.record("poll")
                question = poll.text("question") if poll else None
                return f"[{label}: {question}]" if question else f"[{label}]"
            return f"[{label}]"
    media_type = message.text("media_type")
    if media_type or message.has("file"):
        label = _MEDIA_TYPES.get(media_type or "", "File")
        name = message.text("file_name")
        return f"[{label}: {name}]" if name else f"[{label}]"
    return ""
