"""Copies of the database made with SQLite's backup API and verified before anyone relies on them."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jointlead.store.disk import not_written, refused_by_the_disk
from jointlead.store.engine import sqlite_uri
from jointlead.store.errors import DatabaseDamaged, DatabaseError, DatabaseInUse
from jointlead.store.in_use import release_in_use_lock, take_in_use_lock
from jointlead.store.migrate import KNOWN_REVISIONS, stored_revision


def integrity_problems(path: Path, *, quick: bool = False, read_only: bool = True) -> list[str]:
    """What SQLite's integrity (or quick) check reports; empty when the file is sound."""
    pragma = "quick_check" if quick else "integrity_check"
    connection = sqlite3.connect(sqlite_uri(path, read_only=read_only), uri=True)
    try:
        rows = [row[0] for row in connection.execute(f"PRAGMA {pragma}")]
    except sqlite3.DatabaseError as error:
        return [str(error)]
    finally:
        connection.close()
    return [] if rows == ["ok"] else rows


def damage_in_words(problems: list[str]) -> str:
    """What SQLite's check found, in one line: its first problem, and how many more. A damaged file can report
    hundreds, one per line ("Page 12 is never used"), which said whole would bury the message."""
    found = [line.strip() for problem in problems for line in problem.splitlines()
             if line.strip() and not line.startswith("***")]
    if len(found) <= 1:
        return found[0] if found else "it failed SQLite's check"
    return f"{found[0]}, and {len(found) - 1:,} more problem{'s' if len(found) > 2 else ''} SQLite's check found"


def restore_advice(path: Path) -> str:
    """Where to find a copy to put back for a damaged database: its backups folder if it has one."""
    backups = path.parent / "backups"
    if backups.is_dir():
        return f"Restore the latest copy from {backups} (File > Restore a backup…) or from your own backups."
    return "Restore the latest copy you have of it from your own backups."


def backup_database(source: Path, destination: Path) -> Path:
    """Copy a live database consistently (even mid-use) and prove the copy is sound."""
    if destination.exists():
        raise DatabaseError(f"{destination} already exists.", "Choose a new file name for the copy.")
    writable = destination.with_name(destination.name + ".partial")
    src = sqlite3.connect(sqlite_uri(source, read_only=not os.access(source, os.W_OK)), uri=True)
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        _write_copy(src, writable)
    except (OSError, sqlite3.Error) as error:
        with contextlib.suppress(OSError):  # what was written is no copy; where nothing can be written, nothing was
            writable.unlink(missing_ok=True)
        if not refused_by_the_disk(error):
            raise
        raise not_written("the copy", destination.parent, error, "so no copy was made") from error
    finally:
        src.close()
    problems = integrity_problems(writable)
    if problems:
        writable.unlink(missing_ok=True)
        # A faithful copy of a damaged file fails the check too: then the file is what needs putting right.
        damage = integrity_problems(source)
        if damage:
            raise DatabaseDamaged(f"{source.name} is damaged ({damage_in_words(damage)}), so no copy of it was made.",
                                  restore_advice(source))
        raise DatabaseError("The backup copy failed its integrity check, so it was not kept.",
                            "Check there is free disk space and try again.")
    writable.replace(destination)
    return destination


def _write_copy(source: sqlite3.Connection, writable: Path) -> None:
    """SQLite's backup of `source` into the file `writable`, standing alone: a single file with no -wal beside it."""
    dst = sqlite3.connect(writable)
    try:
        source.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()


def _backup_path(source: Path, reason: str) -> Path:
    """Where a copy of `source` goes in `backups/` beside it, named by what it was for and when."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    return source.parent / "backups" / f"{source.stem}-{reason}-{stamp}.sqlite"


def timestamped_backup(source: Path, reason: str) -> Path:
    """A verified copy in `backups/` beside the database, named by what it was for and when."""
    return backup_database(source, _backup_path(source, reason))


def _keep_before_restore(target: Path) -> Path:
    """The database about to be replaced, kept beside it: a verified copy, or, if it is damaged (which is what
    restoring is for, and which no verified copy can be made of), the file and its journal byte for byte."""
    try:
        return timestamped_backup(target, "before-restore")
    except DatabaseDamaged:
        kept = _backup_path(target, "before-restore-damaged")
        shutil.copy2(target, kept)  # the backups folder was made for the copy that failed
        wal = target.with_name(target.name + "-wal")
        if wal.exists():
            shutil.copy2(wal, kept.with_name(kept.name + "-wal"))
        return kept


def check_restorable(backup: Path, target: Path) -> None:
    """Refuse, saying why, a file that cannot be restored over the database at `target`: the database itself, no
    file, a file that is not a sound jointlead database, or one from a newer version. Nothing is changed."""
    choose = "Choose a copy from the backups folder beside the database (a .sqlite file)."
    if backup.resolve() == target.resolve():
        raise DatabaseError("That is the database itself, not a backup of it.", choose)
    if not backup.exists():
        raise DatabaseError(f"There is no file {backup}, so nothing was restored.", choose)
    if not backup.is_file() or not _starts_like_sqlite(backup):
        raise DatabaseError(f"{backup.name} is not a jointlead database, so nothing was restored.", choose)
    problems = integrity_problems(backup)
    if problems:
        raise DatabaseError(f"{backup.name} failed its integrity check, so nothing was restored.", choose)
    revision = stored_revision(backup)
    if revision is None:
        raise DatabaseError(f"{backup.name} is a database, but not one of jointlead's, so nothing was restored.",
                            choose)
    if revision not in KNOWN_REVISIONS:  # restored, it could not be opened: the window would be left with nothing
        raise DatabaseError(f"{backup.name} was written by a newer version of jointlead (schema {revision}), so "
                            "nothing was restored.", "Install the latest jointlead, then restore it.")


def restore_database(backup: Path, target: Path) -> Path | None:
    """Put a verified copy of `backup` in place of the (closed) database at `target`.

    Refused while another jointlead has `target` open: it would carry on with the file replaced under it, its changes
    going to the old file, lost. Its in-use lock is held for the restore, so none can open it meanwhile.

    The database being replaced is first kept as a timestamped copy beside it, damaged or not (nothing is lost by
    restoring the wrong file); that copy's path is returned, or None when there was no database at `target`. The
    backup itself is left as it was. A backup from an older version is restored as it is: opening it upgrades it,
    as for any file.
    """
    check_restorable(backup, target)
    target = target.resolve()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        lock = take_in_use_lock(target)
    except DatabaseInUse as error:
        raise DatabaseInUse(f"{target.name} is open in another jointlead window, so the backup was not restored: it "
                            "is as it was.", "Close the database in that window (or quit that jointlead), then "
                            "restore again.") from error
    except OSError as error:  # no lock could be made beside it: a folder that cannot be written to
        raise not_written("the database", target.parent, error, "so nothing was restored: it is as it was") from error
    try:
        kept = _keep_before_restore(target) if target.exists() else None
        incoming = target.with_name(target.name + ".restoring")
        incoming.unlink(missing_ok=True)
        backup_database(backup, incoming)
        _put_in_place(incoming, target)
    finally:
        release_in_use_lock(lock)
    return kept


@dataclass(frozen=True)
class RecordedEntry:
    """An audit entry as a database file holds it."""

    entry_id: int
    at: datetime  # UTC
    verb: str
    changes: dict[str, Any]  # {"field": [old, new]}


@dataclass(frozen=True)
class RecordedAudit:
    """What a database file's audit log records of some kinds of change, and when its latest change of any kind was."""

    last_change: datetime | None  # None: it records no change at all
    entries: tuple[RecordedEntry, ...]  # oldest first


def recorded_entries(path: Path, verbs: Collection[str]) -> RecordedAudit:
    """The audit entries with these verbs in the database file at `path`, read with SQLite read-only, not opened as a
    jointlead database: a backup asked about before it is restored is not upgraded, locked or changed. The audit log
    has kept the same columns since the first schema, so a file from any version reads."""
    (last,), = _read(path, "SELECT max(at) FROM audit_entry")
    rows = _read(path, f"SELECT id, at, verb, changes_json FROM audit_entry WHERE verb IN "
                       f"({', '.join('?' * len(verbs))}) ORDER BY id", tuple(verbs))
    return RecordedAudit(
        datetime.fromisoformat(last) if last else None,
        tuple(RecordedEntry(entry_id, datetime.fromisoformat(at), verb, json.loads(changes or "{}"))
              for entry_id, at, verb, changes in rows))


def holds_row(path: Path, table: str, row_id: int) -> bool:
    """Whether the database file at `path` has the row of `table` (a name from the models) with this id, read as
    `recorded_entries` reads: a copy of the database asked whether it still holds someone."""
    return bool(_read(path, f"SELECT 1 FROM {table} WHERE id = ?", (row_id,)))


def _read(path: Path, query: str, parameters: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(sqlite_uri(path, read_only=True), uri=True)
    try:
        return connection.execute(query, parameters).fetchall()
    except sqlite3.DatabaseError as error:
        raise DatabaseDamaged(f"{path.name} could not be read ({error}).", restore_advice(path)) from error
    finally:
        connection.close()


def _put_in_place(incoming: Path, target: Path) -> None:
    """Replace the database at `target` with the file `incoming`, or, if the system refuses (another program has it
    open, as Windows says), leave it as it was and say so.

    The old database's -wal and -shm belong to the data being replaced: left beside the new file, SQLite would apply
    the old journal to it. They are moved aside first, not deleted, since the -wal can hold changes not yet in the
    file: put back if the replacing fails, removed only once the new file is in place.
    """
    aside: list[tuple[Path, Path]] = []
    try:
        for journal in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
            if journal.exists():
                moved = journal.with_name(journal.name + ".replaced")
                journal.replace(moved)
                aside.append((journal, moved))
        incoming.replace(target)
    except OSError as error:
        for journal, moved in reversed(aside):
            moved.replace(journal)
        with contextlib.suppress(OSError):
            incoming.unlink(missing_ok=True)
        raise DatabaseError(f"{target.name} could not be replaced ({error.strerror or error}), so nothing was "
                            "restored: it is as it was.",
                            "Close any other program that has it open (another jointlead window, a database viewer, "
                            "a backup or sync tool), then try again.") from error
    for _journal, moved in aside:
        with contextlib.suppress(OSError):  # the new file is in place: an old journal left over is only untidy
            moved.unlink()


def _starts_like_sqlite(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(16) == b"SQLite format 3\x00"
