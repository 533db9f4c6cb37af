"""Copying a whole database to a new home (a SQLite file onto a shared PostgreSQL server), in one transaction, and
proving the copy holds every row."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.exc import DBAPIError

from jointlead.store import migrate, server
from jointlead.store.database import Database
from jointlead.store.disk import not_written, refused_by_the_disk
from jointlead.store.engine import make_engine
from jointlead.store.errors import DatabaseError
from jointlead.store.models import Base

NOTHING_COPIED = "so nothing was copied"
BATCH = 5_000  # rows read and written at a time: a million ledger rows never sit in memory at once


@dataclass(frozen=True)
class CopyReport:
    """What was copied: rows per table (equal on both sides, or the copy was undone) and the ledger's net total."""

    target: str
    rows: dict[str, int]
    ledger_pence: int

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _target_engine(target: Path | str) -> tuple[Engine, str]:
    """An engine on the empty place the copy goes: a server database with no tables, or a file not there yet."""
    if server.is_server_address(target):
        url = server.server_url(str(target))
        engine = server.make_server_engine(url)
        try:
            revision = server.stored_revision(engine, url, migrate.KNOWN_REVISIONS)
        except BaseException:
            engine.dispose()
            raise
        if revision is not None:
            engine.dispose()
            raise DatabaseError(f"{server.shown(url)} already holds a jointlead database, so nothing was copied.",
                                "Copy into a new, empty database: ask for one, or drop this one first if it is "
                                "an earlier trial copy.")
        return engine, server.shown(url)
    path = Path(target).resolve()
    if path.exists():
        raise DatabaseError(f"{path} already exists, so nothing was copied.", "Choose a new file name.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise not_written("the copy", path.parent, error, NOTHING_COPIED) from error
    return make_engine(path, create=True), str(path)


def _counts(connection: Connection) -> dict[str, int]:
    return {table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables}


def _ledger_total(connection: Connection) -> int:
    ledger = Base.metadata.tables["ledger_transaction"]
    return int(connection.execute(select(func.coalesce(func.sum(ledger.c.amount_pence), 0))).scalar_one())


def copy_database(source: Database, target: Path | str) -> CopyReport:
    """Copy every row of `source` into a new database at `target` (a postgresql:// address or a new file).

    The target's schema is made by the same migrations as any database's, then the rows go in table by table
    (parents first) with their ids, all in one transaction: if anything fails, or the row counts or the ledger's
    total differ afterwards, the target is left empty (a file is removed) and nothing is half-copied.
    """
    engine, shown = _target_engine(target)
    created_file = None if server.is_server_address(target) else Path(target).resolve()
    try:
        with source.engine.connect() as reading, engine.begin() as writing:
            migrate.migrate_within(writing, "upgrade", source.revision)
            for table in Base.metadata.sorted_tables:
                rows = reading.execute(select(table).order_by(*table.primary_key.columns))
                while batch := rows.fetchmany(BATCH):
                    writing.execute(insert(table), [row._asdict() for row in batch])
            server.advance_id_sequences(writing)
            copied, expected = _counts(writing), _counts(reading)
            ledger_pence = _ledger_total(reading)
            if copied != expected or _ledger_total(writing) != ledger_pence:
                raise DatabaseError("The copy did not hold every row of the original, so it was undone.",
                                    "Nothing was changed. Send the log to support.")
    except BaseException as error:
        engine.dispose()
        if created_file is None:
            raise
        for leftover in (created_file, created_file.with_name(created_file.name + "-wal"),
                         created_file.with_name(created_file.name + "-shm")):
            with contextlib.suppress(OSError):  # where nothing could be written, there is nothing to remove
                leftover.unlink(missing_ok=True)
        # The new file is opened, and fills, only here: a folder that cannot be written, or a full disk, shows now.
        if isinstance(error, DBAPIError) and refused_by_the_disk(error):
            raise not_written("the copy", created_file.parent, error, NOTHING_COPIED) from error
        raise
    engine.dispose()
    return CopyReport(target=shown, rows=copied, ledger_pence=ledger_pence)
