"""Microsoft Teams meeting transcripts downloaded as .docx: `Speaker   0:03` then what they said.

Teams' "Download as .docx" writes a title block (meeting name, date, duration, "X started
transcription"), then for each utterance the speaker's name and the time elapsed since the recording
began (`m:ss`, or `h:mm:ss` past the hour), a line break, and the text. Files from before 2022 write a
`0:0:5.100 --> 0:0:8.250` line, the speaker, and the text instead. Times are elapsed: --start dates them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.transcripts import register
from forum.transcripts.base import ChatMessage, Importer, Kind, Transcript
from forum.transcripts.formats._docx import head_lines, paragraphs
from forum.transcripts.formats._text import ContentIds, require_messages

# "Ann Example   0:03", "Farías, Ana (Guest)  1:02:03"; a name never ends in a comma (dates do).
_SPEAKER = re.compile(r"(?P<name>\S.{0,99}?[^,\s])[ \t\u00a0]+(?P<time>\d{1,2}:\d{2}(?::\d{2})?)")
# "0:0:5.100 --> 0:0:8.250" (older exports), with or without a speaker before it.
_TIMING = re.compile(r"(?:(?P<name>\S.{0,99}?)[ \t\u00a0]+)?(?P<start>\d{1,2}:\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?)"
                     r"\s*-->\s*\d{1,2}:\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?")
_TRANSCRIPTION = re.compile(r"(?P<name>.+?)\s+(?:started|stopped) transcription", re.I)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


@dataclass
class _Utterance:
    speaker: str
    start: timedelta
    line: int
    texts: list[str] = field(default_factory=list)
    kind: Kind = "message"


@register
class TeamsDocx(Importer):
    """Read a Teams transcript .docx, one message per utterance."""

    name = "teams_docx"
    label = _l("Microsoft Teams transcript (.docx)")
    platform = "teams"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Say whether the head is a .docx whose first lines are a Teams transcript's."""
        lines = head_lines(head)[:40]
        return any(_TRANSCRIPTION.fullmatch(line) or _timing(line) or _speaker(line) for line in lines) and not any(
            line.lower() in ("attendees", "transcript") for line in lines)

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read every utterance after the title block; "started/stopped transcription" are system lines."""
        found = paragraphs(data)
        first = found[0][0] if found else ""
        title = first if first and not (_speaker(first) or _timing(first)) else None
        ids = ContentIds("teams")
        messages: list[ChatMessage] = []
        for utterance in _utterances(found):
            # Teams already joins a speaker's sentences into one utterance; a new one follows a pause, and
            # is kept apart so a question asked after a welcome still opens its own post.
            text = "\n".join(utterance.texts).strip()
            if not text:
                continue
            messages.append(ChatMessage(
                id=None, author_name=utterance.speaker, text=text, stamp=utterance.start,
                kind=utterance.kind, line=utterance.line,
            ))
        for message in messages:
            message.id = ids(message.stamp, message.author_name, message.text)
        return Transcript(self.name, self.platform, require_messages(messages, _("Teams transcript lines")), title=title)


def _utterances(found: list[list[str]]) -> Iterator[_Utterance]:
    current: _Utterance | None = None
    pending_start: timedelta | None = None  # an older export's timing line, waiting for its speaker's line
    latest = timedelta(-1)
    lines = [(index == 0, line) for paragraph in found for index, line in enumerate(paragraph)]
    for number, (opens, line) in enumerate(lines, 1):
        # Speaker and timing lines open a paragraph, in time order; "see you at 2:30" inside one is text.
        if opens and (transcription := _TRANSCRIPTION.fullmatch(line)):
            if current:
                yield current
            current = None
            yield _Utterance(transcription["name"].strip(), pending_start or max(latest, timedelta(0)), number,
                             [line], "system")
            continue
        if opens and (timing := _timing(line)) and timing[1] >= latest:
            if current:
                yield current
            current = None
            name, pending_start = timing
            latest = pending_start
            if name:
                current, pending_start = _Utterance(name, pending_start, number), None
            continue
        if opens and (speaker := _speaker(line)) and speaker[1] >= latest:
            if current:
                yield current
            current, pending_start = _Utterance(speaker[0], speaker[1], number), None
            latest = speaker[1]
            continue
        if pending_start is not None:
            current, pending_start = _Utterance(line, pending_start, number), None
        elif current is not None:
            current.texts.append(line)
        # Lines before the first speaker are the title block: name, date, duration.
    if current:
        yield current


def _speaker(line: str) -> tuple[str, timedelta] | None:
    match = _SPEAKER.fullmatch(line)
    if match is None or _YEAR.search(match["name"]):
        return None
    elapsed = _elapsed(match["time"])
    return (match["name"].strip(), elapsed) if elapsed is not None else None


def _timing(line: str) -> tuple[str | None, timedelta] | None:
    match = _TIMING.fullmatch(line)
    if match is None:
        return None
    elapsed = _elapsed(match["start"])
    return ((match["name"] or "").strip() or None, elapsed) if elapsed is not None else None


def _elapsed(text: str) -> timedelta | None:
    clock, _, fraction = text.replace(",", ".").partition(".")
    parts = [int(part) for part in clock.split(":")]
    if any(part > 59 for part in parts[1:]):
        return None
    hours, minutes, seconds = ([0] * (3 - len(parts)) + parts)
    return timedelta(hours=hours, minutes=minutes, seconds=seconds, milliseconds=int(fraction.ljust(3, "0")[:3] or 0))
