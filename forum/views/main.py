"""The home page, the accessibility statement and the health check."""

from __future__ import annotations

from flask import jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from forum import cache as page_cache
from forum import fragments_lists, frames
from forum.db import session
from forum.views import bp
from forum.views._helpers import external_url


@bp.get("/")
@page_cache.page(lambda: [page_cache.LATEST])
def home():
    """List the spaces the viewer may see, and the latest threads they may read."""
    viewer = current_user._get_current_object()
    lists = fragments_lists.home(session(), viewer)
    shape = frames.shape("home", viewer)  # the lists are the reader's own; the rest shows only their state
    page = frames.page(shape, frames.kept(shape), vars(lists), lambda parts: render_template(
        "forum/home.html", lists=fragments_lists.HomeLists(**parts)))
    return frames.response(page, viewer)


# Addresses people copy into a calendar or a feed reader: on FORUM_BASE_URL, never the request's Host.
bp.add_app_template_global(external_url, "forum_external_url")


@bp.get("/accessibility")
def accessibility():
    """The accessibility statement, in GOV.UK's model form."""
    return render_template("forum/accessibility.html", address=external_url("forum.home"))


@bp.get("/health")
def health():
    """Report whether the app and its database answer: 200 when both do, 503 when the database does not."""
    try:
        session().execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # any failure to reach the database is what this reports
        session().rollback()
        return jsonify(status="error", app="ok", database="unreachable", detail=type(exc).__name__), 503
    return jsonify(status="ok", app="ok", database=database)
