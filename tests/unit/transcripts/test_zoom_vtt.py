"""Tests the Zoom WebVTT transcript parser beyond its golden file."""

from __future__ import annotations

from pathlib import Path

import pytest

from forum.errors import TranscriptError
from forum.transcripts.base import ChatMessage
from forum.transcripts.formats.zoom_vtt import ZoomVtt

ZOOM_VTT = ZoomVtt()
DATA = Path(__file__).resolve().parents[2] / "data" / "transcripts"


def parse(*blocks: str) -> list[ChatMessage]:
    """Parse a WebVTT document made of a header and the given blocks."""
    return ZOOM_VTT.parse("\n\n".join(["WEBVTT", *blocks]).encode("utf-8")).messages


def test_consecutive_cues_of_one_speaker_merge() -> None:
    messages = parse(
        "1\n00:00:01.000 --> 00:00:02.000\nSam Hartley: Question one,",
        "2\n00:00:02.000 --> 00:00:03.000\nSam Hartley: how do you reach people?",
        "3\n00:00:04.000 --> 00:00:05.000\nAna: Facebook &amp; radio.",
    )
    assert [(m.id, m.author_name, m.text) for m in messages] == [
        ("cue:1000", "Sam Hartley", "Question one, how do you reach people?"),
        ("cue:4000", "Ana", "Facebook & radio."),
    ]


def test_a_cue_without_a_speaker_continues_the_last_one() -> None:
    (message,) = parse("1\n00:00:01.000 --> 00:00:02.000\nAna: Facebook", "2\n00:00:02.000 --> 00:00:03.000\nand radio")
    assert (message.author_name, message.text) == ("Ana", "Facebook\nand radio")


def test_broken_timing_is_refused_by_line() -> None:
    with pytest.raises(TranscriptError, match=r"^line 8: expected a cue timing"):
        parse("1\n00:00:01.000 --> 00:00:02.000\nAna: hi", "2\n00:00:02.000 -- 00:00:03.000\nSam: hi")


@pytest.mark.parametrize(
    "head",
    [
        (DATA / "teams_vtt" / "meeting.vtt").read_bytes(),
        b"WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nJust subtitles, no speakers.\n",
        b"WEBVTTX\n\n1\n00:00:01.000 --> 00:00:02.000\nSam: hi\n",
    ],
    ids=["teams", "subtitles", "not-webvtt"],
)
def test_sniff_refuses_other_webvtt(head: bytes) -> None:
    assert not ZOOM_VTT.sniff(head)
