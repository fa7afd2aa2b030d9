"""The pages whose words are in the catalog read wholly in Welsh when a reader asks for Welsh (#24).

For each page, every English phrase of the catalog (whose Welsh differs) must be absent from the
page's main content in Welsh, and its Welsh present: a phrase marked in one template but left
unmarked in another, or a catalog that lost a translation, fails here by name. The list of pages
grows as templates are translated; tests/unit/test_translations.py checks the catalog itself.
"""

from __future__ import annotations

import re

import pytest

from tests.welsh import main_text as _main_text, phrases as _phrases
from tests.factories import login, make_member, make_space, make_thread



@pytest.fixture
def cast(app):
    admin = make_member(app, "Gwen Hughes", role="admin")
    moderator = make_member(app, "Rhys Evans", role="moderator")
    author = make_member(app, "Nia Jones")
    space = make_space(app, "sgwrs", name="Sgwrs", members=[author])
    thread = make_thread(app, space, author, title="Cyllidebau", body="Beth ydych chi'n ei feddwl?")
    return {"admin": admin, "moderator": moderator, "author": author, "thread": thread}


def _pages(cast):
    return [
        (None, "/dim-tudalen-yma"),
        ("author", f"/posts/{cast['thread'].first_post_id}/delete"),
        ("author", "/account/delete"),
        ("author", "/account/password"),
        ("author", "/members"),
        (None, "/password/forgot"),
        ("moderator", "/moderation/approvals"),
        ("moderator", "/moderation/log"),
        ("moderator", "/moderation/handles"),
        ("admin", "/admin/spaces"),
    ]


def test_translated_pages_read_in_welsh(app, cast):
    phrases = _phrases()
    english_left = []
    for who, url in _pages(cast):
        client = app.test_client()
        client.set_cookie("forum_language", "cy")
        if who:
            login(client, cast[who])
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        text = _main_text(response)
        english_left += [(url, english) for english in phrases if re.search(rf"(?<!\w){re.escape(english)}(?!\w)", text)]
        assert any(welsh in text for welsh in phrases.values()), f"no Welsh at all on {url}: {text[:200]}"
    assert not english_left, f"English left on Welsh pages: {english_left[:10]}"
