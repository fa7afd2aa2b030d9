"""The new words of an email: its text (HTML-only mail converted to markdown), without quoted history or signature.

Plain text is preferred; a mail with only HTML has its quoted history removed where mail clients mark
it (Gmail's `gmail_quote`, Apple Mail's `blockquote type=cite`, Outlook's `divRplyFwdMsg`) and is
converted to markdown with markdownify. Then `mail-parser-reply` cuts the text at the first header
of quoted history ("On ... wrote:", "-----Original Message-----", "From: ... Sent: ...") and drops
the signature, and lines quoted with ">" go (so a reply written below the quote keeps only itself).
What comes out is markdown for the one sanitiser (posting.reply / start_thread store it through
Post.set_body); nothing here makes HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message

from bs4 import BeautifulSoup
from flask_babel import gettext as _, ngettext
from mailparser_reply.parser import EmailMessage as ParsedReply
from markdownify import markdownify

from forum.cleantext import clean_text

_QUOTED_LINE = re.compile(r"^[ \t]*>.*$\n?", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")
# Elements that hold quoted history in the HTML of common mail clients; Outlook's marks where the
# quoted history starts, and everything after it goes too.
_QUOTE_SELECTORS = ("div.gmail_quote", "blockquote[type=cite]", "div.moz-cite-prefix", "blockquote.gmail_quote",
                    "div.yahoo_quoted", "div.protonmail_quote")
_OUTLOOK_MARKERS = ("div#divRplyFwdMsg", "div#appendonsend", "hr#stopSpelling")


@dataclass
class MailText:
    """The new words of a message as markdown, and the names of the attachments left out."""

    text: str
    attachments: list[str] = field(default_factory=list)

    def with_note(self) -> str:
        """The text with a line saying which attachments were left out, if any were."""
        if not self.attachments:
            return self.text
        note = ngettext("(%(num)s attachment was left out: %(names)s)",
                        "(%(num)s attachments were left out: %(names)s)",
                        len(self.attachments), names=", ".join(self.attachments))
        return f"{self.text}\n\n{note}"


def _decoded(part: Message) -> str:
    """A text part's content as str, whatever its charset claims."""
    try:
        return part.get_content()  # type: ignore[attr-defined]
    except (LookupError, UnicodeError, KeyError, AttributeError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace")


def html_to_markdown(html: str) -> str:
    """HTML mail as markdown, its quoted history and anything that is not text removed first."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["head", "style", "script", "title", "img"]):
        tag.decompose()
    for selector in _OUTLOOK_MARKERS:
        marker = soup.select_one(selector)
        if marker is not None:
            for later in list(marker.find_all_next()):
                later.decompose()
            marker.decompose()
    for selector in _QUOTE_SELECTORS:
        for tag in soup.select(selector):
            tag.decompose()
    return markdownify(str(soup), heading_style="ATX", bullets="-")


def _filename(part: Message) -> str:
    name = part.get_filename()
    if name:
        return " ".join(str(name).split())[:100]
    return _("an unnamed %(type)s file", type=part.get_content_type())


def _leaves(part: Message):
    """Every part that is not a container; a forwarded message (message/rfc822) counts as one part."""
    if part.is_multipart() and part.get_content_maintype() == "multipart":
        for child in part.get_payload():
            yield from _leaves(child)
    else:
        yield part


def extract(message: EmailMessage) -> MailText:
    """The new words of `message` (markdown) and the attachments that were left out."""
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    body = plain if plain is not None else html
    attachments: list[str] = []
    for part in _leaves(message):
        if part is plain or part is html:
            continue
        disposition = (part.get_content_disposition() or "").lower()
        if part.get_content_maintype() == "text" and disposition != "attachment" and not part.get_filename():
            continue  # another rendering of the body, not a file
        attachments.append(_filename(part))
    if body is None:
        return MailText("", attachments)
    raw = _decoded(body)
    text = html_to_markdown(raw) if body.get_content_subtype() == "html" else raw
    return MailText(strip_history(text), attachments)


def strip_history(text: str) -> str:
    """The newest words of an email body: quoted history, attribution lines and the signature removed."""
    text = clean_text(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\u00a0", " ")
    # EmailReplyParser(languages=["en"]).read(text), but keeping "- item" lists, which it takes for a signature.
    parsed = ParsedReply(text=text, languages=["en"], keep_hyphen_lists=True).read()
    newest = parsed.replies[0].body if parsed.replies else text
    newest = _QUOTED_LINE.sub("", newest)
    return _BLANK_RUNS.sub("\n\n", newest).strip()
