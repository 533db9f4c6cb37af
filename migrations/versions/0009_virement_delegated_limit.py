"""Virement: the delegated limit in force when it was made

A virement's need for the board's approval was judged against the agreement's delegated limit as it is now, so
lowering the limit made earlier virements, rightly made within the old one, look as if they had needed the board and
not had it. Each virement now keeps the limit it was made under. Those already recorded are given the agreement's
limit as it stands, the best that is known of it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

PENCE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _rebuild() -> str:
    return "always" if op.get_bind().dialect.name == "sqlite" else "auto"


def upgrade() -> None:
    op.add_column("virement", sa.Column("delegated_limit_pence", PENCE, nullable=True))
    op.execute("UPDATE virement SET delegated_limit_pence = (SELECT agreement.delegated_limit_pence FROM agreement "
               "WHERE agreement.id = virement.agreement_id)")
    with op.batch_alter_table("virement", recreate=_rebuild()) as batch_op:
        batch_op.alter_column("delegated_limit_pence", existing_type=PENCE, nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("virement", recreate=_rebuild()) as batch_op:
        batch_op.drop_column("delegated_limit_pence")
