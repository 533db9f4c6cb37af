"""Verbs on databases: create, open, save a verified copy, restore one, and copy a file onto a shared server."""

from __future__ import annotations

from pathlib import Path

from jointlead.store.backup import backup_database, restore_database
from jointlead.store.database import Database, create_database, jointlead_file, open_database
from jointlead.store.errors import DatabaseError

__all__ = ["Database", "back_up", "copy_to", "create_empty", "open_existing", "open_or_create_demo",
           "restore_backup", "save_copy"]


def create_empty(path: Path) -> Database:
    return create_database(path)


def open_existing(target: Path | str, *, only_reading: bool = False) -> Database:
    """A database file, or a shared database by its server address (postgresql://…). `only_reading`: for a command
    that only reads, which can then read a file a window has open."""
    return open_database(target, only_reading=only_reading)


def back_up(path: Path, destination: Path) -> Path:
    """A verified copy of the database file at `path`, as it is: safe while a window has it open, and a file from
    an older version is copied as it was, not upgraded first (an older jointlead can then still open the copy)."""
    source, _revision = jointlead_file(path)
    return backup_database(source, destination)


def save_copy(database: Database, destination: Path) -> Path:
    """A consistent, verified copy of the open database, safe to take while it is in use."""
    if database.path is None:
        raise DatabaseError("A shared database on a server is copied by the server's own backups, not by jointlead.",
                            "Ask whoever runs the server (pg_dump makes a copy), or use jointlead copy to move it.")
    return backup_database(database.path, destination)


def copy_to(source: Path | str, target: Path | str):
    """Copy a whole database (usually the SQLite file) into a new, empty one: a shared database on a PostgreSQL
    server, or a new file. One transaction, checked row for row; the source is only read (upgraded first, after its
    usual backup, if it is from an older version). Returns a `store.copying.CopyReport`."""
    from jointlead.store.copying import copy_database

    database = open_database(source)
    try:
        return copy_database(database, target)
    finally:
        database.close()


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
