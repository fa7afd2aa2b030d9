"""Tests every social-platform transcript format alike: golden files, bad input, and robustness under random input."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forum.errors import TranscriptError
from forum.transcripts import get
from forum.transcripts.base import Importer
from tests.unit.transcripts._fuzz import FUZZ, mutations, truncations
from tests.unit.transcripts._social import (
    CSV_FORMATS,
    DATA,
    GOLDEN,
    JSON_FORMATS,
    SOCIAL_FORMATS,
    golden_input,
    golden_inputs,
    parse_golden,
    serialise,
    zip_members,
)


def parse_or_refuse(importer: Importer, data: bytes, channel: str | None = None) -> None:
    """Parse data, accepting either well-formed messages or a one-line TranscriptError, and nothing else."""
    try:
        transcript = importer.parse(data, channel=channel)
    except TranscriptError as error:
        assert error.message and "\n" not in error.message
    else:
        for message in transcript.messages:
            serialise(message)  # every field has its promised type
            assert message.id is None or isinstance(message.id, str)
            assert isinstance(message.text, str) and isinstance(message.author_name, str)


def test_every_format_has_golden_files() -> None:
    assert {path.parent.name for path in GOLDEN} == set(SOCIAL_FORMATS)


@pytest.mark.parametrize("expected", GOLDEN, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_golden(expected: Path) -> None:
    transcript = parse_golden(expected)
    assert [serialise(message) for message in transcript.messages] == json.loads(expected.read_text("utf-8"))
    assert transcript.format == expected.parent.name


# -- bad input -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", SOCIAL_FORMATS)
@pytest.mark.parametrize(
    ("data", "problem"),
    [(b"", "empty"), (b"  \r\n\n", "empty")],
    ids=["empty", "blank"],
)
def test_empty_files_are_refused(name: str, data: bytes, problem: str) -> None:
    with pytest.raises(TranscriptError, match=problem):
        get(name).parse(data)


@pytest.mark.parametrize("name", JSON_FORMATS + CSV_FORMATS)
@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"\x00\x01\x02binary\x00", "binary"),
        (b"\x81\x8d\x8f\x90\x9d", "neither UTF-8 nor Windows-1252"),
    ],
    ids=["binary", "undecodable"],
)
def test_unreadable_files_are_refused(name: str, data: bytes, problem: str) -> None:
    with pytest.raises(TranscriptError, match=problem):
        get(name).parse(data)


@pytest.mark.parametrize("name", JSON_FORMATS)
def test_absurdly_nested_json_is_refused(name: str) -> None:
    data = b"[" * 100_000 if name != "twitter_archive" else b"window.YTD.tweets.part0 = " + b"[" * 100_000
    with pytest.raises(TranscriptError, match="nested too deeply"):
        get(name).parse(data)


@pytest.mark.parametrize("name", JSON_FORMATS)
def test_integers_too_long_to_convert_are_refused(name: str) -> None:
    prefix = b"window.YTD.tweets.part0 = " if name == "twitter_archive" else b""
    with pytest.raises(TranscriptError, match="number too long"):
        get(name).parse(prefix + b"[" + b"9" * 5000 + b"]")


@pytest.mark.parametrize("name", JSON_FORMATS)
@pytest.mark.parametrize("index", range(3))
def test_golden_json_cut_in_half_is_refused(name: str, index: int) -> None:
    inputs = golden_inputs(name)
    data = inputs[index % len(inputs)]
    with pytest.raises(TranscriptError, match="JSON is broken at line"):
        get(name).parse(data[: len(data) // 2])


@pytest.mark.parametrize("name", CSV_FORMATS)
def test_golden_csv_cut_in_half_is_refused_or_shorter(name: str) -> None:
    for data in golden_inputs(name):
        whole = get(name).parse(data).messages
        try:
            half = get(name).parse(data[: len(data) // 2]).messages
        except TranscriptError as error:
            assert error.message.startswith("row ")
        else:
            assert len(half) < len(whole)


@pytest.mark.parametrize(
    ("name", "document", "problem"),
    [
        ("twitter_v1", [{"id_str": "1", "text": "hi"}], "record 1: missing created_at"),
        ("twitter_v1", [{"created_at": "Wed May 08 19:02:00 +0000 2024", "text": "hi", "user": {"screen_name": "a"}}],
         "record 1: missing id_str"),
        ("twitter_v1", [{"id_str": 12.5}], "record 1: id_str should be an id, found a number"),
        ("twitter_v1", [{"id_str": "1", "created_at": "yesterday"}],
         "record 1: created_at 'yesterday' is not an X time"),
        ("twitter_v1", {"statuses": {"a": 1}}, "statuses should be a list, found an object"),
        ("twitter_v1", ["not a status"], "record 1: expected an object, found text"),
        ("twitter_v2", {"data": [{"id": "5", "text": "x"}]}, "record 1: missing created_at"),
        ("twitter_v2", {"data": "x"}, "page 1: data should be a list of Tweets, found text"),
        ("twitter_v2", {"data": [{"id": "1788283224191930491"}]}, "record 1: missing text"),
        ("mastodon", [{"id": "1", "content": "<p>x</p>"}], "record 1: missing account"),
        ("mastodon", [{"id": "1", "account": {"acct": "a"}, "content": "<![foo bar]>",
                       "created_at": "2024-05-08T19:00:00Z"}], "record 1: the content is not readable"),
        ("mastodon", {"ancestors": 3}, "the context: ancestors should be a list, found a number"),
        ("bluesky", {"posts": [{"uri": "at://x"}]}, "post 1: missing record"),
        ("bluesky", {"thread": {"replies": []}}, "a thread node: missing post"),
        ("bluesky", {"cursor": "1"}, "the response: expected one of the keys posts, thread, feed"),
        ("discord_json", {"guild": None, "messages": []}, "the export: missing channel"),
        ("discord_json", {"channel": {"name": "x"}, "messages": [{"id": "1", "author": {"name": "a"}}]},
         "the export, messages 1: missing timestamp"),
    ],
)
def test_malformed_records_are_named_in_the_error(name: str, document: Any, problem: str) -> None:
    with pytest.raises(TranscriptError, match=problem):
        get(name).parse(json.dumps(document).encode())


# -- robustness ------------------------------------------------------------------------------------

# Pieces of the formats' own syntax, so random edits reach deep into the parsers.
SYNTAX = st.sampled_from(
    [b'"', b",", b"\n", b"\r\n", b"{", b"}", b"[", b"]", b":", b"null", b"0", b"-1", b"1e999", b'""', b"\\u",
     b"\\ud83d", b"&amp;", b"&lt;", b"<", b">", b"|", b"<@", b"<p>", b"</a>", b"RT @", b"1.26426E+18", b"NA",
     b"\xff", b"\x00", b"PK\x03\x04"]
)
# Values to put anywhere in a JSON tree: wrong types, edge numbers and strings that look like syntax.
JSON_VALUES = st.sampled_from(
    [None, True, 0, -1, 2**64, 1.5, "", "x", "@", "<p>", "RT @x: y", "at://did:plc:x/app.bsky.feed.post/1",
     "1.26426E+18", "2024-13-45T99:99:99Z", "0001-01-01T00:00:00+05:00", "Wed Feb 30 25:61:61 +9999 0000", [], {},
     [1], {"a": None}, {"byteStart": 5, "byteEnd": 2}]
)



def replace_somewhere(draw: st.DrawFn, tree: Any) -> Any:
    """Replace one randomly chosen node of a JSON tree (possibly the root) with a random value."""
    path = []
    node = tree
    while isinstance(node, (dict, list)) and node and draw(st.integers(0, 9)) > 0:
        key = draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))
        path.append(key)
        node = node[key]
    value = copy.deepcopy(draw(JSON_VALUES))  # sampled values are shared objects; a tree must not contain itself
    if not path:
        return value
    parent = tree
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return tree


@st.composite
def json_mutations(draw: st.DrawFn, name: str) -> bytes:
    """Draw a golden JSON input with a few of its values replaced by values of the wrong shape."""
    expected = draw(st.sampled_from([path for path in GOLDEN if path.parent.name == name]))
    text = golden_input(expected).read_text("utf-8")
    prefix, _, body = text.partition("= ") if name == "twitter_archive" else ("", "", text)
    # A JSON Lines file holds several documents; mutate the first whole line instead.
    lines = body.splitlines() if golden_input(expected).suffix == ".jsonl" else [body]
    documents = [json.loads(line) for line in lines]
    tree = documents[0]
    for _ in range(draw(st.integers(1, 4))):
        tree = replace_somewhere(draw, tree)
    documents[0] = tree
    return (prefix + (" = " if prefix else "") + "\n".join(json.dumps(document) for document in documents)).encode()


@pytest.mark.parametrize("name", SOCIAL_FORMATS)
@FUZZ
@given(data=st.binary(max_size=512))
def test_random_bytes(name: str, data: bytes) -> None:
    importer = get(name)
    assert importer.sniff(data) in (True, False)
    parse_or_refuse(importer, data)


@pytest.mark.parametrize("name", SOCIAL_FORMATS)
@FUZZ
@given(choice=st.data())
def test_truncated_golden_inputs(name: str, choice: st.DataObject) -> None:
    importer = get(name)
    data = choice.draw(truncations(golden_inputs(name)))
    assert importer.sniff(data) in (True, False)
    parse_or_refuse(importer, data, channel="lgovsm")


@pytest.mark.parametrize("name", SOCIAL_FORMATS)
@FUZZ
@given(choice=st.data())
def test_mutated_golden_inputs(name: str, choice: st.DataObject) -> None:
    importer = get(name)
    data = choice.draw(mutations(golden_inputs(name), SYNTAX))
    assert importer.sniff(data) in (True, False)
    parse_or_refuse(importer, data, channel="lgovsm")


@pytest.mark.parametrize("name", JSON_FORMATS)
@FUZZ
@given(choice=st.data())
def test_reshaped_golden_json(name: str, choice: st.DataObject) -> None:
    importer = get(name)
    data = choice.draw(json_mutations(name))
    assert importer.sniff(data) in (True, False)
    parse_or_refuse(importer, data)


@FUZZ
@given(choice=st.data())
def test_reshaped_slack_day_files(choice: st.DataObject) -> None:
    folder = DATA / "slack" / "single_channel"
    members = {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*.json"))}
    name = choice.draw(st.sampled_from(sorted(members)))
    tree = replace_somewhere(choice.draw, json.loads(members[name]))
    members[name] = json.dumps(tree).encode()
    parse_or_refuse(get("slack"), zip_members(members))

