"""Rate limits on signing in and posting (Flask-Limiter; Redis when FORUM_REDIS_URL is set)."""

from __future__ import annotations

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

# One limiter for the forum's views; its storage comes from RATELIMIT_STORAGE_URI at init_app.
limiter = Limiter(key_func=get_remote_address, key_prefix="forum")


def signin_limit() -> str:
    """The sign-in, sign-up and reset limit for this app."""
    return current_app.config["FORUM_RATELIMIT_SIGNIN"]


def posting_limit() -> str:
    """The limit on new threads and replies for this app."""
    return current_app.config["FORUM_RATELIMIT_POSTING"]
