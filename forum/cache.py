"""The page cache (#19): whole pages for visitors, keyed by what they show, never stale, never private.

How a page stays right:

- **Versions.** Every page a visitor may get from the cache names the scopes it shows (`site` on
  every page; `latest` on the lists: home, spaces, chats; `thread:<id>` on a thread's pages), and the
  key is made from those scopes' tokens in `forum_page_version`. Session events change the tokens in
  the same transaction as the write (`before_commit`): a post or thread changes its thread's token
  and `latest`; a space's counters change `latest`; any other change to a forum table (a name, an
  organisation, a speaker, a space, a membership, a chat, the library...) changes `site`, except the
  tables and columns listed in IGNORED_TABLES / IGNORED_COLUMNS, which no cached page shows. A new
  table is therefore covered from its first day. The tokens are read *before* the page's content, so
  a key never names content older than itself, and a reader whose own write has committed can only
  get a page made after it. Tokens are random, so copies of a database never share a key by chance.
  ORM bulk statements (`db.execute(update(Post)...)`) are seen too; statements sent past the ORM
  (raw SQL, Core on a bare connection) are not, as for the search index.
- **Who.** `shared_class(viewer)` is the one place that decides whose page may be shared: visitors
  only (the policy's VISITOR class). Members, hosts and moderators get their page made for them,
  marked `Cache-Control: private, no-cache` so no proxy keeps it. A visitor's page is stored only when
  its making touched nothing of the visitor's own: no CSRF token, no flashed message, no change to the
  session, no session key other than the forum's own bookkeeping (a host app's base template that
  shows its own signed-in user keeps the cache from storing it), and only a 200 answer.
- **Revalidation.** Visitor pages carry a weak ETag made from the key (the tokens, the URL, the
  language) and `Cache-Control: public, max-age=0, must-revalidate`, `Vary: Cookie`: a browser or
  shared proxy asks again each time and gets a 304 without the page being made. No Last-Modified:
  its one-second resolution would let a browser keep a page older than a second change made in the
  same second (If-Modified-Since would answer 304); the ETag changes with every write.

In-process (Flask-Caching's SimpleCache) by default; Redis when FORUM_REDIS_URL is set; off with
FORUM_PAGE_CACHE=false.
"""

from __future__ import annotations

import collections
import functools
import hashlib
import logging
import re
from collections.abc import Callable, Iterable

from flask import Flask, current_app, g, make_response, request, session as flask_session
from flask_login import current_user
from sqlalchemy import bindparam, event, inspect as sa_inspect, or_, select, update
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.orm.attributes import get_history

from forum import policy
from forum.db import is_forum_table, utcnow
from forum.models.page_cache import LATEST, SITE, PageVersion, new_token  # noqa: F401  (LATEST: for the views)

try:  # Flask-Compress's own choice and compression, so a page from the cache is sent exactly as it would be
    from flask_compress.flask_compress import _choose_algorithm, _compress_data
except ImportError:  # another version: it compresses each answer itself
    _choose_algorithm = _compress_data = None

log = logging.getLogger(__name__)

VERSIONS = PageVersion.__tablename__
# Tables no cached page shows (private to one member, mail, logs, search bookkeeping): writes to them
# change no token.
IGNORED_TABLES = frozenset({
    VERSIONS, "forum_outbox", "forum_mail_received", "forum_mail_address", "forum_notification", "forum_watch",
    "forum_read_state", "forum_saved_post", "forum_moderation_log", "forum_report", "forum_post_revision",
    "forum_pending_import", "forum_sign_in_identity", "forum_space_request",
})
# Columns no cached page shows; a change to any other column of these tables changes `site`.
IGNORED_COLUMNS = {
    "forum_member": frozenset({
        "email", "password_hash", "session_version", "email_frequency", "auto_watch", "feed_token",
        "last_digest_at", "recap_email", "email_confirmed_at", "status_reason", "info_request", "info_response",
        "language",  # their own pages' language: the cache keys on the language of each request
    }),
}
# Columns that only lists show (counters, latest activity): a change to them changes `latest`, not `site`.
LIST_COLUMNS = {"forum_space": frozenset({"thread_count", "post_count", "last_post_at", "last_thread_id"})}
# Tables derived from posts that only lists show (a chat's links shared, #20): a change changes `latest`.
LIST_TABLES = frozenset({"forum_link"})
# A post's columns that other threads' pages may show about it ("in reply to <name>", after a split):
# changing them on an existing post changes `site`.
POST_IDENTITY = frozenset({"author_id", "speaker_id", "anonymous", "removed_at", "awaiting_approval", "rejected_at"})
THREAD_TABLES = frozenset({"forum_post", "forum_thread"})
# Session keys that hold nothing a page prints (Flask-Login's and Flask-WTF's bookkeeping).
NEUTRAL_SESSION_KEYS = frozenset({"csrf_token", "_fresh", "_permanent", "_id", "next"})

_PENDING = "forum_page_scopes"
_COMMITTING = "forum_page_committing"  # this transaction's tokens have changed; it is committing


THREAD_SCOPE_PREFIX = "thread:"


def thread_scope(thread_id: int) -> str:
    return f"{THREAD_SCOPE_PREFIX}{thread_id}"


# -- who may share a page ---------------------------------------------------------------------------------

def shared_class(viewer) -> str | None:
    """The class whose pages may be shared between people, for this viewer; None: make the page for them.

    Only the policy's VISITOR class: a member's page carries their name, forms, own waiting posts and
    marks, and a host's or moderator's shows more. The one place that decides what the cache may share.
    """
    return policy.VISITOR if policy.viewer_class(viewer) == policy.VISITOR else None


# -- marking what changed ----------------------------------------------------------------------------------

def _pending(session: Session) -> set[str]:
    return session.info.setdefault(_PENDING, set())


def _changed_columns(obj) -> set[str]:
    state = sa_inspect(obj)
    return {attr.key for attr in state.mapper.column_attrs if get_history(obj, attr.key).has_changes()}


def _column_names(mapper, attrs: Iterable[str]) -> set[str]:
    names = set()
    for key in attrs:
        prop = mapper.attrs.get(key) if mapper is not None else None
        columns = getattr(prop, "columns", None)
        names.add(columns[0].name if columns else key)
    return names


def _scopes_for_row(table: str, columns: set[str] | None, *, new: bool) -> set[str]:
    """The scopes a change to a row of `table` (`columns` changed; None: unknown or all) changes, threads aside."""
    if table in IGNORED_TABLES or not is_forum_table(table):
        return set()
    if table in LIST_TABLES:
        return {LATEST}
    if columns is not None and not new:
        columns = columns - IGNORED_COLUMNS.get(table, frozenset())
        if not columns:
            return set()
        if columns <= LIST_COLUMNS.get(table, frozenset()):
            return {LATEST}
    return {SITE}


def _thread_ids(obj, name: str) -> set[int]:
    history = get_history(obj, name)
    return {i for i in (*history.added, *history.unchanged, *history.deleted) if i is not None}


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    """Note the scopes this flush's changes touch; they change at commit (see `_before_commit`)."""
    scopes = _pending(session)
    _note_flush(session, scopes)
    if session.info.get(_COMMITTING) and scopes:
        # A flush after this transaction's tokens changed (another before_commit listener wrote more):
        # change these too, still inside the transaction.
        bump(session.connection(), session.info.pop(_PENDING))


def _note_flush(session: Session, scopes: set[str]) -> None:
    for obj, new in [*((o, True) for o in session.new), *((o, False) for o in session.dirty),
                     *((o, False) for o in session.deleted)]:
        mapper = sa_inspect(obj).mapper
        table = mapper.local_table.name
        if table == "forum_post":
            scopes.update(thread_scope(i) for i in _thread_ids(obj, "thread_id"))
            scopes.add(LATEST)
            if not new and obj not in session.deleted and _column_names(mapper, _changed_columns(obj)) & POST_IDENTITY:
                scopes.add(SITE)
            elif obj in session.deleted:
                scopes.add(SITE)
        elif table == "forum_thread":
            if obj.id is not None:
                scopes.add(thread_scope(obj.id))
            scopes.add(LATEST)
        else:
            columns = None if new or obj in session.deleted else _column_names(mapper, _changed_columns(obj))
            if columns is not None and not columns:
                if not session.is_modified(obj):
                    continue  # nothing of its own changed
                columns = None  # a collection (a many-to-many table, as a chat's topics): what it shows is not known
            scopes |= _scopes_for_row(table, columns, new=new or obj in session.deleted)


def _bulk_statement(state: ORMExecuteState) -> None:
    """Note the scopes ORM bulk INSERT, UPDATE and DELETE statements touch."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    statement = state.statement
    table_obj = getattr(statement, "table", None)
    table = getattr(table_obj, "name", None)
    if table is None or table in IGNORED_TABLES or not is_forum_table(table):
        return
    session = state.session
    scopes = _pending(session)
    columns = _set_columns(state)
    if table not in THREAD_TABLES:
        scopes |= _scopes_for_row(table, columns, new=state.is_insert or state.is_delete)
        return
    scopes.add(LATEST)
    params = state.parameters
    rows = params if isinstance(params, list) else [params] if isinstance(params, dict) else []
    if state.is_insert:
        if table == "forum_thread":
            return  # a new thread has no page cached yet; `latest` covers the lists
        ids = {r.get("thread_id") for r in rows if isinstance(r, dict)}
        if rows and None not in ids:
            scopes.update(thread_scope(i) for i in ids)
        else:
            scopes.add(SITE)  # INSERT ... SELECT: which threads is not known here
        return
    if columns is None or "thread_id" in columns or (table == "forum_post" and columns & POST_IDENTITY):
        scopes.add(SITE)  # posts moved between threads, or a change other threads' pages may show
    if SITE in scopes:
        return  # every page changes already: no need to find which threads
    from forum.models import Post, Thread
    entity = Post if table == "forum_post" else Thread
    key = entity.thread_id if entity is Post else entity.id
    by_key = [r["id"] for r in rows if isinstance(r, dict) and "id" in r]
    if by_key and len(by_key) == len(rows):
        query = select(key).where(entity.id.in_(by_key))
    else:
        where = statement.whereclause
        query = select(key) if where is None else select(key).where(where)
    scopes.update(thread_scope(i) for i in session.scalars(query.distinct()) if i is not None)


def _set_columns(state: ORMExecuteState) -> set[str] | None:
    """The columns a bulk statement sets (None: not known, as for a DELETE or INSERT ... SELECT)."""
    if state.is_delete:
        return None
    names: set[str] = set()
    values = getattr(state.statement, "_values", None) or {}
    for key in values:
        names.add(getattr(key, "name", None) or getattr(key, "key", None) or str(key))
    params = state.parameters
    rows = params if isinstance(params, list) else [params] if isinstance(params, dict) and params else []
    for row in rows:
        if isinstance(row, dict):
            names.update(k for k in row if k != "id")
    if not names:
        return None
    table = state.statement.table
    known = {c.name for c in getattr(table, "columns", ())}
    return names if not known or names <= known else None


def _before_commit(session: Session) -> None:
    """Change the noted scopes' tokens, in the committing transaction, in one statement, in key order."""
    session.flush()  # the last changes, so their scopes are noted too
    session.info[_COMMITTING] = True
    scopes = session.info.pop(_PENDING, None)
    if scopes:
        bump(session.connection(), scopes)


def bump(connection, scopes: Iterable[str]) -> None:
    """Give `scopes` a new token (one for this transaction), creating their rows as needed."""
    rows = [{"scope": s, "token": new_token(), "changed_at": utcnow()} for s in sorted(set(scopes))]
    if not rows or not _installed(connection):
        return
    token = rows[0]["token"]
    for row in rows:
        row["token"] = token
    table = PageVersion.__table__
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif connection.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # no upsert: change those that exist, then add the others
        existing = set(connection.scalars(select(table.c.scope).where(table.c.scope.in_([r["scope"] for r in rows]))))
        connection.execute(update(table).where(table.c.scope.in_(existing)).values(token=token, changed_at=utcnow()))
        missing = [r for r in rows if r["scope"] not in existing]
        if missing:
            connection.execute(table.insert(), missing)
        return
    statement = insert(table).values(rows)
    connection.execute(statement.on_conflict_do_update(
        index_elements=[table.c.scope],
        set_={"token": statement.excluded.token, "changed_at": statement.excluded.changed_at},
    ))


def _installed(connection) -> bool:
    engine = connection.engine
    known = engine.__dict__.get("_forum_page_versions")
    if known is None:
        known = sa_inspect(connection).has_table(VERSIONS)
        if not known:
            log.warning("The page cache's table is missing, so pages are not cached: run `flask forum upgrade`.")
        engine.__dict__["_forum_page_versions"] = known
    return known


def _forget(session: Session, *_args) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_COMMITTING, None)


_registered = False


def register_listeners() -> None:
    """Listen to every Session's flushes, bulk statements and commits (once per process)."""
    global _registered
    if _registered:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _bulk_statement)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_rollback", _forget)
    event.listen(Session, "after_commit", _forget)
    _registered = True


# -- serving pages -------------------------------------------------------------------------------------------

def init_app(app: Flask) -> None:
    """Set up the page cache for this app: Flask-Caching, in-process or on FORUM_REDIS_URL."""
    from flask_caching import Cache

    register_listeners()
    if not app.config["FORUM_PAGE_CACHE"]:
        app.extensions["forum_page_cache"] = app.extensions["forum_card_cache"] = None
        return
    config = {"CACHE_DEFAULT_TIMEOUT": app.config["FORUM_PAGE_CACHE_SECONDS"], "CACHE_KEY_PREFIX": "forum:page:"}
    if app.config["FORUM_REDIS_URL"]:
        config.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=app.config["FORUM_REDIS_URL"])
    else:
        config.update(CACHE_TYPE="SimpleCache", CACHE_THRESHOLD=app.config["FORUM_PAGE_CACHE_ENTRIES"])
    app.extensions["forum_page_cache"] = Cache(app, config=config)
    cards = {**config, "CACHE_KEY_PREFIX": "forum:card:"}
    if cards["CACHE_TYPE"] == "SimpleCache":
        cards["CACHE_THRESHOLD"] = app.config["FORUM_PAGE_CACHE_ENTRIES"] * CARDS_PER_PAGE_ENTRY
    app.extensions["forum_card_cache"] = Cache(app, config=cards)


def _cache():
    return current_app.extensions.get("forum_page_cache")


# -- post cards (#19): one post's card, shared by the readers of a class, for pages made anew -----------------

# The in-process store keeps this many cards for each page it may keep (a card is about 1.5 KB).
CARDS_PER_PAGE_ENTRY = 10


def cards_enabled() -> bool:
    return current_app.extensions.get("forum_card_cache") is not None


def card_placeholder() -> str:
    """What stands in a stored card for the reader's CSRF token: the same on every host of one site (it is
    made from the secret key), unknown to anyone else, and never in a post's words."""
    secret = str(current_app.config.get("SECRET_KEY") or "")
    made = current_app.extensions.get("forum_card_placeholder")
    if made is None or made[0] != secret:  # asked several times a page: made once for the app's key
        digest = hashlib.blake2b(b"forum card csrf", key=secret.encode()[:64], digest_size=12).hexdigest()
        made = secret, "csrf-" + digest
        current_app.extensions["forum_card_placeholder"] = made
    return made[1]


def with_token(html: str) -> str:
    """Kept HTML with the reader's CSRF token where `card_placeholder` stands for it."""
    from flask_wtf.csrf import generate_csrf
    return html.replace(card_placeholder(), generate_csrf())


def macro_fingerprint() -> str:
    """The post card's template source, so that a new version of the forum never serves an old version's cards."""
    found = current_app.extensions.get("forum_card_fingerprint")
    if found is None:
        source, _name, _uptodate = current_app.jinja_env.loader.get_source(current_app.jinja_env, "forum/macros.html")
        found = hashlib.blake2b(source.encode(), digest_size=8).hexdigest()
        current_app.extensions["forum_card_fingerprint"] = found
    return found


def site_token(db: Session) -> str | None:
    """The `site` token, read once per request and before what it keys (None: the table is not seeded)."""
    if g.get("forum_page_tokens") is None:
        g.forum_page_tokens = tokens(db, [SITE])
    found = g.forum_page_tokens
    return found[SITE] if found else None


def site_data(db: Session, name: str, make: Callable[[], object]):
    """What every reader is shown alike and only a change to the `site` scope changes (a thread's topics), kept
    in the card store under the site token; `make()` when it is not there (or the store is off)."""
    cache = current_app.extensions.get("forum_card_cache")
    token = site_token(db) if cache is not None else None
    if token is None:
        return make()
    key = "data:" + hashlib.blake2b(f"{token}\n{name}".encode(), digest_size=20).hexdigest()
    found = stored(cache, key)
    if found is None:
        found = make()
        store(cache, key, found)
    return found


def card_keys(db: Session, cards: dict[int, tuple[str, tuple]]) -> dict[int, str]:
    """Each post's card key, from its reader class (policy.card_class or own_card_class) and its row: the
    `site` token (names, organisations, speakers, the library, members' handles and roles shown on a card
    change it), the class, the language, and every shown column of the post and of the post it replies to
    (the row itself: an edit, a state, a move changes it)."""
    token = site_token(db)
    if token is None:
        return {}
    prefix = "\n".join([token, _language(), request.script_root, macro_fingerprint()])
    return {post_id: hashlib.blake2b(f"{prefix}\n{card_class}\n{row!r}".encode(), digest_size=20).hexdigest()
            for post_id, (card_class, row) in cards.items()}


def stored_parts(keys: dict[int, str]) -> dict[int, object]:
    """The parts (post cards, a member's counts) stored under these keys in the card store, by what each key is
    for (a post's or thread's id): one round trip to Redis."""
    cache = current_app.extensions.get("forum_card_cache")
    if cache is None or not keys:
        return {}
    ids = list(keys)
    try:
        values = cache.get_many(*(keys[i] for i in ids))
    except Exception:  # noqa: BLE001  (a store that does not answer: the cards are made)
        log.warning("The card cache did not answer; making the parts.", exc_info=True)
        return {}
    return {post_id: value for post_id, value in zip(ids, values) if value is not None}


def store_parts(parts: dict[str, object]) -> None:
    """Store parts (post cards, a member's counts) in the card store under their keys."""
    cache = current_app.extensions.get("forum_card_cache")
    if cache is None or not parts:
        return
    try:
        cache.set_many(parts)
    except Exception:  # noqa: BLE001
        log.warning("The card cache could not store parts.", exc_info=True)


@functools.lru_cache(maxsize=8)
def _tokens_statement(count: int):
    # One statement per number of scopes, with plain parameters (an expanding IN is rebuilt every time).
    table = PageVersion.__table__
    return select(table.c.scope, table.c.token).where(
        or_(*(table.c.scope == bindparam(f"s{n}") for n in range(count))))


def tokens(db: Session, scopes: list[str]) -> dict[str, str] | None:
    """The scopes' tokens, read before the page's content (same transaction); None when the table is not seeded."""
    rows = db.connection().execute(_tokens_statement(len(scopes)), {f"s{n}": s for n, s in enumerate(scopes)})
    found = dict(rows.all())
    return found if SITE in found else None


def _session_is_neutral() -> bool:
    return set(flask_session.keys()) <= NEUTRAL_SESSION_KEYS


def _key(found: dict[str, str], scopes: list[str]) -> str:
    parts = [request.host_url, request.full_path, *(f"{s}={found.get(s, '-')}" for s in scopes)]
    parts.append(_language())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]


def _language() -> str:
    """The language the page is said in (Flask-Babel's choice, made from a cookie or Accept-Language)."""
    if "babel" not in current_app.extensions:
        return ""
    from flask_babel import get_locale
    return str(get_locale() or "")


def _private(response):
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def page(scopes: Callable[..., list[str]]):
    """Serve a GET view's page to visitors from the cache; `scopes(**view_args)` names what it shows.

    Every page gets the right Cache-Control: public and revalidated by ETag for visitors, private for
    everyone else.
    """
    def decorator(view):
        @functools.wraps(view)
        def wrapper(**kwargs):
            cache = _cache()
            if shared_class(current_user._get_current_object()) is None or request.method not in ("GET", "HEAD"):
                return _private(make_response(view(**kwargs)))
            if (cache is None or not _session_is_neutral() or flask_session.get("_flashes")
                    or not _canonical_query()):
                return _uncached_visitor(view(**kwargs))
            from forum.db import session as db_session
            wanted = [SITE, *scopes(**kwargs)]
            found = tokens(db_session(), wanted)
            g.forum_page_tokens = found  # the page's post cards are keyed by the same `site` token
            if found is None:
                return _uncached_visitor(view(**kwargs))
            key = _key(found, wanted)
            if request.if_none_match.contains_weak(key):
                response = current_app.response_class(status=304)
                return _public(response, key)
            html = stored(cache, key)
            if html is not None:
                response = _compressed(cache, key, html)
                response.headers["X-Forum-Cache"] = "hit"
                return _public(response, key)
            response = make_response(view(**kwargs))
            if response.status_code != 200 or not _storable():
                return _uncached_visitor(response)
            store(cache, key, response.get_data())
            response.headers["X-Forum-Cache"] = "miss"
            return _public(response, key)
        return wrapper
    return decorator


def _compressed(cache, key: str, html: bytes):
    """The stored page, compressed as Flask-Compress would for this request, once per encoding and key."""
    response = current_app.response_class(html, mimetype="text/html")
    algorithm = _encoding()
    if algorithm is None:
        return response
    body = stored(cache, f"{key}:{algorithm}")
    if body is None:
        body = _compress_data(_KeptLevels(current_app), html, algorithm)
        store(cache, f"{key}:{algorithm}", body)
    response.set_data(body)
    response.headers["Content-Encoding"] = algorithm  # Flask-Compress leaves an encoded answer as it is
    response.vary.add("Accept-Encoding")
    return response


# A page kept for every visitor is compressed once for all of them: at stronger levels than a page made per
# reader (forum/extension.py), or the app's own if they are stronger still.
KEPT_COMPRESSION = {"COMPRESS_BR_LEVEL": 5, "COMPRESS_LEVEL": 6, "COMPRESS_ZSTD_LEVEL": 3}


class _KeptLevels:
    """The app, as `_compress_data` reads it, with the kept pages' compression levels."""

    def __init__(self, app):
        self.config = collections.ChainMap(
            {name: max(level, app.config.get(name, level)) for name, level in KEPT_COMPRESSION.items()}, app.config)


def _encoding() -> str | None:
    """The encoding Flask-Compress would choose for this request (None: send the page as it is)."""
    if _choose_algorithm is None:
        return None
    configured = current_app.config.get("COMPRESS_ALGORITHM", ["zstd", "br", "gzip", "deflate"])
    algorithms = tuple(configured.replace(" ", "").split(",") if isinstance(configured, str) else configured)
    return _choose_algorithm(algorithms, request.headers.get("Accept-Encoding", ""))


def stored(cache, key: str):
    """A stored value, or None; a cache that does not answer (Redis down) is a miss, not an error page."""
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001  (any failure of the store: the page or part is made instead)
        log.warning("The page cache did not answer; making the page.", exc_info=True)
        return None


def store(cache, key: str, value) -> None:
    """Store a value; a cache that does not answer is logged, and the page is served all the same."""
    try:
        cache.set(key, value)
    except Exception:  # noqa: BLE001
        log.warning("The page cache could not store a page.", exc_info=True)


_PAGE_ARG = re.compile(r"[1-9][0-9]{0,5}")


def _canonical_query() -> bool:
    """Only `?page=N` as the forum's own links write it: any other query would let anyone fill the cache
    with copies of a page (`?page=01`, `?x=1`, `?x=2`...); such requests get the page made for them."""
    args = request.args
    if not args:
        return True
    return list(args) == ["page"] and len(args.getlist("page")) == 1 and _PAGE_ARG.fullmatch(args["page"]) is not None


def _storable() -> bool:
    """May this visitor's page be stored: it touched nothing of theirs (a CSRF token, a message, the
    session) and showed nothing from a space that is not public (forum/security.py's mark)?"""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    return (field not in g and not g.get("forum_private_page") and not getattr(flask_session, "modified", False) and _session_is_neutral()
            and not flask_session.get("_flashes"))


def _uncached_visitor(response):
    response = make_response(response)
    response.headers["Cache-Control"] = "no-cache"
    _vary(response)
    return response


def _vary(response) -> None:
    response.vary.add("Cookie")
    if "babel" in current_app.extensions:
        response.vary.add("Accept-Language")


def _public(response, key: str):
    response.set_etag(key, weak=True)
    response.headers["Cache-Control"] = "public, max-age=0, must-revalidate"
    _vary(response)
    return response
