"""The transcript import reads wholly in Welsh for a host who asks for Welsh (#24): the upload page, the
preview of a real transcript, an upload that is not a transcript, and an upload that is no longer waiting.

As in test_welsh_pages, every English phrase of the catalog whose Welsh differs must be absent from the
page's words; the messages quoted from the transcript are the chat's own words and are left out of the check.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from html import unescape
from io import BytesIO
from pathlib import Path

import pytest
import time_machine

from tests.factories import csrf_token, login, make_member, make_space
from tests.functional.test_import_preview import SLACK, _archive, _zip, send
from tests.welsh import english_left as _english_in

PLAIN = Path(__file__).resolve().parents[1] / "data" / "import" / "lgovsm_plain.txt"
TODAY = datetime(2026, 12, 3, 15, 0, tzinfo=timezone.utc)
# Not the forum's words: the transcript's messages (and the selects that quote them), the service areas' names.
QUOTED = re.compile(r'<p class="message__text">.*?</p>|<select\b.*?</select>|<p class="message__meta">.*?</p>'
                    r'|<label class="checkbox__label" for="chat_tags-.*?</label>', re.S)
# The chat's title as the import will store it (data, like any chat's title: shown as it is in both languages).
TITLE = "Chat 3 December 2026"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def welsh_host(app):
    """Jo hosts the chat's space and reads the forum in Welsh."""
    host = make_member(app, "Jo Host")
    space = make_space(app, "lgovsm-chat", name="lgovsm chat", hosts=[host])
    client = app.test_client()
    client.set_cookie("forum_language", "cy")
    login(client, host)
    return client, space


def _words(response) -> str:
    page = re.search(r"<main\b.*?</main>", response.get_data(as_text=True), re.S).group(0)
    page = QUOTED.sub(" ", page)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _upload(client, space, data: bytes, filename: str, **fields):
    form = {"csrf_token": csrf_token(client, "/import"), "chat": "", "space": str(space.id), "format": "",
            "start": "", "hosts": "", "file": (BytesIO(data), filename), **fields}
    return client.post("/import", data=form, content_type="multipart/form-data")


def test_upload_page_reads_in_welsh(welsh_host):
    client, _ = welsh_host
    text = _words(client.get("/import"))
    assert "Mewnforio trawsgrifiad sgwrs" in text
    assert not _english_in(text)


def test_preview_of_a_transcript_reads_in_welsh(welsh_host):
    client, space = welsh_host
    sent = _upload(client, space, PLAIN.read_bytes(), "lgovsm.txt", start="3/12/2026 12:00")
    assert sent.status_code == 302
    response = client.get(sent.headers["Location"])
    assert response.status_code == 200
    text = _words(response)
    for welsh in ("Gwiriwch beth fydd yn cael ei fewnforio", "Croeso a diweddglo:", "Cwestiwn 1:", "Siaradwyr",
                  "Beth sy'n cael ei hepgor", "Cadarnhau a mewnforio", "Uwchlwytho ffeil wahanol"):
        assert welsh in text, welsh
    assert "edefyn: 3 chwestiwn a'r croeso a'r diweddglo" in text
    assert not _english_in(text.replace(TITLE, ""))


def test_an_upload_that_is_not_a_transcript_says_why_in_welsh(welsh_host):
    client, space = welsh_host
    response = _upload(client, space, b"\x00\x01binary\x00", "photo.bin")
    assert response.status_code == 400
    text = _words(response)
    assert "photo.bin: ffeil ddeuaidd yw hi, nid trawsgrifiad testun" in text
    assert "binary" not in text.replace("photo.bin", "")


def test_an_upload_no_longer_waiting_says_so_in_welsh(welsh_host):
    client, _ = welsh_host
    response = client.get("/import/no-such-upload")
    assert response.status_code == 404
    text = _words(response)
    assert "Nid yw'r uwchlwythiad hwn yn aros mwyach" in text
    assert "Nid oes uwchlwythiad yn aros yn y cyfeiriad hwn" in text
    assert not _english_in(text)


def test_the_questions_a_preview_asks_first_read_in_welsh(welsh_host):
    client, space = welsh_host
    vtt = (b"WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nSam: Q1 hello?\n\n"
           b"2\n00:05:00.000 --> 00:05:04.000\nAna: A1 hi\n")
    start = _words(client.get(_upload(client, space, vtt, "call.vtt").headers["Location"]))
    assert "Pryd dechreuodd y sgwrs?" in start and "o ddechrau recordiad" in start

    slack = _zip(SLACK)
    channel = _words(client.get(_upload(client, space, slack, "export.zip").headers["Location"]))
    assert "Ym mha sianel oedd y sgwrs?" in channel and "Mae'r allforio hwn yn cynnwys 2 sianel" in channel

    chat_at = datetime(2025, 1, 17, 13, 0, tzinfo=timezone.utc)
    weekly = [(chat_at - timedelta(weeks=w, hours=3), f"Week {w} of posting #council") for w in range(1, 60)]
    chat = [(chat_at + timedelta(minutes=m), f"A{m % 3 + 1} answer {m} #lgovsm") for m in range(1, 40)]
    tweets = _archive([*weekly, (chat_at, "Q1 How do you start? #lgovsm"), *chat])
    window = _words(client.get(_upload(client, space, tweets, "tweets.js").headers["Location"]))
    assert "Pa sgwrs yw hi?" in window and "Mae'r ffeil hon yn cynnwys 99 neges" in window
    assert "17 Ionawr 2025, 1:00yh: 40 neges" in window

    for text in (start, channel, window):
        assert not _english_in(text)


def test_confirming_the_import_says_what_it_made_in_welsh(welsh_host):
    client, space = welsh_host
    url = _upload(client, space, PLAIN.read_bytes(), "lgovsm.txt", start="3/12/2026 12:00").headers["Location"]
    done = send(client, url, confirm="1")
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Mewnforiwyd 39 neges i 4 edefyn: 3 chwestiwn a&#39;r croeso a&#39;r diweddglo." in page
