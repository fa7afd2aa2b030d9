"""Tests every text transcript format alike: golden files, bad input, and robustness under random input."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from pathlib import Path
from time import perf_counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forum.errors import TranscriptError
from forum.transcripts import get
from forum.transcripts.base import ChatMessage, Importer, Stamp
from tests.unit.transcripts._fuzz import FUZZ, mutations, truncations

DATA = Path(__file__).resolve().parents[2] / "data" / "transcripts"
TEXT_FORMATS = ["teams_vtt", "zoom_vtt", "meet_transcript", "zoom_chat", "signal", "whatsapp", "irc", "teams_chat",
                "plain"]
EXPECTED = ".expected.json"
GOLDEN = sorted(path for name in TEXT_FORMATS for path in (DATA / name).glob(f"*{EXPECTED}"))


def golden_input(expected: Path) -> Path:
    """Return the input file an expected-output file describes: same folder, same stem, one extension."""
    variant = expected.name.removesuffix(EXPECTED)
    (found,) = [path for path in expected.parent.glob(f"{variant}.*") if path.stem == variant]
    return found


def golden_inputs(name: str) -> list[bytes]:
    """Return the bytes of every golden input of one format."""
    return [golden_input(path).read_bytes() for path in GOLDEN if path.parent.name == name]


def serialise(message: ChatMessage) -> dict[str, object]:
    """Return a message as the JSON-ready dict the expected files hold."""
    return {
        "id": message.id,
        "author_name": message.author_name,
        "author_handle": message.author_handle,
        "author_id": message.author_id,
        "text": message.text,
        "stamp": serialise_stamp(message.stamp),
        "reply_to": message.reply_to,
        "url": message.url,
        "kind": message.kind,
    }


def serialise_stamp(stamp: Stamp) -> str | None:
    """Write a stamp as ISO 8601, `HH:MM:SS`, `+seconds` elapsed, or None."""
    if stamp is None:
        return None
    if isinstance(stamp, timedelta):
        return "+" + f"{stamp.total_seconds():f}".rstrip("0").rstrip(".")
    if isinstance(stamp, datetime):
        return stamp.isoformat()
    assert isinstance(stamp, time)
    return stamp.strftime("%H:%M:%S")


def parse_or_refuse(importer: Importer, data: bytes) -> None:
    """Parse data, accepting either messages or a one-line TranscriptError, and nothing else."""
    try:
        transcript = importer.parse(data)
    except TranscriptError as error:
        assert error.message and "\n" not in error.message
    else:
        assert transcript.messages
        assert all(isinstance(message.text, str) for message in transcript.messages)


def test_every_format_has_golden_files() -> None:
    assert {path.parent.name for path in GOLDEN} == set(TEXT_FORMATS)


@pytest.mark.parametrize("expected", GOLDEN, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_golden(expected: Path) -> None:
    transcript = get(expected.parent.name).parse(golden_input(expected).read_bytes())
    assert [serialise(message) for message in transcript.messages] == json.loads(expected.read_text("utf-8"))


@pytest.mark.parametrize(
    ("stamp", "written"),
    [
        (None, None),
        (timedelta(seconds=65, milliseconds=500), "+65.5"),
        (timedelta(hours=1, minutes=4), "+3840"),
        (time(9, 5), "09:05:00"),
        (datetime(2024, 3, 12, 20, 0, 15), "2024-03-12T20:00:15"),
    ],
)
def test_serialise_stamp(stamp: Stamp, written: str | None) -> None:
    assert serialise_stamp(stamp) == written


# -- bad input -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", TEXT_FORMATS)
@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty"),
        (b"  \r\n\n", "empty"),
        (b"\x00\x01\x02binary\x00", "binary"),
        (b"\x81\x8d\x8f\x90\x9d", "neither UTF-8 nor Windows-1252"),
    ],
    ids=["empty", "blank", "binary", "undecodable"],
)
def test_unreadable_files_are_refused(name: str, data: bytes, problem: str) -> None:
    with pytest.raises(TranscriptError, match=problem):
        get(name).parse(data)


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("teams_vtt", b"WEBVTT\n\nNOTE nothing was said\n", "the file has no spoken text"),
        ("zoom_vtt", b"WEBVTT\n", "the file has no spoken text"),
        ("zoom_chat", b"Meeting notes\nnothing here\n", "line 1: expected a Zoom chat line"),
        ("whatsapp", b"\n\nhello there\n", "line 3: expected a WhatsApp line"),
        ("signal", b"Conversation: Alice\n", "the file has no messages"),
        ("irc", b"--- Log opened Tue Mar 12 19:55:00 2024\n--- Log closed Tue Mar 12 20:00:00 2024\n", "no log lines"),
        ("plain", b"Just some prose.\nWith no speakers at all.\n", "no 'Name: text' lines"),
    ],
)
def test_files_without_messages_are_refused(name: str, data: bytes, problem: str) -> None:
    with pytest.raises(TranscriptError, match=problem):
        get(name).parse(data)


# -- robustness ------------------------------------------------------------------------------------

# Pieces of the formats' own syntax, so random edits reach deep into the parsers.
SYNTAX = st.sampled_from(
    [b":", b": ", b"\n", b"\r\n", b"\t", b" ", b"-->", b"[", b"]", b"<", b">", b"<v ", b"</v>", b'"', b"&#", b"&amp;",
     b"99", b"0", b"12:", b"/13/", b"\xe2\x80\x8e", b"\xe2\x80\xaf", b"\xff", b"\x00", b"WEBVTT", b"--- Day changed ",
     b"Replying to \"", b" PM", b"* ", b"***", b"From ", b" to ", b"Note: "]
)


def decode(piece: bytes) -> str:
    """Decode a piece of syntax as text, replacing what isn't UTF-8."""
    return piece.decode("utf-8", "replace")


@pytest.mark.parametrize("name", TEXT_FORMATS)
@FUZZ
@given(data=st.binary(max_size=512))
def test_random_bytes(name: str, data: bytes) -> None:
    importer = get(name)
    assert importer.sniff(data) in (True, False)
    parse_or_refuse(importer, data)


@pytest.mark.parametrize("name", TEXT_FORMATS)
@FUZZ
@given(text=st.text(max_size=300) | st.lists(st.text(max_size=20) | SYNTAX.map(decode), max_size=40).map("".join))
def test_random_text(name: str, text: str) -> None:
    importer = get(name)
    data = text.encode("utf-8")
    assert importer.sniff(data) in (True, False)
    parse_or_refuse(importer, data)


@pytest.mark.parametrize("name", TEXT_FORMATS)
@FUZZ
@given(choice=st.data())
def test_truncated_golden_inputs(name: str, choice: st.DataObject) -> None:
    importer = get(name)
    data = choice.draw(truncations(golden_inputs(name)))
    assert importer.sniff(data) in (True, False)
    parse_or_refuse(importer, data)


@pytest.mark.parametrize("name", TEXT_FORMATS)
@FUZZ
@given(choice=st.data())
def test_mutated_golden_inputs(name: str, choice: st.DataObject) -> None:
    importer = get(name)
    data = choice.draw(mutations(golden_inputs(name), SYNTAX))
    assert importer.sniff(data) in (True, False)
    parse_or_refuse(importer, data)


# Lines built to make backtracking regular expressions take quadratic time; each must still be read at once.
LONG = 50_000
HOSTILE = [
    ("zoom_chat", "10:00:00\tFrom x" + " " * LONG + "y: hi"),
    ("zoom_chat", "10:00:00 From a to Everyone:\n\tReplying to \"" + '" ' * LONG),
    ("teams_vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v" + " " * LONG),
    ("teams_vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n" + "<c." * LONG),
    ("zoom_vtt", "WEBVTT\n\n" + "-->" * LONG),
    ("whatsapp", "01/02/2024, 10:00 - a: x" + " " * LONG + "y"),
    ("signal", "[2024-03-12 20:01:00] Sam: " + "[" * LONG),
    ("signal", "[2024-03-12 20:01:00] Sam: " + "[a](./" * LONG),
    ("irc", "[10:00:00] *** " + "x" * LONG),
    ("plain", "a: b\nc: d\n" + " " * LONG + ": x"),
]


@pytest.mark.parametrize(("name", "text"), HOSTILE, ids=[name for name, _ in HOSTILE])
def test_hostile_lines_are_read_in_linear_time(name: str, text: str) -> None:
    importer = get(name)
    data = text.encode("utf-8")
    started = perf_counter()
    importer.sniff(data[:65536])
    parse_or_refuse(importer, data)
    # Linear work takes milliseconds; the quadratic kind takes minutes.
    assert perf_counter() - started < 5
