"""New since your last visit (#22): "N new" on the listings, the thread opening at the first unread
post, "Mark all as read", and only what the member may see counting."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from forum.db import utcnow
from forum.models import Post, ReadState, Space, Thread
from forum.services import space_membership
from forum.services.threads import recount_space, recount_thread
from tests.factories import db_session, login, make_member, make_post, make_space, make_thread, submit
from tests.factories import new_tag as _new_tag, page_text as _text
from tests.functional.test_query_counts import _queries


def _client(app, member):
    client = app.test_client()
    login(client, member)
    return client


def _set_post(app, post_id: int, **values) -> None:
    with app.app_context():
        db = db_session(app)
        post = db.get(Post, post_id)
        for name, value in values.items():
            setattr(post, name, value)
        thread = db.get(Thread, post.thread_id)
        recount_thread(db, thread)
        recount_space(db, db.get(Space, thread.space_id))
        db.commit()


def _rows(app) -> int:
    with app.app_context():
        return db_session(app).scalar(select(func.count()).select_from(ReadState))


def test_new_posts_are_counted_on_home_and_space_pages_until_the_thread_is_read(app):
    reader, writer = make_member(app), make_member(app)
    space = make_space(app)
    thread = make_thread(app, space, writer, title="Weekend rotas", replies=1)
    client = _client(app, reader)
    # Never opened, and posted since the reader joined: every post is new.
    assert _new_tag(_text(client, "/"), "Weekend rotas") == "2"
    _text(client, f"/threads/{thread.id}")
    assert _new_tag(_text(client, "/"), "Weekend rotas") is None
    assert _new_tag(_text(client, f"/spaces/{space.slug}"), "Weekend rotas") is None

    make_post(app, thread, writer, "One more idea")
    make_post(app, thread, writer, "And another")
    assert _new_tag(_text(client, "/"), "Weekend rotas") == "2"
    assert _new_tag(_text(client, f"/spaces/{space.slug}"), "Weekend rotas") == "2"
    _text(client, f"/threads/{thread.id}")
    assert _new_tag(_text(client, f"/spaces/{space.slug}"), "Weekend rotas") is None


def test_threads_older_than_the_member_are_not_new_to_them(app):
    writer = make_member(app)
    space = make_space(app)
    make_thread(app, space, writer, title="Old news", replies=3)
    newcomer = make_member(app)
    assert _new_tag(_text(_client(app, newcomer), "/"), "Old news") is None


def test_the_thread_opens_at_the_first_unread_post_on_the_right_page(app):
    app.config["FORUM_POSTS_PER_PAGE"] = 5
    reader, writer = make_member(app), make_member(app)
    thread = make_thread(app, make_space(app), writer, replies=6)  # 7 posts: pages of 5 and 2
    client = _client(app, reader)
    first = _text(client, f"/threads/{thread.id}")  # page 1 read: posts 1-5
    assert "Jump to first unread" not in first and "New since your last visit" not in first
    with app.app_context():
        ids = list(db_session(app).scalars(select(Post.id).where(Post.thread_id == thread.id).order_by(Post.id)))

    page = _text(client, f"/threads/{thread.id}")
    jump = re.search(r'<a href="([^"]+)">Jump to first unread post</a> <span class="hint">\((\d+) new\)', page)
    assert jump, "no jump link on page 1"
    assert jump.group(1).endswith(f"?page=2#post-{ids[5]}") and jump.group(2) == "2"

    later = _text(client, jump.group(1).split("#")[0])
    divider = later.index('id="new-posts">New since your last visit</h2>')
    assert later.index(f'id="post-{ids[5]}"') > divider  # the divider comes just before the first new post
    assert '<h2 class="new-divider"' in later
    # Page 2 is read now: nothing new, and going back to page 1 does not make page 2 unread again.
    _text(client, f"/threads/{thread.id}")
    again = _text(client, f"/threads/{thread.id}?page=2")
    assert "New since your last visit" not in again and "Jump to first unread" not in again

    make_post(app, thread, writer, "Late reply")
    on_page_two = _text(client, f"/threads/{thread.id}?page=2")
    assert re.search(r'<a href="#post-\d+">Jump to first unread post</a>', on_page_two)
    assert on_page_two.index("New since your last visit") < on_page_two.index("Late reply")


def test_a_pages_read_mark_is_one_row_per_member_and_thread_written_by_members_only(app):
    reader, writer = make_member(app), make_member(app)
    thread = make_thread(app, make_space(app), writer, replies=3)
    visitor = app.test_client()
    _text(visitor, f"/threads/{thread.id}")
    assert _rows(app) == 0
    assert "Jump to first unread" not in _text(visitor, f"/threads/{thread.id}")
    assert 'tag--new' not in _text(visitor, "/") and "Mark all as read" not in _text(visitor, "/")
    client = _client(app, reader)
    for _ in range(3):
        _text(client, f"/threads/{thread.id}")
    make_post(app, thread, writer)
    _text(client, f"/threads/{thread.id}")
    assert _rows(app) == 1


def test_only_published_posts_the_member_may_see_and_not_their_own_count(app):
    reader, writer, moderator = make_member(app), make_member(app), make_member(app, role="moderator")
    space = make_space(app)
    thread = make_thread(app, space, writer, title="Counting rules")
    for who in (reader, moderator):
        _text(_client(app, who), f"/threads/{thread.id}")
    waiting = make_post(app, thread, writer, "Waiting for approval")
    hidden = make_post(app, thread, writer, "Hidden by a moderator")
    removed = make_post(app, thread, writer, "Removed at the speaker's request")
    deleted = make_post(app, thread, writer, "Deleted by its author")
    make_post(app, thread, reader, "My own reply")
    make_post(app, thread, writer, "A plain new reply")
    _set_post(app, waiting.id, awaiting_approval=True)
    _set_post(app, hidden.id, hidden_at=utcnow())
    _set_post(app, removed.id, removed_at=utcnow())
    _set_post(app, deleted.id, deleted_at=utcnow())
    assert _new_tag(_text(_client(app, reader), "/"), "Counting rules") == "1"
    # A moderator reads the hidden post's words, so it is new to them too.
    assert _new_tag(_text(_client(app, moderator), "/"), "Counting rules") == "3"


def test_a_private_thread_is_not_counted_for_someone_who_left_the_space(app):
    host, member = make_member(app), make_member(app)
    private = make_space(app, visibility="private", members=[member], hosts=[host])
    thread = make_thread(app, private, host, title="zqxinsideonly", replies=1)
    client = _client(app, member)
    _text(client, f"/threads/{thread.id}")
    make_post(app, thread, host, "More inside")
    with app.app_context():
        db = db_session(app)
        space_membership.remove(db, db.get(Space, private.id), db.get(type(host), host.id), db.get(type(member), member.id))
        db.commit()
    assert "zqxinsideonly" not in _text(client, "/")
    assert client.get(f"/threads/{thread.id}").status_code == 404


def test_mark_all_as_read_in_a_space_and_everywhere(app):
    reader, writer = make_member(app), make_member(app)
    first, second = make_space(app), make_space(app)
    make_thread(app, first, writer, title="In the first", replies=2)
    make_thread(app, second, writer, title="In the second", replies=2)
    client = _client(app, reader)
    assert _new_tag(_text(client, "/"), "In the first") == "3"

    # Without a good CSRF token nothing changes, and the page says why.
    refused = client.post(f"/spaces/{first.slug}/read", data={"csrf_token": "expired"})
    assert refused.status_code == 400 and "expired" in refused.get_data(as_text=True)
    assert _new_tag(_text(client, "/"), "In the first") == "3"

    done = submit(client, f"/spaces/{first.slug}/read", {}, form_url=f"/spaces/{first.slug}", follow_redirects=True)
    assert "Every thread in" in done.get_data(as_text=True)
    home = _text(client, "/")
    assert _new_tag(home, "In the first") is None and _new_tag(home, "In the second") == "3"

    submit(client, "/read", {}, form_url="/")
    home = _text(client, "/")
    assert _new_tag(home, "In the first") is None and _new_tag(home, "In the second") is None
    thread = make_thread(app, second, writer, title="Afterwards")
    make_post(app, thread, writer)
    assert _new_tag(_text(client, "/"), "Afterwards") == "2"


def test_mark_all_as_read_needs_an_account_and_a_space_one_may_read(app):
    visitor = app.test_client()
    assert visitor.post("/read").status_code in (302, 401)
    outsider = make_member(app)
    private = make_space(app, visibility="secret")
    client = _client(app, outsider)
    from tests.factories import csrf_token
    token = csrf_token(client, "/")
    assert client.post(f"/spaces/{private.slug}/read", data={"csrf_token": token}).status_code == 404


def test_new_posts_show_on_the_chat_page(app, runner, tmp_path):
    from tests.functional.test_query_counts import _transcript
    from forum.models import Chat

    space = make_space(app, "chat-space")
    path = tmp_path / "chat.csv"
    path.write_bytes(_transcript(10))
    reader = make_member(app)
    assert runner.invoke(args=["forum", "import-transcript", str(path), "--space", space.slug]).exit_code == 0
    with app.app_context():
        db = db_session(app)
        chat_id = db.scalar(select(Chat.id))
        thread = db.scalars(select(Thread).where(Thread.chat_id == chat_id, Thread.question_number == 1)).one()
        db.expunge(thread)
    client = _client(app, reader)
    _text(client, f"/threads/{thread.id}")
    make_post(app, thread, make_member(app), "Carrying on after the chat")
    page = _text(client, f"/chats/{chat_id}")
    assert _new_tag(page, thread.title) == "1"


def _threads(app, space, author, count: int, replies: int) -> list[int]:
    """`count` threads of 1 + `replies` posts, written straight to the tables in one transaction (posting each
    through the service takes a tenth of a second), with their counts set as the service sets them."""
    from datetime import timedelta

    with app.app_context():
        db = db_session(app)
        start = utcnow() - timedelta(hours=1)
        threads = [Thread(space_id=space.id, title=f"Thread {n}", created_at=start) for n in range(count)]
        db.add_all(threads)
        db.flush()
        db.add_all(Post(thread_id=thread.id, author_id=author.id, created_at=start + timedelta(seconds=i),
                        **Post.body_columns(f"Post {i}")) for thread in threads for i in range(replies + 1))
        db.flush()
        for thread in threads:
            recount_thread(db, thread)
        recount_space(db, db.get(Space, space.id))
        db.commit()
        return [thread.id for thread in threads]


def test_listing_and_thread_query_counts_with_read_marks_stay_the_same_as_data_grows(app):
    reader, writer = make_member(app), make_member(app)
    with app.app_context():  # the reader joined before any of it was written: all of it is new to them
        from datetime import timedelta
        from forum.models import Member
        db_session(app).get(Member, reader.id).created_at = utcnow() - timedelta(days=1)
        db_session(app).commit()
    small, large = make_space(app), make_space(app)
    app.config["FORUM_THREADS_PER_PAGE"] = 200
    app.config["FORUM_POSTS_PER_PAGE"] = 200
    small_threads = _threads(app, small, writer, 3, 1)
    large_threads = _threads(app, large, writer, 40, 0) + _threads(app, large, writer, 2, 50)
    client = _client(app, reader)
    # Some threads read, then more posted in them: read marks and new posts at both sizes.
    for thread_id in small_threads[:2] + large_threads[:10] + large_threads[-1:]:
        _text(client, f"/threads/{thread_id}")
    with app.app_context():
        db = db_session(app)
        for thread_id in small_threads[:2] + large_threads[:10] + large_threads[-1:]:
            make_post(app, db.get(Thread, thread_id), writer)
    assert _queries(client, f"/spaces/{small.slug}") == _queries(client, f"/spaces/{large.slug}")
    listing = _text(client, f"/spaces/{large.slug}")
    assert listing.count('class="tag tag--new"') == 42  # the ten read have a new post since; the rest never opened
    # A thread read before, with new posts since: 3 posts against 52.
    assert _queries(client, f"/threads/{small_threads[0]}") == _queries(client, f"/threads/{large_threads[-1]}")
    # A thread never opened, small and large.
    assert _queries(client, f"/threads/{small_threads[2]}") == _queries(client, f"/threads/{large_threads[-2]}")
    _text(client, "/")  # the lists this member's class shares are kept now (forum/fragments_lists.py): compare like with like
    home = _queries(client, "/")
    for thread_id in large_threads[10:20]:
        _text(client, f"/threads/{thread_id}")
    assert _queries(client, "/") == home


def test_n_new_leads_to_the_first_unread_post_on_its_page(app):
    app.config["FORUM_POSTS_PER_PAGE"] = 5
    reader, writer, outsider = make_member(app), make_member(app), make_member(app)
    thread = make_thread(app, make_space(app), writer, title="Paged", replies=5)  # 6 posts: pages of 5 and 1
    private = make_thread(app, make_space(app, visibility="secret", hosts=[writer]), writer, title="zqxsecretpaged")
    client = _client(app, reader)
    # Never opened: it opens at the top.
    assert client.get(f"/threads/{thread.id}/unread").headers["Location"].endswith(f"/threads/{thread.id}")
    _text(client, f"/threads/{thread.id}")  # page 1: posts 1-5
    later = make_post(app, thread, writer, "Seventh")
    home = _text(client, "/")
    assert f'<a href="/threads/{thread.id}/unread" class="tag tag--new">2 new<span class="visually-hidden"> in Paged' in home
    with app.app_context():
        sixth = db_session(app).scalar(select(Post.id).where(Post.thread_id == thread.id, Post.id < later.id)
                                       .order_by(Post.id.desc()))
    response = client.get(f"/threads/{thread.id}/unread")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/threads/{thread.id}?page=2#post-{sixth}")
    # Visitors go to the thread; a thread one may not read is the same 404 as none.
    assert app.test_client().get(f"/threads/{thread.id}/unread").headers["Location"].endswith(f"/threads/{thread.id}")
    assert _client(app, outsider).get(f"/threads/{private.id}/unread").status_code == 404
    assert app.test_client().get("/threads/999999/unread").status_code == 404
