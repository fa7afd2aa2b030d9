"""Tests the Teams WebVTT transcript parser beyond its golden file."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from forum.errors import TranscriptError
from forum.transcripts.base import ChatMessage
from forum.transcripts.formats.teams_vtt import TeamsVtt

TEAMS = TeamsVtt()
GOLDEN = Path(__file__).resolve().parents[2] / "data" / "transcripts" / "teams_vtt" / "meeting.vtt"
SECOND_ONE = "00:00:01.000 --> 00:00:02.000"


def parse(*blocks: str) -> list[ChatMessage]:
    """Parse a WebVTT document made of a header and the given blocks."""
    return TEAMS.parse("\n\n".join(["WEBVTT", *blocks]).encode("utf-8")).messages


def test_bom_and_crlf_make_no_difference() -> None:
    data = GOLDEN.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    plain = data.removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n")
    assert TEAMS.parse(plain).messages == TEAMS.parse(data).messages


def test_parts_of_one_utterance_join_with_a_space_and_utterances_with_a_line() -> None:
    (message,) = parse(
        "g/1-0\n00:00:01.000 --> 00:00:02.000\n<v Sam>Q1 how do</v>",
        "g/1-1\n00:00:02.000 --> 00:00:03.000\n<v Sam>you reach people?</v>",
        "g/2-0\n00:00:03.000 --> 00:00:04.000\n<v Sam>Answers below.</v>",
    )
    assert (message.id, message.stamp) == ("cue:1000", timedelta(seconds=1))
    assert message.text == "Q1 how do you reach people?\nAnswers below."


def test_names_and_text_are_unescaped_exactly_once() -> None:
    (message,) = parse(f"{SECOND_ONE}\n<v Far&#237;as, Ana (Guest)>Q&amp;A &amp;amp; &lt;i&gt;")
    assert (message.author_name, message.text) == ("Farías, Ana (Guest)", "Q&A &amp; <i>")


def test_markup_inside_cues_is_dropped() -> None:
    (message,) = parse(f"{SECOND_ONE}\n<v.loud Sam><i>Q1</i> <c.yellow>now</c><00:00:01.500>!")
    assert (message.author_name, message.text) == ("Sam", "Q1 now!")


def test_two_voices_in_one_cue_are_two_messages_with_distinct_ids() -> None:
    messages = parse(f"{SECOND_ONE}\n<v Sam>Q1?</v>\n<v Ana>A1!</v>")
    assert [(m.id, m.author_name, m.text) for m in messages] == [
        ("cue:1000", "Sam", "Q1?"), ("cue:1000.2", "Ana", "A1!")
    ]


def test_speech_before_any_voice_is_not_attributed() -> None:
    first, second = parse(f"{SECOND_ONE}\nmumbling", "00:00:02.000 --> 00:00:03.000\n<v Sam>Q1")
    assert (first.author_name, first.kind) == ("", "system")
    assert (second.author_name, second.kind) == ("Sam", "message")


def test_hours_are_optional_in_timestamps() -> None:
    (message,) = parse("01:05.500 --> 01:07.000\n<v Sam>hi")
    assert message.stamp == timedelta(minutes=1, seconds=5.5)


@pytest.mark.parametrize(
    ("blocks", "problem"),
    [
        (["1\n00:00:01.000 -> 00:00:02.000\n<v Sam>hi"], r"^line 4: expected a cue timing 'hh:mm:ss.ttt --> hh:mm"),
        (["00:00:61.000 --> 00:00:62.000\n<v Sam>hi"], r"^line 3: '00:00:61.000' is not a WebVTT timestamp$"),
        (["00:00:01.000 --> soon\n<v Sam>hi"], r"^line 3: 'soon' is not a WebVTT timestamp$"),
        ([f"{SECOND_ONE}\n<v Sam>hi", "g/1-0"], r"^line 6: the cue 'g/1-0' has no timing line$"),
    ],
)
def test_broken_cues_are_refused_by_line(blocks: list[str], problem: str) -> None:
    with pytest.raises(TranscriptError, match=problem):
        parse(*blocks)


def test_a_file_not_starting_with_webvtt_is_refused() -> None:
    with pytest.raises(TranscriptError, match=r"^line 1: a WebVTT file starts with WEBVTT, not 'Transcript'$"):
        TEAMS.parse(f"Transcript\n\n{SECOND_ONE}\n<v Sam>hi\n".encode())
