"""Segmentation rules for issue #18: the wrap-up, a file's timing, spreading times, one chat of many, and a
host's adjustments (moved boundaries, messages left out). The same rules for every format."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from forum.transcripts.base import ChatMessage, Transcript
from forum.transcripts.segment import (NO_WRAP_UP, Adjustments, ChoiceError, is_closing, message_ref, segment,
                                       timing)

T0 = datetime(2026, 12, 3, 12, 0, tzinfo=timezone.utc)


def msg(minute: float | None, author: str, text: str, *, id: str | None = None, reply_to: str | None = None,
        stamp=None, line: int | None = None) -> ChatMessage:
    when = stamp if stamp is not None else (T0 + timedelta(minutes=minute) if minute is not None else None)
    return ChatMessage(id=id if id is not None else f"{author}-{minute}-{text[:10]}", author_name=author,
                       text=text, stamp=when, reply_to=reply_to, line=line)


def chat(messages, platform="text", **options):
    return segment(Transcript(format="plain", platform=platform, messages=messages), **options)


def texts(messages):
    return [m.text for m in messages]


# A plain log of a chat as a host runs it: the welcome, three questions, then "That's time" and goodbyes.
def plain_chat():
    return [
        msg(0, "Sam", "Welcome all! First question in a minute"),
        msg(1, "Ana", "Hello from Leeds"),
        msg(2, "Sam", "Q1: How do you reach residents?"),
        msg(3, "Ana", "A1 Facebook groups"),
        msg(4, "Jo", "A1 newsletters"),
        msg(20, "Sam", "Q2: Who signs off posts?"),
        msg(21, "Jo", "A2 comms team"),
        msg(40, "Sam", "Q3: What would you tell your chief executive?"),
        msg(41, "Ana", "A3 try it yourself"),
        msg(42, "Jo", "we invited ours to a chat"),
        msg(55, "Sam", "That's time! Thanks all for coming"),
        msg(56, "Ana", "Thanks Sam, great chat"),
        msg(57, "Jo", "A3 late one: show them the numbers"),
        msg(58, "Jo", "Bye all"),
        msg(59, "Sam", "See you next week"),
    ]


@pytest.mark.parametrize("text", [
    "That's time! Thanks all", "thats time everyone", "Thanks all for joining", "Thank you everyone!",
    "Thanks, everyone", "That's all for this week", "That's a wrap for #lgovsm", "See you all next week",
])
def test_closing_words(text):
    assert is_closing(text)


@pytest.mark.parametrize("text", ["Thanks Ana, good point", "A3 thanks for asking", "All the time, yes"])
def test_words_that_do_not_close(text):
    assert not is_closing(text)


def test_the_wrap_up_starts_at_the_hosts_closing_words_and_takes_the_goodbyes():
    result = chat(plain_chat())
    assert texts(result.closing) == ["That's time! Thanks all for coming", "Thanks Sam, great chat", "Bye all",
                                     "See you next week"]
    third = result.questions[-1]
    assert texts(third.posts) == ["Q3: What would you tell your chief executive?", "A3 try it yourself",
                                  "we invited ours to a chat", "A3 late one: show them the numbers"]


def test_without_closing_words_the_hosts_last_messages_are_the_wrap_up():
    messages = [m for m in plain_chat() if not m.text.startswith(("That's time", "Thanks Sam", "Bye"))]
    result = chat(messages)
    assert texts(result.closing) == ["See you next week"]


def test_a_reply_into_a_question_stays_there_after_the_wrap_up_starts():
    messages = plain_chat()
    messages[3].id = "a1"
    messages.insert(12, msg(56.5, "Jo", "agreed, Facebook works", reply_to="a1"))
    result = chat(messages)
    assert "agreed, Facebook works" in texts(result.questions[0].posts)
    assert "agreed, Facebook works" not in texts(result.closing)


def test_the_same_rule_holds_for_a_meeting_transcript():
    messages = [msg(m.stamp.minute, m.author_name, m.text) for m in plain_chat()]
    result = segment(Transcript(format="teams_vtt", platform="teams", messages=messages))
    assert texts(result.closing)[0] == "That's time! Thanks all for coming"


def test_a_host_moves_a_questions_start_and_the_messages_follow():
    messages = plain_chat()
    # Jo's answer was really the start of the second question's discussion.
    result = chat(messages, adjust=Adjustments(starts={2: message_ref(messages[4])}))
    first, second, _ = result.questions
    assert texts(first.posts) == ["Q1: How do you reach residents?", "A1 Facebook groups"]
    assert second.opener.text == "A1 newsletters" and second.text == "Who signs off posts?"
    assert texts(second.posts)[:2] == ["A1 newsletters", "Q2: Who signs off posts?"]


def test_a_host_chooses_where_the_wrap_up_starts_or_that_there_is_none():
    messages = plain_chat()
    result = chat(messages, adjust=Adjustments(wrap_up=message_ref(messages[-1])))
    assert texts(result.closing) == ["See you next week"]
    result = chat(messages, adjust=Adjustments(wrap_up=NO_WRAP_UP))
    assert result.closing == [] and texts(result.questions[-1].posts)[-1] == "See you next week"


def test_a_host_leaves_messages_out_and_they_are_listed_as_left_out():
    messages = plain_chat()
    result = chat(messages, adjust=Adjustments(leave_out=frozenset({message_ref(messages[1])})))
    assert "Hello from Leeds" not in texts(result.intro)
    assert [(m.text, why) for m, why in result.dropped] == [("Hello from Leeds", "left_out")]
    assert result.left_out == 1


@pytest.mark.parametrize("adjust, field", [
    (Adjustments(starts={2: "forged000000"}), "start_2"),
    (Adjustments(starts={7: "forged000000"}), "start_7"),
    (Adjustments(wrap_up="forged000000"), "wrap_up"),
    (Adjustments(leave_out=frozenset({"forged000000"})), "leave_out"),
])
def test_choices_naming_messages_that_are_not_there_are_refused(adjust, field):
    with pytest.raises(ChoiceError) as refused:
        chat(plain_chat(), adjust=adjust)
    assert refused.value.field == field and refused.value.message


def test_boundaries_must_stay_in_order():
    messages = plain_chat()
    with pytest.raises(ChoiceError, match="Question 3 must start after question 2"):
        chat(messages, adjust=Adjustments(starts={3: message_ref(messages[3])}))
    with pytest.raises(ChoiceError, match="after the last question"):
        chat(messages, adjust=Adjustments(wrap_up=message_ref(messages[6])))


@pytest.mark.parametrize("stamps, kind", [
    ([None, None, None], "none"),
    ([timedelta(seconds=1), timedelta(minutes=5), None], "elapsed"),
    ([time(13, 0), time(13, 20), time(13, 40)], "clock"),
    ([T0, T0 + timedelta(minutes=20), T0 + timedelta(minutes=50)], "real"),
    ([T0 + timedelta(seconds=n) for n in range(6)], "flat"),
    ([time(12, 0)] * 6, "flat"),
    ([T0, T0 + timedelta(seconds=5)], "real"),  # two messages in a minute can be real
])
def test_timing_says_whether_a_file_has_real_times(stamps, kind):
    messages = [msg(None, "a", f"m{n}", stamp=stamp) for n, stamp in enumerate(stamps)]
    assert timing(Transcript(format="t", platform="text", messages=messages)).kind == kind


def test_spreading_places_messages_evenly_in_file_order():
    messages = [msg(None, "Sam", f"message {n}", line=n) for n in range(1, 7)]
    result = chat(messages, start=T0, spread=timedelta(minutes=60))
    stamps = [m.stamp for m in result.timeline]
    assert stamps == [T0 + timedelta(minutes=10 * n) for n in range(6)]
    assert result.spread and result.file_stamps[message_ref(messages[0])] is None


def test_one_chat_is_picked_from_a_file_of_many_by_time_and_hashtag():
    messages = [msg(-60 * 24 * 30, "Sam", "a month before #lgovsm"),
                msg(0, "Sam", "Q1: hello? #lgovsm"), msg(5, "Ana", "A1 yes #LGovSM"), msg(6, "Ana", "no tag here"),
                msg(60 * 24, "Sam", "a day later #lgovsm")]
    result = chat(messages, platform="x", window=(T0 - timedelta(minutes=15), T0 + timedelta(minutes=90)),
                  hashtag="#lgovsm")
    assert texts(result.timeline) == ["Q1: hello? #lgovsm", "A1 yes #LGovSM"]
    assert result.skipped["outside"] == 3


def test_a_survey_tells_a_whole_archive_from_one_chat():
    from forum.transcripts.segment import survey
    one_chat = [msg(n, "Sam", f"A{n % 3 + 1} #lgovsm") for n in range(60)]
    assert not survey(Transcript(format="t", platform="x", messages=one_chat)).holds_many_chats
    years = [msg(60 * 24 * 7 * week, "Sam", "weekly #lgovsm #localgov") for week in range(100)]
    busy = [msg(60 * 24 * 7 * 10 + n, "Ana", f"A1 answer {n} #lgovsm") for n in range(30)]
    found = survey(Transcript(format="t", platform="x", messages=years + busy))
    assert found.holds_many_chats and found.messages == 130
    assert found.busiest_hours[0] == (T0 + timedelta(weeks=10), 31)
    assert found.hashtags[:2] == [("#lgovsm", 130), ("#localgov", 100)]


def test_a_boundary_the_host_chose_cannot_be_left_out():
    messages = plain_chat()
    ref = message_ref(messages[4])
    with pytest.raises(ChoiceError, match="Question 2 starts at a message you chose to leave out"):
        chat(messages, adjust=Adjustments(starts={2: ref}, leave_out=frozenset({ref})))


def test_leaving_out_a_question_found_automatically_drops_that_question():
    messages = plain_chat()
    result = chat(messages, adjust=Adjustments(leave_out=frozenset({message_ref(messages[5])})))
    assert [q.number for q in result.questions] == [1, 3]
    assert "A2 comms team" in texts(result.questions[0].posts)
