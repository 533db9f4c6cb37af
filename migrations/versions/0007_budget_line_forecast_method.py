"""Budget line: how the months to come are forecast, at the run rate (as every line was until now) or by its profile

DOMAIN.md: the forecast is "run-rate (average of actuals to date) or profile-based, with manual overrides". A line
whose spending is lumpy by design (a grant paid in two halves, winter pressures money) is better forecast by its
budget profile than by the average of the months so far. Every existing line keeps the run rate, so no figure moves.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("budget_line", sa.Column("forecast_method", sa.String(length=10), nullable=False,
                                           server_default="run rate"))


def _rebuild() -> str:
    return "always" if op.get_bind().dialect.name == "sqlite" else "auto"


def downgrade() -> None:
    with op.batch_alter_table("budget_line", recreate=_rebuild()) as batch_op:
        batch_op.drop_column("forecast_method")
