"""Atom (RFC 4287) feeds, built with an XML library so every value is escaped correctly.

ElementTree escapes markup but writes control characters as they are, which no XML reader accepts:
every value goes through `xml_safe` first, so one bad title cannot break a feed for everyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from xml.etree import ElementTree as ET

from flask_babel import gettext as _

from forum.cleantext import xml_safe
from forum.i18n import HTML_LANG, current_language

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ET.register_namespace("", ATOM)


@dataclass
class Entry:
    """One item of a feed."""

    id: str            # a URL or tag: URI that never changes
    title: str
    url: str
    updated: datetime
    author: str
    summary_html: str = ""
    language: str | None = None  # the summary's language when its writer marked it (a post's "cy")


def _when(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    """Add an Atom element with XML-safe text and attributes."""
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: xml_safe(v) for k, v in attributes.items()})
    if text is not None:
        element.text = xml_safe(text)
    return element


def atom(feed_id: str, title: str, url: str, self_url: str, entries: list[Entry], updated: datetime) -> bytes:
    """The feed document, as UTF-8 bytes: xml:lang says the language of the feed's own words (the reader's), and
    an entry's summary written in another language says its own."""
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: HTML_LANG[current_language()]})
    _add(feed, "id", feed_id)
    _add(feed, "title", title)
    _add(feed, "updated", _when(updated))
    _add(feed, "link", rel="alternate", type="text/html", href=url)
    _add(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _add(_add(feed, "author"), "name", title)
    for item in entries:
        entry = _add(feed, "entry")
        _add(entry, "id", item.id)
        _add(entry, "title", item.title)
        _add(entry, "link", rel="alternate", type="text/html", href=item.url)
        _add(entry, "updated", _when(item.updated))
        _add(_add(entry, "author"), "name", item.author or _("A member"))
        if item.summary_html:
            # The summary is the sanitised HTML stored at write time, carried as escaped text (type="html").
            summary = _add(entry, "summary", item.summary_html, type="html")
            if item.language in HTML_LANG:
                summary.set(XML_LANG, HTML_LANG[item.language])
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
