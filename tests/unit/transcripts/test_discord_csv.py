"""Tests the DiscordChatExporter CSV importer: its fixed header, .NET dates, legacy name tags, and the system
lines and bots it can only tell by their text, since the CSV has no type or bot column.

system_lines.csv and legacy.csv are written in the exporter's own shape (CsvMessageWriter: every value
quoted, .NET "o" dates; and the 2020 writer's trailing comma and "dd-MMM-yy hh:mm tt" local dates).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from forum.errors import TranscriptError
from forum.transcripts import get

HEADER = b"AuthorID,Author,Date,Content,Attachments,Reactions\n"
FOLDER = Path(__file__).resolve().parents[2] / "data" / "transcripts" / "discord_csv"


def row(author: str, content: str, attachments: str = "") -> bytes:
    """Return one exported row by `author`."""
    return f'"1","{author}","2024-05-08T20:06:10+01:00","{content}","{attachments}",""\n'.encode()


def test_legacy_tags_split_the_name_from_the_handle() -> None:
    data = HEADER + b'"1087000000000000003","bob#4821","2024-05-08T20:06:10.2500000+01:00","A1 yes","",""\n'
    (message,) = get("discord_csv").parse(data).messages
    assert (message.author_name, message.author_handle, message.author_id) == ("bob", "bob#4821", "1087000000000000003")
    assert message.stamp.isoformat() == "2024-05-08T20:06:10.250000+01:00"
    assert (message.id, message.reply_to, message.kind) == (None, None, "message")


def test_a_hash_that_is_not_a_tag_stays_in_the_name() -> None:
    data = HEADER + b'"1","C# fan#12","2024-05-08T20:06:10+01:00","x","",""\n'
    assert get("discord_csv").parse(data).messages[0].author_name == "C# fan#12"


def test_a_bom_and_crlf_line_ends_are_accepted() -> None:
    row = b'"1","ann","2024-05-08T20:06:10+01:00","a\r\nb","",""\r\n'
    data = b"\xef\xbb\xbf" + HEADER.replace(b"\n", b"\r\n") + row
    importer = get("discord_csv")
    assert importer.sniff(data) and importer.parse(data).messages[0].text == "a\nb"


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (b'"1","ann","May 8th","x","",""\n', "row 2: Date 'May 8th' is neither an ISO 8601 time nor dd-MMM-yy"),
        (b'"1","","2024-05-08T20:06:10+01:00","x","",""\n', "row 2: Author is empty"),
        (b'"1","ann","2024-05-08T20:06:10+01:00","x\n', "row 2: the CSV is broken"),
        (b'"1","ann","2024-05-08T20:06:10+01:00","x"\n', "row 2: 4 values for 6 columns"),
    ],
    ids=["date", "author", "quoting", "short-row"],
)
def test_bad_rows_are_refused(row: bytes, problem: str) -> None:
    with pytest.raises(TranscriptError, match=problem):
        get("discord_csv").parse(HEADER + row)


def test_other_headers_are_refused() -> None:
    with pytest.raises(TranscriptError, match="the CSV header lacks the column reactions"):
        get("discord_csv").parse(b"AuthorID,Author,Date,Content,Attachments\n")


@pytest.mark.parametrize(
    "content",
    ["Pinned a message.", "Joined the server.", "Started a thread.", "Changed the channel name.",
     "Changed the channel name: lgovsm-live", "Changed the channel icon.", "Added Ann Example to the group.",
     "Removed bobp from the group.", "Left the group.", "Added a recipient.", "Started a call that lasted 1,234 minutes.",
     "Started a call that lasted 0 minutes.", "Boosted the server", "dave_comms just boosted the server!",
     "dave_comms just boosted the server **3** times!", ""],
)
def test_the_exporters_system_lines_are_not_posts(content: str) -> None:
    (message,) = get("discord_csv").parse(HEADER + row("lgovsm", content)).messages
    assert message.kind == "system"


@pytest.mark.parametrize("content", ["Pinned a message. Thanks all!", "I pinned a message.", "Joined the server. Hi!"])
def test_people_mentioning_those_events_are_still_posts(content: str) -> None:
    assert get("discord_csv").parse(HEADER + row("ann", content)).messages[0].kind == "message"


@pytest.mark.parametrize(
    ("author", "kind"),
    [("Reminder Bot#3474", "system"), ("carl-bot#1536", "system"), ("MEE6#4876", "system"), ("Zapier#0000", "system"),
     ("GitHub", "system"), ("Sesh BOT", "system"), ("Statbot [APP]", "system"), ("TicketBot", "system"),
     ("Deleted User#0000", "message"), ("ann.example#0000", "message"), ("Abbot#1234", "message"),
     ("Talbot", "message"), ("ann.example", "message")],
)
def test_bots_and_webhooks_are_known_by_name_and_tag(author: str, kind: str) -> None:
    assert get("discord_csv").parse(HEADER + row(author, "A1 hello")).messages[0].kind == kind


def test_a_message_of_attachments_only_is_its_links() -> None:
    data = HEADER + row("bobp", "", "https://cdn.discordapp.com/a/1.png,https://cdn.discordapp.com/a/2.pdf")
    (message,) = get("discord_csv").parse(data).messages
    assert (message.kind, message.text) == ("message", "https://cdn.discordapp.com/a/1.png\nhttps://cdn.discordapp.com/a/2.pdf")


def test_a_bot_reminder_before_the_chat_is_not_its_first_post() -> None:
    messages = get("discord_csv").parse((FOLDER / "system_lines.csv").read_bytes()).messages
    said = [message for message in messages if message.kind == "message"]
    assert said[0].text == "Hello and welcome to tonight's #lgovsm chat"
    assert {message.author_handle for message in said} == {"lgovsm", "ann.example", "bobp", "Deleted User#0000"}


def test_the_2020_writers_trailing_commas_and_local_dates() -> None:
    messages = get("discord_csv").parse((FOLDER / "legacy.csv").read_bytes()).messages
    assert messages[1].stamp == datetime(2024, 5, 8, 20, 2)  # naive: local time, read in the chat's timezone
    assert [message.kind for message in messages] == [
        "system", "message", "system", "message", "system", "message", "message"]
    assert (messages[5].author_name, messages[5].author_handle) == ("Bob Pérez", "Bob Pérez#0042")
