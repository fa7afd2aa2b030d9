"""Writing email to the outbox, and sending what is due over SMTP (or to the log when no server is set)."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.db import utcnow
from forum.models import OutboxMessage

log = logging.getLogger("forum.mail")

MAX_ATTEMPTS = 6


def queue(db: Session, to: str, subject: str, body: str, headers: dict[str, str] | None = None) -> OutboxMessage:
    """Put an email in the outbox, in the caller's transaction: it is sent only if that commits."""
    message = OutboxMessage(to=to, subject=subject, body=body, headers=headers or {})
    db.add(message)
    return message


def backoff(attempts: int) -> timedelta:
    """How long to wait before the next try: 1, 2, 4, 8... minutes."""
    return timedelta(minutes=2 ** max(attempts - 1, 0))


class Transport:
    """Delivers one message; SMTP when a server is configured, the log otherwise."""

    def __init__(self, config: dict):
        self.server = config.get("FORUM_MAIL_SERVER")
        self.port = int(config.get("FORUM_MAIL_PORT") or 25)
        self.username = config.get("FORUM_MAIL_USERNAME")
        self.password = config.get("FORUM_MAIL_PASSWORD")
        self.use_tls = bool(config.get("FORUM_MAIL_USE_TLS"))
        self.sender = config.get("FORUM_MAIL_SENDER") or "afterchat@localhost"
        self._smtp: smtplib.SMTP | None = None

    def build(self, item: OutboxMessage) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = item.to
        message["Subject"] = item.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or "localhost")
        for name, value in (item.headers or {}).items():
            message[name] = value
        message.set_content(item.body)
        return message

    def send(self, item: OutboxMessage) -> None:
        message = self.build(item)
        if not self.server:
            log.warning("No mail server configured; this email was not sent:\n%s", message.as_string())
            return
        if self._smtp is None:
            self._smtp = smtplib.SMTP(self.server, self.port, timeout=30)
            if self.use_tls:
                self._smtp.starttls()
            if self.username:
                self._smtp.login(self.username, self.password or "")
        self._smtp.send_message(message)

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except smtplib.SMTPException:
                pass
            self._smtp = None


def send_due(db: Session, transport: Transport, now: datetime | None = None, limit: int = 1000) -> tuple[int, int]:
    """Send every message that is due; retry failures later with back-off. Return (sent, failed).

    One message per transaction, locked while it is sent (SKIP LOCKED on PostgreSQL), so two
    senders running at once never send the same message twice.
    """
    now = now or utcnow()
    sent = failed = 0
    try:
        while sent + failed < limit:
            item = db.scalar(
                select(OutboxMessage)
                .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None),
                       OutboxMessage.next_attempt_at <= now)
                .order_by(OutboxMessage.id).limit(1).with_for_update(skip_locked=True)
            )
            if item is None:
                break
            item.attempts += 1
            try:
                transport.send(item)
            except (OSError, smtplib.SMTPException) as exc:
                transport.close()
                item.last_error = f"{type(exc).__name__}: {exc}"[:1000]
                if item.attempts >= MAX_ATTEMPTS:
                    item.failed_at = now
                else:
                    item.next_attempt_at = now + backoff(item.attempts)
                failed += 1
            else:
                item.sent_at = now
                sent += 1
            db.commit()
    finally:
        transport.close()
    return sent, failed
