"""Tests the plain `Name: text` chat parser beyond its golden files."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from forum.errors import TranscriptError
from forum.transcripts.base import ChatMessage
from forum.transcripts.formats.plain import Plain

PLAIN = Plain()


def parse(text: str) -> list[ChatMessage]:
    """Parse plain chat text."""
    return PLAIN.parse(text.encode("utf-8")).messages


def speakers(text: str) -> list[tuple[str, str]]:
    """Parse plain chat text into (author, text) pairs."""
    return [(m.author_name, m.text) for m in parse(text)]


def test_corpus_text_that_is_not_whatsapp_is_plain(corpus: Path) -> None:
    data = (corpus / "whatsapp" / "not-a-whatsapp-chat.txt").read_bytes()
    assert PLAIN.sniff(data)
    assert [(m.author_name, m.text) for m in PLAIN.parse(data).messages] == [
        ("Sample User", "This file has nothing to do with whatsapp"),
        ("TestBot", "Yeah this is not the right format"),
        ("+410123456789", "What happens...\nif this file gets parsed?"),
    ]


@pytest.mark.parametrize(
    "line",
    ["Note: monthly", "NOTE: monthly", "Q1: How?", "A1: Like this", "a1b: also", "Q1 A: this", "RE Q1: yes",
     "PS: slides", "P.S.: slides", "Update: moved", "Edit: typo", "https://example.org/a: b", "*Q1*: bold",
     "I really do think: yes", "Why not?: because", "Well; then: no",
     "A speaker name that is far too long to be a name: text"],
)
def test_lines_that_are_not_speakers_continue_the_message(line: str) -> None:
    assert speakers(f"Sam Hartley: first\n{line}\n") == [("Sam Hartley", f"first\n{line}")]


@pytest.mark.parametrize(
    "name",
    ["Sam", "jdoe", "@LGovSM", "+44 7700 900123", "Ana de la Cruz", "Hartley, Sam (LGovSM)", "Jo Bloggs | Anytown",
     "Dr. Jo Bloggs", "Jürgen Weiß"],
)
def test_names_that_look_like_speakers(name: str) -> None:
    assert speakers(f"Host: Q1 How?\n{name}: A1 Like this\n")[1] == (name, "A1 Like this")


def test_a_lower_case_name_counts_once_it_recurs() -> None:
    assert speakers("Host: Q1\njo bloggs: A1 yes\nHost: Q2\njo bloggs: A2 no\n")[1] == ("jo bloggs", "A1 yes")
    assert speakers("Host: Q1\njo bloggs: A1 yes\n") == [("Host", "Q1\njo bloggs: A1 yes")]


def test_a_speaker_line_with_nothing_after_the_colon_takes_the_next_lines() -> None:
    assert speakers("Host:\nQ1 How?\nAna: A1\n") == [("Host", "Q1 How?"), ("Ana", "A1")]


def test_timestamps_are_optional_times_of_day() -> None:
    messages = parse("[20:01] Sam: Q1\n20:02:30 Ana: A1\nJo: A1 too\n")
    assert [(m.author_name, m.stamp) for m in messages] == [
        ("Sam", time(20, 1)), ("Ana", time(20, 2, 30)), ("Jo", None)
    ]


def test_lines_before_the_first_speaker_give_the_title() -> None:
    transcript = PLAIN.parse(b"\n#lgovsm, 12 March\nSam: Q1\nAna: A1\n")
    assert transcript.title == "#lgovsm, 12 March"
    assert PLAIN.parse(b"Sam: Q1\nAna: A1\n").title is None


def test_impossible_times_are_refused_by_line() -> None:
    with pytest.raises(TranscriptError, match=r"^line 2: '24:30' is not a time of day$"):
        parse("Sam: Q1\n24:30 Ana: A1\n")


@pytest.mark.parametrize(
    "head",
    [
        b"Sam: only one speaker line\nand prose after it\n",
        b'[{"id": "1", "text": "Sam: hi"}, {"id": "2", "text": "Ana: hello"}]',
        b'{"messages": [\n"Sam: hi",\n"Ana: hello"]}',
        b"id,from,text,time\n1,Sam,Sam: hi,20:00\n2,Ana,Ana: hello,20:01\n",
        b"WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nSam: hi\n\n2\n00:00:02.000 --> 00:00:03.000\nAna: hi\n",
        b"Dear all: thank you for coming.\nIt was great: really great.\n",
    ],
)
def test_sniff_refuses_what_is_not_a_plain_chat(head: bytes) -> None:
    assert not PLAIN.sniff(head)


def test_ids_are_content_hashes() -> None:
    first, second = parse("Sam: +1\nSam: +1\n")
    assert first.id != second.id and first.id.startswith("txt:")
    assert [m.id for m in parse("Ana: Hi\nSam: +1\n")][1] == first.id
