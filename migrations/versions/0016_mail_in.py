"""mail in

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 17:40:00.000000

Mail received: its log, bounces per address, refusal replies (#21).
"""
from alembic import op
import sqlalchemy as sa
import forum.db


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('forum_mail_received',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_key', sa.String(length=300), nullable=False),
    sa.Column('message_id', sa.String(length=300), nullable=False),
    sa.Column('from_address', sa.String(length=254), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('received_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_mail_received')),
    sa.UniqueConstraint('message_key', name=op.f('uq_forum_mail_received_message_key'))
    )
    with op.batch_alter_table('forum_mail_received', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_mail_received_received_at'), ['received_at'], unique=False)

    op.create_table('forum_mail_address',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('hard_bounces', sa.Integer(), nullable=False),
    sa.Column('last_bounce_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_bounce_reason', sa.Text(), nullable=True),
    sa.Column('stopped_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_refusal_reply_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_mail_address')),
    sa.UniqueConstraint('address', name=op.f('uq_forum_mail_address_address'))
    )


def downgrade():
    op.drop_table('forum_mail_address')
    with op.batch_alter_table('forum_mail_received', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_mail_received_received_at'))
    op.drop_table('forum_mail_received')
