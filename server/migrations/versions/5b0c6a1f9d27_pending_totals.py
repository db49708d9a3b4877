"""pending totals

The groups of the dashboard's stored totals to sum again
(models/reporting.py PendingTotal): a submission notes them, a catch-up sums
them. Empty at first: the totals are up to date when this runs.

Revision ID: 5b0c6a1f9d27
Revises: ee2e264d2c05
Create Date: 2026-11-22 09:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b0c6a1f9d27'
down_revision = 'ee2e264d2c05'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pending_totals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('totals', sa.String(length=24), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('window_start', sa.Date(), nullable=True),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade():
    op.drop_table('pending_totals')
