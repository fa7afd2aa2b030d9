"""mail out

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 17:40:00.000000

Mailing-list mode and a space's address for new threads by email (#21).
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
