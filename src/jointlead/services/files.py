"""Verbs on database files: create, open, and save a verified copy."""

from __future__ import annotations

from pathlib import Path

from jointlead.store.backup import backup_database, restore_database
from jointlead.store.database import Database, create_database, open_database

__all__ = ["Database", "create_empty", "open_existing", "open_or_create_demo", "restore_backup", "save_copy"]


def create_empty(path: Path) -> Database:
    return create_database(path)


def open_existing(path: Path) -> Database:
    return open_database(path)


def save_copy(database: Database, destination: Path) -> Path:
    """A consistent, verified copy of the open database, safe to take while it is in use."""
    return backup_database(database.path, destination)


def open_or_create_demo(path: Path) -> Database:
    """The demo service at `path`, created first if the file is not there yet."""
    if path.exists():
        return open_database(path)
    from jointlead.services.demo import create_demo_service  # only when a demo is really being made

    database = create_database(path)
    try:
        create_demo_service(database)
    except BaseException:
        database.close()
        path.unlink(missing_ok=True)
        raise
    return database



def restore_backup(path: Path, backup: Path) -> Path | None:
    """Replace the data of the database at `path`, which must be closed, with a backup. Returns where the data it
    replaced was kept (None if there was none); open `path` again to carry on, which upgrades an older backup."""
    return restore_database(backup, path)
