"""Tests the WhatsApp chat export parser beyond its golden files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from forum.errors import TranscriptError
from forum.transcripts.base import ChatMessage
from forum.transcripts.formats.whatsapp import WhatsApp

WHATSAPP = WhatsApp()


def parse(text: str) -> list[ChatMessage]:
    """Parse WhatsApp export text."""
    return WHATSAPP.parse(text.encode("utf-8")).messages


def test_corpus_short_chat(corpus: Path) -> None:
    data = (corpus / "whatsapp" / "short-chat.txt").read_bytes()
    messages = WHATSAPP.parse(data).messages
    assert WHATSAPP.sniff(data)
    assert [(m.author_name, m.kind) for m in messages] == [
        ("", "system"),
        ("", "system"),
        ("Sample User", "message"),
        ("TestBot", "message"),
        ("+410123456789", "message"),
    ]
    assert messages[0].text.startswith("Messages to this group are now secured")
    assert messages[1].text == 'You created group "ShortChat"'
    assert messages[4].text == "How are you?\n\nIs everything alright?"
    # Every date in the file is ambiguous (06/03, 08/05, 09/04), so they are read day first.
    assert [m.stamp for m in messages[2:]] == [
        datetime(2017, 3, 6, 0, 45), datetime(2017, 5, 8, 1, 48), datetime(2017, 4, 9, 1, 50)
    ]


def test_corpus_text_that_is_not_a_chat_is_refused(corpus: Path) -> None:
    data = (corpus / "whatsapp" / "not-a-whatsapp-chat.txt").read_bytes()
    assert not WHATSAPP.sniff(data)
    with pytest.raises(TranscriptError, match=r"^line 1: expected a WhatsApp line starting with a date"):
        WHATSAPP.parse(data)


def test_corpus_empty_file_is_refused(corpus: Path) -> None:
    data = (corpus / "whatsapp" / "empty.txt").read_bytes()
    assert not WHATSAPP.sniff(data)
    with pytest.raises(TranscriptError, match="the file is empty"):
        WHATSAPP.parse(data)


@pytest.mark.parametrize(
    ("line", "stamp"),
    [
        ("3/6/18, 1:55 p.m. - a: m", datetime(2018, 6, 3, 13, 55)),
        ("03-06-2018, 01.55 PM - a: m", datetime(2018, 6, 3, 13, 55)),
        ("13.06.18 21.25.15: a: m", datetime(2018, 6, 13, 21, 25, 15)),
        ("[06.13.18 21:25:15] a: m", datetime(2018, 6, 13, 21, 25, 15)),
        ("13.6.2018 klo 21.25.15 - a: m", datetime(2018, 6, 13, 21, 25, 15)),
        ("[3/6/18 1:55:00 p. m.] a: m", datetime(2018, 6, 3, 13, 55)),
        ("[2018/06/13, 21:25:15] a: m", datetime(2018, 6, 13, 21, 25, 15)),
        ("3/6/18, 12:05 AM - a: m", datetime(2018, 6, 3, 0, 5)),
        ("3/6/18, 12:05\u202fPM - a: m", datetime(2018, 6, 3, 12, 5)),
    ],
)
def test_locale_formats(line: str, stamp: datetime) -> None:
    (message,) = parse(line)
    assert (message.author_name, message.text, message.stamp) == ("a", "m", stamp)
    assert WHATSAPP.sniff(line.encode())


def test_one_late_day_makes_the_whole_file_day_first() -> None:
    messages = parse("01/02/2024, 10:00 - a: early\n13/02/2024, 10:00 - a: late\n")
    assert [m.stamp.date().isoformat() for m in messages] == ["2024-02-01", "2024-02-13"]


def test_one_late_day_in_second_place_makes_the_whole_file_month_first() -> None:
    messages = parse("01/02/2024, 10:00 - a: early\n01/13/2024, 10:00 - a: late\n")
    assert [m.stamp.date().isoformat() for m in messages] == ["2024-01-02", "2024-01-13"]


def test_dates_in_both_orders_are_refused() -> None:
    with pytest.raises(TranscriptError, match=r"^line 3: 01/13/2024 mixes up day-first and month-first dates$"):
        parse("13/01/2024, 10:00 - a: x\n\n01/13/2024, 10:00 - a: y\n")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("31/02/2024, 10:00 - a: x", r"^line 1: 31/02/2024 is not a date$"),
        ("x\n01/02/2024, 25:00 - a: x", r"^line 1: expected a WhatsApp line"),
        ("01/02/2024, 25:00 - a: x", r"^line 1: '25:00' is not a time of day$"),
        ("01/02/2024, 13:00 PM - a: x", r"^line 1: 13:00 PM is not a 12-hour time$"),
    ],
)
def test_impossible_dates_and_times_are_refused(text: str, problem: str) -> None:
    with pytest.raises(TranscriptError, match=problem):
        parse(text)


def test_stamps_are_naive_local_times() -> None:
    (message,) = parse("12/03/2024, 20:00 - Sam: hi")
    assert message.stamp == datetime(2024, 3, 12, 20, 0) and message.stamp.tzinfo is None


def test_direction_marks_are_stripped_from_names_and_text() -> None:
    (message,) = parse("12/03/2024, 20:00 - \u202a+44 7700 900123\u202c: A1 \u200fyes")
    assert (message.author_name, message.text) == ("+44 7700 900123", "A1 yes")


@pytest.mark.parametrize(
    "said",
    [
        "<Media omitted>",
        "\u200eimage omitted",
        "\u200evideo omitted",
        "report.pdf \u2022 3 pages \u200edocument omitted",
        "\u200e<attached: 00000042-PHOTO-2024-03-12-20-00-00.jpg>",
        "This message was deleted",
        "You deleted this message",
    ],
)
def test_placeholders_are_system_messages(said: str) -> None:
    (message,) = parse(f"12/03/2024, 20:00 - Jo: {said}")
    assert message.kind == "system"


def test_a_message_mentioning_media_is_still_a_message() -> None:
    (message,) = parse("12/03/2024, 20:00 - Jo: A1 the image omitted the key point")
    assert message.kind == "message"


def test_edited_suffix_is_stripped_and_bold_stays_markdown() -> None:
    (message,) = parse("12/03/2024, 20:00 - Sam: *Q1* How? <This message was edited>")
    assert message.text == "*Q1* How?"


def test_ids_survive_a_longer_re_export() -> None:
    short = "12/03/2024, 20:01 - Sam: Q1 How?\n12/03/2024, 20:02 - Ana: A1 Like this\n"
    longer = "11/03/2024, 09:00 - Sam: Tomorrow at 8!\n" + short
    assert [m.id for m in parse(short)] == [m.id for m in parse(longer)][1:]


def test_repeated_messages_get_distinct_ids() -> None:
    messages = parse("12/03/2024, 20:01 - Ana: +1\n12/03/2024, 20:01 - Ana: +1\n")
    assert messages[0].id != messages[1].id
    assert all(m.id.startswith("wa:") for m in messages)


def test_lines_are_recorded() -> None:
    messages = parse("12/03/2024, 20:01 - Sam: one\ntwo\n12/03/2024, 20:02 - Ana: three\n")
    assert [m.line for m in messages] == [1, 3]
