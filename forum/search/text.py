"""The words a document is searched by, and its highlighted snippets made safe to print.

Posts are indexed from their stored HTML (what readers see, already sanitised), reduced to plain
text here. Backends mark matches in snippets with two control characters, which never occur in
indexed text; `marked` escapes everything else and turns the pairs into <mark> elements.
"""

from __future__ import annotations

import html
import re

import nh3
from markupsafe import Markup, escape

START, STOP = "\x02", "\x03"

# Block boundaries become spaces, so "<p>budget</p><p>simulators</p>" is two words, not one; other tags go.
_BLOCKS = "p|li|h[1-6]|td|th|tr|blockquote|pre|ul|ol|table|div"
_BLOCK_BOUNDARY = re.compile(rf"<(?:br|hr|img)\b[^>]*>|</(?:{_BLOCKS})\s*>", re.IGNORECASE)
# The same for a database's regular expressions (PostgreSQL's: \y, not \b, is a word's edge), and any tag
# (attribute values quoted, as the sanitiser writes them), for when the database reads the text from the HTML.
BLOCK_BOUNDARY_PATTERN = rf"<(?:br|hr|img)\y[^>]*>|</(?:{_BLOCKS})>"  # the sanitiser writes tags in lower case
TAG_PATTERN = r'<(?:[^>"]|"[^"]*")*>'
_TEXT_ONLY = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style"}, attributes={}, link_rel=None)
# Control characters (START and STOP among them) and invisible formatting characters people paste:
# those that join or hyphenate a word go, the rest separate words.
_JOINERS = re.compile("[\u00ad\u200c\u200d\u2060\ufeff]")
_OTHER_INVISIBLE = ("\x7f-\x9f\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2061-\u206f"
                    "\ufff9-\ufffb\ud800-\udfff")
_INVISIBLE = re.compile(f"[\x00-\x1f{_OTHER_INVISIBLE}]")
_INVISIBLE_BUT_MARKS = re.compile(f"[\x00\x01\x04-\x1f{_OTHER_INVISIBLE}]")  # START and STOP are \x02, \x03


def plain_text(fragment: str | None) -> str:
    """The text of an HTML fragment, whitespace collapsed, with no control characters left."""
    if not fragment:
        return ""
    text = html.unescape(_TEXT_ONLY.clean(_BLOCK_BOUNDARY.sub(" ", fragment)))
    return clean(text)


def clean(text: str | None) -> str:
    """Plain text with control and invisible characters made spaces and whitespace collapsed."""
    if not text:
        return ""
    return " ".join(_INVISIBLE.sub(" ", _JOINERS.sub("", text)).split())


def headline(fragment: str | None) -> str:
    """A snippet a backend made from HTML (tags as spaces, entities as they were) as plain text with its marks:
    entities read, control and invisible characters as `clean` leaves them, START and STOP kept."""
    if not fragment:
        return ""
    return " ".join(_INVISIBLE_BUT_MARKS.sub(" ", _JOINERS.sub("", html.unescape(fragment))).split())


def marked(snippet: str | None) -> Markup:
    """A backend's snippet as safe HTML: the text escaped, each START...STOP pair a <mark>."""
    out: list[str] = []
    open_ = False
    for piece in re.split(f"([{START}{STOP}])", snippet or ""):
        if piece == START:
            if not open_:
                out.append("<mark>")
                open_ = True
        elif piece == STOP:
            if open_:
                out.append("</mark>")
                open_ = False
        elif piece:
            out.append(str(escape(piece)))
    if open_:
        out.append("</mark>")
    return Markup("".join(out))
