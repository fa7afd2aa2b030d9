"""Zoom cloud-recording transcripts: numbered WebVTT cues whose text starts with `Speaker Name: `."""

from __future__ import annotations

import html
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.transcripts import register
from forum.transcripts.base import Importer, Transcript, decode_text
from forum.transcripts.formats._text import require_messages
from forum.transcripts.formats._vtt import Cue, Speech, cue_text, is_webvtt, merge_speech, read_cues

_SPEAKER = re.compile(r"(?P<speaker>[^:\n]{1,60}): (?P<text>.*)", re.S)
# The start of a cue's first line when Zoom knows who spoke: `Name: `.
_SPEAKER_LINE = re.compile(r"[^:<]{1,60}: ")
_VOICE = re.compile(rb"<v[ \t.]")


@register
class ZoomVtt(Importer):
    """Read a Zoom transcript, one message per run of cues by the same speaker."""

    name = "zoom_vtt"
    label = _l("Zoom cloud recording transcript (WebVTT)")
    platform = "zoom"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Say whether the head is WebVTT without voice tags whose cues name speakers."""
        return is_webvtt(head) and _VOICE.search(head) is None and _names_speakers(head)

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read every cue and merge each speaker's consecutive cues into one message."""
        messages = merge_speech(_speech(cue) for cue in read_cues(decode_text(data)))
        return Transcript(self.name, self.platform, require_messages(messages, _("spoken text")))


def _names_speakers(head: bytes) -> bool:
    # A timing line followed by a `Name: ` line, as Zoom writes every cue when it knows the speakers.
    lines = head.decode("utf-8", "replace").splitlines()
    return any("-->" in timing and _SPEAKER_LINE.match(text) for timing, text in zip(lines, lines[1:]))


def _speech(cue: Cue) -> Speech:
    match = _SPEAKER.fullmatch(cue.payload.strip())
    if match is None:
        return Speech(None, cue_text(cue.payload), cue)
    speaker = html.unescape(match["speaker"]).strip() or None
    # Zoom cuts a speaker's turn into cues by length, so the whole turn is one utterance joined by spaces.
    return Speech(speaker, cue_text(match["text"]), cue, utterance=speaker)
