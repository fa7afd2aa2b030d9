"""Signing in with an organisation's account in a real browser with JavaScript off, against a real OpenID
Provider on loopback (tests/oidc): the provider's own login form, the forum's welcome form, linking,
and each failure a person can meet; and axe-core and the Nu HTML Checker over the pages this adds."""

from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from forum.db import utcnow
from forum.models import Member
from forum.services import accounts
from tests.browser.checks import axe_violations, describe_violations, expect_submission, require_axe, require_vnu, \
    vnu_errors
from tests.browser.conftest import VIEWPORT, _QuietHandler, record_errors
from tests.conftest import make_test_app
from tests.oidc import ACCOUNTS, forum_config, identity_provider  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser

LINKER = ("gail.at.home@example.org", "three unrelated words")  # has a password account, links Google to it


@pytest.fixture(scope="module")
def oidc_site(tmp_path_factory, sqlite_template, identity_provider):  # noqa: F811
    """The forum with the test provider's sign-ins, in a real server at http://localhost:PORT."""
    folder = tmp_path_factory.mktemp("oidc-site")
    shutil.copyfile(sqlite_template, folder / "forum.sqlite3")
    app = make_test_app(f"sqlite:///{folder / 'forum.sqlite3'}", folder / "instance",
                        FORUM_PASSWORD_HASH="pbkdf2:sha256:1000", **forum_config(identity_provider))
    with app.app_context():
        db = app.extensions["forum"].db.session
        db.add(Member(display_name="Gail at Home", name_key=accounts.normalise_name("Gail at Home"), email=LINKER[0],
                      password_hash=accounts.hash_password(LINKER[1], "pbkdf2:sha256:1000"), state="approved",
                      email_confirmed_at=utcnow(), approved_at=utcnow()))
        db.commit()
    record_errors(app, "oidc-site")
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    base = f"http://localhost:{server.server_port}"
    app.config["FORUM_BASE_URL"] = base  # the callback address the provider sends people back to
    threading.Thread(target=server.serve_forever, name="live-oidc", daemon=True).start()
    yield base
    server.shutdown()
    server.server_close()
    with app.app_context():
        app.extensions["forum"].db.engine.dispose()


@pytest.fixture
def tab(browser):
    context = browser.new_context(java_script_enabled=False, viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def click(page, name: str, role: str = "link"):
    target = page.locator("main, body").first.get_by_role(role, name=name, exact=True)
    expect_submission(page, target.first.click, what=f"“{name}”")


def at_provider(page, person: str) -> None:
    """Sign in at the provider's own form (its login is the person's subject; any password), unless the
    provider still remembers them from earlier in this browser and has sent them straight back."""
    if "/interaction/" not in page.url:
        return
    page.locator('input[name="login"]').fill(ACCOUNTS[person]["sub"])
    page.locator('input[name="password"]').fill("any password")
    expect_submission(page, page.get_by_role("button", name="Sign-in").click, what="the provider's Sign-in")


def main_text(page) -> str:
    return " ".join(page.locator("main").inner_text().split())


def welcome(page, sector: str = "Local government", role: str = "Communications officer") -> None:
    assert page.url.endswith("/login/welcome"), page.url
    page.get_by_label("Sector", exact=True).select_option(label=sector)
    page.get_by_label("Job role", exact=True).fill(role)
    click(page, "Create my account", role="button")


def test_first_sign_in_from_a_trusted_tenant_is_approved_at_once(tab, oidc_site):
    tab.goto(oidc_site + "/login")
    click(tab, "Sign in with Microsoft")
    at_provider(tab, "ada")
    assert "ada.lovelace@tenant-a.example.org" in main_text(tab) and "Tenant A Council" in main_text(tab)
    assert tab.get_by_label("Your name", exact=True).input_value() == "Ada Lovelace"
    welcome(tab)
    assert "Welcome, Ada Lovelace: your account is ready." in tab.locator(".notice").inner_text()
    tab.goto(oidc_site + "/account")
    assert "Tenant A Council" in main_text(tab) and "waiting" not in main_text(tab)


def test_first_sign_in_from_an_unknown_organisation_waits_for_a_moderator(tab, oidc_site):
    tab.goto(oidc_site + "/login")
    click(tab, "Sign in with Google")
    at_provider(tab, "rory")
    tab.get_by_label("Organisation", exact=True).fill("Charity Example")
    welcome(tab, sector="Voluntary and community sector")
    assert tab.url.endswith("/account")
    assert "waiting for a moderator" in main_text(tab) and "Charity Example" in main_text(tab)


def test_a_member_links_their_work_account_then_signs_in_with_it(tab, oidc_site):
    tab.goto(oidc_site + "/login")
    tab.get_by_label("Email address", exact=True).fill(LINKER[0])
    tab.get_by_label("Password", exact=True).fill(LINKER[1])
    click(tab, "Sign in", role="button")
    tab.goto(oidc_site + "/account")
    click(tab, "How you sign in (password and work accounts)")
    click(tab, "Link your Google account")
    tab.get_by_label("Your password", exact=True).fill(LINKER[1])
    click(tab, "Continue", role="button")
    click(tab, "Continue to Google")
    at_provider(tab, "gail")
    assert "Your Google account is linked" in tab.locator(".notice").inner_text()
    assert "Linked as gail.jones@council.example.org" in main_text(tab)

    expect_submission(tab, tab.get_by_role("button", name="Sign out").click, what="Sign out")
    tab.goto(oidc_site + "/login")
    click(tab, "Sign in with Google")
    at_provider(tab, "gail")
    assert "Signed in as Gail at Home" in tab.locator(".notice").inner_text()


@pytest.mark.parametrize("button, person, heading", [
    ("Sign in with Google", None, "You cancelled signing in"),
    ("Sign in with Google", "nora", "Your email address is not verified"),
    ("Sign in with Microsoft", "mallory", "We could not confirm who you are"),
    ("Sign in with Wrong Keys", "sam", "We could not confirm who you are"),
    ("Sign in with Down Provider", None, "Down Provider is not answering"),
], ids=["cancelled", "unverified-email", "another-tenants-token", "bad-signature", "provider-down"])
def test_each_failure_is_a_page_that_says_what_to_do(tab, oidc_site, button, person, heading):
    tab.goto(oidc_site + "/login")
    click(tab, button)
    if "/interaction/" in tab.url:
        if person is None:
            click(tab, "[ Cancel ]")
        else:
            at_provider(tab, person)
    assert tab.locator("h1").inner_text() == heading
    assert tab.get_by_role("link", name="Back to the sign-in page").count() == 1
    response = tab.context.request.get(tab.url) if "callback" not in tab.url else None
    assert response is None or 400 <= response.status < 500
    tab.goto(oidc_site + "/account")
    assert tab.url.startswith(oidc_site + "/login"), "nobody is signed in after a failed sign-in"


def test_the_sign_in_pages_pass_axe_and_the_html_checker(browser, oidc_site, tmp_path):
    require_axe()
    require_vnu()
    context = browser.new_context(viewport=VIEWPORT)  # axe needs JavaScript; the forum's own pages have none
    page = context.new_page()
    pages = {}

    def check(name: str) -> None:
        violations = axe_violations(page)
        assert not violations, f"{name}:\n{describe_violations(violations)}"
        html = context.request.get(page.url).text() if name != "welcome" else page.content()
        pages[name] = tmp_path / f"{name}.html"
        pages[name].write_text(html if html.lstrip().lower().startswith("<!doctype") else "<!doctype html>" + html)

    page.goto(oidc_site + "/login")
    check("login")
    page.goto(oidc_site + "/login/with/down")
    check("failure")
    click(page, "Back to the sign-in page")
    click(page, "Sign in with Google")
    at_provider(page, "sam")
    check("welcome")
    welcome(page)
    page.goto(oidc_site + "/account/sign-in")
    check("sign-in-methods")
    page.goto(oidc_site + "/account/sign-in/google/link")
    check("link")
    context.close()
    errors = {name: found for name, found in vnu_errors(pages).items() if found}
    assert not errors, errors
