"""What the walk-through found on the forum's pages, fixed (#22): the accessibility statement, the search
label, replies and their confirmations, imported posts' links, chats by the clock, quoting and whose post
an action is for."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from forum.db import utcnow
from forum.models import Chat, Post, Thread
from tests.factories import csrf_token, login, make_member, make_space, make_thread, submit
from tests.factories import db_session as _session


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


# -- the accessibility statement ----------------------------------------------------------------------

def test_the_accessibility_statement_is_linked_from_every_page_and_follows_the_model(app, client):
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'<footer.*href="/accessibility"[^>]*>Accessibility statement</a>', home, re.S)
    page = client.get("/accessibility")
    assert page.status_code == 200
    text = _text(page)
    for heading in ("Accessibility statement for Afterchat", "How accessible this website is",
                    "Feedback and contact information", "Reporting accessibility problems with this website",
                    "Enforcement procedure", "Technical information about this website’s accessibility",
                    "Compliance status", "How we test this website", "Preparation of this accessibility statement"):
        assert heading in text, heading
    assert "Web Content Accessibility Guidelines version 2.2 AA standard" in text
    assert "axe-core" in text and "Nu HTML Checker" in text and "keyboard" in text and "JavaScript off" in text
    assert "Equality and Human Rights Commission (EHRC)" in text and "Northern Ireland" not in text
    assert "This statement was prepared on" in text


def test_the_statement_names_the_organisation_its_contact_and_the_northern_ireland_body(app, client):
    app.config.update(FORUM_ORGANISATION_NAME="Causeway Coast and Glens Borough Council",
                      FORUM_ACCESSIBILITY_EMAIL="access@causeway.example.gov.uk",
                      FORUM_NORTHERN_IRELAND=True, FORUM_ACCESSIBILITY_REVIEWED="1 March 2027",
                      FORUM_BASE_URL="https://community.example.gov.uk")
    page = client.get("/accessibility", headers={"Host": "evil.example.com"}).get_data(as_text=True)
    assert "This website is run by Causeway Coast and Glens Borough Council." in page
    assert 'href="mailto:access@causeway.example.gov.uk"' in page
    assert "Equality Commission for Northern Ireland (ECNI)" in page and "(EHRC)" not in page
    assert "It was last reviewed on 1 March 2027." in page
    assert "https://community.example.gov.uk/" in page and "evil.example.com" not in page


# -- the header --------------------------------------------------------------------------------------

def test_the_search_box_has_a_visible_label(client):
    page = client.get("/").get_data(as_text=True)
    label = re.search(r'<label for="header-search"([^>]*)>(.*?)</label>', page, re.S)
    assert label and "visually-hidden" not in label.group(1)
    assert re.sub(r"<[^>]+>", "", label.group(2)).strip() == "Search the forum"
    assert label.group(2).startswith("Search")  # the visible part


# -- replying -----------------------------------------------------------------------------------------

def _world(app):
    author = make_member(app, "Fiona Grant")
    space = make_space(app, "between-chats", name="Between chats")
    thread = make_thread(app, space, author, title="Who answers DMs?", body="Who answers out of hours?")
    return author, space, thread


@pytest.mark.parametrize("state, confirmed, expected", [
    ("pending", True, "You can reply once a moderator has approved your account"),
    ("pending", False, "You can reply once you have confirmed your email address"),
])
def test_a_pending_member_is_told_why_there_is_no_reply_form(app, client, state, confirmed, expected):
    _author, _space, thread = _world(app)
    login(client, make_member(app, "Riley Quinn", state=state, confirmed=confirmed))
    page = client.get(f"/threads/{thread.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<textarea" not in html
    foot = html[html.index('id="why-no-reply"'):]
    assert expected in " ".join(foot.split())


def test_a_reply_and_a_new_thread_are_confirmed_in_a_status_message(app, client):
    author, space, thread = _world(app)
    login(client, author)
    done = submit(client, f"/threads/{thread.id}/reply", {"body": "We use a rota.", "submission_key": "k1"},
                  form_url=f"/threads/{thread.id}", follow_redirects=True)
    assert re.search(r'role="status"><p>Your reply was posted\.</p>', done.get_data(as_text=True))
    started = submit(client, f"/spaces/{space.slug}/new",
                     {"title": "Budgets for training", "body": "Where does yours go?", "submission_key": "k2"},
                     follow_redirects=True)
    assert re.search(r'role="status"><p>Your thread was posted\.</p>', started.get_data(as_text=True))
    # Edits were already confirmed; they still are.
    with app.app_context():
        post_id = _session(app).query(Post.id).filter(Post.body_source == "We use a rota.").scalar()
    edited = submit(client, f"/posts/{post_id}/edit", {"body": "We use a rota, weekly."}, follow_redirects=True)
    assert 'role="status"><p>Your changes were saved.</p>' in edited.get_data(as_text=True)


def test_the_quote_page_links_the_author_to_the_quoted_post_and_ends_after_the_quote(app, client):
    author, _space, thread = _world(app)
    login(client, make_member(app, "Sam Patel"))
    with app.app_context():
        first = _session(app).get(Thread, thread.id).first_post_id
    page = client.get(f"/threads/{thread.id}/reply?quote={first}").get_data(as_text=True)
    box = re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S)
    assert 'data-caret="end"' in box.group(0)
    value = box.group(1).removeprefix("\r\n").removeprefix("\n")
    assert value.startswith(f"[**Fiona Grant wrote:**](/posts/{first})\n&gt; Who answers out of hours?")
    assert value.endswith("\n")
    # The optional script that puts the caret there is served from the forum itself (CSP script-src 'self').
    script = re.search(r'<script src="([^"]+quote\.js[^"]*)" defer></script>', page)
    assert script and client.get(script.group(1)).status_code == 200
    # Posted, the quote's heading links to the quoted post.
    token = csrf_token(client, f"/threads/{thread.id}/reply?quote={first}")
    body = f"[**Fiona Grant wrote:**](/posts/{first})\n> Who answers out of hours?\n\nOur contact centre."
    done = client.post(f"/threads/{thread.id}/reply", data={"body": body, "quote_of": str(first),
                                                            "submission_key": "q1", "csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert re.search(rf'<a href="/posts/{first}"[^>]*><strong>Fiona Grant wrote:</strong></a>', done)


def test_a_thread_page_has_a_skip_link_to_the_reply_box(app, client):
    author, _space, thread = _world(app)
    login(client, author)
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert page.index('href="#body" class="skip-link">Jump to reply</a>') < page.index("<header")
    assert 'id="body"' in page
    visitor = app.test_client().get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "Jump to reply" not in visitor


def test_a_moderator_sees_whose_post_an_edit_link_is_for(app, client):
    author, _space, thread = _world(app)
    login(client, make_member(app, "Jo Williams", role="moderator"))
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "Edit your post" not in page and "Delete your post" not in page
    assert 'Edit<span class="visually-hidden"> the post by Fiona Grant</span>' in page
    assert 'Actions<span class="visually-hidden"> for the post by Fiona Grant</span>' in page
    own = app.test_client()
    login(own, author)
    assert 'Edit<span class="visually-hidden"> your post</span>' in own.get(f"/threads/{thread.id}").get_data(as_text=True)


# -- imported posts and chats -------------------------------------------------------------------------

def _chat_thread(app, starts_at, **chat_fields):
    author, space, thread = _world(app)
    with app.app_context():
        db = _session(app)
        chat = Chat(title="#lgovsm 3 December 2026", hashtag="#lgovsm", space_id=space.id, starts_at=starts_at,
                    duration_minutes=60, **chat_fields)
        db.add(chat)
        db.flush()
        row = db.get(Thread, thread.id)
        row.chat_id = chat.id
        first = db.get(Post, row.first_post_id)
        first.source_url = "https://x.com/fionagrant_fife/status/1865000000000000000"
        db.commit()
        return chat.id, thread.id


def test_an_imported_post_says_its_original_is_on_x_quietly_and_after_its_actions(app, client):
    chat_id, thread_id = _chat_thread(app, utcnow() - timedelta(days=1), status="imported")
    login(client, make_member(app, "Sam Patel"))
    page = client.get(f"/threads/{thread_id}").get_data(as_text=True)
    link = re.search(r'<p class="post__source">[^<]*<a href="https://x.com/[^"]+" rel="nofollow noopener">'
                     r"Original post on X</a></p>", page)
    assert link, "the original post's link does not say where it goes"
    article = page[page.index("<article"):page.index("</article>")]
    assert article.index("Actions") < article.index("Original post on X")
    # The thread names its chat with a link to the chat's page.
    assert f'<a href="/chats/{chat_id}">#lgovsm 3 December 2026</a>' in page


NOON = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("now, label", [
    (NOON - timedelta(hours=2), "Upcoming"),
    (NOON + timedelta(minutes=30), "On now"),
    (NOON + timedelta(hours=1, minutes=43), "Over"),
], ids=["before", "during", "after"])
def test_a_chat_is_upcoming_on_now_or_over_by_its_time(app, client, now, label):
    with time_machine.travel(NOON - timedelta(days=1), tick=False):
        space = make_space(app, "lgovsm-chat", name="lgovsm chat")
        with app.app_context():
            db = _session(app)
            chat = Chat(title="#lgovsm at noon", space_id=space.id, starts_at=NOON, duration_minutes=60)
            db.add(chat)
            db.commit()
            chat_id = chat.id
    with time_machine.travel(now, tick=False):
        page = _text(client.get(f"/chats/{chat_id}"))
        assert f"Status {label}" in page
        listed = _text(client.get("/chats"))
        assert re.search(rf"#lgovsm at noon {label}\b", listed) or label == "Over"
        assert ("Upcoming" in page) == (label == "Upcoming")


# -- subscribing ---------------------------------------------------------------------------------------

def test_the_chats_page_gives_the_calendar_subscription_address_to_copy_with_steps(app, client):
    app.config["FORUM_BASE_URL"] = "https://community.example.gov.uk"
    page = client.get("/chats", headers={"Host": "evil.example.com"}).get_data(as_text=True)
    assert 'value="webcal://community.example.gov.uk/chats.ics" readonly' in page
    assert 'value="https://community.example.gov.uk/chats.ics" readonly' in page
    text = _text(client.get("/chats"))
    assert "How to subscribe in Outlook" in text and "Subscribe from web" in text
    assert "How to subscribe in Google Calendar" in text and "From URL" in text
    assert "evil.example.com" not in page
    # The addresses work: the feed is a calendar.
    assert client.get("/chats.ics").mimetype == "text/calendar"


def test_atom_feeds_say_how_to_follow_them(app, client):
    app.config["FORUM_BASE_URL"] = "https://community.example.gov.uk"
    make_space(app, "between-chats", name="Between chats")
    space = client.get("/spaces/between-chats").get_data(as_text=True)
    assert 'value="https://community.example.gov.uk/spaces/between-chats/feed.atom" readonly' in space
    assert "How to follow this feed" in space and "Add a new RSS Feed" in space
    library = client.get("/library").get_data(as_text=True)
    assert 'value="https://community.example.gov.uk/library/feed.atom" readonly' in library
    assert "How to follow this feed" in library
    assert client.get("/spaces/between-chats/feed.atom").mimetype == "application/atom+xml"
