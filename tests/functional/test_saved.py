"""Save for later (#22): a Save button on posts, /saved with a private note, private to its member, and
what an item shows once its member may no longer see the post."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from forum.db import utcnow
from forum.models import Member, Post, SavedPost, Space, Thread
from forum.models.reading import NOTE_MAX
from forum.services import space_membership
from forum.services.threads import move_thread
from tests.factories import csrf_token, db_session, login, make_member, make_post, make_space, make_thread, submit
from tests.functional.test_query_counts import _queries


def _client(app, member):
    client = app.test_client()
    login(client, member)
    return client


def _first_post(app, thread) -> int:
    with app.app_context():
        return db_session(app).scalar(select(Post.id).where(Post.thread_id == thread.id).order_by(Post.id))


def _save(client, post_id: int, thread_id: int):
    return submit(client, f"/posts/{post_id}/save", {}, form_url=f"/threads/{thread_id}")


def _saved_id(app, member, post_id) -> int:
    with app.app_context():
        return db_session(app).scalar(select(SavedPost.id).where(SavedPost.member_id == member.id,
                                                                 SavedPost.post_id == post_id))


def test_save_a_post_see_it_saved_and_listed_then_remove_it(app):
    member, author = make_member(app), make_member(app, "Fiona Grant")
    space = make_space(app, name="Between chats")
    thread = make_thread(app, space, author, title="Weekend rotas", body="We run a **weekend rota** of four.")
    post_id = _first_post(app, thread)
    client = _client(app, member)
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert f'action="/posts/{post_id}/save"' in page and "Remove from saved" not in page

    response = _save(client, post_id, thread.id)
    assert response.status_code == 302 and f"/posts/{post_id}" in response.headers["Location"]
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert '<span class="tag">Saved</span>' in page and f'action="/posts/{post_id}/unsave"' in page
    assert "Remove from saved" in page

    listing = client.get("/saved").get_data(as_text=True)
    assert "Weekend rotas" in listing and "Between chats" in listing and "Fiona Grant" in listing
    assert "We run a weekend rota of four." in listing and "<strong>" not in listing.split("Saved posts</h1>")[1]
    assert f'href="/posts/{post_id}"' in listing

    # Saving twice keeps one; removing takes it off the list.
    _save(client, post_id, thread.id)
    with app.app_context():
        assert db_session(app).scalar(select(func.count()).select_from(SavedPost)) == 1
    removed = submit(client, f"/posts/{post_id}/unsave", {"next": "/saved"}, form_url="/saved", follow_redirects=True)
    text = removed.get_data(as_text=True)
    assert "Removed from your saved posts." in text and "Nothing saved yet" in text


def test_saved_posts_are_listed_newest_first(app):
    member, author = make_member(app), make_member(app)
    space = make_space(app)
    older = make_thread(app, space, author, title="Saved first")
    newer = make_thread(app, space, author, title="Saved second")
    client = _client(app, member)
    _save(client, _first_post(app, older), older.id)
    _save(client, _first_post(app, newer), newer.id)
    listing = client.get("/saved").get_data(as_text=True)
    assert listing.index("Saved second") < listing.index("Saved first")


def test_a_private_note_is_saved_and_a_too_long_one_is_refused_with_what_was_typed_kept(app):
    member, author = make_member(app), make_member(app)
    thread = make_thread(app, make_space(app), author)
    post_id = _first_post(app, thread)
    client = _client(app, member)
    _save(client, post_id, thread.id)
    saved_id = _saved_id(app, member, post_id)
    url = f"/saved/{saved_id}/note"

    too_long = "Budget figures to quote. " * 30
    response = submit(client, url, {"note": too_long})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in text and f"Make the note {NOTE_MAX} characters or fewer" in text
    assert too_long.strip() in text  # nothing lost
    with app.app_context():
        assert db_session(app).get(SavedPost, saved_id).note == ""

    response = submit(client, url, {"note": "Quote this in the <b>budget</b> paper"}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Your note was saved." in text and "Quote this in the &lt;b&gt;budget&lt;/b&gt; paper" in text
    assert client.get(url).get_data(as_text=True).count("Quote this in the &lt;b&gt;budget&lt;/b&gt; paper") == 1


def test_saved_posts_are_private_to_their_member(app):
    member, other, author = make_member(app), make_member(app), make_member(app)
    thread = make_thread(app, make_space(app), author, title="zqxsavedtitle")
    post_id = _first_post(app, thread)
    owner = _client(app, member)
    _save(owner, post_id, thread.id)
    saved_id = _saved_id(app, member, post_id)
    submit(owner, f"/saved/{saved_id}/note", {"note": "zqxprivatenote"})

    stranger = _client(app, other)
    assert "zqxsavedtitle" not in stranger.get("/saved").get_data(as_text=True)
    assert stranger.get(f"/saved/{saved_id}/note").status_code == 404
    token = csrf_token(stranger, "/")
    assert stranger.post(f"/saved/{saved_id}/note", data={"csrf_token": token, "note": "mine now"}).status_code == 404
    # Another member's "Remove" removes only their own (absent) item.
    stranger.post(f"/posts/{post_id}/unsave", data={"csrf_token": token})
    assert "zqxprivatenote" in owner.get("/saved").get_data(as_text=True)
    on_thread = stranger.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "Remove from saved" not in on_thread and '<span class="tag">Saved</span>' not in on_thread

    visitor = app.test_client()
    for url in ("/saved", f"/saved/{saved_id}/note"):
        response = visitor.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert visitor.post(f"/posts/{post_id}/save").status_code in (302, 400, 401)
    with app.app_context():
        assert db_session(app).scalar(select(func.count()).select_from(SavedPost)) == 1
    assert f"/posts/{post_id}/save" not in visitor.get(f"/threads/{thread.id}").get_data(as_text=True)


def test_a_post_one_cannot_see_cannot_be_saved_and_a_stale_form_saves_nothing(app):
    member, host = make_member(app), make_member(app)
    private = make_space(app, visibility="private", hosts=[host])
    thread = make_thread(app, private, host, title="Inside")
    post_id = _first_post(app, thread)
    client = _client(app, member)
    token = csrf_token(client, "/")
    assert client.post(f"/posts/{post_id}/save", data={"csrf_token": token}).status_code == 404
    public_thread = make_thread(app, make_space(app), host)
    stale = client.post(f"/posts/{_first_post(app, public_thread)}/save", data={"csrf_token": "expired"})
    assert stale.status_code == 400 and "expired" in stale.get_data(as_text=True)
    with app.app_context():
        assert db_session(app).scalar(select(func.count()).select_from(SavedPost)) == 0


def _listing_items(client) -> list[str]:
    page = client.get("/saved").get_data(as_text=True)
    return re.findall(r'<li class="saved-list__item" id="saved-\d+">(.*?)</ul>\s*</li>', page, re.S)


def test_when_access_is_lost_an_item_shows_only_what_the_policy_allows(app):
    member, host, moderator = make_member(app), make_member(app), make_member(app, role="moderator")
    private = make_space(app, visibility="private", members=[member], hosts=[host])
    public, other_private = make_space(app), make_space(app, visibility="private", hosts=[host])
    left_behind = make_thread(app, private, host, title="zqxleftspace", body="zqxleftbody")
    hidden = make_thread(app, public, host, title="Hidden one", body="zqxhiddenbody")
    deleted = make_thread(app, public, host, title="Deleted one", body="zqxdeletedbody")
    removed = make_thread(app, public, host, title="zqxremovedtitle", body="zqxremovedbody")
    moved = make_thread(app, public, host, title="zqxmovedtitle", body="zqxmovedbody")
    client = _client(app, member)
    for thread in (left_behind, hidden, deleted, removed, moved):
        assert _save(client, _first_post(app, thread), thread.id).status_code == 302
    firsts = {thread.title: _first_post(app, thread) for thread in (hidden, deleted, removed)}
    with app.app_context():
        db = db_session(app)
        now = utcnow()
        db.get(Post, firsts["Hidden one"]).hidden_at = now
        db.get(Post, firsts["Deleted one"]).deleted_at = now
        db.get(Post, firsts["zqxremovedtitle"]).removed_at = now
        host_row = db.get(Member, host.id)
        space_membership.remove(db, db.get(Space, private.id), host_row, db.get(Member, member.id))
        move_thread(db, db.get(Thread, moved.id), db.get(Space, public.id), db.get(Space, other_private.id),
                    db.get(Member, moderator.id))
        db.commit()

    items = _listing_items(client)
    assert len(items) == 5
    text = " ".join(items)
    for canary in ("zqxleftspace", "zqxleftbody", "zqxremovedtitle", "zqxremovedbody", "zqxmovedtitle", "zqxmovedbody",
                   "zqxhiddenbody", "zqxdeletedbody"):
        assert canary not in text, canary
    assert text.count("A post you can no longer see") == 3
    assert "This post was hidden by a moderator." in text and "Hidden one" in text
    assert "This post was deleted by its author." in text and "Deleted one" in text
    # Each can still be removed, including those out of sight.
    assert text.count(">Remove<") == 5


def test_saved_list_query_count_stays_the_same_as_it_grows(app):
    member, author = make_member(app, organisation="Leeds City Council"), make_member(app, organisation="Age UK")
    space = make_space(app)
    app.config["FORUM_POSTS_PER_PAGE"] = 200
    thread = make_thread(app, space, author, replies=59)
    with app.app_context():
        db = db_session(app)
        post_ids = list(db.scalars(select(Post.id).where(Post.thread_id == thread.id).order_by(Post.id)))
        db.add_all(SavedPost(member_id=member.id, post_id=i, note="") for i in post_ids[:2])
        db.commit()
    client = _client(app, member)
    small = _queries(client, "/saved")
    _queries(client, f"/threads/{thread.id}")  # the first view records the read mark; later views write nothing
    thread_small = _queries(client, f"/threads/{thread.id}")
    with app.app_context():
        db = db_session(app)
        db.add_all(SavedPost(member_id=member.id, post_id=i, note=f"Note {i}") for i in post_ids[2:])
        db.commit()
    assert _queries(client, "/saved") == small
    assert len(_listing_items(client)) == 60
    _queries(client, f"/threads/{thread.id}")  # the saved posts' cards are made and stored for the member
    assert _queries(client, f"/threads/{thread.id}") == thread_small
    make_post(app, thread, author)


def test_saved_posts_and_notes_come_with_ones_data_and_go_with_ones_account(app):
    import json

    from forum.models import ReadState
    from tests.factories import PASSWORD

    member, host = make_member(app), make_member(app)
    private = make_space(app, visibility="private", members=[member], hosts=[host])
    kept = make_thread(app, make_space(app), host, title="Still readable")
    lost = make_thread(app, private, host, title="zqxgonetitle")
    client = _client(app, member)
    for thread in (kept, lost):
        _save(client, _first_post(app, thread), thread.id)
        submit(client, f"/saved/{_saved_id(app, member, _first_post(app, thread))}/note",
               {"note": f"Note on {thread.id}"})
    with app.app_context():
        db = db_session(app)
        space_membership.remove(db, db.get(Space, private.id), db.get(Member, host.id), db.get(Member, member.id))
        db.commit()

    data = json.loads(client.get("/account/data").get_data(as_text=True))
    assert [(item["thread"], item["note"]) for item in data["saved"]] == [
        ("Still readable", f"Note on {kept.id}"), (None, f"Note on {lost.id}")]

    with app.app_context():  # the thread pages it visited were marked as read
        assert db_session(app).scalar(select(func.count()).select_from(ReadState)
                                      .where(ReadState.member_id == member.id)) == 2
    assert submit(client, "/account/delete", {"password": PASSWORD}).status_code == 302
    with app.app_context():
        db = db_session(app)
        assert db.scalar(select(func.count()).select_from(SavedPost)) == 0
        assert db.scalar(select(func.count()).select_from(ReadState).where(ReadState.member_id == member.id)) == 0
