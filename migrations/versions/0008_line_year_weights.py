"""Line year: the monthly weights typed for a custom profile, kept for next year

A custom line added once months had closed got no budget in those months, so next year's profile, taken from this
year's months, had nothing in them either. The weights typed, and how many months were closed, are now kept for such
lines. Lines already recorded have none kept (NULL) and carry forward as before.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("line_year", sa.Column("weights_json", sa.Text(), nullable=True))


def _rebuild() -> str:
    return "always" if op.get_bind().dialect.name == "sqlite" else "auto"


def downgrade() -> None:
    with op.batch_alter_table("line_year", recreate=_rebuild()) as batch_op:
        batch_op.drop_column("weights_json")
