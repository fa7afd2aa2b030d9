"""Tests that the text formats recognise their own files and leave every other format's files alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from forum.errors import TranscriptError
from forum.transcripts import detect, get
from forum.transcripts.formats import ORDER
from tests.unit.transcripts.test_text_formats import DATA, GOLDEN, TEXT_FORMATS, golden_input

HEAD = 65536
OWN = [golden_input(expected) for expected in GOLDEN]
# Every other file in the test data: the other formats' inputs, and every JSON file beside the inputs.
FOREIGN = sorted(path for path in DATA.rglob("*") if path.is_file() and path not in OWN)


def label(path: Path) -> str:
    """Name a test data file by its folder and name."""
    return f"{path.parent.name}/{path.name}"


def test_text_formats_are_sniffed_in_the_documented_order() -> None:
    assert [name for name in ORDER if name in TEXT_FORMATS] == TEXT_FORMATS


@pytest.mark.parametrize("path", OWN, ids=label)
def test_golden_inputs_are_detected_as_their_format(path: Path) -> None:
    assert detect(path.read_bytes(), path.name).name == path.parent.name


@pytest.mark.parametrize("path", OWN, ids=label)
def test_no_other_text_format_claims_a_golden_input(path: Path) -> None:
    head = path.read_bytes()[:HEAD]
    assert [name for name in TEXT_FORMATS if name != path.parent.name and get(name).sniff(head, path.name)] == []


@pytest.mark.parametrize("path", FOREIGN, ids=label)
def test_text_formats_leave_other_formats_files_alone(path: Path) -> None:
    head = path.read_bytes()[:HEAD]
    assert [name for name in TEXT_FORMATS if get(name).sniff(head, path.name)] == []


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("whatsapp/short-chat.txt", "whatsapp"),
        ("zoom_chat/test-zoom-chat.txt", "zoom_chat"),
        # Lines of `Name: text` with no dates: a plain chat, as its upstream name says, not WhatsApp.
        ("whatsapp/not-a-whatsapp-chat.txt", "plain"),
    ],
)
def test_corpus_files_are_detected(corpus: Path, relative: str, expected: str) -> None:
    path = corpus / relative
    assert detect(path.read_bytes(), path.name).name == expected


def test_an_empty_file_is_refused(corpus: Path) -> None:
    with pytest.raises(TranscriptError, match="the file is empty"):
        detect((corpus / "whatsapp" / "empty.txt").read_bytes(), "empty.txt")


def test_text_formats_leave_the_corpus_of_other_formats_alone(corpus: Path) -> None:
    ours = ("whatsapp", "zoom_chat")
    others = [path for path in corpus.rglob("*") if path.is_file() and path.relative_to(corpus).parts[0] not in ours]
    assert others
    claimed = {
        f"{path.relative_to(corpus)}: {name}"
        for path in others
        for name in TEXT_FORMATS
        if get(name).sniff(path.read_bytes()[:HEAD], path.name)
    }
    assert claimed == set()


@pytest.mark.parametrize("name", TEXT_FORMATS)
@pytest.mark.parametrize("data", [b"", b"\x00" * 100, b"\xef\xbb\xbf", b"\r\n" * 10, b"\x81\x8d\x8f\x90\x9d"])
def test_sniff_says_no_to_nothing(name: str, data: bytes) -> None:
    assert get(name).sniff(data) is False
