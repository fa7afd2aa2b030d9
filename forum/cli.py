"""`flask forum ...`: install, seed and look after the forum from the command line."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from forum.cleantext import clean_line, clean_text
from forum.db import session, write_transactions
from forum.errors import ValidationError
from forum.resources import resource_dir
from forum.times import parse_uk_time

forum_cli = AppGroup("forum", help="Manage the forum: its tables, spaces, members and imports.")


class _CleanText(click.ParamType):
    """Text given on the command line, without control characters, as form fields are (forum.cleantext)."""

    name = "text"

    def __init__(self, clean):
        self.clean = clean

    def convert(self, value, param, ctx):
        return self.clean(value) if isinstance(value, str) else value


LINE = _CleanText(clean_line)
TEXT = _CleanText(clean_text)


def _fail(message: str) -> None:
    """Print one line on stderr and exit with status 2, the contract for bad input."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


@forum_cli.command("upgrade")
def upgrade_command() -> None:
    """Create or upgrade the forum's tables from its own migrations (branch "forum")."""
    from alembic import command
    from alembic.config import Config

    directory = resource_dir("migrations")
    config = Config(str(directory / "alembic.ini"))
    config.set_main_option("script_location", str(directory))
    command.upgrade(config, "forum@head")
    click.echo("The forum's tables are up to date.")


@forum_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the forum has no spaces and no members yet.")
def demo_command(if_empty: bool) -> None:
    """Load the demo community (running it again changes nothing)."""
    from forum.services import demo

    db = session()
    if if_empty and not demo.is_empty(db):
        if not demo.is_loaded(db):
            click.echo("The forum already has its own spaces or members; the demo was not loaded.")
            return
        created = False
    else:
        with write_transactions():
            created = demo.load(db, current_app.config["FORUM_PASSWORD_HASH"])
            db.commit()
    if created:
        click.echo("Loaded the demo community.")
    else:
        click.echo("The demo community is already loaded; nothing changed.")
    click.echo(f"Sign in with any of these accounts, password {demo.DEMO_PASSWORD}:")
    for name, email, role in demo.accounts_with_roles():
        click.echo(f"  {email:<42} {name} ({role})")


@forum_cli.command("create-admin")
@click.argument("email")
@click.option("--name", type=LINE, required=True, help="The admin's display name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="The password (prompted for when not given).")
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create an administrator account."""
    from forum.services import accounts

    db = session()
    try:
        with write_transactions():
            member = accounts.register(
                db, display_name=name, email=email, password=password, role="admin",
                password_method=current_app.config["FORUM_PASSWORD_HASH"],
            )
            db.commit()
    except ValidationError as exc:
        db.rollback()
        _fail("; ".join(exc.errors.values()) or exc.message)
    click.echo(f"Created admin {member.display_name} <{member.email}>.")


@forum_cli.command("create-space")
@click.argument("slug")
@click.option("--name", type=LINE, required=True, help="The space's name.")
@click.option("--visibility", type=click.Choice(["public", "members", "private", "secret"]), default="public",
              show_default=True, help="Who can read it.")
@click.option("--description", type=TEXT, default="", help="What the space is for.")
@click.option("--anonymous-posting", is_flag=True, help="Allow posting without one's name showing.")
def create_space_command(slug: str, name: str, visibility: str, description: str, anonymous_posting: bool) -> None:
    """Create a space."""
    from forum.services.spaces import create_space

    db = session()
    try:
        with write_transactions():
            space = create_space(db, slug=slug, name=name, visibility=visibility, description=description,
                                 anonymous_posting=anonymous_posting)
            db.commit()
    except ValidationError as exc:
        db.rollback()
        _fail("; ".join(exc.errors.values()) or exc.message)
    click.echo(f"Created the {space.visibility} space {space.name!r} at /spaces/{space.slug}.")


@forum_cli.command("formats")
def formats_command() -> None:
    """List the transcript formats the importer understands, one a line."""
    from forum import transcripts

    for importer in transcripts.registered():
        click.echo(f"{importer.name}\t{importer.label}")


@forum_cli.command("rerender")
def rerender_command() -> None:
    """Rebuild every post's and bio's stored HTML from its markdown (after the renderer changes)."""
    from forum.services import maintenance

    db = session()
    with write_transactions():
        changed = maintenance.rerender(db)
        db.commit()
    click.echo(f"Re-rendered {changed} posts and bios whose HTML changed.")


@forum_cli.command("relink")
def relink_command() -> None:
    """Find the links shared in every stored post again (once after upgrading to links shared, #20)."""
    from forum.services import links

    db = session()
    with write_transactions():
        found = links.rebuild(db)
        db.commit()
    click.echo(f"Found {found} links shared in posts.")


@forum_cli.command("import-transcript")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--space", "space_slug", required=True, help="The space the chat's threads go in.")
@click.option("--format", "format_name", help="The file's format (see `flask forum formats`); detected when omitted.")
@click.option("--title", type=LINE, help="The chat's title, e.g. '#lgovsm 14 January 2011'.")
@click.option("--host", "hosts", multiple=True, help="The host's handle or name (repeat for co-hosts).")
@click.option("--start", help="When the chat began, e.g. 2011-01-14T13:00 or 14/01/2011 13:00 (for formats without dates).")
@click.option("--timezone", "timezone_name", default="Europe/London", show_default=True,
              help="The zone for times that carry none.")
@click.option("--channel", help="The channel to import from an export that holds several (Slack).")
@click.option("--dry-run", is_flag=True, help="Show what would be imported and write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def import_transcript_command(file: Path, space_slug: str, format_name: str | None, title: str | None,
                              hosts: tuple[str, ...], start: str | None, timezone_name: str, channel: str | None,
                              dry_run: bool, as_json: bool) -> None:
    """Import a chat transcript as threads, one per question, each post keeping its time and author."""
    from sqlalchemy import select

    from forum.errors import ForumError
    from forum.models import Space
    from forum.services import importing
    from forum.transcripts.segment import zone

    db = session()
    space = db.scalar(select(Space).where(Space.slug == space_slug))
    if space is None:
        _fail(f"there is no space {space_slug!r}; create it with `flask forum create-space`")
    try:
        data, filename = importing.read_source(file, current_app.config["FORUM_IMPORT_MAX_BYTES"])
        options = importing.ImportOptions(
            space=space, format=format_name, title=title, hosts=hosts,
            start=_parse_start(start, zone(timezone_name)) if start else None,
            timezone=timezone_name, channel=channel, dry_run=dry_run,
        )
        with write_transactions():
            summary = importing.import_transcript(db, data, filename, options)
            if not dry_run:
                db.commit()
    except ForumError as exc:
        db.rollback()
        _fail(f"{file.name}: {exc.message}")
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
        return
    click.echo(_describe(summary, dry_run))


def _parse_start(raw: str, tz) -> datetime:
    """Read --start as the web's forms do: ISO or UK style, naive times in the chat's timezone."""
    from forum.errors import TranscriptError

    moment = parse_uk_time(raw, tz)
    if moment is None:
        raise TranscriptError(f"--start {raw!r} is not a date and time; write it like 2011-01-14T13:00 "
                              "or 14/01/2011 13:00")
    return moment


def _describe(summary: dict, dry_run: bool) -> str:
    """The summary in sentences, for people."""
    lines = [f"{'Would import' if dry_run else 'Imported'} {summary['title']} ({summary['format']}):"]
    for question in summary["questions"]:
        label = f"Q{question['number']}" if question["number"] is not None else "Thread"
        lines.append(f"  {label}: {question['text'][:70]} ({question['posts']} posts)")
    skipped = ", ".join(f"{count} {kind}" for kind, count in summary["skipped"].items() if count) or "nothing"
    lines.append(f"  {summary['intro_posts']} introductions, {summary['closing_posts']} in the wrap-up; "
                 f"{summary['posts_imported']} posts imported of {summary['messages_total']} messages; skipped {skipped}.")
    lines.append(f"  {summary['speakers']} speakers, {summary['speakers_matched']} matched to members.")
    return "\n".join(lines)


def _emails(count: int) -> str:
    return f"{count} email" if count == 1 else f"{count} emails"


def mail_report(sent: int, retrying: int = 0, *, given_up: int = 0, held: int = 0, logged: bool = False) -> str:
    """What a round of send-mail did, in words: 'Sent 1 email.', 'No mail was due.'; with no mail server
    set (`logged`), the messages went to the log, and it says so rather than 'sent'. Failures that are
    tried again, failures given up for good, and messages held because their address stopped taking
    mail (it bounced too often: forum/bounces.py) are told apart: only the first are retried."""
    if not (sent or retrying or given_up or held):
        return "No mail was due."
    done = (f"Wrote {_emails(sent)} to the log (no FORUM_MAIL_SERVER is set, so nothing was sent)" if logged
            else f"Sent {_emails(sent)}") if sent else "Sent no email"
    if retrying:
        done += f"; {_emails(retrying)} failed and will be retried"
    if given_up:
        done += f"; {_emails(given_up)} failed for the last time and will not be retried"
    if held:
        done += (f"; {held} held: the address stopped taking mail" if held == 1
                 else f"; {held} held: their addresses stopped taking mail")
    return done + "."


@forum_cli.command("send-mail")
@click.option("--loop", is_flag=True, help="Keep running, sending what is due every --interval seconds.")
@click.option("--interval", default=30, show_default=True, help="Seconds between rounds with --loop.")
def send_mail_command(loop: bool, interval: int) -> None:
    """Send the email waiting in the outbox (run it from cron each minute, or with --loop as a worker).

    It also deletes transcript uploads whose preview was not confirmed in FORUM_IMPORT_PENDING_HOURS.
    """
    import time

    from forum import mail
    from forum.services import pending_imports

    db = session()
    while True:
        with write_transactions():
            done = mail.send_due(db, mail.Transport(current_app.config))
            # The one job that runs every minute also clears away unconfirmed transcript uploads.
            discarded = pending_imports.discard_expired(db)
            db.commit()
        if any(done) or not loop:
            click.echo(mail_report(done.sent, done.retrying, given_up=done.given_up, held=done.held,
                                   logged=not current_app.config.get("FORUM_MAIL_SERVER")))
        if discarded:
            click.echo(f"Deleted {discarded} transcript uploads left unconfirmed for "
                       f"{current_app.config['FORUM_IMPORT_PENDING_HOURS']} hours.")
        if not loop:
            return
        time.sleep(interval)



@forum_cli.command("send-digests")
@click.option("--frequency", type=click.Choice(["daily", "weekly"]), required=True,
              help="Which members' digests to send (run daily and weekly from cron).")
def send_digests_command(frequency: str) -> None:
    """Put each member's digest in the outbox; nothing is ever included twice. `send-mail` delivers them."""
    from forum.services import notifications
    from forum.addresses import notification_links

    with write_transactions():  # links come from FORUM_BASE_URL (forum.security.base_url), as on the web
        sent = notifications.send_digests(session(), frequency, notification_links(), current_app.config["FORUM_SITE_NAME"])
    click.echo(f"Queued {sent} {frequency} digests.")


@forum_cli.command("send-recaps")
def send_recaps_command() -> None:
    """Put the recap of every imported chat not yet recapped in the outbox (once per chat). `send-mail` delivers them."""
    from forum.services import recaps
    from forum.addresses import recap_links

    db = session()
    links, site = recap_links(), current_app.config["FORUM_SITE_NAME"]
    chats = emails = 0
    with write_transactions():
        for chat, space in recaps.due(db):
            sent = recaps.send(db, chat, space, links, site)
            db.commit()  # each chat's recap and its mark in one transaction; another run skips it
            if sent is not None:
                chats, emails = chats + 1, emails + sent
    click.echo(f"Sent the recaps of {chats} chat{'' if chats == 1 else 's'}: {emails} "
               f"email{'' if emails == 1 else 's'} queued.")


# Commands defined beside the code they run register themselves on forum_cli when imported.
from forum import cli_operations  # noqa: E402,F401  (backup, check)
from forum.search import cli as _search_cli  # noqa: E402,F401  (reindex)
from forum import cli_mail as _cli_mail  # noqa: E402,F401  (receive-mail, fetch-mail)
