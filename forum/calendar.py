"""iCalendar (RFC 5545) for chats: one event, or a feed of upcoming chats that Outlook can subscribe to."""

from __future__ import annotations

from datetime import datetime, timezone

from forum.models import Chat

PRODID = "-//Afterchat//Chat sessions//EN"


def escape(text: str) -> str:
    """Escape TEXT values: backslash, semicolon, comma and newlines."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Fold a content line at 75 octets, never splitting a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # don't cut inside a character
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines begin with a space
    return "\r\n ".join(parts)


def stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def event(chat: Chat, url: str, host_domain: str, now: datetime) -> list[str]:
    """The VEVENT lines for one chat."""
    description = chat.description or ""
    description = f"{description}\n\n{url}".strip() if description else url
    lines = [
        "BEGIN:VEVENT",
        f"UID:chat-{chat.id}@{host_domain}",
        f"DTSTAMP:{stamp(now)}",
        f"DTSTART:{stamp(chat.starts_at)}",
        f"DTEND:{stamp(chat.ends_at)}",
        f"SUMMARY:{escape(chat.title)}",
        f"DESCRIPTION:{escape(description)}",
        f"URL:{url}",
    ]
    if chat.hashtag:
        lines.append(f"CATEGORIES:{escape(chat.hashtag)}")
    lines.append("END:VEVENT")
    return lines


def calendar(events: list[list[str]], name: str) -> str:
    """A whole VCALENDAR document with CRLF line endings and folded lines."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{escape(name)}"]
    for item in events:
        lines.extend(item)
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
