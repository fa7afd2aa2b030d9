"""A space's address for new threads by email (#21): set by an admin, shown only to members who may post there."""

from __future__ import annotations

from html import unescape

from sqlalchemy import select

from forum.mail_tokens import read_space_address
from forum.models import Space
from tests.factories import login, make_member, make_space, submit
from tests.factories import db_session as _db

DOMAIN = "in.forum.example"


def admin_client(app):
    client = app.test_client()
    login(client, make_member(app, role="admin"))
    return client


def signed_in(app, member):
    client = app.test_client()
    if member is not None:
        login(client, member)
    return client


def space_form(slug, **extra):
    return {"name": f"Space {slug}", "slug": slug, "description": "", "visibility": "public", **extra}


def test_admin_gives_a_space_an_address_and_members_who_may_post_see_it(app):
    app.config["FORUM_INCOMING_DOMAIN"] = DOMAIN
    admin = admin_client(app)
    page = admin.get("/admin/spaces/new").get_data(as_text=True)
    assert f"then @{DOMAIN}" in page
    response = submit(admin, "/admin/spaces/new", space_form("comms", email_threads="y",
                                                             email_local_part="Comms-Chat"))
    assert response.status_code == 302
    with app.app_context():
        space = _db(app).scalar(select(Space).where(Space.slug == "comms"))
        assert (space.email_threads, space.email_local_part) == (True, "comms-chat")
    assert read_space_address(app.config, f"comms-chat@{DOMAIN}") == "comms-chat"
    member = make_member(app)
    assert f"comms-chat@{DOMAIN}" in signed_in(app, member).get("/spaces/comms").get_data(as_text=True)
    assert f"comms-chat@{DOMAIN}" not in signed_in(app, None).get("/spaces/comms").get_data(as_text=True)
    pending = make_member(app, state="pending")
    assert f"comms-chat@{DOMAIN}" not in signed_in(app, pending).get("/spaces/comms").get_data(as_text=True)


def test_a_private_space_shows_its_address_only_to_its_members(app):
    app.config["FORUM_INCOMING_DOMAIN"] = DOMAIN
    insider, outsider = make_member(app), make_member(app)
    make_space(app, "inner", visibility="private", members=[insider])
    response = submit(admin_client(app), "/admin/spaces/inner/edit",
                      space_form("inner", visibility="private", email_threads="y", email_local_part="inner.circle"))
    assert response.status_code == 302
    assert f"inner.circle@{DOMAIN}" in signed_in(app, insider).get("/spaces/inner").get_data(as_text=True)
    assert "inner.circle" not in signed_in(app, outsider).get("/spaces/inner").get_data(as_text=True)


def test_no_address_shown_when_off_or_without_an_incoming_domain(app):
    member = make_member(app)
    admin = admin_client(app)
    make_space(app, "quiet")
    assert submit(admin, "/admin/spaces/quiet/edit",
                  space_form("quiet", email_local_part="quiet")).status_code == 302  # chosen, not switched on
    app.config["FORUM_INCOMING_DOMAIN"] = DOMAIN
    assert f"quiet@{DOMAIN}" not in signed_in(app, member).get("/spaces/quiet").get_data(as_text=True)
    assert submit(admin, "/admin/spaces/quiet/edit",
                  space_form("quiet", email_threads="y", email_local_part="quiet")).status_code == 302
    assert f"quiet@{DOMAIN}" in signed_in(app, member).get("/spaces/quiet").get_data(as_text=True)
    app.config["FORUM_INCOMING_DOMAIN"] = None
    page = signed_in(app, member).get("/spaces/quiet").get_data(as_text=True)
    assert "start one by email" not in page
    assert "off until FORUM_INCOMING_DOMAIN is set" in admin.get("/admin/spaces/quiet/edit").get_data(as_text=True)


def test_a_bad_or_taken_address_is_refused_and_what_was_typed_is_kept(app):
    admin = admin_client(app)
    assert submit(admin, "/admin/spaces/new", space_form("first", email_threads="y",
                                                         email_local_part="news")).status_code == 302
    bad = submit(admin, "/admin/spaces/new", space_form("second", email_threads="y", email_local_part="news desk+1"))
    page = unescape(bad.get_data(as_text=True))
    assert bad.status_code == 400 and "Use only letters, digits, dots and hyphens" in page
    assert 'value="news desk+1"' in page
    taken = submit(admin, "/admin/spaces/new", space_form("second", email_threads="y", email_local_part="NEWS"))
    assert taken.status_code == 400 and "Another space already has that email address" in taken.get_data(as_text=True)
    missing = submit(admin, "/admin/spaces/new", space_form("second", email_threads="y", email_local_part=""))
    assert missing.status_code == 400 and "Enter the part before the @" in missing.get_data(as_text=True)
    with app.app_context():
        assert _db(app).scalar(select(Space).where(Space.slug == "second")) is None
