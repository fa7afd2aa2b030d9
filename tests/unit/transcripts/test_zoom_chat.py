"""Tests the Zoom meeting chat parser beyond its golden files."""

from __future__ import annotations

from collections import Counter
from datetime import time, timedelta
from pathlib import Path

import pytest

from forum.errors import TranscriptError
from forum.transcripts.base import ChatMessage
from forum.transcripts.formats.zoom_chat import ZoomChat

ZOOM_CHAT = ZoomChat()


def parse(text: str) -> list[ChatMessage]:
    """Parse Zoom chat text."""
    return ZOOM_CHAT.parse(text.encode("utf-8")).messages


def test_corpus_chat_with_replies_and_reactions(corpus: Path) -> None:
    data = (corpus / "zoom_chat" / "test-zoom-chat.txt").read_bytes()
    messages = ZOOM_CHAT.parse(data).messages
    assert ZOOM_CHAT.sniff(data)
    assert len(messages) == 15
    # Seven `add 👍`/`remove ☝️` reactions, one `Reacted to`, one `Removed a 🍪 reaction`.
    assert Counter(m.kind for m in messages) == {"message": 5, "system": 9, "private": 1}
    posts = {m.id: m for m in messages if m.kind == "message"}
    assert [(m.author_name, m.text, m.reply_to) for m in posts.values()] == [
        ("John Doe", "Good morning folks", None),
        ("Alice Balice", "Hi John", "line:1"),
        ("Jane Smith", "Hello there, John!", "line:1"),
        ("Jack Doe", "Hello world, this message is longer than 20 characters!", None),
        ("Diane Smith", "Hello there, Jack!", "line:21"),
    ]
    (private,) = [m for m in messages if m.kind == "private"]
    assert (private.author_name, private.text) == ("John Doe", "Please mute")
    assert messages[-2].author_name == "Charlie Barlie (she/her)"
    assert all(isinstance(m.stamp, time) for m in messages)


@pytest.mark.parametrize(
    ("line", "author", "kind"),
    [
        ("16:20:25\t De  victormln : Hi!", "victormln", "message"),
        ("10:00:00\t Von  Anna Müller  an  Alle : Hallo", "Anna Müller", "message"),
        ("10:00:00\t Von  Anna Müller  an  Jo Bloggs(Direktnachricht) : Hallo", "Anna Müller", "private"),
        ("10:00:00\t De  Lucía Pérez  a  Todos : Hola", "Lucía Pérez", "message"),
        ("10:00:00\t De  Marie Curie  à  Tout le monde : Bonjour", "Marie Curie", "message"),
        ("10:00:00 From Jo to Everyone:", "Jo", "message"),
        ("10:00:00 From Jo Back to Work to Everyone:", "Jo Back to Work", "message"),
        ("10:00:00 From Jo to Sam(Privately):", "Jo", "private"),
    ],
)
def test_headers(line: str, author: str, kind: str) -> None:
    (message,) = parse(line + "\n\tbody")
    assert (message.author_name, message.kind) == (author, kind)
    assert ZOOM_CHAT.sniff(line.encode())


def test_legacy_continuation_lines_join_the_message() -> None:
    (message,) = parse("19:02:13\t From  Ana  to  Everyone : A1 first\nsecond\n\nthird\n")
    assert message.text == "A1 first\nsecond\n\nthird"


def test_reply_quote_containing_quotes_is_matched_by_prefix() -> None:
    messages = parse(
        '10:00:00 From Sam to Everyone:\n\tHe said "hi" then left the room\n'
        '10:00:10 From Ana to Everyone:\n\tReplying to "He said "hi" then le..." A1 rude!\n'
    )
    assert (messages[1].reply_to, messages[1].text) == ("line:1", "A1 rude!")


def test_reply_to_the_latest_matching_message() -> None:
    messages = parse(
        "10:00:00 From Sam to Everyone:\n\tQ1 again\n"
        "10:01:00 From Sam to Everyone:\n\tQ1 again\n"
        '10:02:00 From Ana to Everyone:\n\tReplying to "Q1 again" A1 yes\n'
    )
    assert messages[2].reply_to == "line:3"


def test_reply_to_an_unknown_message_keeps_its_text() -> None:
    (message,) = parse('10:02:00 From Ana to Everyone:\n\tReplying to "Something earl..." A1 yes\n')
    assert (message.reply_to, message.text, message.kind) == (None, "A1 yes", "message")


def test_words_after_add_are_a_message_not_a_reaction() -> None:
    (message,) = parse("10:00:00 From Sam to Everyone:\n\tadd me to the list\n")
    assert message.kind == "message"


def test_cloud_times_are_elapsed() -> None:
    messages = parse("00:00:05\tSam:\tQ1 How?\n26:00:00\tAna:\tA1 Late\n")
    assert [m.stamp for m in messages] == [timedelta(seconds=5), timedelta(hours=26)]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("10:61:00 From Sam to Everyone:\n\thi", r"^line 1: '10:61:00' is not a time of day$"),
        ("00:00:05\tSam:\tok\n00:61:00\tAna:\tno", r"^line 2: '00:61:00' is not an elapsed time H:MM:SS$"),
        ("Chat of 12 March\n10:00:00 From Sam to Everyone:\n\thi", r"^line 1: expected a Zoom chat line"),
    ],
)
def test_bad_lines_are_refused_by_line(text: str, problem: str) -> None:
    with pytest.raises(TranscriptError, match=problem):
        parse(text)


def test_plain_text_with_a_de_name_is_not_sniffed() -> None:
    assert not ZOOM_CHAT.sniff(b"10:00:00 De Souza: hi\n10:01:00 Ana: hello\n")


def test_older_saves_with_a_space_after_the_time_read_times_of_day() -> None:
    messages = parse("08:02:35 Host:\tQ1 How do you reach residents?\n08:03:10 Ana Farías:\tA1 Facebook\nand email\n")
    assert [(m.author_name, m.text, m.stamp, m.kind) for m in messages] == [
        ("Host", "Q1 How do you reach residents?", time(8, 2, 35), "message"),
        ("Ana Farías", "A1 Facebook\nand email", time(8, 3, 10), "message"),
    ]
    assert ZOOM_CHAT.sniff(b"08:02:35 Host:\tQ1 How do you reach residents?\n")


def test_private_messages_in_older_saves_are_not_imported() -> None:
    messages = parse("08:02:35 Host:\tQ1 How?\n08:03:00 Ana to Host(Privately):\tcan I post a link?\n")
    assert [(m.author_name, m.kind) for m in messages] == [("Host", "message"), ("Ana", "private")]


@pytest.mark.parametrize(
    ("line", "author", "kind"),
    [
        ("08:02:35 From  Host : Q1 How?", "Host", "message"),
        ("08:02:35\t From  Host : Q1 How?", "Host", "message"),
        ("08:02:35 From  Ana  to  Host(Privately) : a link?", "Ana", "private"),
        ("08:02:35 From Ana to Host (Direct Message):", "Ana", "private"),
        ("08:02:35 From Ana to Everyone:", "Ana", "message"),
    ],
)
def test_local_save_variants_are_sniffed_and_read(line: str, author: str, kind: str) -> None:
    (message,) = parse(line + "\n\tbody")
    assert (message.author_name, message.kind) == (author, kind)
    assert ZOOM_CHAT.sniff(line.encode())


def test_the_older_save_is_read_with_the_format_named(corpus: Path) -> None:
    from forum.transcripts import get

    data = b"08:02:35 Host:\tWelcome!\n08:05:00 Host:\tQ1 How?\n"
    assert [m.text for m in get("zoom_chat").parse(data).messages] == ["Welcome!", "Q1 How?"]


def test_corpus_legacy_save_without_recipients(corpus: Path) -> None:
    data = (corpus / "zoom_chat" / "agu-oss-2020_meeting_saved_chat.txt").read_bytes()
    messages = ZOOM_CHAT.parse(data).messages
    assert ZOOM_CHAT.sniff(data)
    assert len(messages) == 121 and all(m.kind == "message" for m in messages)
    assert messages[2].author_name == "Serge Sambolian"
    assert messages[0].author_name == "Leah Wasser (she/her) Earth Lab / earthdatascience.org / pyOpenSci"
    assert messages[0].stamp == time(8, 58, 13)
