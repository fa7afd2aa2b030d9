"""Tests the X personal archive importer: the window.YTD assignment, string numbers and the missing user."""

from __future__ import annotations

import json

import pytest

from forum.errors import TranscriptError
from forum.transcripts import get

TWEET = {"id_str": "1788284608312246272", "id": "1788284608312246272", "created_at": "Wed May 08 19:07:30 +0000 2024",
         "full_text": "@ann_council Thanks &amp; welcome!", "display_text_range": ["13", "34"],
         "in_reply_to_status_id_str": "1788283859628986491"}


def archive(entries: object, variable: str = "tweets") -> bytes:
    """Write entries the way an archive's tweets.js holds them."""
    return f"window.YTD.{variable}.part0 = {json.dumps(entries, indent=2)}".encode()


def test_posts_belong_to_the_archive_owner() -> None:
    (message,) = get("twitter_archive").parse(archive([{"tweet": TWEET}])).messages
    assert (message.author_name, message.author_handle, message.author_id) == ("Archive owner", None, None)
    assert message.url == "https://x.com/i/web/status/1788284608312246272"
    assert (message.text, message.reply_to) == ("Thanks & welcome!", "1788283859628986491")


def test_a_user_object_names_the_author_when_present() -> None:
    tweet = {**TWEET, "user": {"id_str": "19873456", "screen_name": "LGovSM", "name": "LocalGov"}}
    (message,) = get("twitter_archive").parse(archive([{"tweet": tweet}])).messages
    assert (message.author_name, message.author_handle) == ("LocalGov", "LGovSM")


def test_bare_entries_and_a_trailing_semicolon_are_accepted() -> None:
    data = archive([TWEET], variable="tweet") + b";\n"
    assert [message.id for message in get("twitter_archive").parse(data).messages] == [TWEET["id_str"]]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (json.dumps([{"tweet": TWEET}]).encode(), "should start with window.YTD.tweets.part0 ="),
        (b'window.YTD.tweets.part0 = {"tweet": 1}', "should be assigned a list, found an object"),
        (b"window.YTD.tweets.part0 = [] []", "more than one JSON value"),
        (archive([{"tweet": {**TWEET, "created_at": None}}]), "record 1: missing created_at"),
        (archive([{"tweet": "x"}]), "record 1: expected an object, found text"),
    ],
)
def test_bad_archives_are_refused(data: bytes, problem: str) -> None:
    with pytest.raises(TranscriptError, match=problem):
        get("twitter_archive").parse(data)
