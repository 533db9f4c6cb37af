"""Backup and restore: a copy restored is the data as it was, byte for byte in content, and nothing is lost; what
restoring undoes of an erasure is said before and recorded after; a database open elsewhere is not restored over."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from jointlead.cli import main
from jointlead.domain.errors import JointleadError
from jointlead.services import actions, erasure, files
from jointlead.store.backup import integrity_problems
from jointlead.store.database import open_database
from jointlead.store.errors import DatabaseInUse
from jointlead.store.models import AuditEntry

TODAY = date(2026, 11, 20)  # the demo's today
EMPLOYER, NUMBER, NAME = "NFT", "23618365", "Emma White"
FIXTURES = Path(__file__).parents[1] / "fixtures"


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

    kept = files.restore_backup(path, copy).kept
    assert content(path) == taken  # the round trip is identical
    assert kept is not None and content(kept) == changed  # and what it replaced is kept, not lost
    assert integrity_problems(path) == [] and content(copy) == taken  # the backup itself is left as it was
    files.open_existing(path).close()


@pytest.mark.sqlite_only  # restoring over the file
def test_a_damaged_database_is_kept_as_it_is_and_restored_over(demo_db, tmp_path):
    copy = files.save_copy(demo_db, tmp_path / "copy.sqlite")
    path = demo_db.path
    demo_db.close()
    connection = sqlite3.connect(path)
    audit_log = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'audit_entry'").fetchone()[0]
    page = connection.execute("PRAGMA page_size").fetchone()[0]
    connection.close()
    data = bytearray(path.read_bytes())
    for offset in [*range(3 * 4096, 6 * 4096, 97), (audit_log - 1) * page]:  # damage no verified copy can be made of
        data[offset:offset + 3] = b"\xff\x00\x13"
    path.write_bytes(bytes(data))
    assert integrity_problems(path) != []

    restored = files.restore_backup(path, copy)
    kept = restored.kept
    assert content(path) == content(copy) and integrity_problems(path) == []
    assert restored.preview.undone is None  # what it undid cannot be read from a damaged file, and is said so
    assert restored.preview.erasures_warning().startswith("Which people have been erased from demo.sqlite cannot be "
                                                          "read, as it is damaged.")
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


def _erase_her(database, reason: str = "Erasure request ER-7") -> None:
    erasure.erase_person(database, erasure.find_person(database, EMPLOYER, NUMBER), reason=reason, today=TODAY)


@pytest.mark.sqlite_only  # restoring over the file
def test_restoring_a_copy_made_before_an_erasure_says_it_brings_the_person_back_and_records_it(demo_db, tmp_path):
    before = files.save_copy(demo_db, tmp_path / "before.sqlite")
    _erase_her(demo_db)
    after = files.save_copy(demo_db, tmp_path / "after.sqlite")
    path = demo_db.path
    demo_db.close()

    assert files.restore_preview(path, after).undone == ()
    assert files.restore_preview(path, after).erasures_warning() == ""
    preview = files.restore_preview(path, before)
    assert [(e.on, e.reason) for e in preview.undone] == [(TODAY, "Erasure request ER-7")]
    assert preview.erasures_warning() == (
        "This copy was made before a person was erased from demo.sqlite on 20 November 2026 (reason: Erasure request "
        "ER-7). Restoring it brings back their records as they were when the copy was made. After restoring, erase "
        "them again: jointlead keeps no names of people erased, so use your own record of that request to find who.")

    database = files.open_restored(files.restore_backup(path, before))
    try:
        erasure.find_person(database, EMPLOYER, NUMBER)  # back, as the question said
        with database.session() as session:
            entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    finally:
        database.close()
    changes = json.loads(entry.changes_json)
    assert entry.verb == files.RESTORE_VERB
    assert changes["backup"] == [None, str(before.resolve())]
    assert changes["erasures_undone"] == [None, [{"on": "2026-11-20", "reason": "Erasure request ER-7"}]]
    assert NAME not in entry.changes_json and NUMBER not in entry.changes_json


@pytest.mark.sqlite_only  # reading a file
def test_a_backup_from_an_older_version_is_read_before_restoring_without_being_upgraded(demo_path, tmp_path):
    old = tmp_path / "old" / "old.sqlite"
    old.parent.mkdir()
    shutil.copy(FIXTURES / "schema-0001.sqlite", old)
    before = old.read_bytes()
    preview = files.restore_preview(demo_path, old)
    assert preview.undone == () and old.read_bytes() == before
    assert sorted(p.name for p in old.parent.iterdir()) == ["old.sqlite"]  # no upgrade, no copy before one


def test_a_copy_of_a_database_from_an_older_version_says_it_is_not_recorded_in_it(tmp_path):
    old = tmp_path / "old.sqlite"
    shutil.copy(FIXTURES / "schema-0003.sqlite", old)
    before = old.read_bytes()
    saved = files.back_up(old, tmp_path / "copy.sqlite")
    assert old.read_bytes() == before and saved.path.exists()
    assert saved.unrecorded == ("old.sqlite is from an older version of jointlead and was copied as it is, so this "
                                "copy is not recorded in it: erasing someone from it later will not list this copy as "
                                "still holding them.")


@pytest.mark.sqlite_only  # the file's in-use lock
def test_a_backup_is_not_restored_over_a_database_another_window_has_open(demo_path, tmp_path):
    database = open_database(demo_path)
    copy = files.save_copy(database, tmp_path / "copy.sqlite")
    actions.quick_add(database, "Agree the winter plan", None, date(2026, 12, 1), None, today=TODAY)
    before = content(demo_path)
    try:
        with pytest.raises(DatabaseInUse) as refused:
            files.restore_backup(demo_path, copy)  # the other window would carry on writing to the file replaced
        assert content(demo_path) == before
    finally:
        database.close()
    assert refused.value.message == ("demo.sqlite is open in another jointlead window, so the backup was not "
                                     "restored: it is as it was.")
    assert not (demo_path.parent / "backups").exists()
    files.restore_backup(demo_path, copy)  # once it is closed there
    assert content(demo_path) == content(copy)


@pytest.mark.sqlite_only  # restoring over the file
def test_the_restore_command_says_what_it_would_undo_and_restores_only_with_yes(demo_db, tmp_path, capsys):
    before = files.save_copy(demo_db, tmp_path / "before.sqlite")
    _erase_her(demo_db, "SAR-12")
    path = demo_db.path
    demo_db.close()
    command = ["restore", "--db", str(path), "--from", str(before)]

    assert main(command) == 0  # a preview: nothing rejected
    out = capsys.readouterr().out
    assert "Would replace everything in demo.sqlite" in out and "--yes" in out
    assert "Its latest change was on " in out  # in this computer's time
    assert "open in a jointlead window now" not in out
    assert "made before a person was erased from demo.sqlite on 20 November 2026 (reason: SAR-12)" in out
    assert NAME not in content(path)[0] and not (path.parent / "backups").exists()  # nothing changed

    window = open_database(path)
    try:
        assert main(command) == 0
        assert "demo.sqlite is open in a jointlead window now: close it there first" in capsys.readouterr().out
        assert main([*command, "--yes"]) == 1
        assert "open in another jointlead window, so the backup was not restored" in capsys.readouterr().err
    finally:
        window.close()

    assert main([*command, "--yes"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Restored before.sqlite over demo.sqlite; the data it replaced is kept at ")
    assert "After restoring, erase them again" in out
