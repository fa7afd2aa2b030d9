"""Posting: start a thread, preview, reply, quote, edit, delete; CSRF on every form."""

from __future__ import annotations

from sqlalchemy import select

from forum import markup
from forum.models import Post, Space, Thread
from tests.factories import csrf_token, login, make_member, make_space, make_thread, submit


def _posts(app, thread_id):
    with app.app_context():
        session = app.extensions["forum"].db.session
        return session.scalars(select(Post).where(Post.thread_id == thread_id).order_by(Post.id)).all()


def test_member_starts_a_thread_with_markdown(app, client):
    member = make_member(app)
    space = make_space(app)
    login(client, member)
    response = submit(client, f"/spaces/{space.slug}/new",
                      {"title": "Weekend rotas", "body": "We use **a rota** of four.", "submit": "Post thread"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Weekend rotas" in page and "<strong>a rota</strong>" in page
    with app.app_context():
        stored = app.extensions["forum"].db.session.get(Space, space.id)
        assert stored.thread_count == 1 and stored.post_count == 1


def test_a_preview_of_a_post_too_long_comes_back_with_the_error_and_the_text(app, client):
    member = make_member(app)
    space = make_space(app)
    thread = make_thread(app, space, member)
    login(client, member)
    long_text = "Our rota, in full detail. " + "word " * (markup.MAX_SOURCE_CHARS // 5)
    for url, data in ((f"/spaces/{space.slug}/new", {"title": "A long one", "body": long_text, "preview": "Preview"}),
                      (f"/threads/{thread.id}/reply", {"body": long_text, "preview": "Preview"})):
        response = submit(client, url, data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, url
        assert f"Enter at most {markup.MAX_SOURCE_CHARS:,} characters" in page
        assert "Our rota, in full detail." in page  # what was typed is still in the form


def test_preview_shows_the_post_and_saves_nothing(app, client):
    member = make_member(app)
    space = make_space(app)
    login(client, member)
    response = submit(client, f"/spaces/{space.slug}/new",
                      {"title": "Draft title", "body": "Some *emphasis*", "preview": "Preview"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Preview" in page and "<em>emphasis</em>" in page
    assert 'value="Draft title"' in page and "Some *emphasis*" in page
    with app.app_context():
        assert app.extensions["forum"].db.session.scalar(select(Thread.id)) is None


def test_thread_form_errors_keep_what_was_typed(app, client):
    member = make_member(app)
    space = make_space(app)
    login(client, member)
    response = submit(client, f"/spaces/{space.slug}/new", {"title": "Hi", "body": "My long careful post", "submit": "Post thread"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and 'href="#title"' in page
    assert "Enter a title of at least 3 characters" in page
    assert "My long careful post" in page
    assert page.startswith("<!doctype html>") and "<title>Error:" in page


def test_reply_is_added_at_the_end_and_counts_rise(app, client):
    author = make_member(app)
    replier = make_member(app, "Priya Shah")
    thread = make_thread(app, make_space(app), author)
    login(client, replier)
    response = submit(client, f"/threads/{thread.id}/reply", {"body": "Here is my answer", "submit": "Post reply"},
                      form_url=f"/threads/{thread.id}")
    assert response.status_code == 302
    posts = _posts(app, thread.id)
    assert [p.body_source for p in posts][-1] == "Here is my answer"
    with app.app_context():
        assert app.extensions["forum"].db.session.get(Thread, thread.id).post_count == 2


def test_quote_link_prefills_the_reply_with_the_quoted_post(app, client):
    author = make_member(app, "Jo Williams")
    thread = make_thread(app, make_space(app), author, body="Drop-ins over lunch work")
    first = _posts(app, thread.id)[0]
    login(client, make_member(app))
    page = client.get(f"/threads/{thread.id}/reply?quote={first.id}").get_data(as_text=True)
    assert "**Jo Williams wrote:**" in page
    assert "&gt; Drop-ins over lunch work" in page
    response = submit(client, f"/threads/{thread.id}/reply",
                      {"body": "> Drop-ins over lunch work\n\nAgreed", "quote_of": str(first.id), "submit": "Post reply"},
                      form_url=f"/threads/{thread.id}/reply?quote={first.id}")
    assert response.status_code == 302
    assert _posts(app, thread.id)[-1].quote_of_id == first.id


def test_a_post_cannot_be_quoted_into_another_space(app, client):
    member = make_member(app)
    other = make_thread(app, make_space(app), member, body="words from elsewhere")
    here = make_thread(app, make_space(app), member)
    foreign = _posts(app, other.id)[0]
    login(client, member)
    assert client.get(f"/threads/{here.id}/reply?quote={foreign.id}").status_code == 404


def test_visitor_is_asked_to_sign_in_to_reply(app, client):
    thread = make_thread(app, make_space(app), make_member(app))
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "Sign in to reply" in page and "<textarea" not in page
    response = client.get(f"/threads/{thread.id}/reply")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_author_edits_own_post_and_it_is_marked_edited(app, client):
    author = make_member(app)
    thread = make_thread(app, make_space(app), author, body="Original words")
    post = _posts(app, thread.id)[0]
    login(client, author)
    form = client.get(f"/posts/{post.id}/edit").get_data(as_text=True)
    assert "Original words" in form
    response = submit(client, f"/posts/{post.id}/edit", {"body": "Better words", "submit": "Save changes"})
    assert response.status_code == 302
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "Better words" in page and "edited" in page and "Original words" not in page


def test_nobody_else_may_edit_or_delete_a_post(app, client):
    author = make_member(app)
    thread = make_thread(app, make_space(app), author, body="Mine")
    post = _posts(app, thread.id)[0]
    login(client, make_member(app))
    assert client.get(f"/posts/{post.id}/edit").status_code == 403
    response = submit(client, f"/posts/{post.id}/edit", {"body": "Hijacked"}, form_url=f"/threads/{thread.id}")
    assert response.status_code == 403
    assert _posts(app, thread.id)[0].body_source == "Mine"


def test_deleted_post_leaves_a_marker_and_counts_stay(app, client):
    author = make_member(app)
    thread = make_thread(app, make_space(app), author, replies=1)
    reply = _posts(app, thread.id)[1]
    login(client, author)
    response = submit(client, f"/posts/{reply.id}/delete", {})
    assert response.status_code == 302
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "deleted by its author" in page and "Reply number 1" not in page
    with app.app_context():
        assert app.extensions["forum"].db.session.get(Thread, thread.id).post_count == 2


def test_a_form_without_its_csrf_token_is_refused_and_keeps_the_text(app, client):
    member = make_member(app)
    space = make_space(app)
    login(client, member)
    response = client.post(f"/spaces/{space.slug}/new",
                           data={"title": "Typed title", "body": "Typed with care", "submit": "Post thread"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This form had expired" in page
    assert 'value="Typed title"' in page and "Typed with care" in page
    with app.app_context():
        assert app.extensions["forum"].db.session.scalar(select(Thread.id)) is None


def test_an_over_long_post_is_refused_with_a_message(app, client):
    member = make_member(app)
    thread = make_thread(app, make_space(app), member)
    login(client, member)
    response = submit(client, f"/threads/{thread.id}/reply", {"body": "x" * 60_000, "submit": "Post reply"},
                      form_url=f"/threads/{thread.id}")
    assert response.status_code == 400
    assert "Enter at most 50,000 characters" in response.get_data(as_text=True)


def test_pending_member_cannot_post(app, client):
    space = make_space(app)
    login(client, make_member(app, state="pending"))
    response = client.get(f"/spaces/{space.slug}/new")
    assert response.status_code == 403


def _form_key(page: str) -> str:
    import re
    return re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page).group(1)


def test_a_double_submitted_reply_posts_once(app, client):
    member = make_member(app)
    thread = make_thread(app, make_space(app), member)
    login(client, member)
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    data = {"body": "Only once please", "submit": "Post reply", "submission_key": _form_key(page),
            "csrf_token": csrf_token(client, f"/threads/{thread.id}")}
    first = client.post(f"/threads/{thread.id}/reply", data=data)
    second = client.post(f"/threads/{thread.id}/reply", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert [p.body_source for p in _posts(app, thread.id)].count("Only once please") == 1


def test_a_double_submitted_thread_starts_once(app, client):
    member = make_member(app)
    space = make_space(app)
    login(client, member)
    page = client.get(f"/spaces/{space.slug}/new").get_data(as_text=True)
    data = {"title": "Started once", "body": "x", "submit": "Post thread", "submission_key": _form_key(page),
            "csrf_token": csrf_token(client, f"/spaces/{space.slug}/new")}
    assert client.post(f"/spaces/{space.slug}/new", data=data).headers["Location"] == \
        client.post(f"/spaces/{space.slug}/new", data=data).headers["Location"]
    with app.app_context():
        assert app.extensions["forum"].db.session.get(Space, space.id).thread_count == 1


def test_two_racing_submissions_of_one_form_post_once(app):
    import threading
    member = make_member(app)
    thread = make_thread(app, make_space(app), member)
    clients = [app.test_client() for _ in range(2)]
    for c in clients:
        login(c, member)
    key = _form_key(clients[0].get(f"/threads/{thread.id}").get_data(as_text=True))
    tokens = [csrf_token(c, f"/threads/{thread.id}") for c in clients]
    results = []

    def send(index):
        response = clients[index].post(f"/threads/{thread.id}/reply", data={
            "body": "Raced", "submit": "Post reply", "submission_key": key, "csrf_token": tokens[index]})
        results.append(response.status_code)

    workers = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert results == [302, 302]
    assert [p.body_source for p in _posts(app, thread.id)].count("Raced") == 1
