"""Every page, in every state in PAGES, passes axe-core's WCAG 2.0, 2.1 and 2.2 A and AA rules."""

from __future__ import annotations

import json

import pytest

from tests.browser.checks import describe_violations
from tests.browser.conftest import page_result
from tests.browser.pages import ALL_VISITS, HTML_VISITS, NOT_PAGES, PAGES, WELSH_VISITS

pytestmark = pytest.mark.browser


def test_every_page_of_the_forum_is_in_the_page_list(site):
    """PAGES names every GET endpoint on the forum blueprint, so a new page cannot go unchecked."""
    endpoints = {rule.endpoint for rule in site.app.url_map.iter_rules()
                 if rule.endpoint.startswith("forum.") and "GET" in rule.methods}
    missing = sorted(endpoints - set(PAGES) - set(NOT_PAGES))
    assert not missing, (
        "these endpoints have no entry: " + ", ".join(missing)
        + ". Add each to PAGES in tests/browser/pages.py, with a Visit for every state the page can be in"
        " (empty, with errors, signed in or out), so axe, vnu and the weight checks cover it."
    )
    all_endpoints = {rule.endpoint for rule in site.app.url_map.iter_rules()}
    stale = sorted(set(PAGES) - all_endpoints)
    assert not stale, f"PAGES names endpoints that no longer exist: {', '.join(stale)}"
    assert all(PAGES[e] for e in PAGES), "every endpoint in PAGES needs at least one Visit"
    names = [v.name for v in ALL_VISITS]
    assert len(names) == len(set(names)), "Visit names in PAGES must be unique"


@pytest.mark.parametrize("visit", ALL_VISITS, ids=lambda v: v.name)
def test_page_is_in_the_state_meant(sweep, visit):
    """Each entry reached the page and state it names, so the checks below look at the right thing."""
    result = page_result(sweep, visit.name)
    assert result.status == visit.status, f"{visit.name}: {result.url} answered {result.status}, expected {visit.status}"
    shown = result.text + "\n" + "\n".join(result.fields)
    assert visit.expect in shown, f"{visit.name}: {result.url} does not show “{visit.expect}”"
    if visit.kind != "html":
        expected = {"json": "application/json", "calendar": "text/calendar", "atom": "application/atom+xml"}[visit.kind]
        assert result.content_type == expected, f"{visit.name} is declared {visit.kind} but is {result.content_type}"
        if visit.kind == "json":
            json.loads(result.html)
    else:
        assert result.content_type == "text/html", f"{visit.name} is {result.content_type}"
        assert "Traceback" not in result.html


# Every page in English and again in Welsh (#24: longer words, lang="cy", translated text printed as markup).
@pytest.mark.parametrize("visit", HTML_VISITS + WELSH_VISITS, ids=lambda v: v.name)
def test_page_has_no_accessibility_violations(sweep, visit):
    result = page_result(sweep, visit.name)
    assert not result.violations, (
        f"axe-core found {len(result.violations)} WCAG A/AA violation(s) on {visit.name} ({result.url}), "
        f"as seen without JavaScript:\n{describe_violations(result.violations)}"
    )
    if result.violations_with_scripts is not None:
        assert not result.violations_with_scripts, (
            f"axe-core found violations on {visit.name} ({result.url}) with its scripts running:\n"
            f"{describe_violations(result.violations_with_scripts)}"
        )


@pytest.mark.parametrize("visit", HTML_VISITS + WELSH_VISITS, ids=lambda v: v.name)
def test_page_reflows_at_320_pixels(sweep, visit):
    """WCAG 1.4.10 Reflow: nothing makes the page scroll sideways at 320 CSS pixels (a phone, or 400% zoom)."""
    result = page_result(sweep, visit.name)
    assert not result.reflow, f"{visit.name} ({result.url}) " + "\n".join(result.reflow)
