"""Ledger rows superseded by a later import are kept; people missing from HR are flagged

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ledger_transaction', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_by_batch_id', sa.Integer(), nullable=True))
        batch_op.drop_index(batch_op.f('ix_ledger_transaction_line_year_period_amount'))
        batch_op.create_index('ix_ledger_transaction_line_year_period_amount', ['budget_line_id', 'year', 'period', 'removed_by_batch_id', 'amount_pence'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_transaction_removed_by_batch_id'), ['removed_by_batch_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_ledger_transaction_removed_by_batch_id_import_batch'), 'import_batch', ['removed_by_batch_id'], ['id'], ondelete='RESTRICT')

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('missing_from_hr_since', sa.Date(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('missing_from_hr_since')

    with op.batch_alter_table('ledger_transaction', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ledger_transaction_removed_by_batch_id_import_batch'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_ledger_transaction_removed_by_batch_id'))
        batch_op.drop_index('ix_ledger_transaction_line_year_period_amount')
        batch_op.create_index(batch_op.f('ix_ledger_transaction_line_year_period_amount'), ['budget_line_id', 'year', 'period', 'amount_pence'], unique=False)
        batch_op.drop_column('removed_by_batch_id')

