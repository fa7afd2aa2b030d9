"""Upgrading an existing forum keeps every row, on SQLite and PostgreSQL, and so does going back.

On SQLite a migration that changes a table's constraints rebuilds it (copy, drop, rename); with
foreign keys on, dropping the old table deleted every row that points at it ON DELETE CASCADE: a
space's threads and posts, a chat's imports and questions, a library entry's service areas. The
migrations now run with SQLite's foreign keys off and check them before committing.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, inspect, text

from tests.conftest import make_test_app
from tests.integration.test_migrations import empty_database_url  # noqa: F401  (the fixture)

BEFORE = "0012"  # the schema of the last release before this round's migrations
# The rows an existing forum has, parent first; a foreign key column names the table it points at.
ROWS = [
    ("forum_member", {}),
    ("forum_space", {}),
    ("forum_thread", {"space_id": "forum_space"}),
    ("forum_post", {"thread_id": "forum_thread", "author_id": "forum_member"}),
    ("forum_chat", {"space_id": "forum_space"}),
    ("forum_chat_import", {"chat_id": "forum_chat"}),
    ("forum_proposed_question", {"chat_id": "forum_chat", "member_id": "forum_member"}),
    ("forum_question_vote", {"question_id": "forum_proposed_question", "member_id": "forum_member"}),
    ("forum_library_tag", {}),
    ("forum_library_entry", {"thread_id": "forum_thread", "post_id": "forum_post", "promoted_by_id": "forum_member"}),
    ("forum_library_entry_tag", {"entry_id": "forum_library_entry", "tag_id": "forum_library_tag"}),
    ("forum_watch", {"member_id": "forum_member"}),
]


def _value(column, n: int):
    """Something a NOT NULL column without a default will take."""
    kind = column["type"]
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, Integer):
        return 0
    if isinstance(kind, DateTime):
        return datetime(2024, 5, 1, 10, 0)
    if isinstance(kind, Date):
        return date(2024, 5, 1)
    if isinstance(kind, JSON):
        return "{}"
    return f"v{n}"


def _fill(connection) -> None:
    found = inspect(connection)
    ids: dict[str, int] = {}
    for table, parents in ROWS:
        values = {}
        for n, column in enumerate(found.get_columns(table)):
            name = column["name"]
            if name in parents:
                values[name] = ids[parents[name]]
            elif name != "id" and not column["nullable"] and column.get("default") is None:
                values[name] = _value(column, n)
        if table == "forum_post":
            values["thread_id"] = ids["forum_thread"]
        names = ", ".join(values)
        marks = ", ".join(f":{name}" for name in values)
        connection.execute(text(f"INSERT INTO {table} ({names}) VALUES ({marks})"), values)
        if "id" in {c["name"] for c in found.get_columns(table)}:
            ids[table] = connection.execute(text(f"SELECT max(id) FROM {table}")).scalar()


def _counts(app) -> dict[str, int]:
    with app.app_context():
        engine = app.extensions["forum"].db.engine
        with engine.connect() as connection:
            counts = {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() for table, _ in ROWS}
        engine.dispose()
    return counts


def test_upgrading_and_going_back_keep_every_row(empty_database_url, tmp_path):  # noqa: F811
    app = make_test_app(empty_database_url, tmp_path / "instance")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", BEFORE]).exit_code == 0
    with app.app_context():
        engine = app.extensions["forum"].db.engine
        with engine.begin() as connection:
            _fill(connection)
        engine.dispose()
    every_row = _counts(app)
    assert all(every_row.values()), every_row
    for step in (["upgrade"], ["downgrade", BEFORE], ["upgrade"]):
        result = runner.invoke(args=["db", *step])
        assert result.exit_code == 0, result.output
        assert _counts(app) == every_row, step
