"""`flask forum backup PATH` while members keep posting, a restore the way docs/deploy.md says, and the
app booting on the restored copy with the same counts; bad paths get exit status 2 and one line."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import threading
import time
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from forum.db import write_transactions
from forum.models import Member, Space, Thread
from forum.operations import libpq_url
from forum.services import posting
from tests.conftest import make_test_app
from tests.factories import make_member, make_space, make_thread

COUNTS = re.compile(r"\((\d+) members, (\d+) spaces, (\d+) threads, (\d+) posts;")


class Writer(threading.Thread):
    """A member who keeps replying, each reply its own transaction, until told to stop."""

    def __init__(self, app, thread_id: int, member_id: int):
        super().__init__(daemon=True)
        self.app, self.thread_id, self.member_id = app, thread_id, member_id
        self.written = 0
        self.errors: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with self.app.app_context():
            db = self.app.extensions["forum"].db.session
            while not self.stop.is_set():
                try:
                    with write_transactions():
                        thread = db.get(Thread, self.thread_id)
                        posting.reply(db, thread=thread, space=db.get(Space, thread.space_id),
                                      author=db.get(Member, self.member_id), body=f"Reply {self.written + 1}")
                        db.commit()
                    self.written += 1
                except Exception as exc:  # noqa: BLE001  (the test reports it)
                    db.rollback()
                    self.errors.append(repr(exc))
                    return
                time.sleep(0.002)


def _counts(url: str) -> dict[str, int]:
    """Row counts, and the thread and space counters summed, from a database by URL."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            def one(sql: str) -> int:
                return int(connection.scalar(text(sql)) or 0)

            return {
                "members": one("SELECT COUNT(*) FROM forum_member"),
                "spaces": one("SELECT COUNT(*) FROM forum_space"),
                "threads": one("SELECT COUNT(*) FROM forum_thread"),
                "posts": one("SELECT COUNT(*) FROM forum_post"),
                "thread_counters": one("SELECT SUM(post_count) FROM forum_thread"),
                "space_post_counters": one("SELECT SUM(post_count) FROM forum_space"),
                "space_thread_counters": one("SELECT SUM(thread_count) FROM forum_space"),
            }
    finally:
        engine.dispose()


@pytest.fixture
def restored_postgres(database_url):
    """An empty PostgreSQL database to restore into (dropped afterwards); None on a SQLite run."""
    if not database_url.startswith("postgresql"):
        yield None
        return
    url = make_url(database_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"forum_restore_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_backup_taken_while_members_post_restores_to_a_consistent_copy_the_app_boots_on(
        app, runner, database_url, restored_postgres, tmp_path):
    author = make_member(app, "Dana Writer")
    space = make_space(app, "chat")
    thread = make_thread(app, space, author, replies=20)
    writer = Writer(app, thread.id, author.id)
    writer.start()
    try:
        while writer.written < 20 and writer.is_alive():
            time.sleep(0.01)
        before = writer.written
        backup = tmp_path / "backups" / "forum.backup"
        backup.parent.mkdir()
        result = runner.invoke(args=["forum", "backup", str(backup)])
        during = writer.written
        while writer.written < during + 20 and writer.is_alive():
            time.sleep(0.01)
    finally:
        writer.stop.set()
        writer.join(timeout=30)
    assert writer.errors == [], writer.errors
    assert result.exit_code == 0, result.output
    assert before > 0 and writer.written > during, "the writer was not writing around the backup"
    members, spaces, threads, posts = map(int, COUNTS.search(result.output).groups())
    assert backup.is_file() and not list(backup.parent.glob("*.partial"))
    assert (backup.stat().st_mode & 0o077) == 0, "a backup of members' words must not be readable by others"

    # Restore, as docs/deploy.md says.
    if restored_postgres is None:
        target = tmp_path / "restored" / "forum.sqlite3"
        target.parent.mkdir()
        shutil.copyfile(backup, target)
        restored_url = f"sqlite:///{target}"
        with sqlite3.connect(target) as check:
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    else:
        restored_url = restored_postgres
        conninfo, env = libpq_url(make_url(restored_url))
        done = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--exit-on-error",
                               f"--dbname={conninfo}", str(backup)], env={**os.environ, **env},
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr

    restored = _counts(restored_url)
    assert (restored["members"], restored["spaces"], restored["threads"], restored["posts"]) == (
        members, spaces, threads, posts), (restored, result.output)
    # Self-consistent: the counters kept in the same transaction as each post agree with the rows.
    assert restored["thread_counters"] == restored["space_post_counters"] == restored["posts"]
    assert restored["space_thread_counters"] == restored["threads"]
    assert 21 + before <= posts <= 21 + during + 1
    live = _counts(database_url)
    assert live["posts"] > posts  # the forum kept going after the backup; the copy is a snapshot

    booted = make_test_app(restored_url, tmp_path / "restored-instance")
    try:
        client = booted.test_client()
        health = client.get("/health")
        assert health.status_code == 200 and health.get_json()["database"] == "ok"
        page = client.get(f"/threads/{thread.id}")
        assert page.status_code == 200 and "A thread about budgets" in page.get_data(as_text=True)
    finally:
        with booted.app_context():
            booted.extensions["forum"].db.engine.dispose()


@pytest.mark.parametrize("case", ["missing folder", "a folder", "parent is a file", "cannot write", "empty"])
def test_a_bad_backup_path_exits_with_status_2_and_one_line(runner, tmp_path, case):
    (tmp_path / "a-file").write_text("not a folder")
    (tmp_path / "a-folder").mkdir()
    path = {
        "missing folder": str(tmp_path / "no" / "such" / "folder" / "forum.backup"),
        "a folder": str(tmp_path / "a-folder"),
        "parent is a file": str(tmp_path / "a-file" / "forum.backup"),
        # Root may write anywhere on disk, but nobody may create files in /proc.
        "cannot write": "/proc/forum.backup",
        "empty": "",
    }[case]
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = runner.invoke(args=["forum", "backup", path])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing half-written


def test_backing_up_onto_the_live_sqlite_database_is_refused(app, runner, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("only a SQLite database is a file that a backup could overwrite")
    live = make_url(database_url).database
    size = os.path.getsize(live)
    result = runner.invoke(args=["forum", "backup", live])
    assert result.exit_code == 2 and "live database" in result.stderr
    assert os.path.getsize(live) == size


def test_without_pg_dump_a_postgresql_backup_says_what_to_install(runner, database_url, tmp_path, monkeypatch):
    if not database_url.startswith("postgresql"):
        pytest.skip("pg_dump is only used for PostgreSQL")
    monkeypatch.setenv("PATH", str(tmp_path))
    result = runner.invoke(args=["forum", "backup", str(tmp_path / "forum.backup")])
    assert result.exit_code == 2 and "pg_dump is not installed" in result.stderr
    assert not (tmp_path / "forum.backup").exists()
