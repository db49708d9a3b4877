"""photos withdrawn by the team before a resubmission

evidence_files.withdrawn_at / withdrawn_by_id: a withdrawn photo stays stored
for the lead's history but no longer counts as evidence of its item.

Revision ID: b5e1d7c3a902
Revises: b6d1f0c2a9e4
Create Date: 2026-12-03 06:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5e1d7c3a902'
down_revision = 'b6d1f0c2a9e4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_evidence_files_withdrawn_by_id_users', 'users', ['withdrawn_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.drop_constraint('fk_evidence_files_withdrawn_by_id_users', type_='foreignkey')
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('withdrawn_at')
