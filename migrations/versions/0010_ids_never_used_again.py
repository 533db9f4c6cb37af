"""Ids are never given again: a record removed leaves its id, and its history, to itself

SQLite gives a new row the largest id in its table plus one. So once the newest record of a table was removed (an
undone add, an undone import), the next one added took its id, and with it the removed one's history: the audit log
finds a record's history by its table and id. An action added after one was removed showed the removed one's status
changes, and erasing a person scrubbed the audit entries of someone else's line. Each table with an id is rebuilt
AUTOINCREMENT, so SQLite never gives an id again, and the next id is put past the largest the audit log has seen for
the table, so the ids of records removed before this revision are not given again either. PostgreSQL's sequences
never go back: nothing changes there.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _tables_with_ids(bind: sa.Connection) -> list[str]:
    inspector = sa.inspect(bind)
    return [name for name in inspector.get_table_names()
            if name != "alembic_version" and inspector.get_pk_constraint(name)["constrained_columns"] == ["id"]]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    tables = _tables_with_ids(bind)
    for name in tables:
        with op.batch_alter_table(name, recreate="always", table_kwargs={"sqlite_autoincrement": True}):
            pass
    for name in tables:
        # The largest id the table has held, as far as can be known: its own, or one the audit log names.
        highest = bind.execute(sa.text(
            f'SELECT max(COALESCE((SELECT max(id) FROM "{name}"), 0), '
            "COALESCE((SELECT max(entity_id) FROM audit_entry WHERE entity = :name), 0))"), {"name": name}).scalar()
        bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :name"), {"name": name})
        bind.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
                     {"name": name, "seq": highest})


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for name in _tables_with_ids(bind):
        with op.batch_alter_table(name, recreate="always", table_kwargs={"sqlite_autoincrement": False}):
            pass
        bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :name"), {"name": name})
