"""Fewer indexes on ledger_transaction, so an import writes each row into fewer B-trees

No query looks rows up by (organisation, transaction id) or (organisation, fingerprint): an import reads the year's
rows in force once and matches them in memory. An index on agreement_id alone selects nearly every row of a
service's database. Together they made up a third of the time a 50,000-row import spent writing. The index on
removed_by_batch_id, which undo uses, now holds only superseded rows, so a new row is not written to it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

SUPERSEDED_ONLY = sa.text("removed_by_batch_id IS NOT NULL")

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_ledger_transaction_org_ref', table_name='ledger_transaction')
    op.drop_index('ix_ledger_transaction_org_fingerprint', table_name='ledger_transaction')
    op.drop_index(op.f('ix_ledger_transaction_agreement_id'), table_name='ledger_transaction')
    op.drop_index(op.f('ix_ledger_transaction_removed_by_batch_id'), table_name='ledger_transaction')
    op.create_index('ix_ledger_transaction_removed_by_batch_id', 'ledger_transaction', ['removed_by_batch_id'],
                    unique=False, sqlite_where=SUPERSEDED_ONLY, postgresql_where=SUPERSEDED_ONLY)


def downgrade() -> None:
    op.drop_index('ix_ledger_transaction_removed_by_batch_id', table_name='ledger_transaction')
    op.create_index(op.f('ix_ledger_transaction_removed_by_batch_id'), 'ledger_transaction', ['removed_by_batch_id'],
                    unique=False)
    op.create_index(op.f('ix_ledger_transaction_agreement_id'), 'ledger_transaction', ['agreement_id'], unique=False)
    op.create_index('ix_ledger_transaction_org_fingerprint', 'ledger_transaction', ['organisation_id', 'fingerprint'],
                    unique=False)
    op.create_index('ix_ledger_transaction_org_ref', 'ledger_transaction', ['organisation_id', 'transaction_ref'],
                    unique=False)
