"""Tests the Signal export parser (signal-export Markdown, sigtop text and short text) beyond its golden files."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from forum.errors import TranscriptError
from forum.transcripts import detect, get
from forum.transcripts.base import ChatMessage
from forum.transcripts.formats.signal import Signal

SIGNAL = Signal()


def parse(text: str) -> list[ChatMessage]:
    """Parse Signal export text."""
    return SIGNAL.parse(text.encode("utf-8")).messages


MARKDOWN = "[2024-03-12 20:01:00] Sam: Q1 How?  \n[2024-03-12 20:02:00] Me: A1 Like this  \n"
SIGTOP = (
    "Conversation: #lgovsm\n\nFrom: Sam (+447700900001)\nType: incoming\nSent: Tue, 12 Mar 2024 20:01:00 +0100\n"
    "Received: Tue, 12 Mar 2024 20:01:01 +0100\n\nQ1 How?\n\n"
)
SHORT = "2024-03-12 20:01 Sam: Q1 How?\n2024-03-12 20:02 You: A1 Like this\n"


@pytest.mark.parametrize(("text", "filename"), [(MARKDOWN, "chat.md"), (MARKDOWN, "chat.txt"), (SIGTOP, None),
                                                (SHORT, "lgovsm.txt")])
def test_each_export_is_detected_as_signal_and_no_other_text_format(text: str, filename: str | None) -> None:
    data = text.encode()
    assert detect(data, filename).name == "signal"
    others = ["teams_vtt", "zoom_vtt", "zoom_chat", "whatsapp", "irc", "plain"]
    assert [name for name in others if get(name).sniff(data, filename)] == []


@pytest.mark.parametrize(
    "text",
    [
        "[12/03/2024, 20:00:15] Sam Hartley: *Q1* How?\n",            # WhatsApp iOS
        "[2024-03-12 20:00:15] Sam Hartley: *Q1* How?\n",             # WhatsApp iOS, Swedish dates
        "2024-03-12 20:00 - Sam Hartley: Q1 How?\n",                   # WhatsApp Android, ISO dates
        "2024-03-12 20:00:00\tSam\tQ1 How?\n",                         # WeeChat
        "Sam: Q1 How?\nAna: A1 Like this\n",                            # plain
    ],
)
def test_other_formats_are_not_sniffed(text: str) -> None:
    assert not SIGNAL.sniff(text.encode(), "_chat.txt")


def test_sigtop_stamps_keep_their_offset() -> None:
    (message,) = parse(SIGTOP)
    assert message.stamp == datetime(2024, 3, 12, 20, 1, tzinfo=timezone(timedelta(hours=1)))
    assert (message.author_name, message.text, message.kind) == ("Sam", "Q1 How?", "message")


def test_sigtop_events_are_system_lines() -> None:
    messages = parse(SIGTOP + "Type: keychange\nSent: Tue, 12 Mar 2024 20:02:00 +0100\nReceived: unknown\n\n")
    assert [m.kind for m in messages] == ["message", "system"]


def test_sigtop_unknown_sent_time_skips_the_message() -> None:
    messages = parse(SIGTOP.replace("Sent: Tue, 12 Mar 2024 20:01:00 +0100", "Sent: unknown"))
    assert [m.kind for m in messages] == ["system"]


def test_sigtop_text_before_the_first_message_is_refused() -> None:
    with pytest.raises(TranscriptError, match=r"^line 1: expected a sigtop field"):
        parse("hello\n" + SIGTOP)


def test_markdown_reactions_stickers_and_media_links_are_not_text() -> None:
    messages = parse(
        "[2024-03-12 20:01:00] Sam: Q1 How?  \n(- Ana: 👍 -)\n"
        "[2024-03-12 20:02:00] Ana: A1 see [poster.pdf](./media/poster.pdf)  \n"
        "[2024-03-12 20:03:00] Ana: \n(( 👍 ))\n"
    )
    assert [(m.text, m.kind) for m in messages] == [("Q1 How?", "message"), ("A1 see", "message"), ("", "system")]


def test_markdown_quote_links_the_reply() -> None:
    messages = parse("[2024-03-12 20:01:00] Sam: Q1 How?  \n[2024-03-12 20:02:00] Ana: \n\n> Q1 How?\n\nA1 Like this  \n")
    assert (messages[1].text, messages[1].reply_to) == ("A1 Like this", messages[0].id)


def test_short_events_and_replies() -> None:
    messages = parse(SHORT + "2024-03-12 20:03 Ana: [reply to Sam on 2024-03-12 20:01] A1 too\n"
                     "2024-03-12 20:04 Sam: [group-v2-change message]\n")
    assert [(m.text, m.kind, m.reply_to) for m in messages[2:]] == [
        ("A1 too", "message", messages[0].id), ("[group-v2-change message]", "system", None)]


def test_an_impossible_date_skips_the_message_rather_than_the_file() -> None:
    messages = parse("[2024-02-30 20:01:00] Sam: Q1 How?  \n[2024-03-12 20:02:00] Me: A1 Like this  \n")
    assert [m.kind for m in messages] == ["system", "message"]
