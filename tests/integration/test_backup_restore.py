"""Backup and restore: a copy restored is the data as it was, byte for byte in content, and nothing is lost."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from jointlead.domain.errors import JointleadError
from jointlead.services import actions, files
from jointlead.store.backup import integrity_problems


def content(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


@pytest.mark.sqlite_only  # copies of the file; a server's backups are the server's
def test_a_backup_restored_holds_exactly_the_data_it_was_taken_with(demo_db, tmp_path):
    copy = files.save_copy(demo_db, tmp_path / "copy.sqlite")
    taken = content(copy)
    actions.quick_add(demo_db, "Agree the winter plan", None, date(2026, 12, 1), None, today=date(2026, 11, 20))
    path = demo_db.path
    demo_db.close()
    changed = content(path)
    assert changed != taken

    kept = files.restore_backup(path, copy)
    assert content(path) == taken  # the round trip is identical
    assert kept is not None and content(kept) == changed  # and what it replaced is kept, not lost
    assert integrity_problems(path) == [] and content(copy) == taken  # the backup itself is left as it was
    files.open_existing(path).close()


@pytest.mark.sqlite_only  # restoring over the file
def test_a_damaged_database_is_kept_as_it_is_and_restored_over(demo_db, tmp_path):
    copy = files.save_copy(demo_db, tmp_path / "copy.sqlite")
    path = demo_db.path
    demo_db.close()
    data = bytearray(path.read_bytes())
    for offset in range(3 * 4096, 6 * 4096, 97):  # damage no verified copy can be made of
        data[offset:offset + 3] = b"\xff\x00\x13"
    path.write_bytes(bytes(data))
    assert integrity_problems(path) != []

    kept = files.restore_backup(path, copy)
    assert content(path) == content(copy) and integrity_problems(path) == []
    assert kept is not None and "before-restore-damaged" in kept.name and kept.read_bytes() == bytes(data)


@pytest.mark.sqlite_only  # restoring over the file
@pytest.mark.parametrize("kind", ["text", "not jointlead", "itself", "missing", "newer"])
def test_what_is_not_a_backup_is_refused_and_nothing_changes(demo_db, tmp_path, kind):
    path = demo_db.path
    demo_db.close()
    before = content(path)
    backup = {"text": tmp_path / "notes.sqlite", "not jointlead": tmp_path / "other.sqlite", "itself": path,
              "missing": tmp_path / "gone.sqlite", "newer": tmp_path / "newer.sqlite"}[kind]
    if kind == "newer":  # restored, a newer version's copy could not be opened, leaving the window with nothing
        connection = sqlite3.connect(backup)
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO alembic_version VALUES ('9999')")
        connection.commit()
        connection.close()
    if kind == "text":
        backup.write_text("Cost centre,Amount\n")
    if kind == "not jointlead":
        sqlite3.connect(backup).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(JointleadError) as refused:
        files.restore_backup(path, backup)
    assert "restored" in refused.value.message or "backup" in refused.value.message
    assert content(path) == before
    assert not (path.parent / "backups").exists() or not list((path.parent / "backups").glob("*before-restore*"))
