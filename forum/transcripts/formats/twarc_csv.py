"""X (Twitter) Tweets as twarc-csv writes them: one Tweet a row, v2 fields flattened into dotted columns."""

from __future__ import annotations

import json
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.transcripts import register
from forum.transcripts.base import ChatMessage, Importer, Transcript
from forum.transcripts.formats._social import CsvRow, csv_header, csv_rows, iso_time, quote, unescape_entities
from forum.transcripts.formats._twitter import UNKNOWN_AUTHOR, checked_x_id, is_retweet_text, x_url

_REQUIRED = ("id", "created_at", "text")
# Columns only twarc-csv's Tweet table has; "id" and "text" alone are too common to go by.
_TWARC_COLUMNS = ("conversation_id", "author.username", "referenced_tweets.replied_to.id", "__twarc.url")
_ESCAPED_NEWLINE = re.compile(r"\\n")


@register
class TwarcCsvImporter(Importer):
    """Read `twarc2 csv` output: retweets are marked by their retweeted id, since their text is the original's."""

    name = "twarc_csv"
    label = _l("X (Twitter) twarc-csv CSV")
    platform = "x"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Recognise a header with id, created_at and text and at least two of twarc-csv's own columns."""
        header = set(csv_header(head))
        return set(_REQUIRED) <= header and len(header.intersection(_TWARC_COLUMNS)) >= 2

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read every row in file order."""
        rows = list(csv_rows(data, _REQUIRED))
        # --json-encode-text writes every text value (ids too) as a JSON string; the default writes them bare.
        if rows and all(_is_json_string(row.values["text"]) for row in rows if row.values["text"]):
            for row in rows:
                row.values = {column: _decoded(value) for column, value in row.values.items()}
        messages = [_message(row) for row in rows]
        return Transcript(format=self.name, platform=self.platform, messages=messages)


def _message(row: CsvRow) -> ChatMessage:
    tweet_id = _x_id(row, "id") or row.fail(_("%(key)s is empty", key="id"))
    created_at = row.values["created_at"]
    stamp = iso_time(created_at) or row.fail(_("%(key)s %(value)s is not an ISO 8601 time", key="created_at",
                                                             value=quote(created_at)))
    handle = _value(row, "author.username")
    author_id = _x_id(row, "author_id") or _x_id(row, "author.id")
    # A newline in a Tweet is written as the two characters \n to keep each row on one line.
    text = _ESCAPED_NEWLINE.sub("\n", row.values["text"].replace("\r", ""))
    references = _references(row)
    # By default twarc-csv replaces a retweet's "RT @user: …" with the original text, so the id tells.
    repost = bool(references.get("retweeted")) or is_retweet_text(text)
    return ChatMessage(
        id=tweet_id,
        author_name=_value(row, "author.name") or handle or author_id or UNKNOWN_AUTHOR,
        author_handle=handle,
        author_id=author_id,
        text=unescape_entities(text),
        stamp=stamp,
        reply_to=references.get("replied_to"),
        url=x_url(handle, tweet_id),
        kind="repost" if repost else "message",
        line=row.line,
    )


def _decoded(value: str) -> str:
    return json.loads(value) if _is_json_string(value) else value


def _is_json_string(value: str) -> bool:
    if len(value) < 2 or not (value.startswith('"') and value.endswith('"')):
        return False
    try:
        return isinstance(json.loads(value), str)
    except ValueError:
        return False


def _references(row: CsvRow) -> dict[str, str]:
    """Map reference types (replied_to, retweeted, quoted) to Tweet ids, from the dotted columns or older JSON."""
    found = {kind: tweet_id for kind in ("replied_to", "retweeted", "quoted")
             if (tweet_id := _x_id(row, f"referenced_tweets.{kind}.id"))}
    if found or not _value(row, "referenced_tweets"):
        return found
    # Early twarc-csv wrote the whole list as JSON: [{"type": "quoted", "id": "1169734611666198528"}].
    try:
        listed = json.loads(row.values["referenced_tweets"])
    except (ValueError, RecursionError):
        row.fail(_("%(key)s %(value)s is not JSON", key="referenced_tweets", value=quote(row.values["referenced_tweets"])))
    if not isinstance(listed, list):
        return {}
    return {str(item["type"]): checked_x_id(str(item["id"]), "referenced_tweets", row.fail)
            for item in listed if isinstance(item, dict) and "type" in item and "id" in item}


def _x_id(row: CsvRow, column: str) -> str | None:
    value = _value(row, column)
    return checked_x_id(value, column, row.fail) if value else None


def _value(row: CsvRow, column: str) -> str | None:
    return row.values.get(column, "").strip() or None
