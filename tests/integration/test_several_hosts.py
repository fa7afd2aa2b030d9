"""The same forum on two app hosts: two gunicorn servers, each with its own workers, sharing one
PostgreSQL database and one Redis, configured only by FORUM_* settings, as a second machine would be.

A reply made through one host shows on the other's next page view; the sign-in and posting limits
count across both; a session made on one is good on the other, and signing out on either ends it on
both. Two hosts sending the outbox at the same moment deliver each message once to a real SMTP
server (also through PgBouncer in transaction mode, with FORUM_PGBOUNCER), and three hosts sending
the daily digests at the same moment send each member one digest.

PostgreSQL only (SQLite is one machine's file): it runs in the PostgreSQL pass of `make test`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from bench import concurrency
from forum.db import utcnow
from forum.models import Member, Notification, OutboxMessage, Post
from tests.factories import PASSWORD, flushed_redis, make_member, make_space, make_thread
from tests.mailserver import MailServer

pytestmark = pytest.mark.postgres

REDIS_URL = "redis://127.0.0.1:6379/14"  # a database of its own (the Redis limit test uses 15)
BASE_URL = "http://forum.example.test"
ROOT = concurrency.ROOT


@pytest.fixture
def postgres(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("several app hosts share PostgreSQL; this runs in the PostgreSQL pass (FORUM_TEST_DATABASE_URL)")
    return database_url


@pytest.fixture
def redis_db():
    """Redis database 14, flushed before and after; skipped without Redis unless CI=true."""
    yield from flushed_redis(REDIS_URL)


def host_settings(database_url: str, secret: str, **extra: str) -> dict[str, str]:
    """Everything a host needs, all of it from configuration: the same on every host."""
    return {"FORUM_DATABASE_URL": database_url, "FORUM_SECRET_KEY": secret, "FORUM_REDIS_URL": REDIS_URL,
            "FORUM_BASE_URL": BASE_URL, **extra}


def command(settings: dict[str, str], instance, *args: str, name: str) -> subprocess.Popen:
    """`flask --app wsgi forum ...` as a host's cron runs it, with that host's settings only."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FORUM_", "FLASK_"))}
    env.update(settings, FORUM_INSTANCE_PATH=str(instance), PYTHONUNBUFFERED="1", PGAPPNAME=name)
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "forum", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


class StartTogether:
    """Hold a table with an exclusive lock until every named command waits for it, then let them all go.

    Each command's first statement on `table` queues behind the lock, so when it is released they run
    over the same rows at the same moment: the race that two hosts' cron jobs can run into.
    """

    def __init__(self, database_url: str, table: str, names: list[str]):
        import psycopg

        self.conninfo = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
        self.names = names
        self.holder = psycopg.connect(self.conninfo)
        self.holder.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")

    def release_when_waiting(self, processes: list[subprocess.Popen], timeout: float = 60) -> None:
        import psycopg

        deadline = time.monotonic() + timeout
        with psycopg.connect(self.conninfo, autocommit=True) as watcher:
            while True:
                waiting = watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND application_name = ANY(%s)", [self.names]).fetchone()[0]
                if waiting == len(self.names):
                    break
                finished = [p.args for p in processes if p.poll() is not None]
                assert not finished, f"a command ended before reaching the lock: {finished}"
                assert time.monotonic() < deadline, f"only {waiting} of {self.names} reached the lock"
                time.sleep(0.05)
        self.holder.commit()
        self.holder.close()


def finish(process: subprocess.Popen, timeout: float = 120) -> str:
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, output
    return output


# -- pages, sessions and limits ------------------------------------------------------------------------

def _sign_in(browser: concurrency.Browser, email: str, password: str = PASSWORD) -> int:
    page, hidden = browser.form("/login")
    assert page.status == 200, page.status
    return browser.request("/login", [*hidden, ("email", email), ("password", password)]).status


def _reply(browser: concurrency.Browser, thread_id: int, body: str) -> concurrency.Reply:
    page, hidden = browser.form(f"/threads/{thread_id}/reply")
    assert page.status == 200, (page.status, page.body[:300])
    return browser.request(f"/threads/{thread_id}/reply", [*hidden, ("body", body), ("submit", "Post reply")])


def _same_cookies(browser: concurrency.Browser, base: str) -> concurrency.Browser:
    """The same person's browser, sent to another host (as a load balancer sends it)."""
    other = concurrency.Browser(base)
    for cookie in browser.cookies:
        other.cookies.set_cookie(cookie)
    return other


def test_two_hosts_serve_one_forum_replies_sessions_and_limits_included(postgres, redis_db, app, tmp_path):
    member = make_member(app, "Sam Jones", email="sam.jones@example.gov.uk")
    space = make_space(app, "chat-hour")
    thread = make_thread(app, space, member, title="Q1 Who runs your council's accounts?")
    secret = "several-hosts-" + uuid.uuid4().hex
    settings = host_settings(postgres, secret, FORUM_RATELIMIT_SIGNIN="10 per minute",
                             FORUM_RATELIMIT_POSTING="6 per minute")
    hosts = [concurrency.Gunicorn(settings, workers=2, threads=2, log_path=tmp_path / f"{name}.log",
                                  instance_path=tmp_path / name) for name in ("a", "b")]
    try:
        for host in hosts:
            host.launch()
        for host in hosts:
            host.wait_ready()
        a, b = (host.url for host in hosts)
        logs = lambda: "\n".join(host.log_tail() for host in hosts)  # noqa: E731

        # A session made on host A is good on host B.
        on_a = concurrency.Browser(a)
        assert _sign_in(on_a, member.email) == 302, logs()
        on_b = _same_cookies(on_a, b)
        assert on_b.request("/account/profile").status == 200, "host B did not accept host A's session"

        # A reply through one host is on the other's next page view, for a visitor, both ways round.
        visitor_a, visitor_b = concurrency.Browser(a), concurrency.Browser(b)
        posted = _reply(on_a, thread.id, "Through host A: our comms team runs them, with a rota.")
        assert posted.status == 302 and "/posts/" in (posted.location or ""), (posted.status, posted.body[:300])
        assert "Through host A: our comms team" in visitor_b.request(f"/threads/{thread.id}").body
        posted = _reply(on_b, thread.id, "Through host B: each service runs its own.")
        assert posted.status == 302, (posted.status, posted.body[:300])
        assert "Through host B: each service" in visitor_a.request(f"/threads/{thread.id}").body

        # The posting limit (6 a minute) counts both hosts' posts: 2 so far, 4 more alternating, then refused on both.
        statuses = [_reply(on_a if n % 2 == 0 else on_b, thread.id, f"Reply {n} in the rush").status
                    for n in range(6)]
        assert statuses == [302, 302, 302, 302, 429, 429], statuses

        # The sign-in limit (10 a minute for an address) counts both hosts' attempts: one good sign-in so far,
        # nine wrong passwords alternating, then the 11th and 12th attempts are refused on A and on B.
        strangers = [concurrency.Browser(a), concurrency.Browser(b)]
        statuses = [_sign_in(strangers[n % 2], member.email, "not the password") for n in range(11)]
        assert statuses == [400] * 9 + [429, 429], statuses

        # Signing out through host B ends the session everywhere: host A no longer accepts the cookie it made.
        page, hidden = on_b.form("/account/profile")
        assert on_b.request("/logout", hidden).status == 302
        assert on_a.request("/account/profile").status == 302, "host A still accepts a session signed out on B"
        assert "/login" in (on_a.request("/account/profile").location or "")
        assert all(concurrency.Browser(url).request("/health").status == 200 for url in (a, b))
    finally:
        for host in hosts:
            host.stop()

    with app.app_context():
        db = app.extensions["forum"].db.session
        bodies = db.scalars(select(Post.body_source).where(Post.thread_id == thread.id)).all()
    assert len(bodies) == 1 + 6, bodies  # the question, then the six replies that were accepted


# -- the outbox and the digests, sent from two hosts at once ----------------------------------------------

class PgBouncer:
    """PgBouncer in transaction mode on a free loopback port, in front of the test's PostgreSQL server."""

    def __init__(self, database_url: str, folder):
        from sqlalchemy.engine import make_url

        self.target = make_url(database_url)
        self.port = concurrency.free_port()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "userlist.txt").write_text(f'"{self.target.username}" ""\n')
        self.config = folder / "pgbouncer.ini"
        self.config.write_text(
            f"[databases]\n* = host={self.target.host} port={self.target.port or 5432}\n\n"
            f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {folder / 'userlist.txt'}\npool_mode = transaction\n"
            "default_pool_size = 4\nmax_client_conn = 100\nserver_reset_query =\n"
            "ignore_startup_parameters = extra_float_digits\n")
        self.process = None

    @property
    def url(self) -> str:
        return self.target.set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    def __enter__(self):
        import shutil
        import socket

        binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        if not os.path.exists(binary):
            pytest.skip("pgbouncer is not installed (apt-get install pgbouncer)")
        as_user = ["-u", "nobody"] if os.geteuid() == 0 else []  # PgBouncer refuses to run as root
        os.chmod(self.config.parent, 0o755)
        self.process = subprocess.Popen([binary, *as_user, str(self.config)], stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.process.stdout.read()
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("PgBouncer did not listen within 10 s")

    def __exit__(self, *_exc):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.mark.parametrize("through", ["postgresql", "pgbouncer"])
def test_two_hosts_sending_mail_at_once_deliver_each_message_exactly_once(postgres, app, tmp_path, through):
    """Directly, and through PgBouncer in transaction mode with FORUM_PGBOUNCER (each sender runs its
    claim over and over, which without the setting psycopg would prepare on one server connection and
    look for on another)."""
    import contextlib

    from forum import mail

    count = 150
    with app.app_context():
        db = app.extensions["forum"].db.session
        for n in range(count):
            mail.queue(db, f"reader{n}@example.gov.uk", f"Message {n}", f"Hello reader {n}.")
        db.commit()
    with MailServer() as smtp, (PgBouncer(postgres, tmp_path / "pgbouncer") if through == "pgbouncer"
                                else contextlib.nullcontext()) as bouncer:
        settings = host_settings(bouncer.url if bouncer else postgres, uuid.uuid4().hex,
                                 FORUM_MAIL_SERVER="127.0.0.1", FORUM_MAIL_PORT=str(smtp.port),
                                 **({"FORUM_PGBOUNCER": "true"} if bouncer else {}))
        names = ["sender-host-a", "sender-host-b"]
        gate = StartTogether(postgres, "forum_outbox", names)
        senders = [command(settings, tmp_path / name, "send-mail", name=name) for name in names]
        gate.release_when_waiting(senders)
        outputs = [finish(sender) for sender in senders]
        received = Counter(message["Subject"] for message in smtp.messages)

    assert sum(received.values()) == count, outputs
    assert received == Counter(f"Message {n}" for n in range(count)), [s for s, c in received.items() if c > 1]
    sent_by = [int(output.split("Sent ")[1].split()[0]) for output in outputs]
    assert sum(sent_by) == count and all(sent_by), f"both hosts should have sent some: {outputs}"
    with app.app_context():
        db = app.extensions["forum"].db.session
        assert all(item.sent_at is not None and item.attempts == 1 for item in db.scalars(select(OutboxMessage)))


def test_two_hosts_sending_digests_at_once_send_each_member_one(postgres, app, tmp_path):
    writer = make_member(app, "Chat Host")
    space = make_space(app, "between-chats")
    thread = make_thread(app, space, writer, title="What did you try after the chat?")
    readers = [make_member(app, f"Reader {n}", email=f"reader{n}@example.gov.uk") for n in range(40)]
    with app.app_context():
        db = app.extensions["forum"].db.session
        post_id = db.scalar(select(Post.id).where(Post.thread_id == thread.id))
        for reader in readers:
            db.get(Member, reader.id).email_frequency = "daily"
            db.add(Notification(member_id=reader.id, kind="reply", post_id=post_id, thread_id=thread.id,
                                created_at=utcnow() - timedelta(hours=1)))
        db.commit()

    with MailServer() as smtp:
        settings = host_settings(postgres, uuid.uuid4().hex, FORUM_MAIL_SERVER="127.0.0.1",
                                 FORUM_MAIL_PORT=str(smtp.port))
        names = ["digests-host-a", "digests-host-b", "digests-host-c"]
        gate = StartTogether(postgres, "forum_member", names)
        runs = [command(settings, tmp_path / name, "send-digests", "--frequency", "daily", name=name)
                for name in names]
        gate.release_when_waiting(runs)
        outputs = [finish(run) for run in runs]
        finish(command(settings, tmp_path / "mail", "send-mail", name="sender"))
        received = Counter(message["To"] for message in smtp.messages)
        bodies = [smtp.body(message) for message in smtp.messages]

    assert received == Counter(reader.email for reader in readers), (outputs, received.most_common(3))
    assert sum(int(output.split("Queued ")[1].split()[0]) for output in outputs) == len(readers), outputs
    # Links in the digest come from FORUM_BASE_URL, whichever host sent it.
    assert all(f"{BASE_URL}/posts/{post_id}" in body for body in bodies), bodies[0]
