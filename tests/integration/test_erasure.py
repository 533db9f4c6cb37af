"""Erasing a person for data protection leaves no trace of them in any table, any byte of the file, or the audit log
beyond one entry saying that a person was erased, and the rest of the service keeps working."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

import stored
from jointlead.cli import main
from jointlead.domain.calendar import format_day
from jointlead.domain.errors import JointleadError, ValidationError
from jointlead.services import actions, erasure, files, people, supervision
from jointlead.services.check import check
from jointlead.services.edits import undo_edit
from jointlead.services.overview import people as people_rows
from jointlead.services.picture import as_at_picture
from jointlead.store.database import create_database, open_database
from jointlead.store.models import AuditEntry, LedgerTransaction, Person
from jointlead.store.uow import UnitOfWork

TODAY = date(2026, 11, 20)  # the demo's today
EMPLOYER, NUMBER, NAME = "NFT", "23618365", "Emma White"  # leads 8, supervises 8, supervised, owns actions


def _dump(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return "\n".join(connection.iterdump())
    finally:
        connection.close()


def _give_her_a_history(database, person_id: int) -> dict[str, object]:
    """Audited gestures that name her in every way the app records: her details, a line, supervision she gave and
    received, an action she owns and then hands on, updates she wrote, a ledger row and a staff import naming her."""
    made: dict[str, object] = {}
    fields = people.person_fields(database, person_id)
    people.edit_person(database, person_id, replace(fields, job_title="Team manager (acting)"))
    report = next(r for r in people.person_panel(database, person_id, TODAY).managerial_reports)
    made["report"] = report.person_id
    supervision.record_session(database, report.person_id, supervision_type="managerial", supervisor_id=person_id,
                               session_date=date(2026, 11, 18), duration_minutes=60, today=TODAY)
    supervision.record_session(database, person_id, supervision_type="managerial", session_date=date(2026, 11, 17),
                               duration_minutes=60, today=TODAY)
    added = actions.quick_add(database, f"{NAME} to review the duty rota", person_id, date(2026, 12, 18),
                              today=TODAY)
    made["action_edit"] = added
    actions.add_update(database, added.action_id, f"Spoke to {NAME.upper()} about cover", author=NAME, today=TODAY)
    actions.edit_action(database, added.action_id, owner_id=report.person_id)
    kept = actions.quick_add(database, "Agree the winter plan", person_id, date(2026, 12, 1), today=TODAY)
    made["owned_action"] = kept.action_id
    with UnitOfWork(database) as uow:
        row = uow.session.scalars(select(LedgerTransaction).limit(1)).one()
        row.description = f"Agency cover for WHITE,  Emma ({NUMBER})"
        made["ledger_row"] = row.id
        # What a staff import records for its undo (see services.imports._write_staff).
        uow.audit("import_staff", "import_batch", None, {
            "file": (None, f"staff {NAME}.xlsx"), "added": (0, 1),
            "detail": (None, {"added": [person_id, report.person_id], "flagged": [person_id],
                              "changed": {str(person_id): {"grade": ["7", "8a"]}}})})
        uow.commit()
    return made


@pytest.fixture
def erased(demo_db):
    person_id = erasure.find_person(demo_db, EMPLOYER, NUMBER)
    with demo_db.session() as session:
        assert session.scalars(select(Person.full_name).where(Person.full_name == NAME)).all() == [NAME]
    made = _give_her_a_history(demo_db, person_id)
    preview = erasure.erasure_preview(demo_db, person_id, TODAY)
    report = erasure.erase_person(demo_db, person_id, reason=f"Erasure request ER-7 from {NAME}", today=TODAY)
    return demo_db, person_id, preview, report, made


def test_the_preview_says_what_erasing_her_will_do(erased):
    _database, person_id, preview, _report, _made = erased
    assert (preview.person_id, preview.full_name, preview.employer, preview.employee_number) == (
        person_id, NAME, EMPLOYER, NUMBER)
    assert preview.own_lines >= 1 and preview.reports and preview.supervising
    assert preview.arrangements >= 1 and preview.sessions >= 1 and preview.sessions_given >= 1
    assert preview.actions >= 1


def test_no_table_holds_her_name_number_or_id_after_erasure(erased):
    database, person_id, _preview, report, made = erased
    dump = stored.dump(database)
    for trace in (NAME, NUMBER, "WHITE,  Emma"):
        assert trace.lower() not in dump.lower(), trace
    references = [(fk.parent.table.name, fk.parent.name) for t in Person.metadata.sorted_tables
                  for fk in t.foreign_keys if fk.column.table.name == "person"]
    assert stored.scalar(database, "SELECT count(*) FROM person WHERE id = :id", id=person_id) == 0
    for table, column in references:
        assert stored.scalar(database, f"SELECT count(*) FROM {table} WHERE {column} = :id",
                             id=person_id) == 0, (table, column)
    entries = stored.rows(database, "SELECT verb, entity, entity_id, changes_json FROM audit_entry ORDER BY id")
    keys = {column for _table, column in references}
    for verb, entity, entity_id, changes_json in entries:
        assert not (entity == "person" and entity_id == person_id), verb
        changes = json.loads(changes_json)
        for key, value in changes.items():
            if key in keys:
                assert person_id not in value, (verb, key)
    erasures = [e for e in entries if e[0] == "erase person"]
    assert len(erasures) == 1
    assert json.loads(erasures[0][3]) == {"date": [None, TODAY.isoformat()],
                                          "reason": [None, "Erasure request ER-7 from [erased]"]}
    # What names her but is not hers is kept, without her.
    with database.session() as session:
        assert session.get(LedgerTransaction, made["ledger_row"]).description == "Agency cover for [erased] ([erased])"
    staff = next(json.loads(e[3]) for e in entries if e[0] == "import_staff")
    assert staff["detail"][1] == {"added": [made["report"]], "flagged": [], "changed": {}}
    assert staff["file"] == [None, "staff [erased].xlsx"]
    assert report.rows_removed_total > 0 and report.audit_entries_scrubbed > 0 and report.text_values_scrubbed > 0


@pytest.mark.sqlite_only  # the bytes of the file and its -wal; a server's storage is the server's
def test_the_file_itself_keeps_no_bytes_of_her(erased):
    database, _person_id, _preview, report, _made = erased
    path = database.path
    assert report.compaction is erasure.Compaction.DONE and report.compaction_note() == ""
    for file in (path, path.with_name(path.name + "-wal")):
        if file.exists():
            raw = file.read_bytes()
            assert NAME.encode() not in raw and NUMBER.encode() not in raw, file


@pytest.mark.sqlite_only  # SQLite's own checks of the file; a server enforces its foreign keys as it writes
def test_the_file_stays_sound(erased):
    database, *_rest = erased
    connection = sqlite3.connect(database.path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        connection.close()


def test_the_app_keeps_working(erased):
    database, person_id, _preview, report, made = erased
    picture = as_at_picture(database, TODAY)
    assert picture is not None
    assert compliance_rows(database)
    assert check(database, TODAY) is not None
    assert person_id not in {r.id for r in people_rows(database, TODAY)}
    # Her reports now show as having no lead of that kind.
    findings = people.people_findings(database, TODAY)
    lacking = {f.subject for f in findings if f.code in ("no-manager", "no-professional-line")}
    assert report.left_without_lead and f"person {made['report']}" in lacking
    with database.session() as session:
        assert session.get(Person, made["report"]) is not None


def compliance_rows(database):
    return supervision.compliance(database, TODAY, trend_months=1).rows


def test_erasure_is_not_undoable_and_neither_are_edits_that_involved_her(erased):
    database, _person_id, _preview, _report, made = erased
    with pytest.raises(JointleadError, match="erased"):
        undo_edit(database, made["action_edit"])
    with database.session() as session:
        assert session.scalar(select(AuditEntry.undoes_id).where(AuditEntry.undoes_id.is_not(None))) is None


def test_an_action_she_owned_stays_without_an_owner(erased):
    database, *_rest, made = erased
    detail = actions.action_detail(database, made["owned_action"], TODAY)
    assert detail is not None
    from jointlead.store.models import Action

    with database.session() as session:
        assert session.get(Action, made["owned_action"]).owner_id is None


def test_the_dashboards_snapshot_which_may_name_her_goes_too(demo_db, data_dir):
    snapshot = data_dir / "dashboard-snapshot.json"
    snapshot.write_text('{"dashboard": "as the window last closed, names and all"}', encoding="utf-8")
    person_id = erasure.find_person(demo_db, EMPLOYER, NUMBER)
    erasure.erase_person(demo_db, person_id, reason="Erasure request ER-7", today=TODAY)
    assert not snapshot.exists()


@pytest.mark.sqlite_only
def test_the_report_names_where_copies_made_before_still_hold_her(demo_db):
    beside = demo_db.path.parent
    saved = files.save_copy(demo_db, beside / f"{demo_db.path.stem} copy 2026-11-01.sqlite")  # as File > Save a copy
    (beside / "backups").mkdir(exist_ok=True)
    backup = files.save_copy(demo_db, beside / "backups" / f"{demo_db.path.stem} before-restore.sqlite")
    create_database(beside / "another service.sqlite").close()  # not a copy of this database
    person_id = erasure.find_person(demo_db, EMPLOYER, NUMBER)
    report = erasure.erase_person(demo_db, person_id, reason="Erasure request ER-7", today=TODAY)
    assert report.copies == (backup, saved)  # the saved copy was missed
    assert report.copies_notes() == (
        f"These 2 copies of the database, made before, still hold this person: {backup} and {saved}. Delete them, or "
        "keep them only as your organisation's retention rules allow; restoring one brings the person back.",)


@pytest.mark.sqlite_only
def test_copies_saved_anywhere_are_listed_while_they_are_still_there(demo_db, tmp_path):
    """A copy saved under a name of the user's choosing, or made by `jointlead backup`, was found by no one: only
    copies in the backups folder or named as File > Save a copy suggests were listed."""
    elsewhere = tmp_path / "usb stick"
    friday = files.save_copy(demo_db, elsewhere / "service on Friday.sqlite")
    nightly = files.back_up(demo_db.path, elsewhere / "nightly" / "jointlead.sqlite")  # while the window has it open
    deleted = files.save_copy(demo_db, elsewhere / "deleted since.sqlite")
    deleted.unlink()
    assert nightly.unrecorded == ""
    person_id = erasure.find_person(demo_db, EMPLOYER, NUMBER)
    preview = erasure.erasure_preview(demo_db, person_id, TODAY)
    assert preview.copies == (nightly.path, friday)  # only those still there
    assert str(friday) in preview.copies_notes()[0] and "retention rules" in preview.copies_notes()[0]
    report = erasure.erase_person(demo_db, person_id, reason="Erasure request ER-7", today=TODAY)
    assert report.copies == (nightly.path, friday)


@pytest.mark.sqlite_only
def test_recorded_copies_that_cannot_be_found_now_are_said_to_perhaps_hold_her(demo_db, tmp_path):
    """A copy on a USB stick since unplugged was left out without a word: it may hold her still. One deleted on
    purpose looks the same from here, so the words fit both."""
    unplugged = files.save_copy(demo_db, tmp_path / "usb" / "service.sqlite")
    there = files.save_copy(demo_db, tmp_path / "there.sqlite")
    unplugged.unlink()
    day = datetime.now(UTC).date()  # the audit log records when the copy was saved: now (UTC)
    person_id = erasure.find_person(demo_db, EMPLOYER, NUMBER)
    preview = erasure.erasure_preview(demo_db, person_id, TODAY)
    assert preview.copies == (there,)
    assert preview.copies_not_found == (erasure.RecordedCopy(unplugged, day),)
    note = (f"A copy of the database was saved to {unplugged} (recorded on {format_day(day)}) and cannot be found "
            "now. If it was deleted, nothing more is needed; if it is on a drive or shared folder not connected now, "
            "it may hold this person too: delete it, or keep it only as your organisation's retention rules allow.")
    assert preview.copies_notes() == (preview.copies_notes()[0], note)  # a paragraph of its own
    elsewhere = files.save_copy(demo_db, tmp_path / "share" / "service.sqlite")
    elsewhere.unlink()
    report = erasure.erase_person(demo_db, person_id, reason="Erasure request ER-7", today=TODAY)
    assert report.copies_not_found == tuple(erasure.RecordedCopy(p, day) for p in sorted((unplugged, elsewhere)))
    assert report.copies_notes()[1].startswith(
        f"These 2 copies of the database, recorded as saved, cannot be found now: {elsewhere} ({format_day(day)}) "
        f"and {unplugged} ({format_day(day)}). Any that was deleted needs nothing more;")


@pytest.mark.sqlite_only
def test_copies_made_after_a_backup_are_still_listed_once_it_is_restored(demo_path, tmp_path):
    """The restored audit log is the backup's, which knows nothing of the copies made after it."""
    database = open_database(demo_path)
    backup = files.save_copy(database, tmp_path / "backup.sqlite")
    later = files.save_copy(database, tmp_path / "later.sqlite")
    database.close()
    database = files.open_restored(files.restore_backup(demo_path, backup))
    try:
        person_id = erasure.find_person(database, EMPLOYER, NUMBER)
        copies = erasure.erasure_preview(database, person_id, TODAY).copies
    finally:
        database.close()
    kept = next((demo_path.parent / "backups").glob("demo-before-restore-*.sqlite"))
    assert copies == (backup, kept, later)


@pytest.mark.sqlite_only
def test_copies_made_after_she_was_erased_once_are_not_said_to_hold_her_when_a_restore_brought_her_back(demo_path,
                                                                                                       tmp_path):
    database = open_database(demo_path)
    before = files.save_copy(database, tmp_path / "before.sqlite")
    erasure.erase_person(database, erasure.find_person(database, EMPLOYER, NUMBER), reason="ER-7", today=TODAY)
    files.save_copy(database, tmp_path / "after.sqlite")
    database.close()
    database = files.open_restored(files.restore_backup(demo_path, before))  # she is back
    try:
        copies = erasure.erasure_preview(database, erasure.find_person(database, EMPLOYER, NUMBER), TODAY).copies
    finally:
        database.close()
    assert copies == (before,)  # not after.sqlite, nor the copy kept before restoring: both were made without her


def test_erasure_needs_a_reason_and_an_existing_person(demo_db):
    person_id = erasure.find_person(demo_db, EMPLOYER, NUMBER)
    with pytest.raises(ValidationError):
        erasure.erase_person(demo_db, person_id, reason="  ", today=TODAY)
    with pytest.raises(JointleadError):
        erasure.find_person(demo_db, EMPLOYER, "no such number")
    erasure.erase_person(demo_db, person_id, reason="request", today=TODAY)
    with pytest.raises(JointleadError, match="no longer recorded"):
        erasure.erase_person(demo_db, person_id, reason="request", today=TODAY)


def test_the_command_previews_without_yes_and_erases_with_it(demo_path, capsys):
    common = ["erase-person", "--db", str(demo_path), "--employer", EMPLOYER, "--employee-number", NUMBER,
              "--reason", "ER-7"]
    assert main(common) == 0  # a preview, as an import's --dry-run: nothing was rejected
    out = capsys.readouterr().out
    assert "cannot be undone" in out and "--yes" in out
    assert NAME.encode() in demo_path.read_bytes() or re.search(NAME, _dump(demo_path))
    assert main([*common, "--yes"]) == 0
    assert NAME not in _dump(demo_path)
    database = open_database(demo_path)
    try:
        with pytest.raises(JointleadError):
            erasure.find_person(database, EMPLOYER, NUMBER)
    finally:
        database.close()


def test_someone_with_two_lines_to_her_is_listed_once_with_both_kinds(demo_db):
    """Tom Mason leads Amara Ward both ways: she was listed twice, "Amara Ward (managerial), Amara Ward
    (professional)"."""
    person_id = erasure.find_person(demo_db, "NCC", "P124000")
    preview = erasure.erasure_preview(demo_db, person_id, TODAY)
    assert "Amara Ward (managerial and professional)" in preview.reports
    assert len({r.split(" (")[0] for r in preview.reports}) == len(preview.reports)
    report = erasure.erase_person(demo_db, person_id, reason="ER-7", today=TODAY)
    assert "Amara Ward (managerial and professional)" in report.left_without_lead


def test_an_unknown_employer_code_is_said_to_be_no_organisation_with_the_codes_there_are(demo_db):
    with pytest.raises(JointleadError) as unknown:
        erasure.find_person(demo_db, " xyz ", NUMBER)
    assert unknown.value.message == "XYZ is not the code of an organisation in this database."
    assert unknown.value.advice == "The codes are NCC and NFT."
    with pytest.raises(JointleadError, match="Nobody at NCC has the employee number 23618365"):
        erasure.find_person(demo_db, "NCC", NUMBER)


def test_the_commands_help_says_copies_still_hold_them_and_that_a_preview_exits_0(capsys):
    with pytest.raises(SystemExit):
        main(["erase-person", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "It cannot be undone. Copies of the database made before" in out and "still hold them" in out
    assert "(exit 0, as an import's --dry-run)" in out


@pytest.mark.parametrize("name", ["Łukasz Nowak", "Ömer Yılmaz", "Élodie Dubois"])
def test_a_name_beginning_with_a_letter_beyond_a_to_z_is_found_in_free_text_too(demo_db, name):
    # SQLite's lower() and LIKE fold only A to Z: a search for "łukasz" never found "Łukasz", so it stayed.
    edit = people.add_person(demo_db, people.PersonFields(full_name=name, employer="NFT", employee_number="99887766",
                                                          job_title="Staff nurse"), today=TODAY)
    person_id = people.added_person_id(demo_db, edit)
    added = actions.quick_add(demo_db, f"Induction plan for {name}", None, date(2026, 12, 18), today=TODAY)
    actions.add_update(demo_db, added.action_id, f"Met {name.upper()}, induction started", author="JGM", today=TODAY)
    report = erasure.erase_person(demo_db, person_id, reason="SAR-123", today=TODAY)
    assert report.text_values_scrubbed >= 2
    dump = stored.dump(demo_db)
    for part in name.split():
        assert part not in dump and part.upper() not in dump, part
