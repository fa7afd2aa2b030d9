"""TAGS (Twitter Archiving Google Sheet) CSV: one tweet per row, columns matched by name, newest first."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.transcripts import register
from forum.transcripts.base import ChatMessage, Importer, Transcript
from forum.transcripts.formats._social import CsvRow, csv_header, csv_rows, quote, unescape_entities
from forum.transcripts.formats._twitter import checked_x_id, is_retweet_text, x_time, x_url

_REQUIRED = ("id_str", "from_user", "text", "created_at")
# R and the sheet write an empty cell as "NA" or "".
_EMPTY = ("", "NA")


@register
class TagsCsvImporter(Importer):
    """Read a TAGS sheet export, refusing rows whose ids a spreadsheet turned into floats."""

    name = "tags_csv"
    label = _l("TAGS (Twitter Archiving Google Sheet) CSV")
    platform = "x"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Recognise a CSV header naming id_str, from_user, text and created_at."""
        return set(_REQUIRED) <= set(csv_header(head))

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read every row in file order."""
        messages = [_message(row) for row in csv_rows(data, _REQUIRED)]
        return Transcript(format=self.name, platform=self.platform, messages=messages)


def _message(row: CsvRow) -> ChatMessage:
    tweet_id = _x_id(row, "id_str") or row.fail(_("%(key)s is empty", key="id_str"))
    handle = _value(row, "from_user") or row.fail(_("%(key)s is empty", key="from_user"))
    # created_at is X's UTC time; the time column is in the sheet's own timezone, so it is not used.
    created_at = row.values["created_at"]
    stamp = x_time(created_at)
    if stamp is None:
        row.fail(_("%(key)s %(value)s is not an X time", key="created_at", value=quote(created_at)))
    # Newer sheets can add a full_text column holding what text cuts short.
    text = _value(row, "full_text") or row.values["text"]
    return ChatMessage(
        id=tweet_id,
        author_name=handle,
        author_handle=handle,
        author_id=_x_id(row, "from_user_id_str"),
        text=unescape_entities(text),
        stamp=stamp,
        reply_to=_x_id(row, "in_reply_to_status_id_str"),
        url=_value(row, "status_url") or x_url(handle, tweet_id),
        kind="repost" if is_retweet_text(text) else "message",
        line=row.line,
    )


def _value(row: CsvRow, column: str) -> str | None:
    value = row.values.get(column, "").strip()
    return None if value in _EMPTY else value


def _x_id(row: CsvRow, column: str) -> str | None:
    value = _value(row, column)
    return value and checked_x_id(value, column, row.fail)
