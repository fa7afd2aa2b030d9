"""The standalone application: Flask-SQLAlchemy, Flask-Migrate and the forum mounted at /."""

from __future__ import annotations

import os
import secrets

from flask import Flask, render_template
from flask_migrate import Migrate

from forum import settings
from forum.extension import Forum
from forum.resources import resource_dir


def create_app(config: dict | None = None) -> Flask:
    """Build the standalone forum: settings from the environment, then `config`, then the forum at /."""
    app = Flask("forum", instance_relative_config=True, static_folder=None,
                instance_path=os.environ.get("FORUM_INSTANCE_PATH") or None)
    app.config.update(settings.from_environment())
    app.config.update(config or {})

    secret = app.config.get("FORUM_SECRET_KEY") or app.config.get("SECRET_KEY")
    if not secret:
        if not (app.debug or app.testing or os.environ.get("FLASK_DEBUG")):
            # Sessions would not survive a restart and could not be shared by several workers.
            secret = _instance_secret(app)
        else:
            secret = secrets.token_hex(32)
    app.config["SECRET_KEY"] = secret

    Forum(app)  # creates the Flask-SQLAlchemy instance from FORUM_DATABASE_URL
    Migrate(app, app.extensions["forum"].db, directory=str(resource_dir("migrations")), render_as_batch=True)

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("forum/errors/404.html"), 404

    @app.errorhandler(405)
    def not_allowed(_error):
        return render_template("forum/errors/error.html", code=405,
                               message="That address cannot be used that way."), 405

    return app


def _instance_secret(app: Flask) -> str:
    """A random secret kept in the instance folder, made once, for a standalone app with none configured."""
    os.makedirs(app.instance_path, exist_ok=True)
    path = os.path.join(app.instance_path, "secret_key")
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    with open(path) as handle:
        return handle.read().strip()
