"""where each photo a submission announces belongs

submissions.photos: [{uuid, kind, item_key, finding_uuid}] for the photos and
signatures the phone will upload after the submission, so the lead can be told
which are still missing when the conclusion is issued. Empty for the
submissions stored before: their photos stay announced by photo_uuids alone.

Revision ID: a4c7e2b91f35
Revises: 3d8f2a61c0b4
Create Date: 2026-11-23 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'a4c7e2b91f35'
down_revision = '3d8f2a61c0b4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('photos', sa.JSON(none_as_null=True).with_variant(
            postgresql.JSONB(none_as_null=True, astext_type=Text()), 'postgresql'), nullable=True))


def downgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_column('photos')
