"""Alembic environment: runs revisions on the connection jointlead hands over, in batch mode for SQLite."""

from alembic import context

from jointlead.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through jointlead (store/migrate.py), which backs the database up first.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters most things by rebuilding the table
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
