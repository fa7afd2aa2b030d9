"""Alembic environment for the forum's tables, run by Flask-Migrate or by `flask forum upgrade`."""

from __future__ import annotations

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

import forum.models  # noqa: F401  (registers every table)
from forum.db import VERSION_TABLE, Base, is_forum_table

config = context.config
if config.config_file_name is not None and not logging.getLogger().handlers:
    fileConfig(config.config_file_name)

def include_object(obj, name, type_, reflected, compare_to):
    """Look only at the forum's own tables: a host's tables are none of our business."""
    if type_ == "table":
        return is_forum_table(name)
    return True


def run_migrations_offline() -> None:
    url = str(current_app.extensions["sqlalchemy"].engine.url)
    context.configure(
        url=url, target_metadata=Base.metadata, literal_binds=True, version_table=VERSION_TABLE,
        include_object=include_object, render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = current_app.extensions["sqlalchemy"].engine
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=Base.metadata, version_table=VERSION_TABLE,
            include_object=include_object, render_as_batch=True, compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
