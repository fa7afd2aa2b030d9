"""invitations by address

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 12:00:00.000000

A host's invitation by email address keeps the address it was sent to, and is kept even when the
address reaches no approved member (then it has no member), so the host's list of invitations
answers the same whoever the address belongs to, and the host can withdraw any of them.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('forum_space_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invited_email', sa.String(length=254), nullable=True))
        batch_op.alter_column('member_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM forum_space_request WHERE member_id IS NULL")
    with op.batch_alter_table('forum_space_request', schema=None) as batch_op:
        batch_op.alter_column('member_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('invited_email')
