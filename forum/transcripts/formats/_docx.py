"""Word .docx helpers shared by the meeting-transcript formats: cheap sniffing of the head, and paragraph text."""

from __future__ import annotations

import html
import io
import re
import zipfile
import zlib
from flask_babel import gettext as _

from forum.errors import TranscriptError

_ZIP_MAGIC = b"PK\x03\x04"
_DOCUMENT = "word/document.xml"
# A transcript's document.xml is a few MB at most; more is a zip bomb or not a transcript.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
_SNIFF_CHARS = 200_000
_PARAGRAPH_END = re.compile(r"</w:p>|<w:br\s*/>|<w:cr\s*/>")
_TAB = re.compile(r"<w:tab\s*/>")
_TAG = re.compile(r"<[^>]*>?")


def is_docx(head: bytes) -> bool:
    """Say whether a file's head is a zip whose entries include a Word document."""
    return head.startswith(_ZIP_MAGIC) and _DOCUMENT.encode() in head


def head_lines(head: bytes) -> list[str]:
    """Return the first lines of text of a .docx from its head alone, or [] when its document isn't there.

    The document's compressed data is unpacked as far as the head holds it, which for a transcript is
    its title block and first speakers: enough to tell one layout from another without the whole file.
    """
    if not is_docx(head):
        return []
    position = head.find(_ZIP_MAGIC)
    while position != -1 and position + 30 <= len(head):
        method = int.from_bytes(head[position + 8:position + 10], "little")
        name_length = int.from_bytes(head[position + 26:position + 28], "little")
        extra_length = int.from_bytes(head[position + 28:position + 30], "little")
        name = head[position + 30:position + 30 + name_length]
        start = position + 30 + name_length + extra_length
        if name == _DOCUMENT.encode():
            return _xml_lines(_unpack(head[start:], method))
        position = head.find(_ZIP_MAGIC, position + 4)
    return []


def _unpack(data: bytes, method: int) -> str:
    if method == 0:
        raw = data
    elif method == 8:
        try:
            raw = zlib.decompressobj(-15).decompress(data, _SNIFF_CHARS * 4)
        except zlib.error:
            return ""
    else:
        return ""
    return raw.decode("utf-8", "ignore")[:_SNIFF_CHARS]


def _xml_lines(xml: str) -> list[str]:
    body = xml[xml.find("<w:body"):] if "<w:body" in xml else xml
    text = html.unescape(_TAG.sub("", _TAB.sub("\t", _PARAGRAPH_END.sub("\n", body))))
    return [line.strip() for line in text.split("\n") if line.strip()]


def paragraphs(data: bytes) -> list[list[str]]:
    """Return a .docx's body paragraphs in order, each as its lines (split at line breaks, stripped, none blank)."""
    if not data.strip():
        raise TranscriptError(_("the file is empty"))
    if not data.startswith(_ZIP_MAGIC):
        raise TranscriptError(_("this is not a Word .docx file"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo(_DOCUMENT)
    except KeyError:
        raise TranscriptError(_("the .docx has no word/document.xml: it is not a Word document")) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, OSError, EOFError) as exc:
        raise TranscriptError(_("the .docx is damaged (%(problem)s)", problem=str(exc))) from None
    # zipfile never unpacks past the size the header gives, so checking it bounds the work.
    if info.file_size > MAX_DOCUMENT_BYTES:
        raise TranscriptError(_("the .docx's text unpacks to more than %(limit)s MB; refusing it",
                                limit=MAX_DOCUMENT_BYTES // 2**20))
    from docx import Document  # python-docx: imported here so the text formats never pay for it

    try:
        document = Document(io.BytesIO(data))
        texts = [paragraph.text for paragraph in document.paragraphs]
    except Exception as exc:  # python-docx and lxml raise many kinds on a damaged package
        raise TranscriptError(_("the .docx is damaged (%(problem)s)", problem=type(exc).__name__)) from None
    found = [[line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip()] for text in texts]
    return [lines for lines in found if lines]
