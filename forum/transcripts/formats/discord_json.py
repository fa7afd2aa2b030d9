"""DiscordChatExporter JSON: {guild, channel, messages} for one channel, times in the exporter's offset."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.transcripts import register
from forum.transcripts.base import ChatMessage, Importer, Kind, Transcript
from forum.transcripts.formats._social import Record, json_document, json_keys_present

# Only these message types are people talking; joins, pins, thread starts and calls are notices.
_SPOKEN_TYPES = {"Default", "Reply"}
_DIRECT_CHANNELS = {"DirectTextChat", "DirectGroupTextChat", "DirectMessage", "DirectGroupMessage"}
# Since the 2023 username change an account has no discriminator, written "0000" (or "0").
_NO_DISCRIMINATOR = {"", "0", "0000"}


@register
class DiscordJsonImporter(Importer):
    """Read a DiscordChatExporter JSON export of one channel, keeping each time's own UTC offset."""

    name = "discord_json"
    label = _l("Discord (DiscordChatExporter JSON)")
    platform = "discord"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Recognise the exporter's top level: guild, channel and messages."""
        return json_keys_present(head, "guild", "channel", "messages", opener="{")

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read every message in file order, titled with the channel's name."""
        export = Record(json_document(data), _("the export"))
        room = export.required_record("channel")
        direct = room.text("type") in _DIRECT_CHANNELS
        messages = [_message(message, direct, number)
                    for number, message in enumerate(export.records("messages"), 1)]
        return Transcript(format=self.name, platform=self.platform, messages=messages, title=room.text("name"))


def _message(message: Record, direct: bool, line: int) -> ChatMessage:
    author = message.required_record("author")
    name = author.required_text("name")
    discriminator = author.text("discriminator") or ""
    reference = message.record("reference")
    forwarded = reference is not None and reference.text("type") == "Forward"
    text = _text(message)
    return ChatMessage(
        id=message.ident("id") or message.fail(_("missing %(key)s", key="id")),
        author_name=author.text("nickname") or name,
        author_handle=name if discriminator in _NO_DISCRIMINATOR else f"{name}#{discriminator}",
        author_id=author.ident("id"),
        text=text,
        stamp=message.time("timestamp") or message.fail(_("missing %(key)s", key="timestamp")),
        reply_to=reference.ident("messageId") if reference and not forwarded else None,
        kind=_kind(message, author, direct, forwarded, text),
        line=line,
    )


def _text(message: Record) -> str:
    # A forwarded message has empty content of its own; the forwarded text is what was shared.
    forwarded = message.record("forwardedMessage")
    content = message.text("content") or (forwarded and forwarded.text("content")) or ""
    if content.strip():
        return content
    # A message of attachments only is still said; its links are its text.
    return "\n".join(url for attachment in message.records("attachments") if (url := attachment.text("url")))


def _kind(message: Record, author: Record, direct: bool, forwarded: bool, text: str) -> Kind:
    if direct:
        return "private"
    # Nothing said and nothing attached (a sticker, an embed, a deleted upload) makes no post.
    if author.flag("isBot") or message.text("type") not in _SPOKEN_TYPES or not text.strip():
        return "system"
    return "repost" if forwarded else "message"
