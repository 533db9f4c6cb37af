"""Alembic revisions for the jointlead schema (shipped inside the package as jointlead.migrations)."""
