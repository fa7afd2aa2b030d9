"""Page weight on a first visit (Accept-Encoding: gzip, nothing cached): a thread page of 50 posts
comes to at most 60 KB with everything it loads; CSS at most 15 KB; JavaScript at most 10 KB; no web
fonts; nothing from any other host, on any page."""

from __future__ import annotations

import json

import pytest

from tests.browser import checks
from tests.browser.checks import BUDGET_PAGE_TOTAL, Traffic, traffic_problems
from tests.browser.conftest import VIEWPORT, page_result, sign_in, MEMBER
from tests.browser.pages import ALL_VISITS

pytestmark = pytest.mark.browser


def first_visit(browser, site, path: str, who: str = "visitor"):
    """Load `path` in a new context with an empty cache, as gzip-only; return (page, response, traffic)."""
    context = browser.new_context(viewport=VIEWPORT, extra_http_headers={"Accept-Encoding": "gzip"})
    page = context.new_page()
    if who == "member":
        sign_in(page, site.base_url, *MEMBER)
    traffic = Traffic(page)  # routes every request, which also turns the HTTP cache off
    response = page.goto(site.url(path), wait_until="load")
    page.wait_for_load_state("networkidle")
    traffic.settle()
    return page, response, traffic


def _report(name: str, figures: dict) -> None:
    """Keep the figures in build/ for the README and the reviewer."""
    checks.BUILD.mkdir(exist_ok=True)
    path = checks.BUILD / "page-weight.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[name] = figures
    path.write_text(json.dumps(data, indent=2))


@pytest.mark.parametrize("who", ["visitor", "member"])
def test_thread_page_of_50_posts_is_within_budget(browser, site, who):
    page, response, traffic = first_visit(browser, site, f"/threads/{site.ids.long_thread}", who)
    try:
        assert page.locator("article.post").count() == 50
        assert response.headers.get("content-encoding") == "gzip", "the HTML was not sent gzipped"
        figures = traffic.figures()
        _report(f"thread-50-posts-{who}", figures)
        problems = traffic_problems(traffic, total_budget=BUDGET_PAGE_TOTAL)
        assert not problems, "\n".join(problems) + "\n" + json.dumps(figures["resources"], indent=1)
        assert figures["fonts"] == 0 and figures["other_hosts"] == []
        print(f"\nthread page, 50 posts, {who}: {figures['total_bytes'] / 1000:.1f} KB in all "
              f"(HTML {figures['html_bytes'] / 1000:.1f} KB, CSS {figures['css_bytes'] / 1000:.1f} KB, "
              f"JS {figures['js_bytes'] / 1000:.1f} KB, {figures['requests']} requests)")
    finally:
        page.context.close()


@pytest.mark.parametrize("visit", ALL_VISITS, ids=lambda v: v.name)
def test_page_loads_nothing_from_other_hosts_no_fonts_and_little_css_and_js(sweep, visit):
    result = page_result(sweep, visit.name)
    assert not result.traffic_problems, f"{visit.name} ({result.url}):\n" + "\n".join(result.traffic_problems)


def test_a_post_cannot_make_readers_load_from_another_host(browser, site):
    from forum.models import Member, Space
    from forum.services import posting
    from sqlalchemy import select

    with site.app.app_context():
        db = site.app.extensions["forum"].db.session
        sam = db.scalar(select(Member).where(Member.email == MEMBER[0]))
        space = db.scalar(select(Space).where(Space.slug == "introductions"))
        thread = posting.start_thread(db, space=space, author=sam, title="Our new chart",
                                      body="Look: ![our engagement chart](https://images.example.net/chart.png)")
        db.commit()
        thread_id = thread.id
    page, _response, traffic = first_visit(browser, site, f"/threads/{thread_id}")
    try:
        problems = traffic_problems(traffic)
        assert not problems, "\n".join(problems)
        assert page.get_by_role("link", name="our engagement chart").count() == 1, "the image should become a link"
    finally:
        page.context.close()
