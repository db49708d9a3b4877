"""organisation settings

organisation_settings: the settings an administrator changed in the app
(document headings, check-in limits, reminder days, time zone...), each a
JSON value under its config key; the config holds the defaults.

Revision ID: a7c4e2f19d35
Revises: c8e2a4f61b07
Create Date: 2026-12-03 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import server.models.types


# revision identifiers, used by Alembic.
revision = 'a7c4e2f19d35'
down_revision = 'c8e2a4f61b07'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'organisation_settings',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('value', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
        sa.Column('updated_at', server.models.types.UTCDateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('key'),
    )


def downgrade():
    op.drop_table('organisation_settings')
