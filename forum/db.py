"""The forum's declarative base, its session, and the SQLite settings that make one file safe to share."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import re
from datetime import datetime, timezone

from flask import current_app, request
from sqlalchemy import ARRAY, Boolean, Integer, MetaData, any_, bindparam, event
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session

TABLE_PREFIX = "forum_"
# The forum keeps its own Alembic version table, so a host app's migrations never collide with ours.
VERSION_TABLE = "forum_alembic_version"


def is_forum_table(name: str) -> bool:
    """Is this one of the forum's model tables (not a host's, and not the migration bookkeeping)?"""
    return name.startswith(TABLE_PREFIX) and name != VERSION_TABLE

# Constraint names are fixed so that migrations (and SQLite batch mode) can find them again.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Every forum model: its tables carry the forum_ prefix and named constraints."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(timezone.utc)


def session() -> Session:
    """The request's SQLAlchemy session: the host's Flask-SQLAlchemy session, or the forum's own."""
    return current_app.extensions["sqlalchemy"].session


def engine() -> Engine:
    """The engine the forum's tables live on."""
    return current_app.extensions["sqlalchemy"].engine


# -- PostgreSQL: a request that only read ends with COMMIT, so psycopg keeps its prepared statements --------

_READING = re.compile(r"\s*(?:SELECT|WITH)\b", re.IGNORECASE)
_WRITING = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
_WROTE = "forum_wrote"


@functools.lru_cache(maxsize=1024)
def _writes(statement: str) -> bool:
    """Might this statement change data? Asked of every statement, and the same few thousand characters
    come again and again: the answer is kept per statement text."""
    return not _READING.match(statement) or _WRITING.search(statement) is not None


def end_reads_with_commit(app, db) -> None:
    """On PostgreSQL, end a request whose transaction only read with COMMIT instead of ROLLBACK (#19).

    psycopg prepares a statement on the server once a connection has run it five times, and forgets them
    all at any ROLLBACK, which is how every request ended: so nothing was ever prepared, and PostgreSQL
    parsed and planned each page's statements every time. A transaction that sent anything but SELECT
    (or WITH ... SELECT) is left to Flask-SQLAlchemy's rollback, as is one that failed or ended in an error.
    Only for the forum's own engine (a host app's session is the host's business) and not through
    PgBouncer in transaction mode, where nothing is prepared.
    """
    engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _note_write(conn, _cursor, statement, _parameters, _context, _executemany):
        if _writes(statement):
            conn.info[_WROTE] = True

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _forget(conn):
        conn.info.pop(_WROTE, None)

    @app.teardown_appcontext
    def _commit_reads(exc):  # runs before Flask-SQLAlchemy's own teardown, which removes the session
        if exc is not None:
            return
        if not db.session.registry.has():
            return
        session = db.session()
        if not session.is_active or not session.in_transaction() or session.new or session.dirty or session.deleted:
            return
        expire = session.expire_on_commit
        try:
            info = session.connection().info
            if info.get(_READS_ONLY):  # read in autocommit (`read_pages_without_transaction`): nothing to end
                return
            if not info.get(_WROTE):
                session.expire_on_commit = False  # what was read stays readable, as after the rollback
                session.commit()
        except Exception:  # noqa: BLE001  (the transaction is rolled back as before, when the session is removed)
            pass
        finally:
            session.expire_on_commit = expire


# The pages a crowd reads in the chat hour (#19): on PostgreSQL their reads run without a transaction.
READ_PAGES = frozenset({"forum.home", "forum.space", "forum.thread"})
_READS_ONLY = "forum_reads_only"


def read_pages_without_transaction(app, db) -> None:
    """On PostgreSQL, let a GET of one of READ_PAGES read in autocommit: no BEGIN and no COMMIT, two of a
    signed-in page's five round trips to the server (#19).

    Nothing is lost by it: at PostgreSQL's READ COMMITTED every statement sees the data as it is when the
    statement starts, inside a transaction or not, and these pages read their page cache tokens in the
    same statement as what they key, or before it. A page that then writes (a member's read mark) commits
    first (`session.commit()`), which gives the connection back; its write runs in a transaction of its own.
    A statement that would write on the autocommit connection is refused (PermissionError): it would not be
    atomic with what else the request writes, so it is a bug in the page. Only for the forum's own engine,
    as `end_reads_with_commit`.
    """

    @event.listens_for(db.engine, "before_cursor_execute")
    def _refuse_writes(conn, _cursor, statement, _parameters, _context, _executemany):
        if conn.info.get(_READS_ONLY) and _writes(statement):
            raise PermissionError(f"A write on a page read without a transaction: {statement[:80]}")

    @event.listens_for(db.engine, "checkin")
    def _forget(_dbapi_connection, record):
        record.info.pop(_READS_ONLY, None)

    def _reads_without_transaction():
        if request.method in ("GET", "HEAD") and request.endpoint in READ_PAGES:
            connection = db.session().connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            connection.info[_READS_ONLY] = True

    app.before_request_funcs.setdefault(None, []).insert(0, _reads_without_transaction)


# -- SQLite: WAL, foreign keys, busy timeout, and write transactions begun IMMEDIATE -----------------

_immediate: contextvars.ContextVar[bool] = contextvars.ContextVar("forum_immediate", default=False)


@contextlib.contextmanager
def write_transactions():
    """Begin every transaction opened inside this block with BEGIN IMMEDIATE on SQLite.

    A deferred transaction that reads and then writes can fail at once with "database is locked"
    when another writer got in between; taking the write lock up front makes it wait instead.
    """
    token = _immediate.set(True)
    try:
        yield
    finally:
        _immediate.reset(token)


def set_writing(writing: bool) -> None:
    """Say whether this request writes, so its transactions begin IMMEDIATE or not (set per request)."""
    _immediate.set(writing)


def writes_on_get(view):
    """Mark a view that writes when it answers a GET (a link followed from an email), so that its
    transactions begin IMMEDIATE like a form's: it reads and then writes, and begun deferred it would
    fail at once with "database is locked" whenever another request wrote in between."""
    view.forum_writes_on_get = True
    return view


def configure_sqlite(engine: Engine) -> None:
    """Install the connection settings the forum relies on, once per SQLite engine."""
    if engine.dialect.name != "sqlite" or getattr(engine, "_forum_configured", False):
        return
    engine._forum_configured = True  # type: ignore[attr-defined]

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see _begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")


# -- a column among a list of ids, one parameter on PostgreSQL --------------------------------------------

class _AmongIds(ColumnElement):
    """`column IN (...)`, the ids a list passed when the statement runs: expanded into a placeholder per id
    (SQLAlchemy's "expanding" parameter) where arrays are not to be had, and `column = ANY(:ids)`, one array
    parameter, on PostgreSQL. Expanding rewrites the statement on every execution: 3% of a signed-in space
    page's time (#19)."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a comparison: never `... = 1` where booleans are integers (SQLite)
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement), ("name", InternalTraversal.dp_string)]

    def __init__(self, column, name: str):
        self.column, self.name = column, name


@compiles(_AmongIds)
def _among_ids_expanded(element, compiler, **kw):
    return compiler.process(element.column.in_(bindparam(element.name, expanding=True)), **kw)


@compiles(_AmongIds, "postgresql")
def _among_ids_array(element, compiler, **kw):
    return compiler.process(element.column == any_(bindparam(element.name, type_=ARRAY(Integer))), **kw)


def among_ids(column, name: str) -> ColumnElement:
    """`column` is one of the ids passed as the parameter `name` (a list of ints) when the statement runs."""
    return _AmongIds(column, name)


# -- many rows in one short statement (PostgreSQL) ---------------------------------------------------

_BUILT: dict[tuple, object] = {}
_BUILT_LIMIT = 4096


def built_once(key: tuple, make):
    """A statement made by `make()` once for `key` and kept in this process, its values passed as bound
    parameters when it runs. SQLAlchemy then builds and keys it once, not on every request (a third of a
    page's time in its queries). `key` must hold everything the statement is made from; for the policy's
    filters that is `policy.filter_shape(viewer, space)`."""
    statement = _BUILT.get(key)
    if statement is None:
        if len(_BUILT) >= _BUILT_LIMIT:
            _BUILT.clear()
        statement = _BUILT[key] = make()
    return statement


def unnested(rows: list[dict], types: dict):
    """`rows` as a PostgreSQL FROM clause: one array parameter per column, unnested by the server.

    For an INSERT ... SELECT of many rows: a multi-row VALUES has a placeholder per row and column
    (12,000 for 1,000 posts), which psycopg rewrites anew for every batch; this statement has one
    per column, whatever the number of rows. `types` gives each column's type, in the rows' order.
    """
    from sqlalchemy import bindparam, func
    from sqlalchemy.dialects.postgresql import ARRAY

    arrays = [bindparam(None, [row[name] for row in rows], type_=ARRAY(type_)) for name, type_ in types.items()]
    return func.unnest(*arrays).table_valued(*types).render_derived()


# -- time columns -----------------------------------------------------------------------------------

from sqlalchemy.types import DateTime, TypeDecorator  # noqa: E402


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back as an aware UTC datetime, on every engine."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        # SQLite has no time zones: store naive UTC so that text order is time order.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)



@contextlib.contextmanager
def planned_for_its_values(connection):
    """Statements run inside are planned each time for the values bound, never prepared (PostgreSQL, psycopg).

    psycopg prepares a statement a connection has run five times, and PostgreSQL may then plan it once for
    any values (a generic plan). Most statements gain by that; a search's does not: the best way to read
    the index depends on the words and the partitions' bounds, and the generic plan for one with no match
    read every partition the same way (15.9 ms against 0.8 ms planned for its words). Elsewhere a no-op.
    """
    raw = connection.connection.dbapi_connection
    threshold = getattr(raw, "prepare_threshold", None)
    if threshold is None:  # not psycopg, or nothing is prepared (PgBouncer in transaction mode)
        yield
        return
    raw.prepare_threshold = None
    try:
        yield
    finally:
        raw.prepare_threshold = threshold
