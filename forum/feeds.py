"""Atom (RFC 4287) feeds, built with an XML library so every value is escaped correctly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from xml.etree import ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"
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


def _when(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def atom(feed_id: str, title: str, url: str, self_url: str, entries: list[Entry], updated: datetime) -> bytes:
    """The feed document, as UTF-8 bytes."""
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = feed_id
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _when(updated)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=url)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", type="application/atom+xml", href=self_url)
    ET.SubElement(ET.SubElement(feed, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = title
    for item in entries:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = item.id
        ET.SubElement(entry, f"{{{ATOM}}}title").text = item.title
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=item.url)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _when(item.updated)
        ET.SubElement(ET.SubElement(entry, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = item.author or "A member"
        if item.summary_html:
            # The summary is the sanitised HTML stored at write time, carried as escaped text (type="html").
            ET.SubElement(entry, f"{{{ATOM}}}summary", type="html").text = item.summary_html
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
