"""The Forum extension: mount the forum on any Flask app, at any URL prefix."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, render_template, request
from flask_babel import gettext as _, lazy_gettext as _l
from flask_compress import Compress
from flask_login import AnonymousUserMixin, LoginManager
from flask_sqlalchemy import SQLAlchemy

from forum import db as forum_db
from forum import cache as page_cache
from forum import urls
from forum import i18n, oidc, search, security, settings
from forum.limits import limiter
from forum.resources import resource_dir


class Forum:
    """Register the forum on a Flask app: `Forum(app)` or `forum.init_app(app, url_prefix="/community")`.

    `member_loader` (optional): a function that returns who the host app has signed in, as a
    `forum.HostUser` (or None for nobody). Give it when the host has its own Flask-Login users: the forum
    then finds or creates the matching member on each of its requests and leaves the host's
    LoginManager alone, so one sign-in serves both.
    """

    def __init__(self, app: Flask | None = None, **options):
        self.options = options
        if app is not None:
            self.init_app(app, **options)

    def init_app(self, app: Flask, url_prefix: str | None = None, **options) -> None:
        """Set defaults, find or create the database, and register the forum's blueprint and commands."""
        if "forum" in app.extensions:
            raise RuntimeError(
                "The forum is already registered on this app; call Forum(app) or init_app(app) once only."
            )
        options = {**self.options, **options}
        url_prefix = options.pop("url_prefix", url_prefix)
        member_loader = options.pop("member_loader", None)
        for key, value in settings.DEFAULTS.items():
            app.config.setdefault(key, value)
        for key, value in options.items():
            app.config[key] = value

        db = self._database(app)
        with app.app_context():
            forum_db.configure_sqlite(db.engine)
        self._login(app, member_loader)
        sign_in_providers = oidc.providers_from(app.config)  # read once; a missing key stops the app here
        i18n.init_app(app)  # English and Welsh: the reader's choice, else their browser's
        app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["FORUM_REDIS_URL"] or "memory://")
        # Said for every app: the one limiter otherwise keeps whatever the last app it served said.
        app.config.setdefault("RATELIMIT_ENABLED", True)
        app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
        # A moving window: a fixed one lets twice the limit through across a minute's boundary.
        app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
        limiter.init_app(app)
        _compress(app)
        app.config.setdefault("REMEMBER_COOKIE_DURATION", 14 * 24 * 3600)
        app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
        app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")

        from forum import cli, views  # late: both import models, which need nothing from the app
        app.register_blueprint(views.bp, url_prefix=url_prefix or None)
        app.cli.add_command(cli.forum_cli)
        app.before_request(_before_request)
        security.init_app(app)  # headers, trusted hosts, cookies, error pages
        search.init_app(app)    # keeps the search index in step with every write
        page_cache.init_app(app)  # visitors' pages, and the versions every write changes (#19)
        urls.init_app(app)        # forum_url: a page's repeated links built once per shape (#19)
        from forum.services import links
        links.register_listeners()  # keeps the links shared in posts in step with every write (#20)
        if app.config["FORUM_QUERY_COUNT"]:
            _count_queries(app, db)
        app.extensions["forum"] = _State(db=db, url_prefix=url_prefix or "", static_hashes={},
                                         oidc=oidc.Clients(sign_in_providers), member_loader=member_loader)

    @staticmethod
    def _database(app: Flask) -> SQLAlchemy:
        """Reuse the host's Flask-SQLAlchemy instance, or make one from FORUM_DATABASE_URL."""
        if "sqlalchemy" in app.extensions:
            return app.extensions["sqlalchemy"]
        url = app.config["FORUM_DATABASE_URL"]
        if not url:
            Path(app.instance_path).mkdir(parents=True, exist_ok=True)
            url = "sqlite:///" + str(Path(app.instance_path) / "forum.sqlite3")
        app.config.setdefault("SQLALCHEMY_DATABASE_URI", normalise_database_url(url))
        if app.config["FORUM_PGBOUNCER"]:
            # PgBouncer in transaction mode gives each transaction whichever server connection is free, so a
            # statement psycopg prepared on one (it prepares any statement run 5 times) is missing on the next.
            options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
            options.setdefault("connect_args", {})["prepare_threshold"] = None
        db = SQLAlchemy()
        db.init_app(app)
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") and not app.config["FORUM_PGBOUNCER"]:
            with app.app_context():
                forum_db.end_reads_with_commit(app, db)
                forum_db.read_pages_without_transaction(app, db)
        return db

    @staticmethod
    def _login(app: Flask, member_loader) -> None:
        if member_loader is not None:
            # The host signs people in; the forum only turns its user into a member, for its own pages.
            app.before_request(_host_member)
            if not hasattr(app, "login_manager"):
                manager = LoginManager()
                manager.login_view = "forum.login"  # which says to sign in to the host's site
                manager.user_loader(lambda _user_id: None)
                manager.init_app(app)
            return
        if hasattr(app, "login_manager"):
            raise RuntimeError(
                "The app already has a Flask-Login LoginManager. Pass member_loader= to Forum(...) to hand the "
                "forum your signed-in users (see the README), or mount it on an app without one."
            )
        manager = LoginManager()
        manager.login_view = "forum.login"
        manager.login_message = _l("Sign in to continue.")
        manager.localize_callback = str  # the message in the reader's language, as it is flashed
        manager.login_message_category = "info"
        manager.user_loader(_load_member)
        manager.init_app(app)


class _State:
    """What the forum keeps per app, in app.extensions["forum"]."""

    def __init__(self, db: SQLAlchemy, url_prefix: str, static_hashes: dict[str, str], oidc: oidc.Clients,
                 member_loader=None):
        self.db = db
        self.url_prefix = url_prefix
        self.static_hashes = static_hashes
        self.oidc = oidc                    # the OpenID Connect providers and their clients
        self.member_loader = member_loader  # the host app's signed-in user, when the host signs people in

    def static_version(self, filename: str) -> str:
        """A short hash of a static file's content, for cache-busting URLs."""
        if filename not in self.static_hashes:
            path = resource_dir("static") / "forum" / filename
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.is_file() else "0"
            self.static_hashes[filename] = digest
        return self.static_hashes[filename]


def normalise_database_url(url: str) -> str:
    """Let a plain postgresql:// URL use psycopg 3, the driver the forum installs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _load_member(user_id: str):
    from forum import policy
    member_id, _, version = user_id.partition(".")
    if not member_id.isdigit() or not version.isdigit():
        return None
    member = policy.member_with_roles(forum_db.session(), int(member_id))
    if member is None or member.session_version != int(version) or not member.is_active:
        return None
    return member


def _host_member():
    """On the forum's pages, make the host app's signed-in user the current member (found or created)."""
    if request.blueprint != "forum" or request.endpoint == "forum.static":
        return None
    from forum.services import accounts, sign_in_providers

    user = current_app.extensions["forum"].member_loader()
    if user is None:
        g._login_user = AnonymousUserMixin()
        return None
    db = forum_db.session()
    member = sign_in_providers.member_for_host_user(db, sign_in_providers.HOST_PROVIDER, user)
    db.commit()
    refusal = accounts.sign_in_refusal(member) if member is not None else _(
        "The forum cannot use your account's email address. Ask the site's administrators for help.")
    if refusal:
        g._login_user = AnonymousUserMixin()
        return render_template("forum/errors/error.html", code=403, message=refusal), 403
    g._login_user = member
    return None


def _before_request() -> None:
    # Writes begin IMMEDIATE on SQLite so two writers queue instead of failing.
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    forum_db.set_writing(request.method not in ("GET", "HEAD", "OPTIONS")
                         or getattr(view, "forum_writes_on_get", False))


def _count_queries(app: Flask, db: SQLAlchemy) -> None:
    """Count SQL statements per request into g.forum_queries (tests and benchmarks only)."""
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(_conn, _cursor, statement, *_args):
        # Transaction control (SQLite's explicit BEGIN IMMEDIATE) is not a query.
        if has_request_context() and not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            g.forum_queries = g.get("forum_queries", 0) + 1

    @app.after_request
    def _header(response):
        response.headers["X-Forum-Queries"] = str(g.get("forum_queries", 0))
        return response


def _compress(app: Flask) -> None:
    """Compress the forum's responses; in a host app, only the forum's, leaving the host's as it sends them."""
    if any(isinstance(getattr(hook, "__self__", None), Compress) for hook in app.after_request_funcs.get(None, ())):
        return  # the host compresses every response already
    # Static files are streamed; without gzip here, gzip-only browsers got the CSS uncompressed.
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["zstd", "br", "gzip", "deflate"])
    # A page made for one reader is compressed at a fast level: on a signed-in thread page (90 KB of HTML)
    # brotli 2 costs 0.13 ms and sends 9.5 KB where Flask-Compress's 4 costs 0.29 ms for 8.7 KB, and gzip 3
    # 0.14 ms for 11.1 KB where 6 costs 0.54 ms for 9.6 KB (#19). On a later machine brotli 2 took
    # 0.28-0.45 ms and brotli 1 0.17-0.28 ms, for 10.0 KB: a tenth of the page's time for half a kilobyte.
    # Pages kept for every visitor are compressed once, at the stronger levels of forum/cache.py.
    app.config.setdefault("COMPRESS_BR_LEVEL", 1)
    app.config.setdefault("COMPRESS_LEVEL", 3)
    if security.is_standalone(app):
        Compress(app)
        return
    compress = Compress()
    register = app.config.get("COMPRESS_REGISTER", True)
    app.config["COMPRESS_REGISTER"] = False  # set up, but not hooked onto every response of the host
    compress.init_app(app)
    app.config["COMPRESS_REGISTER"] = register

    def compress_the_forums(response):
        if request.blueprint == "forum":
            return compress.after_request(response)
        return response

    app.after_request(compress_the_forums)
