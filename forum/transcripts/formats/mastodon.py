"""Mastodon statuses JSON: a timeline array, a /context object with ancestors and descendants, or one status."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.transcripts import register
from forum.transcripts.base import ChatMessage, Importer, Kind, Transcript
from forum.transcripts.formats._social import Record, is_web_link, json_documents, json_keys_present, link_markdown

# Inline HTML a remote server may send, and the markdown that says the same.
_INLINE_MARKUP = {"strong": "**", "b": "**", "em": "*", "i": "*", "del": "~~", "s": "~~", "code": "`"}
_BLOCKS = {"p", "div", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"}
_PARAGRAPH = "\n\n"


@register
class MastodonImporter(Importer):
    """Read Mastodon statuses, turning their HTML into markdown and marking boosts, bots and direct messages."""

    name = "mastodon"
    label = _l("Mastodon statuses JSON (timeline or thread context)")
    platform = "mastodon"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Recognise statuses (an account with an acct) or a context (ancestors and descendants)."""
        return (json_keys_present(head, "account", "acct", "content")
                or json_keys_present(head, "ancestors", "descendants", opener="{"))

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read every status in file order; a context lists its ancestors, then its descendants."""
        messages = [_message(Record(status, _("record %(number)s", number=number)), number)
                    for number, status in enumerate(_statuses(json_documents(data)), 1)]
        return Transcript(format=self.name, platform=self.platform, messages=messages)


def _statuses(documents: list[Any]) -> Iterator[Any]:
    for document in documents:
        if isinstance(document, list):
            yield from document
        elif isinstance(document, dict) and ("ancestors" in document or "descendants" in document):
            context = Record(document, _("the context"))
            yield from context.items("ancestors")
            yield from context.items("descendants")
        else:
            yield document


def _message(status: Record, line: int) -> ChatMessage:
    account = status.required_record("account")
    handle = account.required_text("acct")
    boosted = status.record("reblog")
    return ChatMessage(
        id=status.ident("id") or status.fail(_("missing %(key)s", key="id")),
        author_name=account.text("display_name") or account.text("username") or handle,
        author_handle=handle,
        author_id=account.ident("id"),
        text=_text(boosted or status),
        stamp=status.time("created_at") or status.fail(_("missing %(key)s", key="created_at")),
        reply_to=status.ident("in_reply_to_id"),
        url=status.text("url") or status.text("uri"),
        kind=_kind(status, account, boosted),
        line=line,
    )


def _kind(status: Record, account: Record, boosted: Record | None) -> Kind:
    if boosted is not None:
        return "repost"
    if status.text("visibility") == "direct":
        return "private"
    return "system" if account.flag("bot") else "message"


def _text(status: Record) -> str:
    # A boost has empty content of its own, so it is given the original it wraps.
    try:
        return html_to_markdown(status.text("content") or "")
    except ValueError:
        status.fail(_("the content is not readable HTML"))


def html_to_markdown(html: str) -> str:
    """Turn a status's HTML content into markdown-ish text; raise ValueError on markup html.parser cannot read."""
    converter = _ContentConverter()
    try:
        converter.feed(html)
        converter.close()
    except AssertionError:  # html.parser asserts on some malformed declarations, such as "<![foo bar]>"
        raise ValueError("unreadable HTML") from None
    return converter.markdown()


class _ContentConverter(HTMLParser):
    """Collect a status's text: paragraphs, line breaks, mentions, hashtags and full link addresses."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._out: list[str] = []
        self._spans: list[bool] = []          # for each open <span>, whether it hides its text
        self._link: tuple[str, list[str]] | None = None  # the open <a>: its target and its text so far
        self._preformatted = 0

    def markdown(self) -> str:
        """Return the text collected so far, closing an unfinished link."""
        self._close_link()
        return re.sub(r"\n{3,}", _PARAGRAPH, "".join(self._out)).strip()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open paragraphs, list items, links, hidden spans and inline markup."""
        attributes = dict(attrs)
        if tag in _BLOCKS:
            self._emit(_PARAGRAPH)
            if tag == "pre":
                self._preformatted += 1
        elif tag == "br":
            self._emit("\n")
        elif tag == "li":
            self._emit("\n- ")
        elif tag == "a":
            self._close_link()
            self._link = (attributes.get("href") or "", [])
        elif tag == "span":
            self._spans.append("invisible" in (attributes.get("class") or "").split())
        elif tag in _INLINE_MARKUP:
            self._emit(_INLINE_MARKUP[tag])

    def handle_endtag(self, tag: str) -> None:
        """Close what handle_starttag opened."""
        if tag in _BLOCKS:
            self._emit(_PARAGRAPH)
            if tag == "pre":
                self._preformatted = max(self._preformatted - 1, 0)
        elif tag == "a":
            self._close_link()
        elif tag == "span" and self._spans:
            self._spans.pop()
        elif tag in _INLINE_MARKUP:
            self._emit(_INLINE_MARKUP[tag])

    def handle_data(self, data: str) -> None:
        """Keep visible text; outside <pre>, runs of HTML whitespace are one space."""
        if self._link is not None:
            self._link[1].append(data)  # a link keeps its hidden "https://" part, to compare with the target
        elif not any(self._spans):
            self._emit(data if self._preformatted else re.sub(r"\s+", " ", data))

    def _close_link(self) -> None:
        if self._link is None:
            return
        target, parts = self._link
        self._link = None
        self._emit(_link_text(target, "".join(parts).strip()))

    def _emit(self, text: str) -> None:
        if self._link is not None:
            self._link[1].append(text)
        else:
            self._out.append(text)


def _link_text(target: str, text: str) -> str:
    # Mentions and hashtags read "@user" and "#tag"; other targets (javascript:, relative) are not kept.
    if text.startswith(("@", "#")) or not is_web_link(target):
        return text
    return link_markdown(target, text)
