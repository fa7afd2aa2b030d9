"""Set-up for a newcomer (#22): the demo lists every account with its role, `send-mail` says what it did
in words that are true, and mail written to the log reads as a person reads it, links whole."""

from __future__ import annotations

import logging
import re

import pytest

from forum.services import demo
from tests.factories import db_session as _session
from tests.mailserver import MailServer


@pytest.fixture
def smtp(app):
    with MailServer() as server:
        app.config.update(FORUM_MAIL_SERVER="127.0.0.1", FORUM_MAIL_PORT=server.port)
        yield server


def test_the_demo_lists_every_account_with_its_role(runner):
    result = runner.invoke(args=["forum", "demo"])
    assert result.exit_code == 0, result.output
    assert f"password {demo.DEMO_PASSWORD}" in result.output
    for name, email, *_rest in demo.MEMBERS:
        assert re.search(rf"{re.escape(email)}\s+{re.escape(name)} \(", result.output), name
    assert re.search(r"jo\.williams@leeds\.example\.gov\.uk\s+Jo Williams \(moderator, host of Evangelist support",
                     result.output)
    assert re.search(r"admin@afterchat\.example\.org\s+Alex Morgan \(admin\)", result.output)
    assert re.search(r"sam\.patel@\S+\s+Sam Patel \(member\)", result.output)


def _queue(app, *bodies):
    from forum import mail
    with app.app_context():
        db = _session(app)
        for n, body in enumerate(bodies):
            mail.queue(db, f"reader{n}@example.gov.uk", f"Confirm your email address ({n})", body)
        db.commit()


def test_send_mail_says_how_many_emails_in_words_that_are_true(app, runner, caplog):
    assert runner.invoke(args=["forum", "send-mail"]).output.strip() == "No mail was due."
    _queue(app, "One.")
    logged = runner.invoke(args=["forum", "send-mail"]).output.strip()
    assert logged == "Wrote 1 email to the log (no FORUM_MAIL_SERVER is set, so nothing was sent)."
    _queue(app, "Two.", "Three.")
    assert runner.invoke(args=["forum", "send-mail"]).output.strip().startswith("Wrote 2 emails to the log")
    assert runner.invoke(args=["forum", "send-mail"]).output.strip() == "No mail was due."


def test_send_mail_to_a_server_counts_what_it_sent(app, runner, smtp):
    _queue(app, "One.")
    assert runner.invoke(args=["forum", "send-mail"]).output.strip() == "Sent 1 email."
    _queue(app, "Two.", "Three.")
    assert runner.invoke(args=["forum", "send-mail"]).output.strip() == "Sent 2 emails."


def test_mail_in_the_log_is_decoded_and_its_links_whole(app, runner, caplog):
    link = ("https://community.example.gov.uk/confirm/eyJpZCI6MSwiZW1haWwiOiJyZWFkZXJAZXhhbXBsZS5nb3YudWsifQ."
            "Z2VuZXJhdGVkLXRva2VuLXRoYXQtaXMtbG9uZ2VyLXRoYW4tc2V2ZW50eS1zaXgtY2hhcmFjdGVycw")
    _queue(app, f"Hello Riley,\n\nConfirm your address — it takes a click:\n\n{link}\n")
    with caplog.at_level(logging.WARNING, logger="forum.mail"):
        runner.invoke(args=["forum", "send-mail"])
    [record] = [r for r in caplog.records if r.name == "forum.mail"]
    text = record.getMessage()
    assert "Subject: Confirm your email address (0)" in text and "To: reader0@example.gov.uk" in text
    assert link in text.split()  # one line, no "=" soft breaks
    assert "Confirm your address — it takes a click:" in text  # not =E2=80=94
