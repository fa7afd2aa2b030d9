"""Tests the Bluesky importer: link facets on UTF-8 byte offsets, thread walking and feed reposts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from forum.errors import TranscriptError
from forum.transcripts import get
from forum.transcripts.formats.bluesky import expand_links

LINK = "app.bsky.richtext.facet#link"


def post(number: int, parent: int | None = None) -> dict[str, Any]:
    """Build a minimal postView numbered `number`, replying to post `parent`."""
    uri = f"at://did:plc:abc/app.bsky.feed.post/{number}"
    record: dict[str, Any] = {"text": f"post {number}", "createdAt": "2024-05-08T19:00:00Z"}
    if parent is not None:
        parent_uri = f"at://did:plc:abc/app.bsky.feed.post/{parent}"
        record["reply"] = {"root": {"uri": parent_uri}, "parent": {"uri": parent_uri}}
    return {"uri": uri, "author": {"did": "did:plc:abc", "handle": "a.bsky.social"}, "record": record}


def link_facet(start: Any, end: Any, uri: str = "https://example.org/long/path") -> dict[str, Any]:
    """Build a #link facet over bytes start..end."""
    return {"index": {"byteStart": start, "byteEnd": end}, "features": [{"$type": LINK, "uri": uri}]}


def test_link_facets_count_utf8_bytes() -> None:
    text = "👍🏽 see example.org/long... ok"
    start = len("👍🏽 see ".encode())
    facet = link_facet(start, start + len(b"example.org/long..."))
    assert expand_links(text, [facet]) == "👍🏽 see https://example.org/long/path ok"


@pytest.mark.parametrize(
    "facets",
    [
        [link_facet(1, 3)],                                 # inside the emoji's four bytes
        [link_facet(10, 400)],                              # beyond the text
        [link_facet(8, 4)],                                 # backwards
        [link_facet("0", 4)],                               # not numbers
        [link_facet(0, 4, "javascript:alert(1)")],          # not a web link
        [{"index": None, "features": None}, "junk"],        # not facets at all
    ],
    ids=["mid-character", "out-of-range", "backwards", "strings", "unsafe", "junk"],
)
def test_facets_that_do_not_fit_are_ignored(facets: list[Any]) -> None:
    assert expand_links("👍 text here", facets) == "👍 text here"


def test_overlapping_facets_keep_the_first() -> None:
    facets = [link_facet(0, 4, "https://a.example"), link_facet(2, 6, "https://b.example")]
    assert expand_links("abcdefgh", facets) == "[abcd](https://a.example)efgh"


def test_a_deep_thread_is_walked_in_order() -> None:
    # 250 ancestors above the anchor and 250 nested replies below it: 750 levels of JSON, walked with loops.
    depth = 250
    thread: dict[str, Any] = {"post": post(depth, depth - 1)}
    node = thread
    for number in range(depth - 1, -1, -1):
        node["parent"] = {"post": post(number, number - 1 if number else None)}
        node = node["parent"]
    node = thread
    for number in range(depth + 1, 2 * depth + 1):
        node["replies"] = [{"post": post(number, number - 1)}]
        node = node["replies"][0]
    messages = get("bluesky").parse(json.dumps({"thread": thread}).encode()).messages
    assert [message.text for message in messages] == [f"post {number}" for number in range(2 * depth + 1)]
    assert messages[-1].reply_to == messages[-2].id


def test_feed_reposts_are_shown_under_the_reposter() -> None:
    by = {"did": "did:plc:bob", "handle": "bob.bsky.social", "displayName": "Bob"}
    feed = {"feed": [{"post": post(1), "reason": {"$type": "app.bsky.feed.defs#reasonRepost", "by": by,
                                                   "indexedAt": "2024-05-08T19:05:00Z"}},
                     {"post": post(2), "reason": {"$type": "app.bsky.feed.defs#reasonPin"}}]}
    repost, pinned = get("bluesky").parse(json.dumps(feed).encode()).messages
    assert (repost.kind, repost.author_handle, repost.author_id, repost.id) == (
        "repost", "bob.bsky.social", "did:plc:bob", None)
    assert repost.url == "https://bsky.app/profile/a.bsky.social/post/1"
    assert (pinned.kind, pinned.author_handle) == ("message", "a.bsky.social")


def test_created_at_falls_back_to_indexed_at() -> None:
    view = post(1)
    del view["record"]["createdAt"]
    view["indexedAt"] = "2024-05-08T19:00:01.5Z"
    (message,) = get("bluesky").parse(json.dumps({"posts": [view]}).encode()).messages
    assert message.stamp.isoformat() == "2024-05-08T19:00:01.500000+00:00"


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"posts": [{**post(1), "author": {"did": "did:plc:abc"}}]}, "post 1, author: missing handle"),
        ({"posts": [{**post(1), "record": {"text": "x"}}]}, "post 1: missing record.createdAt"),
        ({"posts": [{**post(1), "record": {"text": 5, "createdAt": "2024-05-08T19:00:00Z"}}]},
         "post 1, record: text should be text, found a number"),
        ({"thread": {"post": post(1), "replies": [7]}}, "a thread node: expected an object, found a number"),
    ],
)
def test_bad_posts_are_refused(document: dict[str, Any], problem: str) -> None:
    with pytest.raises(TranscriptError, match=problem):
        get("bluesky").parse(json.dumps(document).encode())
