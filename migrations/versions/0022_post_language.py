"""post language

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 21:00:00.000000

The language a post is written in ("en" or "cy", as its author said; unset for imported and older
posts), so its words carry lang="cy" for screen readers (#24).
"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('forum_post', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('forum_post', schema=None) as batch_op:
        batch_op.drop_column('language')
