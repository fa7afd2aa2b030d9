"""The home page's and a space's lists, shared by readers of one class (#19, forum/fragments_lists.py): a change
shows at once, and nothing of one member's own (new posts, waiting threads, posts without their name, private
spaces) reaches another."""

from __future__ import annotations

import re

from forum.models import Space
from tests.factories import db_session, login, make_member, make_post, make_space, make_thread, submit
from tests.factories import new_tag as _new, page_text as _text
from tests.functional.test_query_counts import _queries


def _client(app, member=None, language=None):
    client = app.test_client()
    if member is not None:
        login(client, member)
    if language:
        client.set_cookie("forum_language", language)
    return client


def test_members_of_one_class_share_the_lists_but_each_sees_their_own_new_posts(app):
    first, second, writer = make_member(app, "First Reader"), make_member(app, "Second Reader"), make_member(app)
    space = make_space(app)
    thread = make_thread(app, space, writer, title="Winter gritting updates", replies=1)
    one, two = _client(app, first), _client(app, second)
    _text(one, f"/threads/{thread.id}")  # the first has read it all
    made = _queries(one, "/")
    assert _new(_text(one, "/"), "Winter gritting updates") is None
    # The second gets the lists the first's request made (fewer queries), with their own count.
    assert _queries(two, "/") < made
    assert _new(_text(two, "/"), "Winter gritting updates") == "2"
    assert _new(_text(two, f"/spaces/{space.slug}"), "Winter gritting updates") == "2"
    assert _new(_text(one, f"/spaces/{space.slug}"), "Winter gritting updates") is None
    assert "Second Reader" not in _text(one, "/") and "First Reader" not in _text(two, "/")


def test_a_change_shows_at_once_in_the_shared_lists(app):
    reader, writer = make_member(app), make_member(app, "Quick Writer")
    space = make_space(app, name="Roads and transport")
    make_thread(app, space, writer, title="Bus timetables")
    client = _client(app, reader)
    _text(client, "/"), _text(client, f"/spaces/{space.slug}")
    thread = make_thread(app, space, writer, title="Pothole reporting")
    home, listing = _text(client, "/"), _text(client, f"/spaces/{space.slug}")
    assert "Pothole reporting" in home and "Pothole reporting" in listing
    make_post(app, thread, writer, "A reply")
    row = _text(client, f"/spaces/{space.slug}").split("Pothole reporting", 1)[1].split("</tr>", 1)[0]
    assert '<td class="numeric">1</td>' in row  # its replies
    assert "1 reply" in _text(client, "/").split("Pothole reporting", 1)[1].split("</li>", 1)[0]
    assert _new(_text(client, "/"), "Pothole reporting") == "2"
    with app.app_context():
        db_session(app).get(Space, space.id).name = "Highways"
        db_session(app).commit()
    assert "Highways" in _text(client, "/") and "Roads and transport" not in _text(client, "/")


def test_a_private_space_never_reaches_members_outside_it_nor_visitors(app):
    insider, outsider, writer = make_member(app), make_member(app), make_member(app)
    private = make_space(app, "support", visibility="private", members=[insider, writer])
    public = make_space(app)
    make_thread(app, private, writer, title="My director blocks everything")
    make_thread(app, public, writer, title="Open budgets")
    for order in ([insider, outsider, None], [None, outsider, insider]):
        make_thread(app, public, writer, title=f"Bump {id(order)}")  # a new version of the lists each round
        for member in order:
            home = _text(_client(app, member), "/")
            assert "Open budgets" in home
            assert ("My director blocks everything" in home) is (member is insider), member


def test_a_members_own_waiting_thread_shows_to_them_alone(app):
    newcomer, other, writer = make_member(app, "First Timer"), make_member(app), make_member(app)
    space = make_space(app, "queue")
    make_thread(app, space, writer, title="Published thread")
    with app.app_context():
        db_session(app).get(Space, space.id).premoderate_first = 1
        db_session(app).commit()
    theirs, others = _client(app, newcomer), _client(app, other)
    _text(others, f"/spaces/{space.slug}")  # the class's lists are kept before the thread waits
    response = submit(theirs, f"/spaces/{space.slug}/new",
                      {"title": "Waiting for a moderator", "body": "My first thread", "submit": "Post thread"})
    assert response.status_code == 302
    assert "Waiting for a moderator" in _text(theirs, f"/spaces/{space.slug}")
    page = _text(others, f"/spaces/{space.slug}")
    assert "Published thread" in page and "Waiting for a moderator" not in page
    assert "Waiting for a moderator" in _text(theirs, f"/spaces/{space.slug}")


def test_a_post_without_a_name_reads_as_ones_own_to_its_author_alone(app):
    author, reader = make_member(app, "Lonely Advocate"), make_member(app, "Fellow Member")
    space = make_space(app, "evangelists", anonymous_posting=True)
    listing = f"/spaces/{space.slug}"
    mine, theirs = _client(app, author), _client(app, reader)
    response = submit(mine, f"{listing}/new", {"title": "My director blocks everything", "body": "canary",
                                               "anonymous": "y", "submit": "Post thread"})
    assert response.status_code == 302
    for client, name in ((theirs, "A member of this space"), (mine, "You, posting without your name"),
                         (theirs, "A member of this space")):
        page = _text(client, listing)
        assert f"last post by {name}" in page
        assert "Lonely Advocate" not in page.split("<main", 1)[1]
    assert "You, posting without your name" not in _text(theirs, listing)


def test_the_shared_lists_are_in_each_readers_language(app):
    english, welsh, writer = make_member(app), make_member(app), make_member(app)
    space = make_space(app)
    thread = make_thread(app, space, writer, title="Cyllidebau", replies=2)
    assert "This week’s chat" in _text(_client(app, english), "/")
    page = _text(_client(app, welsh, "cy"), "/")
    assert "Sgwrs yr wythnos hon" in page and "This week’s chat" not in page
    assert (f'href="/threads/{thread.id}/unread" class="tag tag--new">3 newydd'
            f'<span class="visually-hidden"> yn Cyllidebau</span>') in page
    assert "This week’s chat" in _text(_client(app, english), "/")


def test_a_members_new_post_counts_are_kept_and_follow_every_change_at_once(app):
    """Each thread's "N new" is kept for the member under the thread's token and their place in it: a second
    view counts nothing again (one query fewer), and a reply, a hidden post, their own reply and their reading
    each show on the very next view."""
    from forum.models import Member, Post, Thread
    from forum.services import moderation

    reader, writer = make_member(app, "Keen Reader"), make_member(app, "Busy Writer")
    host = make_member(app, role="moderator")
    space = make_space(app, name="Parks")
    thread = make_thread(app, space, writer, title="Bench repairs", replies=2)
    other = make_thread(app, space, writer, title="Tree planting", replies=1)
    client = _client(app, reader)
    url = f"/spaces/{space.slug}"
    fresh = _client(app, make_member(app))
    _text(client, url)  # the list is kept for the class
    counted = _queries(fresh, url)
    assert _queries(fresh, url) == counted - 1  # the second view takes the counts kept from the first
    listing = _text(client, url)
    assert _new(listing, "Bench repairs") == "3" and _new(listing, "Tree planting") == "2"
    make_post(app, thread, writer, "One more")
    assert _new(_text(client, url), "Bench repairs") == "4" and _new(_text(client, url), "Tree planting") == "2"
    with app.app_context():
        db = db_session(app)
        post = db.query(Post).filter_by(thread_id=thread.id).order_by(Post.id.desc()).first()
        moderation.hide_post(db, post, db.get(Space, space.id), db.get(Member, host.id), "off topic", "Afterchat",
                             "https://example.org")
        db.commit()
    assert _new(_text(client, url), "Bench repairs") == "3"
    make_post(app, thread, reader, "My own words")  # one's own posts are never new to oneself
    assert _new(_text(client, url), "Bench repairs") == "3"
    _text(client, f"/threads/{thread.id}")  # read it all
    assert _new(_text(client, url), "Bench repairs") is None and _new(_text(client, "/"), "Bench repairs") is None
    make_post(app, thread, writer, "After you read")
    assert _new(_text(client, url), "Bench repairs") == "1" and _new(_text(client, "/"), "Bench repairs") == "1"
    # Another member's counts are their own: the posts since they joined, less the hidden one.
    assert _new(_text(fresh, url), "Bench repairs") == "2"
    with app.app_context():
        assert db_session(app).get(Thread, other.id) is not None
