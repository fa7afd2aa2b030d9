"""A chat-hour rush: many members posting replies at once through gunicorn with several workers.

    python -m bench.concurrency                      # 50 members, 60 seconds, SQLite
    python -m bench.concurrency --database-url postgresql://postgres@127.0.0.1:5432/test
    python -m bench.concurrency --users 50 --seconds 60 --workers 2 --threads 4

Each member signs in with the real form, then posts replies (each with its own text) to one thread
as fast as the server lets them, reading the thread now and then. Afterwards: no response other than
2xx/3xx, every accepted post present exactly once and no post that was not accepted, the thread's and
the space's counters equal to COUNT(*), and the database's own integrity check passing. One member
also submits the same reply form twice at once (a double click), and what happened is reported.

tests/integration/test_concurrency.py runs a short form of this in CI (same code, fewer seconds).
Only the standard library, the forum and gunicorn are needed (no locust).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAST_HASH = "pbkdf2:sha256:1000"
PASSWORD = "a rush-hour pass phrase"
NO_LIMITS = "1000000 per minute"
_HIDDEN = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r'(\w[\w-]*)="([^"]*)"')


# -- the database ------------------------------------------------------------------------------------

def migrate(database_url: str) -> None:
    """Build the forum's schema with its migrations, as operators do (`flask db upgrade`)."""
    app = _app(database_url)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    if result.exit_code != 0:
        raise RuntimeError(f"db upgrade failed: {result.output}")
    _dispose(app)


@dataclass
class Seed:
    thread_id: int
    space_id: int
    emails: list[str]


def seed(database_url: str, users: int) -> Seed:
    """A public space with one thread, and `users` approved members who can sign in with PASSWORD."""
    from werkzeug.security import generate_password_hash

    from forum.db import utcnow
    from forum.models import Member
    from forum.services import accounts, posting
    from forum.services.spaces import create_space

    app = _app(database_url)
    password_hash = generate_password_hash(PASSWORD, method=FAST_HASH)
    run = uuid.uuid4().hex[:8]
    with app.app_context():
        db = app.extensions["forum"].db.session
        members = []
        for n in range(users):
            name = f"Rush {run} {n}"
            member = Member(display_name=name, name_key=accounts.normalise_name(name),
                            email=f"rush-{run}-{n}@example.gov.uk", password_hash=password_hash,
                            role="member", state="approved", email_confirmed_at=utcnow(), approved_at=utcnow())
            db.add(member)
            members.append(member)
        db.flush()
        space = create_space(db, slug=f"rush-{run}", name=f"Rush hour {run}", visibility="public")
        thread = posting.start_thread(db, space=space, author=members[0], title="Q1 What works at rush hour?",
                                      body="Tell us what works.")
        db.commit()
        result = Seed(thread_id=thread.id, space_id=space.id, emails=[m.email for m in members])
    _dispose(app)
    return result


def _app(database_url: str):
    from forum import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "bench", "FORUM_DATABASE_URL": database_url,
                       "FORUM_PASSWORD_HASH": FAST_HASH})


def _dispose(app) -> None:
    with app.app_context():
        app.extensions["forum"].db.engine.dispose()


# -- the server --------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """`gunicorn wsgi:app` on 127.0.0.1 at a free port, in its own process group, stopped on exit."""

    def __init__(self, env: dict[str, str], workers: int = 2, threads: int = 4, log_path: Path | None = None,
                 instance_path: Path | None = None):
        self.port = free_port()
        self.workers = workers
        self.threads = threads
        self.log_path = log_path or Path(tempfile.mkdtemp(prefix="forum-gunicorn-")) / "gunicorn.log"
        self.instance_path = instance_path or Path(tempfile.mkdtemp(prefix="forum-instance-"))
        base = {key: value for key, value in os.environ.items()
                if not key.startswith("FORUM_") and key not in ("FLASK_DEBUG", "FLASK_APP")}
        self.env = {"FORUM_SECRET_KEY": "bench-" + uuid.uuid4().hex, "FORUM_INSTANCE_PATH": str(self.instance_path),
                    "FORUM_PASSWORD_HASH": FAST_HASH, "FORUM_RATELIMIT_SIGNIN": NO_LIMITS,
                    "FORUM_RATELIMIT_POSTING": NO_LIMITS, **base, **env}
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Gunicorn:
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def start(self, timeout: float = 30) -> None:
        """Start gunicorn and wait until /health answers 200."""
        self.launch()
        self.wait_ready(timeout)

    def launch(self) -> None:
        """Start gunicorn without waiting (to boot several servers side by side)."""
        worker_class = ["--worker-class", "gthread", "--threads", str(self.threads)] if self.threads > 1 else []
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--workers", str(self.workers), *worker_class,
                 "--bind", f"127.0.0.1:{self.port}", "--timeout", "60", "--graceful-timeout", "5",
                 "--backlog", "2048", "--log-level", "warning", "wsgi:app"],
                cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True,
            )

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f}s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, 15)  # the master and its workers: the group this Popen started
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait(timeout=5)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# -- a browser ---------------------------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None


@dataclass
class Reply:
    status: int
    body: str
    location: str | None


class Browser:
    """One person's browser: its own cookies, redirects reported rather than followed."""

    def __init__(self, base: str, timeout: float = 30):
        self.base = base
        self.timeout = timeout
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect())

    def request(self, path: str, data: dict | list | None = None) -> Reply:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, method="POST" if body is not None else "GET")
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return Reply(response.status, response.read().decode("utf-8", "replace"),
                             response.headers.get("Location"))
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode("utf-8", "replace"), error.headers.get("Location"))

    def form(self, path: str) -> tuple[Reply, list[tuple[str, str]]]:
        """Fetch a page and return its first form's hidden fields (CSRF token and any others)."""
        page = self.request(path)
        hidden = []
        for tag in _HIDDEN.findall(page.body):
            attributes = dict(_ATTRIBUTE.findall(tag))
            if attributes.get("type", "").lower() == "hidden" and "name" in attributes:
                hidden.append((attributes["name"], html.unescape(attributes.get("value", ""))))
        return page, hidden

    def sign_in(self, email: str) -> Reply:
        page, hidden = self.form("/login")
        if page.status != 200:
            return page
        return self.request("/login", [*hidden, ("email", email), ("password", PASSWORD)])


# -- the load ----------------------------------------------------------------------------------------

@dataclass
class Outcome:
    seconds: float = 0.0
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)      # bodies of replies answered with a redirect
    latencies: list[float] = field(default_factory=list)
    double_statuses: list[int] = field(default_factory=list)
    double_body: str = ""

    def summary(self) -> dict:
        ordered = sorted(self.latencies) or [0.0]
        return {
            "seconds": round(self.seconds, 1), "requests": self.requests, "errors": len(self.errors),
            "posts_accepted": len(self.accepted),
            "posts_per_second": round(len(self.accepted) / self.seconds, 1) if self.seconds else 0,
            "post_latency_p50_ms": round(ordered[len(ordered) // 2] * 1000),
            "post_latency_p95_ms": round(ordered[int(len(ordered) * 0.95)] * 1000),
            "post_latency_max_ms": round(ordered[-1] * 1000),
            "double_submit_statuses": self.double_statuses,
        }


def rush(base: str, seed_: Seed, seconds: float, reads_every: int = 3) -> Outcome:
    """Every member signs in, then all post at once for `seconds`; one of them also double-submits."""
    outcome = Outcome()
    lock = threading.Lock()
    signed_in = threading.Barrier(len(seed_.emails) + 1)
    stop = threading.Event()
    reply_path = f"/threads/{seed_.thread_id}/reply"

    def note_error(text: str) -> None:
        with lock:
            outcome.errors.append(text)

    def member(index: int, email: str) -> None:
        browser = Browser(base)
        try:
            answer = browser.sign_in(email)
            if answer.status != 302:
                note_error(f"{email}: sign-in answered {answer.status}")
                return
        except OSError as exc:
            note_error(f"{email}: sign-in failed: {exc!r}")
            return
        finally:
            signed_in.wait()
        count = 0
        while not stop.is_set():
            count += 1
            body = f"Reply {count} from member {index} ({uuid.uuid4().hex[:10]}): what works for us is..."
            started = time.monotonic()
            try:
                page, hidden = browser.form(reply_path)
                if page.status != 200:
                    note_error(f"GET {reply_path}: {page.status}")
                    continue
                answer = browser.request(reply_path, [*hidden, ("body", body), ("submit", "Post reply")])
            except OSError as exc:
                note_error(f"{email}: {exc!r}")
                continue
            took = time.monotonic() - started
            with lock:
                outcome.requests += 2
                if 300 <= answer.status < 400 and answer.location and "/posts/" in answer.location:
                    outcome.accepted.append(body)
                    outcome.latencies.append(took)
                else:
                    outcome.errors.append(f"POST {reply_path}: {answer.status} {answer.body[:200]!r}")
            if reads_every and count % reads_every == 0:
                try:
                    answer = browser.request(f"/threads/{seed_.thread_id}")
                    with lock:
                        outcome.requests += 1
                    if answer.status != 200:
                        note_error(f"GET thread: {answer.status}")
                except OSError as exc:
                    note_error(f"GET thread: {exc!r}")

    def double_submit() -> None:
        """The same reply form sent twice at once, as a double click on a slow network sends it."""
        browser = Browser(base)
        if browser.sign_in(seed_.emails[0]).status != 302:
            note_error("double-submit member could not sign in")
            return
        page, hidden = browser.form(reply_path)
        outcome.double_body = f"Double-submitted reply ({uuid.uuid4().hex[:10]})"
        data = [*hidden, ("body", outcome.double_body), ("submit", "Post reply")]
        statuses: list[int] = []
        senders = [threading.Thread(target=lambda: statuses.append(browser.request(reply_path, data).status))
                   for _ in range(2)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
        outcome.double_statuses = sorted(statuses)

    threads = [threading.Thread(target=member, args=(i, email), daemon=True) for i, email in enumerate(seed_.emails)]
    for thread in threads:
        thread.start()
    signed_in.wait()
    started = time.monotonic()
    doubler = threading.Thread(target=double_submit, daemon=True)
    doubler.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    doubler.join(timeout=60)
    outcome.seconds = time.monotonic() - started
    if any(thread.is_alive() for thread in threads):
        outcome.errors.append("some members were still waiting for an answer 60 seconds after the end")
    return outcome


# -- the verdict -------------------------------------------------------------------------------------

@dataclass
class Verdict:
    missing: list[str]
    duplicated: list[str]
    unexpected: int
    double_copies: int
    counters: dict[str, tuple[int, int]]   # name: (counter, COUNT(*))
    integrity: str

    @property
    def counters_match(self) -> bool:
        return all(counter == actual for counter, actual in self.counters.values())


def verify(database_url: str, seed_: Seed, outcome: Outcome) -> Verdict:
    """Compare the database with what the server accepted."""
    from sqlalchemy import create_engine, text

    from forum.extension import normalise_database_url

    engine = create_engine(normalise_database_url(database_url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT body_source FROM forum_post WHERE thread_id = :t"),
                                      {"t": seed_.thread_id}).scalars().all()
            thread_counter = connection.scalar(text("SELECT post_count FROM forum_thread WHERE id = :t"),
                                               {"t": seed_.thread_id})
            space_posts, space_threads = connection.execute(
                text("SELECT post_count, thread_count FROM forum_space WHERE id = :s"), {"s": seed_.space_id}).one()
            actual_space_posts = connection.scalar(text(
                "SELECT COUNT(*) FROM forum_post p JOIN forum_thread t ON p.thread_id = t.id WHERE t.space_id = :s"),
                {"s": seed_.space_id})
            actual_threads = connection.scalar(text("SELECT COUNT(*) FROM forum_thread WHERE space_id = :s"),
                                               {"s": seed_.space_id})
            last_post = connection.scalar(text("SELECT last_post_id FROM forum_thread WHERE id = :t"),
                                          {"t": seed_.thread_id})
            newest = connection.scalar(text(
                "SELECT id FROM forum_post WHERE thread_id = :t ORDER BY created_at DESC, id DESC LIMIT 1"),
                {"t": seed_.thread_id})
    finally:
        engine.dispose()
    seen: dict[str, int] = {}
    for body in rows:
        seen[body] = seen.get(body, 0) + 1
    accepted = set(outcome.accepted)
    missing = [body for body in outcome.accepted if seen.get(body, 0) == 0]
    duplicated = [body for body in outcome.accepted if seen.get(body, 0) > 1]
    known = accepted | {outcome.double_body, "Tell us what works."}
    unexpected = sum(count for body, count in seen.items() if body not in known)
    return Verdict(
        missing=missing, duplicated=duplicated, unexpected=unexpected,
        double_copies=seen.get(outcome.double_body, 0) if outcome.double_body else 0,
        counters={"thread.post_count": (thread_counter, len(rows)),
                  "space.post_count": (space_posts, actual_space_posts),
                  "space.thread_count": (space_threads, actual_threads),
                  "thread.last_post_id": (last_post, newest)},
        integrity=integrity_check(database_url),
    )


def integrity_check(database_url: str) -> str:
    """SQLite: PRAGMA integrity_check and foreign_key_check. PostgreSQL: every foreign key holds."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(url.database)
        try:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
            broken = connection.execute("PRAGMA foreign_key_check").fetchall()
        finally:
            connection.close()
        return verdict if not broken else f"foreign keys broken: {broken[:5]}"
    from sqlalchemy import create_engine, text

    from forum.extension import normalise_database_url

    engine = create_engine(normalise_database_url(database_url))
    try:
        with engine.connect() as connection:
            orphans = connection.scalar(text(
                "SELECT COUNT(*) FROM forum_post p LEFT JOIN forum_thread t ON p.thread_id = t.id WHERE t.id IS NULL"))
            dangling = connection.scalar(text(
                "SELECT COUNT(*) FROM forum_thread t LEFT JOIN forum_post p ON t.last_post_id = p.id "
                "WHERE t.last_post_id IS NOT NULL AND p.id IS NULL"))
    finally:
        engine.dispose()
    return "ok" if not orphans and not dangling else f"{orphans} orphan posts, {dangling} dangling last posts"


# -- the command line --------------------------------------------------------------------------------

def _postgres_database(base_url: str):
    """Create a throwaway database next to `base_url`; return (its URL, a function that drops it)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from forum.extension import normalise_database_url

    url = make_url(normalise_database_url(base_url))
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"forum_rush_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="gthread threads per worker (1: sync workers)")
    parser.add_argument("--database-url", help="a PostgreSQL server to make a throwaway database on "
                                               "(default: a new SQLite file)")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="forum-rush-"))
    drop = None
    if args.database_url:
        database_url, drop = _postgres_database(args.database_url)
    else:
        database_url = f"sqlite:///{folder / 'forum.sqlite3'}"
    try:
        migrate(database_url)
        seeded = seed(database_url, args.users)
        with Gunicorn({"FORUM_DATABASE_URL": database_url}, workers=args.workers, threads=args.threads,
                      log_path=folder / "gunicorn.log", instance_path=folder / "instance") as server:
            outcome = rush(server.url, seeded, args.seconds)
        verdict = verify(database_url, seeded, outcome)
    finally:
        if drop:
            drop()
    report = {
        "database": "postgresql" if args.database_url else "sqlite", "users": args.users,
        "workers": args.workers, "threads": args.threads, **outcome.summary(),
        "missing": len(verdict.missing), "duplicated": len(verdict.duplicated), "unexpected": verdict.unexpected,
        "double_submit_copies": verdict.double_copies, "counters": verdict.counters, "integrity": verdict.integrity,
        "first_errors": outcome.errors[:5],
    }
    print(json.dumps(report, indent=2))
    ok = (not outcome.errors and not verdict.missing and not verdict.duplicated and not verdict.unexpected
          and verdict.counters_match and verdict.integrity == "ok")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
