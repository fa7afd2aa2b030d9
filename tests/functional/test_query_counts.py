"""A page's SQL query count does not grow with the posts or threads on it."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from forum.models import Chat, ProposedQuestion
from tests.factories import login, make_member, make_space, make_thread

# At most 9 statements a page; on SQLite the count includes the BEGIN the forum sends itself. (It was 8:
# since #22 a signed-in member's header counts join requests waiting for them as a host, which needs their
# space roles: one query, whatever the page holds. The tests below hold the count constant as data grows.)
LIMIT = 9


def _limit(app) -> int:
    with app.app_context():
        return LIMIT + (app.extensions["forum"].db.engine.dialect.name == "sqlite")


def _queries(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return int(response.headers["X-Forum-Queries"])


def test_thread_page_of_5_and_200_posts_runs_the_same_queries(app, client):
    author = make_member(app, organisation="Leeds City Council")
    space = make_space(app)
    small = make_thread(app, space, author, replies=4)
    large = make_thread(app, space, author, replies=199)
    app.config["FORUM_POSTS_PER_PAGE"] = 200
    assert _queries(client, f"/threads/{small.id}") == _queries(client, f"/threads/{large.id}")
    login(client, author)
    assert _queries(client, f"/threads/{small.id}") == _queries(client, f"/threads/{large.id}")


def test_space_pages_of_5_and_200_threads_run_the_same_queries(app, client):
    authors = [make_member(app) for _ in range(3)]
    small, large = make_space(app), make_space(app)
    for i in range(5):
        make_thread(app, small, authors[i % 3], replies=1)
    for i in range(200):
        make_thread(app, large, authors[i % 3], replies=1)
    app.config["FORUM_THREADS_PER_PAGE"] = 200
    assert _queries(client, f"/spaces/{small.slug}") == _queries(client, f"/spaces/{large.slug}")
    login(client, authors[0])
    assert _queries(client, f"/spaces/{small.slug}") == _queries(client, f"/spaces/{large.slug}")
    assert _queries(client, "/") <= _limit(app)


def _transcript(answers: int) -> bytes:
    """A TAGS sheet: the host asks two questions, people answer and reply to each other."""
    out = io.StringIO()
    sheet = csv.writer(out)
    sheet.writerow(["id_str", "from_user", "text", "created_at", "in_reply_to_status_id_str", "from_user_id_str"])
    sheet.writerow(["1", "LGovSM", "Q1 How do you start? #lgovsm", "Fri Jan 14 13:00:00 +0000 2011", "", "1"])
    for i in range(answers):
        minute = 1 + i * 50 // answers
        question = 1 if minute < 25 else 2
        if i == answers // 2:
            sheet.writerow(["2", "LGovSM", "Q2 And then? #lgovsm", "Fri Jan 14 13:25:00 +0000 2011", "", "1"])
        sheet.writerow([str(100 + i), f"person{i % 40}", f"A{question} answer {i} #lgovsm",
                        f"Fri Jan 14 13:{minute:02d}:30 +0000 2011", str(99 + i) if i % 3 else "", str(1000 + i % 40)])
    return out.getvalue().encode()


def test_chat_pages_of_10_and_400_posts_and_questions_run_the_same_queries(app, client, runner, tmp_path):
    member = make_member(app)
    small_space, large_space = make_space(app, "small-chat"), make_space(app, "large-chat")
    for space, answers in ((small_space, 10), (large_space, 400)):
        path = tmp_path / f"{space.slug}.csv"
        path.write_bytes(_transcript(answers))
        result = runner.invoke(args=["forum", "import-transcript", str(path), "--space", space.slug])
        assert result.exit_code == 0, result.output
    with app.app_context():
        db = app.extensions["forum"].db.session
        small, large = (db.scalar(select(Chat.id).where(Chat.space_id == s.id)) for s in (small_space, large_space))
        # Proposed questions too: one on the small chat, thirty on the large, each by the member.
        for chat_id, count in ((small, 1), (large, 30)):
            db.add_all(ProposedQuestion(chat_id=chat_id, member_id=member.id, text=f"Question {i} for us all?")
                       for i in range(count))
        db.commit()
    assert _queries(client, f"/chats/{small}") == _queries(client, f"/chats/{large}") <= _limit(app)
    login(client, member)
    assert _queries(client, f"/chats/{small}") == _queries(client, f"/chats/{large}") <= _limit(app)
