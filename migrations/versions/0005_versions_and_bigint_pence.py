"""A version on every record people edit, so a stale edit is refused; pence as bigint on PostgreSQL

Two people working on one shared database (PostgreSQL) can open the same record; whoever saves second would
silently overwrite the first. Each edited record now carries a version that goes up at every change, and a change
made from an older version is refused ("changed by someone else — reload"). On SQLite the column is added in
place (no table is rebuilt).

PostgreSQL's integer holds at most £21.4 million in pence, less than many pooled budgets: money columns become
bigint there. SQLite's integers are 64-bit already, so nothing changes in a file.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

VERSIONED = ("organisation", "team", "person", "reporting_line", "absence", "supervision_policy",
             "supervision_arrangement", "supervision_session", "agreement", "agreement_partner", "contribution",
             "contribution_payment", "budget_line", "ledger_mapping", "line_year", "line_month", "meeting", "action")
PENCE = {
    "agreement": ("risk_reserve_pence", "delegated_limit_pence"),
    "agreement_partner": ("cap_pence",),
    "contribution": ("amount_pence",),
    "contribution_payment": ("expected_pence", "received_pence"),
    "line_year": ("annual_budget_pence",),
    "line_month": ("budget_pence", "forecast_pence"),
    "ledger_transaction": ("amount_pence",),
    "virement": ("amount_pence",),
}


def _pence_as(new: sa.types.TypeEngine, old: sa.types.TypeEngine) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in PENCE.items():
        for column in columns:
            op.alter_column(table, column, type_=new, existing_type=old)


def upgrade() -> None:
    for table in VERSIONED:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))
    _pence_as(sa.BigInteger(), sa.Integer())


def downgrade() -> None:
    # Back to integer on PostgreSQL: refused (and so the whole downgrade undone) if a sum no longer fits.
    _pence_as(sa.Integer(), sa.BigInteger())
    for table in VERSIONED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("version")
