"""member language

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 18:20:00.000000

The language a member reads the forum and their email in ("en" or "cy"; unset follows their browser) (#24).
"""
from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('forum_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('forum_member', schema=None) as batch_op:
        batch_op.drop_column('language')
