"""notifications.message: the title and body as message keys with parameters

A notification is rendered in the reader's language when read; rows written
before keep their stored title and body.

Revision ID: c5e2a9d4f816
Revises: b8d3f5a7c901
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'c5e2a9d4f816'
down_revision = 'b8d3f5a7c901'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'message', sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), 'postgresql'),
            nullable=True))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('message')
