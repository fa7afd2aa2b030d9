"""A member who signs in only with a work account (no password) deletes their account through a short-lived
link emailed to their own address, opened signed in as them (#23); password members keep the password step."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from forum.models import Member, OutboxMessage
from tests.factories import db_session, login, make_member, make_space, make_thread, submit
from tests.functional.test_mailing_list import deliver, set_member, smtp  # noqa: F401  (smtp: a fixture)

LINK = re.compile(r"https://forum\.example(/account/delete/[^\s]+)")


def work_account_member(app, name="Wren Work"):
    member = make_member(app, name)
    set_member(app, member, password_hash=None)  # as a first sign-in with a work account leaves them
    return member


def ask_for_link(app, client, smtp, member) -> str:  # noqa: F811
    page = client.get("/account/delete").get_data(as_text=True)
    assert 'name="password"' not in page and "Email me a link to delete my account" in page
    response = submit(client, "/account/delete/email", {}, form_url="/account/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert f"We have sent a link to {member.email}" in client.get("/account").get_data(as_text=True)
    deliver(app)
    [sent] = smtp.to(member.email)
    assert sent["Subject"].startswith("Delete your ") and sent["Subject"].endswith(" account")
    return LINK.search(smtp.body(sent)).group(1)


def state_of(app, member) -> str:
    with app.app_context():
        return db_session(app).get(Member, member.id).state


def test_a_work_account_member_deletes_their_account_by_an_emailed_link(app, client, smtp):  # noqa: F811
    wren = work_account_member(app)
    thread = make_thread(app, make_space(app), wren, title="Our winter campaign")
    login(client, wren)
    link = ask_for_link(app, client, smtp, wren)
    assert state_of(app, wren) == "approved"  # asking deletes nothing
    page = client.get(link).get_data(as_text=True)
    assert "Delete my account" in page and state_of(app, wren) == "approved"  # opening it deletes nothing either
    response = submit(client, link, {})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert state_of(app, wren) == "deleted"
    assert client.get("/account").status_code == 302  # signed out
    shown = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "Our winter campaign" in shown and "Former member" in shown and "Wren Work" not in shown


def test_the_link_works_only_for_its_member_signed_in_and_within_the_hour(app, client, smtp):  # noqa: F811
    wren = work_account_member(app)
    login(client, wren)
    link = ask_for_link(app, client, smtp, wren)

    visitor = app.test_client()
    assert visitor.get(link).status_code == 302  # to the sign-in page first
    other = app.test_client()
    login(other, work_account_member(app, "Otto Other"))
    assert other.get(link).status_code == 400
    assert submit(other, link, {}, form_url="/account").status_code == 400
    assert state_of(app, wren) == "approved"

    with time_machine.travel(timedelta(minutes=61)):
        expired = client.get(link)
        assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)
    assert state_of(app, wren) == "approved"


def test_a_new_address_ends_the_link(app, client, smtp):  # noqa: F811
    wren = work_account_member(app)
    login(client, wren)
    link = ask_for_link(app, client, smtp, wren)
    set_member(app, wren, email="wren.new@example.gov.uk")
    assert client.get(link).status_code == 400
    assert submit(client, link, {}, form_url="/account").status_code == 400
    assert state_of(app, wren) == "approved"


def test_a_password_member_still_gives_their_password_and_gets_no_link(app, client):
    sam = make_member(app)
    login(client, sam)
    page = client.get("/account/delete").get_data(as_text=True)
    assert 'name="password"' in page and "Email me a link" not in page
    response = submit(client, "/account/delete/email", {}, form_url="/account/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/account/delete"
    with app.app_context():
        assert db_session(app).scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert "Enter your password to delete your account" in client.get("/account/delete").get_data(as_text=True)
    assert submit(client, "/account/delete", {"password": "wrong"}).status_code == 400
    assert state_of(app, sam) == "approved"
