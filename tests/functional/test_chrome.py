"""The header and footer, kept per shape of reader and page (forum/chrome.py, #19): each reader is shown their
own, and a change to what they show is seen on the next page."""

from __future__ import annotations

import re
from html import unescape as html_unescape
from urllib.parse import parse_qs, urlsplit

from forum.models import Member
from tests.factories import db_session, login, make_member, make_space, submit


def _signed_in(app, member):
    client = app.test_client()
    login(client, member)
    return client


def _header(client, url: str = "/") -> str:
    page = client.get(url).get_data(as_text=True)
    return page[page.index('<header class="header">'):page.index("</header>")]


def _footer(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return page[page.index('<footer class="footer">'):page.index("</footer>")]


def test_each_member_sees_their_own_name_and_signs_out_with_their_own_token(app):
    ada, bea = make_member(app, "Ada Lovelace"), make_member(app, "Bea <b>Bold</b>")
    ada_client, bea_client = _signed_in(app, ada), _signed_in(app, bea)
    for _ in range(2):  # the second time from what the first kept
        assert "Ada Lovelace" in _header(ada_client) and "Bea" not in _header(ada_client)
        bea_header = _header(bea_client)
        assert "Bea &lt;b&gt;Bold&lt;/b&gt;" in bea_header and "Ada" not in bea_header
    tokens = {re.search(r'name="csrf_token" value="([^"]+)"', _header(c)).group(1) for c in (ada_client, bea_client)}
    assert len(tokens) == 2  # each their own, not the stand-in of the kept header
    submit(bea_client, "/logout", {})  # the token on the header's Sign-out form is good
    assert "Sign in" in _header(bea_client) and "Ada Lovelace" in _header(ada_client)


def test_a_renamed_member_sees_the_new_name_at_once(app):
    ada = make_member(app, "Ada Lovelace")
    client = _signed_in(app, ada)
    assert "Ada Lovelace" in _header(client)
    with app.app_context():
        db = db_session(app)
        db.get(Member, ada.id).display_name = "Ada King"
        db.commit()
    assert "Ada King" in _header(client) and "Ada Lovelace" not in _header(client)


def test_the_unread_count_changes_at_once(app):
    author, replier = make_member(app, "Thread Starter"), make_member(app, "Second Voice")
    space, client = make_space(app), _signed_in(app, author)
    started = submit(client, f"/spaces/{space.slug}/new", {"title": "Weekend rotas", "body": "Who does it?",
                                                            "submit": "Post thread"})  # starting it watches it
    thread_id = int(re.search(r"/threads/(\d+)", started.headers["Location"]).group(1))
    assert '<span class="count">' not in _header(client)
    replying = _signed_in(app, replier)
    _reply(replying, thread_id, "One")
    assert re.search(r'Notifications <span class="count">1<span class="visually-hidden"> unread', _header(client))
    _reply(replying, thread_id, "Two")
    assert re.search(r'Notifications <span class="count">2<span class="visually-hidden"> unread', _header(client))


def test_roles_give_their_links_and_a_moderator_sees_the_waiting_count(app):
    member, moderator = make_member(app, "Plain Member"), make_member(app, "Mo Derator", role="moderator")
    admin = make_member(app, "Ad Min", role="admin")
    member_header, moderator_header = _header(_signed_in(app, member)), _header(_signed_in(app, moderator))
    assert "Moderation" not in member_header and "Manage spaces" not in member_header and "Members" in member_header
    assert "Moderation" in moderator_header and "Manage spaces" not in moderator_header
    assert "Manage spaces" in _header(_signed_in(app, admin))
    make_member(app, "New Comer", state="pending")
    assert re.search(r'Moderation <span class="count">1<span class="visually-hidden"> waiting',
                     _header(_signed_in(app, moderator)))
    pending = _header(_signed_in(app, make_member(app, "Still Waiting", state="pending")))
    assert "Still Waiting" in pending and ">Members<" not in pending


def test_a_visitor_signs_in_and_changes_language_back_to_the_page_they_were_on(app):
    space = make_space(app, "budgets")
    visitor = app.test_client()
    for url in ("/", "/spaces/budgets", "/spaces/budgets?page=1"):
        assert _next(_header(visitor, url), "/login") == url
        assert _next(_footer(visitor, url), "/language/cy") == url
    assert space.slug == "budgets"


def test_the_header_and_footer_are_in_the_readers_language(app):
    member = make_member(app, "Ada Lovelace")
    client = _signed_in(app, member)
    assert "Sign out" in _header(client)
    client.get("/language/cy?next=/")
    welsh_header, welsh_footer = _header(client), _footer(client, "/")
    assert "Allgofnodi" in welsh_header and "Sign out" not in welsh_header and "Ada Lovelace" in welsh_header
    assert 'hreflang="en"' in welsh_footer and 'hreflang="cy"' not in welsh_footer
    assert "Sign out" in _header(_signed_in(app, member))  # the English header is kept too, and still given


def _reply(client, thread_id: int, body: str):
    return submit(client, f"/threads/{thread_id}/reply", {"body": body, "submit": "Post reply"},
                  form_url=f"/threads/{thread_id}")


def _next(html: str, path: str) -> str:
    """Where the link to `path` in this part of a page comes back to (its `next`, without an empty query)."""
    href = html_unescape(re.search(rf'href="({re.escape(path)}\?[^"]*)"', html).group(1))
    return parse_qs(urlsplit(href).query)["next"][0].rstrip("?")
