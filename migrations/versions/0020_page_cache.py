"""page cache

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 17:40:00.000000

What the page cache keys on (#19): a token per scope (`site`, `latest`, `thread:<id>`), changed in the
same transaction as every write a page shows.
"""
import secrets
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

import forum.db


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'forum_page_version',
        sa.Column('scope', sa.String(length=40), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('changed_at', forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('scope', name=op.f('pk_forum_page_version')),
    )
    now = datetime.now(timezone.utc)
    op.bulk_insert(table, [{'scope': scope, 'token': secrets.token_hex(8), 'changed_at': now}
                           for scope in ('site', 'latest')])


def downgrade():
    op.drop_table('forum_page_version')
