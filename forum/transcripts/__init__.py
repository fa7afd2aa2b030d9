"""Transcript importers: a registry of formats, each with `sniff` and a pure `parse`."""

from __future__ import annotations

import re
from importlib import import_module
from flask_babel import gettext as _

from forum.errors import TranscriptError
from forum.transcripts.base import ChatMessage, Importer, Transcript, decode_text, load_json

_REGISTRY: dict[str, Importer] = {}
# What JSON opens with: an object, or an array of arrays, objects or strings. A text log can open with
# `[` too (`[15 Jan 00:53] <nick> hi`), and must not be refused as broken JSON.
_JSON_START = re.compile(r'\s*(?:\{|\[\s*(?:[\[{"\]]|$))')


def register(cls: type[Importer]) -> type[Importer]:
    """Class decorator: add an importer to the registry under its name."""
    if cls.name in _REGISTRY:
        raise RuntimeError(f"transcript format {cls.name!r} registered twice")
    _REGISTRY[cls.name] = cls()
    return cls


def registered() -> list[Importer]:
    """Every registered importer, in registration order."""
    _load_formats()
    return list(_REGISTRY.values())


def get(name: str) -> Importer:
    """The importer called `name`, or a TranscriptError listing the known names."""
    _load_formats()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(_REGISTRY)
        raise TranscriptError(_("unknown format %(name)s; known formats: %(known)s", name=repr(name), known=known)) from None


def detect(data: bytes, filename: str | None = None) -> Importer:
    """Sniff the file's head and return the first importer that recognises it."""
    _load_formats()
    head = data[:65536]
    for importer in _REGISTRY.values():
        if importer.sniff(head, filename):
            return importer
    # Nothing recognised it: say why when the reason is plain (empty, binary, not text, broken JSON).
    if _JSON_START.match(decode_text(data)):
        load_json(data)
    raise TranscriptError(_("the file's format was not recognised; name it with --format (see `flask forum formats`)"))


def _load_formats() -> None:
    # Importing the subpackage registers every format module (each module calls `register`).
    import_module("forum.transcripts.formats")


__all__ = ["ChatMessage", "Importer", "Transcript", "TranscriptError", "register", "registered", "get", "detect"]
