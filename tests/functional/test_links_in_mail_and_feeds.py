"""Links in email and feeds come from FORUM_BASE_URL (or a configured stand-in), never from the request's Host.

Each request here is sent to the forged host evil.example, also named in X-Forwarded-Host, and the
forum is configured so that such a request is served (no trusted-host check refuses it): only then
does a clean link prove it was not built from the request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree import ElementTree as ET

import pytest
from flask import Flask
from sqlalchemy import select

from forum.models import Member
from tests.conftest import make_test_app
from tests.factories import make_member, make_space, make_thread
from tests.mailserver import MailServer

EVIL = "evil.example"
SITE = "community.example.gov.uk"
SETTINGS = {
    # FORUM_BASE_URL unset and no trusted hosts (a developer's computer): a fixed stand-in.
    "no base URL": ({}, "http://localhost"),
    # Unset, with trusted hosts that include the forged name (say, an old alias): the first one.
    "no base URL, trusted hosts": ({"FORUM_TRUSTED_HOSTS": f"{SITE} {EVIL}"}, f"http://{SITE}"),
    # Set, behind a proxy: always it.
    "base URL": ({"FORUM_BASE_URL": f"https://{SITE}", "FORUM_PROXY_COUNT": 1}, f"https://{SITE}"),
}
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
_URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass
class Site:
    app: Flask
    smtp: MailServer
    base: str

    def forged(self):
        """A browser whose every request names evil.example as its host."""
        return Forged(self.app.test_client())

    def deliver(self) -> None:
        assert self.app.test_cli_runner().invoke(args=["forum", "send-mail"]).exit_code == 0

    def set(self, member, **values) -> None:
        with self.app.app_context():
            db = self.app.extensions["forum"].db.session
            row = db.get(Member, member.id)
            for key, value in values.items():
                setattr(row, key, value)
            db.commit()


class Forged:
    def __init__(self, client):
        self.client = client

    def open(self, path: str, method: str = "GET", **kwargs):
        return self.client.open(path, method=method, base_url=f"https://{EVIL}",
                                headers={"X-Forwarded-Host": EVIL, "X-Forwarded-Proto": "https"}, **kwargs)

    def submit(self, path: str, data: dict, form_path: str | None = None):
        page = self.open(form_path or path)
        assert page.status_code == 200, (form_path or path, page.status_code)  # the forged host is served
        match = _TOKEN.search(page.get_data(as_text=True))
        return self.open(path, "POST", data={**data, "csrf_token": match.group(1) or match.group(2)})

    def sign_in(self, member) -> None:
        with self.client.session_transaction(base_url=f"https://{EVIL}") as cookie:
            cookie["_user_id"] = member.get_id()
            cookie["_fresh"] = True


@pytest.fixture(params=list(SETTINGS))
def site(request, database_url, tmp_path):
    config, base = SETTINGS[request.param]
    with MailServer() as smtp:
        app = make_test_app(database_url, tmp_path / "instance", FORUM_MAIL_SERVER="127.0.0.1",
                            FORUM_MAIL_PORT=smtp.port, **config)
        yield Site(app, smtp, base)
        with app.app_context():
            app.extensions["forum"].db.engine.dispose()


def assert_links_on_site(text: str, base: str) -> None:
    assert EVIL not in text
    links = [url for url in _URL.findall(text) if not url.startswith("http://www.w3.org/")]
    assert links, "expected links in:\n" + text
    assert [url for url in links if not url.startswith(base + "/")] == []


def _mail_text(smtp: MailServer, message) -> str:
    return "\n".join(f"{name}: {value}" for name, value in message.items()) + "\n" + smtp.body(message)


def test_a_password_reset_link_is_on_the_site_whatever_host_asked(site):
    member = make_member(site.app, "Sam Patel", email="sam@example.gov.uk")
    response = site.forged().submit("/password/forgot", {"email": member.email})
    assert response.status_code in (200, 302)
    site.deliver()
    [email] = site.smtp.to(member.email)
    assert_links_on_site(_mail_text(site.smtp, email), site.base)
    assert "/password/reset/" in site.smtp.body(email)


def test_a_sign_up_confirmation_link_is_on_the_site_whatever_host_asked(site):
    site.forged().submit("/register", {
        "display_name": "Priya Shah", "email": "priya@example.gov.uk", "password": "a long pass phrase",
        "sector": "voluntary", "organisation": "Voluntary Action Kent", "job_role": "Communications lead",
        "handle_x": "", "handle_mastodon": "", "handle_bluesky": "", "handle_slack": "", "handle_teams": "",
    })
    site.deliver()
    [email] = site.smtp.to("priya@example.gov.uk")
    assert_links_on_site(_mail_text(site.smtp, email), site.base)
    assert "/confirm/" in site.smtp.body(email)


def test_notification_unsubscribe_and_digest_links_are_on_the_site(site):
    author = make_member(site.app, "Jo Williams")
    now_reader = make_member(site.app, "Sam Patel")
    daily_reader = make_member(site.app, "Dee Daily")
    site.set(now_reader, email_frequency="immediate")
    site.set(daily_reader, email_frequency="daily")
    thread = make_thread(site.app, make_space(site.app), author, title="Scheduling tools")
    for reader in (now_reader, daily_reader):
        browser = site.forged()
        browser.sign_in(reader)
        assert browser.submit("/watch", {"kind": "thread", "target": str(thread.id)}, form_path="/").status_code == 302
    writer = site.forged()
    writer.sign_in(author)
    reply = writer.submit(f"/threads/{thread.id}/reply", {"body": "We use the CRM's own scheduler",
                                                          "submit": "Post reply"}, form_path=f"/threads/{thread.id}")
    assert reply.status_code == 302
    assert "Queued 1 daily digests" in site.app.test_cli_runner().invoke(
        args=["forum", "send-digests", "--frequency", "daily"]).output
    site.deliver()
    [notification] = site.smtp.to(now_reader.email)
    [digest] = site.smtp.to(daily_reader.email)
    for email in (notification, digest):
        text = _mail_text(site.smtp, email)
        assert_links_on_site(text, site.base)
        assert "/unsubscribe/" in email["List-Unsubscribe"]


def test_feed_ids_and_links_are_on_the_site_whatever_host_asked(site):
    space = make_space(site.app, "open")
    make_thread(site.app, space, make_member(site.app), title="Consultation ideas")
    for path in ("/feeds/recent.atom", "/spaces/open/feed.atom", "/library/feed.atom"):
        response = site.forged().open(path)
        assert response.status_code == 200, path
        ET.fromstring(response.data)
        assert_links_on_site(response.get_data(as_text=True), site.base)


def test_the_forged_host_is_still_served_so_the_tests_above_prove_something(site):
    response = site.forged().open("/")
    assert response.status_code == 200
    with site.app.app_context():
        assert site.app.extensions["forum"].db.session.scalar(select(Member.id)) is None


def test_a_base_url_with_a_path_keeps_it_in_every_link(database_url, tmp_path):
    app = make_test_app(database_url, tmp_path / "instance", FORUM_BASE_URL=f"https://{SITE}/apps/")
    make_thread(app, make_space(app, "open"), make_member(app), title="Consultation ideas")
    feed = app.test_client().get("/feeds/recent.atom", headers={"Host": EVIL}).get_data(as_text=True)
    assert_links_on_site(feed, f"https://{SITE}/apps")
    assert f"https://{SITE}/apps/threads/" in feed
    with app.app_context():
        app.extensions["forum"].db.engine.dispose()
