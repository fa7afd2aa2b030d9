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
    # Every date in the file is ambiguous (06/03, 08/05, 09/04), but an export runs forward in time and the
    # second number goes back (5 to 4), so it is the day: June 3, August 5, September 4.
    assert [m.stamp for m in messages[2:]] == [
        datetime(2017, 6, 3, 0, 45), datetime(2017, 8, 5, 1, 48), datetime(2017, 9, 4, 1, 50)
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
        # US phones: month first, `12:05 AM` just after midnight, U+202F before the marker since 2023.
        ("3/6/18, 12:05 AM - a: m", datetime(2018, 3, 6, 0, 5)),
        ("3/6/18, 12:05\u202fPM - a: m", datetime(2018, 3, 6, 12, 5)),
        ("[3/6/18, 11:33:54\u202fPM] a: m", datetime(2018, 3, 6, 23, 33, 54)),
        # Spanish: `p. m.` with a no-break space inside, and `00:08 a. m.` for just after midnight.
        ("8/1/24, 10:37 p.\u00a0m. - a: m", datetime(2024, 1, 8, 22, 37)),
        ("8/1/24, 10:37\u202fp.\u00a0m. - a: m", datetime(2024, 1, 8, 22, 37)),
        ("20/6/2017 8:28 p. m. - a: m", datetime(2017, 6, 20, 20, 28)),
        ("8/1/24, 00:08 a. m. - a: m", datetime(2024, 1, 8, 0, 8)),
        ("8/1/24, 12:08 p. m. - a: m", datetime(2024, 1, 8, 12, 8)),
        ("08/01/2024, 9:10 am - a: m", datetime(2024, 1, 8, 9, 10)),
        ("08.01.24, 9:10 nachm. - a: m", datetime(2024, 1, 8, 21, 10)),
        ("08.01.24, 9:10 vorm. - a: m", datetime(2024, 1, 8, 9, 10)),
        # Chinese and Korean put the marker before the time; Arabic uses its own digits, comma and marker.
        ("[2024/1/8, 上午9:10] a: m", datetime(2024, 1, 8, 9, 10)),
        ("[2024/1/8, 下午9:10:05] a: m", datetime(2024, 1, 8, 21, 10, 5)),
        ("2024. 1. 8. 오후 9:10 - a: m", datetime(2024, 1, 8, 21, 10)),
        ("[2024/1/8 9:10 午後] a: m", datetime(2024, 1, 8, 21, 10)),
        ("[٨/١/٢٠٢٤، ٩:١٠ م] a: m", datetime(2024, 1, 8, 21, 10)),
        # iOS with its left-to-right mark; 24-hour ISO Android; 2-digit years with dashes.
        ("\u200e[08/01/2024, 23:33:54] a: m", datetime(2024, 1, 8, 23, 33, 54)),
        ("2024-01-08 23:33 - a: m", datetime(2024, 1, 8, 23, 33)),
        ("08-01-24 23:33 - a: m", datetime(2024, 1, 8, 23, 33)),
        # A 24-hour time that also says PM is still plain.
        ("01/02/2024, 13:00 PM - a: m", datetime(2024, 2, 1, 13, 0)),
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


def test_a_garbled_date_in_the_other_order_is_skipped_not_fatal() -> None:
    messages = parse("13/01/2024, 10:00 - a: x\n14/01/2024, 10:00 - b: y\n01/13/2024, 10:00 - a: z\n")
    assert [(m.text, m.kind, m.stamp) for m in messages] == [
        ("x", "message", datetime(2024, 1, 13, 10, 0)), ("y", "message", datetime(2024, 1, 14, 10, 0)),
        ("z", "system", None)]


@pytest.mark.parametrize(
    "line",
    ["31/02/2024, 10:00 - a: x", "01/02/2024, 25:00 - a: x", "01/02/2024, 13:00 a. m. - a: x", "01/02/2024, 10:61 - a: x"],
)
def test_one_unreadable_stamp_is_skipped_and_counted(line: str) -> None:
    messages = parse(f"01/02/2024, 09:59 - Sam: Q1 How?\n{line}\n01/02/2024, 10:01 - Ana: A1 Like this\n")
    assert [(m.author_name, m.kind) for m in messages] == [("Sam", "message"), ("a", "system"), ("Ana", "message")]


def test_text_before_the_first_message_is_refused() -> None:
    with pytest.raises(TranscriptError, match=r"^line 1: expected a WhatsApp line"):
        parse("x\n01/02/2024, 10:00 - a: x")


@pytest.mark.parametrize(
    "said",
    [
        "Messages and calls are end-to-end encrypted. No one outside of this chat can read them.",
        "Messages to this group are now secured with end-to-end encryption.",
    ],
)
def test_encryption_notices_from_the_chat_itself_are_system(said: str) -> None:
    (message,) = parse(f"[12/03/2024, 19:58:01] #lgovsm chat: {said}")
    assert message.kind == "system"


@pytest.mark.parametrize(
    "text",
    [
        '12/03/2024, 19:59 - Sam Hartley added Ana',
        '12/03/2024, 19:59 - Ana left',
        '12/03/2024, 19:59 - Sam changed the subject from "a: b" to "c"',
        '12/03/2024, 19:59 - Sam changed the subject from \u201ca: b\u201d to \u201cc\u201d',
        '[12/03/2024, 19:59:01] #lgovsm: \u200eSam added Ana',
    ],
)
def test_group_events_are_system(text: str) -> None:
    (message,) = parse(text)
    assert message.kind == "system"


def test_an_android_attachment_keeps_its_caption() -> None:
    messages = parse("12/03/2024, 20:00 - Jo: IMG-20240312-WA0001.jpg (file attached)\nA1 our poster\n"
                     "12/03/2024, 20:01 - Jo: IMG-20240312-WA0002.jpg (file attached)\n")
    assert [(m.text, m.kind) for m in messages] == [("A1 our poster", "message"), ("IMG-20240312-WA0002.jpg (file attached)", "system")]


def test_a_us_export_reads_month_first_even_when_every_day_is_small() -> None:
    messages = parse("3/12/24, 7:58\u202fPM - Sam: Q1 How?\n3/12/24, 8:01\u202fPM - Ana: A1 Like this\n")
    assert [m.stamp for m in messages] == [datetime(2024, 3, 12, 19, 58), datetime(2024, 3, 12, 20, 1)]


def test_a_signal_export_is_not_sniffed() -> None:
    data = "[2022-01-31 18:33:51] Alice: hello  \n[2022-01-31 18:34:00] Me: hi  \n".encode()
    assert not WHATSAPP.sniff(data, "chat.md")
    assert not WHATSAPP.sniff(data, "anything.txt")
    # A Swedish iPhone writes the same stamps, without signal-export's two trailing spaces.
    assert WHATSAPP.sniff("[2022-01-31 18:33:51] Alice: hello\n".encode(), "_chat.txt")


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


def zipped(members: dict[str, bytes]) -> bytes:
    """Pack files into a zip, as WhatsApp's "Export chat" with media does."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["_chat.txt", "WhatsApp Chat with #lgovsm.txt", "Chat de WhatsApp con Ana.txt"])
def test_an_export_zip_is_read_for_its_chat(name: str) -> None:
    from forum.transcripts import detect

    chat = "12/03/2024, 20:01 - Sam: Q1 How?\n12/03/2024, 20:02 - Ana: A1 Like this\n".encode()
    data = zipped({name: chat, "00000012-PHOTO-2024-03-12-20-03-00.jpg": b"\xff\xd8\xff" + bytes(100)})
    assert detect(data, "WhatsApp Chat - #lgovsm.zip").name == "whatsapp"
    assert [m.text for m in WHATSAPP.parse(data).messages] == ["Q1 How?", "A1 Like this"]


def test_a_zip_without_a_chat_is_refused() -> None:
    data = zipped({"photo.jpg": b"\xff\xd8\xff"})
    assert not WHATSAPP.sniff(data)
    with pytest.raises(TranscriptError, match="the zip holds no WhatsApp chat"):
        WHATSAPP.parse(data)


def test_a_damaged_zip_is_refused() -> None:
    data = zipped({"_chat.txt": b"12/03/2024, 20:01 - Sam: Q1 How?\n" * 50})
    with pytest.raises(TranscriptError, match="the zip is damaged"):
        WHATSAPP.parse(data[: len(data) // 2])


def test_a_file_in_no_known_encoding_is_refused_by_line_and_byte() -> None:
    with pytest.raises(TranscriptError, match=r"^the file is neither UTF-8 nor Windows-1252 text \(line 2, byte 37\)$"):
        WHATSAPP.parse(b"12/03/2024, 20:01 - Sam: Q1 How?\r\nA1 \x81\r\n")
