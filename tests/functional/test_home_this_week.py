"""The home page (#22): who the forum is for, this week's chat with its questions and reply counts, the next
chat with "Add to calendar", and how a visitor joins."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from forum.db import utcnow
from forum.models import Chat, Post, Space, Thread
from forum.services.threads import recount_space, recount_thread
from tests.factories import db_session, login, make_member, make_post, make_space
from tests.functional.test_query_counts import _limit, _queries, _transcript


def _import(app, runner, tmp_path, space, answers: int, name: str, day: int = 14) -> int:
    """Import a TAGS sheet of two questions held on `day` January 2011 as the chat called `name`."""
    path = tmp_path / f"{name}.csv"
    path.write_bytes(_transcript(answers).replace(b"Jan 14", f"Jan {day}".encode()))
    result = runner.invoke(args=["forum", "import-transcript", str(path), "--space", space.slug, "--title", name])
    assert result.exit_code == 0, result.output
    with app.app_context():
        return db_session(app).scalar(select(Chat.id).where(Chat.title == name))


def _section(page: str) -> str:
    """The "This week's chat" section of the home page."""
    match = re.search(r'<section aria-labelledby="this-week">(.*?)</section>', page, re.S)
    assert match, "no This week's chat section"
    return match.group(1)


def _questions(app, chat_id: int) -> list[Thread]:
    with app.app_context():
        db = db_session(app)
        threads = list(db.scalars(select(Thread).where(Thread.chat_id == chat_id, Thread.question_number > 0)
                                  .order_by(Thread.question_number)))
        db.expunge_all()
        return threads


def test_home_says_who_the_forum_is_for_and_how_a_visitor_joins(app, client):
    page = client.get("/").get_data(as_text=True)
    assert ("For people in UK local government and the voluntary sector who work in digital and social media"
            in page)
    assert 'create an account</a>' in page and 'href="/register"' in page
    member = make_member(app)
    login(client, member)
    assert 'create an account</a>' not in client.get("/").get_data(as_text=True).split("</header>")[1]


def test_this_weeks_chat_is_the_newest_imported_with_its_questions_in_order_and_reply_counts(app, client, runner,
                                                                                               tmp_path):
    space = make_space(app, "lgovsm")
    newest = _import(app, runner, tmp_path, space, 20, "#lgovsm newest chat", day=21)
    _import(app, runner, tmp_path, space, 6, "#lgovsm older chat", day=14)  # imported last, held first
    q1, q2 = _questions(app, newest)
    replier = make_member(app)
    make_post(app, q2, replier, "Carrying on")
    waiting = make_post(app, q2, replier, "Waiting for a moderator")
    with app.app_context():  # a reply waiting for approval is counted for nobody
        db = db_session(app)
        db.get(Post, waiting.id).awaiting_approval = True
        recount_thread(db, db.get(Thread, q2.id))
        recount_space(db, db.get(Space, space.id))
        db.commit()
        replies = {t.id: t.reply_count for t in db.scalars(select(Thread).where(Thread.chat_id == newest))}

    week = _section(client.get("/").get_data(as_text=True))
    assert "#lgovsm newest chat" in week and "#lgovsm older chat" not in week
    assert f'href="/chats/{newest}"' in week
    titles = re.findall(r'<a href="/threads/(\d+)/[^"]*">([^<]+)</a>\s*<span class="hint">(\d+) repl', week)
    assert [int(thread_id) for thread_id, _title, _n in titles] == [q1.id, q2.id]  # Q1 then Q2, no wrap-up
    assert {int(thread_id): int(n) for thread_id, _title, n in titles} == {q1.id: replies[q1.id], q2.id: replies[q2.id]}
    # And each question's page links back to its chat.
    thread_page = client.get(f"/threads/{q1.id}").get_data(as_text=True)
    assert f'<a href="/chats/{newest}">#lgovsm newest chat</a>' in thread_page


def test_a_chat_in_a_space_the_viewer_cannot_read_is_not_this_weeks_chat(app, client, runner, tmp_path):
    public, private = make_space(app, "open-chat"), make_space(app, "closed-chat", visibility="private")
    _import(app, runner, tmp_path, public, 6, "#lgovsm open chat")
    _import(app, runner, tmp_path, private, 6, "zqxclosedchat", day=21)  # newer than the open one
    week = _section(client.get("/").get_data(as_text=True))
    assert "#lgovsm open chat" in week and "zqxclosedchat" not in week


def test_the_next_chat_shows_with_add_to_calendar_and_a_past_one_does_not(app, client):
    space = make_space(app)
    with app.app_context():
        db = db_session(app)
        db.add_all([Chat(title="Last week's chat", space_id=space.id, starts_at=utcnow() - timedelta(days=7)),
                    Chat(title="Chat after next", space_id=space.id, starts_at=utcnow() + timedelta(days=14)),
                    Chat(title="Next Friday's chat", space_id=space.id, starts_at=utcnow() + timedelta(days=7))])
        db.commit()
        next_id = db.scalar(select(Chat.id).where(Chat.title == "Next Friday's chat"))
    week = _section(client.get("/").get_data(as_text=True))
    assert "No chat has been imported yet." in week
    assert "Next Friday&#39;s chat" in week and "Chat after next" not in week and "Last week" not in week
    assert f'href="/chats/{next_id}.ics">Add to calendar' in week
    assert client.get(f"/chats/{next_id}.ics").status_code == 200


def test_home_query_count_stays_the_same_with_a_bigger_chat(app, client, runner, tmp_path):
    space = make_space(app, "chat-space")
    member = make_member(app)
    _import(app, runner, tmp_path, space, 10, "#lgovsm small")
    small = _queries(client, "/")
    login(client, member)
    small_member = _queries(client, "/")
    _import(app, runner, tmp_path, space, 400, "#lgovsm large", day=21)
    visitor = app.test_client()
    assert _queries(visitor, "/") == small
    assert _queries(client, "/") == small_member <= _limit(app)


def test_the_demo_communitys_chat_is_this_weeks_chat(app, client, runner):
    assert runner.invoke(args=["forum", "demo"]).exit_code == 0
    week = _section(client.get("/").get_data(as_text=True))
    assert "#lgovsm 13 November 2026" in week
    assert "Q1: How do you support the social media evangelists in your organisation?" in week
