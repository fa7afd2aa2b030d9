"""Every page, in every state in PAGES, read in Welsh (#24) reaches the state meant and says it is in Welsh.
axe-core's WCAG A and AA rules and reflow at 320 pixels (test_accessibility) and the Nu HTML Checker
(test_html_valid) run on these pages as on the English: Welsh words are longer (a button, a link, a
table heading), the page says lang="cy", and translated text is printed as markup, each of which can
break a page that was clean in English.

The pages come from the same sweep as test_accessibility's (tests/browser/pages.py, WELSH_VISITS):
a context with the "Cymraeg" switch link's cookie, its acts finding fields and buttons by their Welsh.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pytest
from babel.messages.pofile import read_po

from tests.browser.checks import ROOT
from tests.browser.conftest import page_result
from tests.browser.pages import WELSH_VISITS

pytestmark = pytest.mark.browser

HTML_LANG = re.compile(r"<html\b[^>]*\blang=\"([^\"]*)\"")


@lru_cache
def _catalog() -> dict[str, str]:
    with (ROOT / "translations" / "cy" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if isinstance(m.id, str) and m.id}


def _welsh_of(english: str) -> str | None:
    """How a Welsh page shows `english` when it is a whole phrase of the catalog; None otherwise (part of a
    longer phrase, or one with a name or a number in it, whose Welsh is worded apart)."""
    return _catalog().get(english) or None


@pytest.mark.parametrize("visit", WELSH_VISITS, ids=lambda v: v.name)
def test_page_in_welsh_is_in_the_state_meant(sweep, visit):
    """The Welsh entry reached the same page and state as the English one, and says it is in Welsh."""
    result = page_result(sweep, visit.name)
    assert result.status == visit.status, f"{visit.name}: {result.url} answered {result.status}, expected {visit.status}"
    assert result.content_type == "text/html" and "Traceback" not in result.html
    found = HTML_LANG.search(result.html)
    assert found and found.group(1) == "cy", f"{visit.name}: <html lang> is {found and found.group(1)!r}, not 'cy'"
    # What proves the state, where its Welsh is a phrase of its own (elsewhere the status does, and an act
    # that found no field or button fails the sweep). The English may show too where it is what members wrote
    # (the demo's space called "Good practice" is also a catalog phrase).
    welsh = _welsh_of(visit.expect)
    if welsh is not None:
        shown = result.text + "\n" + "\n".join(result.fields)
        assert welsh in shown or visit.expect in shown, f"{visit.name}: {result.url} shows neither {welsh!r} nor {visit.expect!r}"
