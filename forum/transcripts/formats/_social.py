"""Helpers shared by the social-platform importers: checked JSON records, CSV rows, times, entities, sniffing."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, NoReturn

from flask_babel import gettext as _
from flask_babel import ngettext

from forum.errors import TranscriptError
from forum.transcripts.base import decode_text, json_head

_DECODER = json.JSONDecoder()
_NON_SPACE = re.compile(r"\S")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITY_CHARS = {"amp": "&", "lt": "<", "gt": ">"}


# -- JSON ------------------------------------------------------------------------------------------

def json_documents(data: bytes) -> list[Any]:
    """Parse the JSON documents of a file, one or several back to back (API pages, JSON Lines)."""
    return json_values(decode_text(data))


def json_values(text: str) -> list[Any]:
    """Parse the JSON documents written back to back in `text`, turning every failure into a TranscriptError."""
    documents = []
    position = _skip_space(text, 0)
    while position < len(text):
        try:
            document, position = _DECODER.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise TranscriptError(_("the JSON is broken at line %(line)s, column %(column)s: %(problem)s",
                                    line=exc.lineno, column=exc.colno, problem=exc.msg)) from None
        except RecursionError:
            raise TranscriptError(_("the JSON is nested too deeply to be a transcript")) from None
        except ValueError:
            # json raises a bare ValueError for integers beyond Python's int/str conversion limit.
            raise TranscriptError(_("the JSON holds a number too long to be real")) from None
        documents.append(document)
        position = _skip_space(text, position)
    if not documents:
        raise TranscriptError(_("the file is empty"))
    return documents


def _skip_space(text: str, position: int) -> int:
    found = _NON_SPACE.search(text, position)
    return found.start() if found else len(text)


def json_document(data: bytes) -> Any:
    """Parse a file that must hold exactly one JSON document."""
    documents = json_documents(data)
    if len(documents) > 1:
        raise TranscriptError(_("the file holds %(count)s JSON documents where one was expected", count=len(documents)))
    return documents[0]


def describe(value: Any) -> str:
    """Name the JSON type of `value` for an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return _("a number")
    if isinstance(value, str):
        return _("text")
    if isinstance(value, list):
        return _("a list")
    return _("an object")


def quote(value: str, limit: int = 40) -> str:
    """Quote a value from the file for an error message, cut short so the message stays one line."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


class Record:
    """A JSON object from the file, read through type checks; `where` names it in every error."""

    def __init__(self, value: Any, where: str):
        if not isinstance(value, dict):
            raise TranscriptError(_("%(where)s: expected an object, found %(found)s", where=where, found=describe(value)))
        self.fields: dict[str, Any] = value
        self.where = where

    def fail(self, problem: str) -> NoReturn:
        """Raise a TranscriptError about this record."""
        raise TranscriptError(_("%(where)s: %(problem)s", where=self.where, problem=problem))

    def has(self, key: str) -> bool:
        """Say whether `key` is present with a value other than null."""
        return self.fields.get(key) is not None

    def text(self, key: str) -> str | None:
        """Return the string at `key`, or None when it is absent or null."""
        value = self.fields.get(key)
        if value is None or isinstance(value, str):
            return value
        self.fail(_("%(key)s should be text, found %(found)s", key=key, found=describe(value)))

    def required_text(self, key: str) -> str:
        """Return the string at `key`, refusing the record when it is missing."""
        value = self.text(key)
        if value is None:
            self.fail(_("missing %(key)s", key=key))
        return value

    def ident(self, key: str) -> str | None:
        """Return the id at `key` as a string; integers are exact in Python, floats have lost digits."""
        value = self.fields.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        self.fail(_("%(key)s should be an id, found %(found)s", key=key, found=describe(value)))

    def flag(self, key: str) -> bool:
        """Return whether `key` is true."""
        return self.fields.get(key) is True

    def record(self, key: str) -> Record | None:
        """Return the object at `key` as a Record, or None when it is absent or null."""
        value = self.fields.get(key)
        return None if value is None else Record(value, f"{self.where}, {key}")

    def required_record(self, key: str) -> Record:
        """Return the object at `key` as a Record, refusing the record when it is missing."""
        child = self.record(key)
        if child is None:
            self.fail(_("missing %(key)s", key=key))
        return child

    def items(self, key: str) -> list[Any]:
        """Return the list at `key`; absent or null is an empty list."""
        value = self.fields.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(_("%(key)s should be a list, found %(found)s", key=key, found=describe(value)))
        return value

    def records(self, key: str) -> Iterator[Record]:
        """Yield the objects of the list at `key` as Records."""
        for number, value in enumerate(self.items(key), 1):
            yield Record(value, f"{self.where}, {key} {number}")

    def time(self, key: str) -> datetime | None:
        """Return the ISO 8601 time at `key` as an aware datetime, or None when it is absent."""
        value = self.text(key)
        if value is None:
            return None
        stamp = iso_time(value)
        if stamp is None:
            self.fail(_("%(key)s %(value)s is not an ISO 8601 time", key=key, value=quote(value)))
        return stamp


def iso_time(value: str) -> datetime | None:
    """Read an ISO 8601 time as an aware datetime (a missing offset means UTC, as these APIs write), or None."""
    try:
        stamp = datetime.fromisoformat(value.strip())
        stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)
        stamp.astimezone(timezone.utc)  # refuse times at the calendar's edge that cannot be resolved to UTC
    except (ValueError, OverflowError):
        return None
    return stamp


# -- CSV -------------------------------------------------------------------------------------------

@dataclass
class CsvRow:
    """One data row of a CSV file, with its columns by lower-cased header name."""

    number: int                     # the spreadsheet row number: the header is row 1
    line: int                       # the file line where the row starts
    values: dict[str, str]

    def fail(self, problem: str) -> NoReturn:
        """Raise a TranscriptError about this row."""
        raise TranscriptError(_("row %(number)s: %(problem)s", number=self.number, problem=problem))


def csv_rows(data: bytes, required: Iterable[str], *, trailing_comma: bool = False) -> Iterator[CsvRow]:
    """Yield the rows of a CSV file with a header, matching columns by name and refusing broken quoting.

    With `trailing_comma`, a row may end in one empty value more than the header has (some writers end
    every value with a comma).
    """
    reader = csv.reader(io.StringIO(decode_text(data)), strict=True)
    header = [name.strip().lower() for name in _next_row(reader, 1) or []]
    missing = [name for name in required if name not in header]
    if missing:
        raise TranscriptError(ngettext("the CSV header lacks the column %(names)s", "the CSV header lacks the columns %(names)s",
                                       len(missing), names=", ".join(missing)))
    number = 1
    while True:
        line = reader.line_num + 1
        number += 1
        fields = _next_row(reader, number)
        if fields is None:
            return
        if not fields:
            continue
        if trailing_comma and len(fields) == len(header) + 1 and fields[-1] == "":
            fields.pop()
        if len(fields) != len(header):
            raise TranscriptError(_("row %(number)s: %(values)s values for %(columns)s columns", number=number,
                                    values=len(fields), columns=len(header)))
        yield CsvRow(number, line, dict(zip(header, fields, strict=True)))


def _next_row(reader: Iterator[list[str]], number: int) -> list[str] | None:
    try:
        return next(reader, None)
    except csv.Error as exc:
        raise TranscriptError(_("row %(number)s: the CSV is broken (%(problem)s)", number=number, problem=str(exc))) from None


# -- text ------------------------------------------------------------------------------------------

def unescape_entities(text: str) -> str:
    """Decode the three entities X, TAGS and Slack write (&amp; &lt; &gt;) in one pass, so none is decoded twice."""
    return _ENTITY.sub(lambda match: _ENTITY_CHARS[match.group(1)], text)


def is_web_link(target: str) -> bool:
    """Say whether a link target is an http(s) address, the only kind worth keeping (not javascript: and the like)."""
    return target.lower().startswith(("http://", "https://"))


def link_markdown(target: str, text: str) -> str:
    """Write a link as its full address when its text is that address shortened for display, else [text](target)."""
    shown = text.strip().removesuffix("...").rstrip("…")
    bare = target.partition("://")[2]
    if not shown or any(form.startswith(shown) for form in (target, bare, bare.removeprefix("www."))):
        return target
    return f"[{text}]({target})"


# -- sniffing --------------------------------------------------------------------------------------

def json_keys_present(head: bytes, *keys: str, opener: str = "{[") -> bool:
    """Say whether the head is JSON opening with one of `opener` and has every key in `keys`."""
    text = json_head(head)
    return text[:1] != "" and text[0] in opener and all(has_json_key(text, key) for key in keys)


def has_json_key(text: str, key: str) -> bool:
    """Say whether `key` appears as an object key; a quoted word inside a JSON string has escaped quotes."""
    return re.search(rf'"{re.escape(key)}"\s*:', text) is not None


def csv_header(head: bytes) -> list[str]:
    """Return the lower-cased column names of the first line of a CSV head, or [] when it has none."""
    first_line = json_head(head).partition("\n")[0]
    try:
        return [name.strip().lower() for name in next(csv.reader([first_line]), [])]
    except csv.Error:
        return []
