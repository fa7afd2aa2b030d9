"""DiscordChatExporter CSV: AuthorID,Author,Date,Content,Attachments,Reactions with every value quoted."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.transcripts import register
from forum.transcripts.base import ChatMessage, Importer, Kind, Transcript
from forum.transcripts.formats._discord import is_bot_name, is_system_text, strip_bot_tag
from forum.transcripts.formats._social import CsvRow, csv_header, csv_rows, quote

_HEADER = ["authorid", "author", "date", "content", "attachments", "reactions"]
# Before ISO 8601 became its default (about 2021), the exporter wrote local time as "dd-MMM-yy hh:mm tt".
_LEGACY_DATE = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{2}) (\d{1,2}):(\d{2}) ([AaPp][Mm])")
_MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
# A deleted account is written "Deleted User#0000"; it was a person, not a webhook.
_DELETED_USER = "Deleted User"


@register
class DiscordCsvImporter(Importer):
    """Read a DiscordChatExporter CSV export; it has no ids, reply links, types or bot flags, so the text tells."""

    name = "discord_csv"
    label = _l("Discord (DiscordChatExporter CSV)")
    platform = "discord"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Recognise the exporter's exact header."""
        return csv_header(head) == _HEADER

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read every row in file order."""
        # Exporters of about 2020 ended every value, the last too, with a comma.
        messages = [_message(row) for row in csv_rows(data, _HEADER, trailing_comma=True)]
        return Transcript(format=self.name, platform=self.platform, messages=messages)


def _message(row: CsvRow) -> ChatMessage:
    author, tagged = strip_bot_tag(row.values["author"].strip() or row.fail(_("%(key)s is empty", key="Author")))
    date = row.values["date"]
    # "name#1234" is a legacy tag: the name is shown, the whole tag identifies the account.
    name, discriminator = _split_discriminator(author)
    content = row.values["content"]
    # A message of attachments only is still said; its links are its text.
    attachments = [url.strip() for url in row.values["attachments"].split(",") if url.strip()]
    text = content if content.strip() else "\n".join(attachments)
    kind: Kind = "message"
    bot = tagged or (name != _DELETED_USER and is_bot_name(name, discriminator))
    if bot or not text.strip() or (not attachments and is_system_text(content)):
        kind = "system"
    return ChatMessage(
        id=None,
        author_name=name,
        author_handle=author,
        author_id=row.values["authorid"].strip() or None,
        text=text,
        stamp=_date(date) or row.fail(_("%(key)s %(value)s is neither an ISO 8601 time nor dd-MMM-yy hh:mm tt",
                                        key="Date", value=quote(date))),
        kind=kind,
        line=row.line,
    )


def _split_discriminator(author: str) -> tuple[str, str | None]:
    name, separator, discriminator = author.rpartition("#")
    if name and separator and len(discriminator) == 4 and discriminator.isdigit():
        return name, discriminator
    return author, None


def _date(value: str) -> datetime | None:
    """Read the exporter's date: ISO 8601 with its offset, or the old local "08-May-24 08:06 PM" (naive)."""
    value = value.strip()
    try:
        stamp = datetime.fromisoformat(value)
        if stamp.tzinfo is not None:
            stamp.astimezone(timezone.utc)  # refuse times at the calendar's edge that cannot be resolved to UTC
        return stamp
    except (ValueError, OverflowError):
        pass
    match = _LEGACY_DATE.fullmatch(value)
    if match is None or match[2].lower() not in _MONTHS:
        return None
    day, _month, year, hour, minute, meridiem = match.groups()
    if not 1 <= int(hour) <= 12:
        return None
    hour_24 = int(hour) % 12 + (12 if meridiem.lower() == "pm" else 0)
    try:
        return datetime(2000 + int(year), _MONTHS[match[2].lower()], int(day), hour_24, int(minute))
    except ValueError:
        return None
