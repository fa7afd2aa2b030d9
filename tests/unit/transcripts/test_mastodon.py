"""Tests the Mastodon importer on real Mastodon.py cassettes and its HTML-to-markdown conversion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from forum.transcripts import get
from forum.transcripts.formats.mastodon import html_to_markdown

ACCOUNT = {"id": "110987654321098765", "username": "ann", "acct": "ann@councils.social", "display_name": "Ann"}
STATUS = {"id": "112407024205825234", "created_at": "2024-05-08T19:04:31.500Z", "content": "<p>A1 yes</p>",
          "account": ACCOUNT}


def test_corpus_boost(corpus: Path) -> None:
    (message,) = get("mastodon").parse((corpus / "mastodon" / "status_reblog.json").read_bytes()).messages
    assert (message.kind, message.text, message.author_name, message.author_handle) == (
        "repost", "Toot!", "John Lennon", "mastodonpy_test")
    assert message.url.endswith("/activity")


def test_corpus_reply(corpus: Path) -> None:
    (message,) = get("mastodon").parse((corpus / "mastodon" / "status_reply.json").read_bytes()).messages
    assert (message.id, message.reply_to, message.text) == ("117020583258292382", "117020583245459824",
                                                             "@mastodonpy_test_2 same!")
    assert (message.author_name, message.author_id) == ("admin", "117020565693913441")  # no display name set


def test_corpus_tag_timelines(corpus: Path) -> None:
    (hoot,) = get("mastodon").parse((corpus / "mastodon" / "timeline_tag_hoot.json").read_bytes()).messages
    assert hoot.text == "#hoot (hashtag toot)"
    page = get("mastodon").parse((corpus / "mastodon" / "timeline_tag_page.json").read_bytes()).messages
    assert len(page) == 10 and {message.kind for message in page} == {"message"}
    assert page[0].text == "Toot number 29! #fgiztsshwiaqqiztpmmjbtvmescsculuvmgjgopwoeidbcrixp"


@pytest.mark.parametrize(
    ("fields", "kind"),
    [({"visibility": "direct"}, "private"), ({"reblog": STATUS}, "repost"), ({"visibility": "unlisted"}, "message")],
)
def test_kinds(fields: dict[str, object], kind: str) -> None:
    (message,) = get("mastodon").parse(json.dumps({**STATUS, **fields}).encode()).messages
    assert message.kind == kind


def test_bot_accounts_post_notices() -> None:
    status = {**STATUS, "account": {**ACCOUNT, "bot": True}}
    assert get("mastodon").parse(json.dumps([status]).encode()).messages[0].kind == "system"


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>one</p><p>two<br>three<br />four</p>", "one\n\ntwo\nthree\nfour"),
        ('<p><a href="https://example.org/a/b" rel="nofollow"><span class="invisible">https://</span>'
         '<span class="ellipsis">example.org/a</span><span class="invisible">/b</span></a></p>', "https://example.org/a/b"),
        ('<p><a href="https://example.org/page">the page</a></p>', "[the page](https://example.org/page)"),
        ('<p><a href="javascript:alert(1)">click</a></p>', "click"),
        ("<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp;lt; &#39;q&#39; &quot;</p>",
         "<script>alert(1)</script> &lt; 'q' \""),
        ("<p><strong>Q1</strong> <em>why</em> <code>x</code></p>", "**Q1** *why* `x`"),
        ("<ul><li>one</li><li>two</li></ul><p>after</p>", "- one\n- two\n\nafter"),
        ("<p>spaces\n   between\twords</p><pre>keep\n  this</pre>", "spaces between words\n\nkeep\n  this"),
        ('<p><a href="https://example.org">unclosed', "[unclosed](https://example.org)"),
    ],
    ids=["paragraphs", "shortened-link", "labelled-link", "unsafe-link", "entities-once", "inline", "list",
         "whitespace", "unclosed"],
)
def test_html_to_markdown(html: str, text: str) -> None:
    assert html_to_markdown(html) == text
