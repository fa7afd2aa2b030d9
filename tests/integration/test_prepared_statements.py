"""On PostgreSQL a request that only read ends with COMMIT, so psycopg keeps the statements it prepared
(forum.db.end_reads_with_commit, #19); a request that wrote without committing is still rolled back.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from forum.models import Organisation
from tests.conftest import make_test_app
from tests.factories import db_session, login, make_member, make_space, make_thread


@pytest.fixture
def app(database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("prepared statements are PostgreSQL's")
    app = make_test_app(database_url, tmp_path / "instance")

    @app.get("/_test/flush-without-commit")
    def flush_without_commit():
        db = db_session(app)
        db.add(Organisation("Zqx Unsaved Council"))
        db.flush()
        return "flushed"

    @app.get("/_test/prepared")
    def prepared():
        return str(db_session(app).execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar())

    @app.get("/_test/prepared-statements")
    def prepared_statements():
        return "\n\n".join(db_session(app).scalars(text("SELECT statement FROM pg_prepared_statements")))

    yield app
    with app.app_context():
        app.extensions["forum"].db.engine.dispose()


def test_a_page_read_again_and_again_runs_from_prepared_statements(app):
    thread = make_thread(app, make_space(app), make_member(app), replies=3)
    client = app.test_client()
    login(client, make_member(app, "Grace Hopper"))
    for _ in range(8):
        assert client.get(f"/threads/{thread.id}").status_code == 200
    assert int(client.get("/_test/prepared").get_data(as_text=True)) > 0


def test_a_search_is_planned_for_its_words_every_time_and_its_other_statements_are_prepared(app):
    """The best way to read the index depends on the words (forum.db.planned_for_its_values): the statement
    that ranks the matches is never prepared, however often it runs; the one that reads the posts found is."""
    make_thread(app, make_space(app), make_member(app), title="Budget simulators", body="Our budget simulator.",
                replies=2)
    client = app.test_client()
    login(client, make_member(app, "Grace Hopper"))
    for _ in range(8):
        page = client.get("/search", query_string={"q": "budget simulator"}).get_data(as_text=True)
        assert "<mark>budget</mark> <mark>simulator</mark>" in page
    prepared = client.get("/_test/prepared-statements").get_data(as_text=True)
    assert "ts_headline" in prepared           # the posts found, with their snippets
    assert "ts_rank_cd" not in prepared        # the ranking


def test_a_request_that_wrote_without_committing_is_rolled_back(app):
    assert app.test_client().get("/_test/flush-without-commit").get_data(as_text=True) == "flushed"
    with app.app_context():
        assert db_session(app).scalar(select(Organisation).where(Organisation.name == "Zqx Unsaved Council")) is None


def test_the_chat_hours_pages_read_without_a_transaction_and_still_keep_the_members_place(app):
    """The thread, space and home pages read in autocommit (forum.db.read_pages_without_transaction): no
    BEGIN and COMMIT around their reads; a member's read mark is still written, in a transaction of its own."""
    from psycopg.pq import TransactionStatus
    from sqlalchemy import event

    from forum.models import ReadState

    space = make_space(app, "budgets")
    thread = make_thread(app, space, make_member(app), replies=3)
    reader = make_member(app, "Grace Hopper")
    client = app.test_client()
    login(client, reader)
    seen = []
    with app.app_context():
        engine = app.extensions["forum"].db.engine

    def note(conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append(conn.connection.driver_connection.info.transaction_status)

    event.listen(engine, "before_cursor_execute", note)
    try:
        for url in (f"/threads/{thread.id}", "/spaces/budgets", "/"):
            seen.clear()
            assert client.get(url).status_code == 200
            assert seen and set(seen) == {TransactionStatus.IDLE}, url  # never inside a BEGIN
    finally:
        event.remove(engine, "before_cursor_execute", note)
    with app.app_context():
        mark = db_session(app).scalar(select(ReadState).where(ReadState.member_id == reader.id))
        assert mark is not None and mark.thread_id == thread.id
    # Any other page still reads in a transaction.
    event.listen(engine, "before_cursor_execute", note)
    try:
        seen.clear()
        assert client.get("/account").status_code == 200
        assert TransactionStatus.INTRANS in set(seen)
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_a_write_on_a_page_read_without_a_transaction_is_refused(app):
    """It would not be atomic with the request's other writes: a bug in the page, refused before it runs."""
    space = make_space(app, "budgets")

    @app.before_request
    def write_first():
        from flask import request
        if request.endpoint == "forum.space":
            db_session(app).execute(text("UPDATE forum_space SET name = name WHERE slug = 'budgets'"))

    with pytest.raises(PermissionError, match="without a transaction"):
        app.test_client().get(f"/spaces/{space.slug}")
