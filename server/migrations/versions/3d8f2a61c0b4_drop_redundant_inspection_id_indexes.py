"""drop the inspection_id indexes that a unique constraint already covers

answers and inspection_revisions each have a unique constraint that starts
with inspection_id, which serves every lookup by inspection. Their own index
on inspection_id only cost writes: 60 index entries for every submission of a
60-item checklist.

Revision ID: 3d8f2a61c0b4
Revises: 5b0c6a1f9d27
Create Date: 2026-11-22 09:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3d8f2a61c0b4'
down_revision = '5b0c6a1f9d27'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_index('ix_answers_inspection_id')
    with op.batch_alter_table('inspection_revisions', schema=None) as batch_op:
        batch_op.drop_index('ix_inspection_revisions_inspection_id')


def downgrade():
    with op.batch_alter_table('inspection_revisions', schema=None) as batch_op:
        batch_op.create_index('ix_inspection_revisions_inspection_id', ['inspection_id'], unique=False)
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.create_index('ix_answers_inspection_id', ['inspection_id'], unique=False)
