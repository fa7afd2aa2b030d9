"""`flask forum ...` commands: admins, spaces, the demo, formats and re-rendering."""

from __future__ import annotations

from sqlalchemy import func, select

from forum.models import Member, Post, Space, Thread
from tests.factories import make_member, make_space, make_thread


def _count(app, model) -> int:
    with app.app_context():
        return app.extensions["forum"].db.session.scalar(select(func.count()).select_from(model))


def test_create_admin(app, runner):
    result = runner.invoke(args=["forum", "create-admin", "Alex@Example.gov.uk", "--name", "Alex Morgan",
                                 "--password", "a long admin password"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        admin = app.extensions["forum"].db.session.scalar(select(Member))
        assert (admin.email, admin.role) == ("alex@example.gov.uk", "admin")


def test_create_admin_refuses_bad_input_with_status_2(app, runner):
    result = runner.invoke(args=["forum", "create-admin", "not-an-email", "--name", "X", "--password", "short"])
    assert result.exit_code == 2
    assert "email address" in result.output
    assert _count(app, Member) == 0


def test_create_space(app, runner):
    result = runner.invoke(args=["forum", "create-space", "evangelists", "--name", "Evangelist support",
                                 "--visibility", "private", "--anonymous-posting"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        space = app.extensions["forum"].db.session.scalar(select(Space))
        assert (space.slug, space.visibility, space.anonymous_posting) == ("evangelists", "private", True)
    again = runner.invoke(args=["forum", "create-space", "evangelists", "--name", "Again"])
    assert again.exit_code == 2 and "already has that address" in again.output


def test_demo_loads_once_and_changes_nothing_the_second_time(app, runner):
    first = runner.invoke(args=["forum", "demo"])
    assert first.exit_code == 0 and "Sign in with any of these accounts" in first.output
    counts = [_count(app, model) for model in (Member, Space, Thread, Post)]
    assert counts[0] >= 12 and counts[1] >= 3
    second = runner.invoke(args=["forum", "demo"])
    assert second.exit_code == 0 and "nothing changed" in second.output
    assert [_count(app, model) for model in (Member, Space, Thread, Post)] == counts


def test_demo_if_empty_leaves_a_real_forum_alone(app, runner):
    make_space(app)
    result = runner.invoke(args=["forum", "demo", "--if-empty"])
    assert "not loaded" in result.output
    assert _count(app, Member) == 0


def test_demo_has_a_chat_question_with_a_dozen_answers_and_a_private_space(app, runner):
    runner.invoke(args=["forum", "demo"])
    with app.app_context():
        session = app.extensions["forum"].db.session
        question = session.scalar(select(Thread).where(Thread.question_number == 1))
        assert question.chat_id is not None and question.post_count >= 13
        assert session.scalar(select(Space).where(Space.visibility == "private")) is not None


def test_rerender_rebuilds_stored_html(app, runner):
    member = make_member(app)
    thread = make_thread(app, make_space(app), member, body="Some **bold** words")
    with app.app_context():
        session = app.extensions["forum"].db.session
        post = session.scalar(select(Post).where(Post.thread_id == thread.id))
        post.body_html = "<p>stale</p>"
        session.commit()
    result = runner.invoke(args=["forum", "rerender"])
    assert result.exit_code == 0 and "1 posts" in result.output
    with app.app_context():
        post = app.extensions["forum"].db.session.scalar(select(Post).where(Post.thread_id == thread.id))
        assert "<strong>bold</strong>" in post.body_html
