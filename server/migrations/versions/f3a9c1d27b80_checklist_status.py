"""checklists can be retired

checklists.status ("published" | "retired") and retired_at: a retired
checklist is left out of new plans but stays readable, and the inspections
made with it keep working.

Revision ID: f3a9c1d27b80
Revises: b5e1d7c3a902
Create Date: 2026-12-03 06:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3a9c1d27b80'
down_revision = 'b5e1d7c3a902'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checklists', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), server_default='published', nullable=False))
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('checklists', schema=None) as batch_op:
        batch_op.drop_column('retired_at')
        batch_op.drop_column('status')
