"""A chat-hour rush, short form: 50 members posting at once through gunicorn with 2 workers for ~10 seconds.

The full 60-second form is `python -m bench.concurrency` (the same code). This runs on the suite's
database: a SQLite file made with the migrations, or PostgreSQL when FORUM_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import json

from bench import concurrency

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
