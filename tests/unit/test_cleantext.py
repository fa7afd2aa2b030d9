"""forum.cleantext: which characters text keeps on its way in, and which it loses."""

from __future__ import annotations

import pytest

from forum.cleantext import clean_line, clean_text, has_control_characters, xml_safe


@pytest.mark.parametrize(("raw", "line", "text"), [
    ("a\x01b", "ab", "ab"),
    ("tab\there", "tab here", "tab\there"),
    ("two\r\nlines\n", "two  lines ", "two\r\nlines\n"),
    ("c1\x85\x9fend\x7f", "c1end", "c1end"),
    ("half\ud800pair\udfff", "halfpair", "halfpair"),
    ("non\ufffechar\uffff", "nonchar", "nonchar"),
    ("Café — ✓ 👍 ﷽", "Café — ✓ 👍 ﷽", "Café — ✓ 👍 ﷽"),
])
def test_what_cleaning_keeps_and_drops(raw, line, text):
    assert clean_line(raw) == line
    assert clean_text(raw) == text


def test_xml_safe_drops_only_what_xml_cannot_carry():
    assert xml_safe("a\x01b\tc\nd\x85e\ud800f\uffff") == "ab\tc\nd\x85ef"


@pytest.mark.parametrize(("text", "found"), [("/home", False), ("/a\nb", True), ("/a\tb", True), ("/\x85", True)])
def test_control_characters_are_found_in_an_address(text, found):
    assert has_control_characters(text) is found
