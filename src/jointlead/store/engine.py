"""SQLAlchemy engines over a SQLite file, with the pragmas every connection needs."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import NullPool

from jointlead.store.disk import not_read, not_saved, refused_by_the_disk
from jointlead.store.errors import DatabaseBusy, ReadOnlyDatabase

# Marks the connection Database.one_state reads through (query_only): a write there is jointlead's own mistake, left
# as SQLite's error, not said to the user as a read-only file.
READING_ONE_STATE = "reading one state"
# Marks a unit of work's connection (Database.unit_of_work_session): it begins holding SQLite's write lock.
WRITES = "jointlead writes"
# How long a connection waits for another's write lock before SQLite gives up ("database is locked").
BUSY_WAIT_SECONDS = 5
READ_ONLY_CHANGE = ("This database is open read-only, so the change was not saved.",
                    "Copy the file somewhere you can write to and open the copy.")
BECAME_READ_ONLY = ("The database file cannot be written to just now (it, or its folder, has been made read-only), so "
                    "the change was not saved.",
                    "Check that the file and its folder can be written to, then try again; or copy the file somewhere "
                    "you can write to and open the copy.")


def sqlite_uri(path: Path, *, read_only: bool = False, create: bool = False) -> str:
    """A URI that never creates a file by accident (mode=rw) unless asked to (mode=rwc)."""
    uri = "file:" + quote(str(path.resolve()))
    if read_only:
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            # A -wal left by a crash (or copied with the file) holds committed changes that are not in the file yet:
            # read through it. SQLite needs its -shm index beside it, and makes one only in a folder it can write.
            if os.access(path.parent, os.W_OK) or path.with_name(path.name + "-shm").exists():
                return uri + "?mode=ro"
            raise ReadOnlyDatabase(
                f"{path.name} has saved changes still in the file beside it, {wal.name}, which cannot be read in this "
                "read-only folder, so it was not opened: it would show the database without them.",
                f"Copy {path.name} together with {wal.name} to a folder you can write to, and open the copy.")
        # Otherwise immutable=1: SQLite then needs no -shm/-wal beside a file we may not be able to write.
        return uri + "?mode=ro&immutable=1"
    return uri + ("?mode=rwc" if create else "?mode=rw")


def make_engine(path: Path, *, read_only: bool = False, foreign_keys: bool = True, create: bool = False,
                for_use: bool = False) -> Engine:
    """An engine whose connections are transactional for DDL too, and durable on power loss.

    WAL lets a background import write while the window keeps reading; synchronous=FULL makes
    every commit survive a power cut or a laptop lid closing mid-write (NORMAL in WAL mode can lose
    the last commits). The cost, one extra fsync per commit, is invisible at one user's pace.

    `for_use`: the engine of a database open for everyday use (store.database), whose saves and reads the disk
    refuses (a full disk, a drive gone) are said in plain words. An upgrade or a copy says that in its own words.
    """
    uri = sqlite_uri(path, read_only=read_only, create=create)
    engine = create_engine(
        "sqlite+pysqlite://",
        creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=BUSY_WAIT_SECONDS),
        poolclass=NullPool,
        # Error messages (which reach the log) must not carry the row values: they are personal data.
        hide_parameters=True,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Take transaction control from the sqlite3 module so DDL runs inside our transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        if not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # A unit of work reads, then writes. Begun as a plain read, its first write finds any other connection part-way
        # through saving and fails at once ("database is locked"), never waiting: SQLite cannot let a read that may be
        # out of date become a write. Begun holding the write lock, it waits its turn (BUSY_WAIT_SECONDS) instead.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.get_execution_options().get(WRITES) else "BEGIN")

    @event.listens_for(engine, "handle_error")
    def _cannot_write(context) -> None:
        # A write reaches SQLite before the unit of work's commit checks the database is writable: said plainly,
        # as that check would, rather than as an unexpected error. (The file or its folder can also be made
        # read-only while it is open.)
        error = context.original_exception
        reading = context.connection is not None and context.connection.info.get(READING_ONE_STATE)
        if isinstance(error, sqlite3.OperationalError) and "readonly database" in str(error):
            if reading:
                return
            raise ReadOnlyDatabase(*(READ_ONLY_CHANGE if read_only else BECAME_READ_ONLY)) from None
        if isinstance(error, sqlite3.OperationalError) and "database is locked" in str(error):
            raise DatabaseBusy() from None
        if for_use and refused_by_the_disk(error):
            # A unit of work's connection writes (WRITES); any other only reads. The disk can refuse as the connection
            # opens (no room for the log's index beside the file), when there is no connection to ask but its engine.
            saving = (context.connection or context.engine).get_execution_options().get(WRITES)
            raise (not_saved if saving else not_read)(path.name, error) from None

    return engine
