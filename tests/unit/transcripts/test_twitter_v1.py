"""Tests the X API v1.1 importer on the real tweepy search response and on the traps of the format."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from forum.errors import TranscriptError
from forum.transcripts import get

STATUS = {"id_str": "1788284273816506491", "created_at": "Wed May 08 19:06:10 +0000 2024",
          "user": {"id_str": "987654321", "screen_name": "bobp", "name": "Bob"}}


def parse_one(**fields: Any) -> Any:
    """Parse a single status made of STATUS and `fields`, and return its message."""
    (message,) = get("twitter_v1").parse(json.dumps([{**STATUS, **fields}]).encode()).messages
    return message


def test_corpus_search_response(corpus: Path) -> None:
    messages = get("twitter_v1").parse((corpus / "twitter_v1" / "search_tweets.json").read_bytes()).messages
    assert len(messages) == 15
    assert sum(message.kind == "repost" for message in messages) == 6
    first = messages[0]
    assert (first.id, first.author_handle, first.author_name, first.author_id) == (
        "1149825924029980674", "tweepy_pie", "Dina Parmar", "789181790")
    assert first.stamp == datetime(2019, 7, 12, 23, 40, 37, tzinfo=timezone.utc)
    assert first.url == "https://x.com/tweepy_pie/status/1149825924029980674"
    assert messages[2].text.startswith("RT @BBCRajiniV: An important thread \U0001F447\U0001F3FD")
    (reply,) = [message for message in messages if message.reply_to]
    assert (reply.author_handle, reply.reply_to) == ("jluisperezg", "1149676837204717568")
    assert reply.text.startswith("@Kirzahk @DianalvarezBack")  # no display_text_range: mentions stay


def test_display_text_range_drops_the_auto_inserted_reply_mentions() -> None:
    message = parse_one(full_text="@ann_council @LGovSM A1 yes \U0001F44D", display_text_range=[21, 29])
    assert message.text == "A1 yes \U0001F44D"


def test_display_text_range_is_ignored_when_it_would_cut_real_words() -> None:
    assert parse_one(full_text="Hello @ann A1 yes", display_text_range=[6, 17]).text == "Hello @ann A1 yes"


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({"text": "short…", "full_text": "the full text"}, "the full text"),
        ({"text": "short…", "extended_tweet": {"full_text": "the streamed full text"}}, "the streamed full text"),
        ({"text": "Q&amp;A &lt;3 &amp;lt; &gt;"}, "Q&A <3 &lt; >"),
    ],
    ids=["full_text", "extended_tweet", "entities-once"],
)
def test_text(fields: dict[str, Any], text: str) -> None:
    assert parse_one(**fields).text == text


def test_ids_given_only_as_numbers_keep_every_digit() -> None:
    status = {**STATUS, "text": "x", "id": 1788284273816506491, "in_reply_to_status_id": 1788283859628986491}
    del status["id_str"]
    (message,) = get("twitter_v1").parse(json.dumps(status).encode()).messages
    assert (message.id, message.reply_to) == ("1788284273816506491", "1788283859628986491")


def test_a_retweeted_status_is_a_repost_even_without_rt_prefix() -> None:
    assert parse_one(text="quoted", retweeted_status={"id_str": "1"}).kind == "repost"


def test_created_at_is_turned_to_utc() -> None:
    message = parse_one(text="x", created_at="Wed May 08 20:06:10 +0100 2024")
    assert message.stamp == datetime(2024, 5, 8, 19, 6, 10, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"text": "x", "id_str": "1.78828E+18"}, r"record 1: id_str '1.78828E\+18' was mangled by a spreadsheet"),
        ({"text": "x", "user": None}, "record 1: missing user"),
        ({"text": "x", "user": {"name": "Bob"}}, "record 1, user: missing screen_name"),
        ({"text": None}, "record 1: missing full_text and text"),
        ({"text": "x", "created_at": "Wed Foo 08 19:06:10 +0000 2024"}, "is not an X time"),
    ],
)
def test_bad_statuses_are_refused(fields: dict[str, Any], problem: str) -> None:
    with pytest.raises(TranscriptError, match=problem):
        parse_one(**fields)
