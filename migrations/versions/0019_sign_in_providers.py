"""sign in providers

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 17:40:00.000000

Members' linked OpenID Connect sign-ins (#23).
"""
from alembic import op
import sqlalchemy as sa
import forum.db


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('forum_sign_in_identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=40), nullable=False),
    sa.Column('issuer', sa.String(length=300), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['forum_member.id'], name=op.f('fk_forum_sign_in_identity_member_id_forum_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_sign_in_identity')),
    sa.UniqueConstraint('issuer', 'subject', name=op.f('uq_forum_sign_in_identity_issuer_subject')),
    sa.UniqueConstraint('member_id', 'provider', name=op.f('uq_forum_sign_in_identity_member_id_provider'))
    )
    with op.batch_alter_table('forum_sign_in_identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_sign_in_identity_member_id'), ['member_id'], unique=False)


def downgrade():
    with op.batch_alter_table('forum_sign_in_identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_sign_in_identity_member_id'))
    op.drop_table('forum_sign_in_identity')
