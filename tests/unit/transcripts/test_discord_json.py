"""Tests the DiscordChatExporter JSON importer on zulip's real and hand-made exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from forum.errors import TranscriptError
from forum.transcripts import get
from forum.transcripts.base import Transcript


def export(corpus: Path, name: str) -> Transcript:
    """Parse the one corpus export whose file name starts with `name`."""
    (path,) = [path for path in (corpus / "discord_json" / "zulip").rglob("*.json") if path.name.startswith(name)]
    return get("discord_json").parse(path.read_bytes())


def test_corpus_real_export(corpus: Path) -> None:
    transcript = export(corpus, "zulip-discord server - Text Channels - general [1519311538035490958].json")
    messages = transcript.messages
    assert (transcript.title, len(messages)) == ("general", 12)
    join = messages[0]
    assert (join.kind, join.author_handle, join.author_id) == (
        "system", "test-zulip-import#9431", "1000000000000000003")
    assert messages[1].text == "**Bold** *italic* __underline__"
    assert messages[6].text == "\U0001F4AF"  # written as the surrogate pair \uD83D\uDCAF
    assert messages[1].stamp.isoformat() == "2026-06-24T19:06:04.627000+07:00"  # the exporter's offset is kept
    assert messages[1].id == "1519312655884750991"


def test_corpus_replies_and_pins(corpus: Path) -> None:
    messages = export(corpus, "zulip-discord server - Text Channels - general [1519311538035490958] [part 2]").messages
    assert (messages[0].kind, messages[0].reply_to) == ("message", "1519313281611862046")
    assert [message.kind for message in messages].count("system") == 2  # a pin and a join


def test_corpus_forward_is_a_repost_of_the_forwarded_text(corpus: Path) -> None:
    forward = export(corpus, "zulip-discord server - Text Channels - general-2").messages[0]
    assert (forward.kind, forward.text, forward.reply_to) == ("repost", "Reactions", None)


def test_corpus_hand_made_export(corpus: Path) -> None:
    messages = export(corpus, "Test Server - Text - general").messages
    assert [message.kind for message in messages] == [
        "message", "message", "message", "system", "system", "message", "system"]
    assert messages[2].reply_to == "msg001"
    assert messages[0].author_name == "Alice Smith" and messages[0].author_handle == "alice"


def test_corpus_direct_messages_are_private(corpus: Path) -> None:
    for name in ("Direct Messages - Alice Smith [DM001]", "Direct Messages - Alice Smith, Bob Jones"):
        assert {message.kind for message in export(corpus, name).messages} == {"private"}


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        ({"id": "1", "timestamp": "2024-05-08T20:00:00+01:00"}, "messages 1: missing author"),
        ({"id": "1", "timestamp": "yesterday", "author": {"name": "a"}},
         "timestamp 'yesterday' is not an ISO 8601 time"),
        ({"id": 1.5, "timestamp": "2024-05-08T20:00:00+01:00", "author": {"name": "a"}}, "id should be an id"),
    ],
)
def test_bad_messages_are_refused(message: dict[str, object], problem: str) -> None:
    document = {"guild": None, "channel": {"name": "lgovsm"}, "messages": [message]}
    with pytest.raises(TranscriptError, match=problem):
        get("discord_json").parse(json.dumps(document).encode())


def test_two_exports_in_one_file_are_refused() -> None:
    document = json.dumps({"guild": None, "channel": {"name": "x"}, "messages": []})
    with pytest.raises(TranscriptError, match="holds 2 JSON documents where one was expected"):
        get("discord_json").parse((document + document).encode())


def test_a_message_of_attachments_only_is_said_and_an_empty_one_is_not() -> None:
    data = (Path(__file__).resolve().parents[2] / "data" / "transcripts" / "discord_json" / "channel.json").read_bytes()
    by_id = {message.id: message for message in get("discord_json").parse(data).messages}
    upload, sticker = by_id["1237813001876543488"], by_id["1237813002876543488"]
    assert (upload.kind, upload.text) == (
        "message", "https://cdn.discordapp.com/attachments/1187654321098765433/1237813001700000000/triage-flow.png")
    assert (sticker.kind, sticker.text) == ("system", "")
