"""Tests the Telegram Desktop importer on real exports (tg2md's in the corpus; chat-history-manager's test
exports, MIT, in tests/data/transcripts/telegram/ with SOURCES.md) and on a hand-made chat in the 2024 shape."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from forum.errors import TranscriptError
from forum.transcripts import detect, get
from forum.transcripts.base import ChatMessage
from forum.transcripts.formats import telegram
from tests.unit.transcripts._social import DATA

FOLDER = DATA / "telegram"


def parse(*messages: dict[str, Any], chat_type: str = "private_supergroup") -> list[ChatMessage]:
    """Parse a one-chat export holding the given messages."""
    chat = {"name": "#lgovsm", "type": chat_type, "id": 1, "messages": list(messages)}
    return get("telegram").parse(json.dumps(chat).encode()).messages


def said(text: Any, **extra: Any) -> dict[str, Any]:
    """Return a message by Ann with the given text."""
    return {"id": 7, "type": "message", "date": "2024-05-08T20:04:31", "date_unixtime": "1715195071",
            "from": "Ann Example", "from_id": "user42", "text": text, **extra}


def test_corpus_tg2md_export(corpus: Path) -> None:
    data = (corpus / "telegram" / "tg2md_result.json").read_bytes()
    assert detect(data, "result.json").name == "telegram"
    transcript = get("telegram").parse(data)
    messages = {message.id: message for message in transcript.messages}
    assert transcript.title == "test"
    assert (messages["1"].kind, messages["1"].text) == ("system", "create channel")
    assert messages["2"].stamp == datetime(2020, 11, 12, 12, 54, 7)  # no date_unixtime: local wall-clock time
    assert messages["3"].text == "[Photo]" and messages["7"].text == "[Voice message]"
    assert messages["11"].text == "**multiline**\n**bold**\n\n**text**"
    assert messages["9"].text == "_italic_ in text\n\n_italic on whole line_"


def test_the_hand_made_chat_keeps_replies_and_marks_forwards_and_service_lines() -> None:
    messages = get("telegram").parse((FOLDER / "chat.json").read_bytes()).messages
    by_id = {message.id: message for message in messages}
    assert by_id["405"].reply_to == "403"
    assert by_id["405"].stamp == datetime(2024, 5, 8, 19, 4, 31, tzinfo=timezone.utc)
    assert by_id["403"].text == "**Q1:** How do you handle comments & complaints on social? #lgovsm"
    assert (by_id["408"].kind, by_id["401"].kind, by_id["404"].kind) == ("repost", "system", "system")
    assert (by_id["410"].author_name, by_id["410"].kind) == ("Deleted Account", "message")


@pytest.mark.parametrize(
    ("text", "flat"),
    [
        ([{"type": "bold", "text": "Q1:"}, " How?"], "**Q1:** How?"),
        ([{"type": "italic", "text": "never\n"}, "argue"], "_never_\nargue"),
        ([{"type": "text_link", "text": "guide ", "href": "https://example.org/g"}, "here"], "[guide](https://example.org/g) here"),
        ([{"type": "text_link", "text": "click", "href": "javascript:alert(1)"}], "click"),
        ([{"type": "blockquote", "text": "quoted\nlines"}, "\nA1 yes"], "> quoted\n> lines\nA1 yes"),
        ([{"type": "strikethrough", "text": "old"}, " ", {"type": "code", "text": "<b>"}], "~~old~~ `<b>`"),
        ([{"type": "custom_emoji", "text": "😁", "document_id": "x.webp"}, {"type": "spoiler", "text": "secret"}], "😁secret"),
        ([{"type": "mystery"}], ""),
    ],
    ids=["bold", "italic-newline", "link", "unsafe-link", "blockquote", "strike-code", "emoji-spoiler", "no-text"],
)
def test_rich_text_is_flattened_to_markdown(text: list[Any], flat: str) -> None:
    assert parse(said(text))[0].text == flat


def test_media_without_a_caption_is_said_and_nothing_at_all_is_not() -> None:
    photo, poll, empty = parse(said("", photo="(File not included.)"), said("", poll={"question": "Tea?"}), said(""))
    assert (photo.text, poll.text, empty.kind) == ("[Photo]", "[Poll: Tea?]", "system")


def test_a_personal_chat_is_private() -> None:
    assert parse(said("hi"), chat_type="personal_chat")[0].kind == "private"


def test_an_account_export_needs_its_chat_named() -> None:
    data = (FOLDER / "account_2025.json").read_bytes()
    assert telegram.chats(data) == ["Dummy Private Group", "Dummy Public Channel"]
    with pytest.raises(TranscriptError, match="^this export holds 2 chats: Dummy Private Group, Dummy Public Channel; "
                                              "name one with --channel$"):
        get("telegram").parse(data)
    assert get("telegram").parse(data, channel="Dummy Private Group").title == "Dummy Private Group"
    assert len(get("telegram").parse(data, channel="123123123").messages) == 5
    with pytest.raises(TranscriptError, match="the export has no chat 'general'"):
        get("telegram").parse(data, channel="general")


def test_an_account_export_of_one_chat_needs_no_choice() -> None:
    transcript = get("telegram").parse((FOLDER / "supergroup_2021.json").read_bytes())
    assert (transcript.title, [message.kind for message in transcript.messages]) == (
        "My Supergroup", ["system", "message", "message", "message"])


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        (said("x", date_unixtime="soon"), "the export, messages 1: date_unixtime 'soon' is not a Unix time"),
        ({"id": 1, "type": "message", "from": "a", "text": "x"}, "the export, messages 1: missing date"),
        ({"type": "message", "date": "2024-05-08T20:04:31", "text": "x"}, "the export, messages 1: missing id"),
        (said(12), "the export, messages 1: text should be text or a list, found a number"),
    ],
)
def test_bad_messages_are_named(message: dict[str, Any], problem: str) -> None:
    with pytest.raises(TranscriptError, match=problem):
        parse(message)


def test_other_json_with_messages_is_not_claimed() -> None:
    assert not get("telegram").sniff(b'{"messages": [{"id": 1, "text": "hi", "author": "a"}]}')
