"""Opening a jointlead database safely: a file (checks, warnings, the in-use lock, migration with backup) or a
shared database on a PostgreSQL server."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sqlalchemy import URL, Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from jointlead.store import migrate, server
from jointlead.store.backup import damage_in_words, integrity_problems, restore_advice, timestamped_backup
from jointlead.store.disk import not_written, refused_by_the_disk
from jointlead.store.engine import READING_ONE_STATE, WRITES, make_engine
from jointlead.store.errors import (
    DatabaseDamaged,
    DatabaseError,
    DatabaseFromNewerVersion,
    DatabaseMissing,
    NotAJointleadDatabase,
    ReadOnlyDatabase,
)
from jointlead.store.in_use import release_in_use_lock, take_in_use_lock
from jointlead.store.location import location_warnings

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
READ_ONLY_NOTE = "This database is in a read-only location, so it has been opened read-only: changes cannot be saved."
# Beside the database, a new database's file may bring its journals (which SQLite may leave when the disk is full).
JOURNALS = ("-wal", "-shm", "-journal")


@dataclass
class Database:
    """An open database: the engine, how it was opened, and what the user should be told about it.

    `path` is the file; for a shared database on a server it is None and `server` is its address. Whatever works
    on the file itself (backups, restoring, SQLite's integrity check) asks `path`; the rest of jointlead does not
    mind which it is.
    """

    path: Path | None
    engine: Engine
    read_only: bool
    revision: str
    warnings: list[str] = field(default_factory=list)
    upgrade_backup: Path | None = None
    _lock: IO[bytes] | None = None
    _sessions: sessionmaker[Session] | None = None
    server: URL | None = None
    _state: threading.local = field(default_factory=threading.local, repr=False)  # one_state's connection, by thread

    @property
    def name(self) -> str:
        """What the window title and printouts call it: the file's name, or 'DATABASE on HOST'."""
        return self.path.name if self.path is not None else server.short_name(self.server)

    @property
    def location(self) -> str:
        """Where it is, in full: the file's path, or the server's address without any password."""
        return str(self.path) if self.path is not None else server.shown(self.server)

    def session(self) -> Session:
        """A session of its own, to read or to change (store.uow); inside `one_state` in this thread, a reading
        session that joins the one state instead."""
        reading = getattr(self._state, "connection", None)
        if reading is not None:
            # Its commit never reaches the state's transaction; a write there fails anyway (the state is read-only).
            return Session(bind=reading, join_transaction_mode="rollback_only", expire_on_commit=False)
        return self.writing_session()

    def writing_session(self) -> Session:
        """A session of its own, always: a unit of work commits on it even inside `one_state`."""
        if self._sessions is None:
            self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        return self._sessions()

    def unit_of_work_session(self) -> Session:
        """A session of its own for a unit of work: on a writable file, its transaction begins holding the write lock,
        so it waits for another connection's save to finish rather than failing at its first write."""
        if self.server is not None or self.read_only:
            return self.writing_session()
        return Session(self.engine.execution_options(**{WRITES: True}), expire_on_commit=False)

    @contextmanager
    def one_state(self) -> Iterator[None]:
        """Every session opened with `session()` in this thread inside the block reads one and the same state of the
        database, as it stood at the block's first read, whatever anyone saves meanwhile: an export made of many
        reads is then one consistent picture, never half before and half after someone else's change (a shared
        database, or an import finishing in the background). The state is read-only; units of work inside the block
        use sessions of their own. A block inside another keeps the outer state."""
        if getattr(self._state, "connection", None) is not None:
            yield
            return
        # SQLite in WAL mode keeps a read transaction's snapshot from its first read; PostgreSQL needs REPEATABLE READ
        # for one snapshot across statements.
        options = {"isolation_level": "REPEATABLE READ"} if self.server is not None else {}
        with self.engine.connect().execution_options(**options) as connection:
            connection.exec_driver_sql("SET TRANSACTION READ ONLY" if self.server is not None else
                                       "PRAGMA query_only = ON")
            connection.info[READING_ONE_STATE] = True
            self._state.connection = connection
            try:
                yield
            finally:
                self._state.connection = None
                connection.rollback()
                # The mark is on the pooled connection (a server's), which goes back to writing for units of work.
                connection.info.pop(READING_ONE_STATE, None)

    def let_others_open(self) -> None:
        """Release the in-use lock before closing, for a window that has gone and only reads on (in `one_state`):
        another jointlead may then open the file meanwhile, as someone reopening it at once expects."""
        if self._lock is not None:
            release_in_use_lock(self._lock)
            self._lock = None

    def close(self) -> None:
        self.engine.dispose()
        if self._lock is not None:
            release_in_use_lock(self._lock)
            self._lock = None


def _damaged(path: Path, problems: list[str]) -> DatabaseDamaged:
    return DatabaseDamaged(f"{path.name} is damaged ({damage_in_words(problems)}), so it was not opened.",
                           restore_advice(path))


def _looks_like_sqlite(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def create_database(path: Path) -> Database:
    """A new, empty database at the current schema revision; if it cannot be made (a full disk part way), nothing
    of it is left: the file, its journals, the folders made for it."""
    path = path.resolve()
    if path.exists():
        raise DatabaseError(f"{path} already exists.", "Choose another name, or open the existing file.")
    made = _yet_to_be_made(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = take_in_use_lock(path)
    except OSError as error:
        _remove(made)
        raise DatabaseError(f"{path.name} could not be created in {path.parent} ({error.strerror or error}).",
                            "Choose a folder you can write to, such as one in your Documents.") from error
    try:
        migrate.upgrade(path, create=True)
        return _finish_open(path, read_only=False, lock=lock, upgrade_backup=None)
    except BaseException:
        release_in_use_lock(lock)
        _remove(made)
        raise


def _yet_to_be_made(path: Path) -> list[Path]:
    """What creating a database at `path` may make that is not there now, each before the folder holding it: only
    these are removed if it fails, never a file or folder that was there before."""
    files = [path, *(path.with_name(path.name + journal) for journal in JOURNALS)]
    folders = [folder for folder in path.parents if not folder.exists()]  # innermost first
    return [p for p in files if not p.exists()] + folders


def _remove(made: list[Path]) -> None:
    for made_here in made:
        # A folder goes only if empty (rmdir), so nothing someone else put in it meanwhile; where the disk refuses even
        # to remove, there is nothing more to do.
        with suppress(OSError):
            if made_here.is_dir():
                made_here.rmdir()
            else:
                made_here.unlink(missing_ok=True)


def jointlead_file(target: Path | str) -> tuple[Path, str]:
    """The database file at `target`, resolved, and its schema revision, refused (with what to do) unless it is a
    sound-looking jointlead database this version can open. Nothing is changed."""
    path = Path(target).resolve()
    if not path.exists():
        raise DatabaseMissing(f"There is no database at {path}.",
                              "Choose File > Open to find it, or File > New to start a new one.")
    if path.is_dir():
        raise NotAJointleadDatabase(f"{path} is a folder, not a jointlead database.", "Choose a .sqlite file.")
    if not _looks_like_sqlite(path):
        raise NotAJointleadDatabase(f"{path.name} is not a jointlead database.",
                                    "Choose a file that jointlead created (usually ending in .sqlite).")
    try:
        revision = migrate.stored_revision(path)
    except sqlite3.DatabaseError as error:
        raise _damaged(path, [str(error)]) from error
    if revision is None:
        raise NotAJointleadDatabase(f"{path.name} is a database, but not one of jointlead's.",
                                    "Choose a file that jointlead created, or File > New to start one.")
    if revision not in migrate.KNOWN_REVISIONS:
        raise DatabaseFromNewerVersion(
            f"{path.name} was written by a newer version of jointlead (schema {revision}).",
            "It has not been changed. Install the latest jointlead to open it.")
    return path, revision


def open_database(target: Path | str, *, only_reading: bool = False) -> Database:
    """Open an existing database, upgrading it (after a verified backup) when it is from an older version.

    `target` is a file, or the address of a database on a PostgreSQL server (postgresql://…). `only_reading`: for
    a command that only reads (a check, an export), which may read a file a window has open: it takes no in-use lock,
    unless the file must be upgraded first.
    """
    if server.is_server_address(target):
        return open_server_database(str(target))
    path, revision = jointlead_file(target)
    read_only = not _writable(path)
    lock = None if read_only or (only_reading and revision == migrate.HEAD_REVISION) else take_in_use_lock(path)
    backup = None
    try:
        if revision != migrate.HEAD_REVISION:
            if read_only:
                raise ReadOnlyDatabase(f"{path.name} needs upgrading, but it is in a read-only location.",
                                       "Copy it somewhere you can write to, then open the copy.")
            backup = _backup_before_upgrade(path, revision)
            log.info("Backed up before upgrading from schema %s", revision)
            migrate.upgrade(path)
        return _finish_open(path, read_only=read_only, lock=lock, upgrade_backup=backup)
    except BaseException:
        if lock is not None:
            release_in_use_lock(lock)
        raise


def _backup_before_upgrade(path: Path, revision: str) -> Path:
    """The verified copy made before upgrading; if the disk refuses it, said as what it is: the upgrade was not made."""
    try:
        return timestamped_backup(path, f"before-upgrade-from-{revision}")
    except DatabaseError as error:
        refusal = error.__cause__  # the system's or SQLite's own error, which the backup said in its words
        if refusal is None or not refused_by_the_disk(refusal):
            raise
        backups = path.parent / "backups"
        raise not_written(f"the backup jointlead makes before upgrading {path.name}", backups, refusal,
                          f"so {path.name} was not upgraded: it is as it was",
                          advice=f"Check that {backups} can be written to, then open {path.name} again; or copy it "
                                 "somewhere you can write to and open the copy.",
                          full_advice=migrate.NO_ROOM_TO_UPGRADE_ADVICE) from refusal


def _finish_open(path: Path, *, read_only: bool, lock: IO[bytes] | None, upgrade_backup: Path | None) -> Database:
    problems = integrity_problems(path, quick=True, read_only=read_only)
    if problems:
        raise _damaged(path, problems)
    engine = make_engine(path, read_only=read_only, for_use=True)
    with engine.connect() as connection:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    warnings = location_warnings(path)
    if read_only:
        warnings.insert(0, READ_ONLY_NOTE)
    return Database(path=path, engine=engine, read_only=read_only, revision=revision, warnings=warnings,
                    upgrade_backup=upgrade_backup, _lock=lock)


def open_server_database(address: str) -> Database:
    """A shared database on a PostgreSQL server; an empty one is given jointlead's schema, an older one upgraded.

    There is no file to back up first: the server's own backups cover it (docs/shared-server.md). PostgreSQL
    changes its schema inside the transaction, so a failed upgrade leaves it exactly as it was.
    """
    url = server.server_url(address)
    engine = server.make_server_engine(url)
    try:
        revision = server.stored_revision(engine, url, migrate.KNOWN_REVISIONS)
        if revision != migrate.HEAD_REVISION:
            log.info("Setting up or upgrading a server database from schema %s", revision or "none")
            migrate.migrate_on(engine, "upgrade", "head")
        with engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            read_only = not connection.execute(server.WRITABLE).scalar_one()
    except DBAPIError as error:
        engine.dispose()
        raise server.server_refused(url, error) from error
    except BaseException:
        engine.dispose()
        raise
    return Database(path=None, engine=engine, read_only=read_only, revision=revision, server=url)
