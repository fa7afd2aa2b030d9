"""`flask forum backup PATH` and `flask forum check`: the operator's commands (logic in forum/ops.py)."""

from __future__ import annotations

import sys

import click
from flask import current_app

from forum import operations
from forum.cli import forum_cli
from forum.db import engine


@forum_cli.command("backup")
@click.argument("path")
def backup_command(path: str) -> None:
    """Write a consistent copy of the database to PATH while the forum runs (restore: docs/deploy.md).

    SQLite: the online backup API, checked with PRAGMA integrity_check. PostgreSQL: pg_dump's custom
    format (restore it with pg_restore). PATH appears only when the copy is complete.
    """
    try:
        result = operations.backup(engine(), path)
    except operations.OpsError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    click.echo(result.describe())


@forum_cli.command("check")
def check_command() -> None:
    """Report unsafe or unready production settings, one a line with what to do; exit 1 if any."""
    problems = operations.check(current_app._get_current_object())  # type: ignore[attr-defined]
    for problem in problems:
        click.echo(f"PROBLEM: {problem}")
    if problems:
        click.echo(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found; see docs/deploy.md.")
        sys.exit(1)
    click.echo("No problems found.")
