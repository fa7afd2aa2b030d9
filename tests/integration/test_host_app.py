"""The forum mounted inside a host app at /community, on the host's own Flask-SQLAlchemy instance."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import inspect

from forum import Forum
from forum.services import demo
from tests.factories import csrf_token

LINK = re.compile(r'(?:href|src|action)="([^"#]*)')


@pytest.fixture
def host(database_url, tmp_path):
    """A council intranet with its own page, its own model and template override, mounting the forum."""
    templates = tmp_path / "host_templates" / "forum"
    templates.mkdir(parents=True)
    (templates / "home.html").write_text(
        '{% extends "forum/layout.html" %}{% block content %}<h1>Our council community</h1>'
        '<a href="{{ url_for(\'forum.space\', slug=\'lgovsm-chat\') }}">Chat threads</a>{% endblock %}'
    )
    app = Flask("intranet", template_folder=str(tmp_path / "host_templates"), instance_path=str(tmp_path / "inst"))
    app.config.update(SECRET_KEY="host-secret", SQLALCHEMY_DATABASE_URI=database_url.replace(
        "postgresql://", "postgresql+psycopg://", 1), FORUM_PASSWORD_HASH="pbkdf2:sha256:1000")
    db = SQLAlchemy()

    class Notice(db.Model):
        __tablename__ = "intranet_notice"
        id = db.mapped_column(db.Integer, primary_key=True)
        text = db.mapped_column(db.String(100))

    db.init_app(app)

    @app.get("/")
    def intranet_home():
        return "<p>Intranet home: " + str(db.session.query(Notice).count()) + " notices</p>"

    Forum(app, url_prefix="/community")
    with app.app_context():
        db.create_all()
        demo.load(app.extensions["forum"].db.session, app.config["FORUM_PASSWORD_HASH"])
        app.extensions["forum"].db.session.commit()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def test_forum_reuses_the_hosts_sqlalchemy_and_keeps_its_page(host):
    assert host.extensions["forum"].db is host.extensions["sqlalchemy"]
    client = host.test_client()
    assert client.get("/").get_data(as_text=True) == "<p>Intranet home: 0 notices</p>"


def test_host_overrides_a_forum_template(host):
    page = host.test_client().get("/community/").get_data(as_text=True)
    assert "Our council community" in page
    assert 'href="/community/spaces/lgovsm-chat"' in page


def test_every_link_form_and_static_file_stays_under_the_prefix(host):
    client = host.test_client()
    seen, queue = set(), ["/community/", "/community/spaces/lgovsm-chat", "/community/login", "/community/register"]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        # 303: the language switch (#24) answers See Other; its Location must stay under the prefix too.
        assert response.status_code in (200, 302, 303), (url, response.status_code)
        if response.status_code in (302, 303):
            assert response.headers["Location"].startswith("/community/"), url
            continue
        if not response.mimetype == "text/html":
            continue
        for link in LINK.findall(response.get_data(as_text=True)):
            if not link or link.startswith(("http://", "https://", "mailto:")):
                continue
            assert link.startswith("/community/"), f"{link} on {url} is outside the prefix"
            if len(seen) < 40:
                queue.append(link.replace("&amp;", "&"))
    assert any(u.startswith("/community/static/forum/forum.css") for u in seen)
    assert any(u.startswith("/community/threads/") for u in seen)


def test_sign_in_and_reply_under_the_prefix(host):
    client = host.test_client()
    response = client.post("/community/login", data={
        "email": demo.MEMBER_EMAIL, "password": demo.DEMO_PASSWORD, "csrf_token": csrf_token(client, "/community/login"),
    })
    assert response.status_code == 302 and response.headers["Location"] == "/community/"
    thread_url = re.search(r'href="(/community/threads/\d+)', client.get("/community/spaces/lgovsm-chat").get_data(as_text=True)).group(1)
    thread_id = thread_url.rsplit("/", 1)[1]
    response = client.post(f"/community/threads/{thread_id}/reply", data={
        "body": "Replying from the intranet", "submit": "Post reply", "csrf_token": csrf_token(client, thread_url),
    })
    assert response.status_code == 302 and response.headers["Location"].startswith("/community/posts/")
    assert "Replying from the intranet" in client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)


def test_registering_the_forum_twice_is_refused(host):
    with pytest.raises(RuntimeError, match="already registered"):
        Forum(host)


def test_forum_upgrade_installs_the_forums_tables_in_a_host(tmp_path):
    app = Flask("host", instance_path=str(tmp_path / "inst"))
    app.config.update(SECRET_KEY="x", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'host.db'}")
    db = SQLAlchemy()
    db.init_app(app)
    Forum(app)
    result = app.test_cli_runner().invoke(args=["forum", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert {"forum_member", "forum_space", "forum_thread", "forum_post", "forum_alembic_version"} <= tables


# -- a host app with its own Flask-Login users (member_loader) --------------------------------------------

@pytest.fixture
def host_with_users(database_url, tmp_path):
    """An intranet that signs its staff in itself (its own LoginManager) and hands the forum who they are."""
    from flask import redirect, request, url_for
    from flask_login import LoginManager, UserMixin, current_user, login_user

    from forum import HostUser

    class Staff(UserMixin):
        def __init__(self, staff_id, email, name):
            self.id, self.email, self.name = staff_id, email, name

    staff = {"s-1": Staff("s-1", "jo.bloggs@council.example.org", "Jo Bloggs")}
    app = Flask("intranet", instance_path=str(tmp_path / "inst"))
    app.config.update(SECRET_KEY="host-secret", SQLALCHEMY_DATABASE_URI=database_url.replace(
        "postgresql://", "postgresql+psycopg://", 1), FORUM_PASSWORD_HASH="pbkdf2:sha256:1000")
    SQLAlchemy(app)
    manager = LoginManager(app)
    manager.login_view = "staff_sign_in"
    manager.user_loader(staff.get)

    @app.route("/sign-in", methods=["GET", "POST"])
    def staff_sign_in():
        if request.method == "POST":
            login_user(staff[request.form["staff_id"]])
            return redirect(request.args.get("next") or "/")
        return "<p>Intranet sign-in</p>"

    @app.get("/")
    def intranet_home():
        return f"<p>Hello {current_user.name if current_user.is_authenticated else 'stranger'}</p>"

    def member_loader():
        if not current_user.is_authenticated:
            return None
        return HostUser(external_id=current_user.id, email=current_user.email, name=current_user.name,
                        organisation="Example Council", sector="local_government")

    Forum(app, url_prefix="/community", member_loader=member_loader)
    assert app.login_manager is manager  # the forum leaves the host's LoginManager alone
    with app.app_context():
        demo.load(app.extensions["forum"].db.session, app.config["FORUM_PASSWORD_HASH"])
        app.extensions["forum"].db.session.commit()
    yield app
    with app.app_context():
        app.extensions["forum"].db.engine.dispose()


def _members_named(app, name):
    from sqlalchemy import select

    from forum.models import Member

    with app.app_context():
        return list(app.extensions["forum"].db.session.scalars(select(Member).where(Member.display_name == name)))


def test_one_sign_in_serves_the_host_and_the_forum(host_with_users):
    client = host_with_users.test_client()
    response = client.get("/community/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next=")
    assert client.get("/community/login").headers["Location"].startswith("/sign-in")

    client.post("/sign-in", data={"staff_id": "s-1"})
    assert client.get("/").get_data(as_text=True) == "<p>Hello Jo Bloggs</p>"  # the host's own sign-in still works
    page = client.get("/community/account").get_data(as_text=True)
    assert "Jo Bloggs" in page and "jo.bloggs@council.example.org" in page and "Example Council" in page

    thread_url = re.search(r'href="(/community/threads/\d+)',
                           client.get("/community/spaces/lgovsm-chat").get_data(as_text=True)).group(1)
    response = client.post(f"{thread_url}/reply", data={
        "body": "Replying as the intranet user", "submit": "Post reply", "csrf_token": csrf_token(client, thread_url),
    })
    assert response.status_code == 302
    assert "Replying as the intranet user" in client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    [member] = _members_named(host_with_users, "Jo Bloggs")
    assert member.state == "approved" and member.password_hash is None


def test_a_suspended_member_is_kept_out_although_the_host_signed_them_in(host_with_users):
    client = host_with_users.test_client()
    client.post("/sign-in", data={"staff_id": "s-1"})
    client.get("/community/")
    with host_with_users.app_context():
        session = host_with_users.extensions["forum"].db.session
        [member] = _members_named(host_with_users, "Jo Bloggs")
        session.get(type(member), member.id).state = "suspended"
        session.commit()
    response = client.get("/community/account")
    assert response.status_code == 403 and "suspended" in response.get_data(as_text=True)
    assert client.get("/").get_data(as_text=True) == "<p>Hello Jo Bloggs</p>"


def test_a_host_with_its_own_login_manager_must_say_how_its_users_become_members(tmp_path):
    from flask_login import LoginManager

    app = Flask("host", instance_path=str(tmp_path / "inst"))
    app.config.update(SECRET_KEY="x", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'host.db'}")
    LoginManager(app)
    with pytest.raises(RuntimeError, match="member_loader"):
        Forum(app)


def test_a_host_user_whose_address_a_member_has_becomes_that_member_and_signing_out_ends_both(host_with_users):
    with host_with_users.app_context():
        session = host_with_users.extensions["forum"].db.session
        from forum.services import accounts
        existing = accounts.register(session, display_name="Jo B", email="jo.bloggs@council.example.org",
                                     password="a long enough password", password_method="pbkdf2:sha256:1000")
        session.commit()
        existing_id = existing.id
    client = host_with_users.test_client()
    client.post("/sign-in", data={"staff_id": "s-1"})
    assert "Jo B" in client.get("/community/account").get_data(as_text=True)
    assert _members_named(host_with_users, "Jo Bloggs") == []
    assert [m.id for m in _members_named(host_with_users, "Jo B")] == [existing_id]

    response = client.post("/community/logout", data={"csrf_token": csrf_token(client, "/community/account")})
    assert response.status_code == 302
    assert client.get("/").get_data(as_text=True) == "<p>Hello stranger</p>"


def test_a_host_may_leave_its_new_users_waiting_for_a_moderator(database_url, tmp_path):
    from forum import HostUser

    app = Flask("intranet", instance_path=str(tmp_path / "inst"))
    app.config.update(SECRET_KEY="x", SQLALCHEMY_DATABASE_URI=database_url.replace(
        "postgresql://", "postgresql+psycopg://", 1))
    SQLAlchemy(app)
    Forum(app, member_loader=lambda: HostUser(external_id="42", email="new.starter@partner.example.org",
                                              name="New Starter", approved=False))
    page = app.test_client().get("/account").get_data(as_text=True)
    assert "New Starter" in page and "waiting for a moderator" in page
    with app.app_context():
        app.extensions["forum"].db.engine.dispose()
