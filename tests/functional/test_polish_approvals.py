"""The approvals page says who came in through a work account: the provider, the verified address's domain,
and the Entra ID tenant (#23), against the real OpenID Provider on loopback (tests/oidc)."""

from __future__ import annotations

import re

import pytest

from tests.factories import login, make_member
from tests.functional.test_oidc import oidc_app, sign_in, welcome
from tests.functional.test_query_counts import _queries
from tests.oidc import identity_provider  # noqa: F401  (a fixture)


@pytest.fixture
def app(database_url, tmp_path, identity_provider):  # noqa: F811
    # Tenant A may sign in but is not trusted, so its people wait for a moderator too.
    app = oidc_app(database_url, tmp_path, identity_provider, FORUM_OIDC_ENTRA_TRUSTED_TENANTS="",
                   FORUM_OIDC_ENTRA_ALLOWED_TENANTS="tenant-a")
    yield app
    with app.app_context():
        app.extensions["forum"].db.engine.dispose()


def arrive(app, provider: str, login_name: str, **fields) -> None:
    """Someone signs in with a work account for the first time and answers the welcome form."""
    client = app.test_client()
    sign_in(client, provider, login_name)
    assert welcome(client, **fields).headers["Location"] == "/account"


def sections(page: str) -> dict[str, str]:
    """Each waiting member's part of the page, by the name heading it."""
    return {re.search(r"<h2[^>]*>([^<]+)</h2>", part).group(1): part
            for part in page.split('<section class="queue-item"')[1:]}


def test_approvals_say_which_work_account_each_sign_up_came_in_with(app, client):
    arrive(app, "google", "rory", organisation="Charity Example")
    arrive(app, "entra", "ada")
    make_member(app, "Pat Password", state="pending")
    login(client, make_member(app, role="moderator"))
    waiting = sections(client.get("/moderation/approvals").get_data(as_text=True))

    rory = re.sub(r"\s+", " ", waiting["Rory Unknown"])
    assert "<dt>Came in with</dt><dd>A Google work account</dd>" in rory
    assert "<dt>Verified email domain</dt><dd>charity.example.net</dd>" in rory and "Tenant" not in rory
    ada = re.sub(r"\s+", " ", waiting["Ada Lovelace"])
    assert "<dt>Came in with</dt><dd>A Microsoft work account</dd>" in ada
    assert "<dd>tenant-a.example.org</dd>" in ada and "<dt>Tenant</dt><dd><code>tenant-a</code></dd>" in ada
    assert "Came in with" not in waiting["Pat Password"]  # signed up with a password


def test_approvals_run_the_same_queries_however_many_work_accounts_wait(app, client):
    login(client, make_member(app, role="moderator"))
    arrive(app, "google", "rory", organisation="Charity Example")
    make_member(app, state="pending")
    few = _queries(client, "/moderation/approvals")
    arrive(app, "entra", "ada")
    arrive(app, "entra", "bo")
    make_member(app, state="pending")
    page = client.get("/moderation/approvals").get_data(as_text=True)
    assert len(sections(page)) == 5 and page.count("Came in with") == 3
    assert _queries(client, "/moderation/approvals") == few


def test_a_question_sent_without_words_keeps_the_work_accounts_on_the_page(app, client):
    arrive(app, "entra", "ada")
    login(client, make_member(app, role="moderator"))
    page = client.get("/moderation/approvals").get_data(as_text=True)
    member_id = re.search(r'action="/moderation/approvals/(\d+)"', page).group(1)
    token = re.search(rf'name="m{member_id}-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(f"/moderation/approvals/{member_id}", data={
        f"m{member_id}-csrf_token": token, f"m{member_id}-reason": "", f"m{member_id}-ask": "Ask for more information"})
    page = re.sub(r"\s+", " ", response.get_data(as_text=True))
    assert response.status_code == 400 and "Enter what you would like to know" in page
    assert "<dd>A Microsoft work account</dd>" in page and "<code>tenant-a</code>" in page
