"""Email addresses: one check at every place an address comes in, and trust decided on the domain it read."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum import tokens
from forum.models import Member, OutboxMessage, SpaceRequest
from tests.factories import PASSWORD, login, make_member, make_space, submit

# Each passed the old pattern (something@something.something, no spaces), and none is one mailbox.
NOT_ONE_ADDRESS = [
    "mallory@evil.example,.gov.uk",          # a comma: mail went to evil.example, trust read .gov.uk
    "mallory@evil.example;.gov.uk",
    '"mallory"@staffordshire.gov.uk',        # a quoted local part
    "Mallory<mallory@staffordshire.gov.uk>",  # a display name
    "mallory@[203.0.113.7]",                 # a domain literal
    "mallory@localhost.test",                # a special-use domain
]
FORMAT_ERROR = "Enter an email address in the correct format"
SIGN_UP = {"display_name": "Mallory Evans", "password": "a long pass phrase", "sector": "voluntary"}


def _count(app, model) -> int:
    with app.app_context():
        return app.extensions["forum"].db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("address", NOT_ONE_ADDRESS)
def test_sign_up_refuses_anything_but_one_address_and_sends_nothing(app, client, address):
    response = submit(client, "/register", {**SIGN_UP, "email": address})
    assert response.status_code == 400
    assert FORMAT_ERROR in response.get_data(as_text=True)
    assert _count(app, Member) == 0 and _count(app, OutboxMessage) == 0


def test_sign_up_stores_the_address_in_one_normal_form(app, client):
    response = submit(client, "/register", {**SIGN_UP, "email": "  Sam.Patel@Straße.Example.ORG "})
    assert response.status_code == 200
    with app.app_context():
        session = app.extensions["forum"].db.session
        assert session.scalar(select(Member.email)) == "sam.patel@xn--strae-oqa.example.org"
        assert session.scalar(select(OutboxMessage.to)) == "sam.patel@xn--strae-oqa.example.org"
    # The same person signing in types it however they like.
    signed_in = submit(app.test_client(), "/login", {"email": "SAM.PATEL@straße.example.org",
                                                     "password": SIGN_UP["password"]})
    assert signed_in.status_code == 302


def test_trust_is_decided_on_the_checked_domain_not_the_text_after_the_last_at(app, client):
    # An account made before the check, with the address the attacker used.
    mallory = make_member(app, "Mallory", email="mallory@evil.example,.gov.uk", state="pending", confirmed=False)
    token = tokens.make(app.config["SECRET_KEY"], "confirm-email", {"id": mallory.id, "email": mallory.email})
    client.get(f"/confirm/{token}")
    with app.app_context():
        assert app.extensions["forum"].db.session.get(Member, mallory.id).state == "pending"


def test_an_internationalised_address_at_a_trusted_domain_is_trusted(app, client):
    submit(client, "/register", {**SIGN_UP, "email": "sam@Bürgerbüro.Staffordshire.GOV.UK"})
    with app.app_context():
        member = app.extensions["forum"].db.session.scalar(select(Member))
    token = tokens.make(app.config["SECRET_KEY"], "confirm-email", {"id": member.id, "email": member.email})
    client.get(f"/confirm/{token}")
    with app.app_context():
        assert app.extensions["forum"].db.session.get(Member, member.id).state == "approved"


def test_changing_email_refuses_anything_but_one_address(app, client):
    login(client, make_member(app, email="sam@example.gov.uk"))
    response = submit(client, "/account/email", {"email": "mallory@evil.example,.gov.uk", "password": PASSWORD})
    assert response.status_code == 400 and FORMAT_ERROR in response.get_data(as_text=True)
    assert _count(app, OutboxMessage) == 0


def test_a_reset_request_refuses_anything_but_one_address(app, client):
    make_member(app, email="sam@example.gov.uk")
    response = submit(client, "/password/forgot", {"email": "sam@example.gov.uk,mallory@evil.example"})
    assert response.status_code == 400 and FORMAT_ERROR in response.get_data(as_text=True)
    assert _count(app, OutboxMessage) == 0
    # A well-formed address in any case or spacing reaches its account.
    assert submit(client, "/password/forgot", {"email": " SAM@Example.GOV.uk "}).status_code == 200
    assert _count(app, OutboxMessage) == 1


def test_inviting_by_something_that_is_not_one_address_is_refused(app, client):
    host = make_member(app, "Jo Host")
    make_member(app, "Sam Patel", email="sam@example.gov.uk")
    make_space(app, "hidden", visibility="secret", hosts=[host])
    login(client, host)
    response = submit(client, "/spaces/hidden/members", {"who": "sam@example.gov.uk,mallory@evil.example"})
    assert response.status_code == 400 and FORMAT_ERROR in response.get_data(as_text=True)
    assert _count(app, SpaceRequest) == 0 and _count(app, OutboxMessage) == 0


def test_create_admin_refuses_anything_but_one_address(app, runner):
    result = runner.invoke(args=["forum", "create-admin", "root@evil.example,.gov.uk", "--name", "Mallory",
                                 "--password", "a long admin password"])
    assert result.exit_code == 2 and FORMAT_ERROR in result.output
    assert _count(app, Member) == 0
