"""Every page, in every state in PAGES, read in Welsh (#24): axe-core's WCAG A and AA rules, reflow at
320 pixels and the Nu HTML Checker pass as they do in English. Welsh words are longer (a button,
a link, a table heading), the page says lang="cy", and translated text is printed as markup: each
can break a page that was clean in English.

The pages come from the same sweep as test_accessibility's (tests/browser/pages.py, WELSH_VISITS):
a context with the "Cymraeg" switch link's cookie, its acts finding fields and buttons by their Welsh.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pytest
from babel.messages.pofile import read_po

from tests.browser import checks
from tests.browser.checks import ROOT, describe_violations
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
    # that found no field or button fails the sweep); the English too, for templates not translated yet.
    welsh = _welsh_of(visit.expect)
    if welsh is not None:
        shown = result.text + "\n" + "\n".join(result.fields)
        assert welsh in shown or visit.expect in shown, f"{visit.name}: {result.url} shows neither {welsh!r} nor {visit.expect!r}"


@pytest.mark.parametrize("visit", WELSH_VISITS, ids=lambda v: v.name)
def test_page_in_welsh_has_no_accessibility_violations(sweep, visit):
    result = page_result(sweep, visit.name)
    assert not result.violations, (
        f"axe-core found {len(result.violations)} WCAG A/AA violation(s) on {visit.name} ({result.url}), "
        f"in Welsh, as seen without JavaScript:\n{describe_violations(result.violations)}"
    )
    if result.violations_with_scripts is not None:
        assert not result.violations_with_scripts, (
            f"axe-core found violations on {visit.name} ({result.url}), in Welsh, with its scripts running:\n"
            f"{describe_violations(result.violations_with_scripts)}"
        )


@pytest.mark.parametrize("visit", WELSH_VISITS, ids=lambda v: v.name)
def test_page_in_welsh_reflows_at_320_pixels(sweep, visit):
    """Longer words must still wrap: nothing makes the page scroll sideways at 320 CSS pixels."""
    result = page_result(sweep, visit.name)
    assert not result.reflow, f"{visit.name} ({result.url}) " + "\n".join(result.reflow)


@pytest.fixture(scope="module")
def vnu_results_in_welsh(sweep, tmp_path_factory):
    """Every Welsh page's HTML checked in one vnu run, as test_html_valid does the English."""
    checks.require_vnu()
    folder = tmp_path_factory.mktemp("html-cy")
    files = {}
    for visit in WELSH_VISITS:
        result = sweep.get(visit.name)
        if result is None or result.error or not result.html:
            continue
        path = folder / f"{visit.name}.html"
        path.write_text(result.html, encoding="utf-8")
        files[visit.name] = path
    return checks.vnu_errors(files)


@pytest.mark.parametrize("visit", WELSH_VISITS, ids=lambda v: v.name)
def test_page_in_welsh_is_valid_html(sweep, vnu_results_in_welsh, visit):
    result = page_result(sweep, visit.name)
    errors = vnu_results_in_welsh.get(visit.name)
    assert errors is not None, f"{visit.name} was not checked"
    assert not errors, f"the Nu HTML Checker found {len(errors)} error(s) on {visit.name} ({result.url}), in Welsh:\n" + \
        "\n".join(f"- {e}" for e in errors)
