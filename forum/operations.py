"""Operating the forum: consistent backups of its database, and a check of its production settings.

Plain functions over an app (inside its app context); `forum/cli_operations.py` wraps them as
`flask forum backup PATH` and `flask forum check`. Restoring is described in docs/deploy.md.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from forum import emails, settings

# What a backup reports, and what a restore is compared with.
COUNTED_TABLES = {
    "members": "forum_member",
    "spaces": "forum_space",
    "threads": "forum_thread",
    "posts": "forum_post",
}


class OpsError(Exception):
    """A problem an operator can fix, said in one line (the CLI prints it and exits with status 2)."""


@dataclass
class BackupResult:
    path: Path
    engine: str
    counts: dict[str, int] = field(default_factory=dict)
    size: int = 0

    def describe(self) -> str:
        counts = ", ".join(f"{number} {name}" for name, number in self.counts.items())
        return f"Backed up the {self.engine} database to {self.path} ({counts}; {_size(self.size)})."


# -- backup ------------------------------------------------------------------------------------------

def backup(engine: Engine, path: str | os.PathLike) -> BackupResult:
    """Write a consistent copy of the forum's database to `path`, taken while the forum keeps running.

    SQLite: the online backup API copies every page inside one read transaction (WAL lets writers carry
    on meanwhile); the copy is checked with PRAGMA integrity_check. PostgreSQL: pg_dump's custom format,
    from a snapshot exported by a transaction that also counts the rows, so the counts printed are
    exactly the dump's. The file appears at `path` only when complete (written beside it, then renamed).
    """
    target = _destination(path)
    dialect = engine.dialect.name
    if dialect == "sqlite":
        return _backup_sqlite(engine, target)
    if dialect == "postgresql":
        return _backup_postgresql(engine, target)
    raise OpsError(f"backing up a {dialect} database is not supported; use your database's own tools")


def _destination(raw: str | os.PathLike) -> Path:
    """The backup's path, after checking that a file can be written there."""
    if not str(raw).strip():
        raise OpsError("give the backup file's path, e.g. /var/backups/afterchat/forum-2024-01-14.sqlite3")
    target = Path(raw).expanduser().absolute()
    if target.is_dir():
        raise OpsError(f"{raw} is a folder; give a file name in it, e.g. {Path(raw) / 'forum-backup'}")
    folder = target.parent
    if not folder.exists():
        raise OpsError(f"the folder {folder} does not exist; create it first (mkdir -p {folder})")
    if not folder.is_dir():
        raise OpsError(f"{folder} is not a folder, so {raw} cannot be written")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OpsError(f"cannot write in {folder}: permission denied (run as a user who may, or choose another folder)")
    if target.exists() and not os.access(target, os.W_OK):
        raise OpsError(f"cannot replace {target}: permission denied")
    return target


def _temporary_beside(target: Path) -> Path:
    """An empty file in the target's folder, to write into and then rename over the target."""
    try:
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    except OSError as exc:
        raise OpsError(f"cannot write in {target.parent}: {exc.strerror or exc}") from None
    os.close(handle)
    return Path(name)


def _finish(partial: Path, target: Path) -> int:
    """Flush the finished copy to disk and put it in place atomically; return its size."""
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)
    try:
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError:  # some filesystems cannot fsync a folder; the rename is still atomic
        pass
    return target.stat().st_size


def _backup_sqlite(engine: Engine, target: Path) -> BackupResult:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise OpsError("the forum's database is in memory; there is nothing on disk to back up")
    source_path = Path(database).absolute()
    if not source_path.is_file():
        raise OpsError(f"the forum's database {source_path} does not exist (check FORUM_DATABASE_URL)")
    if target == source_path or (target.exists() and target.samefile(source_path)):
        raise OpsError(f"{target} is the live database itself; write the backup somewhere else")
    partial = _temporary_beside(target)
    try:
        try:
            source = sqlite3.connect(f"file:{quote(str(source_path))}?mode=ro", uri=True, timeout=30)
        except sqlite3.Error as exc:
            raise OpsError(f"cannot open {source_path}: {exc}") from None
        copy = sqlite3.connect(str(partial))
        try:
            # pages=-1: the whole database in one step, inside one read transaction: a consistent snapshot.
            source.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise OpsError(f"the copy failed its integrity check ({verdict}); the old backup was kept")
            counts = _counts_sqlite(copy)
        except sqlite3.Error as exc:
            raise OpsError(f"the backup failed: {exc}") from None
        finally:
            copy.close()
            source.close()
        size = _finish(partial, target)
    except OSError as exc:
        raise OpsError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(path=target, engine="SQLite", counts=counts, size=size)


def _counts_sqlite(connection: sqlite3.Connection) -> dict[str, int]:
    return {name: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for name, table in COUNTED_TABLES.items()}


def libpq_url(url: URL) -> tuple[str, dict[str, str]]:
    """A SQLAlchemy URL as a libpq URL for pg_dump/pg_restore, with the password moved to PGPASSWORD."""
    environment = {}
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def _backup_postgresql(engine: Engine, target: Path) -> BackupResult:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise OpsError("pg_dump is not installed; install the PostgreSQL client tools "
                       "(apt-get install postgresql-client) matching the server's major version")
    conninfo, environment = libpq_url(engine.url)
    partial = _temporary_beside(target)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                # The first statement fixes this transaction's snapshot; pg_dump reads the same one.
                snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
                counts = _counts_sql(connection)
                result = subprocess.run(
                    [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={partial}",
                     f"--dbname={conninfo}"],
                    env={**os.environ, **environment}, capture_output=True, text=True,
                )
        if result.returncode != 0:
            lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
            raise OpsError(f"pg_dump failed: {lines[-1] if lines else f'exit status {result.returncode}'}")
        size = _finish(partial, target)
    except SQLAlchemyError as exc:
        first = str(exc.orig if getattr(exc, "orig", None) else exc).strip().splitlines()
        raise OpsError(f"cannot read the database ({first[0] if first else type(exc).__name__}); "
                       f"check FORUM_DATABASE_URL and that the server is running") from None
    except OSError as exc:
        raise OpsError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(path=target, engine="PostgreSQL", counts=counts, size=size)


def _counts_sql(connection: Connection) -> dict[str, int]:
    return {name: connection.scalar(text(f"SELECT COUNT(*) FROM {table}"))
            for name, table in COUNTED_TABLES.items()}


def _size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} bytes"


# -- check -------------------------------------------------------------------------------------------

WELL_KNOWN_SECRETS = {
    "", "dev", "development", "secret", "secret-key", "secret_key", "secretkey", "changeme", "change-me",
    "change_me", "please-change-me", "test", "testing", "test-secret-key", "x", "default", "password",
    "afterchat", "forum", "flask", "your-secret-key", "replace-me",
}
MIN_SECRET_LENGTH = 24
# OWASP's minimums: PBKDF2-HMAC-SHA256 600,000 iterations; scrypt N=2^17.
MIN_PBKDF2_ITERATIONS = 600_000
MIN_SCRYPT_N = 2 ** 17


class _Problems(list):
    """What `check` found: each a line saying what is wrong and what to do."""

    def add(self, what: str, todo: str) -> None:
        self.append(f"{what}. {todo[:1].upper()}{todo[1:]}.")


def check(app: Flask) -> list[str]:
    """The unsafe or unready settings of `app`, each one line saying what is wrong and what to do."""
    problems = _Problems()
    try:
        hosts = settings.whole_number("FORUM_APP_HOSTS", app.config.get("FORUM_APP_HOSTS", 1)) or 1
    except ValueError as exc:
        problems.add(str(exc), "set it to how many servers run the app, e.g. FORUM_APP_HOSTS=2")
        hosts = 1
    for section in (_secret_key, _switches, _database, _rate_limits, _mail_out, _mail_in, _https_and_hosts,
                    _passwords):
        section(app, app.config, hosts, problems)
    return list(problems)


def _secret_key(app: Flask, config, hosts: int, problems: _Problems) -> None:
    """The secret key that signs sessions and links: set, long, and the same on every host."""
    secret = config.get("SECRET_KEY")
    secret_text = secret.decode("utf-8", "replace") if isinstance(secret, bytes) else str(secret or "")
    if not secret_text or secret_text.strip().lower() in WELL_KNOWN_SECRETS:
        problems.add("The secret key is missing or a well-known default, so anyone can forge a session",
                     "set FORUM_SECRET_KEY to a long random value, e.g. the output of "
                     "python -c 'import secrets; print(secrets.token_hex(32))'")
    elif len(secret_text) < MIN_SECRET_LENGTH:
        problems.add(f"The secret key is only {len(secret_text)} characters long",
                     "set FORUM_SECRET_KEY to at least 32 random characters "
                     "(python -c 'import secrets; print(secrets.token_hex(32))')")
    elif hosts > 1 and not config.get("FORUM_SECRET_KEY") and _is_instance_secret(app, secret_text):
        problems.add("FORUM_SECRET_KEY is not set, so each host signs sessions with its own generated key "
                     "and members are signed out whenever the load balancer moves them",
                     "set the same FORUM_SECRET_KEY on every host")


def _switches(app: Flask, config, hosts: int, problems: _Problems) -> None:
    """Switches that must be off in production: debug, testing, CSRF off."""
    if app.debug or config.get("DEBUG") or settings.flag(os.environ.get("FLASK_DEBUG")) is True:
        problems.add("Debug mode is on: errors show code and a console to anyone",
                     "turn it off (unset FLASK_DEBUG; never run `flask run --debug` in production)")
    if config.get("TESTING"):
        problems.add("TESTING is on: errors are not caught and shown as the forum's error page",
                     "remove TESTING from the configuration")
    if config.get("WTF_CSRF_ENABLED") is False:
        problems.add("CSRF protection is off (WTF_CSRF_ENABLED=False): other sites can post forms as a member",
                     "remove WTF_CSRF_ENABLED from the configuration")


def _database(app: Flask, config, hosts: int, problems: _Problems) -> None:
    """The database: one that every host can share, reachable, migrated; members' addresses valid."""
    engine = _engine(app)
    dialect = engine.dialect.name if engine is not None else ""
    if dialect == "sqlite" and hosts > 1:
        problems.add(f"The database is SQLite but FORUM_APP_HOSTS says {hosts} servers run the app: "
                     "a SQLite file can only be shared by the processes of one server",
                     "move to PostgreSQL (FORUM_DATABASE_URL=postgresql://...; see docs/deploy.md) "
                     "or run the app on one server")
    if engine is not None:
        database = _database_problems(app, engine)
        problems.extend(database or _address_problems(engine))


def _rate_limits(app: Flask, config, hosts: int, problems: _Problems) -> None:
    """Rate limits: shared through Redis when more than one host runs the app."""
    redis_url = config.get("FORUM_REDIS_URL")
    if not redis_url and hosts > 1:
        problems.add(f"Rate limits are kept in each process's memory, but {hosts} servers run the app, "
                     "so each allows the full limit",
                     "run Redis and set FORUM_REDIS_URL=redis://HOST:6379/0 on every host")
    elif redis_url:
        reason = _redis_problem(redis_url)
        if reason:
            problems.add(f"Redis at FORUM_REDIS_URL does not answer ({reason}), so rate-limited pages fail",
                         "start Redis or correct FORUM_REDIS_URL")


def _mail_out(app: Flask, config, hosts: int, problems: _Problems) -> None:
    """Mail out: a relay, and a sender address other servers accept."""
    if not config.get("FORUM_MAIL_SERVER"):
        problems.add("Mail is not configured: confirmation, password-reset and digest emails are only "
                     "written to the log", "set FORUM_MAIL_SERVER (and _PORT, _USERNAME, _PASSWORD, "
                     "_USE_TLS, _SENDER) to your mail relay")
    elif not str(config.get("FORUM_MAIL_SENDER") or "").strip() or str(
            config.get("FORUM_MAIL_SENDER")).endswith("@localhost"):
        problems.add("FORUM_MAIL_SENDER is a local address that other mail servers will reject",
                     "set FORUM_MAIL_SENDER to an address at your own domain")


def _mail_in(app: Flask, config, hosts: int, problems: _Problems) -> None:
    """Mail in (#21): fetch-mail's TLS, and where bounces go."""
    imap_host = str(config.get("FORUM_IMAP_HOST") or "").strip()
    imap_security = str(config.get("FORUM_IMAP_SECURITY") or "ssl").strip().lower()
    if imap_host and imap_security not in ("ssl", "starttls", "plain"):
        problems.add(f"FORUM_IMAP_SECURITY is {imap_security!r}, so fetch-mail cannot connect",
                     "set FORUM_IMAP_SECURITY to ssl (port 993) or starttls (port 143)")
    elif imap_host and imap_security == "plain" and imap_host not in ("127.0.0.1", "::1", "localhost"):
        problems.add(f"fetch-mail reads {imap_host} without TLS (FORUM_IMAP_SECURITY=plain), so the mailbox's password "
                     "and every message cross the network readable",
                     "set FORUM_IMAP_SECURITY=ssl (port 993) or starttls (port 143)")
    if config.get("FORUM_INCOMING_DOMAIN") and not config.get("FORUM_MAIL_RETURN_PATH"):
        problems.add("FORUM_MAIL_RETURN_PATH is not set, so bounces go to FORUM_MAIL_SENDER's mailbox, are never "
                     "counted, and mail keeps going to addresses that no longer exist",
                     "set FORUM_MAIL_RETURN_PATH=bounces@ your FORUM_INCOMING_DOMAIN (docs/deploy.md, section 7)")


def _https_and_hosts(app: Flask, config, hosts: int, problems: _Problems) -> None:
    """HTTPS, the base URL links are built from, secure cookies, proxies."""
    from forum import security

    try:
        https = security.uses_https(config)
    except ValueError as exc:
        problems.add(f"FORUM_HTTPS is not understood ({exc})", "set FORUM_HTTPS=true or false")
        https = False
    if not https:
        problems.add("The forum is not set up for HTTPS: passwords and session cookies would cross the "
                     "network readable", "serve it behind a TLS proxy and set FORUM_BASE_URL=https://your.host "
                     "(or FORUM_HTTPS=true)")
    else:
        if not config.get("SESSION_COOKIE_SECURE"):
            problems.add("SESSION_COOKIE_SECURE is off although the forum is served over HTTPS",
                         "remove SESSION_COOKIE_SECURE=False from the configuration")
        base = str(config.get("FORUM_BASE_URL") or "")
        if base and not base.lower().startswith("https://"):
            problems.add(f"FORUM_BASE_URL ({base}) is not https://, so emailed links are not secure",
                         "change FORUM_BASE_URL to start with https://")
    if not config.get("FORUM_BASE_URL"):
        # Links never come from the request's Host header, so without it they point at a stand-in.
        problems.add(f"FORUM_BASE_URL is not set, so links in emails and feeds point at {security.base_url(config)}",
                     "set FORUM_BASE_URL=https://your.host (and FORUM_TRUSTED_HOSTS=your.host)")
    try:
        settings.whole_number("FORUM_PROXY_COUNT", config.get("FORUM_PROXY_COUNT"))
    except ValueError as exc:
        problems.add(str(exc), "set it to the number of proxies in front of the app (usually 1)")


def _passwords(app: Flask, config, hosts: int, problems: _Problems) -> None:
    """The password hash: not weaker than the default."""
    weakness = _weak_hash(str(config.get("FORUM_PASSWORD_HASH") or ""))
    if weakness:
        problems.add(f"FORUM_PASSWORD_HASH is weak ({weakness})",
                     "remove FORUM_PASSWORD_HASH to use the default (scrypt:131072:8:1)")


def _engine(app: Flask) -> Engine | None:
    state = app.extensions.get("forum")
    return state.db.engine if state is not None else None


def _is_instance_secret(app: Flask, secret: str) -> bool:
    path = Path(app.instance_path) / "secret_key"
    try:
        return path.read_text().strip() == secret
    except OSError:
        return False


def _database_problems(app: Flask, engine: Engine) -> list[str]:
    """Can the database be reached, and is its schema at the forum's latest migration?"""
    from forum.db import VERSION_TABLE

    try:
        with engine.connect() as connection:
            rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    except Exception as exc:  # noqa: BLE001  (any failure is what is reported)
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "no such table" in message or "does not exist" in message:
            return [f"The database has no forum tables yet: run `flask --app wsgi db upgrade` "
                    f"(or `flask forum upgrade` in a host app)."]
        return [f"The database cannot be reached ({type(exc).__name__}): check FORUM_DATABASE_URL and "
                f"that the database server is running."]
    heads = _migration_heads()
    if heads and set(rows) != heads:
        return ["The database schema is not at the forum's latest migration: run `flask --app wsgi db upgrade` "
                "(back up first: `flask forum backup PATH`)."]
    return []


def _address_problems(engine: Engine, shown: int = 20) -> list[str]:
    """Accounts whose stored email address no longer passes the address check (or is not in its normal form)."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, email FROM forum_member WHERE email IS NOT NULL ORDER BY id")).all()
    bad = [(member_id, email) for member_id, email in rows if emails.normalise(email) != email]
    if not bad:
        return []
    listed = ", ".join(f"#{member_id} {email!r}" for member_id, email in bad[:shown])
    more = f" and {len(bad) - shown} more" if len(bad) > shown else ""
    return [f"{len(bad)} account(s) have an email address that no longer passes the address check, so mail to "
            f"them may go astray and their domain is not trusted: {listed}{more}. Ask each member to change "
            f"their address (Account, Email address), or suspend the account if it was made to abuse the old check."]


def _migration_heads() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from forum.resources import resource_dir

    directory = resource_dir("migrations")
    config = Config(str(directory / "alembic.ini"))
    config.set_main_option("script_location", str(directory))
    return set(ScriptDirectory.from_config(config).get_heads())


def _redis_problem(url: str) -> str | None:
    try:
        import redis
    except ImportError:
        return "the redis package is not installed: pip install 'afterchat-forum[redis]'"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        client.close()
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__
    return None


def _weak_hash(method: str) -> str | None:
    """Why a werkzeug password-hash method is weaker than OWASP's minimum, or None."""
    parts = method.split(":")
    try:
        if parts[0] == "pbkdf2":
            iterations = int(parts[2]) if len(parts) > 2 else MIN_PBKDF2_ITERATIONS
            if iterations < MIN_PBKDF2_ITERATIONS:
                return f"PBKDF2 with {iterations:,} iterations; at least {MIN_PBKDF2_ITERATIONS:,} are needed"
        elif parts[0] == "scrypt":
            n = int(parts[1]) if len(parts) > 1 else MIN_SCRYPT_N
            if n < MIN_SCRYPT_N:
                return f"scrypt with N={n:,}; at least {MIN_SCRYPT_N:,} is needed"
        elif method:
            return f"{method!r} is not a method the forum knows"
    except ValueError:
        return f"{method!r} cannot be read"
    return None
