"""read state and saved

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 17:40:00.000000

What a member has read, and posts saved for later (#22).
"""
from alembic import op
import sqlalchemy as sa

import forum.db


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'forum_read_state',
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('post_created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('read_at', forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['forum_member.id'],
                                name=op.f('fk_forum_read_state_member_id_forum_member'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['thread_id'], ['forum_thread.id'],
                                name=op.f('fk_forum_read_state_thread_id_forum_thread'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('member_id', 'thread_id', name=op.f('pk_forum_read_state')),
    )
    with op.batch_alter_table('forum_read_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_read_state_thread_id'), ['thread_id'], unique=False)

    op.create_table(
        'forum_saved_post',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['forum_member.id'],
                                name=op.f('fk_forum_saved_post_member_id_forum_member'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['post_id'], ['forum_post.id'],
                                name=op.f('fk_forum_saved_post_post_id_forum_post'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_saved_post')),
        sa.UniqueConstraint('member_id', 'post_id', name=op.f('uq_forum_saved_post_member_id_post_id')),
    )
    with op.batch_alter_table('forum_saved_post', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_saved_post_post_id'), ['post_id'], unique=False)
        batch_op.create_index('ix_forum_saved_post_member_newest', ['member_id', 'created_at', 'id'], unique=False)


def downgrade():
    op.drop_table('forum_saved_post')
    op.drop_table('forum_read_state')
