"""Writes the disk refuses (a full disk, read-only media, a file another program holds) during a backup, an upgrade, a
new database, a copy, a restore, an export or an everyday change: each is said in plain words, and leaves the database
as it was and no part-written file.

A real full disk and real read-only media need a mount (root); here SQLite is made to run out of room for real by a
small max_page_count, and what only a mount could cause is raised where the system would raise it.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import shutil
import sqlite3
from datetime import date, datetime
from pathlib import Path
from typing import ClassVar

import pytest

from jointlead.exchange import writing
from jointlead.services import actions, files
from jointlead.store import copying
from jointlead.store.backup import backup_database, integrity_problems
from jointlead.store.database import create_database, open_database
from jointlead.store.errors import DatabaseError

pytestmark = pytest.mark.sqlite_only  # about files on a disk

FIXTURES = Path(__file__).parent.parent / "fixtures"
CONNECT = sqlite3.connect


def content(path: Path) -> list[str]:
    connection = CONNECT(f"file:{path}?mode=ro", uri=True)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def refused(message: str, name: str) -> sqlite3.OperationalError:
    """SQLite's error, as it raises it (with its error name), for what only a real disk could make it raise."""
    error = sqlite3.OperationalError(message)
    error.sqlite_errorname = name
    return error


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith((".partial", ".restoring", ".tmp")))


def room_for(monkeypatch: pytest.MonkeyPatch, name: str, pages: int | None = None) -> None:
    """Connections to files called `name` (a pattern: "*.partial") find the disk full past `pages` pages (by default,
    past the file's size now): SQLite's own "database or disk is full", raised at whatever write reaches it."""

    def connect(database, *args, **kwargs):
        connection = CONNECT(database, *args, **kwargs)
        if fnmatch.fnmatch(Path(str(database).removeprefix("file:").split("?")[0]).name, name):
            limit = pages or connection.execute("PRAGMA page_count").fetchone()[0]
            connection.execute(f"PRAGMA max_page_count={max(limit, 1)}")
        return connection

    monkeypatch.setattr(sqlite3, "connect", connect)


def test_a_backup_onto_a_full_disk_says_so_and_leaves_no_part_written_copy(demo_path, monkeypatch):
    copies = demo_path.parent / "copies"
    room_for(monkeypatch, "copy.sqlite.partial", pages=10)

    with pytest.raises(DatabaseError) as full:
        backup_database(demo_path, copies / "copy.sqlite")

    assert full.value.message == f"There is not enough free disk space in {copies} for the copy, so no copy was made."
    assert full.value.advice == "Free some space there, or choose another folder, then try again."
    assert list(copies.iterdir()) == []


def _upgrading_fixture(tmp_path: Path) -> tuple[Path, list[str]]:
    path = tmp_path / "service.sqlite"
    shutil.copyfile(FIXTURES / "schema-0001.sqlite", path)
    return path, content(path)


class _TurningToWalFillsTheDisk(sqlite3.Cursor):
    def execute(self, sql, *args):
        if sql == "PRAGMA journal_mode=WAL":
            raise refused("database or disk is full", "SQLITE_FULL")
        return super().execute(sql, *args)


class _FullAsItTurnsToWal(sqlite3.Connection):
    def cursor(self, factory=_TurningToWalFillsTheDisk):
        return super().cursor(factory)


@pytest.mark.parametrize("when", ["as the upgrade grows the file", "as the file turns to WAL"])
def test_an_upgrade_on_a_full_disk_says_so_and_leaves_the_file_as_it_was(tmp_path, monkeypatch, when):
    path, before = _upgrading_fixture(tmp_path)
    if when == "as the upgrade grows the file":
        room_for(monkeypatch, path.name)
    else:
        def connect(database, *args, **kwargs):
            if "mode=rw" in str(database) and kwargs.get("check_same_thread") is False:  # an engine's, not a backup's
                kwargs["factory"] = _FullAsItTurnsToWal
            return CONNECT(database, *args, **kwargs)

        monkeypatch.setattr(sqlite3, "connect", connect)

    with pytest.raises(DatabaseError) as full:
        open_database(path)
    monkeypatch.undo()

    assert full.value.message == (f"There is not enough free disk space in {tmp_path} for the upgrade of "
                                  "service.sqlite, so it was not made: service.sqlite is as it was.")
    assert full.value.advice.startswith("Free some space on that drive, then open it again")
    assert content(path) == before and integrity_problems(path) == []
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("refusal", ["a full disk", "a folder that cannot be written to"])
def test_an_upgrade_whose_backup_the_disk_refuses_says_the_backup_was_not_made_and_the_file_not_upgraded(
        tmp_path, monkeypatch, refusal):
    path, before = _upgrading_fixture(tmp_path)
    backups = tmp_path / "backups"
    if refusal == "a full disk":
        room_for(monkeypatch, "*.partial", pages=10)
    else:
        unlink = Path.unlink

        def connect(database, *args, **kwargs):
            if ".partial" in str(database):
                raise refused("unable to open database file", "SQLITE_CANTOPEN")
            return CONNECT(database, *args, **kwargs)

        def read_only(self, missing_ok=False):
            if self.parent == backups:
                raise OSError(errno.EROFS, "Read-only file system", str(self))
            return unlink(self, missing_ok=missing_ok)

        monkeypatch.setattr(sqlite3, "connect", connect)
        monkeypatch.setattr(Path, "unlink", read_only)

    with pytest.raises(DatabaseError) as refused_backup:
        open_database(path)
    monkeypatch.undo()

    outcome = "so service.sqlite was not upgraded: it is as it was."
    if refusal == "a full disk":
        assert refused_backup.value.message == (f"There is not enough free disk space in {backups} for the backup "
                                                 f"jointlead makes before upgrading service.sqlite, {outcome}")
        assert refused_backup.value.advice.startswith("Free some space on that drive, then open it again")
    else:
        assert refused_backup.value.message == ("The backup jointlead makes before upgrading service.sqlite could not "
                                                f"be written to {backups} (unable to open database file), {outcome}")
        assert refused_backup.value.advice == (f"Check that {backups} can be written to, then open service.sqlite "
                                               "again; or copy it somewhere you can write to and open the copy.")
    assert content(path) == before and leftovers(tmp_path) == []
    assert not path.with_name(path.name + ".lock").exists()
    open_database(path).close()  # with room again, it is backed up and upgraded


class _FullAsTheSchemaGoesIn(sqlite3.Cursor):
    def execute(self, sql, *args):
        if sql.lstrip().startswith("CREATE TABLE"):  # the migration's first table, after its first look at the file
            raise refused("disk I/O error", "SQLITE_IOERR_SHMSIZE")
        return super().execute(sql, *args)


class _LeavesItsLogOnAFullDisk(sqlite3.Connection):
    """A connection on a full disk, as SQLite leaves one: unable to grow the index (-shm) of its write-ahead log, it
    cannot checkpoint as it closes either, so its -wal and -shm stay beside the file."""

    left_open: ClassVar[list[sqlite3.Connection]] = []

    def cursor(self, factory=_FullAsTheSchemaGoesIn):
        return super().cursor(factory)

    def close(self):
        self.left_open.append(self)  # closed for real once the test has looked


def test_a_new_database_that_fills_the_disk_part_way_leaves_nothing_of_itself(tmp_path, monkeypatch):
    services = tmp_path / "services"
    services.mkdir()
    (services / "notes.txt").write_text("there before")
    target = services / "north" / "team.sqlite"

    def connect(database, *args, **kwargs):
        if target.name in str(database):
            kwargs["factory"] = _LeavesItsLogOnAFullDisk
        return CONNECT(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect)
    try:
        with pytest.raises(DatabaseError) as full:
            create_database(target)
        assert _LeavesItsLogOnAFullDisk.left_open, "the simulated disk never filled"
        left = sorted(str(p.relative_to(services)) for p in services.rglob("*"))
    finally:
        for connection in _LeavesItsLogOnAFullDisk.left_open:
            sqlite3.Connection.close(connection)
        _LeavesItsLogOnAFullDisk.left_open.clear()

    assert full.value.message == (f"There is not enough free disk space in {target.parent} for the new database "
                                  "team.sqlite, so it was not created.")
    assert left == ["notes.txt"]
    assert (services / "notes.txt").read_text() == "there before"


class _FullAsItCommits(sqlite3.Connection):
    def commit(self):
        raise refused("database or disk is full", "SQLITE_FULL")


class _DriveGoneAsItCommits(sqlite3.Connection):
    def commit(self):
        raise refused("disk I/O error", "SQLITE_IOERR_WRITE")


class _NoRoomForTheLogIndex(sqlite3.Cursor):
    def execute(self, sql, *args):
        if sql == "PRAGMA journal_mode=WAL":  # as the connection opens: its -shm cannot grow
            raise refused("disk I/O error", "SQLITE_IOERR_SHMSIZE")
        return super().execute(sql, *args)


class _FullAsItOpens(sqlite3.Connection):
    def cursor(self, factory=_NoRoomForTheLogIndex):
        return super().cursor(factory)


def _connections_to(monkeypatch: pytest.MonkeyPatch, path: Path, factory: type[sqlite3.Connection]) -> None:
    """Connections the open database makes from now on to `path` are of the kind `factory`."""

    def connect(database, *args, **kwargs):
        if path.name in str(database):
            kwargs["factory"] = factory
        return CONNECT(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect)


def _add_winter_plan(database) -> None:
    # Long enough to need pages the file does not have yet.
    actions.quick_add(database, "Agree the winter plan", None, date(2026, 12, 1), None,
                      detail="Beds, staffing and discharge across both partners. " * 200, today=date(2026, 11, 20))


NO_ROOM = ("There is no room left on the drive holding demo.sqlite: what you just did was not saved.",
           "Free some space, then do it again.")
# How the disk refuses a change (the connections it makes from then on, or None for a really full file), and what the
# user is told.
REFUSED_CHANGES = {
    "as the change grows the file": (None, NO_ROOM),
    "as the change is committed": (_FullAsItCommits, NO_ROOM),
    "as the connection opens": (_FullAsItOpens, NO_ROOM),
    "as the drive refuses the commit": (_DriveGoneAsItCommits, (
        "demo.sqlite could not be written to (disk I/O error): what you just did was not saved.",
        "Check that the drive holding it is still there and can be written to, then do it again.")),
}


@pytest.mark.parametrize("when", REFUSED_CHANGES)
def test_a_change_the_disk_refuses_is_said_plainly_and_saves_nothing(demo_db, monkeypatch, when):
    path = demo_db.path
    before = content(path)
    refusing, said = REFUSED_CHANGES[when]
    if refusing is None:
        room_for(monkeypatch, path.name)
    else:
        _connections_to(monkeypatch, path, refusing)

    with pytest.raises(DatabaseError) as refusal:
        _add_winter_plan(demo_db)
    monkeypatch.undo()

    assert (refusal.value.message, refusal.value.advice) == said
    assert content(path) == before
    _add_winter_plan(demo_db)  # with room again, the same change is saved
    with contextlib.closing(CONNECT(path)) as connection:
        added = connection.execute("SELECT count(*) FROM action WHERE title = 'Agree the winter plan'").fetchone()
    assert added == (1,)


def test_a_read_the_full_disk_refuses_is_said_plainly(demo_db, monkeypatch):
    _connections_to(monkeypatch, demo_db.path, _FullAsItOpens)

    with pytest.raises(DatabaseError) as refusal:
        actions.meetings(demo_db)
    monkeypatch.undo()

    assert (refusal.value.message, refusal.value.advice) == (
        "There is no room left on the drive holding demo.sqlite, so it could not be read just now.",
        "Free some space, then try again.")
    assert actions.meetings(demo_db)  # with room again, it reads


def test_a_copy_into_a_sub_folder_that_cannot_be_made_says_so(demo_db, tmp_path):
    (tmp_path / "a file").write_text("not a folder")
    target = tmp_path / "a file" / "moved" / "copy.sqlite"

    with pytest.raises(DatabaseError) as refusal:
        copying.copy_database(demo_db, target)

    assert refusal.value.message.startswith(f"The copy could not be written to {target.parent} (")
    assert refusal.value.message.endswith("), so nothing was copied.")
    assert refusal.value.advice == "Choose a folder you can write to."


def test_a_copy_onto_read_only_media_says_so(demo_db, tmp_path, monkeypatch):
    target = tmp_path / "stick" / "copy.sqlite"
    unlink = Path.unlink

    def connect(database, *args, **kwargs):
        if target.name in str(database):  # SQLite cannot open a new file on read-only media
            raise refused("unable to open database file", "SQLITE_CANTOPEN")
        return CONNECT(database, *args, **kwargs)

    def read_only(self, missing_ok=False):
        if self.parent == target.parent:  # nor remove one, even one that is not there
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(sqlite3, "connect", connect)
    monkeypatch.setattr(Path, "unlink", read_only)
    with pytest.raises(DatabaseError) as refusal:
        copying.copy_database(demo_db, target)

    assert refusal.value.message == (f"The copy could not be written to {target.parent} (unable to open database "
                                     "file), so nothing was copied.")
    assert refusal.value.advice == "Choose a folder you can write to."


def test_a_copy_that_fills_the_disk_says_so_and_leaves_nothing(demo_db, tmp_path, monkeypatch):
    target = tmp_path / "copies" / "copy.sqlite"
    room_for(monkeypatch, target.name, pages=40)

    with pytest.raises(DatabaseError) as full:
        copying.copy_database(demo_db, target)

    assert full.value.message == (f"There is not enough free disk space in {target.parent} for the copy, so nothing "
                                  "was copied.")
    assert list(target.parent.iterdir()) == []


def test_a_restore_over_a_file_another_program_holds_leaves_it_as_it_was_with_its_latest_changes(demo_db, tmp_path,
                                                                                                 monkeypatch):
    copy = files.save_copy(demo_db, tmp_path / "copy.sqlite")
    path = demo_db.path
    other_program = CONNECT(path)  # holding the file open, so the change below stays in its -wal
    other_program.execute("SELECT count(*) FROM person").fetchone()
    try:
        actions.quick_add(demo_db, "Agree the winter plan", None, date(2026, 12, 1), None, today=date(2026, 11, 20))
        demo_db.close()
        wal = path.with_name(path.name + "-wal")
        assert wal.stat().st_size > 0
        replace = Path.replace

        def held(self, target):
            if self.name.endswith(".restoring"):  # as Windows refuses to replace a file another program has open
                raise PermissionError(errno.EACCES, "The process cannot access the file because it is being used by "
                                      "another process", str(target))
            return replace(self, target)

        monkeypatch.setattr(Path, "replace", held)
        with pytest.raises(DatabaseError) as refusal:
            files.restore_backup(path, copy)
        monkeypatch.undo()
    finally:
        other_program.close()

    assert refusal.value.message.startswith(f"{path.name} could not be replaced (The process cannot access the file")
    assert refusal.value.message.endswith("so nothing was restored: it is as it was.")
    assert refusal.value.advice.startswith("Close any other program that has it open")
    assert leftovers(tmp_path) == [] and not list(tmp_path.glob("*.replaced"))
    open_database(path).close()  # usable
    with contextlib.closing(CONNECT(path)) as connection:
        added = connection.execute("SELECT count(*) FROM action WHERE title = 'Agree the winter plan'").fetchone()
    assert added == (1,)


def test_an_export_onto_read_only_media_says_why_it_was_not_saved(tmp_path, monkeypatch):
    cover = writing.Cover("Staff", "Northshire County Council (NCC)", "20 November 2026", "jsmith",
                          datetime(2026, 11, 20, 10, 0), "team.sqlite")
    workbook = writing.ExportWorkbook(cover)
    workbook.add_table("Staff", [writing.ExportColumn("Name")], [("Kim Osei",)])
    unlink = Path.unlink

    def read_only(file, mode="r", *args, **kwargs):
        if mode == "xb":
            raise OSError(errno.EROFS, "Read-only file system", str(file))
        return open(file, mode, *args, **kwargs)

    def cannot_remove(self, missing_ok=False):
        if self.parent == tmp_path:  # read-only media refuse even to remove a file that is not there
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(writing, "open", read_only, raising=False)
    monkeypatch.setattr(Path, "unlink", cannot_remove)
    with pytest.raises(writing.ExportNotSaved) as refusal:
        workbook.save(tmp_path / "staff.xlsx")

    assert (refusal.value.message, refusal.value.advice) == ("Could not save staff.xlsx: Read-only file system.",
                                                             "Choose another folder or drive.")
