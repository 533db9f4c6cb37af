"""Person: the HR extract's own supervisor number, and WTE kept between 0.01 and 1.00

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

A CHECK constraint cannot be added to an existing SQLite table, so this rebuilds `person`, the
parent of reporting lines, supervision and actions. jointlead runs it with foreign keys off; with
them on, dropping the old table would cascade-delete every child row. PostgreSQL adds both in place.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _rebuild() -> str:
    return "always" if op.get_bind().dialect.name == "sqlite" else "auto"


def upgrade() -> None:
    with op.batch_alter_table("person", recreate=_rebuild()) as batch_op:
        batch_op.add_column(sa.Column("hr_supervisor_number", sa.String(length=40), nullable=True))
        batch_op.create_check_constraint(
            "wte_range", "wte_hundredths IS NULL OR (wte_hundredths >= 1 AND wte_hundredths <= 100)")


def downgrade() -> None:
    with op.batch_alter_table("person", recreate=_rebuild()) as batch_op:
        batch_op.drop_constraint("wte_range", type_="check")
        batch_op.drop_column("hr_supervisor_number")
