"""Plain factory functions for tests: each commits and returns a detached object with its columns loaded."""

from __future__ import annotations

import itertools
import os
import re
from contextlib import contextmanager

import pytest
from werkzeug.security import generate_password_hash

from forum.db import utcnow
from forum.models import Member, Post, Space, SpaceMembership, Thread
from forum.services import accounts, posting
from forum.services.spaces import create_space

PASSWORD = "correct horse battery"
_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")  # fast: factories make many members
_counter = itertools.count(1)


def db_session(app):
    """The forum's database session, for a test's own `with app.app_context():` block."""
    return app.extensions["forum"].db.session


@contextmanager
def _session(app):
    with app.app_context():
        session = app.extensions["forum"].db.session
        yield session


def _detach(session, *objects):
    session.commit()
    for obj in objects:
        session.refresh(obj)
        session.expunge(obj)
    return objects[0] if len(objects) == 1 else objects


def make_member(app, name: str | None = None, *, email: str | None = None, role: str = "member",
                state: str = "approved", organisation: str | None = None, sector: str | None = None,
                confirmed: bool = True) -> Member:
    n = next(_counter)
    name = name or f"Member {n}"
    with _session(app) as session:
        member = Member(
            display_name=name, name_key=accounts.normalise_name(name),
            email=(email or f"member{n}@example.gov.uk").lower(), password_hash=_hash, role=role, state=state,
            sector=sector, organisation=accounts.find_organisation(session, organisation),
            email_confirmed_at=utcnow() if confirmed else None, approved_at=utcnow() if state == "approved" else None,
        )
        session.add(member)
        return _detach(session, member)


def make_space(app, slug: str | None = None, *, visibility: str = "public", name: str | None = None,
               anonymous_posting: bool = False, members=(), hosts=()) -> Space:
    n = next(_counter)
    slug = slug or f"space-{n}"
    with _session(app) as session:
        space = create_space(session, slug=slug, name=name or f"Space {n}", visibility=visibility,
                             anonymous_posting=anonymous_posting)
        for member in members:
            session.add(SpaceMembership(space_id=space.id, member_id=member.id))
        for member in hosts:
            session.add(SpaceMembership(space_id=space.id, member_id=member.id, role="host"))
        return _detach(session, space)


def make_thread(app, space: Space, author: Member, *, title: str = "A thread about budgets",
                body: str = "What do you think?", replies: int = 0) -> Thread:
    with _session(app) as session:
        space_row = session.get(Space, space.id)
        author_row = session.get(Member, author.id)
        thread = posting.start_thread(session, space=space_row, author=author_row, title=title, body=body)
        for i in range(replies):
            posting.reply(session, thread=thread, space=space_row, author=author_row, body=f"Reply number {i + 1}")
        return _detach(session, thread)


def make_post(app, thread: Thread, author: Member, body: str = "A reply") -> Post:
    with _session(app) as session:
        thread_row = session.get(Thread, thread.id)
        space_row = session.get(Space, thread_row.space_id)
        post = posting.reply(session, thread=thread_row, space=space_row, author=session.get(Member, author.id), body=body)
        return _detach(session, post)


def login(client, member: Member) -> None:
    """Sign a test client in as `member` (the sign-in form itself is tested in test_auth)."""
    with client.session_transaction() as cookie:
        cookie["_user_id"] = member.get_id()
        cookie["_fresh"] = True


_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    """Fetch a page and return the CSRF token of its first form."""
    response = client.get(url)
    match = _TOKEN.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url} (status {response.status_code})"
    return match.group(1) or match.group(2)


def submit(client, url: str, data: dict, *, form_url: str | None = None, follow_redirects: bool = False):
    """Post a form the way a browser would: with the CSRF token from the page that shows the form."""
    token = csrf_token(client, form_url or url)
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=follow_redirects)


def flushed_redis(url: str):
    """A Redis database of a test's own, flushed before and after; skipped without Redis unless CI=true."""
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        client.ping()
    except Exception as exc:  # noqa: BLE001  (any failure means: no Redis here)
        message = f"Redis is not reachable at {url}: {type(exc).__name__}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: the Redis test is required)")
        pytest.skip(message)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def page_text(client, url: str) -> str:
    """A page's HTML, which must have answered 200."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def new_tag(page: str, title: str) -> str | None:
    """The "N new" beside a thread's link on a listing, or None."""
    match = re.search(re.escape(title) + r'</a>\s*(?:<a href="[^"]+" class="tag tag--new">(\d+) new<)?', page)
    assert match, f"{title!r} is not listed"
    return match.group(1)
