"""Search after the walk (#22): a misspelt word suggests the closest indexed words, only words the reader
may find; library entries come up too. Run on SQLite and on PostgreSQL."""

from __future__ import annotations

import re

from forum.models import LibraryEntry
from tests.factories import login, make_member, make_post, make_space, make_thread
from tests.factories import db_session as _session

SUGGESTION = re.compile(r'<p class="search-suggestion">Did you mean <a href="([^"]+)">([^<]+)</a>\?</p>')


def _suggested(client, q, **params):
    page = client.get("/search", query_string={"q": q, **params}).get_data(as_text=True)
    match = SUGGESTION.search(page)
    return (match.group(2), match.group(1).replace("&amp;", "&")) if match else (None, page)


def test_a_misspelt_word_suggests_the_closest_indexed_word(app, client):
    space = make_space(app, "between-chats", name="Between chats")
    sam = make_member(app, "Sam Patel")
    thread = make_thread(app, space, sam, title="Planning a campaign", body="Where do you start?")
    make_post(app, thread, sam, "Our planning starts with the service's own calendar.")
    make_post(app, thread, sam, "In plain English, please.")  # "plain" is a nearer stem, "planning" a nearer word
    words, link = _suggested(client, "planing")
    assert words == "planning", link
    assert re.search(r"[?&]q=planning(&|$)", link)
    assert "planning" in client.get(link).get_data(as_text=True).lower()
    # The other words stay as typed; a word that finds something is left alone.
    words, _link = _suggested(client, "campaign planing")
    assert words == "campaign planning"
    assert _suggested(client, "planning")[0] is None


def test_a_word_only_private_posts_hold_is_never_suggested(app, client):
    member = make_member(app, "Riley Quinn")
    private = make_space(app, "evangelists", visibility="private", name="Evangelist support", members=[member])
    thread = make_thread(app, private, member, title="Whistleblowing", body="Our whistleblowing policy is weak.")
    make_post(app, thread, member, "More whistleblowing worries.")
    words, _page = _suggested(client, "whistleblowin")
    assert words is None
    insider = app.test_client()
    login(insider, make_member(app, "Jo Williams", role="moderator"))
    assert _suggested(insider, "whistleblowin")[0] == "whistleblowing"


def test_a_library_entry_whose_title_has_the_word_comes_up(app, client):
    with app.app_context():
        db = _session(app)
        entry = LibraryEntry(title="A social media policy that got past legal", problem="Twenty pages.",
                             approach="One page.", outcome="Signed off.", status="published")
        entry.set_summary("One page.")
        hidden = LibraryEntry(title="A policy waiting for consent", problem="p", approach="a", outcome="o",
                              status="awaiting_consent")
        hidden.set_summary("p")
        db.add_all([entry, hidden])
        db.commit()
        entry_id, hidden_id = entry.id, hidden.id
    page = client.get("/search", query_string={"q": "policy"}).get_data(as_text=True)
    section = page[page.index("In the library"):]
    assert f'href="/library/{entry_id}">A social media policy that got past legal</a>' in section
    assert f"/library/{hidden_id}" not in page
    assert "Did you mean" not in page
    # Narrowed to a space, the library (which has no spaces) stays out.
    space = make_space(app, "between-chats")
    narrowed = client.get("/search", query_string={"q": "policy", "space": str(space.id)}).get_data(as_text=True)
    assert "In the library" not in narrowed
