"""X API v2 Tweets: search response pages (one, an array, or JSON Lines) and twarc2's flattened Tweets."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timezone
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.transcripts import register
from forum.transcripts.base import ChatMessage, Importer, Transcript, json_head
from forum.transcripts.formats._social import (
    Record,
    describe,
    has_json_key,
    json_documents,
    json_keys_present,
    unescape_entities,
)
from forum.transcripts.formats._twitter import UNKNOWN_AUTHOR, checked_x_id, is_retweet_text, snowflake_time, x_url

# Keys only a v2 Tweet or search page has; "data" alone is too common to go by.
_V2_KEYS = ("edit_history_tweet_ids", "author_id", "conversation_id", "referenced_tweets", "note_tweet",
            "newest_id", "result_count")
# A flattened Tweet (twarc2 flatten, its default JSON Lines) has no "data": its own keys and twarc's stamp.
_FLAT_KEYS = ("__twarc", "edit_history_tweet_ids", "conversation_id", "referenced_tweets")


@register
class TwitterV2Importer(Importer):
    """Read v2 Tweets, joining each page's includes.users for names and preferring note_tweet text."""

    name = "twitter_v2"
    label = _l("X (Twitter) API v2 search JSON")
    platform = "x"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Recognise a data key with a key only v2 Tweets or pages have, or a flattened Tweet's own keys."""
        text = json_head(head)
        if json_keys_present(head, "data"):
            return any(has_json_key(text, key) for key in _V2_KEYS)
        return (json_keys_present(head, "id", "text", "author_id", opener="{")
                and any(has_json_key(text, key) for key in _FLAT_KEYS))

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read every Tweet of every page, or every flattened Tweet, in file order."""
        messages: list[ChatMessage] = []
        for page in _pages(json_documents(data)):
            users = _users(page)
            for tweet in _tweets(page):
                number = len(messages) + 1
                record = Record(tweet, _("record %(number)s", number=number))
                messages.append(_message(record, users or _own_author(record), number))
        return Transcript(format=self.name, platform=self.platform, messages=messages)


def _pages(documents: list[Any]) -> Iterator[Record]:
    # Paginated results arrive as separate documents or gathered into one array.
    pages = (page for document in documents for page in (document if isinstance(document, list) else [document]))
    for number, page in enumerate(pages, 1):
        yield Record(page, _("page %(number)s", number=number))


def _is_flattened(page: Record) -> bool:
    # twarc2 flatten writes each Tweet alone, its expansions (author, referenced_tweets...) inline.
    return not page.has("data") and not page.has("meta") and page.has("id")


def _own_author(tweet: Record) -> dict[str, Record]:
    # A flattened Tweet carries its author as an object instead of in a page's includes.
    author = tweet.record("author")
    author_id = tweet.ident("author_id")
    return {author_id: author} if author is not None and author_id else {}


def _users(page: Record) -> dict[str, Record]:
    # Each page carries the users of its own Tweets only (expansions=author_id).
    if _is_flattened(page):
        return {}
    includes = page.record("includes")
    users = includes.records("users") if includes else ()
    return {user_id: user for user in users if (user_id := user.ident("id"))}


def _tweets(page: Record) -> list[Any]:
    if _is_flattened(page):
        return [page.fields]
    data = page.fields.get("data")
    if isinstance(data, list):
        return data
    if isinstance(data, dict):  # a single Tweet lookup
        return [data]
    if data is None and page.has("meta"):  # a page with no results
        return []
    page.fail(_("%(key)s should be a list of Tweets, found %(found)s", key="data", found=describe(data)))


def _message(tweet: Record, users: dict[str, Record], line: int) -> ChatMessage:
    tweet_id = checked_x_id(tweet.ident("id") or tweet.fail(_("missing %(key)s", key="id")), "id", tweet.fail)
    # created_at is not a default field; a snowflake id still tells the time to the millisecond.
    stamp = tweet.time("created_at") or snowflake_time(tweet_id)
    if stamp is None:
        tweet.fail(_("missing %(key)s", key="created_at"))
    author_id = tweet.ident("author_id")
    user = users.get(author_id) if author_id else None
    handle = user.text("username") if user else None
    note = tweet.record("note_tweet")
    text = (note and note.text("text")) or tweet.required_text("text")
    references = {reference.text("type"): reference.ident("id") for reference in tweet.records("referenced_tweets")}
    repost = "retweeted" in references or is_retweet_text(text)
    return ChatMessage(
        id=tweet_id,
        author_name=(user and user.text("name")) or handle or author_id or UNKNOWN_AUTHOR,
        author_handle=handle,
        author_id=author_id,
        text=unescape_entities(text),
        stamp=stamp.astimezone(timezone.utc),
        reply_to=references.get("replied_to"),
        url=x_url(handle, tweet_id),
        kind="repost" if repost else "message",
        line=line,
    )
