"""links and topics

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 17:40:00.000000

Links shared in chats and service-area topics on chats and threads (#20).
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
