"""Bluesky AppView JSON: searchPosts {posts}, getPostThread {thread} and feeds {feed}."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.transcripts import register
from forum.transcripts.base import ChatMessage, Importer, Transcript, json_head
from forum.transcripts.formats._social import Record, has_json_key, is_web_link, json_documents, link_markdown

_LINK_FEATURE = "app.bsky.richtext.facet#link"
_REPOST_REASON = "app.bsky.feed.defs#reasonRepost"
_PLACEHOLDERS = ("#notFoundPost", "#blockedPost")
_VIEWS = ("posts", "thread", "feed")


@register
class BlueskyImporter(Importer):
    """Read Bluesky post views, restoring the full addresses of links the app shortened in the text."""

    name = "bluesky"
    label = _l("Bluesky posts JSON (searchPosts, getPostThread or a feed)")
    platform = "bluesky"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Recognise a posts, thread or feed view holding at:// post URIs."""
        text = json_head(head)
        return (text.startswith("{") and any(has_json_key(text, view) for view in _VIEWS)
                and re.search(r'"at://did:', text) is not None)

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read every post in file order; a thread lists its ancestors, the post, then replies depth first."""
        messages: list[ChatMessage] = []
        for document in json_documents(data):
            for post, reason in _views(Record(document, _("the response"))):
                number = len(messages) + 1
                messages.append(_message(Record(post, _("post %(number)s", number=number)), reason, number))
        return Transcript(format=self.name, platform=self.platform, messages=messages)


def _views(response: Record) -> Iterator[tuple[Any, Record | None]]:
    # Yield each postView with the feed's reason for showing it (such as a repost), if any.
    if response.has("posts"):
        yield from ((post, None) for post in response.items("posts"))
    elif response.has("feed"):
        for item in response.records("feed"):
            yield item.fields.get("post"), item.record("reason")
    elif response.has("thread"):
        yield from ((post, None) for post in _thread_posts(response.fields["thread"]))
    else:
        response.fail(_("expected one of the keys %(keys)s", keys=", ".join(_VIEWS)))


def _thread_posts(thread: Any) -> list[Any]:
    # Walk up the parents and down the replies with loops: a deep thread must not exhaust the stack.
    ancestors = []
    anchor = _thread_node(thread)
    parent = anchor and anchor.fields.get("parent")
    while parent is not None and (node := _thread_node(parent)) is not None:
        ancestors.append(node.fields["post"])
        parent = node.fields.get("parent")
    posts = ancestors[::-1]
    pending = [thread]
    while pending:
        node = _thread_node(pending.pop())
        if node is not None:
            posts.append(node.fields["post"])
            pending.extend(reversed(node.items("replies")))
    return posts


def _thread_node(value: Any) -> Record | None:
    # Deleted and blocked posts stay in the tree as placeholders without a post.
    node = Record(value, _("a thread node"))
    if (node.text("$type") or "").endswith(_PLACEHOLDERS):
        return None
    node.required_record("post")
    return node


def _message(post: Record, reason: Record | None, line: int) -> ChatMessage:
    uri = post.required_text("uri")
    record = post.required_record("record")
    author = post.required_record("author")
    handle = author.required_text("handle")
    repost = reason if reason is not None and reason.text("$type") == _REPOST_REASON else None
    # A repost is shown under whoever reposted it; its reason carries the repost's own uri and time.
    shown_by = repost.required_record("by") if repost else author
    return ChatMessage(
        id=repost.text("uri") if repost else uri,
        author_name=shown_by.text("displayName") or shown_by.required_text("handle"),
        author_handle=shown_by.required_text("handle"),
        author_id=shown_by.required_text("did"),
        text=expand_links(record.text("text") or "", record.items("facets")),
        stamp=_stamp(post, record, repost),
        reply_to=_parent_uri(record),
        url=f"https://bsky.app/profile/{handle}/post/{uri.rpartition('/')[2]}",
        kind="repost" if repost else "message",
        line=line,
    )


def _parent_uri(record: Record) -> str | None:
    reply = record.record("reply")
    parent = reply.record("parent") if reply else None
    return parent.text("uri") if parent else None


def _stamp(post: Record, record: Record, repost: Record | None) -> datetime:
    # createdAt is the poster's clock, so the server's indexedAt stands in when it is missing.
    stamp = (repost and repost.time("indexedAt")) or record.time("createdAt") or post.time("indexedAt")
    return stamp or post.fail(_("missing %(key)s", key="record.createdAt"))


def expand_links(text: str, facets: list[Any]) -> str:
    """Put back the full address of every #link facet; facets index the UTF-8 bytes of the text."""
    encoded = text.encode("utf-8")
    pieces = []
    position = 0
    for start, end, target in sorted(_links(encoded, facets)):
        if start < position:  # overlapping facets: keep the first
            continue
        pieces += [encoded[position:start].decode("utf-8"),
                   link_markdown(target, encoded[start:end].decode("utf-8"))]
        position = end
    pieces.append(encoded[position:].decode("utf-8"))
    return "".join(pieces)


def _links(encoded: bytes, facets: list[Any]) -> Iterator[tuple[int, int, str]]:
    # Facets are written by clients and may be wrong; a facet that does not fit the text is ignored.
    for facet in facets:
        if not isinstance(facet, dict) or not isinstance(features := facet.get("features"), list):
            continue
        span = _byte_span(encoded, facet.get("index"))
        targets = [feature.get("uri") for feature in features
                   if isinstance(feature, dict) and feature.get("$type") == _LINK_FEATURE]
        target = next((target for target in targets if isinstance(target, str) and is_web_link(target)), None)
        if span and target:
            yield *span, target


def _byte_span(encoded: bytes, index: Any) -> tuple[int, int] | None:
    # A usable span runs forward between two UTF-8 character boundaries, never from inside a character.
    if not isinstance(index, dict):
        return None
    start, end = index.get("byteStart"), index.get("byteEnd")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(encoded)):
        return None
    if any(offset < len(encoded) and encoded[offset] & 0xC0 == 0x80 for offset in (start, end)):
        return None
    return start, end
