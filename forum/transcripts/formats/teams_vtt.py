"""Microsoft Teams meeting transcripts: WebVTT cues with `<v Speaker>` voices, utterances split over `GUID/N-M` ids."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.transcripts import register
from forum.transcripts.base import Importer, Transcript, decode_text
from forum.transcripts.formats._text import require_messages
from forum.transcripts.formats._vtt import Cue, Speech, cue_text, is_webvtt, merge_speech, read_cues

# The split keeps each voice tag, so the text after one belongs to the voice it names.
_VOICE = re.compile(r"(<v(?:\.[^\s<>]*)?[ \t][^<>]*>)")
_VOICE_NAME = re.compile(r"<v(?:\.[^\s<>]*)?[ \t]([^<>]*)>")
_VOICE_BYTES = re.compile(rb"<v[ \t.]")
# `GUID/12-0`, `GUID/12-1`: parts 0, 1 of utterance 12.
_UTTERANCE_PART = re.compile(r"(.+/\d+)-\d+")


@register
class TeamsVtt(Importer):
    """Read a Teams transcript, one message per run of cues by the same speaker."""

    name = "teams_vtt"
    label = _l("Microsoft Teams transcript (WebVTT)")
    platform = "teams"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Say whether the head is WebVTT with voice tags."""
        return is_webvtt(head) and _VOICE_BYTES.search(head) is not None

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read every cue and merge each speaker's consecutive cues into one message."""
        cues = read_cues(decode_text(data))
        messages = merge_speech(speech for cue in cues for speech in _speeches(cue))
        return Transcript(self.name, self.platform, require_messages(messages, _("spoken text")))


def _speeches(cue: Cue) -> Iterator[Speech]:
    utterance = _utterance(cue.id)
    before, *voiced = _VOICE.split(cue.payload)
    yield Speech(None, cue_text(before), cue, utterance)
    for tag, text in zip(voiced[::2], voiced[1::2]):
        speaker = html.unescape(_VOICE_NAME.fullmatch(tag)[1]).strip()
        yield Speech(speaker or None, cue_text(text), cue, utterance)


def _utterance(cue_id: str | None) -> str | None:
    match = _UTTERANCE_PART.fullmatch(cue_id or "")
    return match[1] if match else None
