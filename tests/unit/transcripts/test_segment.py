"""The segmentation rules, the same for every format, as a table of cases."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from forum.errors import TranscriptError
from forum.transcripts.base import ChatMessage, Transcript
from forum.transcripts.segment import answer_number, question_number, segment

T0 = datetime(2011, 1, 14, 13, 0, tzinfo=timezone.utc)


def msg(minute: float, author: str, text: str, *, id: str | None = None, reply_to: str | None = None,
        kind: str = "message", stamp=None) -> ChatMessage:
    return ChatMessage(id=id or f"{author}-{minute}", author_name=author, author_handle=author, text=text,
                       stamp=stamp if stamp is not None else T0 + timedelta(minutes=minute), reply_to=reply_to,
                       kind=kind)


def shape_of(messages, **options):
    result = segment(Transcript(format="test", platform="x", messages=messages), **options)
    return {
        "intro": [m.text for m in result.intro],
        "questions": {q.number: [m.text for m in q.posts] for q in result.questions},
        "closing": [m.text for m in result.closing],
        "skipped": result.skipped,
    }


@pytest.mark.parametrize("text, expected", [
    ("Q1 How do you support evangelists? #lgovsm", (1, "How do you support evangelists?")),
    ("Q1: Who decides?", (1, "Who decides?")),
    ("Q 2 Who decides?", (2, "Who decides?")),
    ("q3) Last one", (3, "Last one")),
    ("*Q1:* Slack bold", (1, "Slack bold")),
    ("**Q2:** Discord bold", (2, "Discord bold")),
    ("@LGovSM @someone Q1 after mentions", (1, "after mentions")),
    ("OK, question one. How do you start?", (1, "How do you start?")),
    ("Right, so question two: budgets", (2, "budgets")),
    ("Question 3 - what would you tell your chief executive?", (3, "what would you tell your chief executive?")),
    ("Thanks both. Q2: what gets people replying?", (2, "what gets people replying?")),
    ("Hello and welcome. Question one, how do you reach residents?", (1, "how do you reach residents?")),
    ("Q1 coming up: how do councils talk online?", (1, "how do councils talk online?")),
    ("Welcome all. Q1 coming up: how do you talk online?\nQ2 follows later.", (1, "how do you talk online? Q2 follows later.")),
    ("Q1 coming up in 2 mins #lgovsm", None),
    ("Great answers! Q2 coming up in 2 mins", None),
    ("Q2 is next!", None),
    ("Welcome! Q1 at 7.05pm", None),
    ("Quick question for you all", None),
    ("Q1A: not a question", None),
])
def test_what_counts_as_a_question(text, expected):
    assert question_number(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("A1 we do", 1), ("A1: yes", 1), ("A1) maybe", 1), ("A 2 spaced", 2), ("a2 lower case", 2),
    ("A1a first part", 1), ("A1/A2 both", 1), ("@LGovSM A3 after a mention", 3), ("*A2* bold", 2),
    ("RE Q3 sure", 3), ("As I said", None), ("Amazing", None), ("A100 too big", None),
])
def test_what_counts_as_an_answer_mark(text, expected):
    assert answer_number(text) == expected


def test_a_whole_chat_is_split_into_intro_questions_and_wrap_up():
    shape = shape_of([
        msg(0, "host", "Welcome to #lgovsm! Q1 at 1.05pm"),
        msg(1, "alice", "Hello from Leeds"),
        msg(5, "host", "Q1 How do you support evangelists?"),
        msg(6, "alice", "A1 drop-ins", id="a1"),
        msg(7, "bob", "agreed", reply_to="a1"),
        msg(8, "carol", "we pay for training"),
        msg(25, "host", "Q2 Who decides?"),
        msg(26, "bob", "A1 late answer to the first"),
        msg(27, "carol", "IT decides, sadly"),
        msg(60, "host", "Thanks all, see you next week"),
    ])
    assert shape["intro"] == ["Welcome to #lgovsm! Q1 at 1.05pm", "Hello from Leeds"]
    assert shape["questions"] == {
        1: ["Q1 How do you support evangelists?", "A1 drop-ins", "agreed", "we pay for training",
            "A1 late answer to the first"],
        2: ["Q2 Who decides?", "IT decides, sadly"],
    }
    assert shape["closing"] == ["Thanks all, see you next week"]


def test_a_reply_down_a_chain_follows_its_root_question():
    shape = shape_of([
        msg(0, "host", "Q1 first"), msg(1, "a", "A1 root", id="r"),
        msg(10, "host", "Q2 second"),
        msg(11, "b", "and also", id="c1", reply_to="r"), msg(12, "c", "yes!", id="c2", reply_to="c1"),
    ])
    assert shape["questions"][1] == ["Q1 first", "A1 root", "and also", "yes!"]
    assert shape["questions"][2] == ["Q2 second"]


def test_only_the_hosts_questions_count():
    shape = shape_of([
        msg(0, "host", "Q1 real question"), msg(1, "troll", "Q2 not the host's"), msg(2, "a", "A1 fine"),
    ])
    assert list(shape["questions"]) == [1]
    assert shape["questions"][1] == ["Q1 real question", "Q2 not the host's", "A1 fine"]


def test_host_option_names_the_hosts_and_co_hosts():
    shape = shape_of([
        msg(0, "guest", "Q1 a guest asks first"),
        msg(1, "lead", "Q1 the real first question"), msg(2, "cohost", "Q2 from the co-host"),
    ], hosts=("@Lead", "cohost"))
    assert shape["questions"][1][0] == "Q1 the real first question"
    assert shape["questions"][2] == ["Q2 from the co-host"]


def test_a_repeated_question_is_not_a_new_thread():
    shape = shape_of([msg(0, "host", "Q1 first"), msg(2, "host", "Q1 first (again, for latecomers)"),
                      msg(3, "a", "A1 ok")])
    assert list(shape["questions"]) == [1] and len(shape["questions"][1]) == 3


def test_reposts_system_lines_duplicates_and_far_away_messages_are_skipped_and_counted():
    shape = shape_of([
        msg(-90, "early", "way before the chat"),
        msg(0, "host", "Q1 first"),
        msg(1, "a", "RT @host: Q1 first", kind="repost"),
        msg(2, "b", "joined the channel", kind="system"),
        msg(3, "a", "A1 yes", id="same"), msg(3, "a", "A1 yes", id="same"),
        msg(4, "c", "secret", kind="private"),
        msg(200, "late", "way after the chat"),
    ])
    assert shape["skipped"] == {"reposts": 1, "system": 2, "duplicates": 1, "outside": 2}
    assert shape["questions"] == {1: ["Q1 first", "A1 yes"]}


def test_a_transcript_without_questions_becomes_one_thread():
    result = segment(Transcript(format="t", platform="x", title="Team call",
                                messages=[msg(0, "a", "hi"), msg(1, "b", "hello")]))
    assert [(q.number, q.text, len(q.posts)) for q in result.questions] == [(None, "Team call", 2)]


def test_zone_less_times_are_read_in_the_chat_timezone():
    summer = datetime(2024, 7, 5, 13, 0)  # BST: 12:00 UTC
    result = segment(Transcript(format="t", platform="x", messages=[msg(0, "a", "hi", stamp=summer)]))
    assert result.questions[0].posts[0].stamp == datetime(2024, 7, 5, 12, 0, tzinfo=timezone.utc)


def test_elapsed_and_dateless_times_count_from_start():
    start = datetime(2024, 1, 12, 13, 0, tzinfo=timezone.utc)
    messages = [msg(0, "a", "one", stamp=timedelta(seconds=30)), msg(0, "b", "two", stamp=timedelta(minutes=2))]
    result = segment(Transcript(format="t", platform="zoom", messages=messages), start=start)
    assert [m.stamp for m in result.questions[0].posts] == [start + timedelta(seconds=30), start + timedelta(minutes=2)]
    clock = [msg(0, "a", "late", stamp=time(23, 59)), msg(0, "b", "after midnight", stamp=time(0, 1))]
    result = segment(Transcript(format="t", platform="irc", messages=clock),
                     start=datetime(2024, 1, 12, 23, 0, tzinfo=timezone.utc))
    stamps = [m.stamp for m in result.questions[0].posts]
    assert stamps[1] - stamps[0] == timedelta(minutes=2)


def test_a_file_needing_start_without_it_is_refused():
    with pytest.raises(TranscriptError, match="needs --start"):
        segment(Transcript(format="t", platform="zoom", messages=[msg(0, "a", "x", stamp=timedelta(seconds=1))]))


def test_the_registry_lists_formats_again_after_an_import():
    from forum import transcripts
    from forum.transcripts.formats import ORDER
    transcripts.detect(b'{"statuses": []}')
    names = [importer.name for importer in transcripts.registered()]
    assert names[0] == "slack" and "plain" in names and names == ORDER


def test_json_with_an_absurdly_long_number_is_a_transcript_error():
    from forum import transcripts
    with pytest.raises(TranscriptError):
        transcripts.detect(b"[" + b"9" * 5000 + b"]")
