"""Tests the X API v2 importer on real tweepy search responses and on pages, note tweets and missing fields."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from forum.errors import TranscriptError
from forum.transcripts import get
from tests.unit.transcripts._social import DATA


def test_corpus_default_fields_only(corpus: Path) -> None:
    messages = get("twitter_v2").parse((corpus / "twitter_v2" / "search_recent_tweets.json").read_bytes()).messages
    assert len(messages) == 10
    first = messages[0]
    assert (first.id, first.author_name, first.author_handle, first.kind) == (
        "1578516068309794817", "unknown", None, "message")
    assert first.url == "https://x.com/i/web/status/1578516068309794817"
    # Without created_at the time comes from the snowflake id; these test posts write their own send time.
    for message in messages:
        written = datetime.fromisoformat(message.text.removesuffix(" tweepy")).replace(tzinfo=timezone.utc)
        assert abs(message.stamp - written) < timedelta(seconds=1)


def test_corpus_retweets(corpus: Path) -> None:
    data = (corpus / "twitter_v2" / "asyncclient_search_recent_tweets.json").read_bytes()
    messages = get("twitter_v2").parse(data).messages
    assert len(messages) == 10
    assert [message.id for message in messages if message.kind == "repost"] == [
        "1578522194770296832", "1578520573914718208", "1578519902427619328"]


def test_pages_written_back_to_back_are_all_read(corpus: Path) -> None:
    folder = corpus / "twitter_v2"
    data = b"".join((folder / name).read_bytes() for name in ("search_recent_tweets.json",
                                                              "asyncclient_search_recent_tweets.json"))
    assert len(get("twitter_v2").parse(data).messages) == 20


def test_each_page_names_only_its_own_authors() -> None:
    pages = json.loads((DATA / "twitter_v2" / "pages.json").read_text("utf-8"))
    del pages[1]["includes"]
    messages = get("twitter_v2").parse(json.dumps(pages).encode()).messages
    assert [message.author_handle for message in messages] == ["ann_council", "LGovSM", None, None]
    assert messages[2].author_name == messages[2].author_id == "987654321"


def test_a_single_tweet_lookup() -> None:
    data = {"data": {"id": "1788283224191930491", "text": "Q1 &amp; more", "created_at": "2024-05-08T20:02:00+01:00"}}
    (message,) = get("twitter_v2").parse(json.dumps(data).encode()).messages
    assert (message.text, message.stamp) == ("Q1 & more", datetime(2024, 5, 8, 19, 2, tzinfo=timezone.utc))


def test_a_page_without_results_is_empty() -> None:
    assert get("twitter_v2").parse(b'{"meta": {"result_count": 0}}').messages == []


@pytest.mark.parametrize(
    ("tweet", "problem"),
    [
        ({"id": "12345", "text": "an id from before snowflakes carries no time"}, "record 1: missing created_at"),
        ({"id": "9.9E+18", "text": "x"}, "record 1: id '9.9E\\+18' was mangled by a spreadsheet"),
        ({"id": "1788283224191930491", "text": "x", "created_at": "08/05/2024"}, "is not an ISO 8601 time"),
        ({"id": "1788283224191930491", "text": "x", "referenced_tweets": "retweeted"}, "should be a list"),
    ],
)
def test_bad_tweets_are_refused(tweet: dict[str, str], problem: str) -> None:
    with pytest.raises(TranscriptError, match=problem):
        get("twitter_v2").parse(json.dumps({"data": [tweet]}).encode())


# -- twarc2 ----------------------------------------------------------------------------------------
# twarc_real.jsonl is `twarc2 flatten` (twarc 2.14.0) run on two real response pages from DocNow/twarc-csv's
# test data (two_tweets.jsonl, edited.jsonl; MIT); twarc_flat.jsonl is the same tool run on pages.json and
# retweet.json written as twarc2 search writes them (one page a line, each with its __twarc stamp).

def test_twarc2_flattened_tweets_are_read_with_their_inline_authors() -> None:
    messages = get("twitter_v2").parse((DATA / "twitter_v2" / "twarc_flat.jsonl").read_bytes()).messages
    assert [(message.author_name, message.author_handle, message.kind) for message in messages] == [
        ("Ann Example", "ann_council", "message"), ("LocalGov Digital Social", "LGovSM", "message"),
        ("Bob Pérez", "bobp", "message"), ("Ann Example", "ann_council", "message"), ("Bob Pérez", "bobp", "repost")]
    assert messages[2].reply_to == "1788283859628986491"


def test_twarc2_flattened_real_tweets(corpus: Path) -> None:
    repost, edited = get("twitter_v2").parse((DATA / "twitter_v2" / "twarc_real.jsonl").read_bytes()).messages
    assert (repost.author_handle, repost.kind) == ("LachiVeronica", "repost")
    assert (edited.id, edited.author_name, edited.text) == (
        "1576994789110992896", "Jane Manchun Wong", "hey :) https://t.co/rnwEIoNuqd")
    assert edited.stamp == datetime(2022, 10, 3, 17, 57, 11, tzinfo=timezone.utc)


def test_flattened_and_raw_pages_give_the_same_messages() -> None:
    raw = b"".join(json.dumps(page).encode() + b"\n" for page in
                   [*json.loads((DATA / "twitter_v2" / "pages.json").read_bytes()),
                    json.loads((DATA / "twitter_v2" / "retweet.json").read_bytes())])
    flat = (DATA / "twitter_v2" / "twarc_flat.jsonl").read_bytes()
    strip = lambda messages: [(m.id, m.author_name, m.text, m.stamp, m.reply_to, m.kind) for m in messages]  # noqa: E731
    assert strip(get("twitter_v2").parse(raw).messages) == strip(get("twitter_v2").parse(flat).messages)


def test_a_flattened_tweet_without_its_author_object_falls_back_to_the_id() -> None:
    tweet = {"id": "1788283859628986491", "text": "A1 yes", "author_id": "42", "created_at": "2024-05-08T19:04:31Z",
             "conversation_id": "1788283859628986491"}
    (message,) = get("twitter_v2").parse(json.dumps(tweet).encode()).messages
    assert (message.author_name, message.author_handle) == ("42", None)
    assert get("twitter_v2").sniff(json.dumps(tweet).encode())
