"""Rate limits on signing in and posting (Flask-Limiter; Redis when FORUM_REDIS_URL is set)."""

from __future__ import annotations

import hashlib

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from forum import emails
from forum.db import READ_PAGES

# One limiter for the forum's views; its storage comes from RATELIMIT_STORAGE_URI at init_app.
limiter = Limiter(key_func=get_remote_address, key_prefix="forum")


@limiter.request_filter
def _reading_without_limits() -> bool:
    """The chat hour's reading pages (a GET of db.READ_PAGES) have no limit of their own: unless limits are set
    for every page (RATELIMIT_DEFAULT or RATELIMIT_APPLICATION, or a limit on a whole blueprint), the limiter
    skips them at once instead of working out that none applies (2% of a signed-in thread page's time, #19).
    What is set is read from the limiter, which keeps the first app's settings for every app it serves."""
    if request.method not in ("GET", "HEAD") or request.endpoint not in READ_PAGES:
        return False
    manager = limiter.limit_manager
    return not (manager._default_limits or manager._application_limits or manager._blueprint_limits)


def account_key() -> str:
    """The account a sign-in, sign-up or reset form names, so its limit holds whichever address it comes from.

    The normalised address (what sign-in looks up), hashed so the limiter's storage holds no addresses.
    """
    raw = request.form.get("email", "")
    address = emails.normalise(raw) or raw.strip().lower()
    return "account:" + hashlib.sha256(address.encode("utf-8", "replace")).hexdigest()[:32]


def signin_limit() -> str:
    """The sign-in, sign-up and reset limit for this app."""
    return current_app.config["FORUM_RATELIMIT_SIGNIN"]


def posting_limit() -> str:
    """The limit on new threads and replies for this app."""
    return current_app.config["FORUM_RATELIMIT_POSTING"]
