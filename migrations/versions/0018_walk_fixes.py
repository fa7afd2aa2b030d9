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
    # A library entry credits the person as well as the organisation, with their consent.
    with op.batch_alter_table('forum_library_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credited_member_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_forum_library_entry_credited_member_id_forum_member'),
                                    'forum_member', ['credited_member_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('forum_library_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_forum_library_entry_credited_member_id_forum_member'),
                                 type_='foreignkey')
        batch_op.drop_column('credited_member_id')
