"""Google Meet transcripts, as Meet saves them in Google Docs and people download them (.docx or .txt).

Google's help ("Use transcripts with Google Meet") and the files themselves: a title line (the meeting
name, date and "Transcript"), "Attendees" and their names, "Transcript", then `00:00:00` marks every few
minutes between `Name: text` paragraphs; a closing "Meeting ended after 01:02:03" and a note that the
transcript was computer generated. Marks are elapsed since the meeting began: --start dates them.
"""

from __future__ import annotations

import re
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.transcripts import register
from forum.transcripts.base import ChatMessage, Importer, Kind, Transcript, decode_text
from forum.transcripts.formats import _docx
from forum.transcripts.formats._text import ContentIds, head_lines, require_messages

_MARK = re.compile(r"(\d{1,2}):([0-5]\d):([0-5]\d)")
# "Ann Example: text"; Gemini's newer transcripts write "Ann Example ~: text".
_SPEAKER = re.compile(r"(?P<name>[^:\n]{1,80}?)\s*~?:\s+(?P<text>.*)")
_HEADINGS = {"attendees", "transcript"}
# Words followed by a colon in running text, not speakers.
_NOT_NAMES = {"note", "nb", "ps", "update", "edit", "question", "answer", "reminder", "link", "also"}
_CLOSING = re.compile(r"Meeting ended after \d{1,2}:\d{2}:\d{2}.*|This editable transcript was computer generated.*",
                      re.I)


@register
class MeetTranscript(Importer):
    """Read a Google Meet transcript; speakers are matched against its Attendees when it lists them."""

    name = "meet_transcript"
    label = _l("Google Meet transcript (.docx or .txt from Google Docs)")
    platform = "meet"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Say whether the first lines hold the Transcript heading and a 00:00:00 mark (or Attendees)."""
        lines = _docx.head_lines(head)[:30] if _docx.is_docx(head) else head_lines(head, limit=30)
        stripped = [line.strip() for line in lines]
        return "transcript" in {line.lower() for line in stripped} and (
            "attendees" in {line.lower() for line in stripped} or any(_MARK.fullmatch(line) for line in stripped))

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read every `Name: text` paragraph after the Transcript heading, timed by the latest mark."""
        if _docx.is_docx(data[:65536]):
            lines = [line for paragraph in _docx.paragraphs(data) for line in paragraph]
        else:
            lines = [line.strip() for line in decode_text(data).split("\n") if line.strip()]
        title, attendees, body = _sections(lines)
        ids = ContentIds("meet")
        messages: list[ChatMessage] = []
        mark = timedelta(0)
        for number, line in body:
            if found := _MARK.fullmatch(line):
                mark = timedelta(hours=int(found[1]), minutes=int(found[2]), seconds=int(found[3]))
                continue
            speaker = _SPEAKER.fullmatch(line)
            name = speaker["name"].strip() if speaker else ""
            # Meet lists everyone who joined under Attendees; without the list, the name's shape decides.
            if speaker and (name in attendees or (not attendees and _could_be_name(name))):
                kind: Kind = "message"
                messages.append(ChatMessage(id=None, author_name=name, text=speaker["text"].strip(), stamp=mark,
                                            kind=kind, line=number))
            elif _CLOSING.fullmatch(line):
                messages.append(ChatMessage(id=None, author_name="", text=line, stamp=mark, kind="system", line=number))
            elif messages and messages[-1].kind == "message":
                messages[-1].text += "\n" + line
        for message in messages:
            message.id = ids(message.stamp, message.author_name, message.text)
        return Transcript(self.name, self.platform, require_messages(messages, _("'Name: text' lines")), title=title)


def _sections(lines: list[str]) -> tuple[str | None, set[str], list[tuple[int, str]]]:
    """Split the lines into the title, the attendees' names and the numbered transcript lines."""
    lowered = [line.lower() for line in lines]
    title = lines[0] if lines and lowered[0] not in _HEADINGS else None
    if title and title.lower().endswith(" - transcript"):
        title = title[: -len(" - transcript")]
    attendees: set[str] = set()
    start = 0
    if "transcript" in lowered:
        start = lowered.index("transcript") + 1
        if "attendees" in lowered[:start]:
            listed = lines[lowered.index("attendees") + 1:start - 1]
            attendees = {name.strip() for line in listed for name in line.split(",") if name.strip()}
    return title, attendees, list(enumerate(lines, 1))[start:]


def _could_be_name(name: str) -> bool:
    return (0 < len(name.split()) <= 6 and not re.match(r"(?i)(?:re\s*)?[qa]\s?\d", name) and "http" not in name
            and name.lower() not in _NOT_NAMES)
