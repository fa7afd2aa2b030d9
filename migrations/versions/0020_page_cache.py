"""page cache

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 17:40:00.000000

What the page cache keys on (#19).
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
