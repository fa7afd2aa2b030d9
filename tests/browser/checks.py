"""The browser checks themselves: axe-core, the Nu HTML Checker, page weight and other hosts, no-JS
submission and visible keyboard focus.

The page sweep, the journeys and the self-test (test_checks_catch_breakage.py) all call these same
functions, so a check that is shown to catch a broken page is the check that passes the real ones.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
BUILD = ROOT / "build"
IN_CI = os.environ.get("CI") == "true"

LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--no-first-run",
]

# WCAG 2.0, 2.1 and 2.2, levels A and AA: every axe-core tag for them (axe has no "wcag22a" tag:
# the new level-A criteria of 2.2 have no automated rules).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Budgets, in bytes as transferred (1 KB = 1,000 bytes): see README.
KB = 1000
BUDGET_PAGE_TOTAL = 60 * KB   # a thread page of 50 posts: HTML plus everything it loads
BUDGET_CSS = 15 * KB
BUDGET_JS = 10 * KB
LOCAL_HOSTS = {"127.0.0.1"}
FONT_EXTENSIONS = (".woff", ".woff2", ".ttf", ".otf", ".eot")


# -- what the suite needs ------------------------------------------------------------------------

def require(ok: bool, reason: str) -> None:
    """Skip with `reason` when something the browser suite needs is missing; under CI=true, fail."""
    if ok:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the browser suite must run; .ci/run installs it)", pytrace=False)
    pytest.skip(reason)


def require_chromium() -> None:
    require(CHROMIUM.exists(), f"no Chromium at {CHROMIUM}: apt-get install chromium (never `playwright install`)")


def require_axe() -> None:
    require(AXE_JS.exists(), f"axe-core is not installed ({AXE_JS.relative_to(ROOT)} missing): run `npm install`")


def require_vnu() -> None:
    require(VNU_JAR.exists(), f"vnu-jar is not installed ({VNU_JAR.relative_to(ROOT)} missing): run `npm install`")
    require(shutil.which("java") is not None, "no `java` on PATH for the Nu HTML Checker: apt-get install default-jre-headless")


# -- axe-core --------------------------------------------------------------------------------------

_axe_source: str | None = None


def axe_violations(page) -> list[dict]:
    """Run axe-core in `page` against the WCAG 2.0/2.1/2.2 A and AA rules; return its violations.

    JavaScript must be enabled in the page's context (axe hangs otherwise); to audit what a
    visitor without JavaScript sees, block the site's own scripts instead (see Traffic).
    """
    global _axe_source
    if _axe_source is None:
        _axe_source = AXE_JS.read_text(encoding="utf-8")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source)
    result = page.evaluate(
        "options => axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    return result["violations"]


def describe_violations(violations: list[dict]) -> str:
    """Violations as readable lines: rule, impact, what to fix, and the elements."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:5]:
            lines.append(f"    at {' '.join(node['target'])}: {node['html'][:160]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
        if len(v["nodes"]) > 5:
            lines.append(f"    ... and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


# -- traffic: other hosts, fonts, scripts, weight ----------------------------------------------------

@dataclass
class Resource:
    url: str
    kind: str                 # Playwright's resource_type: document, stylesheet, script, font, image...
    status: int | None = None
    body_bytes: int = 0       # encoded body as transferred
    header_bytes: int = 0
    content_type: str = ""
    content_encoding: str = ""
    blocked: str = ""         # why the test aborted it, if it did

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def is_font(self) -> bool:
        path = urlsplit(self.url).path.lower()
        return self.kind == "font" or path.endswith(FONT_EXTENSIONS) or self.content_type.startswith(("font/", "application/font"))

    @property
    def is_script(self) -> bool:
        return self.kind == "script" or "javascript" in self.content_type

    @property
    def is_css(self) -> bool:
        return self.kind == "stylesheet" or self.content_type.startswith("text/css")

    @property
    def transferred(self) -> int:
        return self.body_bytes + self.header_bytes


class Traffic:
    """Every request a page makes: requests to other hosts and (optionally) the site's
    scripts are aborted and recorded; the rest go through and are measured as transferred.

    Routing every request also turns off the HTTP cache, so each page load is a first visit.
    """

    def __init__(self, target, *, block_scripts: bool = False):
        self.block_scripts = block_scripts
        self.resources: list[Resource] = []
        self._pending: list[tuple[Resource, object]] = []
        target.route("**/*", self._route)
        target.on("request", self._on_request)

    def _route(self, route):
        request = route.request
        host = urlsplit(request.url).hostname or ""
        if request.url.startswith(("data:", "blob:")):
            route.continue_()
        elif host not in LOCAL_HOSTS:
            route.abort("blockedbyclient")  # no internet in CI, and no page may depend on one
        elif self.block_scripts and request.resource_type == "script":
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def _on_request(self, request):
        if request.url.startswith("data:"):
            return
        resource = Resource(request.url, request.resource_type)
        host = resource.host
        if host not in LOCAL_HOSTS:
            resource.blocked = "another host"
        elif self.block_scripts and request.resource_type == "script":
            resource.blocked = "script blocked to see the page without JavaScript"
        self.resources.append(resource)
        self._pending.append((resource, request))

    def settle(self) -> None:
        """Read the sizes and headers of the requests made so far (call after the page has loaded)."""
        pending, self._pending = self._pending, []
        for resource, request in pending:
            if resource.blocked:
                continue
            response = request.response()
            if response is None:
                continue
            resource.status = response.status
            headers = response.headers
            resource.content_type = headers.get("content-type", "").split(";")[0].strip().lower()
            resource.content_encoding = headers.get("content-encoding", "")
            sizes = request.sizes()
            resource.body_bytes = sizes["responseBodySize"]
            resource.header_bytes = sizes["responseHeadersSize"]

    def clear(self) -> None:
        self.settle()
        self.resources = []

    # totals ------------------------------------------------------------------------------------------
    def total(self, predicate=lambda r: True) -> int:
        return sum(r.transferred for r in self.resources if predicate(r))

    def figures(self) -> dict:
        return {
            "requests": len(self.resources),
            "total_bytes": self.total(),
            "html_bytes": self.total(lambda r: r.kind == "document"),
            "css_bytes": self.total(lambda r: r.is_css),
            "js_bytes": self.total(lambda r: r.is_script),
            "fonts": sum(1 for r in self.resources if r.is_font),
            "other_hosts": sorted({r.host for r in self.resources if r.host not in LOCAL_HOSTS}),
            "resources": [(r.kind, r.url, r.status, r.content_encoding, r.body_bytes, r.header_bytes)
                          for r in self.resources],
        }


def traffic_problems(traffic: Traffic, *, total_budget: int | None = None, one_page: bool = True) -> list[str]:
    """What is wrong with a page's traffic: other hosts, web fonts, too much CSS or JS, too much in all.

    With one_page=False (a whole journey's traffic) only other hosts and fonts are checked.
    """
    problems = []
    for r in traffic.resources:
        if r.host not in LOCAL_HOSTS:
            problems.append(f"request to another host: {r.url} ({r.kind})")
        if r.is_font:
            problems.append(f"web font: {r.url}")
    if not one_page:
        return problems
    css = traffic.total(lambda r: r.is_css)
    js = traffic.total(lambda r: r.is_script)
    if css > BUDGET_CSS:
        problems.append(f"CSS is {css:,} bytes transferred; the budget is {BUDGET_CSS:,}")
    if js > BUDGET_JS:
        problems.append(f"JavaScript is {js:,} bytes transferred; the budget is {BUDGET_JS:,}")
    if total_budget is not None and traffic.total() > total_budget:
        problems.append(f"the page and what it loads come to {traffic.total():,} bytes; the budget is {total_budget:,}")
    return problems


# -- reflow: no sideways scrolling at 320 CSS pixels (WCAG 1.4.10) --------------------------------------

REFLOW_WIDTH = 320

_OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => { for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
  const wide = [...document.querySelectorAll('body *')].filter(el => {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || getComputedStyle(el).position === 'absolute' || scrolls(el)) return false;
      // Too wide itself, or text running out of it (a long word or address that cannot wrap).
      return r.right > width + 1 || (r.left + el.scrollWidth > width + 1 && getComputedStyle(el).overflowX === 'visible');
  });
  // Report the innermost elements: the ones that make their parents wide.
  const innermost = wide.filter(el => !wide.some(other => other !== el && el.contains(other)));
  return {scrollWidth: document.documentElement.scrollWidth, width,
          culprits: innermost.slice(0, 5).map(el => el.outerHTML.slice(0, 140))};
}"""


def reflow_problems(page, width: int = REFLOW_WIDTH) -> list[str]:
    """Resize the page to `width` CSS pixels and say what, if anything, makes it scroll sideways."""
    page.set_viewport_size({"width": width, "height": 900})
    found = page.evaluate(_OVERFLOW_JS)
    if found["scrollWidth"] <= width and not found["culprits"]:
        return []
    return [f"at {width} px wide the page is {found['scrollWidth']} px wide; too wide:"] + [
        f"  {html}" for html in found["culprits"]]


# -- the Nu HTML Checker -----------------------------------------------------------------------------

def vnu_errors(files: dict[str, Path]) -> dict[str, list[str]]:
    """Check HTML files with the Nu HTML Checker in one run; return each name's error messages."""
    by_path = {str(Path(p).resolve()): name for name, p in files.items()}
    completed = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout", *by_path],
        capture_output=True, text=True, timeout=300,
    )
    try:
        messages = json.loads(completed.stdout or "{}").get("messages", [])
    except json.JSONDecodeError as exc:
        raise AssertionError(f"vnu gave no JSON (exit {completed.returncode}): {completed.stdout[:500]} {completed.stderr[:500]}") from exc
    errors: dict[str, list[str]] = {name: [] for name in files}
    for m in messages:
        if m.get("type") not in ("error", "non-document-error") and m.get("subType") != "fatal":
            continue
        url = m.get("url", "")
        path = url.removeprefix("file:") if url.startswith("file:") else url
        name = by_path.get(str(Path(path).resolve()) if path else "", None)
        where = f"line {m.get('lastLine', '?')}: " if m.get("lastLine") else ""
        extract = f"  [{m['extract'].strip()[:120]}]" if m.get("extract") else ""
        text = f"{where}{m.get('message', '')}{extract}"
        if name is None:
            for key in errors:
                errors[key].append(f"vnu: {text}")
        else:
            errors[name].append(text)
    if completed.returncode not in (0, 1):
        raise AssertionError(f"vnu failed to run (exit {completed.returncode}): {completed.stderr[:1000]}")
    return errors


# -- journeys: forms that work without JavaScript, and visible focus ------------------------------------

class JourneyError(AssertionError):
    """A step of a journey could not be done the way a person would do it."""


def expect_submission(page, action, *, what: str, timeout: float = 10_000):
    """Do `action` (a click or a key press) and return the response of the page it leads to.

    Fails when nothing is sent and no new page loads: a form that needs JavaScript to submit, a
    button that isn't a submit button, a link that goes nowhere.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        with page.expect_navigation(timeout=timeout, wait_until="load") as navigation:
            action()
        return navigation.value
    except PlaywrightTimeout:
        raise JourneyError(
            f"{what} did not send anything or load a new page within {timeout / 1000:g} s on {page.url}"
        ) from None


_STYLE_JS = """el => {
  const s = getComputedStyle(el);
  return {outline: [s.outlineStyle, s.outlineWidth, s.outlineColor].join(' '),
          outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth) || 0, outlineColor: s.outlineColor,
          boxShadow: s.boxShadow, background: s.backgroundColor, color: s.color,
          border: [s.borderTopColor, s.borderBottomColor, s.borderTopWidth, s.borderBottomWidth].join(' '),
          decoration: [s.textDecorationLine, s.textDecorationThickness, s.textDecorationColor].join(' ')};
}"""

_FOCUSED_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const r = el.getBoundingClientRect();
  const label = el.labels && el.labels.length ? el.labels[0].innerText : '';
  const name = (el.getAttribute('aria-label') || label || el.innerText || el.value || el.getAttribute('title') || '').trim();
  return {tag: el.tagName.toLowerCase(), type: el.type || '', role: el.getAttribute('role') || '',
          id: el.id, name: name.replace(/\\s+/g, ' '), href: el.getAttribute('href') || '',
          inViewport: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 &&
                      r.top < innerHeight && r.left < innerWidth,
          html: el.outerHTML.slice(0, 160)};
}"""


def _transparent(color: str) -> bool:
    return color == "transparent" or bool(re.fullmatch(r"rgba\([^,]+,[^,]+,[^,]+,\s*0(\.0*)?\)", color))


def focus_indicator(focused: dict, unfocused: dict) -> list[str]:
    """What changes visibly when an element takes focus (empty when nothing does)."""
    changes = []
    outline_visible = (focused["outlineStyle"] != "none" and focused["outlineWidth"] >= 1
                       and not _transparent(focused["outlineColor"]))
    if outline_visible and focused["outline"] != unfocused["outline"]:
        changes.append(f"outline {focused['outline']}")
    if focused["boxShadow"] != unfocused["boxShadow"] and focused["boxShadow"] != "none":
        changes.append(f"box-shadow {focused['boxShadow']}")
    for key in ("background", "color", "border", "decoration"):
        if focused[key] != unfocused[key]:
            changes.append(f"{key} {unfocused[key]} -> {focused[key]}")
    return changes


def role_of(info: dict) -> str:
    """The role a focused element has (from _FOCUSED_JS): what a screen reader announces it as."""
    if info["role"]:
        return info["role"]
    if info["tag"] == "a":
        return "link"
    if info["tag"] == "button" or (info["tag"] == "input" and info["type"] in ("submit", "button", "reset", "image")):
        return "button"
    if info["tag"] == "input" and info["type"] in ("checkbox", "radio"):
        return info["type"]
    return info["tag"]


class Keyboard:
    """Move through a page with Tab and Shift+Tab only, checking that every element that takes focus
    shows it, and activate things with Enter or Space as their role says."""

    def __init__(self, page, max_presses: int = 250):
        self.page = page
        self.max_presses = max_presses
        self.presses = 0
        self.stops = 0

    def focused(self) -> dict | None:
        return self.page.evaluate(_FOCUSED_JS)

    def _style(self, handle) -> dict:
        return handle.evaluate(_STYLE_JS)

    def _press(self, key: str) -> tuple[dict | None, object, dict | None]:
        self.page.keyboard.press(key)
        self.presses += 1
        info = self.focused()
        if info is None:
            return None, None, None
        handle = self.page.evaluate_handle("() => document.activeElement")
        return info, handle, self._style(handle)

    def _check_visible(self, info, focused_style, handle) -> None:
        """Compare the element's look now (focus has moved on) with its look when focused."""
        unfocused_style = self._style(handle)
        changes = focus_indicator(focused_style, unfocused_style)
        if not changes:
            raise JourneyError(f"focus is not visible on {info['html']} at {self.page.url}")
        if not info["inViewport"]:
            raise JourneyError(f"the focused element is off screen: {info['html']} at {self.page.url}")

    def tab_to(self, matches, *, what: str, backwards: bool = False) -> dict:
        """Press Tab (or Shift+Tab) until the focused element `matches`; check focus on every stop."""
        key = "Shift+Tab" if backwards else "Tab"
        previous = None
        for _ in range(self.max_presses):
            info, handle, style = self._press(key)
            if previous is not None:
                self._check_visible(*previous)
            if info is None:
                previous = None
                continue
            self.stops += 1
            if matches(info):
                # Step off and back again to see the element unfocused: Tab then Shift+Tab (or the reverse).
                back = "Tab" if backwards else "Shift+Tab"
                self.page.keyboard.press(key)
                self._check_visible(info, style, handle)
                self.page.keyboard.press(back)
                self.presses += 2
                again = self.focused()
                if not again or again["html"] != info["html"]:
                    raise JourneyError(f"{key} then {back} did not come back to {info['html']} on {self.page.url}")
                return info
            previous = (info, style, handle)
        raise JourneyError(f"could not reach {what} with {key} in {self.max_presses} presses on {self.page.url}")

    def check_focus_here(self) -> dict:
        """Check that whatever has focus now (say, an autofocused error summary) shows it: Tab away to
        compare, then Shift+Tab back."""
        info = self.focused()
        if info is None:
            raise JourneyError(f"nothing has focus on {self.page.url}")
        handle = self.page.evaluate_handle("() => document.activeElement")
        style = self._style(handle)
        self.page.keyboard.press("Tab")
        self._check_visible(info, style, handle)
        self.page.keyboard.press("Shift+Tab")
        self.presses += 2
        return info

    def tab_to_name(self, name: str, *, role: str | None = None, backwards: bool = False) -> dict:
        """Tab to the element called `name` (its label, text or value); `role` "link" or "button" narrows it."""
        def matches(info):
            return info["name"] == name and (role is None or role_of(info) == role)
        return self.tab_to(matches, what=f"“{name}”" + (f" ({role})" if role else ""), backwards=backwards)

    def activate(self, info: dict, *, navigates: bool = True, key: str | None = None, timeout: float = 10_000):
        """Activate the focused element the way its role says: Enter for links, Space for buttons and
        checkboxes (so an element that claims to be a button must answer Space without scripts)."""
        if key is None:
            key = "Space" if role_of(info) in ("button", "checkbox", "radio") else "Enter"
        if not navigates:
            self.page.keyboard.press(key)
            self.presses += 1
            return None
        self.presses += 1
        return expect_submission(self.page, lambda: self.page.keyboard.press(key),
                                 what=f"pressing {key} on {info['html']}", timeout=timeout)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
