"""Build the data set once and keep it: a SQLite file and a PostgreSQL database, each with a marker.

The schema comes from the forum's own migrations (`flask --app wsgi db upgrade`), the rows from
`bench.dataset` through SQLAlchemy Core bulk inserts into SQLite, and PostgreSQL is filled from
that SQLite file with COPY. A cache is reused while its fingerprint (sizes, generator sources,
migrations) matches and its row counts check out; otherwise it is built again.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"


def source_fingerprint(sizes) -> str:
    """The data set's fingerprint: its sizes, the generator's code and the schema's migrations."""
    from bench import dataset
    extra = b"".join(
        path.read_bytes()
        for path in [ROOT / "bench" / "content.py", ROOT / "bench" / "dataset.py", ROOT / "bench" / "store.py",
                     *sorted((ROOT / "migrations" / "versions").glob("*.py"))]
    )
    return dataset.fingerprint(sizes, extra)


def upgrade_schema(database_url: str) -> None:
    """Create the forum's tables with its own migrations (what `flask --app wsgi db upgrade` runs)."""
    import logging

    from flask_migrate import upgrade

    from forum import create_app

    if not logging.getLogger().handlers:
        logging.getLogger().addHandler(logging.NullHandler())  # keep Alembic's INFO lines off the report
    app = create_app({"FORUM_DATABASE_URL": database_url, "SECRET_KEY": "bench-schema"})
    with app.app_context():
        upgrade()
        app.extensions["forum"].db.engine.dispose()


# `flask forum ...` commands that rebuild data derived from the posts, which bulk inserts bypass.
DERIVED_COMMANDS = ("reindex",)


def rebuild_derived(database_url: str, log=print) -> None:
    """Run the forum's own rebuild commands (the search index) where this version of the forum has them."""
    from forum import create_app
    from forum.cli import forum_cli

    app = create_app({"FORUM_DATABASE_URL": database_url, "SECRET_KEY": "bench-derived"})
    try:
        for name in DERIVED_COMMANDS:
            if name not in forum_cli.commands:
                continue
            started = time.perf_counter()
            result = app.test_cli_runner().invoke(args=["forum", name])
            if result.exit_code != 0:
                raise RuntimeError(f"`flask forum {name}` failed: {result.output.strip()}") from result.exception
            log(f"  ran `flask forum {name}` in {time.perf_counter() - started:.1f}s")
    finally:
        with app.app_context():
            app.extensions["forum"].db.engine.dispose()


def _meta_path(directory: Path, name: str) -> Path:
    return directory / f"{name}.json"


def ensure_sqlite(sizes, directory: Path = DATA, log=print, force: bool = False) -> tuple[Path, dict]:
    """The SQLite data set for `sizes` (made now if missing, stale or `force`d) and its description."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{sizes.name}.sqlite3"
    meta_path = _meta_path(directory, sizes.name)
    wanted = source_fingerprint(sizes)
    if path.exists() and meta_path.exists() and not force:
        meta = json.loads(meta_path.read_text())
        if meta.get("fingerprint") == wanted and _sqlite_counts(path) == meta["counts"]:
            meta["generated_now"] = False
            return path, meta
    log(f"Generating the {sizes.name} data set ({sizes.posts:,} posts); it is cached in {directory}.")
    started = time.perf_counter()
    meta = _build_sqlite(sizes, path, log)
    meta.update(fingerprint=wanted, generation_seconds=round(time.perf_counter() - started, 1))
    meta_path.write_text(json.dumps(meta, indent=1, default=str))
    meta["generated_now"] = True
    return path, meta


def _build_sqlite(sizes, path: Path, log) -> dict:
    from sqlalchemy import create_engine

    from bench import content, dataset
    from forum.db import Base

    tmp = path.with_suffix(".building")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    upgrade_schema(f"sqlite:///{tmp}")
    started = time.perf_counter()
    pool = content.block_pool(sizes.seed, sizes.blocks)
    composition = content.check_composition(pool, sizes.seed + 1, samples=100 if sizes.blocks > 1000 else 30)
    log(f"  rendered {len(pool.sources):,} markdown blocks in {time.perf_counter() - started:.1f}s "
        f"(joined blocks render identically in {composition:.0%} of sampled posts)")
    started = time.perf_counter()
    data = dataset.generate(sizes, pool)
    log(f"  generated the rows in {time.perf_counter() - started:.1f}s")
    started = time.perf_counter()
    engine = create_engine(f"sqlite:///{tmp}")
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA synchronous=OFF")
        for table in Base.metadata.sorted_tables:
            rows = data.tables.get(table.name) or []
            known = set(table.columns.keys())
            if rows and not set(rows[0]) <= known:  # a column the generator knows and this schema lacks
                rows = [{k: v for k, v in row.items() if k in known} for row in rows]
            for start in range(0, len(rows), 20_000):
                connection.execute(table.insert(), rows[start:start + 20_000])
        connection.commit()
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    log(f"  inserted them into SQLite in {time.perf_counter() - started:.1f}s")
    rebuild_derived(f"sqlite:///{tmp}", log)
    for stale in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    os.replace(tmp, path)
    return {"sizes": sizes.__dict__, "counts": _sqlite_counts(path), "targets": data.targets,
            "composition_check": composition, "tables": sorted(name for name, rows in data.tables.items() if rows)}


def _sqlite_counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("forum_space", "forum_thread", "forum_post", "forum_member")}
    finally:
        connection.close()


def schema_drift(database_url: str) -> list[str]:
    """Model columns and tables this database lacks: the models changed after the data set was built."""
    from sqlalchemy import create_engine, inspect

    import forum.models  # noqa: F401  (registers every table)
    from forum.db import Base
    from forum.extension import normalise_database_url

    engine = create_engine(normalise_database_url(database_url))
    try:
        inspector = inspect(engine)
        tables = set(inspector.get_table_names())
        missing = []
        for table in Base.metadata.sorted_tables:
            if table.name not in tables:
                missing.append(table.name)
                continue
            have = {c["name"] for c in inspector.get_columns(table.name)}
            missing += [f"{table.name}.{c.name}" for c in table.columns if c.name not in have]
        return missing
    finally:
        engine.dispose()


def sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database (the backup API, so the WAL is included)."""
    for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


# -- PostgreSQL ---------------------------------------------------------------------------------------

def postgres_reachable(admin_url: str) -> str | None:
    """None when PostgreSQL answers at `admin_url`, else why not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect(admin_url, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except Exception as exc:  # any failure means: not reachable, skip PostgreSQL
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    return None


def database_url(admin_url: str, name: str) -> str:
    """`admin_url` pointing at the database `name` instead."""
    from sqlalchemy.engine import make_url
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def create_database(admin_url: str, name: str, template: str | None = None) -> str:
    """(Re)create database `name`, empty or as a copy of `template`; return its URL."""
    import psycopg
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return database_url(admin_url, name)


def drop_database(admin_url: str, name: str) -> None:
    """Drop database `name` if it is there."""
    import psycopg
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def ensure_postgres(sizes, sqlite_path: Path, meta: dict, admin_url: str, name: str,
                    directory: Path | None = DATA, log=print, force: bool = False) -> str:
    """The PostgreSQL copy of the data set in database `name` (loaded now if missing or stale); its URL.

    With `directory` None nothing is cached (the smoke run's throwaway database).
    """
    marker_path = directory / f"{sizes.name}.postgres.json" if directory else None
    url = database_url(admin_url, name)
    if marker_path and marker_path.exists() and not force and not meta.get("generated_now"):
        marker = json.loads(marker_path.read_text())
        if marker.get("fingerprint") == meta["fingerprint"] and marker.get("database") == name \
                and _postgres_counts(url) == meta["counts"]:
            return url
    log(f"Loading the {sizes.name} data set into PostgreSQL database {name!r}.")
    started = time.perf_counter()
    create_database(admin_url, name)
    upgrade_schema(url)
    _copy_into_postgres(sqlite_path, url, meta["tables"])
    rebuild_derived(url, log)
    import psycopg
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    if _postgres_counts(url) != meta["counts"]:
        raise RuntimeError("the PostgreSQL copy of the data set has the wrong row counts")
    log(f"  loaded in {time.perf_counter() - started:.1f}s")
    if marker_path:
        marker_path.parent.mkdir(parents=True, exist_ok=True)  # search_bench's own directory may not exist yet
        marker_path.write_text(json.dumps({"fingerprint": meta["fingerprint"], "database": name}))
    return url


def _postgres_counts(url: str) -> dict[str, int] | None:
    import psycopg
    try:
        with psycopg.connect(url, connect_timeout=3) as connection:
            return {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                    for table in ("forum_space", "forum_thread", "forum_post", "forum_member")}
    except Exception:  # no database, no tables: not loaded
        return None


def _copy_into_postgres(sqlite_path: Path, url: str, tables: list[str]) -> None:
    """Copy the generated tables' rows (not what migrations seed, nor derived data) into PostgreSQL."""
    import psycopg

    from forum.db import Base

    source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    try:
        with psycopg.connect(url) as target:
            # Rows arrive with their ids and circular references (space -> thread -> post) already set.
            target.execute("SET session_replication_role = replica")
            target.execute("SET TIME ZONE 'UTC'")
            for table in Base.metadata.sorted_tables:
                if table.name not in tables:
                    continue
                columns = [c[1] for c in source.execute(f"PRAGMA table_info({table.name})")]
                quoted = ", ".join(f'"{c}"' for c in columns)
                with target.cursor().copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy:
                    for row in source.execute(f"SELECT {quoted} FROM {table.name}"):
                        copy.write_row(row)
                if "id" in columns:
                    target.execute(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                   f"COALESCE((SELECT max(id) FROM {table.name}), 1))")
            target.commit()
    finally:
        source.close()


def remove(path: Path) -> None:
    """Delete a SQLite file with its WAL and shared-memory files."""
    for item in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        item.unlink(missing_ok=True)


