"""The rough edges the walk-through found, in a real browser: the header at 1280 and 360 px, and how
many Tab presses it takes to reach the reply box on an 11-post thread (#22)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.models import Member, Space
from forum.services import demo, posting
from tests.browser.checks import Keyboard
from tests.browser.conftest import MEMBER, VIEWPORT, sign_in

pytestmark = pytest.mark.browser

MODERATOR = ("jo.williams@leeds.example.gov.uk", demo.DEMO_PASSWORD)
NARROW = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def eleven_posts(site) -> str:
    """The address of a thread of 11 posts (a question and ten replies) in a public space."""
    with site.app.app_context():
        db = site.app.extensions["forum"].db.session
        members = list(db.scalars(select(Member).where(Member.role == "member", Member.state == "approved")
                                  .order_by(Member.id).limit(10)))
        space = db.scalar(select(Space).where(Space.slug == "between-chats"))
        thread = posting.start_thread(db, space=space, author=members[0], title="Eleven posts: who answers DMs?",
                                      body="Who answers your direct messages out of hours?")
        for n in range(10):
            posting.reply(db, thread=thread, space=space, author=members[n % len(members)],
                          body=f"Reply {n + 1}: our contact centre picks them up in the morning.")
        db.commit()
        return f"/threads/{thread.id}"


def _tab(browser, site, who, viewport=VIEWPORT):
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(15_000)
    page = context.new_page()
    if who is not None:
        sign_in(page, site.base_url, *who)
    return context, page


def _boxes(page) -> dict:
    """The header's height and the boxes of its search label, box and button."""
    return page.evaluate("""() => {
      const box = sel => { const r = document.querySelector(sel).getBoundingClientRect();
                           return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height}; };
      const items = [...document.querySelectorAll('.header__name, .header__list > li, .header__search label,'
                                                  + ' .header__search input, .header__search button')];
      return {header: box('.header'), label: box('.header__search label'), input: box('.header__search input'),
              button: box('.header__search button'), name: box('.header__name'),
              lineHeight: parseFloat(getComputedStyle(document.querySelector('.header__list')).lineHeight),
              centres: items.map(e => { const r = e.getBoundingClientRect(); return (r.top + r.bottom) / 2; }), rights: items.map(e => e.getBoundingClientRect().right),
              scrollWidth: document.documentElement.scrollWidth};
    }""")


@pytest.mark.parametrize("who", [None, MEMBER, MODERATOR, (demo.ADMIN_EMAIL, demo.DEMO_PASSWORD)],
                         ids=["visitor", "member", "moderator", "admin"])
def test_header_takes_one_row_at_1280_with_a_visible_search_label(browser, site, who):
    context, page = _tab(browser, site, who)
    try:
        page.goto(site.url("/"))
        label = page.locator(".header__search label")
        assert label.is_visible() and label.inner_text().strip(), "the search box has no visible label"
        b = _boxes(page)
        # One row: the middles of every item of the header are within half a line of each other, and
        # the button sits beside the box, not under it.
        assert max(b["centres"]) - min(b["centres"]) < b["lineHeight"] / 2, f"the header wraps at 1280 px: {b}"
        assert b["button"]["top"] < b["input"]["bottom"] and b["button"]["left"] >= b["input"]["right"] - 1, b
        assert b["header"]["height"] < 90, f"the header is {b['header']['height']} px tall at 1280 px"
        assert b["scrollWidth"] <= 1280
    finally:
        context.close()


@pytest.mark.parametrize("who", [None, MODERATOR], ids=["visitor", "moderator"])
def test_header_collapses_tidily_at_360(browser, site, who):
    context, page = _tab(browser, site, who, NARROW)
    try:
        page.goto(site.url("/"))
        b = _boxes(page)
        assert b["scrollWidth"] <= NARROW["width"], "the page scrolls sideways at 360 px"
        assert max(b["rights"]) <= NARROW["width"], "a header item runs off the screen at 360 px"
        # The search box and its button share a row, full width, under the links.
        assert abs(b["button"]["top"] - b["input"]["top"]) < 4, f"the Search button wraps at 360 px: {b}"
        assert b["input"]["right"] - b["label"]["left"] > NARROW["width"] * 0.6
        assert b["header"]["height"] < 260, f"the header is {b['header']['height']} px tall at 360 px"
    finally:
        context.close()


def _stops_to_reply(page) -> int:
    keyboard = Keyboard(page)
    keyboard.tab_to(lambda info: info["tag"] == "textarea", what="the reply box")
    return keyboard.stops


def test_reply_box_is_few_tab_stops_away_on_an_eleven_post_thread(browser, site, eleven_posts):
    context, page = _tab(browser, site, MEMBER)
    try:
        page.goto(site.url(eleven_posts))
        stops = _stops_to_reply(page)
        print(f"tab stops to the reply box on an 11-post thread: {stops}")
        assert stops <= 30, f"{stops} tab stops to reach the reply box"

        # The skip link: the second stop on the page, and it lands in the reply box.
        page.goto(site.url(eleven_posts))
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.textContent.trim()")
        assert focused == "Jump to reply"
        page.keyboard.press("Enter")
        page.keyboard.press("Tab") if page.evaluate("() => document.activeElement.tagName") != "TEXTAREA" else None
        assert page.evaluate("() => document.activeElement.tagName") == "TEXTAREA"
    finally:
        context.close()


@pytest.mark.parametrize("js", [True, False], ids=["javascript-on", "javascript-off"])
def test_typing_in_a_quoting_reply_starts_after_the_quote(browser, site, eleven_posts, js):
    context = browser.new_context(viewport=VIEWPORT, java_script_enabled=js)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, site.base_url, *MEMBER)
        page.goto(site.url(eleven_posts))
        first = page.locator("article.post").first
        first.locator("summary").click()
        first.get_by_role("link", name="Quote this post").click()
        page.wait_for_url("**/reply?quote=*")
        box = page.get_by_label("Your reply", exact=True)
        quote = box.input_value()
        assert quote.endswith("\n") and quote.startswith("[**")
        if js:
            # With the script, the caret goes after the quote when the box takes focus from the keyboard.
            Keyboard(page).tab_to(lambda info: info["tag"] == "textarea", what="the reply box")
            page.keyboard.type("We use a rota.")
            assert box.input_value() == quote + "We use a rota."
        else:
            # Without it, the page still works: the quote ends with a blank line to write under.
            box.press("Control+End")
            page.keyboard.type("We use a rota.")
            assert box.input_value().endswith("\n\nWe use a rota.")
    finally:
        context.close()


def test_headings_in_a_library_entry_are_at_least_body_size(browser, site):
    context, page = _tab(browser, site, None)
    try:
        page.goto(site.url(f"/library/{site.ids.library_entry}"))
        sizes = page.evaluate("""() => {
          const size = el => parseFloat(getComputedStyle(el).fontSize);
          const body = document.querySelector('.post__body p');
          return {body: size(body), headings: [...document.querySelectorAll('.post__body h1, .post__body h2,'
                  + ' .post__body h3, .post__body h4, .post__body h5, .post__body h6')].map(size)};
        }""")
        assert sizes["headings"], "the entry has no headings"
        assert min(sizes["headings"]) >= sizes["body"], sizes
    finally:
        context.close()
