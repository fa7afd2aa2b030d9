"""Tests the Teams transcript .docx importer on files built in Teams' documented layouts with python-docx.

No real Teams .docx transcript is public, so tests/unit/transcripts/docx_samples.py builds them (and the
checked-in samples under tests/data/transcripts/teams_docx/) from the layout Microsoft documents.
"""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forum.errors import TranscriptError
from forum.transcripts import detect, get
from forum.transcripts.formats import _docx
from tests.unit.transcripts._fuzz import FUZZ, mutations, truncations
from tests.unit.transcripts._social import zip_members
from tests.unit.transcripts.docx_samples import UTTERANCES, teams, teams_legacy
from tests.unit.transcripts.test_text_formats import serialise

FOLDER = Path(__file__).resolve().parents[2] / "data" / "transcripts" / "teams_docx"
GOLDEN = sorted(FOLDER.glob("*.docx"))
TEAMS = get("teams_docx")


@pytest.mark.parametrize("path", GOLDEN, ids=lambda path: path.name)
def test_golden(path: Path) -> None:
    expected = json.loads((FOLDER / f"{path.stem}.expected.json").read_text("utf-8"))
    assert [serialise(message) for message in TEAMS.parse(path.read_bytes()).messages] == expected


@pytest.mark.parametrize("path", GOLDEN, ids=lambda path: path.name)
def test_golden_files_are_detected_from_their_head(path: Path) -> None:
    data = path.read_bytes()
    assert TEAMS.sniff(data[:65536], path.name)
    assert detect(data, path.name).name == "teams_docx"


def test_the_three_layouts_say_the_same() -> None:
    def said(data: bytes) -> list[tuple[str, timedelta, str]]:
        return [(m.author_name, m.stamp, m.text) for m in TEAMS.parse(data).messages if m.kind == "message"]
    assert said(teams()) == said(teams(separate=True)) == said(teams_legacy())
    assert said(teams())[1] == ("LocalGov Digital", timedelta(minutes=2), UTTERANCES[1][2])


def test_times_are_elapsed_and_past_the_hour_have_hours() -> None:
    last = [m for m in TEAMS.parse(teams()).messages if m.kind == "message"][-1]
    assert last.stamp == timedelta(hours=1, seconds=3)


def test_a_time_said_in_a_paragraph_of_its_own_is_text_not_a_speaker() -> None:
    messages = TEAMS.parse(teams(separate=True)).messages
    assert any(m.author_name == "Ann Example" and m.text == "We review the hard ones together at 2:30" for m in messages)


def test_the_title_block_is_the_title_and_transcription_notices_are_system_lines() -> None:
    transcript = TEAMS.parse(teams())
    assert transcript.title == "lgovsm live-20240508_200012-Meeting Recording"
    assert [m.kind for m in transcript.messages if "transcription" in m.text] == ["system", "system"]


def test_a_big_transcript_is_sniffed_from_its_first_64_kib() -> None:
    data = teams(UTTERANCES * 500)
    assert len(data) > 65536 or TEAMS.sniff(data[:65536])
    assert TEAMS.sniff(data[:65536])


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "the file is empty"),
        (b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Sam>hi", "this is not a Word .docx file"),
        (zip_members({"word/other.xml": b"<x/>"}), "the .docx has no word/document.xml"),
        (zip_members({"word/document.xml": b"<w:document><w:body><w:p>"}), r"the \.docx is damaged"),
        (teams()[: len(teams()) // 2], r"the \.docx is damaged"),
    ],
    ids=["empty", "vtt", "no-document", "broken-xml", "cut-in-half"],
)
def test_broken_files_are_refused(data: bytes, problem: str) -> None:
    with pytest.raises(TranscriptError, match=problem):
        TEAMS.parse(data)


def test_a_document_without_transcript_lines_is_refused() -> None:
    from tests.unit.transcripts.docx_samples import meet
    with pytest.raises(TranscriptError, match="the file has no Teams transcript lines"):
        TEAMS.parse(meet(["Minutes of the meeting", "Nothing was said."]))


def test_a_document_that_unpacks_too_far_is_refused_without_unpacking_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_docx, "MAX_DOCUMENT_BYTES", 1 << 20)
    bomb = zip_members({"word/document.xml": b"<w:document>" + b" " * (20 << 20) + b"</w:document>"})
    assert len(bomb) < 100_000 and zipfile.is_zipfile(__import__("io").BytesIO(bomb))
    with pytest.raises(TranscriptError, match="unpacks to more than 1 MB"):
        TEAMS.parse(bomb)


def test_other_word_documents_and_zips_are_not_claimed() -> None:
    from tests.unit.transcripts.docx_samples import meet
    assert not TEAMS.sniff(meet(["Minutes", "Attendees", "Ann, Bob", "Transcript", "00:00:00", "Ann: hi"]))
    assert not TEAMS.sniff(meet(["Minutes of the committee", "Present: Ann, Bob"]))
    assert not TEAMS.sniff(zip_members({"general/2024-05-08.json": b"[]"}))


def _parse_or_refuse(data: bytes) -> None:
    try:
        transcript = TEAMS.parse(data)
    except TranscriptError as error:
        assert error.message and "\n" not in error.message
    else:
        assert transcript.messages and all(isinstance(m.stamp, timedelta) for m in transcript.messages)


@FUZZ
@given(choice=st.data())
def test_truncated_and_mutated_files_are_read_or_refused(choice: st.DataObject) -> None:
    inputs = [path.read_bytes() for path in GOLDEN]
    data = choice.draw(truncations(inputs) | mutations(inputs, st.sampled_from([b"PK\x03\x04", b"\x00", b"<w:p>"])))
    assert TEAMS.sniff(data[:65536]) in (True, False)
    _parse_or_refuse(data)


@FUZZ
@given(lines=st.lists(st.text(max_size=40) | st.sampled_from(["Ann   0:03", "0:0:1.0 --> 0:0:2.0", "Bob   61:99",
                                                               "Ann   started transcription", "1:02:03"]), max_size=12))
def test_any_paragraphs_are_read_or_refused(lines: list[str]) -> None:
    from tests.unit.transcripts.docx_samples import meet
    cleaned = ["".join(ch for ch in line if ch.isprintable()) for line in lines]
    _parse_or_refuse(meet(cleaned))
