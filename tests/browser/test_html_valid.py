"""Every page, as the browser received it, is valid HTML: the Nu HTML Checker reports no errors."""

from __future__ import annotations

import pytest

from tests.browser import checks
from tests.browser.conftest import page_result
from tests.browser.pages import HTML_VISITS, WELSH_VISITS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def vnu_results(sweep, tmp_path_factory):
    """Save every page's HTML, in English and in Welsh, and check them all in one vnu run (Java takes seconds to
    start)."""
    checks.require_vnu()
    folder = tmp_path_factory.mktemp("html")
    files = {}
    for visit in HTML_VISITS + WELSH_VISITS:
        result = sweep.get(visit.name)
        if result is None or result.error or not result.html:
            continue
        path = folder / f"{visit.name}.html"
        path.write_text(result.html, encoding="utf-8")
        files[visit.name] = path
    return checks.vnu_errors(files)


@pytest.mark.parametrize("visit", HTML_VISITS + WELSH_VISITS, ids=lambda v: v.name)  # in English and in Welsh
def test_page_is_valid_html(sweep, vnu_results, visit):
    result = page_result(sweep, visit.name)
    errors = vnu_results.get(visit.name)
    assert errors is not None, f"{visit.name} was not checked"
    assert not errors, f"the Nu HTML Checker found {len(errors)} error(s) on {visit.name} ({result.url}):\n" + "\n".join(
        f"- {e}" for e in errors)
