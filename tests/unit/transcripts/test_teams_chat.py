"""Tests the Teams meeting chat (copied text) importer beyond its golden files, which follow the copy
shapes public parsers of it read: `[10:02] Name` (dated `[08/05/2024 10:02]`) and `Name 10:02`."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from forum.errors import TranscriptError
from forum.transcripts import get

TEAMS = get("teams_chat")


@pytest.mark.parametrize(
    ("header", "name", "stamp"),
    [
        ("[10:02] Ann Example", "Ann Example", time(10, 2)),
        ("[10:02 PM] Ann Example:", "Ann Example", time(22, 2)),
        ("[08/05/2024 20:02] Pérez, Bob (Guest)", "Pérez, Bob (Guest)", datetime(2024, 5, 8, 20, 2)),
        ("[Yesterday 9:15 AM] Ann Example", "Ann Example", time(9, 15)),
        ("[10:42 • 13/08/2024] Mario Rossi:", "Mario Rossi", datetime(2024, 8, 13, 10, 42)),
        ("Ann Example 10:02", "Ann Example", time(10, 2)),
        ("Ann Example 05/13/2024, 8:02 PM", "Ann Example", datetime(2024, 5, 13, 20, 2)),
    ],
)
def test_headers(header: str, name: str, stamp: object) -> None:
    (message,) = TEAMS.parse(f"{header}\nA1 hello\n".encode()).messages
    assert (message.author_name, message.stamp, message.text) == (name, stamp, "A1 hello")


@pytest.mark.parametrize("line", ["we meet again at 8:30", "A1 starts at 10:02", "Is it 10:02?", "[10:02] <ann> hi"])
def test_lines_that_end_in_a_time_are_text(line: str) -> None:
    messages = TEAMS.parse(f"[10:00] Ann Example\nhello\n{line}\n".encode()).messages
    assert len(messages) == 1 and messages[0].text.endswith(line)


def test_sniff_needs_two_headers_with_a_message_between() -> None:
    assert TEAMS.sniff(b"[10:00] Ann\nhi\n[10:01] Bob\nhey\n")
    assert not TEAMS.sniff(b"[10:00] Ann\n[10:01] Bob\n")
    assert not TEAMS.sniff(b"[10:00:00] <ann> hi\n[10:00:05] <bob> hey\n")


def test_text_before_the_first_header_is_refused() -> None:
    with pytest.raises(TranscriptError, match="^line 1: expected a Teams chat line such as"):
        TEAMS.parse(b"Meeting chat\n[10:00] Ann\nhi\n")
