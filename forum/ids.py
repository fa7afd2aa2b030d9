"""Row ids from outside (a URL, a query string, a form): a whole number a database id can be, or nothing.

The id columns are INTEGER: 32 bits on PostgreSQL (a larger number there is a DataError), 64 on
SQLite (beyond that, OverflowError before any query runs); both were 500s. Read through here, such
a number is simply not an id, so the address is a 404 like any other id that does not exist.
"""

from __future__ import annotations

from werkzeug.routing import BaseConverter, ValidationError

MAX_ID = 2**31 - 1  # PostgreSQL's INTEGER, the narrower of the two
_MAX_DIGITS = len(str(MAX_ID))


def parse_id(value) -> int | None:
    """Return `value` as a row id (1 to 2^31 - 1, plain ASCII digits), or None when it cannot be one."""
    text = value if isinstance(value, str) else ""
    # isdigit() alone lets through digits such as "²" that int() refuses, and int() of thousands of
    # digits raises too; both were 500s.
    if not text or len(text) > _MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


class IdConverter(BaseConverter):
    """`<forum_id:name>` in a route: matches only a number `parse_id` accepts, so any other is a 404."""

    regex = r"[0-9]+"
    weight = 50

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))
