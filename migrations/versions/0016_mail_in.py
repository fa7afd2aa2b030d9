"""mail in

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 17:40:00.000000

Mail received: its log, bounces per address, refusal replies (#21).
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
