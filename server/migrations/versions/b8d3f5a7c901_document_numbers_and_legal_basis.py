"""document numbers, the plan's legal basis, the team's secretary

document_numbers: the register of issued documents' numbers, per symbol and
year, never reused. plans: the plan's number and date, the decision
establishing the team (number, date, signer), the notice's time and the
self-report asked of the unit. teams.secretary_id: who takes the minutes.
conclusions.responsibility: individual responsibility (kiểm điểm).

Revision ID: b8d3f5a7c901
Revises: d4b7e9a1c2f3
Create Date: 2026-12-03 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8d3f5a7c901'
down_revision = 'd4b7e9a1c2f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'document_numbers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('symbol', sa.String(length=32), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('inspection_id', sa.Integer(), nullable=True),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'inspection_id', name='uq_document_numbers_document'),
        sa.UniqueConstraint('symbol', 'year', 'number', name='uq_document_numbers_number'),
    )
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_time', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('self_report', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('plan_number', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('plan_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('decision_number', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('decision_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('decision_signer', sa.String(length=255), nullable=True))
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secretary_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_teams_secretary_id_users', 'users', ['secretary_id'], ['id'],
                                    ondelete='SET NULL')
    with op.batch_alter_table('conclusions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('responsibility', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('conclusions', schema=None) as batch_op:
        batch_op.drop_column('responsibility')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_constraint('fk_teams_secretary_id_users', type_='foreignkey')
        batch_op.drop_column('secretary_id')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        for name in ('decision_signer', 'decision_date', 'decision_number', 'plan_date', 'plan_number',
                     'self_report', 'notice_time'):
            batch_op.drop_column(name)
    op.drop_table('document_numbers')
