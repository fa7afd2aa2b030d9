"""A WebVTT cue reader and the merging of speaker turns, shared by the Teams and Zoom transcript formats."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta

from flask_babel import gettext as _

from forum.errors import TranscriptError
from forum.transcripts.base import ChatMessage
from forum.transcripts.formats._text import shorten

_HEADER = re.compile(r"WEBVTT(?:[ \t].*)?")
_SKIPPED_BLOCK = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t].*)?")
_TIMING = re.compile(r"(?P<start>\S+)[ \t]+-->[ \t]+(?P<end>\S+)(?:[ \t].*)?")
_TIMESTAMP = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2})[.,](\d{1,3})")
# Markup a cue may carry around its text: classes, styles, ruby, language spans and karaoke timestamps.
_TAG = re.compile(r"</?(?:[cibuv]|ruby|rt|lang)(?:[.\s][^<>]*)?>|<\d[\d:.]*>")


@dataclass(frozen=True)
class Cue:
    """One WebVTT cue: its id when it has one, when it starts and ends, its raw payload and where it is."""

    id: str | None
    start: timedelta
    end: timedelta
    payload: str
    line: int                       # the line of its timing


@dataclass(frozen=True)
class Speech:
    """What one speaker said in one cue; a `speaker` of None means the cue names nobody and continues."""

    speaker: str | None
    text: str
    cue: Cue
    utterance: str | None = None    # the recorder's utterance key: parts of one utterance join with a space


def is_webvtt(head: bytes) -> bool:
    """Say whether a file's head starts like a WebVTT document."""
    first = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].rstrip(b"\r")
    return _HEADER.fullmatch(first.decode("utf-8", "replace")) is not None


def read_cues(text: str) -> list[Cue]:
    """Read every cue of a WebVTT document, refusing the first malformed one by its line."""
    lines = text.split("\n")
    if not _HEADER.fullmatch(lines[0]):
        raise TranscriptError(_("line 1: a WebVTT file starts with WEBVTT, not %(found)s", found=repr(shorten(lines[0]))))
    blocks = _blocks(lines)
    next(blocks)  # the header block, checked above
    return [_cue(number, block) for number, block in blocks if not _SKIPPED_BLOCK.fullmatch(block[0])]


def cue_text(payload: str) -> str:
    """Return a cue's text without markup, its character references decoded exactly once."""
    return html.unescape(_TAG.sub("", payload)).strip()


def merge_speech(speeches: Iterable[Speech]) -> list[ChatMessage]:
    """Merge consecutive speech by one speaker into a message stamped and identified by its first cue."""
    messages: list[ChatMessage] = []
    ids: Counter[int] = Counter()
    previous: Speech | None = None
    for speech in speeches:
        if not speech.text:
            continue
        if speech.speaker is None and previous is not None:
            speech = replace(speech, speaker=previous.speaker)
        if previous is not None and speech.speaker == previous.speaker:
            same_utterance = speech.utterance is not None and speech.utterance == previous.utterance
            messages[-1].text += (" " if same_utterance else "\n") + speech.text
        else:
            messages.append(_message(speech, ids))
        previous = speech
    return messages


def _message(speech: Speech, ids: Counter[int]) -> ChatMessage:
    # Several messages can start in one cue (two voices in it), so repeats of a start get a suffix.
    start = speech.cue.start // timedelta(milliseconds=1)
    ids[start] += 1
    suffix = "" if ids[start] == 1 else f".{ids[start]}"
    return ChatMessage(
        id=f"cue:{start}{suffix}",
        author_name=speech.speaker or "",
        text=speech.text,
        stamp=speech.cue.start,
        # Speech before any named speaker can't be attributed, so it is not a post.
        kind="message" if speech.speaker else "system",
        line=speech.cue.line,
    )


def _blocks(lines: list[str]) -> Iterator[tuple[int, list[str]]]:
    # Blocks are separated by blank lines; each comes with the number of its first line.
    block: list[str] = []
    start = 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def _cue(number: int, block: list[str]) -> Cue:
    cue_id = None
    if "-->" not in block[0]:
        cue_id, block, number = block[0].strip(), block[1:], number + 1
    if not block:
        raise TranscriptError(_("line %(number)s: the cue %(cue)s has no timing line", number=number - 1,
                                cue=repr(shorten(cue_id or ""))))
    start, end = _timing(block[0], number)
    return Cue(cue_id, start, end, "\n".join(block[1:]), number)


def _timing(line: str, number: int) -> tuple[timedelta, timedelta]:
    match = _TIMING.fullmatch(line.strip())
    if match is None:
        raise TranscriptError(
            _("line %(number)s: expected a cue timing 'hh:mm:ss.ttt --> hh:mm:ss.ttt', found %(found)s",
              number=number, found=repr(shorten(line)))
        )
    return _offset(match["start"], number), _offset(match["end"], number)


def _offset(text: str, number: int) -> timedelta:
    match = _TIMESTAMP.fullmatch(text)
    if match is None or int(match[2]) > 59 or int(match[3]) > 59:
        raise TranscriptError(_("line %(number)s: %(text)s is not a WebVTT timestamp", number=number, text=repr(shorten(text))))
    hours, minutes, seconds, fraction = match.groups()
    return timedelta(
        hours=int(hours or 0), minutes=int(minutes), seconds=int(seconds), milliseconds=int(fraction.ljust(3, "0"))
    )
