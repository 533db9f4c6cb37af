"""Erasing a person takes every name and number the audit log knew them by, never changes a code or a number in JSON
that happens to equal theirs, says plainly when the database still holds what was removed (a file another program has
open, a server), leaves no digest of their name in an exported tracker's record, and leaves a staff import that
involved them undoable for everyone else."""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import String, Text

import stored
from exchange import hostile
from jointlead.cli import main
from jointlead.exchange.action_tracker import fingerprint
from jointlead.services import actions, budget_setup, erasure, imports, people
from jointlead.services.action_tracker import EXPORT_VERB, export_action_tracker, preview_tracker_import
from jointlead.services.edits import ERASED, undo_edit
from jointlead.services.erasure import Compaction
from jointlead.store.database import open_database
from jointlead.store.models import Base, Organisation, Person
from jointlead.store.uow import UnitOfWork

TODAY = date(2026, 11, 20)  # the demo's today
EMPLOYER, NUMBER, NAME = "NFT", "23618365", "Emma White"
ON_POSTGRESQL = os.environ.get("JOINTLEAD_TEST_DATABASE", "sqlite").lower() == "postgresql"


def _her(database) -> int:
    return erasure.find_person(database, EMPLOYER, NUMBER)


def _erase(database, person_id: int) -> erasure.ErasureReport:
    return erasure.erase_person(database, person_id, reason="Erasure request ER-7", today=TODAY)


def test_every_text_column_is_listed_once_with_how_their_words_are_taken_out_of_it():
    listed = [(table, column) for kind in (erasure.WORDS, erasure.JSON_VALUES, erasure.CODES, erasure.NOT_AS_COLUMNS)
              for table, columns in kind.items() for column in columns]
    schema = [(table.name, column.name) for table in Base.metadata.sorted_tables for column in table.columns
              if isinstance(column.type, (String, Text))]
    assert sorted(listed) == sorted(schema)  # a text column added later is listed in one of them, or this fails


# --- names and numbers she had before ------------------------------------------------------------------------------

def test_the_names_and_numbers_she_had_before_go_too(demo_db):
    person_id = _her(demo_db)
    added = actions.quick_add(demo_db, f"{NAME} to review caseload", person_id, date(2026, 12, 20), today=TODAY)
    actions.add_update(demo_db, added.action_id, "Emma White to chase the audit; White, Emma agreed", today=TODAY)
    actions.add_update(demo_db, added.action_id, "Emma Whyte sent the rota, ref 12A3456E", today=TODAY)
    with UnitOfWork(demo_db) as uow:  # a staff list that corrected the spelling of her name, as imports records it
        uow.audit("import_staff", "import_batch", None, {"detail": (None, {
            "added": [], "flagged": [], "changed": {str(person_id): {"full_name": ["Emma Whyte", NAME]}}})})
        uow.commit()
    fields = people.person_fields(demo_db, person_id)
    people.edit_person(demo_db, person_id, replace(fields, registration_body="NMC", registration_number="12A3456E"),
                       today=TODAY)
    fields = people.person_fields(demo_db, person_id)  # she marries, and her number and registration change
    people.edit_person(demo_db, person_id, replace(fields, full_name="Zoë Ní Bhriain", employee_number="23618399",
                                                   registration_number="12B7654E"), today=TODAY)
    actions.add_update(demo_db, added.action_id, "ZOË NÍ BHRIAIN circulated the draft", today=TODAY)
    leads = stored.scalar(demo_db, "SELECT count(*) FROM person WHERE hr_supervisor_number = :n", n=NUMBER)
    assert leads  # the HR extract's supervisor number of others: her number then

    report = _erase(demo_db, person_id)

    dump = stored.dump(demo_db).lower()
    for trace in (NAME, "White, Emma", "Emma Whyte", "Bhriain", NUMBER, "23618399", "12A3456E", "12B7654E"):
        assert trace.lower() not in dump, trace
    assert ("person.hr_supervisor_number", leads) in report.references_cleared
    texts = [text for (text,) in stored.rows(demo_db, "SELECT text FROM action_update WHERE action_id = :a",
                                                 a=added.action_id)]
    assert "[erased] to chase the audit; [erased] agreed" in texts and "[erased] circulated the draft" in texts


# --- codes and numbers that equal hers -----------------------------------------------------------------------------

def _codes_and_json(database) -> dict[tuple, tuple]:
    """Every code and JSON value stored, by table and primary key."""
    held = {}
    for kind in (erasure.CODES, erasure.JSON_VALUES):
        for table, columns in kind.items():
            keys = [c.name for c in Base.metadata.tables[table].primary_key.columns]
            for row in stored.rows(database, f'SELECT {", ".join(keys + list(columns))} FROM "{table}"'):
                held[table, columns, row[:len(keys)]] = row[len(keys):]
    return held


# Her employee and registration numbers, each equal to a code or a number stored for something else.
EQUAL_TO = {
    "a ledger subjective and an amount in a closed month's figures": (
        "SELECT min(subjective) FROM ledger_transaction", "SELECT snapshot_json FROM period_close ORDER BY id"),
    "a ledger cost centre and the next action number setting": (
        "SELECT min(cost_centre) FROM ledger_transaction",
        "SELECT value FROM setting WHERE key = 'next_action_number'"),
    "a budget line's code and an organisation's code": (
        "SELECT min(code) FROM budget_line", "SELECT min(code) FROM organisation"),
}


@pytest.mark.parametrize("queries", EQUAL_TO.values(), ids=EQUAL_TO.keys())
def test_codes_and_numbers_in_json_equal_to_her_numbers_are_left_as_they_were(demo_db, queries):
    employee_number, registration_number = (stored.scalar(demo_db, sql) for sql in queries)
    if registration_number.startswith("{"):  # a number among the figures a close kept
        registration_number = str(next(iter(json.loads(registration_number)["lines"].values()))["budget_to_date"])
    edit = people.add_person(demo_db, people.PersonFields(
        full_name="Kim Osei", employer="NCC", employee_number=employee_number, job_title="Support worker",
        registration_body="HCPC", registration_number=registration_number, start_date=date(2024, 1, 1)),
        today=TODAY)
    person_id = people.added_person_id(demo_db, edit)
    before = _codes_and_json(demo_db)

    _erase(demo_db, person_id)

    after = _codes_and_json(demo_db)
    kept = after.keys() & before.keys()  # not the rows removed, nor the erasure's own audit entry
    assert {key: after[key] for key in kept} == {key: before[key] for key in kept}
    for (table, columns, _key), values in after.items():
        if columns == erasure.JSON_VALUES.get(table) and table != "setting":  # a setting may be words
            for value in values:
                assert value is None or json.loads(value) is not None


def test_a_code_equal_to_her_number_keeps_its_audit_entry_which_can_still_be_undone(demo_db):
    person_id = _her(demo_db)
    line_id = stored.scalar(demo_db, "SELECT min(id) FROM budget_line")
    mapped = budget_setup.add_ledger_mapping(demo_db, line_id, EMPLOYER, NUMBER)

    _erase(demo_db, person_id)

    assert stored.scalar(demo_db, "SELECT count(*) FROM ledger_mapping WHERE cost_centre = :n", n=NUMBER) == 1
    entry = stored.scalar(demo_db, "SELECT changes_json FROM audit_entry WHERE id = :id", id=mapped.entries[0])
    assert json.loads(entry)["cost_centre"] == [None, NUMBER]
    undo_edit(demo_db, mapped)  # a code is the finance system's: its change is not one that involved her
    assert stored.scalar(demo_db, "SELECT count(*) FROM ledger_mapping WHERE cost_centre = :n", n=NUMBER) == 0


# --- what the database itself still holds --------------------------------------------------------------------------

@pytest.mark.sqlite_only  # the bytes of the file and its -wal; a server's storage is the server's
def test_a_file_another_program_has_open_is_said_to_hold_her_until_it_closes_and_jointlead_opens_it(demo_path):
    database = open_database(demo_path)
    reader = sqlite3.connect(f"file:{demo_path}?mode=ro", uri=True, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM person").fetchall()  # reading as the file stood before the erasure
        report = _erase(database, _her(database))
        database.close()
        assert report.compaction is Compaction.IN_USE
        assert report.compaction_note().startswith("Another program has this database open, so the file could not "
                                                   "be compacted and what was removed is still in it.")
        assert NAME.encode() in demo_path.read_bytes()  # as the note says
    finally:
        reader.close()  # a program that only reads cannot clear the file out as it closes
    open_database(demo_path).close()  # "then open the database in jointlead again"
    for file in (demo_path, demo_path.with_name(demo_path.name + "-wal")):
        if file.exists():
            raw = file.read_bytes()
            assert NAME.encode() not in raw and NUMBER.encode() not in raw, file


@pytest.mark.sqlite_only
def test_the_command_says_so_too_and_never_that_it_was_overwritten_anyway(demo_path, capsys):
    reader = sqlite3.connect(demo_path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM person").fetchall()
        assert main(["erase-person", "--db", str(demo_path), "--employer", EMPLOYER, "--employee-number", NUMBER,
                     "--reason", "ER-7", "--yes"]) == 0
    finally:
        reader.close()
    out = capsys.readouterr().out
    assert "Another program has this database open" in out and "overwritten anyway" not in out


@pytest.mark.skipif(not ON_POSTGRESQL, reason="a shared server's storage (PostgreSQL variant)")
def test_on_a_server_the_report_says_its_storage_keeps_the_rows_until_it_is_vacuumed(demo_db):
    report = _erase(demo_db, _her(demo_db))
    assert report.compaction is Compaction.ON_SERVER
    assert {"person", "reporting_line", "audit_entry", "action"} <= set(report.tables_changed)
    note = report.compaction_note()
    assert note.startswith("This database is on a server, which keeps the removed rows in its storage, its "
                           "write-ahead log and its backups until it is vacuumed (VACUUM FULL ")
    assert ", ".join(report.tables_changed) in note and "ask whoever runs the server" in note


# --- an exported tracker's record ----------------------------------------------------------------------------------

def test_no_digest_of_her_words_stays_in_an_exported_trackers_record_and_the_tracker_still_reads(demo_db, tmp_path):
    person_id = _her(demo_db)
    title = f"{NAME} to review the duty rota"
    added = actions.quick_add(demo_db, title, person_id, date(2026, 12, 18), today=TODAY)
    actions.add_update(demo_db, added.action_id, f"Spoke to {NAME.upper()} about cover", author="JGM", today=TODAY)
    hers = export_action_tracker(demo_db, tmp_path / "hers.xlsx", owner=NAME, today=TODAY)
    organisations = export_action_tracker(demo_db, tmp_path / "nft.xlsx", organisation=EMPLOYER, today=TODAY)

    def registered() -> str:
        return " ".join(text for (text,) in stored.rows(
            demo_db, "SELECT changes_json FROM audit_entry WHERE verb = :verb", verb=EXPORT_VERB))

    digests = {fingerprint(NAME), fingerprint(title), fingerprint(f"Spoke to {NAME} about cover")}
    assert all(d in registered() for d in digests)  # as the export registered them
    _erase(demo_db, person_id)

    assert not [d for d in digests if d in registered()]
    assert fingerprint(f"{ERASED} to review the duty rota") in registered()
    for tracker in (hers, organisations):  # sent before the erasure, back after it
        preview = preview_tracker_import(demo_db, tracker.path, today=TODAY)
        assert preview.problems == () and not [c for c in preview.changes if c.title == title]
        assert any("the owner was changed in the workbook" in notice for notice in preview.notices)


# --- a staff import that involved her ------------------------------------------------------------------------------

def test_a_staff_import_that_started_lines_to_and_from_her_can_still_be_undone_for_the_others(empty_db, tmp_path):
    with UnitOfWork(empty_db) as uow:
        nft = Organisation(code="NFT", name="Northshire NHS FT", kind="NHS trust")
        uow.session.add(nft)
        uow.session.flush()
        uow.session.add_all([Person(full_name=name, employer_id=nft.id, employee_number=number, profession="nurse",
                                    start_date=date(2015, 1, 1))
                             for name, number in (("Priya Shah", "N001"), ("Tom Okafor", "N002"),
                                                  ("Lee Grant", "N003"), (NAME, "N004"))])
        uow.commit()
    staff = hostile.write_xlsx(tmp_path / "staff.xlsx", {"ESR": [
        ["ESR staff in post"], ["Assignment Number", "Full Name", "Profession", "Line Manager", "Professional Lead"],
        ["N001", "Priya Shah", "nurse", None, None],
        ["N002", "Tom Okafor", "nurse", "N004", None],  # a line to her
        ["N003", "Lee Grant", "nurse", "N001", None],  # someone else's
        ["N004", NAME, "nurse", "N001", None],  # her own
    ]})
    imports.apply_import(empty_db, imports.preview_staff_import(empty_db, staff, EMPLOYER, today=TODAY))
    assert stored.scalar(empty_db, "SELECT count(*) FROM reporting_line") == 3
    batch = stored.scalar(empty_db, "SELECT max(id) FROM import_batch")

    _erase(empty_db, erasure.find_person(empty_db, EMPLOYER, "N004"))

    imports.undo_import(empty_db, batch)
    assert stored.scalar(empty_db, "SELECT count(*) FROM reporting_line") == 0
    assert sorted(n for (n,) in stored.rows(empty_db, "SELECT full_name FROM person")) == [
        "Lee Grant", "Priya Shah", "Tom Okafor"]
