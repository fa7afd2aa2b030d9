"""db.among_ids: a column among a list of ids, as each database reads it best (#19)."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, event, or_, select
from sqlalchemy.dialects import postgresql

from forum.db import among_ids

posts = Table("posts", MetaData(), Column("id", Integer, primary_key=True), Column("title", String))


def test_postgresql_is_given_one_array_parameter():
    statement = select(posts.c.id).where(among_ids(posts.c.id, "ids"), posts.c.title == "x")
    compiled = str(statement.compile(dialect=postgresql.dialect()))
    assert "posts.id = ANY (%(ids)s::INTEGER[])" in compiled and " IN " not in compiled


def test_sqlite_finds_the_rows_by_key_and_never_compares_the_test_with_1():
    engine = create_engine("sqlite://")
    posts.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(posts.insert(), [{"id": n, "title": f"post {n}"} for n in range(1, 201)])
        for where in (among_ids(posts.c.id, "ids"), or_(among_ids(posts.c.id, "ids"), posts.c.title == "none")):
            statement = select(posts.c.id).where(where).order_by(posts.c.id)
            assert connection.execute(statement, {"ids": [3, 150, 999]}).scalars().all() == [3, 150]
        compiled = str(select(posts.c.id).where(among_ids(posts.c.id, "ids")).compile(engine))
        assert "= 1" not in compiled  # booleans are integers in SQLite: `id IN (...) = 1` reads every row
        sent = []
        event.listen(engine, "before_cursor_execute", lambda *args: sent.append(args[2:4]))
        connection.execute(select(posts.c.id).where(among_ids(posts.c.id, "ids")), {"ids": [3, 150]})
        sql, parameters = sent[-1]
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", parameters).all()
        assert any("SEARCH" in str(row) for row in plan) and not any("SCAN" in str(row) for row in plan), plan
