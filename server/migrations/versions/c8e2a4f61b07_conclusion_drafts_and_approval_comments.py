"""conclusion drafts keep the lead's choices; a comment may go with an approval

conclusions.proposal_choices: each proposed action's group, priority and
deadline as the lead left them in the draft.
review_comments.kind: "return" (asks the team for a fix) or "approval" (a
remark kept with the approval).

Revision ID: c8e2a4f61b07
Revises: f3a9c1d27b80
Create Date: 2026-12-03 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'c8e2a4f61b07'
down_revision = 'f3a9c1d27b80'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conclusions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proposal_choices', sa.JSON(none_as_null=True).with_variant(
            postgresql.JSONB(none_as_null=True, astext_type=Text()), 'postgresql'), nullable=True))
    with op.batch_alter_table('review_comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='return', nullable=False))


def downgrade():
    with op.batch_alter_table('review_comments', schema=None) as batch_op:
        batch_op.drop_column('kind')
    with op.batch_alter_table('conclusions', schema=None) as batch_op:
        batch_op.drop_column('proposal_choices')
