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


def _message_is_theirs_alone(client, kind: str, target: int, url: str, whole_after: str) -> None:
    """Watching comes back to the page with a message: that view is made for the reader alone, the next is kept."""
    watched = submit(client, "/watch", {"kind": kind, "target": str(target), "next": url}, form_url=url,
                     follow_redirects=True)
    assert watched.headers.get("X-Forum-Whole") == "no" and 'class="notice notice--success"' in watched.get_data(
        as_text=True)
    assert 'class="notice notice--success"' not in _view(client, url, whole=whole_after)


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
    ada_page = _view(ada_client, url, whole="hit, with its posts")  # made from what Bea's view kept
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
    _message_is_theirs_alone(reader, "thread", thread.id, url, "hit, with its posts")


def test_a_page_kept_with_its_posts_still_gives_each_reader_their_own_saved_and_new_posts(app):
    space = make_space(app)
    author, writer = make_member(app, "Author"), make_member(app, "Writer")
    thread = make_thread(app, space, author, title="Rotas", replies=2)
    url = f"/threads/{thread.id}"
    returning, saver = _client(app, make_member(app, "Returning Reader")), _client(app, make_member(app, "Saver"))
    plain, other = _client(app, make_member(app, "Plain Reader")), _client(app, make_member(app, "Other Reader"))
    writing = _client(app, writer)  # (a new account changes every page: all of them first)
    _view(returning, url)  # has read it all
    make_post(app, thread, writer, "Words from the writer")
    first_post = re.search(r'id="post-(\d+)"', _view(saver, url)).group(1)
    submit(saver, f"/posts/{first_post}/save", {"next": url}, form_url=url, follow_redirects=True)

    _view(plain, url, whole="hit, with its posts")  # kept with its posts by the saver's first view
    page = _view(other, url, whole="hit, with its posts")
    assert "Other Reader" in page and "Words from the writer" in page and "/edit" not in page
    assert len(_tokens(page)) == 1 and _tokens(page) != _tokens(_view(plain, url))
    writers = _view(writing, url, whole="hit, with its posts")  # their own post's card: theirs alone
    last_post = re.findall(r'<article class="post" id="post-(\d+)"', writers)[-1]
    assert f"/posts/{last_post}/edit" in writers and f"/posts/{last_post}/edit" not in page
    assert '<span class="tag">Saved</span>' in _view(saver, url, whole="hit, with its posts")
    assert '<span class="tag">Saved</span>' not in _view(other, url)
    returning_page = _view(returning, url, whole="hit, with its posts")
    assert "New since your last visit" in returning_page and "Jump to first unread post" in returning_page
    # A view from the page kept whole remembers how far its reader read.
    make_post(app, thread, author, "Later still")
    _view(plain, url, whole="kept")
    assert "Jump to first unread post" in _view(other, url)


def test_a_card_its_maker_could_not_keep_is_filled_in_by_the_next_reader_and_never_shown_as_theirs(app):
    space = make_space(app)
    author, writer = make_member(app, "Author"), make_member(app, "Writer")
    thread = make_thread(app, space, author, replies=1)
    url = f"/threads/{thread.id}"
    writing, first, second = _client(app, writer), _client(app, make_member(app, "First")), _client(
        app, make_member(app, "Second"))
    post = make_post(app, thread, writer, "Words from the writer")
    edit = f"/posts/{post.id}/edit"
    assert edit in _view(writing, url, whole="kept")  # kept without the class's card for the writer's post
    assert edit in _view(writing, url, whole="hit, with its posts")  # theirs, filled in for them
    first_page = _view(first, url, whole="hit")  # the class's card is not there yet: made for them
    assert edit not in first_page and "Words from the writer" in first_page
    second_page = _view(second, url, whole="hit, with its posts")  # and kept with the page since
    assert edit not in second_page and "Words from the writer" in second_page
    assert edit in _view(writing, url, whole="hit, with its posts")


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
