"""`flask forum ...`: install, seed and look after the forum from the command line."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from forum.db import session, write_transactions
from forum.errors import ValidationError
from forum.resources import resource_dir

forum_cli = AppGroup("forum", help="Manage the forum: its tables, spaces, members and imports.")


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
    click.echo(f"Sign in as {demo.MEMBER_EMAIL} (a member) or {demo.ADMIN_EMAIL} (an admin), "
               f"password {demo.DEMO_PASSWORD}")


@forum_cli.command("create-admin")
@click.argument("email")
@click.option("--name", required=True, help="The admin's display name.")
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
@click.option("--name", required=True, help="The space's name.")
@click.option("--visibility", type=click.Choice(["public", "members", "private", "secret"]), default="public",
              show_default=True, help="Who can read it.")
@click.option("--description", default="", help="What the space is for.")
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

    for importer in transcripts.formats():
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
