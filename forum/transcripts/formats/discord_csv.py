"""DiscordChatExporter CSV: AuthorID,Author,Date,Content,Attachments,Reactions with every value quoted."""

from __future__ import annotations

from forum.transcripts import register
from forum.transcripts.base import ChatMessage, Importer, Transcript
from forum.transcripts.formats._social import CsvRow, csv_header, csv_rows, iso_time, quote

_HEADER = ["authorid", "author", "date", "content", "attachments", "reactions"]


@register
class DiscordCsvImporter(Importer):
    """Read a DiscordChatExporter CSV export; it has no ids, reply links, types or bot flags."""

    name = "discord_csv"
    label = "Discord (DiscordChatExporter CSV)"
    platform = "discord"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Recognise the exporter's exact header."""
        return csv_header(head) == _HEADER

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read every row in file order."""
        messages = [_message(row) for row in csv_rows(data, _HEADER)]
        return Transcript(format=self.name, platform=self.platform, messages=messages)


def _message(row: CsvRow) -> ChatMessage:
    author = row.values["author"].strip() or row.fail("Author is empty")
    date = row.values["date"]
    # "name#1234" is a legacy tag: the name is shown, the whole tag identifies the account.
    return ChatMessage(
        id=None,
        author_name=author.rpartition("#")[0] if _has_discriminator(author) else author,
        author_handle=author,
        author_id=row.values["authorid"].strip() or None,
        text=row.values["content"],
        stamp=iso_time(date) or row.fail(f"Date {quote(date)} is not an ISO 8601 time"),
        line=row.line,
    )


def _has_discriminator(author: str) -> bool:
    name, separator, discriminator = author.rpartition("#")
    return bool(name and separator) and len(discriminator) == 4 and discriminator.isdigit()
