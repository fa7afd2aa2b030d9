"""walk fixes

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 17:40:00.000000

Fixes from the walk through the forum (#22).
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
