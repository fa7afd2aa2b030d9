"""Clean text on its way in: no control characters, and nothing an XML document (a feed) cannot carry.

Every form field is cleaned by `forms.Form`; text from elsewhere (transcripts, the command line) by
the code that takes it in. The feed writer runs `xml_safe` again over what it writes, for rows saved
before this cleaning existed.
"""

from __future__ import annotations

import re

# C0 controls but tab, line feed and carriage return; DEL and the C1 controls; lone surrogates
# (half of a UTF-16 pair, possible in a Python str, impossible in UTF-8 or XML); U+FFFE and U+FFFF.
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BREAKS = re.compile("[\t\n\r]")
# What XML 1.0 cannot carry at all (its Char production); DEL and C1 are allowed there, if unwise.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """Return several lines of text without control characters; tabs and line breaks stay."""
    return _UNWANTED.sub("", text)


def clean_line(text: str) -> str:
    """Return one line of text without control characters; a tab or line break becomes a space."""
    return _BREAKS.sub(" ", _UNWANTED.sub("", text))


def xml_safe(text: str) -> str:
    """Return `text` without the characters XML 1.0 forbids, so a document built from it always parses."""
    return _NOT_XML.sub("", text)


def has_control_characters(text: str) -> bool:
    """Does `text` hold any control character, tabs and line breaks included (say, in an address)?"""
    return _CONTROLS.search(text) is not None
