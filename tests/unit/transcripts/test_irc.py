"""Tests the IRC log parser beyond its golden files."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from forum.errors import TranscriptError
from forum.transcripts.base import ChatMessage
from forum.transcripts.formats.irc import Irc

IRC = Irc()


def parse(text: str) -> list[ChatMessage]:
    """Parse IRC log text."""
    return IRC.parse(text.encode("utf-8")).messages


@pytest.mark.parametrize(
    ("line", "author", "text", "kind"),
    [
        ("[20:00:00] <@LGovSM> Q1 How?", "LGovSM", "Q1 How?", "message"),
        ("[20:00:00] * JoB waves", "JoB", "_JoB waves_", "message"),
        ("[20:00:00] *** Joins: JoB (~job@host)", "", "Joins: JoB (~job@host)", "system"),
        ("[20:00:00] *** Parts: JoB (~job@host) ()", "", "Parts: JoB (~job@host) ()", "system"),
        ("[20:00:00] *** JoB is now known as Jo", "", "JoB is now known as Jo", "system"),
        ("[20:00:00] -NickServ- identify please", "NickServ", "identify please", "system"),
        ("20:00 <%half> hi", "half", "hi", "message"),
        ("20:00:07 < plain> hi", "plain", "hi", "message"),
        ("20:00 -!- JoB [~job@host] has quit [Quit: bye]", "", "JoB [~job@host] has quit [Quit: bye]", "system"),
        ("2024-03-12 20:00:00\t~owner\thi", "owner", "hi", "message"),
        ("2024-03-12 20:00:00\t=!=\tcannot join", "", "cannot join", "system"),
    ],
)
def test_lines(line: str, author: str, text: str, kind: str) -> None:
    (message,) = parse(line)
    assert (message.author_name, message.text, message.kind) == (author, text, kind)
    assert IRC.sniff(line.encode())


def test_stamps_follow_what_each_logger_writes() -> None:
    assert parse("[20:00:05] <a> hi")[0].stamp == time(20, 0, 5)
    assert parse("20:00 <a> hi")[0].stamp == time(20, 0)
    assert parse("2024-03-12 20:00:05\ta\thi")[0].stamp == datetime(2024, 3, 12, 20, 0, 5)


def test_irssi_day_markers_date_the_lines_after_them() -> None:
    messages = parse("20:00 <a> before\n--- Day changed Wed Mar 13 2024\n00:05 <a> after\n")
    assert [m.stamp for m in messages] == [time(20, 0), datetime(2024, 3, 13, 0, 5)]


def test_addressing_a_known_nick_is_a_reply() -> None:
    messages = parse("[20:00:00] <Host> Q1: How?\n[20:01:00] <ana> host: A1 Like this\n")
    assert (messages[1].text, messages[1].reply_to) == ("A1 Like this", messages[0].id)


def test_q1_is_not_a_nick() -> None:
    messages = parse("[20:00:00] <Host> Welcome\n[20:01:00] <Host> Q1: How?\n")
    assert (messages[1].text, messages[1].reply_to) == ("Q1: How?", None)


def test_addressing_someone_who_has_not_spoken_keeps_the_text() -> None:
    (message,) = parse("[20:01:00] <ana> bob: are you there?")
    assert (message.text, message.reply_to) == ("bob: are you there?", None)


def test_a_renamed_nick_can_still_be_answered() -> None:
    messages = parse(
        "[20:00:00] <ana_f> A1 Like this\n[20:00:10] *** ana_f is now known as Ana\n[20:00:20] <Host> Ana: thanks\n"
    )
    assert messages[2].reply_to == messages[0].id


def test_lines_that_are_not_log_lines_continue_the_message() -> None:
    (message,) = parse("[20:00:00] <ana> A1 Like this\n    and that\n")
    assert message.text == "A1 Like this\nand that"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("--- Day changed Xyz Foo 99 2024\n20:00 <a> hi", r"^line 1: cannot read the date in '--- Day changed"),
        ("--- Day changed Thu Feb 30 2024\n20:00 <a> hi", r"^line 1: cannot read the date"),
        ("--- Log opened Tue Mar 12 19:55:00 2024\nstray text\n20:00 <a> hi", r"^line 2: expected an IRC log line"),
        ("Chat log\n[20:00:00] <a> hi", r"^line 1: expected an IRC log line"),
        ("[20:61:00] <a> hi", r"^line 1: '20:61:00' is not a time of day$"),
    ],
)
def test_bad_lines_are_refused_by_line(text: str, problem: str) -> None:
    with pytest.raises(TranscriptError, match=problem):
        parse(text)


def test_repeated_lines_get_distinct_ids() -> None:
    messages = parse("[20:00:00] <a> +1\n[20:00:00] <a> +1\n")
    assert messages[0].id != messages[1].id and all(m.id.startswith("irc:") for m in messages)
