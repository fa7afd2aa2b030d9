"""Tests the Slack export importer on zulip's real export fixtures, channel choice, damage and zip bombs."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from forum.errors import TranscriptError
from forum.transcripts import get
from forum.transcripts.formats import slack
from forum.transcripts.formats.slack import mrkdwn_to_markdown
from tests.unit.transcripts._social import DATA, zip_folder, zip_members

MULTI = DATA / "slack" / "multi_channel"
DAY = "lgovsm/2024-05-08.json"


def fixture_export(corpus: Path, fixture: str) -> bytes:
    """Zip one of zulip's exported-message fixtures as the channel "random", with its users.json."""
    folder = corpus / "slack_export" / "exported_messages_fixtures"
    messages = json.loads((folder / fixture).read_text("utf-8"))
    day = json.dumps(messages if isinstance(messages, list) else [messages]).encode()
    return zip_members({"users.json": (folder / "users.json").read_bytes(),
                        "channels.json": (corpus / "slack_export" / "channels.json").read_bytes(),
                        "random/2015-06-12.json": day})


def test_corpus_export(corpus: Path) -> None:
    transcript = get("slack").parse(zip_folder(corpus / "slack_export" / "test_slack_importer"))
    assert (transcript.title, len(transcript.messages)) == ("random", 13)
    assert sum(message.kind == "system" for message in transcript.messages) == 4  # channel joins
    first_words = transcript.messages[1]
    assert (first_words.text, first_words.author_name, first_words.author_id) == ("edfadfa", "k._", "U6006P1CN")
    assert first_words.stamp.isoformat() == "2017-06-25T14:31:11.279035+00:00"
    upload = transcript.messages[5]
    assert upload.text.startswith(
        "@k._ uploaded a file: [dirac72.md](https://plan8team.slack.com/files/U6006P1CN/F8VSW87RR/dirac72.md)")
    assert transcript.messages[-1].text == "@channel"
    assert transcript.messages[7].author_name == "汉语 हिन्दी"


def test_corpus_thread_with_broadcast_reply(corpus: Path) -> None:
    messages = get("slack").parse(fixture_export(corpus, "thread_with_broadcast_reply.json")).messages
    assert [(message.text, message.reply_to, message.kind) for message in messages] == [
        ("thread message", None, "message"),
        ("first reply", "1434139102.000002", "message"),
        ("everyone should see this", "1434139102.000002", "message"),
    ]


def test_corpus_thread_replies_older_than_their_parent(corpus: Path) -> None:
    messages = get("slack").parse(fixture_export(corpus, "normal_thread.json")).messages
    assert [message.reply_to for message in messages] == [None, "1434139102.000002", None, "1539868294.000007"]


@pytest.mark.parametrize(
    ("fixture", "text"),
    [
        ("message_with_user_mentions.json", "@pieterceka123 test user mention @U074VRHQ11T"),
        ("message_with_channel_mentions.json", "#C079A3FA12P #rich-text-blocks #general"),
        ("message_with_basic_formatting.json", "Hello there, I am a basic rich text block! Hello there, **I am a bold "
         "rich text block!** Hello there, _I am an italic rich text block!_ Hello there, ~~I am a strikethrough rich "
         "text block!~~"),
        ("normal_messages.json", "@jane doe: hey!"),
    ],
)
def test_corpus_mrkdwn(corpus: Path, fixture: str, text: str) -> None:
    assert get("slack").parse(fixture_export(corpus, fixture)).messages[-1].text == text


@pytest.mark.parametrize(
    ("mrkdwn", "text"),
    [
        ("<@U1> and <@U2|bob> in <#C1> and <#C2|random>", "@ann and @bob in #lgovsm and #random"),
        ("<https://x.example/a?b=1&amp;c=2|a &amp; b> <https://x.example> <mailto:a@x.example|a@x.example>",
         "[a & b](https://x.example/a?b=1&c=2) https://x.example a@x.example"),
        ("<!here> <!channel> <!subteam^S1|@hosts> <!date^1715194920^{date}|8 May>", "@here @channel @hosts 8 May"),
        ("&amp;lt; is not &lt; &gt; *Q1:* ~gone~ 2*3*4", "&lt; is not < > **Q1:** ~~gone~~ 2*3*4"),
        ("<javascript:alert(1)|click>", "click"),
    ],
    ids=["mentions", "links", "specials", "entities-once", "unsafe-link"],
)
def test_mrkdwn_to_markdown(mrkdwn: str, text: str) -> None:
    assert mrkdwn_to_markdown(mrkdwn, {"U1": "ann", "C1": "lgovsm"}) == text


def test_several_channels_need_one_chosen() -> None:
    with pytest.raises(TranscriptError) as refusal:
        get("slack").parse(zip_folder(MULTI))
    assert refusal.value.message == "this export holds 2 channels: lgovsm, random; name one with --channel"
    with pytest.raises(TranscriptError, match="^the export has no channel 'general'; it holds lgovsm, random$"):
        get("slack").parse(zip_folder(MULTI), channel="general")
    assert get("slack").parse(zip_folder(MULTI), channel="#lgovsm").title == "lgovsm"


def test_the_channels_of_an_export_are_listed_without_direct_messages(corpus: Path) -> None:
    assert slack.channels(zip_folder(MULTI)) == ["lgovsm", "random"]
    assert slack.channels(zip_folder(corpus / "slack_export" / "test_slack_importer")) == ["random"]
    with pytest.raises(TranscriptError, match="a Slack export must be the zip file Slack sends"):
        slack.channels(b'{"not": "a zip"}')


def test_one_channel_beside_direct_messages_needs_no_choice() -> None:
    folder = {name: data for name, data in _members(MULTI).items() if not name.startswith("random/")}
    assert get("slack").parse(zip_members(folder)).title == "lgovsm"


@pytest.mark.parametrize("channel", ["D07ANNBOB01", "mpdm-lgovsm--ann.example--bobp-1"])
def test_direct_messages_are_private(channel: str) -> None:
    messages = get("slack").parse(zip_folder(MULTI), channel=channel).messages
    assert messages and {message.kind for message in messages} == {"private"}


def test_an_export_zipped_inside_its_folder() -> None:
    transcript = get("slack").parse(zip_folder(MULTI, root="slack-export-2024-05-09/"), channel="random")
    assert transcript.messages[1].author_name == "Ann Example"  # users.json was found under the root folder


def test_a_zip_bomb_is_refused_without_unpacking_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(slack, "MAX_UNPACKED_BYTES", 1 << 20)
    bomb = zip_members({DAY: b"[" + b" " * (20 << 20) + b"]"})
    assert len(bomb) < 100_000
    with pytest.raises(TranscriptError, match="the export unpacks to more than 1 MB"):
        get("slack").parse(bomb)


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        ({DAY: b"[{]"}, "lgovsm/2024-05-08.json: the JSON is broken at line 1, column 3"),
        ({DAY: b"\x81\x8d\x8f\x90\x9d"}, "lgovsm/2024-05-08.json: the file is neither UTF-8 nor Windows-1252"),
        ({DAY: b"[" * 100_000}, "lgovsm/2024-05-08.json: the JSON is nested too deeply"),
        ({DAY: b"{}"}, "lgovsm/2024-05-08.json: expected a list of messages, found an object"),
        ({DAY: b'[{"ts": "yesterday"}]'}, "lgovsm/2024-05-08.json, message 1: ts 'yesterday' is not a Slack timestamp"),
        ({DAY: b'[{"text": "x"}]'}, "lgovsm/2024-05-08.json, message 1: missing ts"),
        ({DAY: b"[]", "users.json": b'{"id": "U1"}'}, "users.json: expected a list, found an object"),
        ({"users.json": b"[]"}, "the export holds no channel day files"),
        ({DAY: b"[]", f"other/{DAY}": b"[]"}, "the zip holds more than one export"),
    ],
    ids=["broken", "undecodable", "nested", "not-a-list", "bad-ts", "no-ts", "bad-users", "no-channels", "two-roots"],
)
def test_damaged_exports_are_refused_naming_the_file(members: dict[str, bytes], problem: str) -> None:
    with pytest.raises(TranscriptError, match=problem):
        get("slack").parse(zip_members(members), channel="lgovsm")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b'[{"ts": "1"}]', "a Slack export must be the zip file Slack sends"),
        (b"\x00\x01\x02binary\x00", "a Slack export must be the zip file Slack sends"),
        (zip_folder(MULTI)[: len(zip_folder(MULTI)) // 2], "the zip is damaged"),
        (b"PK\x03\x04" + zlib.compress(b"not really a zip"), "the zip is damaged"),
    ],
    ids=["json", "binary", "cut-in-half", "fake"],
)
def test_files_that_are_not_whole_zips_are_refused(data: bytes, problem: str) -> None:
    with pytest.raises(TranscriptError, match=problem):
        get("slack").parse(data)


def _members(folder: Path) -> dict[str, bytes]:
    """Read a Slack export folder as zip member names and contents."""
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}
