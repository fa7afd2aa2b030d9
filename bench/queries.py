"""Count each page's SQL statements in this process, with the app's own instrumentation.

FORUM_QUERY_COUNT makes every response carry X-Forum-Queries. Counting the same pages on the tiny
and the full data set shows whether a page's count grows with the posts and threads behind it.
"""

from __future__ import annotations

import re

from bench.pages import PAGES

CSRF = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')


def count(database_url: str, targets: dict) -> dict[str, int]:
    """Each built page's query count on this database; raises if a page does not answer 200.

    A visitor's page is counted as made (the page cache off), not as it comes from the cache (one query).
    A signed-in page is counted as a member's second view of it, as members meet it: its post cards and
    lists stored (forum/cache.py) and their read mark already written; the first view's extra statements
    (making the cards, writing the mark) are a fixed few more.
    """
    from forum import create_app

    settings = {"FORUM_DATABASE_URL": database_url, "FORUM_QUERY_COUNT": True, "SECRET_KEY": "bench-queries",
                "FORUM_RATELIMIT_SIGNIN": "1000 per minute"}
    app = create_app({**settings, "FORUM_PAGE_CACHE": False})
    members_app = create_app(settings)
    visitor, member = app.test_client(), members_app.test_client()
    token = CSRF.search(member.get("/login").data)
    if token is None:
        raise RuntimeError("the sign-in page has no csrf_token field")
    signed = member.post("/login", data={"csrf_token": token.group(1).decode(), "email": targets["member_email"],
                                         "password": targets["member_password"]})
    if signed.status_code != 302:
        raise RuntimeError(f"signing in the bench member answered {signed.status_code}, not a redirect")
    member.get("/")  # the "Signed in" message is shown once; later pages are ordinary ones
    counts = {}
    try:
        for page in PAGES:
            if not page.built:
                continue
            if page.signed_in:
                member.get(page.path(targets))
            response = (member if page.signed_in else visitor).get(page.path(targets))
            if response.status_code != 200:
                raise RuntimeError(f"{page.key} page {page.path(targets)} answered {response.status_code}")
            counts[page.key] = int(response.headers["X-Forum-Queries"])
    finally:
        for each in (app, members_app):
            with each.app_context():
                each.extensions["forum"].db.engine.dispose()
    return counts
