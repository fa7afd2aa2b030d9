"""Tests the TAGS CSV importer on the real tidytags sample and on spreadsheet damage."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from forum.errors import TranscriptError
from forum.transcripts import get
from tests.unit.transcripts._social import DATA

HEADER = b"id_str,from_user,text,created_at,time,from_user_id_str,in_reply_to_status_id_str,status_url\n"
ROW = (b"1788283224191930491,LGovSM,Q1 &amp;amp; more,Wed May 08 19:02:00 +0000 2024,08/05/2024 20:02:00,19873456,"
       b"NA,NA\n")


def test_corpus_sample_data(corpus: Path) -> None:
    messages = get("tags_csv").parse((corpus / "tags_csv" / "sample-data.csv").read_bytes()).messages
    assert len(messages) == 10
    assert sum(message.kind == "repost" for message in messages) == 8
    first = messages[0]
    assert (first.id, first.author_handle, first.author_id) == ("1251954312772812801", "Harriet96152202",
                                                                "1251951804398669825")
    # created_at (UTC), not the time column, which is an hour ahead in the sheet's timezone.
    assert first.stamp == datetime(2020, 4, 19, 19, 22, 23, tzinfo=timezone.utc)
    assert first.url == "http://twitter.com/Harriet96152202/statuses/1251954312772812801"
    (own,) = [message for message in messages if message.id == "1225122317849657345"]
    assert (own.kind, own.author_handle) == ("message", "tadousay")
    assert own.text.startswith("Many thanks to @AECTTechTrends")
    assert messages[2].text.startswith("RT @veletsianos: Reminder: Call for Chapter Proposals: Critical Digital")
    assert "\n\nhtt…" in messages[2].text  # a quoted newline inside the text survives


def test_corpus_single_tweet(corpus: Path) -> None:
    (message,) = get("tags_csv").parse((corpus / "tags_csv" / "sample-tweet.csv").read_bytes()).messages
    assert (message.id, message.kind, message.author_handle) == ("1219758386436165633", "repost", "gsa_aect")


def test_entities_are_decoded_once_and_na_is_empty() -> None:
    (message,) = get("tags_csv").parse(HEADER + ROW).messages
    assert (message.text, message.reply_to) == ("Q1 &amp; more", None)
    assert message.url == "https://x.com/LGovSM/status/1788283224191930491"


def test_full_text_wins_over_the_cut_text() -> None:
    data = (DATA / "tags_csv" / "reordered.csv").read_bytes()
    edited = data.replace(b"Mostly a shared inbox &gt; spreadsheets #lgovsm,en", b"the whole answer,en")
    assert get("tags_csv").parse(edited).messages[0].text == "A2 the whole answer"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (HEADER + ROW + ROW.replace(b"1788283224191930491", b"1.26426E+18"),
         r"row 3: id_str '1.26426E\+18' was mangled by a spreadsheet"),
        (HEADER + b"1788283224191930491,LGovSM,Q1\n", "row 2: 3 values for 8 columns"),
        (HEADER + ROW.replace(b",19873456,", b",1.98734E+7,"), r"row 2: from_user_id_str '1.98734E\+7' was mangled"),
        (HEADER + ROW + b'1788283224191930492,LGovSM,"Q2 "what" tools,Wed May 08 19:10:00 +0000 2024,,,,\n',
         "row 3: the CSV is broken"),
        (HEADER + ROW + b'1788283224191930492,LGovSM,"Q2 never closed,Wed May 08 19:10:00 +0000 2024\n',
         "row 3: the CSV is broken .*unexpected end of data"),
        (HEADER + ROW.replace(b",LGovSM,", b",,"), "row 2: from_user is empty"),
        (HEADER + ROW.replace(b"Wed May 08 19:02:00 +0000 2024", b"08/05/2024 19:02"), "row 2: created_at '08/05/2024"),
        (b"id_str,text\n1,x\n", "the CSV header lacks the columns from_user, created_at"),
    ],
    ids=["mangled-id", "row-length", "mangled-user-id", "stray-quote", "unclosed-quote", "no-author", "bad-time",
         "header"],
)
def test_damaged_sheets_are_refused_naming_the_row(data: bytes, problem: str) -> None:
    with pytest.raises(TranscriptError, match=problem):
        get("tags_csv").parse(data)
