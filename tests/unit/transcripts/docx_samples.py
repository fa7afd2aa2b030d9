"""Build meeting-transcript .docx files in the layouts Teams and Google Docs write, with python-docx.

No real Teams or Google Meet .docx transcript is published anywhere we could find, so these follow the
vendors' documented layouts (Microsoft's "View, download and share a transcript" help: title block,
then `Speaker   m:ss`, a line break and the text; exports before 2022 wrote `0:0:5.100 --> 0:0:8.250`,
the speaker and the text as paragraphs; Google's "Use transcripts with Google Meet" help: title,
Attendees, Transcript, then `00:00:00` marks and `Name: text` paragraphs). Run this file to rebuild
the checked-in samples: python -m tests.unit.transcripts.docx_samples
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from docx import Document

DATA = Path(__file__).resolve().parents[2] / "data" / "transcripts"

TITLE_BLOCK = ["lgovsm live-20240508_200012-Meeting Recording", "May 8, 2024, 7:00PM", "58m 12s"]
UTTERANCES = [
    ("LocalGov Digital", "0:04", "Welcome everyone to the #lgovsm chat, live in Teams tonight."),
    ("LocalGov Digital", "2:00", "Q1 How do you handle comments and complaints on social?"),
    ("Ann Example", "4:31", "A1 We triage daily and reply within 24 hours."),
    ("Ann Example", "4:40", "We review the hard ones together at 2:30"),
    ("Pérez, Bob (Guest)", "6:10", "A1 Same here, the triage idea saved us hours."),
    ("LocalGov Digital", "20:00", "Q2 What tools do you use?"),
    ("Ann Example", "21:30", "A2 A shared inbox and a spreadsheet."),
    ("LocalGov Digital", "1:00:03", "Thanks all, see you next week."),
]


def save(document: Document) -> bytes:
    """Return a python-docx document as .docx bytes."""
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def teams(utterances: Sequence[tuple[str, str, str]] = UTTERANCES, *, title_block: Sequence[str] = TITLE_BLOCK,
          starter: str | None = "LocalGov Digital", separate: bool = False) -> bytes:
    """A Teams transcript: each utterance one paragraph, `Name   m:ss`, a line break, the text (or two paragraphs)."""
    document = Document()
    for line in title_block:
        document.add_paragraph(line)
    if starter:
        document.add_paragraph(f"{starter}   started transcription")
    for speaker, time, text in utterances:
        if separate:
            document.add_paragraph(f"{speaker}   {time}")
            document.add_paragraph(text)
            continue
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{speaker}   {time}").add_break()
        paragraph.add_run(text)
    if starter:
        document.add_paragraph(f"{starter}   stopped transcription")
    return save(document)


def teams_legacy(utterances: Sequence[tuple[str, str, str]] = UTTERANCES) -> bytes:
    """A pre-2022 Teams transcript: `h:m:s.ms --> h:m:s.ms`, the speaker and the text, each a paragraph."""
    document = Document()
    for speaker, time, text in utterances:
        parts = [int(part) for part in time.split(":")]
        hours, minutes, seconds = [0] * (3 - len(parts)) + parts
        document.add_paragraph(f"{hours}:{minutes}:{seconds}.0 --> {hours}:{minutes}:{seconds + 4}.250")
        document.add_paragraph(speaker)
        document.add_paragraph(text)
    return save(document)


def meet(lines: Sequence[str]) -> bytes:
    """A Google Meet transcript saved from Google Docs as .docx: one paragraph a line."""
    document = Document()
    for line in lines:
        document.add_paragraph(line)
    return save(document)


def main() -> None:
    """Write the checked-in samples."""
    (DATA / "teams_docx").mkdir(exist_ok=True)
    (DATA / "teams_docx" / "meeting.docx").write_bytes(teams())
    (DATA / "teams_docx" / "paragraphs.docx").write_bytes(teams(separate=True))
    (DATA / "teams_docx" / "legacy.docx").write_bytes(teams_legacy())
    meet_text = (DATA / "meet_transcript" / "meeting.txt")
    if meet_text.exists():
        (DATA / "meet_transcript" / "docs.docx").write_bytes(meet(meet_text.read_text("utf-8").splitlines()))


if __name__ == "__main__":
    main()
