"""Dates and times as people here write them: one reader for the web's forms and the command line."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

_UK_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H.%M", "%d/%m/%y %H:%M", "%d %B %Y %H:%M", "%d %b %Y %H:%M")


def parse_uk_time(text: str | None, zone: ZoneInfo = LONDON) -> datetime | None:
    """Read a date and time as people in the UK write it (27/11/2026 13:00, 27 November 2026 13:00) or
    as ISO 8601 (2026-11-27T13:00, with seconds or an offset); naive times are in `zone`. None if unreadable."""
    text = " ".join((text or "").replace(",", " ").split())
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1).replace("Z", "+00:00"))
    except ValueError:
        moment = None
    for pattern in _UK_FORMATS if moment is None else ():
        try:
            moment = datetime.strptime(text, pattern)
            break
        except ValueError:
            continue
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)
