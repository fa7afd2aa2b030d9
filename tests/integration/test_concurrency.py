"""A chat-hour rush, short form: 50 members posting at once through gunicorn with 2 workers for ~10 seconds;
and links from emails, which write on a GET, followed by many people at the same moment.

The full 60-second form is `python -m bench.concurrency` (the same code). This runs on the suite's
database: a SQLite file made with the migrations, or PostgreSQL when FORUM_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from bench import concurrency
from forum import tokens
from forum.models import Member
from tests.factories import make_member

USERS = 50
SECONDS = 10


def test_fifty_members_posting_at_once_lose_nothing_duplicate_nothing_and_break_nothing(database_url, tmp_path):
    seeded = concurrency.seed(database_url, USERS)
    with concurrency.Gunicorn({"FORUM_DATABASE_URL": database_url}, workers=2, threads=4,
                              log_path=tmp_path / "gunicorn.log", instance_path=tmp_path / "instance") as server:
        outcome = concurrency.rush(server.url, seeded, SECONDS)
        log = server.log_tail()
    verdict = concurrency.verify(database_url, seeded, outcome)
    report = json.dumps({**outcome.summary(), "double_submit_copies": verdict.double_copies,
                         "counters": verdict.counters}, indent=1)
    print(report)  # shown with -s or on failure: throughput, latencies, what a double submit did

    assert outcome.errors == [], f"{len(outcome.errors)} errors, first: {outcome.errors[:3]}\n{log}"
    assert len(outcome.accepted) >= USERS, f"too few posts to prove anything: {report}"
    assert verdict.missing == [], f"{len(verdict.missing)} accepted posts are missing"
    assert verdict.duplicated == [], f"{len(verdict.duplicated)} posts were saved more than once"
    assert verdict.unexpected == 0, f"{verdict.unexpected} posts were saved that the server did not accept"
    assert verdict.counters_match, f"counters differ from COUNT(*): {verdict.counters}"
    assert verdict.integrity == "ok", verdict.integrity

    # A double click: the same form (same CSRF token, same text) sent twice at once. Both answers are
    # normal redirects, never an error page.
    assert outcome.double_statuses and all(300 <= status < 400 for status in outcome.double_statuses), \
        outcome.double_statuses
    # The form carries a one-time submission key, so the double click posts once.
    assert verdict.double_copies == 1, verdict.double_copies


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def test_links_from_emails_followed_at_the_same_moment_all_work(app):
    """Confirming an address and confirming a change of address write on a GET. Followed by many people
    at once (a newsletter's worth of sign-ups, a busy server), each must wait its turn for the database,
    never answer "database is locked" as a 500."""
    secret = app.config["SECRET_KEY"]
    links = []
    for n in range(24):
        joining = make_member(app, f"Joining {n}", email=f"joining{n}@mail.example.com", state="pending",
                              confirmed=False)
        links.append(f"/confirm/{tokens.make(secret, 'confirm-email', {'id': joining.id, 'email': joining.email})}")
        moving = make_member(app, f"Moving {n}", email=f"moving{n}@example.gov.uk")
        links.append("/account/email/" + tokens.make(secret, "change-email", {
            "id": moving.id, "email": f"moved{n}@example.gov.uk", "from": moving.email}))
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def follow(link: str) -> tuple[str, int]:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=60)
        connection.request("GET", link)
        status = connection.getresponse().status
        connection.close()
        return link, status

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = dict(pool.map(follow, links))
    finally:
        server.shutdown()
        server.server_close()
    assert Counter(answers.values()) == {302: len(links)}
    with app.app_context():
        db = app.extensions["forum"].db.session
        members = db.scalars(select(Member)).all()
        assert all(m.email_confirmed_at is not None for m in members if m.display_name.startswith("Joining"))
        assert sorted(m.email for m in members if m.display_name.startswith("Moving")) == sorted(
            f"moved{n}@example.gov.uk" for n in range(24))
