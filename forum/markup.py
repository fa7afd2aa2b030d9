"""Turn user-written Markdown into safe HTML: the only place in the forum where that happens.

Posts, bios and summaries are rendered once, when they are written, and the HTML is stored.
The pipeline is:

1. Python-Markdown (fenced_code, tables, sane_lists) turns the source into HTML. Raw HTML in the
   source is passed along inline, so ``<sup>``, ``<sub>`` and ``<del>`` work; nh3 decides what
   survives. Changes to stock Python-Markdown:
   - Headings are demoted two levels (``#`` -> h3, ``##`` -> h4, deeper -> h5/h6) so a post can't
     break the page outline; raw ``<h1>``/``<h2>`` tags are not allowed and are dropped, keeping
     their text.
   - A heading needs a space after the hashes (as in CommonMark), so a line starting with a
     hashtag such as ``#aect19`` stays a paragraph.
   - Raw HTML is never treated as a block (see _markdown_to_html), and text with more than
     MAX_INLINE_MARKERS ``[`` and backticks is shown literally (see _LiteralIfTooBusy); both
     keep rendering time roughly linear in the length of the source.
2. ``nh3.clean`` (Rust's ammonia) sanitises that against a strict allow-list: ALLOWED_TAGS and
   ALLOWED_ATTRIBUTES, no style, class or id, link URLs http/https/mailto/relative, image URLs on
   this site only (a markdown image from elsewhere becomes a link to it).
3. ``bleach`` linkifies bare ``http://``, ``https://`` and ``www.`` URLs, except inside ``<pre>``,
   ``<code>`` and existing links. Bare domains such as ``setup.py`` are left alone, and so is
   anything in a post nested more than _MAX_LINKIFY_DEPTH elements deep.
4. ``nh3.clean`` again, and it puts ``rel="nofollow ugc noopener"`` on every link. nh3 is the
   security boundary and always runs last: bleach no longer gets security fixes, so it only
   linkifies, and only ever sees markup nh3 has already cleaned.
"""

import html
import re
import threading

import markdown
import nh3
from bleach.linkifier import Linker, build_url_re
from flask_babel import gettext
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString
from markupsafe import Markup

from forum.errors import ValidationError

MAX_SOURCE_CHARS = 50_000
MAX_INLINE_MARKERS = 100

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "em", "strong", "del", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "img", "h3", "h4", "h5", "h6",
        "table", "thead", "tbody", "tr", "th", "td", "sup", "sub",
    }
)
# No style, class or id (table column alignment is a style attribute, so it is lost on purpose),
# and no rel: nh3 sets that itself.
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "code": {"class"},  # only one language-xxx class, for syntax highlighting; see _keep_attribute
}
LINK_REL = "nofollow ugc noopener"
URL_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_URL_SCHEMES = frozenset({"http", "https"})
# Elements whose content is code or markup, not prose: drop the content with the tag. Any other
# disallowed element (<div>, <textarea>, <form>...) is removed and its text kept, escaped.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "template", "svg", "math", "iframe", "object", "noembed",
        "noframes", "noscript", "xmp", "title",
    }
)
# bleach's html5lib parser takes time proportional to nesting depth for every tag; skip
# linkifying anything nested deeper than any real post is.
_MAX_LINKIFY_DEPTH = 100

_LANGUAGE_CLASS = re.compile(r"language-[A-Za-z0-9_+#.-]{1,40}")
_URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
# Python-Markdown's own heading pattern, except that text must be separated from the hashes.
_HASH_HEADING = re.compile(
    r"(?:^|\n)(?P<level>#{1,6})(?P<header>(?:[ \t](?:\\.|[^\\#]|#+(?=[^#\n]))*?)?)#*(?:\n|$)"
)
# Only http(s), so ftp:// and friends don't become links that nh3 would then empty.
_URL_RE = build_url_re(protocols=["http", "https"])
_TAG = re.compile(r"<(/?)([a-z0-9]+)")
_VOID_TAGS = frozenset({"br", "hr", "img"})
_MARKDOWN_ESCAPES = frozenset("\\`*_{}[]()#+-.!|>")


def _url_scheme(url: str) -> str | None:
    """Return the lower-cased scheme a browser would see in `url`, or None for a relative URL."""
    # Browsers strip leading/trailing C0 controls and spaces and ignore tabs and newlines anywhere.
    match = _URL_SCHEME.match(_TAB_OR_NEWLINE.sub("", url.strip(_C0_AND_SPACE)))
    return match.group(1).lower() if match else None


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    """Return the value nh3 should keep for an allowed attribute, or None to drop it."""
    if tag == "code" and name == "class":
        return value if _LANGUAGE_CLASS.fullmatch(value) else None
    if tag == "img" and name == "src":
        # Only images on this site: a reader's browser never fetches from another host because of a post
        # (pages stay light, nothing leaks who read what, and the CSP's img-src 'self' would block them).
        return value if _is_local(value) else None
    return value


def _is_local(url: str) -> bool:
    """Is `url` a path on this site (relative, not protocol-relative like //host/x)?"""
    cleaned = _TAB_OR_NEWLINE.sub("", url.strip(_C0_AND_SPACE))
    return _url_scheme(url) is None and not cleaned.startswith(("//", "\\\\", "/\\", "\\/"))


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    # "*" must be given: without it nh3 keeps ammonia's default lang and title on every element.
    attributes={"*": set(), **{tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}},
    attribute_filter=_keep_attribute,
    link_rel=LINK_REL,
    url_schemes=set(URL_SCHEMES),
    strip_comments=True,
)
_TEXT_ONLY = nh3.Cleaner(tags=set(), clean_content_tags=set(DROPPED_WITH_CONTENT), attributes={}, link_rel=None)


class _RemoteImagesAsLinks(Treeprocessor):
    """Turn an image from another site into a link to it: "![chart](https://…)" reads "Image: chart"."""

    def run(self, root):
        for parent in root.iter():
            for child in parent:
                if child.tag == "img" and not _is_local(child.get("src", "")):
                    src, alt = child.get("src", ""), child.get("alt") or "an image"
                    child.tag = "a"
                    child.attrib.clear()
                    child.set("href", src)
                    child.text = f"Image: {alt}"


class _DemoteHeadings(Treeprocessor):
    """Move every Markdown heading two levels down, stopping at h6."""

    def run(self, root):
        for element in root.iter():
            if element.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
                element.tag = f"h{min(int(element.tag[1]) + 2, 6)}"


class _LiteralIfTooBusy(Treeprocessor):
    """Keep text with more than MAX_INLINE_MARKERS "[" and "`" out of inline parsing."""

    # Python-Markdown scans ahead from every "[" and "`" for the end of a link or code span, so
    # a paragraph of thousands of them took minutes ("[" * 50_000: about 7; its issue #798). The
    # cap bounds that work; no real paragraph, list item or table cell comes near it.

    def run(self, root):
        for element in root.iter():
            for name in ("text", "tail"):
                text = getattr(element, name)
                if text and text.count("[") + text.count("`") > MAX_INLINE_MARKERS:
                    setattr(element, name, AtomicString(text))  # shown as typed, escaped


_LOCAL = threading.local()


def _markdown_to_html(source: str) -> str:
    """Convert Markdown to unsanitised HTML in the forum's dialect."""
    # Building a Markdown object is most of the cost of a short post, so each thread keeps one and
    # resets it between documents (instances hold per-document state and aren't thread-safe).
    md = getattr(_LOCAL, "markdown", None)
    if md is None:
        md = _LOCAL.markdown = _new_markdown()
    try:
        return md.reset().convert(source)
    except BaseException:
        _LOCAL.markdown = None  # never reuse an instance a failure may have left half-way
        raise


def _new_markdown() -> markdown.Markdown:
    """A Markdown converter in the forum's dialect."""
    md = markdown.Markdown(extensions=["fenced_code", "tables", "sane_lists"], output_format="html")
    _set_hash_heading_pattern(md, _HASH_HEADING)
    # Raw HTML blocks are found with the stdlib html.parser, which is quadratic on input such as
    # "<a " * 16_000 (a minute on Python 3.11.7). Without this step raw HTML is still passed
    # through, inline, and nh3 decides what survives either way.
    md.preprocessors.deregister("html_block")
    md.treeprocessors.register(_LiteralIfTooBusy(md), "literal_if_too_busy", 25)  # before "inline" (20)
    md.treeprocessors.register(_DemoteHeadings(md), "demote_headings", 0)
    md.treeprocessors.register(_RemoteImagesAsLinks(md), "remote_images_as_links", 1)
    return md


def _nesting_depth(fragment: str) -> int:
    """Estimate how deeply elements nest in HTML serialised by nh3 (an over-estimate at worst)."""
    depth = deepest = 0
    for match in _TAG.finditer(fragment):
        if match.group(2) not in _VOID_TAGS:
            depth += -1 if match.group(1) else 1
            deepest = max(deepest, depth)
    return deepest


def _explicit_urls_only(attrs: dict, new: bool = False) -> dict | None:
    """Keep a new link only if its text starts with http://, https:// or www."""
    # bleach would otherwise link every word ending in a TLD: setup.py, README.md, script.sh.
    if new and not attrs["_text"].lower().startswith(("http://", "https://", "www.")):
        return None
    return attrs


# -- where this module reaches into a library's internals: one adapter each, checked, so that an
# upgrade which moves them fails here (and in test_markup's adapter tests) with a message saying what.

class LibraryChanged(RuntimeError):
    """A library this module adapts no longer has the internal it relies on."""


def _set_hash_heading_pattern(md: markdown.Markdown, pattern: re.Pattern) -> None:
    """Python-Markdown: replace the '#' heading block processor's pattern (BlockParser internals)."""
    processor = md.parser.blockprocessors["hashheader"] if "hashheader" in md.parser.blockprocessors else None
    if processor is None or not isinstance(getattr(processor, "RE", None), re.Pattern):
        raise LibraryChanged(
            f"Python-Markdown {markdown.__version__} has no 'hashheader' block processor with an RE pattern; "
            "forum.markup's heading rule (a '#' heading needs a space after the hashes) must be re-done"
        )
    processor.RE = pattern


def _wrap_linker_walker(linker: Linker, step) -> None:
    """bleach: run `step` over the token stream between its html5lib tree walker and the linkifier."""
    walk = getattr(linker, "walker", None)
    if not callable(walk):
        import bleach
        raise LibraryChanged(
            f"bleach {bleach.__version__}'s Linker has no callable 'walker'; forum.markup's fix for "
            "double-escaped code blocks must be re-done"
        )
    linker.walker = lambda dom: step(walk(dom))


class _Linker(Linker):
    """bleach's Linker, except that text inside skip_tags is not escaped a second time.

    bleach 6.4 parses with character references left as text and only splits them back out
    where it linkifies, so inside skip_tags ``&lt;`` came out as ``&amp;lt;`` and code blocks
    showed entities. Decoding that text first lets the serialiser escape it exactly once.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        _wrap_linker_walker(self, self._decode_skipped_text)

    def _decode_skipped_text(self, tokens):
        depth = 0
        for token in tokens:
            if token["type"] == "StartTag" and token["name"] in self.skip_tags:
                depth += 1
            elif token["type"] == "EndTag" and token["name"] in self.skip_tags:
                depth -= 1
            elif depth and token["type"] == "Characters":
                token = {**token, "data": html.unescape(token["data"])}
            yield token


def _linkify(fragment: str) -> str:
    """Turn bare URLs in an HTML fragment into links."""
    # A Linker keeps its parser between calls, so one per call keeps this thread-safe.
    linker = _Linker(callbacks=[_explicit_urls_only], skip_tags={"pre", "code"}, parse_email=False, url_re=_URL_RE)
    return linker.linkify(fragment)


def render(source: str | None) -> str:
    """Render Markdown source to the safe HTML stored for a post, bio or summary."""
    if not source:
        return ""
    if len(source) > MAX_SOURCE_CHARS:
        raise ValidationError(f"Text is too long: {len(source):,} characters; the limit is {MAX_SOURCE_CHARS:,}.")
    try:
        body = _markdown_to_html(source)
    except RecursionError:
        # Python-Markdown recurses once per level of nested list; a post nested hundreds of
        # levels deep is shown as plain text rather than refused.
        body = "<p>" + html.escape(source).replace("\n", "<br>\n") + "</p>"
    safe = _CLEANER.clean(body)
    lowered = safe.lower()
    if ("http" in lowered or "www." in lowered) and _nesting_depth(safe) <= _MAX_LINKIFY_DEPTH:
        safe = _CLEANER.clean(_linkify(safe))
    return safe.strip()


def safe(stored_html: str | None) -> Markup:
    """HTML that `render` made, marked safe for templates: the one place that marks any HTML safe."""
    return Markup(stored_html or "")


def preview(source: str | None) -> Markup:
    """A preview of what `source` will look like, ready for a template."""
    return safe(render(source))


def render_plain(source: str | None) -> str:
    """Render Markdown source to whitespace-collapsed plain text for search snippets and feeds.

    The result is TEXT, not HTML: it may contain ``<`` and ``&``, so it must be escaped on
    output (Jinja's autoescape does that; never mark it ``|safe``).
    """
    text = html.unescape(_TEXT_ONLY.clean(render(source)))
    return " ".join(text.split())


def _escape_markdown_inline(text: str) -> str:
    """Escape `text` so that Markdown shows it literally, on one line."""
    out = []
    for char in " ".join(text.split()):  # a newline in a name would end the author line
        if char == "&":
            out.append("&amp;")
        elif char == "<":
            out.append("&lt;")  # Python-Markdown has no backslash escape for "<"
        elif char in _MARKDOWN_ESCAPES:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def snippet(stored_html: str | None, limit: int = 160) -> str:
    """The start of a stored post's words as plain TEXT (escape it on output), cut at a word: for
    notifications."""
    text = " ".join(html.unescape(_TEXT_ONLY.clean(stored_html or "")).split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"


def quote(author_name: str, source: str, url: str | None = None) -> str:
    """Return the Markdown that quotes `source` by `author_name` at the top of a reply; with `url` (a
    relative address), "Name wrote:" links to the quoted post. "wrote:" is in the writer's language."""
    lines = (source or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n").split("\n")
    quoted = "\n".join("> " + line if line.strip() else ">" for line in lines)
    # Translators: the line above a quoted post in a reply; the name is the quoted post's author.
    said = gettext("%(name)s wrote:", name=_escape_markdown_inline(author_name or "") or gettext("Someone"))
    if url and url.startswith("/") and not url.startswith("//") and not any(c in url for c in "()<> \n"):
        return f"[**{said}**]({url})\n{quoted}\n\n"
    return f"**{said}**\n{quoted}\n\n"


# -- @mentions: linked when a page is shown, never stored (a name can change, and who may follow the link
# depends on the reader) ------------------------------------------------------------------------------

# "@" then up to four words of a name or one handle; not after a letter or "@" (so not in an address).
MENTION = re.compile(r"(?<![\w@])@([^\s@,;:!?()\[\]<>\"]+(?:[ \t]+[^\s@,;:!?()\[\]<>\"]+){0,3})")
_MENTION_TRAILING = ".'’"
_WORD = re.compile(r"\S+")
# Elements whose text is not prose to link: existing links, and code.
_NO_MENTION_LINKS = frozenset({"a", "code", "pre"})
_HTML_TAG = re.compile(r"(<[^>]*>)")


def mention_candidates(match: re.Match) -> list[tuple[str, int]]:
    """The names a MENTION match may stand for, longest first: (folded name, where it ends in the match)."""
    from forum.models.accounts import normalise_name  # models import this module

    found = []
    words = list(_WORD.finditer(match.group(1)))
    for count in range(len(words), 0, -1):
        text = match.group(1)[:words[count - 1].end()].rstrip(_MENTION_TRAILING)
        key = normalise_name(text)
        if key:
            found.append((key, match.start(1) + len(text)))
    return found


def _prose_segments(stored_html: str):
    """Split stored HTML into (piece, is_prose_text) pairs; text inside links and code is not prose."""
    depth = 0
    for piece in _HTML_TAG.split(stored_html):
        if piece.startswith("<"):
            tag = _TAG.match(piece)
            if tag and tag.group(2) in _NO_MENTION_LINKS:
                depth += -1 if tag.group(1) else 1
            yield piece, False
        else:
            yield piece, depth <= 0 and "@" in piece


def mention_keys(stored_html: str | None) -> set[str]:
    """Every folded name an @mention in this stored HTML's prose may stand for."""
    keys: set[str] = set()
    if not stored_html or "@" not in stored_html:
        return keys
    for piece, prose in _prose_segments(stored_html):
        if prose:
            for match in MENTION.finditer(html.unescape(piece)):
                keys.update(key for key, _ in mention_candidates(match))
    return keys


def link_mentions(stored_html: str | None, links: dict[str, str]) -> Markup:
    """Stored HTML with each @mention whose name is in `links` (folded name -> a relative address) made a
    link; the longest name wins. Text is re-escaped; tags are kept as they were."""
    if not stored_html or not links or "@" not in stored_html:
        return safe(stored_html)
    out = []
    for piece, prose in _prose_segments(stored_html):
        if not prose:
            out.append(piece)
            continue
        text, at = html.unescape(piece), 0
        for match in MENTION.finditer(text):
            hit = next(((key, end) for key, end in mention_candidates(match) if key in links), None)
            if hit is None:
                continue
            key, end = hit
            out.append(html.escape(text[at:match.start()], quote=False))
            out.append(f'<a href="{html.escape(links[key])}" class="mention">{html.escape(text[match.start():end], quote=False)}</a>')
            at = end
        out.append(html.escape(text[at:], quote=False) if at else piece)
    return safe("".join(out))
