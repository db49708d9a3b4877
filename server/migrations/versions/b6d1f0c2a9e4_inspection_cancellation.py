"""when and why an inspection was cancelled; audit entries found by their object

inspections.cancelled_at and inspections.cancel_reason: a lead cancels a
planned inspection with a reason; it stays in lists and exports, marked so.
ix_audit_events_object: a plan's page lists the changes to it and its inspections.

Revision ID: b6d1f0c2a9e4
Revises: a4c7e2b91f35
Create Date: 2026-12-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import server.models.types


# revision identifiers, used by Alembic.
revision = 'b6d1f0c2a9e4'
down_revision = 'a4c7e2b91f35'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', server.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.Text(), nullable=True))
    op.create_index('ix_audit_events_object', 'audit_events', ['object_type', 'object_id'], unique=False)


def downgrade():
    op.drop_index('ix_audit_events_object', table_name='audit_events')
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('cancelled_at')
