"""forum.markup: Markdown in, safe HTML out. Every check is made on the parsed output, the way a browser sees it."""

import re
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forum import markup
from forum.errors import ValidationError
from forum.markup import MAX_SOURCE_CHARS, quote, render, render_plain

try:
    import html5lib  # parses as browsers do (the WHATWG algorithm)
except ImportError:  # pragma: no cover - html5lib is in the [test] extra
    html5lib = None

# The policy, written out here rather than imported, so that loosening forum.markup fails a test.
ALLOWED = {
    **dict.fromkeys(
        ["p", "br", "hr", "em", "strong", "del", "pre", "blockquote", "ul", "li", "h3", "h4", "h5", "h6",
         "table", "thead", "tbody", "tr", "th", "td", "sup", "sub"],
        frozenset(),
    ),
    "a": frozenset({"href", "title", "rel"}),
    "img": frozenset({"src", "alt", "title"}),
    "ol": frozenset({"start"}),
    "code": frozenset({"class"}),
}
LINK_SCHEMES = {"http", "https", "mailto"}
IMAGE_SCHEMES = {"http", "https"}
REQUIRED_REL = {"nofollow", "ugc", "noopener"}
LANGUAGE_CLASS = re.compile(r"language-[A-Za-z0-9_+#.-]+")
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))


class _StdlibTreeBuilder(HTMLParser):
    """Build an ElementTree with the stdlib parser; used only where html5lib isn't installed."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = ET.Element("DOCUMENT_FRAGMENT")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = ET.SubElement(self.stack[-1], tag, {name: value or "" for name, value in attrs})
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        ET.SubElement(self.stack[-1], tag, {name: value or "" for name, value in attrs})

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        parent = self.stack[-1]
        if len(parent):
            parent[-1].tail = (parent[-1].tail or "") + data
        else:
            parent.text = (parent.text or "") + data

    def handle_comment(self, data):
        self.stack[-1].append(ET.Comment(data))

    def handle_decl(self, decl):
        ET.SubElement(self.stack[-1], "#declaration")

    unknown_decl = handle_pi = handle_decl


def parse(fragment: str) -> ET.Element:
    """Parse an HTML fragment into an element tree, as a browser would inside a <div>."""
    if html5lib is not None:
        return html5lib.parseFragment(fragment, treebuilder="etree", namespaceHTMLElements=False)
    builder = _StdlibTreeBuilder()
    builder.feed(fragment)
    builder.close()
    return builder.root


def elements(fragment: str) -> list[ET.Element]:
    """Return every element of the parsed fragment, in document order, without the fragment root."""
    root = parse(fragment)
    return [element for element in root.iter() if element is not root]


def browser_scheme(url: str) -> str | None:
    """Return the scheme a browser would use for `url`, lower-cased, or None if the URL is relative."""
    # WHATWG URL parsing: strip leading/trailing C0 controls and spaces, drop tabs and newlines anywhere.
    cleaned = re.sub(r"[\t\n\r]", "", url.strip(_C0_AND_SPACE))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", cleaned)
    return match.group(1).lower() if match else None


def unsafe_parts(fragment: str) -> list[str]:
    """Return a description of everything in `fragment` that breaks the policy (empty if it is safe)."""
    problems = []
    for element in elements(fragment):
        tag = element.tag if isinstance(element.tag, str) else "#comment"
        if tag not in ALLOWED:
            problems.append(f"element {tag!r}")
            continue
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                problems.append(f"event handler {name}={value!r} on <{tag}>")
            elif name.lower() == "style":
                problems.append(f"style={value!r} on <{tag}>")
            elif name not in ALLOWED[tag]:
                problems.append(f"attribute {name}={value!r} on <{tag}>")
        for name, schemes in (("href", LINK_SCHEMES), ("src", IMAGE_SCHEMES)):
            if name in element.attrib:
                scheme = browser_scheme(element.attrib[name])
                if scheme is not None and scheme not in schemes:
                    problems.append(f"{name}={element.attrib[name]!r} (scheme {scheme!r}) on <{tag}>")
        if tag == "code" and "class" in element.attrib and not LANGUAGE_CLASS.fullmatch(element.attrib["class"]):
            problems.append(f"class={element.attrib['class']!r} on <code>")
        if tag == "a" and not REQUIRED_REL <= set(element.attrib.get("rel", "").split()):
            problems.append(f"rel={element.attrib.get('rel')!r} on <a>")
    return problems


def assert_safe(source: str, output: str) -> None:
    """Fail with the source, the output and every problem if `output` breaks the policy."""
    problems = unsafe_parts(output)
    assert not problems, f"unsafe output\n  source:   {source!r}\n  output:   {output!r}\n  problems: {problems}"


def tags(fragment: str) -> list[str]:
    return [element.tag for element in elements(fragment) if isinstance(element.tag, str)]


def find_all(fragment: str, tag: str) -> list[ET.Element]:
    return [element for element in elements(fragment) if element.tag == tag]


def text_of(element: ET.Element) -> str:
    return "".join(element.itertext())


def test_the_checker_catches_what_it_should():
    bad = (
        '<script>x</script><p style="color:red" onclick="x">a</p><a href="jav&#x09;ascript:x">b</a>'
        '<img src="data:image/png;base64,AA"><code class="evil">c</code><!-- c --><svg></svg>'
    )
    problems = " | ".join(unsafe_parts(bad))
    for expected in ("'script'", "style=", "onclick", "'javascript'", "'data'", "class='evil'", "'#comment'", "svg"):
        assert expected in problems
    assert unsafe_parts('<p><a href="/x" rel="nofollow ugc noopener">a</a></p>') == []


# ---------------------------------------------------------------------------------------------
# Hostile input: every output must pass the parsed-tree checks.

XSS_PAYLOADS = [
    # Markdown links and images
    pytest.param("[x](javascript:alert(1))", id="md-link-javascript"),
    pytest.param("[x](java\tscript:alert(1))", id="md-link-tab-in-scheme"),
    pytest.param("[x](java\nscript:alert(1))", id="md-link-newline-in-scheme"),
    pytest.param("[x](jav&#x09;ascript:alert(1))", id="md-link-entity-tab"),
    pytest.param("[x](&#106;avascript:alert(1))", id="md-link-entity-j"),
    pytest.param("[x](javascript&#58;alert(1))", id="md-link-entity-colon"),
    pytest.param("[x](javascript&colon;alert(1))", id="md-link-named-colon"),
    pytest.param("[x](JaVaScRiPt:alert(1))", id="md-link-mixed-case"),
    pytest.param("[x]( javascript:alert(1))", id="md-link-leading-space"),
    pytest.param("[x](<javascript:alert(1)>)", id="md-link-angle-destination"),
    pytest.param("[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", id="md-link-data-html"),
    pytest.param("[x](vbscript:msgbox(1))", id="md-link-vbscript"),
    pytest.param("[x](javascript://example.com/%0aalert(1))", id="md-link-javascript-comment"),
    pytest.param("[<img src=x onerror=alert(1)>](https://example.com/)", id="md-link-text-raw-img"),
    pytest.param('[x](https://example.com/ "t" onmouseover=alert(1))', id="md-link-title-extra-attr"),
    pytest.param(r'[a](x.png "t\" onmouseover=\"alert(1))', id="md-link-title-breakout"),
    pytest.param("![a](javascript:alert(1))", id="md-image-javascript"),
    pytest.param("![a](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)", id="md-image-data-svg"),
    pytest.param("![a](mailto:someone@example.com)", id="md-image-mailto"),
    pytest.param('![a" onerror="alert(1)](x.png)', id="md-image-alt-breakout"),
    pytest.param("[x][1]\n\n[1]: javascript:alert(1)", id="md-reference-javascript"),
    pytest.param('[x][r]\n\n[r]: JAVASCRIPT:alert(1) "title"', id="md-reference-javascript-title"),
    pytest.param("[r]\n\n[r]: javascript:alert(1)", id="md-short-reference-javascript"),
    pytest.param("![x][i]\n\n[i]: javascript:alert(1)", id="md-image-reference-javascript"),
    pytest.param("<javascript:alert(1)>", id="md-autolink-javascript"),
    pytest.param("<data:text/html,<script>alert(1)</script>>", id="md-autolink-data"),
    pytest.param('<http://example.com/" onmouseover="alert(1)>', id="md-autolink-quote"),
    pytest.param("`<script>alert(1)</script>`", id="md-code-span-script"),
    pytest.param("```\n</code></pre><script>alert(1)</script>\n```", id="md-fence-breakout"),
    pytest.param('```"><img src=x onerror=alert(1)>\nx\n```', id="md-fence-info-string"),
    pytest.param("# <img src=x onerror=alert(1)>", id="md-heading-raw-img"),
    pytest.param("| <script>alert(1)</script> | b |\n|---|---|\n| [x](javascript:alert(1)) | 2 |", id="md-table-cells"),
    pytest.param("> <iframe src=javascript:alert(1)>", id="md-blockquote-iframe"),
    # Raw HTML
    pytest.param("<script>alert(1)</script>", id="html-script"),
    pytest.param("<script>\nalert(1)\n</script>", id="html-script-block"),
    pytest.param("<img src=x onerror=alert(1)>", id="html-img-onerror"),
    pytest.param('<img src="x" onerror="alert(1)"', id="html-img-unclosed"),
    pytest.param("<svg><script>alert(1)</script></svg>", id="html-svg-script"),
    pytest.param("<svg onload=alert(1)>", id="html-svg-onload"),
    pytest.param('<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>', id="html-svg-xlink"),
    pytest.param('<math href="javascript:alert(1)">x</math>', id="html-math-href"),
    pytest.param('<iframe src="javascript:alert(1)"></iframe>', id="html-iframe"),
    pytest.param('<iframe srcdoc="<script>alert(1)</script>"></iframe>', id="html-iframe-srcdoc"),
    pytest.param('<form action="javascript:alert(1)"><input type=submit autofocus onfocus=alert(1)></form>', id="html-form-input"),
    pytest.param("<form id=f></form><button form=f formaction=javascript:alert(1)>x</button>", id="html-button-formaction"),
    pytest.param('<object data="javascript:alert(1)"></object>', id="html-object"),
    pytest.param('<embed src="data:text/html,<script>alert(1)</script>">', id="html-embed"),
    pytest.param("<style>*{background:url(javascript:alert(1))}</style>", id="html-style"),
    pytest.param('<a href="javascript:alert(1)">x</a>', id="html-a-javascript"),
    pytest.param('<a href="&#x6A;avascript&#x3A;alert(1)">x</a>', id="html-a-entities"),
    pytest.param('<a href="java\nscript:alert(1)">x</a>', id="html-a-newline"),
    pytest.param('<a href="\x01javascript:alert(1)">x</a>', id="html-a-leading-control"),
    pytest.param('<a href="&#x20;javascript:alert(1)">x</a>', id="html-a-leading-space-entity"),
    pytest.param('<a href="https://example.com/" target="_blank" rel="opener">x</a>', id="html-a-target-opener"),
    pytest.param('<div style="background:url(javascript:alert(1))">x</div>', id="html-div-style"),
    pytest.param("<details open ontoggle=alert(1)>", id="html-details-ontoggle"),
    pytest.param("<p><a href=http://x><b><img src=x onerror=alert(1)", id="html-nested-unclosed"),
    pytest.param("<scr<script>ipt>alert(1)</scr</script>ipt>", id="html-split-script"),
    pytest.param("<<script>script>alert(1)<</script>/script>", id="html-double-angle-script"),
    pytest.param("<!--><script>alert(1)</script>-->", id="html-comment-short-close"),
    pytest.param('<!-- <img src="--><img src=x onerror=alert(1)//"> -->', id="html-comment-attribute"),
    pytest.param("<![CDATA[<script>alert(1)</script>]]>", id="html-cdata"),
    pytest.param('<noscript><p title="</noscript><img src=x onerror=alert(1)>">', id="html-noscript-mxss"),
    pytest.param("<textarea><img src=x onerror=alert(1)></textarea>", id="html-textarea"),
    pytest.param("<template><img src=x onerror=alert(1)></template>", id="html-template"),
    pytest.param("<title><img src=x onerror=alert(1)></title>", id="html-title"),
    pytest.param("<xmp><img src=x onerror=alert(1)></xmp>", id="html-xmp"),
    pytest.param("<plaintext><img src=x onerror=alert(1)>", id="html-plaintext"),
    pytest.param("<noembed><img src=x onerror=alert(1)></noembed>", id="html-noembed"),
    pytest.param('<meta http-equiv="refresh" content="0;url=javascript:alert(1)">', id="html-meta-refresh"),
    pytest.param('<base href="javascript:alert(1)//">', id="html-base"),
    pytest.param('<link rel="stylesheet" href="javascript:alert(1)">', id="html-link"),
    pytest.param('<img src="https://example.com/a.png" srcset="javascript:alert(1)">', id="html-img-srcset"),
    pytest.param("<video poster=javascript:alert(1)//></video>", id="html-video-poster"),
    pytest.param("<body onload=alert(1)>", id="html-body-onload"),
    pytest.param('<code class="x language-py" onclick=alert(1)>x</code>', id="html-code-class"),
    pytest.param('<p title="t" lang="en" dir="rtl" id="x" class="y">x</p><img src=a.png lang=en>', id="html-generic-attrs"),
    # Mutation XSS: markup that changes meaning when serialised and parsed again
    pytest.param('<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">', id="mxss-svg-style"),
    pytest.param(
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
        id="mxss-math-mglyph",
    ),
    pytest.param("<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>", id="mxss-form-math"),
    pytest.param("<svg><p><style><img src=x onerror=alert(1)></style></p></svg>", id="mxss-svg-p-style"),
    pytest.param("<table><tr><td><svg><desc><table><td><img src=x onerror=alert(1)>", id="mxss-table-svg-desc"),
    pytest.param('<img src="x` `<script>alert(1)</script>"` `>', id="mxss-backticks"),
    pytest.param("<select><template><style><img src=x onerror=alert(1)></style></template></select>", id="mxss-select"),
    # Linkify
    pytest.param('http://example.com/"onmouseover="alert(1)', id="linkify-quote-breakout"),
    pytest.param("http://example.com/<script>alert(1)</script>", id="linkify-script-after-url"),
    pytest.param("www.example.com", id="linkify-www"),
    pytest.param("javascript:alert(1)", id="linkify-bare-javascript"),
    pytest.param('<img alt="http://example.com/ onerror=alert(1)" src="https://example.com/a.png">', id="linkify-in-attr"),
    pytest.param("<a>http://example.com/</a>", id="linkify-inside-a-without-href"),
    # Unicode and RTL tricks
    pytest.param("[\u202egpj.exe](https://example.com/)", id="unicode-rtl-link-text"),
    pytest.param("\u202ehttps://example.com/", id="unicode-rtl-bare-url"),
    pytest.param("[x](\u202ejavascript:alert(1))", id="unicode-rtl-in-href"),
    pytest.param("[x](java\u200bscript:alert(1))", id="unicode-zero-width-in-scheme"),
    pytest.param("[x](\uff4a\uff41\uff56\uff41\uff53\uff43\uff52\uff49\uff50\uff54:alert(1))", id="unicode-fullwidth-scheme"),
    pytest.param("[x](java\x00script:alert(1))", id="unicode-nul-in-scheme"),
    pytest.param('<a href="java&#0;script:alert(1)">x</a>', id="unicode-nul-entity-in-scheme"),
    pytest.param("https://\u0435xample.com/", id="unicode-homoglyph-domain"),
    pytest.param("\x02wzxhzdk:0\x03<script>alert(1)</script>", id="markdown-stash-placeholder"),
]


@pytest.mark.parametrize("source", XSS_PAYLOADS)
def test_hostile_input_renders_to_safe_html(source):
    assert_safe(source, render(source))


def test_a_bare_javascript_url_is_not_a_link():
    assert find_all(render("javascript:alert(1) and JavaScript:alert(1)"), "a") == []


def test_a_broken_image_alt_stays_an_inert_attribute_value():
    (image,) = find_all(render('![a" onerror="alert(1)](x.png)'), "img")
    assert image.attrib == {"alt": 'a" onerror="alert(1)', "src": "x.png"}


def test_linkify_stops_a_url_at_a_quote():
    (link,) = find_all(render('http://example.com/"onmouseover="alert(1)'), "a")
    assert link.attrib["href"] == "http://example.com/"
    assert set(link.attrib) == {"href", "rel"}


def test_javascript_links_keep_their_text_but_lose_their_href():
    (link,) = find_all(render("[click me](javascript:alert(1))"), "a")
    assert "href" not in link.attrib
    assert text_of(link) == "click me"


def test_script_and_style_disappear_with_their_content():
    output = render("before <script>alert(1)</script> <style>p{}</style> after")
    assert "alert" not in text_of(parse(output))
    assert "p{}" not in text_of(parse(output))


LONG_INPUTS = [
    pytest.param("a" * MAX_SOURCE_CHARS, id="plain"),
    pytest.param("[" * MAX_SOURCE_CHARS, id="open-brackets"),  # minutes in stock Python-Markdown
    pytest.param("![" * (MAX_SOURCE_CHARS // 2), id="open-images"),
    pytest.param("[" * 100 + "a" * (MAX_SOURCE_CHARS - 100), id="brackets-under-the-cap"),
    pytest.param("[x](" * (MAX_SOURCE_CHARS // 4), id="open-link-destinations"),
    pytest.param("``x`" * (MAX_SOURCE_CHARS // 4), id="unmatched-backticks"),
    pytest.param("<a " * (MAX_SOURCE_CHARS // 3), id="unclosed-tags"),
    pytest.param("<" * MAX_SOURCE_CHARS, id="less-thans"),
    # A quarter of the limit: html5lib, which these checks parse with, is quadratic in nesting depth.
    pytest.param("<ul><li>" * (MAX_SOURCE_CHARS // 32) + " http://x", id="deep-raw-nesting"),
    pytest.param("> " * (MAX_SOURCE_CHARS // 2 - 10) + "http://x", id="deep-blockquotes"),
    pytest.param("1. " * (MAX_SOURCE_CHARS // 3), id="deep-lists"),  # RecursionError in Python-Markdown
    pytest.param("*a_" * (MAX_SOURCE_CHARS // 3), id="emphasis-soup"),
    pytest.param("<img src=x onerror=alert(1)>" * (MAX_SOURCE_CHARS // 28), id="many-img-onerror"),
    pytest.param("http://example.com/a " * (MAX_SOURCE_CHARS // 21), id="many-urls"),
    pytest.param("\u202e\u200b" * (MAX_SOURCE_CHARS // 2), id="bidi-and-zero-width"),
]


@pytest.mark.parametrize("source", LONG_INPUTS)
def test_very_long_input_renders_safely_in_reasonable_time(source):
    assert len(source) <= MAX_SOURCE_CHARS
    started = time.monotonic()
    output = render(source)
    elapsed = time.monotonic() - started
    assert_safe(source[:80] + "...", output)
    # Generous, for loaded CI machines; the regressions this guards against took minutes.
    assert elapsed < 20, f"render took {elapsed:.1f}s"


def test_source_at_the_limit_is_rendered_and_over_it_is_refused():
    assert render("a" * MAX_SOURCE_CHARS)
    with pytest.raises(ValidationError):
        render("a" * (MAX_SOURCE_CHARS + 1))
    with pytest.raises(ValidationError):
        render_plain("a" * (MAX_SOURCE_CHARS + 1))


@pytest.mark.parametrize("source", [None, ""])
def test_nothing_renders_to_nothing(source):
    assert render(source) == ""
    assert render_plain(source) == ""


# ---------------------------------------------------------------------------------------------
# What people actually write.


def test_fenced_code_keeps_its_contents_escaped_and_visible():
    source = "```python\nif a < b and c > d: print('<b>hi</b> &amp; bye')\n```"
    output = render(source)
    (pre,) = find_all(output, "pre")
    (code,) = list(pre)
    assert code.tag == "code"
    assert code.attrib == {"class": "language-python"}
    assert text_of(code) == "if a < b and c > d: print('<b>hi</b> &amp; bye')\n"
    assert "b" not in tags(output)


def test_inline_and_indented_code_keep_their_contents_visible():
    output = render("Use `<em>` & `a&lt;b`:\n\n    <script>alert(1)</script>\n")
    codes = [text_of(code) for code in find_all(output, "code")]
    assert codes == ["<em>", "a&lt;b", "<script>alert(1)</script>\n"]
    assert "script" not in tags(output)


def test_code_is_escaped_once_when_the_post_also_has_links():
    # bleach 6.4 escapes text inside skip_tags a second time; forum.markup works around it.
    output = render("See https://example.com/\n\n```\na < b &amp; c\n```\n\nand `x<y`")
    assert [text_of(code) for code in find_all(output, "code")] == ["a < b &amp; c\n", "x<y"]
    assert len(find_all(output, "a")) == 1


def test_urls_in_code_are_not_linked():
    output = render("`https://example.com/a`\n\n```\nhttps://example.com/b\n```")
    assert find_all(output, "a") == []


def test_a_table_renders_without_alignment_styles():
    output = render("| Name | Score |\n|:-----|------:|\n| Ann  | 10    |\n| Bob  | 7     |")
    assert_safe("table", output)
    (table,) = find_all(output, "table")
    assert [child.tag for child in table] == ["thead", "tbody"]
    assert [text_of(cell) for cell in find_all(output, "th")] == ["Name", "Score"]
    assert [text_of(cell) for cell in find_all(output, "td")] == ["Ann", "10", "Bob", "7"]
    assert all(not cell.attrib for cell in find_all(output, "th") + find_all(output, "td"))


def test_a_bare_https_url_becomes_a_link_with_rel():
    output = render("See https://example.com/page?a=1&b=2 for details.")
    (link,) = find_all(output, "a")
    assert link.attrib["href"] == "https://example.com/page?a=1&b=2"
    assert set(link.attrib["rel"].split()) == REQUIRED_REL
    assert text_of(link) == "https://example.com/page?a=1&b=2"


def test_a_www_address_becomes_an_http_link():
    (link,) = find_all(render("Visit www.example.com today"), "a")
    assert link.attrib["href"] == "http://www.example.com"


def test_file_names_and_bare_domains_are_not_linked():
    assert find_all(render("Edit setup.py and README.md, or see example.com"), "a") == []


def test_email_addresses_are_not_linked():
    assert find_all(render("Write to someone@example.com"), "a") == []


def test_markdown_links_keep_their_url_and_get_rel():
    output = render('[the docs](https://example.com/docs "Docs") and [home](/)')
    first, second = find_all(output, "a")
    assert first.attrib == {"href": "https://example.com/docs", "title": "Docs", "rel": "nofollow ugc noopener"}
    assert second.attrib == {"href": "/", "rel": "nofollow ugc noopener"}


def test_a_markdown_link_to_a_url_is_not_linked_twice():
    output = render("[https://example.com/](https://example.com/)")
    assert len(find_all(output, "a")) == 1


def test_mailto_links_survive():
    (link,) = find_all(render("[mail me](mailto:someone@example.com)"), "a")
    assert link.attrib["href"] == "mailto:someone@example.com"


def test_images_from_this_site_show_and_images_from_elsewhere_become_links():
    output = render('![cat](https://example.com/cat.png "A cat") ![logo](/static/logo.png) ![x](data:image/png;base64,AA)')
    (image,) = find_all(output, "img")
    assert image.attrib == {"src": "/static/logo.png", "alt": "logo"}
    first, second = find_all(output, "a")
    assert (first.attrib["href"], first.text) == ("https://example.com/cat.png", "Image: cat")
    assert "href" not in second.attrib or not second.attrib["href"].startswith("data:")


def test_raw_images_from_other_hosts_lose_their_source():
    for source in ('<img src="https://tracker.example/p.gif" alt="t">', '<img src="//tracker.example/p.gif">',
                   '<img src=" HTTPS://tracker.example/p.gif">'):
        for image in find_all(render(source), "img"):
            assert "src" not in image.attrib, source


def test_raw_sup_sub_and_del_are_kept():
    output = render("H<sub>2</sub>O, E=mc<sup>2</sup>, <del>wrong</del>")
    assert tags(output) == ["p", "sub", "sup", "del"]


def test_lists_keep_their_start_number():
    (ordered,) = find_all(render("3. three\n4. four"), "ol")
    assert ordered.attrib == {"start": "3"}


@pytest.mark.parametrize(
    ("source", "tag"),
    [
        ("# One", "h3"),
        ("## Two", "h4"),
        ("### Three", "h5"),
        ("#### Four", "h6"),
        ("##### Five", "h6"),
        ("###### Six", "h6"),
        ("Setext one\n==========", "h3"),
        ("Setext two\n----------", "h4"),
    ],
)
def test_headings_are_demoted_two_levels(source, tag):
    assert tags(render(source)) == [tag]


def test_raw_top_level_headings_are_dropped_but_their_text_kept():
    output = render("<h1>Big</h1> <h2>Bigger</h2>")
    assert not {"h1", "h2"} & set(tags(output))
    assert "Big" in text_of(parse(output)) and "Bigger" in text_of(parse(output))


def test_a_hashtag_at_the_start_of_a_line_is_not_a_heading():
    output = render("#aect19 was great\n#edtech too")
    assert tags(output) == ["p"]
    assert text_of(parse(output)) == "#aect19 was great\n#edtech too"


def test_a_paragraph_with_too_many_markers_is_shown_literally():
    source = "[a](/x) " * (markup.MAX_INLINE_MARKERS + 1)
    output = render(source)
    assert find_all(output, "a") == []
    assert text_of(parse(output)).strip() == source.strip()


def test_absurdly_deep_nesting_is_not_linkified():
    # bleach's parser is quadratic in nesting depth, so such posts keep their URLs as text.
    output = render("<blockquote>" * 150 + "https://example.com/")
    assert find_all(output, "a") == []
    assert "https://example.com/" in text_of(parse(output))


def test_render_is_stable():
    source = (
        "# Title\n\nSome *emphasis*, **strong**, `code`, https://example.com/ and [a link](/x).\n\n"
        "> quoted\n\n1. one\n2. two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```js\nlet x = '<y>';\n```\n"
    )
    first = render(source)
    assert render(source) == first
    assert_safe(source, first)


def test_render_plain_is_collapsed_text_without_markup():
    source = "# Title\n\nSome *text* & <script>alert(1)</script> `a<b`\n\n- one\n- two"
    assert render_plain(source) == "Title Some text & a<b one two"


# ---------------------------------------------------------------------------------------------
# quote()


def test_quote_prefixes_each_line_and_adds_the_author_line():
    assert quote("ann", "hi\nthere\n\nbye\n") == "**ann wrote:**\n> hi\n> there\n>\n> bye\n\n"


def test_quote_renders_as_an_author_line_and_a_blockquote():
    output = render(quote("Ann", "first line\n\nsecond line\n> earlier quote"))
    top = list(parse(output))
    assert [element.tag for element in top] == ["p", "blockquote"]
    assert [child.tag for child in top[0]] == ["strong"]
    assert text_of(top[0]) == "Ann wrote:"
    quoted = top[1]
    assert [child.tag for child in quoted] == ["p", "p", "blockquote"]
    assert [text_of(child).strip() for child in quoted] == ["first line", "second line", "earlier quote"]


def test_quote_shows_a_name_full_of_markdown_literally():
    name = "Ann *the* _Admin_ <b>[x](javascript:alert(1))</b> & `co` #1 \\o/"
    output = render(quote(name, "hello"))
    (author,) = find_all(output, "strong")
    assert text_of(author) == name + " wrote:"
    assert list(author) == []


def test_quote_keeps_a_multi_line_name_on_the_author_line():
    assert quote("Ann\n> Bob", "hi").startswith("**Ann \\> Bob wrote:**\n> hi\n")


def test_quote_of_an_empty_name():
    assert quote("", "hi") == "**Someone wrote:**\n> hi\n\n"


# ---------------------------------------------------------------------------------------------
# Generated input.

MARKUP_PIECES = st.sampled_from(
    [
        "<", ">", "&", "\"", "'", "`", "```", "\n", "\n\n", "\t", " ", "[", "]", "(", ")", "![", "](", "*", "_",
        "#", "> ", "- ", "1. ", "|", "---", "\\", ";", ":", "/", "//", "=", "\x00", "\u202e", "&#x09;", "&#106;",
        "&lt;", "&amp;", "&colon;", "javascript:", "JaVaScRiPt:", "data:text/html,", "vbscript:", "http://",
        "https://", "www.", "mailto:", "example.com", "<a href=", "<img src=", " onerror=", " onclick=",
        " style=", "<script>", "</script>", "<svg>", "<math>", "<style>", "</style>", "<noscript>", "<!--",
        "-->", "<![CDATA[", "]]>", "<textarea>", "<template>", "<iframe>", "<p>", "</p>", "<code>", "</code>",
        "<pre>", "<table>", "<td>", "<h1>", "<sup>", "<del>", "alert(1)",
    ]
)
MARKUP_SOUP = st.lists(st.one_of(MARKUP_PIECES, st.text(max_size=6)), max_size=60).map("".join)


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(max_size=2_000))
def test_arbitrary_text_renders_to_safe_html(source):
    output = render(source)
    assert_safe(source, output)
    assert render(source) == output


@settings(max_examples=200, deadline=None, database=None)
@given(MARKUP_SOUP)
def test_markup_soup_renders_to_safe_html(source):
    output = render(source)
    assert_safe(source, output)
    assert render(source) == output


# -- the adapters around library internals: an upgrade that moves one fails here, saying which ---------

def test_the_markdown_heading_adapter_still_finds_its_processor():
    import markdown

    md = markdown.Markdown()
    markup._set_hash_heading_pattern(md, markup._HASH_HEADING)
    assert md.parser.blockprocessors["hashheader"].RE is markup._HASH_HEADING
    assert "<h" not in markup.render("#hashtag at the start of a line")  # a hashtag, not a heading
    md.parser.blockprocessors.deregister("hashheader")
    with pytest.raises(markup.LibraryChanged, match="hashheader"):
        markup._set_hash_heading_pattern(md, markup._HASH_HEADING)


def test_the_bleach_walker_adapter_still_finds_the_walker():
    from bleach.linkifier import Linker

    assert markup.render("```\n<b> & www.example.org\n```") == (
        "<pre><code>&lt;b&gt; &amp; www.example.org\n</code></pre>")
    linker = Linker()
    del linker.walker
    with pytest.raises(markup.LibraryChanged, match="walker"):
        markup._wrap_linker_walker(linker, lambda tokens: tokens)


# -- @mentions, linked as a page is shown ----------------------------------------------------------------

def _linked(source: str, links: dict[str, str]) -> str:
    return str(markup.link_mentions(markup.render(source), links))


def test_a_mention_of_a_known_name_becomes_a_link_and_the_longest_name_wins() -> None:
    links = {"sam": "/members/1", "sam patel": "/members/2"}
    assert _linked("Thanks @Sam Patel for this", links) == (
        '<p>Thanks <a href="/members/2" class="mention">@Sam Patel</a> for this</p>')
    assert _linked("Over to @Sam.", links) == '<p>Over to <a href="/members/1" class="mention">@Sam</a>.</p>'


def test_mentions_in_links_code_and_addresses_stay_as_they_are() -> None:
    links = {"sam": "/members/1"}
    for source in ("`@Sam`", "[ask @Sam](https://example.org)", "    @Sam in a code block", "mail sam@Sam.org"):
        assert "mention" not in _linked(source, links), source


def test_linking_keeps_the_text_escaped_and_unknown_names_alone() -> None:
    stored = markup.render("@Nobody says 1 < 2 & @Sam says <b>hi</b>")
    linked = str(markup.link_mentions(stored, {"sam": "/members/1"}))
    assert '<a href="/members/1" class="mention">@Sam</a>' in linked
    assert "@Nobody says 1 &lt; 2 &amp;" in linked and "<b>" not in linked
    assert str(markup.link_mentions(stored, {})) == stored


def test_mention_keys_are_every_name_a_mention_may_stand_for() -> None:
    assert markup.mention_keys(markup.render("Ask @Fiona Grant, please")) == {"fiona grant", "fiona"}
    assert markup.mention_keys(markup.render("`@Fiona` in code")) == set()
