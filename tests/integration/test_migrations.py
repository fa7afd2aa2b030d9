"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from forum.db import Base, is_forum_table
from tests.conftest import make_test_app


@pytest.fixture
def empty_database_url(postgres_url, tmp_path):
    """An empty database: a new SQLite file, or a new PostgreSQL database beside the run's one."""
    if postgres_url is None:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    url = make_url(postgres_url)
    name = f"forum_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_db_upgrade_builds_exactly_the_models_schema(empty_database_url, tmp_path):
    app = make_test_app(empty_database_url, tmp_path / "instance")
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        engine = app.extensions["forum"].db.engine
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "include_object": lambda o, name, t, r, c: t != "table" or is_forum_table(name),
            })
            diff = compare_metadata(context, Base.metadata)
        tables = set(inspect(engine).get_table_names())
        engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"
    assert "forum_alembic_version" in tables


def test_sqlite_runs_in_wal_with_foreign_keys(app, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite settings only apply to SQLite")
    with app.app_context():
        with app.extensions["forum"].db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_postgres_run_really_uses_postgres(app):
    with app.app_context():
        backend = app.extensions["forum"].db.engine.url.get_backend_name()
    assert backend == ("postgresql" if os.environ.get("FORUM_TEST_DATABASE_URL") else "sqlite")
