"""A space's page and the home page rendered once for everyone given the same page (forum/frames.py, #19): each
reader still gets their own name, lists, "N new", Watch buttons, tokens and messages, what their rights give
them stays theirs, and any change to what the page shows shows on the next view."""

from __future__ import annotations

from forum.models import Space
from forum.services.spaces import update_space
from tests.factories import db_session, make_member, make_space, make_thread, new_tag, submit
from tests.functional.test_thread_whole_page import _client, _message_is_theirs_alone, _tokens, _view


def test_two_readers_of_one_space_page_each_get_their_own_parts(app):
    space = make_space(app, name="Roads and transport")
    author, ada, bea = make_member(app, "Author"), make_member(app, "Ada Lovelace"), make_member(app, "Bea Smith")
    make_thread(app, space, author, title="Gritting routes", replies=2)
    url = f"/spaces/{space.slug}"
    ada_client, bea_client = _client(app, ada), _client(app, bea)
    _view(ada_client, f"/threads/{make_thread(app, space, author, title='Bus timetables').id}")  # Ada read it
    submit(ada_client, "/watch", {"kind": "space", "target": str(space.id), "next": url}, form_url=url,
           follow_redirects=True)  # its message shown

    bea_page = _view(bea_client, url, whole="hit")  # kept by Ada's view of the page before she watched it
    ada_page = _view(ada_client, url, whole="hit")
    assert "Ada Lovelace" in ada_page and "Bea Smith" not in ada_page
    assert "Bea Smith" in bea_page and "Ada Lovelace" not in bea_page
    assert "Stop watching this space" in ada_page and "Stop watching" not in bea_page
    assert new_tag(ada_page, "Bus timetables") is None and new_tag(bea_page, "Bus timetables") == "1"
    assert new_tag(ada_page, "Gritting routes") == new_tag(bea_page, "Gritting routes") == "3"
    ada_tokens, bea_tokens = _tokens(ada_page), _tokens(bea_page)
    assert ada_tokens and bea_tokens and not ada_tokens & bea_tokens
    # Each reader's forms work with what their page gave them.
    marked = bea_client.post(f"/spaces/{space.slug}/read", data={"csrf_token": bea_tokens.pop()})
    assert marked.status_code == 302
    assert new_tag(_view(bea_client, url), "Gritting routes") is None
    assert new_tag(_view(ada_client, url, whole="hit"), "Gritting routes") == "3"


def test_a_change_to_the_space_shows_at_once_and_a_message_is_the_readers_own(app):
    space = make_space(app, name="Roads and transport")
    author = make_member(app, "Author")
    make_thread(app, space, author, title="Gritting routes")
    url = f"/spaces/{space.slug}"
    reader = _client(app, make_member(app, "Reader"))
    _view(reader, url, whole="kept")
    _view(reader, url, whole="hit")
    with app.app_context():
        db = db_session(app)
        row = db.get(Space, space.id)
        update_space(db, row, slug=row.slug, name="Highways", visibility="public",
                     description="Potholes, buses and winter", anonymous_posting=False)
        db.commit()
    page = _view(reader, url, whole="kept")
    assert "Highways" in page and "Potholes, buses and winter" in page and "Roads and transport" not in page
    make_thread(app, space, author, title="Pothole reporting")
    assert "Pothole reporting" in _view(reader, url)
    _message_is_theirs_alone(reader, "space", space.id, url, "hit")


def test_what_a_readers_rights_give_them_on_a_space_page_stays_theirs(app):
    host, member, pending = make_member(app, "Hope Host"), make_member(app, "Mia Member"), make_member(
        app, "Pat Pending", state="pending")
    space = make_space(app, visibility="private", name="Support circle", hosts=[host], members=[member])
    make_thread(app, space, host, title="Welcome, all")
    private = f"/spaces/{space.slug}"
    asker = _client(app, make_member(app, "Asker"))
    submit(asker, f"{private}/join", {"message": "May I join?"}, form_url=private)
    host_page, member_page = _view(_client(app, host), private), _view(_client(app, member), private)
    assert "Requests (1)" in host_page and "Requests (" not in member_page
    assert "Leave this space" in member_page and "Start a thread" in member_page
    public = make_space(app, name="Open space")
    make_thread(app, public, host, title="Open to all")
    url = f"/spaces/{public.slug}"
    assert "Start a thread" in _view(_client(app, member), url)
    pending_page = _view(_client(app, pending), url)
    assert "Start a thread" not in pending_page and "waiting for a moderator" in pending_page
    assert "Sign in</a> to start a thread" in _view(app.test_client(), f"{url}?from=mail")


def test_two_readers_of_the_home_page_each_get_their_own_lists(app):
    space = make_space(app)
    author, ada, bea = make_member(app, "Author"), make_member(app, "Ada Lovelace"), make_member(app, "Bea Smith")
    thread = make_thread(app, space, author, title="Gritting routes", replies=1)
    ada_client, bea_client = _client(app, ada), _client(app, bea)
    _view(ada_client, f"/threads/{thread.id}")  # Ada read it
    bea_page = _view(bea_client, "/", whole="hit")
    ada_page = _view(ada_client, "/", whole="hit")
    assert "Ada Lovelace" in ada_page and "Bea Smith" not in ada_page
    assert new_tag(ada_page, "Gritting routes") is None and new_tag(bea_page, "Gritting routes") == "2"
    assert not _tokens(ada_page) & _tokens(bea_page)
    make_thread(app, space, author, title="Bus timetables")
    assert "Bus timetables" in _view(ada_client, "/") and "Bus timetables" in _view(bea_client, "/", whole="hit")
    admin_page = _view(_client(app, make_member(app, "Ada Admin", role="admin")), "/")
    assert "Ada Admin" in admin_page and "Ada Admin" not in _view(ada_client, "/", whole="hit")
