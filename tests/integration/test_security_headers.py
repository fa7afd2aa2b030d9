"""Safe by default: headers on every response, trusted hosts, next= redirects, size limits, error pages,
and sessions that end at once (sign-out, password change, suspension, removal from a space), even for a
copied cookie."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from sqlalchemy import delete, select

from forum import Forum
from forum.models import Member, OutboxMessage, SpaceMembership
from forum.services import site_membership
from tests.conftest import make_test_app
from tests.factories import PASSWORD, csrf_token, login, make_member, make_space, make_thread

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "forum"
FAST_LIMITS = {"FORUM_RATELIMIT_SIGNIN": "1000 per minute", "FORUM_RATELIMIT_POSTING": "1000 per minute"}
C0_AND_SPACE = "".join(map(chr, range(33)))
TRACEBACK_SIGNS = ("Traceback", 'File "', "ZeroDivisionError", "werkzeug", "the secret detail")


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build standalone test apps with extra settings; dispose of their engines afterwards."""
    made = []

    def build(**config):
        app = make_test_app(database_url, tmp_path / "instance", **{**FAST_LIMITS, **config})
        made.append(app)
        return app

    yield build
    for app in made:
        with app.app_context():
            app.extensions["forum"].db.engine.dispose()


def _sign_in(client, member, remember: bool = False, base_url: str = "http://localhost"):
    page = client.get("/login", base_url=base_url).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = {"email": member.email, "password": PASSWORD, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data, base_url=base_url)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def _signed_in(client) -> bool:
    """Does this client's cookie still sign someone in? (/account redirects visitors to sign in.)"""
    return client.get("/account").status_code == 200


def _copy_of(app, client, *names: str):
    """A second browser holding copies of `client`'s cookies, as an attacker who copied them would."""
    thief = app.test_client()
    for name in names or ("session",):
        cookie = client.get_cookie(name)
        assert cookie is not None, f"no {name} cookie to copy"
        thief.set_cookie(name, cookie.value)
    return thief


def _csp(response) -> dict[str, str]:
    policy = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()}


# -- headers -----------------------------------------------------------------------------------------

def test_every_forum_response_carries_a_strict_policy_and_the_safety_headers(app, client):
    member = make_member(app)
    space = make_space(app, "budgets")
    thread = make_thread(app, space, member)
    pages = ["/", "/login", f"/spaces/{space.slug}", f"/threads/{thread.id}", "/health",
             "/spaces/no-such-space", "/no/such/address"]
    for path in pages:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        csp = _csp(response)
        assert csp, f"no Content-Security-Policy on {path}"
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"], path
        assert "unsafe-eval" not in response.headers["Content-Security-Policy"], path
        assert csp["default-src"] == "'self'" and csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
        assert csp["object-src"] == "'none'" and csp["base-uri"] == "'none'"
        assert csp["frame-ancestors"] == "'self'" and csp["form-action"] == "'self'"
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "same-origin", path
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN", path
        assert "Strict-Transport-Security" not in response.headers, f"HSTS over plain HTTP on {path}"


def test_the_frame_ancestors_can_be_opened_to_a_host_site(make_app):
    app = make_app(FORUM_FRAME_ANCESTORS="'self' https://intranet.example.gov.uk")
    response = app.test_client().get("/")
    assert _csp(response)["frame-ancestors"] == "'self' https://intranet.example.gov.uk"
    assert "X-Frame-Options" not in response.headers  # it cannot say "this other site"; CSP does


def test_over_https_there_is_hsts_and_every_cookie_is_secure_httponly_and_lax(make_app):
    app = make_app(FORUM_BASE_URL="https://community.example.gov.uk")
    member = make_member(app)
    client = app.test_client()
    assert client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"].startswith(
        "max-age=31536000")
    response = _sign_in(client, member, remember=True, base_url="https://localhost")
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    remember_cookie = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session_cookie, remember_cookie):
        assert "; Secure" in cookie and "; HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
    # "Remember me" lasts 14 days.
    expires = re.search(r"Expires=([^;]+)", remember_cookie).group(1)
    lasts = datetime.strptime(expires, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=timezone.utc) - datetime.now(
        timezone.utc)
    assert 13.9 <= lasts.total_seconds() / 86400 <= 14.1


def test_cookies_are_httponly_and_lax_over_plain_http_too(app, client):
    member = make_member(app)
    cookies = _sign_in(client, member).headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "; HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert "; Secure" not in session_cookie  # a Secure cookie would never come back over http://


def test_members_pages_and_non_public_spaces_are_never_stored_and_public_pages_only_privately(app, client):
    member = make_member(app)
    public = make_space(app, "open")
    private = make_space(app, "support", visibility="private", members=[member])
    thread = make_thread(app, private, member)
    visitor = client.get(f"/spaces/{public.slug}")
    # A public page a visitor sees may be kept, but only revalidated (#19: ETag, 304), and apart per cookie.
    assert visitor.headers["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert visitor.headers["ETag"] and "Cookie" in visitor.headers.get("Vary", "")
    # A public page the page cache does not serve stays private to the visitor's browser, as before.
    library = client.get("/library")
    assert library.status_code == 200 and "private" in library.headers["Cache-Control"]
    assert "Cookie" in library.headers.get("Vary", "")
    login(client, member)
    for path in ("/", f"/spaces/{public.slug}", f"/spaces/{private.slug}", f"/threads/{thread.id}", "/account"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    # Static files keep their year-long caching (their URLs carry a content hash).
    static = client.get(re.search(r'href="(/static/forum/forum\.css\?v=[^"]+)"', client.get("/").get_data(
        as_text=True)).group(1))
    assert "max-age=31536000" in static.headers["Cache-Control"]


def test_a_host_app_keeps_its_own_headers_and_its_own_pages_are_untouched(database_url, tmp_path):
    host = Flask("intranet", instance_path=str(tmp_path / "host"))
    host.config.update(SECRET_KEY="host-secret", FORUM_DATABASE_URL=database_url,
                       FORUM_PASSWORD_HASH="pbkdf2:sha256:1000")

    @host.get("/")
    def intranet_home():
        return "<p>Intranet</p>"

    Forum(host, url_prefix="/community")

    @host.after_request
    def host_policy(response):
        response.headers["Content-Security-Policy"] = "default-src 'self' https://intranet.example.gov.uk"
        return response

    try:
        client = host.test_client()
        own = client.get("/")
        assert "X-Content-Type-Options" not in own.headers and "Cache-Control" not in own.headers
        forum_page = client.get("/community/")
        assert forum_page.status_code == 200
        assert forum_page.headers["Content-Security-Policy"] == "default-src 'self' https://intranet.example.gov.uk"
        assert forum_page.headers["X-Content-Type-Options"] == "nosniff"
    finally:
        with host.app_context():
            host.extensions["forum"].db.engine.dispose()


def test_templates_have_no_inline_script_or_style_that_the_policy_would_block():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        source = path.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"<style\b", r"\sstyle\s*=", r"\son[a-z]+\s*=",
                        r"javascript:"):
            for match in re.finditer(pattern, source, flags=re.IGNORECASE):
                found.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)!r}")
    assert not found, "inline code a strict CSP would block:\n" + "\n".join(found)


# -- hosts, redirects, sizes, errors -----------------------------------------------------------------

def test_a_request_for_an_untrusted_host_gets_a_400_page_not_a_traceback(make_app):
    app = make_app(FORUM_TRUSTED_HOSTS="community.example.gov.uk, .council.example.gov.uk")
    client = app.test_client()
    assert client.get("/", headers={"Host": "community.example.gov.uk"}).status_code == 200
    assert client.get("/", headers={"Host": "www.council.example.gov.uk:8443"}).status_code == 200
    for host in ("evil.example", "community.example.gov.uk.evil.example", "localhost"):
        response = client.get("/login", headers={"Host": host})
        page = response.get_data(as_text=True)
        assert response.status_code == 400, host
        assert "not served at that address" in page
        assert not any(sign in page for sign in TRACEBACK_SIGNS)
        assert "Content-Security-Policy" in response.headers


def test_a_password_reset_link_never_uses_a_forged_host_header(make_app):
    app = make_app(FORUM_BASE_URL="https://community.example.gov.uk")
    member = make_member(app)
    client = app.test_client()
    forged = {"Host": "evil.example"}
    form = client.get("/password/forgot", headers=forged).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    response = client.post("/password/forgot", data={"email": member.email, "csrf_token": token}, headers=forged)
    assert response.status_code == 200
    with app.app_context():
        body = app.extensions["forum"].db.session.scalars(select(OutboxMessage.body)).one()
    assert "https://community.example.gov.uk/password/reset/" in body
    assert "evil.example" not in body


@pytest.mark.parametrize("target", [
    "//evil.example/", "https://evil.example/", "http:evil.example", "/\\evil.example", "\\\\evil.example",
    "/\t/evil.example", "/%09/evil.example", "javascript:alert(1)", "/\r\nSet-Cookie: x=1", "/%0d%0aX: 1",
    " //evil.example", "///evil.example",
])
def test_next_only_ever_leads_to_our_own_pages(app, target):
    member = make_member(app)
    client = app.test_client()
    token = csrf_token(client, "/login")
    response = client.post("/login", query_string={"next": target},
                           data={"email": member.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 302:
        location = response.headers["Location"]
        # Read the address the way a browser does: controls and spaces trimmed, tabs and newlines
        # dropped, backslashes taken as slashes; it must stay on our host.
        seen = re.sub(r"[\t\n\r]", "", location.strip(C0_AND_SPACE)).replace("\\", "/")
        assert urlsplit(urljoin("https://community.example.gov.uk/", seen)).netloc == "community.example.gov.uk", \
            location
    else:
        assert "not valid" in response.get_data(as_text=True)


def test_a_request_larger_than_the_limit_gets_a_413_page(make_app):
    app = make_app(FORUM_IMPORT_MAX_BYTES=10_000)
    client = app.test_client()
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": "a@example.gov.uk", "password": "x" * 2_000_000,
                                           "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "too large" in page and not any(sign in page for sign in TRACEBACK_SIGNS)


def test_an_error_in_a_view_shows_the_forums_500_page_and_never_a_traceback(make_app, caplog):
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False, DEBUG=False)

    @app.get("/boom")
    def boom():
        raise ZeroDivisionError("the secret detail")

    response = app.test_client().get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, something went wrong" in page and 'href="/"' in page
    assert not any(sign in page for sign in TRACEBACK_SIGNS), page
    assert _csp(response)["object-src"] == "'none'"
    # The detail goes to the log, for the people who run the forum.
    assert any("the secret detail" in str(record.exc_info[1]) for record in caplog.records if record.exc_info)


# -- sessions ----------------------------------------------------------------------------------------

def test_the_session_cookie_changes_at_sign_in_and_the_old_one_is_worthless(app, client):
    member = make_member(app)
    csrf_token(client, "/login")  # a visitor's session cookie (holding the form's CSRF token)
    before = client.get_cookie("session").value
    planted = _copy_of(app, client)  # e.g. fixed by an attacker before the member signs in
    _sign_in(client, member)
    after = client.get_cookie("session").value
    assert before != after
    assert _signed_in(client)
    assert not _signed_in(planted)
    with app.test_request_context():
        serializer = app.session_interface.get_signing_serializer(app)
        assert "_user_id" not in serializer.loads(before)
        assert serializer.loads(after)["_user_id"] == member.get_id()


def test_signing_out_ends_a_copied_session_and_remember_me_cookie(app, client):
    member = make_member(app)
    _sign_in(client, member, remember=True)
    copy = _copy_of(app, client, "session", "remember_token")
    remembered_only = _copy_of(app, client, "remember_token")
    assert _signed_in(copy) and _signed_in(remembered_only)
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert not _signed_in(client)
    assert not _signed_in(copy)
    assert not _signed_in(remembered_only)
    _sign_in(client, member)  # and signing in again works
    assert _signed_in(client)


def test_a_password_change_ends_every_other_session_at_once(app, client):
    member = make_member(app)
    _sign_in(client, member)
    other_device = app.test_client()
    _sign_in(other_device, member)
    copy = _copy_of(app, client)
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "password": "a brand new pass phrase",
        "csrf_token": csrf_token(client, "/account/password"),
    })
    assert response.status_code == 302
    assert _signed_in(client)  # this session carries on
    assert not _signed_in(copy)
    assert not _signed_in(other_device)


def test_a_suspension_ends_the_members_sessions_at_once(app, client):
    member = make_member(app)
    moderator = make_member(app, role="moderator")
    _sign_in(client, member, remember=True)
    copy = _copy_of(app, client, "session", "remember_token")
    with app.app_context():
        db = app.extensions["forum"].db.session
        site_membership.suspend(db, db.get(Member, member.id), db.get(Member, moderator.id), "Posting others' details")
        db.commit()
    assert not _signed_in(client)
    assert not _signed_in(copy)


def test_removal_from_a_private_space_takes_effect_at_once_even_for_a_copied_cookie(app, client):
    member = make_member(app)
    space = make_space(app, "support", visibility="private", members=[member])
    thread = make_thread(app, space, member, title="Frank words about our comms team")
    _sign_in(client, member)
    copy = _copy_of(app, client)
    assert copy.get(f"/spaces/{space.slug}").status_code == 200
    assert copy.get(f"/threads/{thread.id}").status_code == 200
    with app.app_context():
        db = app.extensions["forum"].db.session
        db.execute(delete(SpaceMembership).where(SpaceMembership.space_id == space.id,
                                                 SpaceMembership.member_id == member.id))
        db.commit()
    for browser in (client, copy):
        page = browser.get(f"/threads/{thread.id}")
        assert page.status_code == 404
        assert "Frank words" not in page.get_data(as_text=True)
        # Non-members may know a private space exists (to ask to join), never read inside it.
        assert "Frank words" not in browser.get(f"/spaces/{space.slug}").get_data(as_text=True)
    assert _signed_in(copy)  # still signed in: only that space is closed to them


def test_behind_a_proxy_limits_count_each_person_and_https_is_seen(make_app):
    app = make_app(FORUM_PROXY_COUNT="1", FORUM_RATELIMIT_SIGNIN="2 per minute")
    client = app.test_client()

    def attempt(address: str):
        headers = {"X-Forwarded-For": address, "X-Forwarded-Proto": "https"}
        page = client.get("/login", headers=headers).get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        # Each person tries their own account: the limit per account is not what this test is about.
        email = f"person-{address.replace('.', '-')}@example.gov.uk"
        return client.post("/login", headers=headers, data={"email": email, "password": "wrong", "csrf_token": token})

    first = attempt("203.0.113.7")
    assert first.status_code == 400 and "Strict-Transport-Security" in first.headers  # https, via the proxy
    assert attempt("203.0.113.7").status_code == 400
    assert attempt("203.0.113.7").status_code == 429
    assert attempt("203.0.113.8").status_code == 400  # someone else behind the same proxy is not locked out


def test_without_a_proxy_setting_a_forged_forwarded_for_does_not_dodge_the_limit(make_app):
    app = make_app(FORUM_RATELIMIT_SIGNIN="2 per minute")
    client = app.test_client()
    statuses = []
    for n in range(3):
        headers = {"X-Forwarded-For": f"198.51.100.{n}"}
        page = client.get("/login", headers=headers).get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        statuses.append(client.post("/login", headers=headers, data={
            "email": "a@example.gov.uk", "password": "wrong", "csrf_token": token}).status_code)
    assert statuses[-1] == 429, statuses
