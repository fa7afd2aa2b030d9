"""The checks themselves: each must fail on a deliberately broken page, and pass on a sound one.

A tiny separate Flask app serves the pages. Every check here is the very function the real suite
uses (tests/browser/checks.py), so a green run elsewhere means something.
"""

from __future__ import annotations

import threading

import pytest
from flask import Flask, request
from werkzeug.serving import make_server

from tests.browser import checks
from tests.browser.checks import (JourneyError, Keyboard, Traffic, axe_violations, expect_submission,
                                  reflow_problems, role_of, traffic_problems, vnu_errors)
from tests.browser.conftest import SERVER_ERRORS, VIEWPORT, _QuietHandler, record_errors

pytestmark = pytest.mark.browser

PAGE = """<!doctype html>
<html lang="en-GB">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>{head}
<style>a:focus, button:focus, input:focus {{ outline: 3px solid #ffd500; }} {style}</style></head>
<body><main><h1>{title}</h1>{body}</main></body>
</html>"""

SOUND_FORM = ('<form method="post" action="/sent"><label for="name">Your name</label>'
              '<input id="name" name="name" type="text"><button type="submit">Send</button></form>')

BROKEN = {
    # Everything right: every check passes here.
    "/sound": dict(title="Sound page", body=f'<p><a href="/sent">A link</a></p>{SOUND_FORM}'),
    # A text box with no label.
    "/unlabelled": dict(title="Unlabelled input", body='<form method="post" action="/sent">'
                        '<input type="text" name="q"><button type="submit">Search</button></form>'),
    # A web font from another host, and one from this host.
    "/external-font": dict(
        title="External font", body="<p>Text in a web font.</p>",
        head='<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Roboto">',
        style='@font-face { font-family: "Brand"; src: url("https://fonts.gstatic.com/s/brand.woff2") format("woff2"); }'
              '@font-face { font-family: "Local"; src: url("/static/local.woff2") format("woff2"); }'
              'body { font-family: "Brand", sans-serif; } p { font-family: "Local", sans-serif; }'),
    # A form that only JavaScript can send.
    "/needs-javascript": dict(title="Needs JavaScript", body=(
        '<form id="f" method="post" action="/sent"><label for="name">Your name</label>'
        '<input id="name" name="name" type="text">'
        '<button type="button" onclick="document.getElementById(\'f\').submit()">Send</button></form>')),
    # A link dressed as a button: Space does nothing without scripts.
    "/fake-button": dict(title="Fake button", body='<p><a href="/sent" role="button">Start now</a></p>'),
    # Focus removed and nothing put in its place.
    "/invisible-focus": dict(title="Invisible focus", body=f'<p><a href="/sent">First</a> <a href="/sent">Second</a></p>',
                             style="a:focus { outline: none !important; }"),
    # Too much: 20 KB of script, and a page far over the weight budget.
    "/heavy": dict(title="Heavy", head='<script src="/static/big.js"></script>', body="<p>{filler}</p>"),
    # Invalid HTML: a block in a paragraph, a duplicate id, an unclosed element.
    "/invalid": dict(title="Invalid", body='<p><div id="x">a</div></p><span id="x">b</span><ul><li>c</ul></b>'),
    # Too wide for a phone.
    "/too-wide": dict(title="Too wide", body='<div style="width: 600px">A fixed-width box</div>'),
}


def _random_text(size: int) -> str:
    import random
    rng = random.Random(1)
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789 ") for _ in range(size))


def broken_app() -> Flask:
    app = Flask("broken")
    filler = _random_text(90_000)

    for path, parts in BROKEN.items():
        def view(parts=parts):
            fields = {"head": "", "style": "", **parts}
            fields["body"] = fields["body"].replace("{filler}", filler)
            return PAGE.format(**fields)
        app.add_url_rule(path, path.strip("/"), view)

    @app.route("/sent", methods=["GET", "POST"])
    def sent():
        return PAGE.format(title="Sent", head="", style="", body=f"<p>Sent {request.method}.</p>")

    @app.get("/static/big.js")
    def big_js():
        return "/*" + _random_text(20_000) + "*/", 200, {"Content-Type": "text/javascript"}

    @app.get("/static/local.woff2")
    def local_font():
        return b"wOF2" + b"\0" * 2000, 200, {"Content-Type": "font/woff2"}

    # A page whose code fails: the visitor gets a 500.
    @app.get("/fails")
    def fails():
        return {"per member": 1 / len(request.args)}

    return app


@pytest.fixture(scope="module")
def broken_site():
    app = broken_app()
    record_errors(app, "broken")
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def open_page(browser, broken_site):
    """Open a broken page as the suite would: JS on with scripts blocked (axe, traffic), or JS off
    (journeys). One tab per way of looking, reused."""
    tabs = {}

    def open_(path, *, js=True, block_scripts=True, idle=False):
        if js not in tabs:
            context = browser.new_context(java_script_enabled=js, viewport=VIEWPORT)
            page = context.new_page()
            tabs[js] = (context, page, Traffic(page))
        _context, page, traffic = tabs[js]
        traffic.block_scripts = block_scripts
        traffic.clear()
        page.set_viewport_size(VIEWPORT)
        page.goto(broken_site + path, wait_until="load")
        if idle:  # wait for late requests (fonts are fetched once text needs them)
            page.wait_for_load_state("networkidle")
        traffic.settle()
        return page, traffic

    yield open_
    for context, _page, _traffic in tabs.values():
        context.close()


def test_a_page_that_answers_500_leaves_its_traceback_for_the_report(browser, broken_site):
    first = len(SERVER_ERRORS)
    context = browser.new_context()
    try:
        assert context.request.get(broken_site + "/fails").status == 500
    finally:
        context.close()
    [error] = [str(e) for e in SERVER_ERRORS[first:]]
    assert error.startswith("broken, GET /fails:") and "ZeroDivisionError: division by zero" in error
    assert "return {\"per member\": 1 / len(request.args)}" in error


def test_axe_check_reports_an_unlabelled_input(open_page):
    checks.require_axe()
    page, _ = open_page("/unlabelled")
    rules = {v["id"] for v in axe_violations(page)}
    assert "label" in rules
    page, _ = open_page("/sound")
    assert axe_violations(page) == []


def test_traffic_check_reports_fonts_and_other_hosts(open_page):
    page, traffic = open_page("/external-font", idle=True)
    problems = traffic_problems(traffic)
    assert any("another host: https://fonts.googleapis.com/" in p for p in problems), problems
    assert any(p.startswith("web font: https://fonts.gstatic.com/") for p in problems), problems
    assert any(p.startswith("web font: http://127.0.0.1") and p.endswith("/static/local.woff2") for p in problems), problems
    page, traffic = open_page("/sound")
    assert traffic_problems(traffic) == []


def test_weight_check_reports_too_much_javascript_and_too_heavy_a_page(open_page):
    page, traffic = open_page("/heavy", block_scripts=False)
    problems = traffic_problems(traffic, total_budget=checks.BUDGET_PAGE_TOTAL)
    assert any(p.startswith("JavaScript is ") for p in problems), problems
    assert any(p.startswith("the page and what it loads come to ") for p in problems), problems
    page, traffic = open_page("/sound")
    assert traffic_problems(traffic, total_budget=checks.BUDGET_PAGE_TOTAL) == []


def test_no_javascript_journey_check_fails_on_a_form_that_needs_javascript(open_page):
    page, _ = open_page("/needs-javascript", js=False)
    page.get_by_label("Your name").fill("Sam")
    with pytest.raises(JourneyError, match="did not send anything"):
        expect_submission(page, page.get_by_role("button", name="Send").click, what="Send", timeout=2_000)
    # The same form does send with JavaScript on: it is the dependence on JavaScript that is caught.
    page, _ = open_page("/needs-javascript", js=True, block_scripts=False)
    page.get_by_label("Your name").fill("Sam")
    response = expect_submission(page, page.get_by_role("button", name="Send").click, what="Send")
    assert response.ok and "Sent POST" in page.content()
    # And a sound form sends without JavaScript.
    page, _ = open_page("/sound", js=False)
    page.get_by_label("Your name").fill("Sam")
    expect_submission(page, page.get_by_role("button", name="Send").click, what="Send")


def test_keyboard_check_fails_on_a_link_pretending_to_be_a_button(open_page):
    page, _ = open_page("/fake-button", js=False)
    keyboard = Keyboard(page)
    button = keyboard.tab_to_name("Start now")
    assert role_of(button) == "button"
    with pytest.raises(JourneyError, match="pressing Space"):
        keyboard.activate(button, timeout=2_000)


def test_keyboard_check_fails_when_focus_is_invisible(open_page):
    page, _ = open_page("/invisible-focus", js=False)
    with pytest.raises(JourneyError, match="focus is not visible"):
        Keyboard(page).tab_to_name("Second")
    page, _ = open_page("/sound", js=False)
    Keyboard(page).tab_to_name("Send", role="button")


def test_reflow_check_fails_on_a_page_too_wide_for_a_phone(open_page):
    page, _ = open_page("/too-wide")
    assert reflow_problems(page)
    page, _ = open_page("/sound")
    assert reflow_problems(page) == []


def test_vnu_check_reports_invalid_html(broken_site, tmp_path):
    checks.require_vnu()
    import urllib.request
    files = {}
    for name in ("invalid", "sound"):
        with urllib.request.urlopen(f"{broken_site}/{name}") as response:
            (tmp_path / f"{name}.html").write_bytes(response.read())
        files[name] = tmp_path / f"{name}.html"
    errors = vnu_errors(files)
    assert errors["sound"] == []
    text = "\n".join(errors["invalid"])
    assert "Duplicate ID" in text and "No “p” element in scope" in text, text
