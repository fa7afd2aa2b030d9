"""A thread page kept whole for the readers of a class (forum/fragments_thread.py's `whole_page`, #19): what is
not a reader's own is made once for all of them; their name, watch, unread posts, tokens and messages stay
theirs, and any change to the thread shows on the next view."""

from __future__ import annotations

import re

from tests.factories import login, make_member, make_post, make_space, make_thread, submit


def _client(app, member=None):
    client = app.test_client()
    if member is not None:
        login(client, member)
        client.get("/")  # the "Signed in" message, out of the way
    return client


def _view(client, url: str, whole: str | None = None) -> str:
    response = client.get(url)
    assert response.status_code == 200
    if whole is not None:
        assert response.headers["X-Forum-Whole"] == whole
    return response.get_data(as_text=True)


def _tokens(page: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', page))


def test_two_readers_of_one_kept_page_each_get_their_own_parts(app):
    space = make_space(app)
    author, ada, bea = make_member(app, "Author"), make_member(app, "Ada Lovelace"), make_member(app, "Bea Smith")
    thread = make_thread(app, space, author, title="Rotas", replies=2)
    url = f"/threads/{thread.id}"
    ada_client, bea_client = _client(app, ada), _client(app, bea)
    _view(ada_client, url)  # Ada has read it all
    submit(ada_client, "/watch", {"kind": "thread", "target": str(thread.id), "next": url}, form_url=url,
           follow_redirects=True)  # its message shown
    make_post(app, thread, author, "Something new")

    bea_page = _view(bea_client, url, whole="kept")
    ada_page = _view(ada_client, url, whole="hit")  # made from what Bea's view kept
    assert "Ada Lovelace" in ada_page and "Bea Smith" not in ada_page
    assert "Bea Smith" in bea_page and "Ada Lovelace" not in bea_page
    assert "Stop watching this thread" in ada_page and "Watch this thread" not in ada_page
    assert "Watch this thread" in bea_page and "Stop watching" not in bea_page
    assert "Jump to first unread post" in ada_page and "Jump to first unread post" not in bea_page
    assert "Something new" in ada_page and "Something new" in bea_page
    ada_tokens, bea_tokens = _tokens(ada_page), _tokens(bea_page)
    assert len(ada_tokens) == len(bea_tokens) == 1 and ada_tokens != bea_tokens
    key = re.compile(r'name="submission_key" type="hidden" value="([^"]+)"')
    assert key.search(ada_page).group(1) != key.search(bea_page).group(1)
    # Each reader's forms work with what their page gave them.
    reply = submit(bea_client, f"/threads/{thread.id}/reply", {"body": "An answer from Bea", "submit": "Post reply"},
                   form_url=url)
    assert reply.status_code == 302
    assert "answer from Bea" in _view(ada_client, url, whole="kept")  # a reply: made again, at once


def test_a_message_for_the_reader_is_theirs_and_the_next_view_is_kept_again(app):
    space = make_space(app)
    author = make_member(app, "Author")
    thread = make_thread(app, space, author, replies=1)
    url = f"/threads/{thread.id}"
    reader = _client(app, make_member(app, "Reader"))
    _view(reader, url)
    watched = submit(reader, "/watch", {"kind": "thread", "target": str(thread.id), "next": url}, form_url=url,
                     follow_redirects=True)
    assert watched.headers.get("X-Forum-Whole") == "no" and 'class="notice notice--success"' in watched.get_data(
        as_text=True)
    assert 'class="notice notice--success"' not in _view(reader, url, whole="hit")


def test_the_readers_account_state_and_the_address_are_part_of_what_is_shared(app):
    space = make_space(app)
    author = make_member(app, "Author")
    thread = make_thread(app, space, author)
    url = f"/threads/{thread.id}"
    unconfirmed = _client(app, make_member(app, "New One", state="pending", confirmed=False))
    confirmed = _client(app, make_member(app, "Newer One", state="pending"))
    first = _view(unconfirmed, url, whole="kept")
    assert "Confirm your email address" in first and "confirmed your email address" in first
    second = _view(confirmed, url, whole="kept")
    assert "Confirm your email address" not in second and "waiting for a moderator" in second
    # A visitor's page made afresh (a query the page cache does not keep) signs in back to its own address.
    visitor = _client(app)
    for address in (f"{url}?page=1", f"{url}?page=1&from=mail"):
        page = _view(visitor, address)
        assert re.search(r'<a href="/login\?next=([^"]+)">Sign in to reply', page).group(1).replace(
            "%3D", "=").replace("%26", "&").replace("&amp;", "&") == address


def test_moderators_pages_are_never_kept_whole(app):
    space = make_space(app)
    author = make_member(app, "Author")
    thread = make_thread(app, space, author)
    moderator = _client(app, make_member(app, "Mo Derator", role="moderator"))
    for _ in range(2):
        page = _view(moderator, f"/threads/{thread.id}", whole="no")
        assert "Moderate this thread" in page


def test_a_host_apps_own_base_template_keeps_the_page_made_for_each_reader(app):
    from jinja2 import DictLoader
    app.jinja_loader = DictLoader({"host_base.html": (
        "<title>{% block title %}{% endblock %}</title><p>Host user: {{ current_user.display_name }}</p>"
        "{% block content %}{% endblock %}")})
    app.config["FORUM_BASE_TEMPLATE"] = "host_base.html"
    space = make_space(app)
    thread = make_thread(app, space, make_member(app, "Author"))
    for name in ("Ada Lovelace", "Bea Smith"):
        page = _view(_client(app, make_member(app, name)), f"/threads/{thread.id}", whole="no")
        assert f"Host user: {name}" in page
