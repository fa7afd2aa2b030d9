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
# Notes on where real samples come from (SOURCES.md beside them) are prose for people, not inputs.
NOTES = frozenset({"SOURCES.md"})
# Every other file in the test data: the other formats' inputs, and every JSON file beside the inputs.
FOREIGN = sorted(path for path in DATA.rglob("*") if path.is_file() and path not in OWN and path.name not in NOTES)


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


# Each corpus folder named after a format holds that format's files (slack_export/ holds the pieces of
# an export, which only a whole export zipped is). These files are the exceptions: what each is instead
# (None: no format, refused).
NOT_THEIR_FOLDERS_FORMAT = {
    # Lines of `Name: text` with no dates: a plain chat, as its upstream name says, not WhatsApp.
    "whatsapp/not-a-whatsapp-chat.txt": "plain",
    "whatsapp/empty.txt": None,
}


def corpus_files(corpus: Path) -> list[tuple[str, Path]]:
    """Return (folder/.../name, path) for every corpus file, in order."""
    return [(path.relative_to(corpus).as_posix(), path) for path in sorted(corpus.rglob("*")) if path.is_file()]


def their_format(relative: str) -> str | None:
    """The format a corpus file is: its top folder's name when a format has that name, or an exception above."""
    if relative in NOT_THEIR_FOLDERS_FORMAT:
        return NOT_THEIR_FOLDERS_FORMAT[relative]
    folder = relative.split("/", 1)[0]
    return folder if folder in ORDER else None


def detected(path: Path) -> str | None:
    """The format detect() finds for a file, or None when it refuses the file."""
    try:
        return detect(path.read_bytes(), path.name).name
    except TranscriptError:
        return None


def test_corpus_files_of_text_formats_are_detected_as_their_format(corpus: Path) -> None:
    files = [(relative, path) for relative, path in corpus_files(corpus) if relative.split("/", 1)[0] in TEXT_FORMATS]
    assert {relative.split("/", 1)[0] for relative, _path in files} >= {"whatsapp", "zoom_chat", "zoom_vtt"}
    assert {relative: detected(path) for relative, path in files} == {
        relative: their_format(relative) for relative, _path in files}


def test_an_empty_file_is_refused(corpus: Path) -> None:
    with pytest.raises(TranscriptError, match="the file is empty"):
        detect((corpus / "whatsapp" / "empty.txt").read_bytes(), "empty.txt")


def test_text_formats_leave_the_corpus_of_other_formats_alone(corpus: Path) -> None:
    files = corpus_files(corpus)
    assert any(their_format(relative) not in TEXT_FORMATS for relative, _path in files)
    claimed = {
        f"{relative}: {name}"
        for relative, path in files
        for name in TEXT_FORMATS
        if name != their_format(relative) and get(name).sniff(path.read_bytes()[:HEAD], path.name)
    }
    assert claimed == set()


def test_corpus_files_of_formats_without_an_importer_are_refused(corpus: Path) -> None:
    """Each loose file of slack_export/ (and any folder named after no format): no format may claim
    them, so an upload of one is refused with "not recognised" rather than misread."""
    unread = [(relative, path) for relative, path in corpus_files(corpus)
              if relative.split("/", 1)[0] not in ORDER and relative not in NOT_THEIR_FOLDERS_FORMAT]
    assert any(relative.startswith("slack_export/") for relative, _path in unread)
    assert {relative: detected(path) for relative, path in unread} == {relative: None for relative, _path in unread}
    relative, path = next((relative, path) for relative, path in unread if relative.endswith("channels.json"))
    with pytest.raises(TranscriptError, match="not recognised"):
        detect(path.read_bytes(), path.name)


@pytest.mark.parametrize("name", TEXT_FORMATS)
@pytest.mark.parametrize("data", [b"", b"\x00" * 100, b"\xef\xbb\xbf", b"\r\n" * 10, b"\x81\x8d\x8f\x90\x9d"])
def test_sniff_says_no_to_nothing(name: str, data: bytes) -> None:
    assert get(name).sniff(data) is False
