"""links and topics

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 17:40:00.000000

Links shared in chats and service-area topics on chats and threads (#20).
"""
from alembic import op
import sqlalchemy as sa

import forum.db


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'forum_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('url_key', sa.String(length=40), nullable=False),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('shown_url', sa.Text(), nullable=False),
        sa.Column('domain', sa.String(length=255), nullable=False),
        sa.Column('added_at', forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['post_id'], ['forum_post.id'], name=op.f('fk_forum_link_post_id_forum_post'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_link')),
        sa.UniqueConstraint('post_id', 'url_key', name=op.f('uq_forum_link_post_id_url_key')),
    )
    with op.batch_alter_table('forum_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_link_post_id'), ['post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_forum_link_domain'), ['domain'], unique=False)
        batch_op.create_index(batch_op.f('ix_forum_link_added_at'), ['added_at'], unique=False)
        batch_op.create_index('ix_forum_link_url_key_post', ['url_key', 'post_id'], unique=False)

    op.create_table(
        'forum_chat_tag',
        sa.Column('chat_id', sa.Integer(), nullable=False),
        sa.Column('tag_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['chat_id'], ['forum_chat.id'], name=op.f('fk_forum_chat_tag_chat_id_forum_chat'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tag_id'], ['forum_library_tag.id'],
                                name=op.f('fk_forum_chat_tag_tag_id_forum_library_tag'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('chat_id', 'tag_id', name=op.f('pk_forum_chat_tag')),
    )
    with op.batch_alter_table('forum_chat_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_chat_tag_tag_id'), ['tag_id'], unique=False)

    op.create_table(
        'forum_thread_tag',
        sa.Column('thread_id', sa.Integer(), nullable=False),
        sa.Column('tag_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['thread_id'], ['forum_thread.id'],
                                name=op.f('fk_forum_thread_tag_thread_id_forum_thread'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tag_id'], ['forum_library_tag.id'],
                                name=op.f('fk_forum_thread_tag_tag_id_forum_library_tag'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('thread_id', 'tag_id', name=op.f('pk_forum_thread_tag')),
    )
    with op.batch_alter_table('forum_thread_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_thread_tag_tag_id'), ['tag_id'], unique=False)

    # A plain ADD COLUMN: batch mode could rebuild forum_chat, and dropping the old table with foreign keys
    # on would delete its hosts, questions and imports through their ON DELETE CASCADE.
    op.add_column('forum_chat', sa.Column('calendar_sequence', sa.Integer(), nullable=False, server_default='0'))
    # Links of the posts already stored are found by `flask forum relink` (README), not here: a
    # migration stays fast on a big forum.


def downgrade():
    # A plain DROP COLUMN (SQLite 3.35+), not batch mode, for the same reason.
    op.drop_column('forum_chat', 'calendar_sequence')
    op.drop_table('forum_thread_tag')
    op.drop_table('forum_chat_tag')
    op.drop_table('forum_link')
