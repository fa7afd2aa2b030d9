"""Tests the Google Meet transcript importer beyond its golden files (built in Google's documented layout:
no real Meet transcript is public; docs.docx is meeting.txt saved by python-docx, see docx_samples.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from forum.transcripts import get
from tests.unit.transcripts.docx_samples import meet

MEET = get("meet_transcript")
FOLDER = Path(__file__).resolve().parents[2] / "data" / "transcripts" / "meet_transcript"


def test_marks_time_the_lines_after_them_and_attendees_decide_who_speaks() -> None:
    messages = MEET.parse((FOLDER / "meeting.txt").read_bytes()).messages
    ann = next(m for m in messages if m.author_name == "Ann Example")
    assert ann.text == "A1 We triage daily and reply within 24 hours.\nNote: the rota is on the intranet."
    assert next(m for m in messages if m.author_name == "Carol Jones").stamp == timedelta(minutes=5, seconds=12)
    assert [m.kind for m in messages[-2:]] == ["system", "system"]


def test_the_docx_and_the_text_say_the_same() -> None:
    def said(data: bytes) -> list[tuple[str, str]]:
        return [(m.author_name, m.text) for m in MEET.parse(data).messages]
    assert said((FOLDER / "docs.docx").read_bytes()) == said((FOLDER / "meeting.txt").read_bytes())


def test_without_attendees_a_speaker_is_known_by_shape() -> None:
    data = meet(["Weekly sync - Transcript", "Transcript", "00:00:00", "Ann Example ~: Q1 hello", "Note: not a name"])
    (message,) = MEET.parse(data).messages
    assert (message.author_name, message.text) == ("Ann Example", "Q1 hello\nNote: not a name")
    assert MEET.sniff(data[:65536])
