"""Moderation: reports, hiding, thread tools, edit history, pre-moderation and the log, with their permissions."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from forum.models import ModerationLogEntry, OutboxMessage, Post, Report, Space, Thread
from tests.factories import csrf_token, login, make_member, make_space, make_thread, submit
from tests.factories import db_session as _db


def _posts(app, thread_id):
    with app.app_context():
        return [p.id for p in _db(app).scalars(select(Post).where(Post.thread_id == thread_id).order_by(Post.id))]


def _log(app) -> list[str]:
    with app.app_context():
        return list(_db(app).scalars(select(ModerationLogEntry.action).order_by(ModerationLogEntry.id)))


@pytest.fixture
def setting(app):
    author = make_member(app, "Post Author")
    reporter = make_member(app, "Careful Reader")
    moderator = make_member(app, "Site Moderator", role="moderator")
    host = make_member(app, "Space Host")
    space = make_space(app, "chat", hosts=[host])
    other = make_space(app, "elsewhere")
    thread = make_thread(app, space, author, title="A lively thread", body="First words", replies=3)
    return author, reporter, moderator, host, space, other, thread


def _client(app, member):
    client = app.test_client()
    login(client, member)
    return client


def _act(client, post_id, button, reason=""):
    """Press a moderation button on a post (the form's fields carry a per-post prefix)."""
    token = csrf_token(client, "/account")
    return client.post(f"/posts/{post_id}/moderate", data={f"p{post_id}-csrf_token": token, f"p{post_id}-{button}": "1",
                                                           f"p{post_id}-reason": reason})


def test_report_hide_and_the_reporter_is_told(app, setting):
    author, reporter, moderator, host, space, other, thread = setting
    post_id = _posts(app, thread.id)[1]
    reader = _client(app, reporter)
    response = submit(reader, f"/posts/{post_id}/report", {"reason": "This is unkind to a named officer"})
    assert response.status_code == 302
    mod = _client(app, moderator)
    queue = mod.get("/moderation").get_data(as_text=True)
    assert "This is unkind to a named officer" in queue and "Reply number 1" in queue
    assert _act(mod, post_id, "hide", "Personal attack").status_code == 302
    page = app.test_client().get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "hidden by a moderator" in page and "Reply number 1" not in page
    assert "Reply number 1" in mod.get(f"/threads/{thread.id}").get_data(as_text=True)
    with app.app_context():
        told = _db(app).scalars(select(OutboxMessage).where(OutboxMessage.to == reporter.email)).all()
        assert told and "hidden the post" in told[-1].body
        assert _db(app).scalar(select(Report.status)) == "hidden"
    assert _act(mod, post_id, "restore").status_code == 302
    assert "Reply number 1" in app.test_client().get(f"/threads/{thread.id}").get_data(as_text=True)
    assert _log(app) == ["hide_post", "restore_post"]


def test_dismissing_a_report_keeps_the_post_and_tells_the_reporter(app, setting):
    author, reporter, moderator, host, space, other, thread = setting
    post_id = _posts(app, thread.id)[1]
    submit(_client(app, reporter), f"/posts/{post_id}/report", {"reason": "I just disagree with it"})
    _act(_client(app, moderator), post_id, "dismiss")
    with app.app_context():
        assert _db(app).scalar(select(Report.status)) == "dismissed"
        assert "decided it can stay" in _db(app).scalars(select(OutboxMessage.body)).all()[-1]


def test_a_report_needs_a_reason(app, setting):
    author, reporter, moderator, host, space, other, thread = setting
    post_id = _posts(app, thread.id)[1]
    response = submit(_client(app, reporter), f"/posts/{post_id}/report", {"reason": ""})
    assert response.status_code == 400 and "Enter what is wrong" in response.get_data(as_text=True)


def test_hosts_moderate_only_in_their_own_space(app, setting):
    author, reporter, moderator, host, space, other, thread = setting
    elsewhere = make_thread(app, other, author, title="Another space's thread")
    hosting = _client(app, host)
    assert hosting.get(f"/threads/{thread.id}/tools").status_code == 200
    assert hosting.get(f"/threads/{elsewhere.id}/tools").status_code == 403
    foreign_post = _posts(app, elsewhere.id)[0]
    response = hosting.post(f"/posts/{foreign_post}/moderate", data={
        f"p{foreign_post}-csrf_token": csrf_token(hosting, f"/threads/{thread.id}/tools"), f"p{foreign_post}-hide": "1"})
    assert response.status_code == 403
    assert _log(app) == []


def test_members_can_use_none_of_the_tools(app, setting):
    author, reporter, moderator, host, space, other, thread = setting
    member = _client(app, reporter)
    post_id = _posts(app, thread.id)[0]
    token = csrf_token(member, f"/threads/{thread.id}")
    assert member.get("/moderation").status_code == 403
    assert member.get("/moderation/log").status_code == 403
    assert member.get(f"/threads/{thread.id}/tools").status_code == 403
    assert member.post(f"/threads/{thread.id}/tools", data={"csrf_token": token, "lock": "1"}).status_code == 403
    assert member.post(f"/posts/{post_id}/moderate", data={f"p{post_id}-hide": "1"}).status_code == 403
    assert member.get(f"/posts/{post_id}/history").status_code == 403
    assert member.get(f"/posts/{post_id}/promote").status_code == 403
    assert _log(app) == []


def _tool(client, thread_id, **data):
    return submit(client, f"/threads/{thread_id}/tools", data)


def test_lock_with_a_reason_pin_rename_and_unlock(app, setting):
    author, reporter, moderator, host, space, other, thread = setting
    hosting = _client(app, host)
    assert _tool(hosting, thread.id, lock="1", reason="").status_code == 400
    _tool(hosting, thread.id, lock="1", reason="Said all there is to say")
    member = _client(app, reporter)
    page = member.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "This thread is locked" in page and "Said all there is to say" in page and "<textarea" not in page
    refused = submit(member, f"/threads/{thread.id}/reply", {"body": "one more", "submit": "Post reply"},
                     form_url=f"/threads/{thread.id}")
    assert refused.status_code == 403
    _tool(hosting, thread.id, pin="1")
    _tool(hosting, thread.id, rename="1", title="A calmer title")
    _tool(hosting, thread.id, unlock="1")
    with app.app_context():
        row = _db(app).get(Thread, thread.id)
        assert (row.locked, row.pinned, row.title) == (False, True, "A calmer title")
    assert _log(app) == ["lock_thread", "pin_thread", "rename_thread", "unlock_thread"]


def test_move_respects_the_target_spaces_visibility(app, setting):
    author, reporter, moderator, host, space, other, thread = setting
    private = make_space(app, "private-corner", visibility="private")
    mod = _client(app, moderator)
    _tool(mod, thread.id, move="1", space=str(private.id))
    assert app.test_client().get(f"/threads/{thread.id}").status_code == 404
    with app.app_context():
        assert _db(app).get(Space, space.id).thread_count == 0
        assert _db(app).get(Space, private.id).thread_count == 1
    assert _log(app) == ["move_thread"]


def test_split_replies_into_a_new_thread(app, setting):
    author, reporter, moderator, host, space, other, thread = setting
    posts = _posts(app, thread.id)
    mod = _client(app, moderator)
    token = csrf_token(mod, f"/threads/{thread.id}/tools")
    response = mod.post(f"/threads/{thread.id}/tools", data={
        "csrf_token": token, "split": "1", "split_title": "The tangent", "posts": [str(posts[2]), str(posts[3])]})
    assert response.status_code == 302
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        assert _db(app).get(Thread, thread.id).post_count == 2
        assert _db(app).get(Thread, new_id).post_count == 2
        assert _db(app).get(Space, space.id).thread_count == 2
    assert "Reply number 3" in app.test_client().get(f"/threads/{new_id}").get_data(as_text=True)


def test_merge_two_threads_and_old_links_still_work(app, setting):
    author, reporter, moderator, host, space, other, thread = setting
    duplicate = make_thread(app, space, author, title="The same question again", body="Dup words")
    mod = _client(app, moderator)
    response = _tool(mod, duplicate.id, merge="1", target=str(thread.id))
    assert response.status_code == 302
    moved = app.test_client().get(f"/threads/{duplicate.id}")
    assert moved.status_code == 301 and moved.headers["Location"].endswith(f"/threads/{thread.id}")
    with app.app_context():
        assert _db(app).get(Thread, thread.id).post_count == 5
        assert _db(app).get(Space, space.id).thread_count == 1
    bad = _tool(mod, thread.id, merge="1", target="999999")
    assert bad.status_code == 400 and "no thread with that number" in bad.get_data(as_text=True)


def test_moderators_see_earlier_versions_of_an_edited_post(app, setting):
    author, reporter, moderator, host, space, other, thread = setting
    post_id = _posts(app, thread.id)[0]
    writer = _client(app, author)
    submit(writer, f"/posts/{post_id}/edit", {"body": "Second thoughts", "submit": "Save changes"})
    submit(writer, f"/posts/{post_id}/edit", {"body": "Third thoughts", "submit": "Save changes"})
    history = _client(app, moderator).get(f"/posts/{post_id}/history").get_data(as_text=True)
    assert "First words" in history and "Second thoughts" in history
    assert history.index("Second thoughts") < history.index("First words")  # newest first


def test_pre_moderation_holds_a_new_members_first_posts(app, setting):
    author, reporter, moderator, host, space, other, thread = setting
    with app.app_context():
        _db(app).get(Space, space.id).premoderate_first = 1
        _db(app).commit()
    newcomer = make_member(app, "New Person")
    writer = _client(app, newcomer)
    submit(writer, f"/threads/{thread.id}/reply", {"body": "My first ever post", "submit": "Post reply"},
           form_url=f"/threads/{thread.id}")
    assert "My first ever post" in writer.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "Waiting for a moderator" in html.unescape(writer.get(f"/threads/{thread.id}").get_data(as_text=True))
    assert "My first ever post" not in app.test_client().get(f"/threads/{thread.id}").get_data(as_text=True)
    with app.app_context():
        waiting = _db(app).scalar(select(Post.id).where(Post.awaiting_approval.is_(True)))
    hosting = _client(app, host)
    assert "My first ever post" in hosting.get("/moderation").get_data(as_text=True)
    _act(hosting, waiting, "approve")
    assert "My first ever post" in app.test_client().get(f"/threads/{thread.id}").get_data(as_text=True)
    submit(writer, f"/threads/{thread.id}/reply", {"body": "Second post appears at once", "submit": "Post reply"},
           form_url=f"/threads/{thread.id}")
    assert "Second post appears at once" in app.test_client().get(f"/threads/{thread.id}").get_data(as_text=True)


def test_a_pre_moderated_new_thread_is_hidden_until_approved(app, setting):
    author, reporter, moderator, host, space, other, thread = setting
    with app.app_context():
        _db(app).get(Space, space.id).premoderate_first = 2
        _db(app).commit()
    writer = _client(app, make_member(app, "Brand New"))
    response = submit(writer, "/spaces/chat/new", {"title": "zqxwaitingtitle", "body": "Hello all", "submit": "Post thread"})
    thread_url = response.headers["Location"]
    assert app.test_client().get(thread_url).status_code == 404
    assert "zqxwaitingtitle" not in app.test_client().get("/spaces/chat").get_data(as_text=True)
    assert "zqxwaitingtitle" not in app.test_client().get("/").get_data(as_text=True)
    assert writer.get(thread_url).status_code == 200


def test_the_log_is_browsable_and_filterable(app, setting):
    author, reporter, moderator, host, space, other, thread = setting
    mod = _client(app, moderator)
    _tool(mod, thread.id, pin="1")
    _tool(_client(app, host), thread.id, lock="1", reason="Enough")
    page = mod.get("/moderation/log").get_data(as_text=True)
    assert "pin thread" in page and "lock thread" in page and "Enough" in page
    only_pins = mod.get("/moderation/log?action=pin_thread").get_data(as_text=True)
    assert "pin thread" in only_pins and "Enough" not in only_pins
    by_host = mod.get("/moderation/log?actor=host").get_data(as_text=True)
    assert "lock thread" in by_host and "pin thread thread" not in by_host
    with app.app_context():
        assert _db(app).scalar(select(func.count()).select_from(ModerationLogEntry)) == 2
