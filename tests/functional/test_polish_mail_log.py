"""The moderators' mail log (/moderation/mail) a page at a time, filtered by outcome (#21)."""

from __future__ import annotations

import re
from datetime import timedelta

from forum.db import utcnow
from forum.models import ReceivedMail
from tests.factories import db_session, login, make_member
from tests.functional.test_query_counts import _queries


def received(app, count: int, outcome: str, start: int = 0) -> None:
    """`count` messages in the log, as receive-mail leaves them; a higher number came in later."""
    now = utcnow()
    with app.app_context():
        db = db_session(app)
        for n in range(start, start + count):
            db.add(ReceivedMail(message_key=f"<m{n}@example.org>", from_address=f"sender{n}@example.org",
                                to_address="reply@in.example.org", subject=f"Message number {n}", outcome=outcome,
                                reason="not a member" if outcome == "refused" else "",
                                received_at=now - timedelta(minutes=1000 - n)))
        db.commit()


def subjects(page: str) -> list[int]:
    return [int(n) for n in re.findall(r"<td>Message number (\d+)</td>", page)]


def test_the_mail_log_pages_through_everything_newest_first(app, client):
    received(app, 60, "posted")
    login(client, make_member(app, role="moderator"))
    first = client.get("/moderation/mail").get_data(as_text=True)
    assert subjects(first) == list(range(59, 9, -1))  # the newest 50
    assert "60 messages · page 1 of 2" in first and 'href="/moderation/mail?page=2"' in first
    second = client.get("/moderation/mail?page=2").get_data(as_text=True)
    assert subjects(second) == list(range(9, -1, -1))
    assert client.get("/moderation/mail?page=3").status_code == 404
    assert client.get("/moderation/mail?page=nonsense").status_code == 404


def test_the_mail_log_shows_one_outcome_and_pages_keep_it(app, client):
    received(app, 55, "refused")
    received(app, 5, "posted", start=100)
    login(client, make_member(app, role="moderator"))
    page = client.get("/moderation/mail?outcome=refused").get_data(as_text=True)
    assert len(subjects(page)) == 50 and all(n < 100 for n in subjects(page))
    assert "55 messages with the outcome “Refused”" in page
    assert '<option value="refused" selected>Refused</option>' in page
    assert 'href="/moderation/mail?outcome=refused&amp;page=2"' in page
    assert subjects(client.get("/moderation/mail?outcome=refused&page=2").get_data(as_text=True)) == list(range(4, -1, -1))
    assert subjects(client.get("/moderation/mail?outcome=posted").get_data(as_text=True)) == [104, 103, 102, 101, 100]
    empty = client.get("/moderation/mail?outcome=bounce").get_data(as_text=True)
    assert subjects(empty) == [] and "No email received has the outcome “Bounce recorded”" in empty
    # An outcome that is not one shows them all, not an error.
    assert "60 messages" in client.get("/moderation/mail?outcome=<script>").get_data(as_text=True)


def test_the_mail_log_is_still_for_site_moderators_only(app, client):
    received(app, 3, "refused")
    login(client, make_member(app))
    assert client.get("/moderation/mail?outcome=refused&page=1").status_code == 403


def test_the_mail_log_page_runs_the_same_queries_however_much_mail(app, client):
    login(client, make_member(app, role="moderator"))
    received(app, 2, "refused")
    few = _queries(client, "/moderation/mail")
    received(app, 120, "posted", start=10)
    assert _queries(client, "/moderation/mail") == few == _queries(client, "/moderation/mail?page=2&outcome=posted")
