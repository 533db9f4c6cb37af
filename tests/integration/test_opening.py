"""Opening a database: every way it can go wrong gets a clear message, and nothing is changed."""

from __future__ import annotations

import os
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from jointlead.services.actions import create_meeting
from jointlead.store import database as database_module
from jointlead.store import in_use
from jointlead.store.backup import backup_database
from jointlead.store.database import READ_ONLY_NOTE, create_database, open_database
from jointlead.store.errors import (
    DatabaseDamaged,
    DatabaseError,
    DatabaseInUse,
    DatabaseMissing,
    NotAJointleadDatabase,
    ReadOnlyDatabase,
)
from jointlead.store.location import NETWORK_WARNING, SYNCED_WARNING, location_warnings
from jointlead.store.models import Organisation
from jointlead.store.uow import UnitOfWork


def test_a_missing_file_says_where_it_looked_and_what_to_do(tmp_path):
    with pytest.raises(DatabaseMissing) as missing:
        open_database(tmp_path / "nowhere.sqlite")
    assert "nowhere.sqlite" in missing.value.message
    assert "File > New" in missing.value.advice
    assert not (tmp_path / "nowhere.sqlite").exists()


@pytest.mark.parametrize("content", [b"", b"Cost centre,Amount\nC100,12.50\n", b"PK\x03\x04 not a database"])
def test_a_file_that_is_not_a_database_is_refused(tmp_path, content):
    path = tmp_path / "ledger.sqlite"
    path.write_bytes(content)
    with pytest.raises(NotAJointleadDatabase, match="is not a jointlead database"):
        open_database(path)
    assert path.read_bytes() == content


def test_a_database_of_another_program_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    connection.close()
    with pytest.raises(NotAJointleadDatabase, match="not one of jointlead's"):
        open_database(path)


def test_a_database_open_in_another_jointlead_is_refused(tmp_path):
    first = create_database(tmp_path / "shared.sqlite")
    try:
        with pytest.raises(DatabaseInUse, match="already open in another jointlead window"):
            open_database(tmp_path / "shared.sqlite")
    finally:
        first.close()
    open_database(tmp_path / "shared.sqlite").close()  # free again once the first window closes


def test_a_window_opening_just_as_another_closes_holds_the_only_lock(tmp_path, monkeypatch):
    """The window closing removes its lock file: one that opened that file just before, and locked it once it was
    free, must lock the file named now, or a third window would lock a new one and all three be open at once."""
    path = tmp_path / "shared.sqlite"
    first = create_database(path)
    lock_now = in_use._lock_exclusively

    def first_closes_then_lock(handle):
        if not first_closes_then_lock.closed:
            first_closes_then_lock.closed = True
            first.close()  # between the second window's opening the lock file and its locking it
        return lock_now(handle)

    first_closes_then_lock.closed = False
    monkeypatch.setattr(in_use, "_lock_exclusively", first_closes_then_lock)
    second = open_database(path)
    try:
        with pytest.raises(DatabaseInUse):
            open_database(path)
    finally:
        second.close()


def test_a_database_in_a_read_only_place_opens_read_only_and_refuses_changes(tmp_path, monkeypatch):
    path = tmp_path / "readonly.sqlite"
    create_database(path).close()
    path.chmod(0o444)
    # Tests may run as root, which can write anywhere; ask the question the way an ordinary user would get it.
    monkeypatch.setattr(database_module.os, "access", lambda p, mode: mode != os.W_OK)
    database = open_database(path)
    try:
        assert database.read_only
        assert database.warnings[0] == READ_ONLY_NOTE
        with UnitOfWork(database) as uow:
            uow.session.add(Organisation(code="NFT", name="Trust", kind="NHS trust"))
            with pytest.raises(ReadOnlyDatabase):
                uow.commit()
    finally:
        database.close()
    assert not Path(str(path) + "-wal").exists()


@pytest.mark.parametrize("with_index", [True, False])
def test_a_copy_on_read_only_media_is_read_with_the_changes_still_in_its_wal_or_not_opened(tmp_path, monkeypatch,
                                                                                           with_index):
    path = tmp_path / "work.sqlite"
    create_database(path).close()
    database = open_database(path)
    holder = sqlite3.connect(path)  # the window still has the file open (or crashed): the change stays in the -wal
    holder.execute("SELECT count(*) FROM meeting").fetchone()
    create_meeting(database, "Added just before the crash", date(2026, 11, 20), today=date(2026, 11, 22))
    copy = tmp_path / "stick"
    copy.mkdir()
    for suffix in ("", "-wal", *(("-shm",) if with_index else ())):
        (copy / f"work.sqlite{suffix}").write_bytes(Path(f"{path}{suffix}").read_bytes())
    holder.close()
    database.close()
    assert (copy / "work.sqlite-wal").stat().st_size > 0
    monkeypatch.setattr(database_module.os, "access", lambda p, mode: mode != os.W_OK)
    if not with_index:  # SQLite cannot read the -wal here: said, rather than showing the file without the change
        with pytest.raises(ReadOnlyDatabase, match=r"has saved changes still in the file beside it, work\.sqlite-wal"):
            open_database(copy / "work.sqlite")
        return
    opened = open_database(copy / "work.sqlite")
    try:
        assert opened.read_only
        with opened.session() as session:
            assert session.execute(text("SELECT name FROM meeting")).scalars().all() == ["Added just before the crash"]
    finally:
        opened.close()


def test_a_change_that_writes_before_its_commit_is_refused_plainly_on_a_read_only_database(tmp_path, monkeypatch):
    # A new record is written (flushed, to have its number) well before the commit's check: SQLite refuses the write
    # itself, which had reached the user as an unexpected error.
    path = tmp_path / "readonly.sqlite"
    create_database(path).close()
    monkeypatch.setattr(database_module.os, "access", lambda p, mode: mode != os.W_OK)
    database = open_database(path)
    try:
        with pytest.raises(ReadOnlyDatabase, match="open read-only, so the change was not saved") as refused:
            create_meeting(database, "Partnership board", date(2026, 11, 20), today=date(2026, 11, 22))
        assert "Copy the file" in refused.value.advice
    finally:
        database.close()


def test_a_file_made_read_only_while_open_refuses_a_change_plainly(tmp_path):
    path = tmp_path / "becomes-readonly.sqlite"
    database = create_database(path)
    try:
        # As SQLite says when the file or its folder can no longer be written (here, short of a real chmod, which
        # the root account these tests may run as would ignore).
        with database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA query_only=ON")
            with pytest.raises(ReadOnlyDatabase, match="cannot be written to just now"):
                connection.exec_driver_sql("CREATE TABLE t (x)")
    finally:
        database.close()


def test_a_damaged_database_is_refused_with_where_the_backups_are(tmp_path):
    path = tmp_path / "damaged.sqlite"
    create_database(path).close()
    data = bytearray(path.read_bytes())
    for offset in range(4096, len(data), 4096):  # scribble over the first bytes of every page after the header
        data[offset:offset + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseDamaged, match="is damaged") as damaged:
        open_database(path)
    assert damaged.value.advice == "Restore the latest copy you have of it from your own backups."
    (tmp_path / "backups").mkdir()
    with pytest.raises(DatabaseDamaged) as damaged:
        open_database(path)
    assert damaged.value.advice == (f"Restore the latest copy from {tmp_path / 'backups'} (File > Restore a backup…) "
                                    "or from your own backups.")


def test_a_database_with_hundreds_of_problems_is_called_damaged_in_one_line(tmp_path, demo_path):
    """SQLite's check reports each problem on a line of its own ("Page 412 is never used"): said whole, the message
    was a hundred lines long."""
    path = tmp_path / "damaged.sqlite"
    connection = sqlite3.connect(demo_path)
    try:  # the ledger's root page, wherever the demo's layout puts it: wiped, each page under it is never used
        root, size = (connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'ledger_transaction'")
                      .fetchone()[0], connection.execute("PRAGMA page_size").fetchone()[0])
    finally:
        connection.close()
    data = bytearray(demo_path.read_bytes())
    data[(root - 1) * size:root * size] = b"\x00" * size
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseDamaged) as damaged:
        open_database(path)
    assert "\n" not in damaged.value.message and len(damaged.value.message) < 300
    assert re.fullmatch(r"damaged\.sqlite is damaged \(.+, and [\d,]+ more problems SQLite's check found\), so it was "
                        r"not opened\.", damaged.value.message)


def test_a_damaged_database_from_an_older_version_is_called_damaged_not_a_failed_backup(tmp_path):
    path = tmp_path / "old.sqlite"
    path.write_bytes((Path(__file__).parent.parent / "fixtures" / "schema-0006.sqlite").read_bytes())
    data = bytearray(path.read_bytes())
    for offset in range(3 * 4096, 6 * 4096, 97):  # the tables' pages, past the schema the revision is read from
        data[offset:offset + 3] = b"\xff\x00\x13"
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseDamaged, match=r"old\.sqlite is damaged \(.*\), so no copy of it was made") as damaged:
        open_database(path)
    assert "backups" in damaged.value.advice and "\n" not in damaged.value.message
    assert path.read_bytes() == bytes(data)


def test_network_drives_are_warned_about():
    mounts = [("/", "ext4"), ("/mnt/shared", "cifs")]
    assert location_warnings(Path("/mnt/shared/team/j.sqlite"), platform="linux", environ={}, mounts=mounts) == [
        NETWORK_WARNING]
    assert location_warnings(Path("/home/sam/j.sqlite"), platform="linux", environ={}, mounts=mounts) == []
    assert location_warnings(Path(r"\\fileserver\team\j.sqlite"), platform="win32", environ={}) == [NETWORK_WARNING]


def test_onedrive_and_sharepoint_folders_are_warned_about():
    environ = {"OneDriveCommercial": r"C:\Users\sam\OneDrive - Northshire NHS FT"}
    synced = Path(r"C:\Users\sam\OneDrive - Northshire NHS FT\Documents\j.sqlite")
    assert SYNCED_WARNING in location_warnings(synced, platform="win32", environ=environ)
    sharepoint = Path("/home/sam/SharePoint/Team Site/j.sqlite")
    assert location_warnings(sharepoint, platform="linux", environ={}, mounts=[]) == [SYNCED_WARNING]


def test_a_sharepoint_library_synced_under_the_organisations_name_is_warned_about():
    environ = {"OneDriveCommercial": r"C:\Users\sam\OneDrive - Northshire NHS FT"}
    library = Path(r"C:\Users\sam\Northshire NHS FT\Joint Service - Documents\j.sqlite")  # neither word in it
    assert location_warnings(library, platform="win32", environ=environ, sync_roots=[]) == [SYNCED_WARNING]
    registered = [r"D:\Sync\Board Papers"]  # wherever a sync client told Windows it keeps a folder
    assert location_warnings(Path(r"d:\sync\board papers\j.sqlite"), platform="win32", environ={},
                             sync_roots=registered) == [SYNCED_WARNING]
    for local in (r"C:\Users\sam\Northshire NHS FT work\j.sqlite", r"D:\Sync\Board Papers old\j.sqlite",
                  r"C:\Users\sam\AppData\Local\jointlead\j.sqlite"):
        assert location_warnings(Path(local), platform="win32", environ=environ, sync_roots=registered) == []


def test_a_database_cannot_be_made_where_nothing_can_be_written_and_says_so(tmp_path):
    (tmp_path / "a file").write_text("not a folder")
    with pytest.raises(DatabaseError) as refused:
        create_database(tmp_path / "a file" / "service.sqlite")
    assert refused.value.message.startswith(f"service.sqlite could not be created in {tmp_path / 'a file'} (")
    assert refused.value.advice == "Choose a folder you can write to, such as one in your Documents."


def test_a_copy_that_cannot_be_written_where_asked_says_so(tmp_path):
    create_database(tmp_path / "service.sqlite").close()
    (tmp_path / "a file").write_text("not a folder")
    with pytest.raises(DatabaseError) as refused:
        backup_database(tmp_path / "service.sqlite", tmp_path / "a file" / "copy.sqlite")
    assert refused.value.message.startswith(f"The copy could not be written to {tmp_path / 'a file'} (")
    assert refused.value.message.endswith("), so no copy was made.")


def test_a_command_that_only_reads_opens_a_database_a_window_has_open(tmp_path):
    window = create_database(tmp_path / "service.sqlite")
    try:
        with pytest.raises(DatabaseInUse):
            open_database(tmp_path / "service.sqlite")
        reading = open_database(tmp_path / "service.sqlite", only_reading=True)
        assert reading.revision == window.revision
        reading.close()
        with pytest.raises(DatabaseInUse):  # closing the reader did not take the window's lock away
            open_database(tmp_path / "service.sqlite")
    finally:
        window.close()
