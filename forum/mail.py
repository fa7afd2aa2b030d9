"""Writing email to the outbox, and sending what is due over SMTP (or to the log when no server is set)."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from forum import bounces
from forum.db import utcnow
from forum.models import MailAddress, OutboxMessage

log = logging.getLogger("forum.mail")

MAX_ATTEMPTS = 6
# How long a claimed message stays with its sender; after that another sender may try it again.
CLAIM_FOR = timedelta(minutes=15)


def queue(db: Session, to: str, subject: str, body: str, headers: dict[str, str] | None = None) -> OutboxMessage:
    """Put an email in the outbox, in the caller's transaction: it is sent only if that commits."""
    message = OutboxMessage(to=to, subject=subject, body=body, headers=headers or {})
    db.add(message)
    return message


def backoff(attempts: int) -> timedelta:
    """How long to wait before the next try: 1, 2, 4, 8... minutes."""
    return timedelta(minutes=2 ** max(attempts - 1, 0))


def readable(message: EmailMessage) -> str:
    """A message as a person reads it: its headers, then its text decoded (not quoted-printable), so a
    link in it can be copied whole from the log."""
    headers = "\n".join(f"{name}: {value}" for name, value in message.items()
                        if name.lower() in ("from", "to", "subject", "date", "reply-to"))
    part = message.get_body(("plain",)) if message.is_multipart() else message
    text = part.get_content() if part is not None else ""
    return f"{headers}\n\n{text.rstrip()}\n"


class Transport:
    """Delivers one message; SMTP when a server is configured, the log otherwise."""

    def __init__(self, config: dict):
        self.server = config.get("FORUM_MAIL_SERVER")
        self.port = int(config.get("FORUM_MAIL_PORT") or 25)
        self.username = config.get("FORUM_MAIL_USERNAME")
        self.password = config.get("FORUM_MAIL_PASSWORD")
        self.use_tls = bool(config.get("FORUM_MAIL_USE_TLS"))
        self.sender = config.get("FORUM_MAIL_SENDER") or "afterchat@localhost"
        # Where bounces go: a signed return path per message (forum/bounces.py) when FORUM_MAIL_RETURN_PATH
        # is set, else the From address.
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def build(self, item: OutboxMessage) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = item.to
        message["Subject"] = item.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or "localhost")
        for name, value in (item.headers or {}).items():
            del message[name]  # a queued header replaces the default (a post's own stable Message-ID, say)
            message[name] = value
        message.set_content(item.body)
        return message

    def send(self, item: OutboxMessage) -> None:
        self.deliver(self.build(item), bounces.return_path(self.config, item.id))

    def deliver(self, message: EmailMessage, envelope_sender: str | None = None) -> None:
        """Hand one built message to the mail server (or the log)."""
        if not self.server:
            log.warning("No mail server configured; this email was not sent:\n%s", readable(message))
            return
        if self._smtp is None:
            self._smtp = smtplib.SMTP(self.server, self.port, timeout=30)
            if self.use_tls:
                self._smtp.starttls()
            if self.username:
                self._smtp.login(self.username, self.password or "")
        self._smtp.send_message(message, from_addr=envelope_sender)

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except smtplib.SMTPException:
                pass
            self._smtp = None


def _due(now: datetime):
    return (OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None), OutboxMessage.next_attempt_at <= now)


def claim(db: Session, now: datetime) -> OutboxMessage | None:
    """Take the oldest due message for this sender alone, and commit the claim; None when nothing is due.

    One UPDATE both picks and claims it (moving its next attempt CLAIM_FOR ahead and counting the
    attempt), so two senders, on one host or several, never take the same message: on PostgreSQL
    the pick skips rows another sender is claiming (SKIP LOCKED), and the UPDATE's own condition
    (still due) is checked again on the row as committed; SQLite runs one writer at a time.
    """
    oldest_due = (select(OutboxMessage.id).where(*_due(now)).order_by(OutboxMessage.id).limit(1)
                  .with_for_update(skip_locked=True).scalar_subquery())
    taken = db.execute(
        update(OutboxMessage).where(OutboxMessage.id == oldest_due, *_due(now))
        .values(next_attempt_at=now + CLAIM_FOR, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id).execution_options(synchronize_session=False)
    ).scalar()
    return db.get(OutboxMessage, taken, populate_existing=True) if taken is not None else None


def _stopped(db: Session, address: str) -> MailAddress | None:
    """The bounce record of `address` when sending to it has stopped after repeated hard bounces."""
    return db.scalar(select(MailAddress).where(MailAddress.address == address.lower(), MailAddress.stopped_at.is_not(None)))


class Round(NamedTuple):
    """What one send_due round did: sent; failed and due again later; failed for the last time
    (MAX_ATTEMPTS); held unsent because the address stopped taking mail (it bounced too often)."""

    sent: int = 0
    retrying: int = 0
    given_up: int = 0
    held: int = 0


def send_due(db: Session, transport: Transport, now: datetime | None = None, limit: int = 1000) -> Round:
    """Send every message that is due; retry failures later with back-off. Return what became of them (Round).

    Each message is claimed in a short transaction of its own, sent with no transaction open (a slow
    mail server holds up no writer), and then marked sent, or due again later. Any number of
    senders may run at once: each message is sent by one of them, once. A sender that dies between
    claiming and marking leaves its message to be tried again CLAIM_FOR later.
    """
    now = now or utcnow()
    sent = retrying = given_up = held = 0
    try:
        while sent + retrying + given_up + held < limit:
            item = claim(db, now)
            if item is None:
                db.commit()
                break
            item_id, attempts = item.id, item.attempts
            stopped = _stopped(db, item.to)
            if stopped is not None:
                # The address bounced too often (services/inbound_mail): keep the message, marked, unsent.
                db.execute(update(OutboxMessage).where(OutboxMessage.id == item_id).values(
                    failed_at=now, last_error=f"Not sent: {item.to} bounced {stopped.hard_bounces} times "
                                              f"({stopped.last_bounce_reason or 'no reason given'})"[:1000])
                    .execution_options(synchronize_session=False))
                db.commit()
                held += 1
                continue
            message = transport.build(item)
            db.commit()
            try:
                transport.deliver(message, bounces.return_path(transport.config, item_id))
            except (OSError, smtplib.SMTPException) as exc:
                transport.close()
                error = f"{type(exc).__name__}: {exc}"[:1000]
                gave_up = attempts >= MAX_ATTEMPTS
                outcome = {"last_error": error, **({"failed_at": now} if gave_up
                                                   else {"next_attempt_at": now + backoff(attempts)})}
                if gave_up:
                    given_up += 1
                else:
                    retrying += 1
            else:
                outcome = {"sent_at": now}
                sent += 1
            db.execute(update(OutboxMessage).where(OutboxMessage.id == item_id).values(**outcome)
                       .execution_options(synchronize_session=False))
            db.commit()
    finally:
        transport.close()
    return Round(sent, retrying, given_up, held)
