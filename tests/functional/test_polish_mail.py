"""send-mail's summary tells held mail from failures (#21): a message to an address that stopped taking mail
(it bounced too often) is held, not retried, and the summary says so."""

from __future__ import annotations

from sqlalchemy import select

from forum import mail
from forum.db import utcnow
from forum.models import MailAddress, OutboxMessage
from tests.factories import db_session
from tests.mailserver import MailServer


def test_send_mail_says_mail_to_a_stopped_address_is_held_not_retried(app, runner):
    with app.app_context():
        db = db_session(app)
        # What three hard bounces leave behind (tests/functional/test_inbound_mail.py makes it with real bounces).
        db.add(MailAddress(address="gone@example.gov.uk", hard_bounces=3, stopped_at=utcnow(),
                           last_bounce_reason="5.1.1 user unknown"))
        for to in ("jo@example.gov.uk", "gone@example.gov.uk", "sam@example.gov.uk"):
            mail.queue(db, to, f"A reply for {to}", "Jo replied")
        db.commit()
    with MailServer() as smtp:
        app.config.update(FORUM_MAIL_SERVER="127.0.0.1", FORUM_MAIL_PORT=smtp.port)
        result = runner.invoke(args=["forum", "send-mail"])
        assert result.exit_code == 0
        assert result.output.strip() == "Sent 2 emails; 1 held: the address stopped taking mail."
        assert smtp.to("gone@example.gov.uk") == [] and len(smtp.to("jo@example.gov.uk")) == 1
        # Held means held: the next round has nothing to do, however long it waits.
        assert runner.invoke(args=["forum", "send-mail"]).output.strip() == "No mail was due."
    with app.app_context():
        held = db_session(app).scalar(select(OutboxMessage).where(OutboxMessage.to == "gone@example.gov.uk"))
        assert held.sent_at is None and "bounced 3 times" in held.last_error


def test_send_mail_tells_retried_failures_from_held_mail(app, runner):
    with app.app_context():
        db = db_session(app)
        db.add(MailAddress(address="gone@example.gov.uk", hard_bounces=3, stopped_at=utcnow()))
        mail.queue(db, "gone@example.gov.uk", "Held", "Jo replied")
        mail.queue(db, "jo@example.gov.uk", "Fails", "Jo replied")
        db.commit()
    app.config.update(FORUM_MAIL_SERVER="127.0.0.1", FORUM_MAIL_PORT=1)  # nothing listens there
    result = runner.invoke(args=["forum", "send-mail"])
    assert result.output.strip() == ("Sent no email; 1 email failed and will be retried; "
                                     "1 held: the address stopped taking mail.")
