"""X (Twitter) helpers shared by the v1.1, personal archive, v2 and TAGS importers."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, NoReturn

from flask_babel import gettext as _

from forum.transcripts.base import ChatMessage
from forum.transcripts.formats._social import Record, iso_time, quote, unescape_entities

# Snowflake ids carry their creation time: milliseconds since this epoch, shifted left 22 bits.
_SNOWFLAKE_EPOCH = datetime(2010, 11, 4, 1, 42, 54, 657000, tzinfo=timezone.utc)
# Ids below this were issued sequentially before snowflakes (November 2010) and carry no time.
_FIRST_SNOWFLAKE = 1 << 40
_MONTHS = {name: number for number, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
# "Wed Oct 10 20:19:24 +0000 2018", parsed by hand because strptime's %a and %b follow the locale.
_CREATED_AT = re.compile(
    r"[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-]\d{2})(\d{2}) (\d{4})", re.ASCII)
# X ids are int64, so at most 19 digits; one more leaves room without risking overflow.
_X_ID = re.compile(r"\d{1,20}", re.ASCII)
_MANGLED_ID = re.compile(r"\d+(?:[.,]\d*)?[eE][+-]?\d+|\d+[.,]\d+", re.ASCII)
_LEADING_MENTIONS = re.compile(r"(?:\s*@\w{1,50})*\s*", re.ASCII)

ARCHIVE_OWNER = "Archive owner"
UNKNOWN_AUTHOR = "unknown"


def x_time(value: str) -> datetime | None:
    """Read an X time, the v1.1 "Wed Oct 10 20:19:24 +0000 2018" or ISO 8601, as UTC; None when it is neither."""
    match = _CREATED_AT.fullmatch(value.strip())
    if match is None:
        stamp = iso_time(value)
        return stamp and stamp.astimezone(timezone.utc)
    month, day, hour, minute, second, offset_hours, offset_minutes, year = match.groups()
    if month not in _MONTHS:
        return None
    sign = -1 if offset_hours.startswith("-") else 1
    offset = timedelta(hours=int(offset_hours), minutes=sign * int(offset_minutes))
    try:
        local = datetime(int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second),
                         tzinfo=timezone(offset))
        return local.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None


def snowflake_time(tweet_id: str) -> datetime | None:
    """Return the creation time encoded in a snowflake id, or None for pre-2010 ids."""
    number = int(tweet_id)
    if number < _FIRST_SNOWFLAKE:
        return None
    return _SNOWFLAKE_EPOCH + timedelta(milliseconds=number >> 22)


def checked_x_id(value: str, column: str, fail: Callable[[str], NoReturn]) -> str:
    """Return `value` when it is a numeric X id; otherwise call `fail` saying what is wrong with it."""
    value = value.strip()
    if _X_ID.fullmatch(value):
        return value
    if _MANGLED_ID.fullmatch(value):
        fail(_("%(key)s %(value)s was mangled by a spreadsheet", key=column, value=quote(value)))
    fail(_("%(key)s %(value)s is not an X id", key=column, value=quote(value)))


def x_url(handle: str | None, tweet_id: str) -> str:
    """Return the web address of a post; without a handle X still resolves the id alone."""
    return f"https://x.com/{handle}/status/{tweet_id}" if handle else f"https://x.com/i/web/status/{tweet_id}"


def is_retweet_text(text: str) -> bool:
    """Say whether the text is an old-style retweet, which X writes as "RT @user: …"."""
    return text.startswith("RT @")


def status_message(status: Record, line: int, *, owner: str | None = None) -> ChatMessage:
    """Read a v1.1-shaped status (API or archive); `owner` names the author when there is no user object."""
    tweet_id = checked_x_id(
        status.ident("id_str") or status.ident("id") or status.fail(_("missing %(key)s", key="id_str")), "id_str", status.fail)
    created_at = status.required_text("created_at")
    stamp = x_time(created_at)
    if stamp is None:
        status.fail(_("%(key)s %(value)s is not an X time", key="created_at", value=quote(created_at)))
    name, handle, author_id = _status_author(status, owner)
    reply_to = status.ident("in_reply_to_status_id_str") or status.ident("in_reply_to_status_id")
    text = _status_text(status)
    repost = status.has("retweeted_status") or is_retweet_text(text)
    return ChatMessage(
        id=tweet_id,
        author_name=name,
        author_handle=handle,
        author_id=author_id,
        text=unescape_entities(text),
        stamp=stamp,
        reply_to=reply_to,
        url=x_url(handle, tweet_id),
        kind="repost" if repost else "message",
        line=line,
    )


def _status_author(status: Record, owner: str | None) -> tuple[str, str | None, str | None]:
    user = status.record("user")
    if user is None:
        return owner or status.fail(_("missing %(key)s", key="user")), None, None
    handle = user.required_text("screen_name")
    return user.text("name") or handle, handle, user.ident("id_str") or user.ident("id")


def _status_text(status: Record) -> str:
    # Streaming dumps keep the long text under extended_tweet; tweet_mode=extended uses full_text.
    extended = status.record("extended_tweet")
    text = (extended and extended.text("full_text")) or status.text("full_text") or status.text("text")
    if text is None:
        status.fail(_("missing %(first)s and %(second)s", first="full_text", second="text"))
    return _strip_reply_mentions(text, status.items("display_text_range"))


def _strip_reply_mentions(text: str, display_range: list[Any]) -> str:
    # X inserts the @mentions of a reply before display_text_range; drop them only when that is all there is.
    start = _index(display_range[0]) if display_range else None
    if not start or start > len(text) or not _LEADING_MENTIONS.fullmatch(text[:start]):
        return text
    return text[start:]


def _index(value: Any) -> int | None:
    # The archive writes every number as a string, the API as a number.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    return None
