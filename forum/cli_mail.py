"""`flask forum receive-mail` (one message on stdin, as Postfix and Exim pipe it) and `flask forum fetch-mail` (IMAP).

The work is services/inbound_mail.receive; these commands only read the message and tell the mail
server, by exit status, what happened: 0 handled (posted, dropped or refused alike), 65 (EX_DATAERR)
not an email message, 75 (EX_TEMPFAIL) a passing failure such as the database being down, so the
mail server keeps the message and tries again.
"""

from __future__ import annotations

import logging
import shlex
import ssl
import subprocess
import sys
import time

import click
from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from forum.cli import forum_cli
from forum.db import session, write_transactions

EX_OK, EX_DATAERR, EX_TEMPFAIL = 0, 65, 75
log = logging.getLogger("forum.mail_in")


def _context():
    """The service's context from the app: config, links from FORUM_BASE_URL, the posting limit per member."""
    from limits import parse_many

    from forum.addresses import notification_links, site_name
    from forum.limits import limiter
    from forum.services import inbound_mail

    config = current_app.config
    limits_on = config.get("RATELIMIT_ENABLED", True)
    items = parse_many(config["FORUM_RATELIMIT_POSTING"]) if limits_on else []

    def may_post(member) -> bool:
        # The web's posting limit (FORUM_RATELIMIT_POSTING), kept per member for mail, in the limiter's storage.
        return all([limiter.limiter.hit(item, "forum-mail-posting", str(member.id)) for item in items])

    return inbound_mail.Context(config=dict(config), links=notification_links(), site_name=site_name(),
                                may_post=may_post)


def _take_in(raw: bytes, recipient: str | None, sender: str | None):
    """Handle one message; return (exit status, outcome or None)."""
    from forum.services import inbound_mail

    db = session()
    try:
        with write_transactions():
            outcome = inbound_mail.receive(db, _context(), raw, recipient=recipient, envelope_sender=sender)
    except inbound_mail.UnreadableMail as exc:
        click.echo(f"Error: not an email message: {exc}", err=True)
        return EX_DATAERR, None
    except SQLAlchemyError as exc:
        db.rollback()
        click.echo(f"Error: the database could not be reached; try again later ({type(exc).__name__})", err=True)
        return EX_TEMPFAIL, None
    except Exception:  # noqa: BLE001  a fault of ours: keep the message (the server retries), and say what broke
        db.rollback()
        log.exception("A message could not be taken in; it will be tried again")
        click.echo("Error: the message could not be taken in because of a fault in the forum; it will be "
                   "tried again (see the log)", err=True)
        return EX_TEMPFAIL, None
    return EX_OK, outcome


@forum_cli.command("receive-mail")
@click.option("--recipient", default=None, help="The envelope recipient (Postfix: ${recipient}; Exim: $local_part@$domain).")
@click.option("--sender", default=None, help="The envelope sender (Postfix: ${sender}; Exim: $sender_address).")
def receive_mail_command(recipient: str | None, sender: str | None) -> None:
    """Read one email on standard input: a reply or new thread is posted, or it is dropped or refused safely.

    Exit status: 0 handled, 65 not an email message, 75 try again later (the database is down).
    """
    limit = int(current_app.config["FORUM_INCOMING_MAX_BYTES"])
    # Read a little past the limit only: a larger message is refused by its headers, never held whole.
    raw = sys.stdin.buffer.read(limit + 1)
    if len(raw) > limit:  # too large: what follows is not needed, but the mail server must see it read
        while sys.stdin.buffer.read(1 << 20):
            pass
    status, outcome = _take_in(raw, recipient, sender)
    if outcome is not None:
        click.echo(outcome.describe())
    sys.exit(status)


class _TokenError(Exception):
    pass


def _oauth2_token(command: str) -> str:
    """An OAuth2 access token printed by the operator's command (for example a Microsoft 365 client-credentials script)."""
    try:
        done = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        raise _TokenError(f"FORUM_IMAP_OAUTH2_TOKEN_COMMAND failed: {exc}") from exc
    token = done.stdout.strip()
    if not token:
        raise _TokenError("FORUM_IMAP_OAUTH2_TOKEN_COMMAND printed no token")
    return token


def _mailbox(config):
    """A logged-in imap-tools mailbox from FORUM_IMAP_*; TLS unless FORUM_IMAP_SECURITY is plain."""
    from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted

    host = config.get("FORUM_IMAP_HOST")
    if not host:
        raise click.UsageError("Set FORUM_IMAP_HOST (and FORUM_IMAP_USER with a password or OAuth2 token command)")
    security = str(config.get("FORUM_IMAP_SECURITY") or "ssl").lower()
    port = config.get("FORUM_IMAP_PORT")
    context = ssl.create_default_context()
    if security == "ssl":
        box = MailBox(host, int(port or 993), timeout=60, ssl_context=context)
    elif security == "starttls":
        box = MailBoxStartTls(host, int(port or 143), timeout=60, ssl_context=context)
    elif security == "plain":
        box = MailBoxUnencrypted(host, int(port or 143), timeout=60)
    else:
        raise click.UsageError("FORUM_IMAP_SECURITY must be ssl, starttls or plain")
    user = config.get("FORUM_IMAP_USER") or ""
    folder = config.get("FORUM_IMAP_FOLDER") or "INBOX"
    if config.get("FORUM_IMAP_OAUTH2_TOKEN_COMMAND"):
        box.xoauth2(user, _oauth2_token(config["FORUM_IMAP_OAUTH2_TOKEN_COMMAND"]), initial_folder=folder)
    else:
        box.login(user, config.get("FORUM_IMAP_PASSWORD") or "", initial_folder=folder)
    return box


def fetch_once(config) -> tuple[int, int]:
    """Handle every message in the IMAP folder, moving each handled one to the done folder; (handled, left)."""
    handled = left = 0
    done_folder = config.get("FORUM_IMAP_DONE_FOLDER") or "Afterchat-done"
    box = _mailbox(config)
    try:
        if not box.folder.exists(done_folder):
            box.folder.create(done_folder)
        for uid in box.uids("ALL"):
            # BODY.PEEK: the message as it was delivered, byte for byte, without marking it read.
            status, data = box.client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((item[1] for item in data or [] if isinstance(item, tuple)), None)
            if status != "OK" or raw is None:
                left += 1
                continue
            code, outcome = _take_in(raw, None, None)
            if code == EX_TEMPFAIL:
                left += 1  # stays in the folder for the next pass
                continue
            if outcome is not None:
                click.echo(f"{uid}: {outcome.describe()}")
            box.move(uid, done_folder)
            handled += 1
    finally:
        try:
            box.logout()
        except Exception:  # noqa: BLE001  a connection already gone has nothing to log out of
            pass
    return handled, left


@forum_cli.command("fetch-mail")
@click.option("--once", "mode", flag_value="once", default=True, help="One pass over the mailbox (the default).")
@click.option("--loop", "mode", flag_value="loop", help="Keep running, a pass every --interval seconds.")
@click.option("--interval", default=60, show_default=True, help="Seconds between passes with --loop.")
def fetch_mail_command(mode: str, interval: int) -> None:
    """Read the IMAP mailbox FORUM_IMAP_* names, take each message in as receive-mail does, move it to the done folder.

    A message that failed for a passing reason (the database down) stays for the next pass.
    """
    config = current_app.config
    while True:
        try:
            handled, left = fetch_once(config)
        except (OSError, _TokenError) as exc:
            click.echo(f"Error: could not read the mailbox: {exc}", err=True)
            if mode != "loop":
                sys.exit(EX_TEMPFAIL)
        except Exception as exc:  # imap-tools raises its own errors for a refused login or a missing folder
            if type(exc).__module__.split(".")[0] not in ("imap_tools", "imaplib"):
                raise
            click.echo(f"Error: the mail server refused: {exc}", err=True)
            if mode != "loop":
                sys.exit(EX_TEMPFAIL)
        else:
            if handled or left or mode != "loop":
                click.echo(f"Handled {handled} messages; {left} left for the next pass.")
        if mode != "loop":
            return
        time.sleep(interval)
