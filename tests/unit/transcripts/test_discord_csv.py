"""Tests the DiscordChatExporter CSV importer: its fixed header, .NET dates and legacy name tags."""

from __future__ import annotations

import pytest

from forum.errors import TranscriptError
from forum.transcripts import get

HEADER = b"AuthorID,Author,Date,Content,Attachments,Reactions\n"


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
        (b'"1","ann","08-May-24 08:06 PM","x","",""\n', "row 2: Date '08-May-24 08:06 PM' is not an ISO 8601 time"),
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
