"""posts rejected by a moderator, and posts removed at their speaker's request

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-03 10:00:00.000000

A post waiting for approval that a moderator turns down, and an imported post removed at its
speaker's request, are not shown to anyone but (for a rejected post) its author and the space's
moderators; until now both were only "hidden", which shows a placeholder to every reader. Existing
posts of speakers already removed become removed; counts are left to `recount` on the next write.
"""
from alembic import op
import sqlalchemy as sa
import forum.db


revision = '0011'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('forum_post', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rejected_at', forum.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('removed_at', forum.db.UTCDateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE forum_post SET removed_at = (SELECT s.hidden_at FROM forum_speaker s WHERE s.id = forum_post.speaker_id) "
        "WHERE speaker_id IN (SELECT id FROM forum_speaker WHERE hidden_at IS NOT NULL)"
    )


def downgrade():
    op.execute("UPDATE forum_post SET hidden_at = COALESCE(hidden_at, removed_at, rejected_at)")
    with op.batch_alter_table('forum_post', schema=None) as batch_op:
        batch_op.drop_column('removed_at')
        batch_op.drop_column('rejected_at')
