"""chat recap

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 17:40:00.000000

The recap of a chat: who gets it, when it was sent, open questions carried (#20).

Chats imported before recaps existed count as recapped (their `recap_sent_at` is their last import's
time): `flask forum send-recaps` after the upgrade must not mail a recap of every old chat.
"""
from alembic import op
import sqlalchemy as sa

import forum.db


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('forum_chat', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recap_sent_at', forum.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('titles_checked_at', forum.db.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('forum_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recap_email', sa.String(length=10), nullable=False, server_default='watched'))

    with op.batch_alter_table('forum_proposed_question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_post_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_forum_proposed_question_source_post_id'), ['source_post_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_forum_proposed_question_source_post_id_forum_post'),
                                    'forum_post', ['source_post_id'], ['id'], ondelete='SET NULL')

    op.execute("UPDATE forum_chat SET recap_sent_at = (SELECT max(i.created_at) FROM forum_chat_import i "
               "WHERE i.chat_id = forum_chat.id) WHERE status = 'imported'")


def downgrade():
    with op.batch_alter_table('forum_proposed_question', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_forum_proposed_question_source_post_id_forum_post'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_forum_proposed_question_source_post_id'))
        batch_op.drop_column('source_post_id')

    with op.batch_alter_table('forum_member', schema=None) as batch_op:
        batch_op.drop_column('recap_email')

    with op.batch_alter_table('forum_chat', schema=None) as batch_op:
        batch_op.drop_column('titles_checked_at')
        batch_op.drop_column('recap_sent_at')
