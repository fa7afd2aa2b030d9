"""Fixtures: an app on a fresh database (SQLite, or PostgreSQL with FORUM_TEST_DATABASE_URL), a client, a runner."""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

import forum.models  # noqa: F401  (registers the tables)
from forum import create_app
from forum.db import is_forum_table

IN_CI = os.environ.get("CI") == "true"
# FORUM_TEST_CLOCK_SHIFT_DAYS=365 runs the whole suite with this process's clock a year ahead (any
# whole number of days, negative for behind), time still flowing: a test that holds only around the
# day it was written fails then. Tests that need a fixed day travel to it themselves (time-machine),
# and those travels nest inside this one. Subprocesses (gunicorn, pg_dump, a built wheel's CLI) and
# Chromium keep the real clock.
CLOCK_SHIFT_DAYS = os.environ.get("FORUM_TEST_CLOCK_SHIFT_DAYS", "").strip()
_CLOCK_SHIFT = pytest.StashKey[object]()
SEEDS: dict[str, dict[str, list[dict]]] = {}  # per PostgreSQL test database: the rows its migrations seeded
# Fast hashing for members made by factories; registration and sign-in tests use the real setting.
FAST_HASH = "pbkdf2:sha256:1000"


def pytest_configure(config):
    """Start the session's clock shift (FORUM_TEST_CLOCK_SHIFT_DAYS), if any."""
    if CLOCK_SHIFT_DAYS:
        shifted = datetime.now(timezone.utc) + timedelta(days=int(CLOCK_SHIFT_DAYS))
        travel = time_machine.travel(shifted, tick=True)
        travel.start()
        config.stash[_CLOCK_SHIFT] = travel


def pytest_unconfigure(config):
    travel = config.stash.get(_CLOCK_SHIFT, None)
    if travel is not None:
        travel.stop()


def pytest_report_header(config):
    if CLOCK_SHIFT_DAYS:
        return f"FORUM_TEST_CLOCK_SHIFT_DAYS={CLOCK_SHIFT_DAYS}: the clock reads {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC"
    return None


def _postgres_database():
    """Create a throwaway PostgreSQL database for this run; yield its URL; drop it afterwards."""
    base = os.environ["FORUM_TEST_DATABASE_URL"]
    url = make_url(base.replace("postgresql://", "postgresql+psycopg://", 1) if base.startswith("postgresql://") else base)
    try:
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # unreachable server: skip here, fail in CI
        message = f"PostgreSQL is not reachable at {url.render_as_string(hide_password=True)}: {type(exc).__name__}"
        if IN_CI:
            pytest.fail(message + " (CI=true: the PostgreSQL run is required)")
        pytest.skip(message)
    name = f"forum_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    test_url = url.set(database=name)
    migrate(test_url.render_as_string(hide_password=False))
    engine = create_engine(test_url)
    with engine.connect() as connection:
        # Rows the migrations seed (the library's service areas): put back after each test's truncate.
        SEEDS[name] = {table: [dict(row) for row in connection.execute(text(f'SELECT * FROM "{table}"')).mappings()]
                       for table in inspect(connection).get_table_names() if is_forum_table(table)}
    engine.dispose()
    try:
        yield test_url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url():
    """The PostgreSQL test database's URL, or None when this run is on SQLite."""
    if not os.environ.get("FORUM_TEST_DATABASE_URL"):
        yield None
        return
    yield from _postgres_database()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """An empty SQLite database with the forum's schema, made once and copied for each test."""
    path = tmp_path_factory.mktemp("schema") / "template.sqlite3"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(postgres_url, sqlite_template, tmp_path):
    """A database for one test: a fresh SQLite file, or the run's PostgreSQL database emptied afterwards."""
    if postgres_url is None:
        path = tmp_path / "forum.sqlite3"
        shutil.copyfile(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    yield postgres_url
    engine = create_engine(postgres_url)
    with engine.begin() as connection:
        tables = [name for name in inspect(connection).get_table_names() if is_forum_table(name)]
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        for table, rows in SEEDS[make_url(postgres_url).database].items():
            if rows:
                columns = list(rows[0])
                connection.execute(text(f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES '
                                        f'({", ".join(":" + c for c in columns)})'), rows)
                if "id" in columns:
                    connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                            f'(SELECT max(id) FROM "{table}"))'))
    engine.dispose()


class _SharedBytecode(BytecodeCache):
    """Compiled templates shared by every app the suite makes (each new app would compile them again)."""

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _SharedBytecode()


def migrate(database_url: str) -> None:
    """Build the schema the way operators do: the forum's own migrations, upgraded to the head."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "FORUM_DATABASE_URL": database_url})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        app.extensions["forum"].db.engine.dispose()


def make_test_app(database_url: str, instance_path, **config):
    """The standalone app configured for tests on `database_url`."""
    os.environ["FORUM_INSTANCE_PATH"] = str(instance_path)
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "FORUM_DATABASE_URL": database_url,
        "FORUM_QUERY_COUNT": True,
        # Fast hashing keeps the suite quick; test_auth checks the production setting explicitly.
        "FORUM_PASSWORD_HASH": FAST_HASH,
        "SERVER_NAME": None,
        **config,
    }
    app = create_app(settings)
    app.jinja_env.bytecode_cache = _BYTECODE
    return app


@pytest.fixture
def app(database_url, tmp_path):
    """The standalone forum on a fresh database, with CSRF protection on as in production."""
    app = make_test_app(database_url, tmp_path / "instance")
    yield app
    with app.app_context():
        app.extensions["forum"].db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
