"""Schema revisions: a cheap check on open, and alembic (imported only then) to upgrade after a backup."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from jointlead.paths import shipped
from jointlead.store.disk import not_written, refused_by_the_disk
from jointlead.store.engine import make_engine, sqlite_uri
from jointlead.store.errors import DatabaseError

# Every revision this version knows, oldest first; a test keeps this equal to migrations/versions.
KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010")
HEAD_REVISION = KNOWN_REVISIONS[-1]
CANNOT_UPGRADE_ADVICE = ("Check that the file and its folder can be written to, then open it again; or copy it "
                         "somewhere you can write to and open the copy.")
NO_ROOM_TO_UPGRADE_ADVICE = ("Free some space on that drive, then open it again; or copy the file to a drive with more "
                             "room and open the copy.")


def migrations_dir() -> Path:
    """The alembic scripts, wherever jointlead runs from: frozen app, installed wheel or source checkout."""
    found = shipped("migrations", "env.py")
    if found is None:
        raise DatabaseError("jointlead's migration scripts are missing from this installation.",
                            "Reinstall jointlead.")
    return found


def stored_revision(path: Path) -> str | None:
    """The schema revision written in the file, read without changing a byte of it.

    Returns None for a SQLite file with no jointlead schema in it.
    """
    connection = sqlite3.connect(sqlite_uri(path, read_only=True), uri=True)
    try:
        has_table = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").fetchone()
        if not has_table:
            return None
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    finally:
        connection.close()


def is_empty_sqlite(path: Path) -> bool:
    connection = sqlite3.connect(sqlite_uri(path, read_only=True), uri=True)
    try:
        return connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    finally:
        connection.close()


def alembic_config():
    from alembic.config import Config  # deferred: alembic costs start-up time and is rarely needed

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


def upgrade(path: Path, target: str = "head", *, create: bool = False) -> None:
    """Upgrade in one transaction with foreign keys off, proving no reference broke before committing.

    With foreign keys on, the batch rebuild of a parent table (copy, drop, rename) would delete
    every child row through ON DELETE CASCADE.
    """
    run_migration(path, "upgrade", target, create=create)


def downgrade(path: Path, target: str) -> None:
    run_migration(path, "downgrade", target)


def run_migration(path: Path, direction: str, target: str, *, create: bool = False) -> None:
    engine = make_engine(path, foreign_keys=False, create=create)
    try:
        migrate_on(engine, direction, target)
    except (DBAPIError, sqlite3.Error, OSError) as error:
        if not refused_by_the_disk(error):
            raise
        # One transaction, so a full disk at any step (even its commit) leaves the file as it was.
        if create:
            raise not_written(f"the new database {path.name}", path.parent, error, "so it was not created") from error
        raise not_written(f"the {direction} of {path.name}", path.parent, error,
                          f"so it was not made: {path.name} is as it was", advice=CANNOT_UPGRADE_ADVICE,
                          full_advice=NO_ROOM_TO_UPGRADE_ADVICE) from error
    finally:
        engine.dispose()


def migrate_on(engine: Engine, direction: str, target: str) -> None:
    """Run alembic over one connection of `engine` in one transaction: on SQLite and on PostgreSQL alike, a
    failure anywhere leaves the schema as it was (both roll DDL back)."""
    with engine.begin() as connection:
        migrate_within(connection, direction, target)


def migrate_within(connection: Connection, direction: str, target: str) -> None:
    """Migrate inside the caller's transaction, which can then go on to fill the new schema (`jointlead copy`)."""
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    getattr(command, direction)(config, target)
    # PostgreSQL checks every reference as the migration goes; SQLite, with its checks off, is asked here.
    broken = (connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
              if connection.dialect.name == "sqlite" else ())
    if broken:
        # Raising here rolls the whole migration back: the file is as it was.
        raise DatabaseError(
            f"The upgrade would leave {len(broken)} broken references, so it was undone.",
            "The database is unchanged. Send the file to support to investigate.")
