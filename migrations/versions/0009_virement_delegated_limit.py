"""Virement: the delegated limit in force when it was made

A virement's need for the board's approval was judged against the agreement's delegated limit as it is now, so
lowering the limit made earlier virements, rightly made within the old one, look as if they had needed the board and
not had it. Each virement now keeps the limit it was made under. For those already recorded it is worked out from
the audit log: the limit before the first change to it after the virement was made, or the agreement's limit now
if it has not changed since (or the log does not say when the virement was made).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

PENCE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _rebuild() -> str:
    return "always" if op.get_bind().dialect.name == "sqlite" else "auto"


AUDIT = sa.table("audit_entry", sa.column("id"), sa.column("entity"), sa.column("entity_id"),
                 sa.column("changes_json"))
VIREMENT = sa.table("virement", sa.column("id"), sa.column("agreement_id"), sa.column("delegated_limit_pence"))


def _changes(bind: sa.Connection, entity: str, field: str) -> list[tuple[int, int, list]]:
    """(audit entry, record, [old, new]) for every change to `field` of an `entity`, oldest first."""
    rows = bind.execute(sa.select(AUDIT.c.id, AUDIT.c.entity_id, AUDIT.c.changes_json)
                        .where(AUDIT.c.entity == entity).order_by(AUDIT.c.id))
    found = []
    for entry, record, changes in rows:
        try:
            pair = json.loads(changes).get(field)
        except (ValueError, AttributeError):  # not a record of fields: nothing to learn from it
            continue
        if isinstance(pair, list) and len(pair) == 2:
            found.append((entry, record, pair))
    return found


def _limits_made_under(bind: sa.Connection) -> dict[int, int]:
    """The delegated limit each virement was made under, where the audit log shows it was since changed."""
    made = {virement: entry for entry, virement, (old, _new) in _changes(bind, "virement", "id") if old is None}
    lowered_or_raised = [(entry, agreement, old) for entry, agreement, (old, _new)
                         in _changes(bind, "agreement", "delegated_limit_pence") if isinstance(old, int)]
    limits = {}
    for virement, agreement in bind.execute(sa.select(VIREMENT.c.id, VIREMENT.c.agreement_id)):
        after = [old for entry, changed, old in lowered_or_raised
                 if changed == agreement and virement in made and entry > made[virement]]
        if after:
            limits[virement] = after[0]
    return limits


def upgrade() -> None:
    op.add_column("virement", sa.Column("delegated_limit_pence", PENCE, nullable=True))
    # The agreement's limit now, or 0 for a virement of no agreement, which foreign_key_check then reports.
    op.execute("UPDATE virement SET delegated_limit_pence = COALESCE((SELECT agreement.delegated_limit_pence FROM "
               "agreement WHERE agreement.id = virement.agreement_id), 0)")
    bind = op.get_bind()
    for virement, limit in _limits_made_under(bind).items():
        bind.execute(VIREMENT.update().where(VIREMENT.c.id == virement).values(delegated_limit_pence=limit))
    with op.batch_alter_table("virement", recreate=_rebuild()) as batch_op:
        batch_op.alter_column("delegated_limit_pence", existing_type=PENCE, nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("virement", recreate=_rebuild()) as batch_op:
        batch_op.drop_column("delegated_limit_pence")
