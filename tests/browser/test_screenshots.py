"""Screenshots of the main pages at 320 and 1280 CSS pixels wide, for a reviewer: build/screenshots/.
(Every page's reflow at 320 pixels is checked in test_accessibility.)"""

from __future__ import annotations

import pytest

from tests.browser import checks
from tests.browser.pages import ALL_VISITS, SCREENSHOTS

pytestmark = pytest.mark.browser

BY_NAME = {visit.name: visit for visit in ALL_VISITS}
WIDTHS = [320, 1280]


@pytest.mark.parametrize("name", SCREENSHOTS)
def test_screenshots(browsing, name):
    folder = checks.BUILD / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    visit = BY_NAME[name]
    for width in WIDTHS:
        page, response, _traffic, own = browsing.open(visit, viewport={"width": width, "height": 900})
        try:
            assert response.status == visit.status
            path = folder / f"{name}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
            assert path.stat().st_size > 1000
        finally:
            if own:
                own.close()
