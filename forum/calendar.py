"""iCalendar (RFC 5545) for chats, made with the `icalendar` library: one event, or a feed Outlook can subscribe to.

An event keeps its UID for good (``chat-<id>@<the forum's host>``). When a chat changes in a way a
subscriber should see (its transcript is imported: the event then leads to its question threads and
its recap), the chat's SEQUENCE goes up (`reissue`), so calendars replace their copy instead of
keeping a stale one or adding a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import icalendar
from flask_babel import gettext as _

from forum.models import Chat

PRODID = "-//Afterchat//Chat sessions//EN"


@dataclass(frozen=True)
class Afterwards:
    """Where a chat's event leads once its transcript is in: its question threads and its recap."""

    threads: list[tuple[str, str]]   # (title, absolute URL)
    recap_url: str


def reissue(chat: Chat) -> None:
    """Raise the chat's SEQUENCE: its event has changed and calendars should take the new one."""
    chat.calendar_sequence = (chat.calendar_sequence or 0) + 1


def description(chat: Chat, url: str, afterwards: Afterwards | None = None) -> str:
    """The event's text: the host's description, the chat's page, and after the chat its threads and recap
    (in the language of the request: the calendar's reader)."""
    parts = [chat.description.strip()] if chat.description and chat.description.strip() else []
    parts.append(url)
    if afterwards is not None:
        if afterwards.threads:
            parts.append(_("The discussion, one thread a question:") + "\n"
                         + "\n".join(f"{title}\n{thread_url}" for title, thread_url in afterwards.threads))
        parts.append(_("The recap, for those who missed it:") + f"\n{afterwards.recap_url}")
    return "\n\n".join(parts)


def event(chat: Chat, url: str, host_domain: str, now: datetime,
          afterwards: Afterwards | None = None) -> icalendar.Event:
    """The VEVENT for one chat; after its import, with `afterwards`, it leads to the threads and the recap."""
    item = icalendar.Event()
    item.add("uid", f"chat-{chat.id}@{host_domain}")
    item.add("dtstamp", now)
    item.add("sequence", chat.calendar_sequence or 0)
    item.add("dtstart", chat.starts_at)
    item.add("dtend", chat.ends_at)
    item.add("summary", chat.title)
    item.add("description", description(chat, url, afterwards))
    item.add("url", afterwards.recap_url if afterwards is not None else url)
    if chat.hashtag:
        item.add("categories", [chat.hashtag])
    return item


def calendar(events: list[icalendar.Event], name: str) -> bytes:
    """A whole VCALENDAR document (the library folds lines and ends them with CRLF)."""
    document = icalendar.Calendar()
    document.add("prodid", PRODID)
    document.add("version", "2.0")
    document.add("calscale", "GREGORIAN")
    document.add("method", "PUBLISH")
    document.add("x-wr-calname", name)
    for item in events:
        document.add_component(item)
    return document.to_ical()
