"""read state and saved

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 17:40:00.000000

What a member has read, and posts saved for later (#22).
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
