"""mail out

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 17:40:00.000000

Mailing-list mode and a space's address for new threads by email (#21).
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('forum_space', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_threads', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('email_local_part', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_forum_space_email_local_part'), ['email_local_part'])
    with op.batch_alter_table('forum_watch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('every_post', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('forum_watch', schema=None) as batch_op:
        batch_op.drop_column('every_post')
    with op.batch_alter_table('forum_space', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_forum_space_email_local_part'), type_='unique')
        batch_op.drop_column('email_local_part')
        batch_op.drop_column('email_threads')
