"""Administration of spaces: admins create and edit them; nobody else may."""

from __future__ import annotations

from sqlalchemy import select

from forum.models import Space
from tests.factories import login, make_member, make_space, submit


def test_admin_creates_and_edits_a_space(app, client):
    login(client, make_member(app, role="admin"))
    response = submit(client, "/admin/spaces/new", {"name": "Evangelist support", "slug": "evangelists",
                                                    "description": "For lonely advocates", "visibility": "private",
                                                    "anonymous_posting": "y"})
    assert response.status_code == 302
    assert "Evangelist support" in client.get("/admin/spaces").get_data(as_text=True)
    response = submit(client, "/admin/spaces/evangelists/edit", {"name": "Evangelist support", "slug": "support",
                                                                 "description": "", "visibility": "secret"})
    assert response.status_code == 302
    with app.app_context():
        space = app.extensions["forum"].db.session.scalar(select(Space))
        assert (space.slug, space.visibility, space.anonymous_posting) == ("support", "secret", False)


def test_admin_space_form_errors(app, client):
    make_space(app, "taken")
    login(client, make_member(app, role="admin"))
    response = submit(client, "/admin/spaces/new", {"name": "", "slug": "Not A Slug!", "visibility": "everyone"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a short address" in page and "Choose who can read the space" in page
    taken = submit(client, "/admin/spaces/new", {"name": "Again", "slug": "taken", "visibility": "public"})
    assert taken.status_code == 400 and "already has that address" in taken.get_data(as_text=True)
    assert client.get("/admin/spaces/nowhere/edit").status_code == 404


def test_only_admins_manage_spaces(app, client):
    make_space(app, "open")
    for role in ("member", "moderator"):
        login(client, make_member(app, role=role))
        assert client.get("/admin/spaces").status_code == 403
        assert submit(client, "/admin/spaces/new", {"name": "X", "slug": "x", "visibility": "public"},
                      form_url="/").status_code == 403
