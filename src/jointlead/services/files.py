"""Verbs on databases: create, open, save a verified copy, restore one, and copy a file onto a shared server."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jointlead.domain.calendar import format_day
from jointlead.domain.words import listed
from jointlead.paths import demo_extracts
from jointlead.store.backup import (
    backup_database,
    check_restorable,
    recorded_entries,
    restore_database,
)
from jointlead.store.database import Database, create_database, jointlead_file, open_database
from jointlead.store.errors import DatabaseDamaged, DatabaseError, DatabaseInUse, DatabaseMissing
from jointlead.store.in_use import release_in_use_lock, take_in_use_lock
from jointlead.store.migrate import HEAD_REVISION
from jointlead.store.uow import UnitOfWork

if TYPE_CHECKING:
    from jointlead.services.demo import DemoSummary

__all__ = ["Database", "Erasure", "NewDemo", "RestorePreview", "Restored", "SavedCopy", "back_up", "copies_recorded",
           "copy_to", "create_demo", "create_empty", "open_existing", "open_or_create_demo", "open_restored",
           "restore_backup", "restore_preview", "save_copy"]

log = logging.getLogger(__name__)

# Audit entries about the database file as a whole: a copy made of it, and a backup restored over it. Each names the
# copies it knows of, so that erasing someone can list every copy that still holds them (services.erasure).
DATABASE = "database"
COPY_VERB = "save copy"
RESTORE_VERB = "restore backup"


def create_empty(path: Path) -> Database:
    return create_database(path)


def open_existing(target: Path | str, *, only_reading: bool = False) -> Database:
    """A database file, or a shared database by its server address (postgresql://…). `only_reading`: for a command
    that only reads, which can then read a file a window has open."""
    return open_database(target, only_reading=only_reading)


@dataclass(frozen=True)
class SavedCopy:
    """A copy made by `back_up`, and, when the database could not record it, why (then an erasure cannot list it)."""

    path: Path
    unrecorded: str = ""


def back_up(path: Path, destination: Path) -> SavedCopy:
    """A verified copy of the database file at `path`, as it is: safe while a window has it open, and a file from
    an older version is copied as it was, not upgraded first (an older jointlead can then still open the copy).

    The copy is recorded in the database's audit log, so that erasing someone from it later lists this copy as still
    holding them; not in a file from an older version (it would no longer be as it was) or one that cannot be written.
    """
    source, revision = jointlead_file(path)
    copy = backup_database(source, destination)
    if revision != HEAD_REVISION:  # recording the copy would change the file, which is to stay as it was
        return _unrecorded(copy, f"{source.name} is from an older version of jointlead and was copied as it is")
    try:
        database = open_database(source, only_reading=True)  # takes no in-use lock: a window may have it open
    except BaseException:
        copy.unlink(missing_ok=True)  # as when it cannot be recorded (`_record_copy`)
        raise
    try:
        if database.read_only:
            return _unrecorded(copy, f"{source.name} cannot be written to")
        _record_copy(database, copy)
    finally:
        database.close()
    return SavedCopy(copy)


def _unrecorded(copy: Path, why: str) -> SavedCopy:
    return SavedCopy(copy, f"{why}, so this copy is not recorded in it: erasing someone from it later will not list "
                           "this copy as still holding them.")


def save_copy(database: Database, destination: Path) -> Path:
    """A consistent, verified copy of the open database, safe to take while it is in use, recorded in its audit log
    (unless it is open read-only, when nothing can be recorded, nor anyone erased from it)."""
    if database.path is None:
        raise DatabaseError("A shared database on a server is copied by the server's own backups, not by jointlead.",
                            "Ask whoever runs the server (pg_dump makes a copy), or use jointlead copy to move it.")
    copy = backup_database(database.path, destination)
    if not database.read_only:
        _record_copy(database, copy)
    return copy


def _record_copy(database: Database, copy: Path) -> None:
    """Record in the audit log that a copy was made and where. If it cannot be recorded, the copy goes: a copy no
    erasure would list is not made (what could not record it, said as an error, is the reason)."""
    try:
        with UnitOfWork(database) as uow:
            uow.audit(COPY_VERB, DATABASE, None, {"copy": (None, str(copy.resolve()))})
            uow.commit()
    except BaseException:
        copy.unlink(missing_ok=True)
        raise


def copies_recorded(entries: Iterable[tuple[str, Mapping[str, Any]]]) -> tuple[Path, ...]:
    """The copies audit entries (verb, changes) record, in the order made: each copy saved, and each copy a restore
    knew of. Whether each is still there is for the caller to look."""
    found: list[str] = []
    for verb, changes in entries:
        if verb == COPY_VERB:
            found.append(_new_value(changes, "copy"))
        elif verb == RESTORE_VERB:
            found.extend(_new_value(changes, "copies") or ())
    return tuple(Path(p) for p in dict.fromkeys(found) if isinstance(p, str) and p)


def _new_value(changes: Mapping[str, Any], key: str) -> Any:
    pair = changes.get(key)
    return pair[1] if isinstance(pair, list) and len(pair) == 2 else None


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


@dataclass(frozen=True)
class NewDemo:
    """A demo service just made: its database, open, what it holds, and next month's ledger extracts beside it, or
    why they are not there (the demo is whole without them)."""

    database: Database
    summary: DemoSummary
    extracts: tuple[Path, ...]
    extracts_not_written: str = ""


def create_demo(path: Path) -> NewDemo:
    """The demo service in a new database file at `path` (refused if a file is there), and next month's ledger
    extracts in a folder beside it (`paths.demo_extracts`)."""
    from jointlead.services.demo import create_demo_service, write_next_month_extracts  # only for a new demo

    database = create_database(path)
    try:
        summary = create_demo_service(database)
    except BaseException:
        database.close()
        path.unlink(missing_ok=True)
        raise
    folder = demo_extracts(path)
    try:
        return NewDemo(database, summary, write_next_month_extracts(folder))
    except OSError as error:  # a file of that name there, a folder it may not write in
        log.warning("The demo's next month's extracts were not written (%s)", type(error).__name__)
        return NewDemo(database, summary, (), f"Next month's ledger extracts were not written to {folder}: "
                                              f"{error.strerror or error}.")


def open_or_create_demo(path: Path) -> Database:
    """The demo service at `path`, created first if the file is not there yet."""
    return open_database(path) if path.exists() else create_demo(path).database


@dataclass(frozen=True)
class Erasure:
    """An erasure of a person, as the audit log records it: when, and the reason given (which the erasure took their
    name out of). It never says who: jointlead keeps no name of anyone erased."""

    on: date  # the day it was made
    reason: str

    def __str__(self) -> str:
        return f"on {format_day(self.on)} (reason: {self.reason})" if self.reason else f"on {format_day(self.on)}"


@dataclass(frozen=True)
class RestorePreview:
    """What restoring a backup over a database will undo, for the question before it (window) or the dry run (CLI)."""

    path: Path
    backup: Path
    as_at: datetime | None  # the latest change the backup records (UTC); None if it records none
    # Erasures the database records that the backup was made before: restoring it brings back what it holds of the
    # people erased. None when the database cannot be read to tell (it is damaged).
    undone: tuple[Erasure, ...] | None
    copies: tuple[Path, ...]  # copies the database records and the backup does not: recorded again once restored

    def latest_change_words(self) -> str:
        """How recent the copy is, in this computer's time ("Its latest change was on 20 Nov 2026 at 14:05."), so
        whoever restores it can tell how much work since it replaces; "" if it records no change."""
        if self.as_at is None:
            return ""
        local = self.as_at.replace(tzinfo=UTC).astimezone()
        return f"Its latest change was on {format_day(local.date())} at {local:%H:%M}."

    def erasures_warning(self) -> str:
        """What restoring undoes of the erasures made, and what to do after; "" when it undoes none."""
        if self.undone is None:
            return (f"Which people have been erased from {self.path.name} cannot be read, as it is damaged. If anyone "
                    "was erased after this copy was made, restoring it brings back their records: after restoring, "
                    "erase them again, using your own record of the erasure requests.")
        if not self.undone:
            return ""
        one = len(self.undone) == 1
        when = listed([str(erasure) for erasure in self.undone])
        erased = (f"a person was erased from {self.path.name} {when}" if one else
                  f"{len(self.undone)} people were erased from {self.path.name}: {when}")
        return (f"This copy was made before {erased}. Restoring it brings back {'their' if one else 'the'} records "
                f"{'' if one else 'of the people erased '}as they were when the copy was made. After restoring, erase "
                f"{'them' if one else 'each'} again: jointlead keeps no names of people erased, so use your own record "
                f"of {'that request' if one else 'those requests'} to find who.")


@dataclass(frozen=True)
class Restored:
    """A backup restored: what it undid, and where the data it replaced was kept (None if there was none)."""

    preview: RestorePreview
    kept: Path | None


def open_in_a_window(path: Path) -> bool:
    """Whether a jointlead window has the database file at `path` open now (so restoring over it would be refused)."""
    try:
        release_in_use_lock(take_in_use_lock(path))
    except DatabaseInUse:
        return True
    except OSError:  # no lock can be taken beside it: the restore itself will say why
        return False
    return False


def restore_preview(path: Path, backup: Path) -> RestorePreview:
    """What restoring `backup` over the database file at `path` would undo, read from both files' audit logs without
    opening either (the backup is not upgraded, the database may be open). A file that cannot be restored is refused
    here, before anyone is asked."""
    from jointlead.services.erasure import VERB as ERASED  # deferred: erasing brings in much the window starts without

    if not path.is_file():
        raise DatabaseMissing(f"There is no database at {path}, so nothing was restored.",
                              "Check the path: a backup is restored over the database it is a copy of. To use a "
                              "backup as it is, open it instead.")
    check_restorable(backup, path)
    verbs = (ERASED, COPY_VERB, RESTORE_VERB)
    then = recorded_entries(backup, verbs)
    try:
        now = recorded_entries(path, verbs)
    except DatabaseDamaged:  # which is what restoring is for: say that what it undoes cannot be told
        return RestorePreview(path, backup, then.last_change, None, ())
    made_before = {(e.entry_id, e.at) for e in then.entries if e.verb == ERASED}
    undone = tuple(_erasure(e.at, e.changes) for e in now.entries
                   if e.verb == ERASED and (e.entry_id, e.at) not in made_before)
    known = {str(p) for p in copies_recorded((e.verb, e.changes) for e in then.entries)}
    copies = tuple(p for p in copies_recorded((e.verb, e.changes) for e in now.entries) if str(p) not in known)
    return RestorePreview(path, backup, then.last_change, undone, copies)


def _erasure(at: datetime, changes: Mapping[str, Any]) -> Erasure:
    """An erasure's audit entry (services.erasure) as said: the day it gave, else the day it was recorded."""
    on, reason = _new_value(changes, "date"), _new_value(changes, "reason")
    return Erasure(date.fromisoformat(on) if isinstance(on, str) else at.date(),
                   reason if isinstance(reason, str) else "")


def restore_backup(path: Path, backup: Path) -> Restored:
    """Replace the data of the database at `path`, which must be closed (and is refused while another jointlead has
    it open), with a backup. Open it again with `open_restored`, which records what the restore undid."""
    preview = restore_preview(path, backup)
    return Restored(preview, restore_database(backup, path))


def open_restored(restored: Restored) -> Database:
    """The database just restored, open (an older backup upgraded), with an audit entry saying which backup was
    restored, as at when, the erasures made since that it undid, and the copies known before it: the restored audit
    log is the backup's, which knows nothing of them."""
    preview = restored.preview
    database = open_database(preview.path)
    undone = None if preview.undone is None else [{"on": e.on.isoformat(), "reason": e.reason} for e in preview.undone]
    copies = [str(p) for p in (*preview.copies, preview.backup.resolve(), restored.kept) if p is not None]
    try:
        with UnitOfWork(database) as uow:
            uow.audit(RESTORE_VERB, DATABASE, None, {
                "backup": (None, str(preview.backup.resolve())),
                "as_at": (None, preview.as_at.isoformat(sep=" ") if preview.as_at else None),
                "erasures_undone": (None, undone), "copies": (None, list(dict.fromkeys(copies)))})
            uow.commit()
    except BaseException:
        database.close()
        raise
    return database
