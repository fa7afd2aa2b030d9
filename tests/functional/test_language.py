"""Cymraeg a Saesneg: which language a page is in, and the link on every page that switches it (#24)."""

from __future__ import annotations

import re
from html import unescape
from datetime import datetime, timezone

from flask import render_template_string

from sqlalchemy import select

from forum import i18n
from forum.models import Member
from tests.factories import db_session, login, make_member, submit

LANG = re.compile(r'<html lang="([^"]+)"')


def _lang(response) -> str:
    return LANG.search(response.get_data(as_text=True)).group(1)


def test_english_by_default_with_a_link_to_welsh(client):
    page = client.get("/")
    html = page.get_data(as_text=True)
    assert _lang(page) == "en-GB"
    assert "Skip to main content" in html
    assert '<a href="/language/cy?next=/" lang="cy" hreflang="cy" rel="alternate">Cymraeg</a>' in html


def test_a_browser_that_asks_for_welsh_gets_welsh(client):
    page = client.get("/", headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"})
    html = unescape(page.get_data(as_text=True))
    assert _lang(page) == "cy"
    assert "Neidio i'r prif gynnwys" in html and "Skip to main content" not in html
    assert ">English</a>" in html


def test_the_switch_link_remembers_the_choice_for_a_visitor_and_goes_back(client):
    switched = client.get("/language/cy?next=/chats")
    assert switched.status_code == 303 and switched.headers["Location"] == "/chats"
    assert "forum_language=cy" in switched.headers["Set-Cookie"]
    assert "HttpOnly" in switched.headers["Set-Cookie"]
    assert _lang(client.get("/")) == "cy"
    # An English-speaking browser does not undo the reader's own choice.
    assert _lang(client.get("/", headers={"Accept-Language": "en-GB"})) == "cy"
    client.get("/language/en?next=/")
    assert _lang(client.get("/", headers={"Accept-Language": "cy"})) == "en-GB"


def test_the_switch_never_sends_the_reader_to_another_site_and_refuses_unknown_languages(client):
    assert client.get("/language/cy?next=https://evil.example/").headers["Location"] == "/"
    assert client.get("/language/cy?next=//evil.example/").headers["Location"] == "/"
    assert client.get("/language/fr").status_code == 404


def test_a_members_saved_language_applies_where_they_made_no_other_choice(app, client):
    member = make_member(app, "Nia Jones")
    with app.app_context():
        db = db_session(app)
        db.get(type(member), member.id).language = "cy"
        db.commit()
    login(client, member)
    assert _lang(client.get("/", headers={"Accept-Language": "en"})) == "cy"
    client.get("/language/en")
    assert _lang(client.get("/")) == "en-GB"


def test_the_site_default_is_for_readers_whose_browser_asks_for_neither(app, client):
    app.config["FORUM_DEFAULT_LANGUAGE"] = "cy"
    assert _lang(client.get("/", headers={"Accept-Language": "fr"})) == "cy"
    assert _lang(client.get("/", headers={"Accept-Language": "en"})) == "en-GB"


def test_dates_and_times_are_written_in_the_pages_language_in_uk_time(app):
    moment = datetime(2026, 1, 14, 13, 5, tzinfo=timezone.utc)  # a fixed moment, compared with nothing
    template = "{{ moment|forum_date }}, {{ moment|forum_clock }}"
    with app.test_request_context("/", headers={"Accept-Language": "cy"}):
        assert render_template_string(template, moment=moment) == "14 Ionawr 2026, 1:05yh"
    with app.test_request_context("/"):
        assert render_template_string(template, moment=moment) == "14 January 2026, 1:05pm"
    summer = datetime(2026, 7, 1, 11, 30, tzinfo=timezone.utc)  # British Summer Time: 12:30
    with app.test_request_context("/", headers={"Accept-Language": "cy"}):
        assert render_template_string("{{ moment|forum_clock }}", moment=summer) == "12:30yh"


def test_lists_and_numbers_are_written_in_the_pages_language(app):
    template = "{{ names|forum_list }} · {{ 50000|forum_number }}"
    names = ["Jo Williams", "Sam Patel", "Priya Shah"]
    with app.test_request_context("/", headers={"Accept-Language": "cy"}):
        assert render_template_string(template, names=names) == "Jo Williams, Sam Patel a Priya Shah · 50,000"
        assert render_template_string("{{ ['Jo', 'Elin']|forum_list }}") == "Jo ac Elin"
    with app.test_request_context("/"):
        assert render_template_string(template, names=names) == "Jo Williams, Sam Patel and Priya Shah · 50,000"
        assert render_template_string("{{ ['Jo']|forum_list }}") == "Jo"


def test_mail_is_written_in_the_recipients_language(app):
    from flask_babel import gettext
    with app.test_request_context("/"):
        with i18n.in_language("cy"):
            assert gettext("Skip to main content") == "Neidio i'r prif gynnwys"
        with i18n.in_language(None):
            assert gettext("Skip to main content") == "Skip to main content"


def test_a_member_saves_their_language_on_the_account_page(app, client):
    member = make_member(app, "Owain Price")
    login(client, member)
    page = client.get("/account").get_data(as_text=True)
    assert '<label class="label" for="language">Language for pages and email</label>' in page
    saved = submit(client, "/account/language", {"language": "cy"}, form_url="/account")
    assert saved.status_code == 303 and saved.headers["Location"] == "/account"
    with app.app_context():
        assert db_session(app).get(type(member), member.id).language == "cy"
    account = client.get("/account", headers={"Accept-Language": "en"})
    assert _lang(account) == "cy" and "Cadw iaith" in account.get_data(as_text=True)
    # Back to following the browser: the setting and this browser's choice both go.
    submit(client, "/account/language", {"language": ""}, form_url="/account")
    with app.app_context():
        assert db_session(app).get(type(member), member.id).language is None
    assert _lang(client.get("/account", headers={"Accept-Language": "en"})) == "en-GB"


def test_saving_a_language_needs_the_form_and_a_known_language(app, client):
    member = make_member(app, "Ffion Rees")
    login(client, member)
    assert client.post("/account/language", data={"language": "cy"}).status_code in (302, 303, 400)
    refused = submit(client, "/account/language", {"language": "fr"}, form_url="/account")
    assert refused.status_code == 303
    with app.app_context():
        assert db_session(app).get(type(member), member.id).language is None
    assert "Not a valid choice" in client.get("/account").get_data(as_text=True)
    visitor = app.test_client()
    assert visitor.post("/account/language", data={"language": "cy"}).status_code in (302, 400)


def _outbox(app, to: str):
    from sqlalchemy import select

    from forum.models import OutboxMessage
    with app.app_context():
        return db_session(app).scalars(select(OutboxMessage).where(OutboxMessage.to == to)).all()


def test_account_mail_goes_out_in_the_recipients_language_whoever_asks(app, client):
    welsh = make_member(app, "Elin Morgan", email="elin@example.gov.uk")
    english = make_member(app, "Sam Patel", email="sam@example.gov.uk")
    with app.app_context():
        db_session(app).get(type(welsh), welsh.id).language = "cy"
        db_session(app).commit()
    # Asked from an English page, Elin's mail is still in Welsh; asked from a Welsh page, Sam's is English.
    submit(client, "/password/forgot", {"email": "elin@example.gov.uk"})
    client.set_cookie("forum_language", "cy")
    submit(client, "/password/forgot", {"email": "sam@example.gov.uk"})
    (to_elin,) = _outbox(app, "elin@example.gov.uk")
    (to_sam,) = _outbox(app, "sam@example.gov.uk")
    assert to_elin.subject.startswith("Ailosod eich cyfrinair") and to_elin.body.startswith("Helo Elin Morgan,")
    assert "agorwch y ddolen hon o fewn awr" in to_elin.body and "/password/reset/" in to_elin.body
    assert to_sam.subject.startswith("Reset your") and to_sam.body.startswith("Hello Sam Patel,")


def test_a_services_error_is_in_the_pages_language(app, client):
    member = make_member(app, "Gareth Lloyd")
    login(client, member)
    client.set_cookie("forum_language", "cy")
    page = submit(client, "/account/password", {"current_password": "wrong", "password": "a new long password",
                                                 "confirm": "a new long password"})
    html = unescape(page.get_data(as_text=True))
    assert page.status_code == 400
    assert "Nid yw eich cyfrinair presennol yn gywir" in html and "Your current password is not right" not in html


def test_signing_up_on_welsh_pages_keeps_welsh_for_the_new_accounts_mail(app, client):
    client.set_cookie("forum_language", "cy")
    submit(client, "/register", {"display_name": "Elin Morgan", "email": "elin@example.org.uk",
                                 "password": "a long pass phrase", "sector": "voluntary"})
    english = app.test_client()
    submit(english, "/register", {"display_name": "Sam Patel", "email": "sam@example.org.uk",
                                  "password": "a long pass phrase", "sector": "voluntary"})
    (to_elin,) = _outbox(app, "elin@example.org.uk")
    (to_sam,) = _outbox(app, "sam@example.org.uk")
    assert to_elin.body.startswith("Helo Elin Morgan,") and "/confirm/" in to_elin.body
    assert to_sam.body.startswith("Hello Sam Patel,")
    with app.app_context():
        saved = {m.display_name: m.language for m in db_session(app).scalars(select(Member))}
    assert saved == {"Elin Morgan": "cy", "Sam Patel": None}  # Sam follows his browser, as before


def test_templates_follow_a_change_of_language_inside_a_request(app):
    # Templates keep the catalog they found for the request; a change of language (in_language) must change it.
    template = "{{ _('Sign in') }}"
    with app.test_request_context("/", headers={"Accept-Language": "cy"}):
        assert render_template_string(template) == "Mewngofnodi"
        with i18n.in_language("en"):
            assert render_template_string(template) == "Sign in"
        assert render_template_string(template) == "Mewngofnodi"
