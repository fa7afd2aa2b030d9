"""Signing in with an organisation's account, against a real OpenID Provider on loopback (tests/oidc)."""

from __future__ import annotations

import html
import re
import socket
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from sqlalchemy import func, select

from forum.db import utcnow
from forum.models import Member, SignInIdentity
from forum.services import accounts
from tests.conftest import make_test_app
from tests.factories import PASSWORD, csrf_token, db_session, make_member, submit
from tests.oidc import forum_config, identity_provider, sign_in_at_provider  # noqa: F401  (a fixture)


def oidc_app(database_url, tmp_path, idp, **overrides):
    return make_test_app(database_url, tmp_path / "instance", **forum_config(idp, **overrides))


@pytest.fixture
def app(database_url, tmp_path, identity_provider):  # noqa: F811
    app = oidc_app(database_url, tmp_path, identity_provider)
    yield app
    with app.app_context():
        app.extensions["forum"].db.engine.dispose()


def start(client, name: str, next_url: str | None = None) -> str:
    """Press "Sign in with ..." and return the provider's address the forum sends the browser to."""
    response = client.get(f"/login/with/{name}" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def come_back(client, url: str):
    """Follow the provider's redirect back to the forum's callback."""
    parts = urlsplit(url)
    assert parts.netloc == "localhost", url
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client, name: str, login: str, next_url: str | None = None):
    return come_back(client, sign_in_at_provider(start(client, name, next_url), login))


def welcome(client, **fields):
    """Answer the welcome form as a browser would: what the form shows already, and the sector and role."""
    page = client.get("/login/welcome").get_data(as_text=True)
    shown = re.search(r'name="display_name"[^>]*value="([^"]*)"', page)
    data = {"display_name": html.unescape(shown.group(1)) if shown else "", "sector": "local_government",
            "job_role": "Digital officer", "submit": "Create my account", **fields}
    return submit(client, "/login/welcome", data)


def members(app) -> list[Member]:
    with app.app_context():
        return list(db_session(app).scalars(select(Member).order_by(Member.id)))


def count_identities(app) -> int:
    with app.app_context():
        return db_session(app).scalar(select(func.count()).select_from(SignInIdentity))


def signed_in_as(client) -> str | None:
    page = client.get("/account")
    if page.status_code != 200:
        return None
    return page.get_data(as_text=True)


# -- the sign-in page ------------------------------------------------------------------------------------

def test_sign_in_page_offers_each_provider_as_a_plain_link(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/login/with/google?next=/"' in page and "Sign in with Google" in page
    assert "Sign in with Microsoft" in page
    assert "<script" not in page


def test_sign_in_sends_the_browser_to_the_provider_with_pkce_state_and_nonce(client, identity_provider):  # noqa: F811
    location = start(client, "google")
    assert location.startswith(identity_provider.issuer("/google/auth?"))
    for part in ("code_challenge_method=S256", "code_challenge=", "state=", "nonce=", "client_id=afterchat-forum",
                 "redirect_uri=http%3A%2F%2Flocalhost%2Flogin%2Fwith%2Fgoogle%2Fcallback", "scope=openid+email+profile"):
        assert part in location


# -- who they are ----------------------------------------------------------------------------------------

def test_first_sign_in_from_a_trusted_domain_is_approved_at_once_with_its_organisation(app, client):
    response = sign_in(client, "google", "gail", next_url="/chats")
    assert response.status_code == 302 and response.headers["Location"] == "/login/welcome"
    assert members(app) == []  # nothing is made before they answer
    form = client.get("/login/welcome").get_data(as_text=True)
    assert "gail.jones@council.example.org" in form and 'value="Gail Jones"' in form and "Example Council" in form

    response = welcome(client)
    assert response.status_code == 302 and response.headers["Location"] == "/chats"
    [member] = members(app)
    assert (member.display_name, member.email, member.state) == ("Gail Jones", "gail.jones@council.example.org",
                                                                  "approved")
    assert member.email_confirmed_at is not None and member.password_hash is None
    assert member.organisation.name == "Example Council" and member.job_role == "Digital officer"
    assert "Gail Jones" in signed_in_as(client)


def test_first_sign_in_from_an_unknown_domain_waits_for_a_moderator(app, client):
    sign_in(client, "google", "rory")
    response = welcome(client, organisation="Charity Example")
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    [member] = members(app)
    assert member.state == "pending" and member.organisation.name == "Charity Example"
    assert "waiting for a moderator" in signed_in_as(client)


def test_the_welcome_form_keeps_what_was_typed_when_something_is_wrong(app, client):
    make_member(app, "Gail Jones")
    sign_in(client, "google", "gail")
    response = welcome(client, job_role="Web lead")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "That name is already taken" in page and 'value="Web lead"' in page
    assert len(members(app)) == 1
    assert welcome(client, display_name="Gail Jones (Example)").status_code == 302
    assert len(members(app)) == 2


def test_an_abandoned_welcome_leaves_no_account_and_expires(app, client):
    sign_in(client, "google", "gail")
    token = csrf_token(client, "/login/welcome")
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        response = client.get("/login/welcome")
        assert response.status_code == 400 and "Your sign-in had expired" in response.get_data(as_text=True)
        response = client.post("/login/welcome", data={"csrf_token": token, "display_name": "Gail Jones",
                                                       "sector": "local_government", "submit": "Create my account"})
        assert response.status_code == 400 and "Your sign-in had expired" in response.get_data(as_text=True)
    assert members(app) == [] and count_identities(app) == 0


def test_a_returning_member_is_matched_by_issuer_and_subject(app, client):
    sign_in(client, "google", "gail")
    welcome(client)
    client.post("/logout", data={"csrf_token": _token(client)})
    assert signed_in_as(client) is None
    response = sign_in(client, "google", "gail", next_url="/chats")
    assert response.status_code == 302 and response.headers["Location"] == "/chats"
    assert "Gail Jones" in signed_in_as(client) and len(members(app)) == 1


def test_an_address_that_has_an_account_is_never_linked_by_the_address_alone(app, client):
    owner = make_member(app, "Gail Password", email="gail.jones@council.example.org")
    response = sign_in(client, "google", "gail")
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "already uses gail.jones@council.example.org" in page
    assert "link your Google account from your account page" in page
    assert count_identities(app) == 0 and signed_in_as(client) is None and [m.id for m in members(app)] == [owner.id]


def test_entra_multi_tenant_issuer_is_checked_against_the_tenant(app, client):
    sign_in(client, "entra", "ada")
    assert welcome(client).status_code == 302
    [member] = members(app)
    assert member.state == "approved" and member.organisation.name == "Tenant A Council"
    with app.app_context():
        identity = db_session(app).scalar(select(SignInIdentity))
        assert identity.issuer.endswith("/tenant-a/v2.0") and identity.subject == "entra-ada"


def test_entra_token_whose_tenant_does_not_match_its_issuer_is_refused(app, client):
    response = sign_in(client, "entra", "mallory")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "it came from another issuer" in page
    assert members(app) == [] and signed_in_as(client) is None


def test_entra_username_is_believed_only_for_an_allowed_tenant_and_domain(app, client, database_url, tmp_path,
                                                                          identity_provider):  # noqa: F811
    sign_in(client, "entra", "bo")
    assert "bo@tenant-a.example.org" in client.get("/login/welcome").get_data(as_text=True)

    strict = oidc_app(database_url, tmp_path / "strict", identity_provider, FORUM_OIDC_ENTRA_ALLOWED_DOMAINS="")
    other = strict.test_client()
    response = sign_in(other, "entra", "bo")
    assert response.status_code == 403 and "Your email address is not verified" in response.get_data(as_text=True)


# -- failures ------------------------------------------------------------------------------------------

def test_an_unverified_email_is_refused(app, client):
    response = sign_in(client, "google", "nora")
    assert response.status_code == 403 and "not verified" in response.get_data(as_text=True)
    assert members(app) == [] and count_identities(app) == 0


def test_a_domain_not_allowed_is_refused(client, database_url, tmp_path, identity_provider):  # noqa: F811
    app = oidc_app(database_url, tmp_path, identity_provider, FORUM_OIDC_GOOGLE_ALLOWED_DOMAINS="council.example.org")
    client = app.test_client()
    response = sign_in(client, "google", "rory")
    assert response.status_code == 403 and "cannot sign in with Google here" in response.get_data(as_text=True)
    assert members(app) == []


def test_a_cancelled_sign_in_says_so(app, client):
    response = come_back(client, sign_in_at_provider(start(client, "google"), None, cancel=True))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "You cancelled signing in" in page and 'href="/login"' in page


def test_an_answer_for_another_browser_or_used_twice_is_refused(app, client):
    callback = sign_in_at_provider(start(client, "google"), "gail")
    stranger = app.test_client()
    response = come_back(stranger, callback)
    assert response.status_code == 400 and "Your sign-in had expired" in response.get_data(as_text=True)
    assert come_back(client, callback).status_code == 302  # the browser that started it
    replay = come_back(client, callback)
    assert replay.status_code == 400 and "has been used already" in replay.get_data(as_text=True)


def test_a_sign_in_left_at_the_provider_too_long_expires(app, client):
    callback = sign_in_at_provider(start(client, "google"), "gail")
    with time_machine.travel(utcnow() + timedelta(minutes=11)):
        response = come_back(client, callback)
    assert response.status_code == 400 and "Your sign-in had expired" in response.get_data(as_text=True)


def test_an_answer_that_names_another_issuer_is_refused(app, client, identity_provider):  # noqa: F811
    callback = sign_in_at_provider(start(client, "google"), "gail")
    assert "iss=" in callback  # the provider names itself in its answer (RFC 9207)
    forged = re.sub(r"iss=[^&]+", "iss=https%3A%2F%2Fevil.example", callback)
    response = come_back(client, forged)
    assert response.status_code == 400 and "it came from another issuer" in response.get_data(as_text=True)
    assert members(app) == []


def test_a_provider_that_is_down_gets_a_page_not_a_500(client):
    response = client.get("/login/with/down")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Down Provider is not answering" in page


def test_a_provider_that_never_answers_is_given_up_on_after_the_timeout(database_url, tmp_path,
                                                                       identity_provider):  # noqa: F811
    with socket.socket() as silent:  # takes connections and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        app = oidc_app(database_url, tmp_path, identity_provider, FORUM_OIDC_PROVIDERS="slow", FORUM_OIDC_TIMEOUT="1",
                       FORUM_OIDC_SLOW_ISSUER=f"http://127.0.0.1:{silent.getsockname()[1]}/slow",
                       FORUM_OIDC_SLOW_CLIENT_ID="x", FORUM_OIDC_SLOW_CLIENT_SECRET="y", FORUM_OIDC_SLOW_LABEL="Slow")
        started = time.monotonic()
        response = app.test_client().get("/login/with/slow")
        assert response.status_code == 400 and "Slow is not answering" in response.get_data(as_text=True)
        assert time.monotonic() - started < 5


def test_a_timeout_that_is_not_a_number_stops_the_app(database_url, tmp_path, identity_provider):  # noqa: F811
    with pytest.raises(ValueError, match="FORUM_OIDC_TIMEOUT"):
        oidc_app(database_url, tmp_path, identity_provider, FORUM_OIDC_TIMEOUT="soon")


def test_a_provider_whose_keys_cannot_be_fetched_gets_a_page_not_a_500(app, client):
    response = sign_in(client, "nokeys", "sam")
    assert response.status_code == 400 and "No Keys is not answering" in response.get_data(as_text=True)
    assert members(app) == []


def test_a_token_signed_with_other_keys_is_refused(app, client):
    response = sign_in(client, "wrongkeys", "sam")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "signature does not match" in page
    assert members(app) == [] and signed_in_as(client) is None


def test_a_code_issued_to_another_client_is_refused(app, client):
    authorize = start(client, "google").replace("client_id=afterchat-forum", "client_id=another-service")
    response = come_back(client, sign_in_at_provider(authorize, "gail"))
    assert response.status_code == 400 and "We could not confirm who you are" in response.get_data(as_text=True)
    assert members(app) == []


def test_an_unknown_provider_is_not_found(client):
    assert client.get("/login/with/nobody").status_code == 404
    assert client.get("/login/with/nobody/callback?code=x&state=y").status_code == 404


def test_the_callback_is_rate_limited(database_url, tmp_path, identity_provider):  # noqa: F811
    app = oidc_app(database_url, tmp_path, identity_provider, FORUM_RATELIMIT_SIGNIN="3 per minute")
    client = app.test_client()
    statuses = [client.get("/login/with/google/callback?code=x&state=y").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]


# -- the same rules as a password ---------------------------------------------------------------------------

def test_suspension_ends_the_session_and_stops_the_next_sign_in(app, client):
    sign_in(client, "google", "gail")
    welcome(client)
    with app.app_context():
        member = db_session(app).scalar(select(Member))
        member.state, member.session_version = "suspended", member.session_version + 1
        db_session(app).commit()
    assert signed_in_as(client) is None
    response = sign_in(client, "google", "gail")
    assert response.status_code == 403 and "suspended" in response.get_data(as_text=True)


def test_sign_out_everywhere_ends_an_organisation_sign_in_too(app, client):
    sign_in(client, "google", "gail")
    welcome(client)
    copy = app.test_client()
    with client.session_transaction() as cookie, copy.session_transaction() as copied:
        copied.update(dict(cookie))
    assert signed_in_as(copy) is not None
    client.post("/logout", data={"csrf_token": _token(client)})
    assert signed_in_as(copy) is None


# -- linking and unlinking ---------------------------------------------------------------------------------

def test_a_member_links_a_provider_after_their_password_and_then_signs_in_with_it(app, client):
    member = make_member(app, "Gail Password", email="gail@somewhere.example.org")
    _password_sign_in(client, member.email)
    wrong = submit(client, "/account/sign-in/google/link", {"password": "not it", "submit": "Continue"})
    assert wrong.status_code == 400 and "Your password is not right" in wrong.get_data(as_text=True)

    response = submit(client, "/account/sign-in/google/link", {"password": PASSWORD, "submit": "Continue"})
    assert response.status_code == 200 and 'href="/login/with/google?link=1"' in response.get_data(as_text=True)
    linked = come_back(client, sign_in_at_provider(start(client, "google?link=1"), "gail"))
    assert linked.status_code == 302 and linked.headers["Location"] == "/account/sign-in"
    assert "Linked as gail.jones@council.example.org" in client.get("/account/sign-in").get_data(as_text=True)

    client.post("/logout", data={"csrf_token": _token(client)})
    sign_in(client, "google", "gail")
    assert "Gail Password" in signed_in_as(client) and len(members(app)) == 1


def test_linking_without_the_password_first_is_refused(app, client):
    member = make_member(app, "Gail Password", email="gail@somewhere.example.org")
    _password_sign_in(client, member.email)
    response = client.get("/login/with/google?link=1")
    assert response.status_code == 400 and "starts with your password" in response.get_data(as_text=True)
    submit(client, "/account/sign-in/google/link", {"password": PASSWORD, "submit": "Continue"})
    with time_machine.travel(utcnow() + timedelta(minutes=6)):
        assert client.get("/login/with/google?link=1").status_code == 400
    assert count_identities(app) == 0


def test_a_member_with_a_password_may_unlink_and_one_without_may_not(app, client):
    sign_in(client, "google", "gail")
    welcome(client)
    with app.app_context():
        identity_id = db_session(app).scalar(select(SignInIdentity.id))
    response = submit(client, f"/account/sign-in/{identity_id}/unlink", {}, form_url="/account/sign-in")
    assert response.status_code == 302
    assert "Set a password first" in client.get("/account/sign-in").get_data(as_text=True)
    assert count_identities(app) == 1

    with app.app_context():
        member = db_session(app).scalar(select(Member))
        member.password_hash = "pbkdf2:sha256:1000$x$y"
        db_session(app).commit()
    submit(client, f"/account/sign-in/{identity_id}/unlink", {}, form_url="/account/sign-in")
    assert "is no longer linked" in client.get("/account/sign-in").get_data(as_text=True)
    assert count_identities(app) == 0


def _token(client) -> str:
    return csrf_token(client, "/account")


def _password_sign_in(client, email: str) -> None:
    response = submit(client, "/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


def test_deleting_the_account_unlinks_the_work_account(app, client):
    sign_in(client, "google", "gail")
    welcome(client)
    with app.app_context():
        member = db_session(app).scalar(select(Member))
        member.password_hash = accounts.hash_password(PASSWORD, "pbkdf2:sha256:1000")
        db_session(app).commit()
    response = submit(client, "/account/delete", {"password": PASSWORD, "submit": "Delete my account"})
    assert response.status_code == 302
    assert count_identities(app) == 0
    response = sign_in(client, "google", "gail")
    assert response.status_code == 302 and response.headers["Location"] == "/login/welcome"  # a new person to us


def test_downloaded_data_lists_the_linked_work_accounts(app, client):
    sign_in(client, "google", "gail")
    welcome(client)
    data = client.get("/account/data").get_json(force=True)
    [linked] = data["profile"]["work_accounts"]
    assert linked["provider"] == "google" and linked["email"] == "gail.jones@council.example.org"
