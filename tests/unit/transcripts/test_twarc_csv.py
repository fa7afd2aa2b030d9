"""Tests the twarc-csv importer: its dotted v2 columns, merged retweets, escaped newlines and JSON-encoded text.

chat.csv, json_text.csv and inline_referenced.csv were written by twarc-csv 0.7.2 (`twarc2 csv`, with
--json-encode-text and --inline-referenced-tweets) from the twitter_v2 golden pages; real.csv by the same
tool from real response pages in DocNow/twarc-csv's test data (MIT), as SOURCES.md beside them says.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from forum.errors import TranscriptError
from forum.transcripts import detect, get
from forum.transcripts.base import ChatMessage
from tests.unit.transcripts._social import DATA

FOLDER = DATA / "twarc_csv"
HEADER = ("id,conversation_id,referenced_tweets.replied_to.id,referenced_tweets.retweeted.id,author_id,"
          "created_at,text,author.id,author.username,author.name\n")


def parse(*rows: str) -> list[ChatMessage]:
    """Parse a twarc-csv file made of the header above and the given rows."""
    return get("twarc_csv").parse((HEADER + "".join(rows)).encode()).messages


def test_a_retweet_is_known_by_its_retweeted_id_since_its_text_is_the_original() -> None:
    messages = get("twarc_csv").parse((FOLDER / "chat.csv").read_bytes()).messages
    retweet = messages[-1]
    assert (retweet.kind, retweet.author_handle) == ("repost", "bobp")
    assert retweet.text == "Q1 How do you handle comments & complaints on social? #lgovsm"


@pytest.mark.parametrize("name", ["json_text.csv", "inline_referenced.csv"])
def test_the_tools_options_give_the_same_messages(name: str) -> None:
    default = get("twarc_csv").parse((FOLDER / "chat.csv").read_bytes()).messages
    other = get("twarc_csv").parse((FOLDER / name).read_bytes()).messages
    # --inline-referenced-tweets adds the retweeted question as a row of its own, before the retweet.
    def strip(messages: Iterable[ChatMessage]) -> list[tuple[object, ...]]:
        return [(m.id, m.author_name, m.text, m.stamp, m.reply_to, m.kind) for m in messages]
    assert strip(m for m in other if m.id != "1788283224191930491") == strip(default)


def test_escaped_newlines_and_entities_are_decoded_once() -> None:
    (message,) = parse('1788283859628986491,1788283859628986491,,,1,2024-05-08T19:04:31.000Z,'
                       '"A1 one\\ntwo &amp;amp; &lt;3",1,ann,Ann\n')
    assert message.text == "A1 one\ntwo &amp; <3"


def test_a_reply_keeps_its_parent() -> None:
    (message,) = parse("1788284273816506491,1788283859628986491,1788283859628986491,,2,2024-05-08T19:06:10Z,"
                       "@ann A1 same,2,bob,Bob\n")
    assert (message.reply_to, message.url) == ("1788283859628986491", "https://x.com/bob/status/1788284273816506491")


def test_the_real_export_is_detected() -> None:
    data = (FOLDER / "real.csv").read_bytes()
    assert detect(data).name == "twarc_csv"
    assert [message.kind for message in get("twarc_csv").parse(data).messages] == ["repost", "message"]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("1.78828E+18,,,,1,2024-05-08T19:04:31Z,x,1,a,A\n", r"row 2: id '1.78828E\+18' was mangled by a spreadsheet"),
        ("1788283859628986491,,,,1,08/05/2024 20:04,x,1,a,A\n", "row 2: created_at '08/05/2024 20:04' is not an ISO"),
        (",,,,1,2024-05-08T19:04:31Z,x,1,a,A\n", "row 2: id is empty"),
    ],
)
def test_bad_rows_are_refused(row: str, problem: str) -> None:
    with pytest.raises(TranscriptError, match=problem):
        parse(row)


def test_other_tweet_csvs_are_not_claimed() -> None:
    assert not get("twarc_csv").sniff(b"id,text,created_at,author\n1,x,2024-05-08T19:04:31Z,a\n")
