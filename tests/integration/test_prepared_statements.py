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


def test_a_request_that_wrote_without_committing_is_rolled_back(app):
    assert app.test_client().get("/_test/flush-without-commit").get_data(as_text=True) == "flushed"
    with app.app_context():
        assert db_session(app).scalar(select(Organisation).where(Organisation.name == "Zqx Unsaved Council")) is None
