"""Tests the IRC log parser beyond its golden files."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from forum.errors import TranscriptError
from forum.transcripts import detect
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
        # supybot ChannelLogger and irclog2html's ISO stamps, two spaces before the body.
        ("2005-01-08T23:34:46  <mgedmin> let's see", "mgedmin", "let's see", "message"),
        ("2005-01-08T23:33:54  *** povbot has joined #pov", "", "povbot has joined #pov", "system"),
        # dircproxy: day and month, `nick!user@host`, `-->` joins.
        ("[15 Jan 12:22] <jsmith!n=jsmith@72.21.36.138> It's snowing!", "jsmith", "It's snowing!", "message"),
        ("[14 Jan 10:36] --> jsmith (n=user@host) joined the channel", "", "jsmith (n=user@host) joined the channel",
         "system"),
        ("[15 Jan 08:42] * jsmith-away wanders away...", "jsmith-away", "_jsmith-away wanders away..._", "message"),
        # HexChat and XChat: `Mon DD HH:MM:SS`, a tab after the nick, `*` for actions and for events.
        ("Jan 08 23:33:54 <ana>\tA1 hello", "ana", "A1 hello", "message"),
        ("dec 31 21:11:58 <fpi> ola", "fpi", "ola", "message"),
        ("Jan 08 23:33:54 *\tana waves", "ana", "_ana waves_", "message"),
        ("Jan 08 23:33:54 *\tana (~a@host) has joined #lgovsm", "", "ana (~a@host) has joined #lgovsm", "system"),
        ("Jan 08 23:33:54 -->\tana (~a@host) has joined #lgovsm", "", "ana (~a@host) has joined #lgovsm", "system"),
        ("Jan 08 23:33:54 ---\tana is now known as Ana", "", "ana is now known as Ana", "system"),
        # mIRC: `[HH:MM]`, and events behind a single `*`.
        ("[23:33] <@Host> Q1 How?", "Host", "Q1 How?", "message"),
        ("[23:33] * Joins: ana (~a@host)", "", "Joins: ana (~a@host)", "system"),
        ("[23:33] * Quits: ana (~a@host) (Quit: bye)", "", "Quits: ana (~a@host) (Quit: bye)", "system"),
        ("[23:33] * Host sets mode: +o ana", "", "Host sets mode: +o ana", "system"),
        ("[23:33] * Host changes topic to 'Q1 next'", "", "Host changes topic to 'Q1 next'", "system"),
        ("[23:33] * ana is now known as Ana", "", "ana is now known as Ana", "system"),
        ("[11:33pm] <ana> late", "ana", "late", "message"),
        ("Jan 08 23:33:54 *\tHost gives channel half-operator status to ana", "",
         "Host gives channel half-operator status to ana", "system"),
        ("Jan 08 23:33:54 *\tHost sets mode +m #lgovsm", "", "Host sets mode +m #lgovsm", "system"),
        ("[23:33] * ana gives a cookie to Host", "ana", "_ana gives a cookie to Host_", "message"),
        # ZNC's mode prefixes; Textual's ISO stamp with its offset, and its actions.
        ("[23:33:54] <~owner> hi", "owner", "hi", "message"),
        ("[23:33:54] <&admin> hi", "admin", "hi", "message"),
        ("[2008-07-09T16:13:30+1200] <@ana> hi", "ana", "hi", "message"),
        ("[2008-07-09T16:13:30+1200] \u2022 ana: waves", "ana", "_ana waves_", "message"),
        # WeeChat 4.7+ writes UTC with microseconds and a Z; The Lounge writes milliseconds.
        ("2024-01-08T23:33:54.123456Z\t@ana\tA1 hi", "ana", "A1 hi", "message"),
        ("[2021-03-29T14:09:34.402Z] *** fvcr (~f@host) quit (Server closed connection)", "",
         "fvcr (~f@host) quit (Server closed connection)", "system"),
        ("[2021-03-31T11:44:01.184Z] <b342> If a pipeline failed", "b342", "If a pipeline failed", "message"),
        # eggdrop: day, month, year and time.
        ("[08 Jan 2005 23:33:54] <ana> hi", "ana", "hi", "message"),
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


def test_a_stamped_line_of_another_shape_is_an_event() -> None:
    messages = parse("[23:32] <ana> hi\n[23:33] ana (~a@host) joined #lgovsm.\n")
    assert [(m.author_name, m.text, m.kind) for m in messages][1] == ("", "ana (~a@host) joined #lgovsm.", "system")


def test_stamps_carry_the_dates_and_zones_loggers_write() -> None:
    assert parse("2005-01-08T23:33:54  <a> hi")[0].stamp == datetime(2005, 1, 8, 23, 33, 54)
    assert parse("[2021-03-31T11:44:01.184Z] <a> hi")[0].stamp == datetime(2021, 3, 31, 11, 44, 1, tzinfo=timezone.utc)
    aware = parse("[2008-07-09T16:13:30+1200] <a> hi")[0].stamp
    assert aware.utcoffset() == timedelta(hours=12) and aware.replace(tzinfo=None) == datetime(2008, 7, 9, 16, 13, 30)
    assert parse("[08 Jan 2005 23:33:54] <a> hi")[0].stamp == datetime(2005, 1, 8, 23, 33, 54)


def test_a_day_and_month_without_a_year_take_the_year_from_the_header() -> None:
    messages = parse(
        "**** BEGIN LOGGING AT Fri Dec 31 23:58:00 2010\n\n"
        "Dec 31 23:59:00 <a> nearly\nJan 01 00:01:00 <a> happy new year\n"
        "**** ENDING LOGGING AT Sat Jan  1 00:02:00 2011\n"
    )
    assert [m.stamp for m in messages] == [datetime(2010, 12, 31, 23, 59), datetime(2011, 1, 1, 0, 1)]


def test_a_day_and_month_without_any_year_leave_a_time_of_day() -> None:
    assert parse("[15 Jan 08:42] <a> hi")[0].stamp == time(8, 42)


def test_mirc_session_lines_date_the_lines_after_them() -> None:
    messages = parse(
        "Session Start: Fri Jan 14 12:55:00 2011\nSession Ident: #lgovsm\n[12:58] * Now talking in #lgovsm\n"
        "[13:00] <Host> Q1 How?\nSession Close: Fri Jan 14 14:00:00 2011\n"
    )
    assert [(m.kind, m.stamp) for m in messages] == [
        ("system", datetime(2011, 1, 14, 12, 58)), ("message", datetime(2011, 1, 14, 13, 0))]


def test_times_roll_over_midnight_without_a_day_marker() -> None:
    messages = parse("--- Log opened Fri Jan 14 23:50:00 2011\n23:55 <a> late\n00:05 <a> later\n")
    assert [m.stamp for m in messages] == [datetime(2011, 1, 14, 23, 55), datetime(2011, 1, 15, 0, 5)]


def test_dircproxy_identify_marks_are_dropped_when_the_log_has_them() -> None:
    messages = parse(
        "[14 Jan 12:36] <nom!n=n@host> -hey there\n[14 Jan 12:37] <js!n=j@host> +No clue\n"
        "[14 Jan 12:38] <sticks!n=p@host> +1 from me, said without a mark\n[14 Jan 12:39] <js!n=j@host> +\n"
    )
    assert [(m.author_name, m.text, m.kind) for m in messages] == [
        ("nom", "hey there", "message"), ("js", "No clue", "message"),
        ("sticks", "1 from me, said without a mark", "message"), ("js", "", "system")]


def test_plus_and_minus_stay_in_logs_without_identify_marks() -> None:
    messages = parse("[12:00] <a> +1\n[12:01] <b> -1 from me\n[12:02] <c> agreed\n")
    assert [m.text for m in messages] == ["+1", "-1 from me", "agreed"]


def test_lines_in_another_encoding_are_read_one_by_one() -> None:
    data = "12:00 <a> aišku\n".encode("cp1257") + "12:01 <b> lietuviškai ☺\n".encode()
    messages = IRC.parse(data).messages
    # The single-byte fallback is Windows-1252: cp1257's š (0xF0) reads as ð, but the file is not refused.
    assert [m.text for m in messages] == ["aiðku", "lietuviškai ☺"]
    data = b"12:00 <a> ok\r\n12:01 <b> \xe9t\xe9\r\n"
    assert [m.text for m in IRC.parse(data).messages] == ["ok", "été"]


def test_a_line_in_no_known_encoding_is_refused_by_line_and_byte() -> None:
    with pytest.raises(TranscriptError, match=r"^line 2: byte 24 is neither UTF-8 nor Windows-1252 text$"):
        IRC.parse(b"12:00 <a> ok\r\n12:01 <b> \x81\n")


def test_a_bracketed_log_is_not_taken_for_broken_json() -> None:
    data = b"[15 Jan 00:53] *** You disconnected\n[15 Jan 07:23] *** You connected\n"
    assert detect(data, "2009-01-15-dircproxy.log").name == "irc"
    assert detect(b"[14 Jan 12:37] <js!n=j@host> +No clue\n", "x.log").name == "irc"


@pytest.mark.parametrize(
    "text",
    [
        "[20:00] Sam: hi\n[20:01] Ana: hello\n",                      # plain chat with times
        "19:00:05 From Sam to Everyone:\n\tQ1 How?\n",                  # Zoom chat
        "00:00:05\tSam Hartley:\tQ1 How?\n",                            # Zoom cloud chat
        "2022-01-31 18:33 Alice: hello\n",                              # sigtop's short text
    ],
)
def test_other_timed_text_is_not_sniffed(text: str) -> None:
    assert not IRC.sniff(text.encode())


def test_irssi_join_burst_lines_are_events() -> None:
    messages = parse(
        "--- Log opened Tue Aug 08 17:12:18 2006\n"
        "17:12 -!- host [host@example.net] has joined #lgovsm\n"
        "17:12 [Users #lgovsm]\n"
        "17:12 [@host] [ ana] \n"
        "17:12 -!- Irssi: #lgovsm: Total of 2 nicks [1 ops, 0 halfops, 0 voices, 1 normal]\n"
        "17:12 -!- Channel #lgovsm created Tue Aug  8 17:12:16 2006\n"
        "17:12 -!- Irssi: Join to #lgovsm was synced in 2 secs\n"
        "17:22 <@host> Q1 How?\n"
        "17:22 < ana> host: A1 like this\n"
        "18:07 -!- mode/#lgovsm [+ntr] by ChanServ\n"
    )
    assert [m.kind for m in messages] == ["system"] * 6 + ["message", "message", "system"]
    assert messages[7].reply_to == messages[6].id
    assert messages[6].stamp == datetime(2006, 8, 8, 17, 22)
