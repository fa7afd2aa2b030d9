"""search index partitions

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 15:30:00.000000

PostgreSQL only: forumsearch_document becomes a table partitioned by range of id, 50,000 post ids a
partition (forumsearch_document_0 holds ids 0-49,999, _50000 the next 50,000, ...), one partition made
ahead of the highest id, and library documents (ids from 2**40) in forumsearch_document_library. Each
partition has its own GIN index, so a search reads the newest partitions first and stops when it has
enough, and a common word's posting lists are a partition's, not the whole forum's (#19). The forum
makes the next partition when ids reach the last one (forum.search.postgres). SQLite: nothing changes.
"""
from alembic import op


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

# Frozen copies: a migration must not change when the code does.
TABLE = "forumsearch_document"
PARTITION_IDS = 50_000
LIBRARY_ID_BASE = 1 << 40


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    highest = op.get_bind().exec_driver_sql(f"SELECT max(id) FROM {TABLE} WHERE id < {LIBRARY_ID_BASE}").scalar() or 0
    op.execute(f"CREATE TABLE {TABLE}_new (LIKE {TABLE} INCLUDING DEFAULTS) PARTITION BY RANGE (id)")
    for start in range(0, (highest // PARTITION_IDS + 2) * PARTITION_IDS, PARTITION_IDS):
        op.execute(f"CREATE TABLE {TABLE}_{start} PARTITION OF {TABLE}_new "
                   f"FOR VALUES FROM ({start}) TO ({start + PARTITION_IDS})")
    op.execute(f"CREATE TABLE {TABLE}_library PARTITION OF {TABLE}_new FOR VALUES FROM ({LIBRARY_ID_BASE}) TO (MAXVALUE)")
    op.execute(f"INSERT INTO {TABLE}_new SELECT * FROM {TABLE}")
    op.execute(f"DROP TABLE {TABLE}")
    op.execute(f"ALTER TABLE {TABLE}_new RENAME TO {TABLE}")
    _constraints_and_indexes()
    op.execute(f"ANALYZE {TABLE}")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE TABLE {TABLE}_old (LIKE {TABLE} INCLUDING DEFAULTS)")
    op.execute(f"INSERT INTO {TABLE}_old SELECT * FROM {TABLE}")
    op.execute(f"DROP TABLE {TABLE}")  # and its partitions
    op.execute(f"ALTER TABLE {TABLE}_old RENAME TO {TABLE}")
    _constraints_and_indexes()


def _constraints_and_indexes():
    """What migration 0010 gave the table, on the (partitioned or plain) table now named forumsearch_document."""
    op.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT pk_{TABLE} PRIMARY KEY (id)")
    op.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT fk_{TABLE}_post_id FOREIGN KEY (post_id) "
               "REFERENCES forum_post (id) ON DELETE CASCADE")
    op.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT fk_{TABLE}_thread_id FOREIGN KEY (thread_id) "
               "REFERENCES forum_thread (id) ON DELETE CASCADE")
    op.execute(f"CREATE INDEX ix_{TABLE}_post_id ON {TABLE} (post_id)")
    op.execute(f"CREATE INDEX ix_{TABLE}_thread_id ON {TABLE} (thread_id)")
    op.execute(f"CREATE INDEX ix_{TABLE}_document ON {TABLE} USING gin (document)")
