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
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch migration rebuilds a SQLite table: copy it, drop the old one, rename. With foreign
            # keys on, dropping the old table deletes every row that points at it ON DELETE CASCADE (a
            # space's threads, a chat's questions), so migrations run with them off. The pragma works
            # only outside a transaction: it goes to the driver's connection before SQLAlchemy begins one.
            _sqlite_foreign_keys(connection, on=False)
        try:
            context.configure(
                connection=connection, target_metadata=Base.metadata, version_table=VERSION_TABLE,
                include_object=include_object, render_as_batch=True, compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:  # raised inside the transaction: nothing of the migration is kept
                        raise RuntimeError(f"the migration left rows pointing at nothing: {broken[:5]}")
        finally:
            if sqlite:
                connection.rollback()  # end any transaction, so the pragma below takes effect
                _sqlite_foreign_keys(connection, on=True)


def _sqlite_foreign_keys(connection, on: bool) -> None:
    cursor = connection.connection.dbapi_connection.cursor()
    cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    cursor.close()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
