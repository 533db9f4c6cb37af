"""An index on the audit log by record (entity, entity_id)

The audit log only grows: one entry per change, undo included, and every person a staff import adds. Asking it
about one kind of record (every action reference ever issued, a virement's month changes for the roll into next
year, an action's status history, what changed since a tracker went out) read the whole log. The index answers
those from the entries about that kind of record alone. Nothing else changes; no row is touched.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_entry_entity", "audit_entry", ["entity", "entity_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_entry_entity", table_name="audit_entry")
