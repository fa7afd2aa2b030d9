"""Accounts: registering, signing in with remember-me, signing out, and the limits around them."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from forum.models import Member
from forum.services import accounts
from forum.settings import DEFAULTS
from tests.factories import PASSWORD, csrf_token, login, make_member, make_space, make_thread, submit


def test_register_creates_an_account_and_asks_to_check_email(app, client):
    app.config["FORUM_PASSWORD_HASH"] = DEFAULTS["FORUM_PASSWORD_HASH"]
    response = submit(client, "/register", {
        "display_name": "Priya Shah", "email": "Priya@Example.org.uk", "password": "a long pass phrase",
        "sector": "voluntary",
    })
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Check your email" in page and "priya@example.org.uk" in page
    with app.app_context():
        member = app.extensions["forum"].db.session.scalar(select(Member))
        assert member.email == "priya@example.org.uk"
        # OWASP ASVS 5: scrypt with N of at least 2^17, never the password itself.
        method = member.password_hash.split("$")[0]
        assert method.startswith("scrypt:") and int(method.split(":")[1]) >= 2**17
        assert "a long pass phrase" not in member.password_hash
    signed_in = submit(client, "/login", {"email": "priya@example.org.uk", "password": "a long pass phrase"})
    assert signed_in.status_code == 302
    assert "Priya Shah" in client.get("/").get_data(as_text=True)


def test_register_refuses_a_lookalike_name(app, client):
    make_member(app, "Jo Williams", email="jo@example.gov.uk")
    response = submit(client, "/register", {
        "display_name": "J\u200bo  Williams", "email": "JO@example.org.uk", "password": "a long pass phrase",
        "sector": "local_government",
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "already taken" in page
    assert 'value="JO@example.org.uk"' in page


def test_register_explains_each_problem(client):
    response = submit(client, "/register", {"display_name": "", "email": "not-an-email", "password": "short"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in ("Enter your name", "Enter an email address in the correct format", "at least 10 characters"):
        assert message in page


def test_sign_in_gives_the_same_message_for_unknown_email_and_wrong_password(app, client):
    make_member(app, email="sam@example.gov.uk")
    wrong = submit(client, "/login", {"email": "sam@example.gov.uk", "password": "wrong password"})
    unknown = submit(client, "/login", {"email": "nobody@example.gov.uk", "password": "wrong password"})
    assert wrong.status_code == unknown.status_code == 400
    assert "The email address or password is not right" in wrong.get_data(as_text=True)
    assert "The email address or password is not right" in unknown.get_data(as_text=True)


def test_unknown_address_and_wrong_password_cost_one_password_check_each(app, client, monkeypatch):
    """Both failures do the same work (one scrypt check with the configured parameters), so the time a
    failed sign-in takes does not say whether the address has an account."""
    method = DEFAULTS["FORUM_PASSWORD_HASH"]
    app.config["FORUM_PASSWORD_HASH"] = method
    with app.app_context():
        session = app.extensions["forum"].db.session
        accounts.register(session, display_name="Sam Patel", email="sam@example.gov.uk", password=PASSWORD,
                          password_method=method)
        session.commit()
    submit(client, "/login", {"email": "first@example.gov.uk", "password": "wrong password"})  # warms up

    checks = []
    real_scrypt = hashlib.scrypt

    def counted_scrypt(password, *, salt, n, r, p, maxmem=0, dklen=64):
        checks.append((n, r, p))
        return real_scrypt(password, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen)

    monkeypatch.setattr(hashlib, "scrypt", counted_scrypt)
    costs = {}
    for email in ("sam@example.gov.uk", "nobody@example.gov.uk", "someone.else@example.org"):
        checks.clear()
        response = submit(client, "/login", {"email": email, "password": "wrong password"})
        assert response.status_code == 400
        costs[email] = list(checks)
    assert costs == {email: [(2**17, 8, 1)] for email in costs}, costs


def test_sign_in_is_limited_per_account_whichever_address_it_comes_from(app, client):
    make_member(app, email="sam@example.gov.uk")
    token = csrf_token(client, "/login")

    def attempt(email: str, ip: str) -> int:
        return client.post("/login", data={"email": email, "password": "guess", "csrf_token": token},
                           environ_base={"REMOTE_ADDR": ip}).status_code

    statuses = [attempt("sam@example.gov.uk" if i % 2 else " SAM@Example.GOV.UK", f"198.51.100.{i}")
                for i in range(1, 11)]
    assert statuses == [400] * 10
    assert attempt("Sam@example.gov.uk", "198.51.100.77") == 429  # an eleventh address, the same account
    refused = client.post("/login", data={"email": "sam@example.gov.uk", "password": PASSWORD, "csrf_token": token},
                          environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert refused.status_code == 429 and "Too many attempts" in refused.get_data(as_text=True)
    assert attempt("someone.else@example.gov.uk", "198.51.100.78") == 400  # other accounts are not held up


def test_sign_in_with_remember_me_sets_a_fourteen_day_cookie(app, client):
    make_member(app, "Sam Patel", email="sam@example.gov.uk")
    response = submit(client, "/login", {"email": "SAM@example.gov.uk", "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only
    assert cookie.max_age is None or cookie.max_age >= 13 * 24 * 3600
    assert "Sam Patel" in client.get("/").get_data(as_text=True)


def test_sign_in_returns_to_the_page_asked_for_but_never_another_site(app, client):
    make_member(app, email="sam@example.gov.uk")
    ok = submit(client, "/login", {"email": "sam@example.gov.uk", "password": PASSWORD, "next": "/spaces/x"})
    assert ok.headers["Location"] == "/spaces/x"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = submit(client, "/login", {"email": "sam@example.gov.uk", "password": PASSWORD, "next": evil})
        assert response.headers["Location"] == "/", evil
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def test_suspended_member_cannot_sign_in(app, client):
    make_member(app, email="gone@example.gov.uk", state="suspended")
    response = submit(client, "/login", {"email": "gone@example.gov.uk", "password": PASSWORD})
    assert response.status_code == 400
    assert "suspended" in response.get_data(as_text=True)


def test_sign_out_needs_a_post_with_a_token(app, client):
    member = make_member(app, "Tom O'Neill")
    login(client, member)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert "Tom O&#39;Neill" in client.get("/").get_data(as_text=True)
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert "Sign in" in client.get("/").get_data(as_text=True)


def test_the_reading_pages_are_limited_only_when_the_site_limits_every_page(app, client, monkeypatch):
    from flask_limiter import Limit

    from forum.limits import limiter
    space = make_space(app)
    thread = make_thread(app, space, make_member(app, "Author"))
    pages = ["/", f"/spaces/{space.slug}", f"/threads/{thread.id}"]
    assert {client.get(url).status_code for url in pages * 8} == {200}  # no limit of their own
    monkeypatch.setattr(limiter.limit_manager, "_default_limits", [Limit("3 per minute").bind(limiter)])
    for url in pages:
        assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_sign_in_is_rate_limited_with_a_clear_page(app, client):
    token = csrf_token(client, "/login")
    statuses = [client.post("/login", data={"email": "a@b.example", "password": "x", "csrf_token": token}).status_code
                for _ in range(11)]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    page = client.post("/login", data={"email": "a@b.example", "password": "x", "csrf_token": token})
    assert "Too many attempts" in page.get_data(as_text=True)


def test_a_stale_session_version_signs_the_member_out(app, client):
    member = make_member(app, "Fiona Grant")
    login(client, member)
    with app.app_context():
        session = app.extensions["forum"].db.session
        session.get(Member, member.id).session_version += 1
        session.commit()
    assert "Fiona Grant" not in client.get("/").get_data(as_text=True)
