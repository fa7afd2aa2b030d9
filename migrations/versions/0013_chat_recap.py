"""chat recap

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 17:40:00.000000

The recap of a chat: who gets it, when it was sent, open questions carried (#20).

Chats imported before recaps existed count as recapped (their `recap_sent_at` is their last import's
time): `flask forum send-recaps` after the upgrade must not mail a recap of every old chat.
"""
from contextlib import contextmanager

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

    with _votes_kept():
        with op.batch_alter_table('forum_proposed_question', schema=None) as batch_op:
            batch_op.add_column(sa.Column('source_post_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f('fk_forum_proposed_question_source_post_id_forum_post'),
                                        'forum_post', ['source_post_id'], ['id'], ondelete='SET NULL')
    op.create_index(op.f('ix_forum_proposed_question_source_post_id'), 'forum_proposed_question',
                    ['source_post_id'], unique=False)

    op.execute("UPDATE forum_chat SET recap_sent_at = (SELECT max(i.created_at) FROM forum_chat_import i "
               "WHERE i.chat_id = forum_chat.id) WHERE status = 'imported'")


def downgrade():
    op.drop_index(op.f('ix_forum_proposed_question_source_post_id'), table_name='forum_proposed_question')
    with _votes_kept():
        with op.batch_alter_table('forum_proposed_question', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('fk_forum_proposed_question_source_post_id_forum_post'),
                                     type_='foreignkey')
            batch_op.drop_column('source_post_id')
    _drop_column('forum_member', 'recap_email')
    _drop_column('forum_chat', 'titles_checked_at')
    _drop_column('forum_chat', 'recap_sent_at')


@contextmanager
def _votes_kept():
    """Keep the votes on proposed questions through a rebuild of their table.

    On SQLite, batch mode rebuilds forum_proposed_question to add or drop a foreign key, and dropping the
    old table (the forum turns foreign keys on, and a migration cannot turn them off inside its
    transaction) deletes every vote through the votes' ON DELETE CASCADE. So the votes are copied aside
    first and put back after. Elsewhere the table is altered in place and this does nothing.
    """
    if op.get_bind().dialect.name != 'sqlite':
        yield
        return
    op.execute('CREATE TEMPORARY TABLE forum_votes_kept AS SELECT question_id, member_id FROM forum_question_vote')
    yield
    op.execute('INSERT INTO forum_question_vote (question_id, member_id) SELECT k.question_id, k.member_id '
               'FROM forum_votes_kept k WHERE NOT EXISTS (SELECT 1 FROM forum_question_vote v '
               'WHERE v.question_id = k.question_id AND v.member_id = k.member_id)')
    op.execute('DROP TABLE forum_votes_kept')


def _drop_column(table: str, column: str) -> None:
    """Drop a column in place: batch mode on SQLite would rebuild the table, and dropping the old one would
    delete, through ON DELETE CASCADE, the rows that point at it (SQLite 3.35+ drops a column in place)."""
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
    else:
        op.drop_column(table, column)
