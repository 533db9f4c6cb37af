"""Importing a supervision tracker: a messy sheet read past its titles, people found by number or name, every
problem reported by row, all or nothing, re-importing adds nothing, undo, and the command line's exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, time
from pathlib import Path

import pytest

import stored
from exchange import hostile
from jointlead.exchange.problems import FileRefused
from jointlead.services import imports
from jointlead.store.models import Organisation, Person, SupervisionArrangement
from jointlead.store.uow import UnitOfWork

TODAY = date(2026, 11, 20)


@pytest.fixture
def team(empty_db):
    """Priya (NFT nurse) supervises Tom; Dana (NCC) has a managerial arrangement with Priya; two Sam Wards."""
    with UnitOfWork(empty_db) as uow:
        nft = Organisation(code="NFT", name="Northshire NHS FT", kind="NHS trust")
        ncc = Organisation(code="NCC", name="Northshire County Council", kind="county council")
        uow.session.add_all([nft, ncc])
        uow.session.flush()
        priya = Person(full_name="Priya Shah", employer_id=nft.id, employee_number="N001", profession="nurse",
                       start_date=date(2015, 1, 1))
        tom = Person(full_name="Tom Okafor", employer_id=nft.id, employee_number="N002", profession="nurse",
                     start_date=date(2026, 9, 1))
        dana = Person(full_name="Dana Cole", employer_id=ncc.id, employee_number="C001",
                      profession="social worker", start_date=date(2012, 1, 1))
        sams = [Person(full_name="Sam Ward", employer_id=org.id, employee_number=number, start_date=date(2019, 1, 1))
                for org, number in ((nft, "N003"), (ncc, "C002"))]
        uow.session.add_all([priya, tom, dana, *sams])
        uow.session.flush()
        uow.session.add(SupervisionArrangement(supervisee_id=dana.id, supervisor_id=priya.id,
                                               supervision_type="managerial", start_date=date(2020, 1, 1)))
        uow.commit()
    return empty_db


HEADER = ["Staff name", "Supervisor", "Supervision type", "Date of supervision", "Length", "Outcome"]


def tracker(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    return hostile.write_xlsx(path, {"Tracker": [["North CMHT supervision tracker"], ["Kept by the team manager"],
                                                 [], header, *rows]})


def messy(path: Path) -> Path:
    return tracker(path, [
        ["Tom Okafor", "Priya Shah", "Clinical supervision", date(2026, 10, 2), 60, None],
        ["tom  okafor", "N001", "1:1", "16/10/2026", "1h30", "Held"],
        ["Dana Cole", None, "Managerial", date(2026, 10, 5), "45 mins", "DNA"],
        [],
        ["Sam Ward", "Priya Shah", "Clinical", date(2026, 10, 6), 60, "Held"],  # two Sam Wards
        ["Tom Okafor", "Priya Shah", "Clinical", "31/09/2026", 60, "Held"],  # no 31 September
        ["Tom Okafor", "Priya Shah", "Clinical", date(2026, 8, 20), 60, "Held"],  # before Tom started
        ["Tom Okafor", "Priya Shah", "Clinical", date(2026, 12, 1), 60, "Held"],  # in the future
        ["Total", None, None, None, None, None],
    ])


def sessions(database) -> list[tuple]:
    """(supervisee, type, day as ISO text, supervisor, minutes, status) of every session, in date order."""
    return [(supervisee, kind, str(day), *rest) for supervisee, kind, day, *rest in stored.rows(
        database, "SELECT p.full_name, s.supervision_type, s.session_date, q.full_name, s.duration_minutes, s.status "
                  "FROM supervision_session s JOIN person p ON p.id = s.supervisee_id "
                  "LEFT JOIN person q ON q.id = s.supervisor_id ORDER BY s.session_date, p.full_name")]


def preview(database, path: Path, **options):
    return imports.preview_supervision_import(database, path, today=TODAY, **options)


def test_a_messy_tracker_is_read_past_its_titles_and_every_problem_is_reported_by_row(team, tmp_path):
    found = preview(team, messy(tmp_path / "t.xlsx"))
    assert (found.sheet, found.header_row, found.rows_read, found.accepted) == ("Tracker", 4, 7, 3)
    assert [(c.reference, c.subject, c.detail) for c in found.added] == [
        ("Tracker!5:5", "Tom Okafor · professional · 02/10/2026", "held, with Priya Shah, 60 min"),
        ("Tracker!6:6", "Tom Okafor · managerial · 16/10/2026", "held, with Priya Shah, 90 min"),
        # No supervisor named: the one arranged for the type.
        ("Tracker!7:7", "Dana Cole · managerial · 05/10/2026", "did not attend, with Priya Shah, 45 min"),
    ]
    problems = {r.reference: r.problems for r in found.rejected}
    assert problems["Tracker!9:9"] == ("Supervisee: 2 people are called Sam Ward: give their employee number.",)
    assert problems["Tracker!10:10"] == ("Tracker!D10: Date: '31/09/2026' is not a real date: September 2026 has 30 "
                                      "days",)
    assert problems["Tracker!11:11"] == ("Tom Okafor started on 1 September 2026, so was not in post on "
                                      "20 August 2026.",)
    assert problems["Tracker!12:12"] == ("A session on 1 December 2026 is in the future: record it once it has "
                                      "happened.",)
    assert found.rejected[0].cells[0] == "Sam Ward"  # the row as the file held it, for the rejected-rows workbook


def test_nothing_is_imported_while_a_row_has_a_problem_unless_the_valid_rows_are_accepted(team, tmp_path):
    found = preview(team, messy(tmp_path / "t.xlsx"))
    with pytest.raises(imports.ImportRejected):
        imports.apply_import(team, found)
    assert sessions(team) == []
    result = imports.apply_import(team, found, accept_valid=True)
    assert (result.added, result.rejected) == (3, 4)
    assert sessions(team) == [
        ("Tom Okafor", "professional", "2026-10-02", "Priya Shah", 60, "held"),
        ("Dana Cole", "managerial", "2026-10-05", "Priya Shah", 45, "did not attend"),
        ("Tom Okafor", "managerial", "2026-10-16", "Priya Shah", 90, "held"),
    ]


def test_reimporting_the_same_tracker_adds_nothing_and_a_corrected_status_is_a_change(team, tmp_path):
    path = tracker(tmp_path / "t.xlsx", [
        ["Tom Okafor", "Priya Shah", "Clinical", date(2026, 10, 2), 60, "Held"],
        ["C001", "", "managerial", date(2026, 10, 5), None, "Cancelled by supervisor"],
    ])
    first = imports.apply_import(team, preview(team, path))
    assert first.added == 2
    again = preview(team, path)
    assert (len(again.added), len(again.changed), again.unchanged) == (0, 0, 2)
    assert imports.apply_import(team, again).batch_id is None
    corrected = preview(team, tracker(tmp_path / "u.xlsx", [
        ["Dana Cole", "Priya Shah", "managerial", date(2026, 10, 5), "1 hour", "held"]]))
    assert [c.detail for c in corrected.changed] == ["status cancelled by supervisor → held; duration blank → 60"]
    second = imports.apply_import(team, corrected)
    assert ("Dana Cole", "managerial", "2026-10-05", "Priya Shah", 60, "held") in sessions(team)
    imports.undo_import(team, second.batch_id)
    assert ("Dana Cole", "managerial", "2026-10-05", "Priya Shah", None, "cancelled by supervisor") in sessions(team)


def test_a_session_changed_or_removed_since_the_preview_is_not_overwritten(team, tmp_path):
    imports.apply_import(team, preview(team, tracker(tmp_path / "t.xlsx", [
        ["C001", "", "managerial", date(2026, 10, 5), None, "Cancelled by supervisor"]])))
    corrected = preview(team, tracker(tmp_path / "u.xlsx", [
        ["Dana Cole", "Priya Shah", "managerial", date(2026, 10, 5), "1 hour", "held"]]))
    for since in ("UPDATE supervision_session SET duration_minutes = 45",  # edited on the Supervision page
                  "DELETE FROM supervision_session"):  # or removed: was a crash, 'NoneType' has no 'status'
        stored.change(team, since)
        before = stored.digest(team)
        with pytest.raises(imports.ImportRejected, match="changed or removed since the tracker was previewed"):
            imports.apply_import(team, corrected)
        assert stored.digest(team) == before


def test_a_session_recorded_since_the_preview_on_a_day_a_row_adds_one_is_not_recorded_twice(team, tmp_path):
    from jointlead.services.supervision import record_session

    adding = preview(team, tracker(tmp_path / "t.xlsx", [["Dana Cole", "Priya Shah", "managerial", date(2026, 10, 5),
                                                          60, "held"]]))
    assert len(adding.added) == 1
    dana = stored.scalar(team, "SELECT id FROM person WHERE full_name = 'Dana Cole'")
    record_session(team, dana, supervision_type="managerial", session_date=date(2026, 10, 5), today=TODAY)
    before = stored.digest(team)
    with pytest.raises(imports.ImportRejected, match="recorded since the tracker was previewed"):
        imports.apply_import(team, adding)
    assert stored.digest(team) == before
    assert not preview(team, tmp_path / "t.xlsx").added  # previewed again, the row is the session recorded by hand


def test_undo_removes_the_sessions_the_import_added(team, tmp_path):
    before = sessions(team)
    result = imports.apply_import(team, preview(team, messy(tmp_path / "t.xlsx")), accept_valid=True)
    imports.undo_import(team, result.batch_id)
    assert sessions(team) == before
    with pytest.raises(imports.JointleadError, match="already been undone"):
        imports.undo_import(team, result.batch_id)


def test_an_employee_number_column_beside_the_names_wins_and_a_type_may_come_from_the_arrangement(team, tmp_path):
    header = ["Employee No", "Supervisee", "Supervisor", "Date", "Duration (mins)", "Status"]
    found = preview(team, tracker(tmp_path / "t.xlsx", [
        ["C002", "Sam Ward", "Priya Shah", date(2026, 10, 6), time(1, 0), None],  # numbered: no ambiguity
        [None, "Dana Cole", None, date(2026, 10, 7), "1.5 hours", "Supervisee cancelled"],
    ], header))
    assert found.mapping[:2] == (("Employee number", "Employee No"), ("Supervisee", "Supervisee"))
    problems = {r.reference: r.problems for r in found.rejected}
    assert problems == {"Tracker!5:5": ("Type: no type given, and Sam Ward has no supervision arranged on "
                                      "6 October 2026: give the type.",)}
    assert [c.subject for c in found.added] == ["Dana Cole · managerial · 07/10/2026"]


def test_a_cancelled_without_who_and_an_unknown_type_are_refused_rather_than_guessed(team, tmp_path):
    found = preview(team, tracker(tmp_path / "t.xlsx", [
        ["Tom Okafor", "Priya Shah", "Reflective", date(2026, 10, 2), 60, "Held"],
        ["Tom Okafor", "Priya Shah", "Clinical", date(2026, 10, 3), 1.5, "Cancelled"],
        ["Tom Okafor", "Tom Okafor", "Clinical", date(2026, 10, 4), 60, "Held"],
        ["Tom Okafor", "Nobody Known", "Clinical", date(2026, 10, 5), 60, "Held"],
    ]))
    problems = {r.reference: r.problems for r in found.rejected}
    assert problems["Tracker!5:5"][0].startswith("Tracker!C5: Type: 'Reflective' is not a type of supervision")
    assert problems["Tracker!6:6"] == (
        "Tracker!E6: Duration: '1.5' is not a whole number of minutes: write 90, or 1.5 hours",
        "Tracker!F6: Status: 'Cancelled' does not say who cancelled: write cancelled by supervisor or cancelled by "
        "supervisee")
    assert problems["Tracker!7:7"] == ("Nobody supervises themselves: check the supervisor.",)
    assert problems["Tracker!8:8"] == ("Supervisor: No one called Nobody Known is recorded.",)


def test_the_same_session_twice_in_a_tracker_is_reported(team, tmp_path):
    found = preview(team, tracker(tmp_path / "t.xlsx", [
        ["Tom Okafor", "Priya Shah", "Clinical", date(2026, 10, 2), 60, "Held"],
        ["Tom Okafor", "Priya Shah", "Professional", date(2026, 10, 2), 60, "Held"],
    ]))
    assert [r.reference for r in found.rejected] == ["Tracker!6:6"]
    assert "appears twice in the file (first at Tracker!5:5)" in found.rejected[0].problems[0]


def test_a_session_recorded_with_another_supervisor_is_matched_and_the_named_one_is_a_change(team, tmp_path):
    imports.apply_import(team, preview(team, tracker(tmp_path / "t.xlsx", [
        ["Dana Cole", "", "managerial", date(2026, 10, 5), 45, "Held"]])))  # Priya, as arranged
    blank = preview(team, tracker(tmp_path / "u.xlsx", [["Dana Cole", "", "managerial", date(2026, 10, 5), 45,
                                                          "Held"]]))
    assert (blank.added, blank.changed, blank.unchanged) == ((), (), 1)
    cover = preview(team, tracker(tmp_path / "v.xlsx", [["Dana Cole", "N003",
                                                          "managerial", date(2026, 10, 5), 45, "Held"]]))
    assert [(c.subject, c.detail) for c in cover.changed] == [  # was: added, a second held session that day
        ("Dana Cole · managerial · 05/10/2026", "supervisor Priya Shah → Sam Ward")]
    imports.apply_import(team, cover)
    assert sessions(team) == [("Dana Cole", "managerial", "2026-10-05", "Sam Ward", 45, "held")]


def test_namesakes_sessions_are_not_one_repeated_and_a_supervisor_who_had_left_is_refused(team, tmp_path):
    with UnitOfWork(team) as uow:
        uow.session.query(Person).filter_by(full_name="Priya Shah").one().leave_date = date(2026, 9, 30)
        uow.commit()
    header = ["Employee number", *HEADER]
    found = preview(team, tracker(tmp_path / "t.xlsx", [
        ["N003", "Sam Ward", "C001", "managerial", date(2026, 11, 3), 60, "Held"],
        ["C002", "Sam Ward", "C001", "managerial", date(2026, 11, 3), 60, "Held"],  # the other Sam Ward
        ["N002", "Tom Okafor", "Priya Shah", "clinical", date(2026, 10, 2), 60, "Held"],
    ], header))
    assert [(r.reference, r.problems) for r in found.rejected] == [("Tracker!7:7", (
        "Supervisor: Priya Shah left on 30 September 2026, so cannot have held a session on 2 October 2026.",))]
    assert len(found.added) == 2  # was: the second Sam Ward's row refused as the first's, repeated


# --- bad trackers, as hostile files ----------------------------------------------------------------------------

def no_date_column(folder: Path) -> Path:
    return tracker(folder / "no dates.xlsx", [["Tom Okafor", "Priya Shah", "Clinical", 60, "Held"]],
                   ["Supervisee", "Supervisor", "Type", "Length", "Outcome"])


def two_supervisee_columns(folder: Path) -> Path:
    return tracker(folder / "two names.xlsx", [["Tom Okafor", "Tom O", "Priya Shah", date(2026, 10, 2)]],
                   ["Supervisee", "Supervisee name", "Supervisor", "Date"])


def a_ledger_instead(folder: Path) -> Path:
    return hostile.messy_ledger_xlsx(folder)


@pytest.mark.parametrize(("make", "message"), [
    (no_date_column, "These columns were not found: Date."),
    (two_supervisee_columns, "Supervisee could be any of 'Supervisee' (column A), 'Supervisee name' (column B)."),
    (a_ledger_instead, "No sheet in this file has the columns a supervision import needs"),
    (hostile.password_protected_xlsx, "This workbook is password-protected."),
    (hostile.html_as_xls, "This file is a web page (HTML)"),
])
def test_a_tracker_that_cannot_be_read_is_refused_with_a_plain_message(team, tmp_path, make, message):
    with pytest.raises(FileRefused) as refused:
        preview(team, make(tmp_path))
    assert message in str(refused.value)


# --- the command line ------------------------------------------------------------------------------------------

def jointlead(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jointlead", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONWARNINGS": "error::DeprecationWarning"}, timeout=120)


def test_the_command_line_exit_codes_follow_every_import(team, tmp_path):
    db = team.location
    team.close()  # on SQLite, for the command to take the file's lock
    path = str(messy(tmp_path / "tracker.xlsx"))
    dry = jointlead("import", "supervision", path, "--db", db, "--dry-run")
    assert dry.returncode == 1  # rows with problems: a dry run says so by its exit code too
    assert "Dry run, nothing changed. 7 rows read from Tracker: 3 added, 0 changed, 0 unchanged, 4 rejected." \
        in dry.stdout
    assert "rejected: Tracker!9:9: Supervisee: 2 people are called Sam Ward: give their employee number." in dry.stdout
    refused = jointlead("import", "supervision", path, "--db", db)
    assert refused.returncode == 1 and "Nothing was imported." in refused.stdout
    accepted = jointlead("import", "supervision", path, "--db", db, "--accept-valid")
    assert accepted.returncode == 0, accepted.stderr
    assert "Imported (batch" in accepted.stdout
    assert (tmp_path / "tracker - rejected rows.xlsx").exists()
    clean = str(tracker(tmp_path / "clean.xlsx", [["Tom Okafor", "Priya Shah", "Clinical", date(2026, 10, 2), 60,
                                                   "Held"]]))
    again = jointlead("import", "supervision", clean, "--db", db)
    assert again.returncode == 0 and "Nothing to import" in again.stdout
    usage = jointlead("import", "supervision", clean)
    assert usage.returncode == 2


def test_a_rows_employee_number_and_name_must_be_the_same_person(team, tmp_path):
    """The number decides between namesakes, the name between two organisations' holders of one number, and a
    number typed on the wrong row (another person's name beside it) is refused, not recorded for the number's
    holder. A number Excel shortened (00123 to 123) is still found, even beside another's 123; a misspelt name leaves
    the number to decide, and a name alone decides for someone recorded with no number."""
    with UnitOfWork(team) as uow:
        nft, ncc = (uow.session.query(Organisation).filter_by(code=code).one() for code in ("NFT", "NCC"))
        uow.session.add_all([
            Person(full_name="Lee Fox", employer_id=nft.id, employee_number="7001", start_date=date(2019, 1, 1)),
            Person(full_name="Kim Fox", employer_id=ncc.id, employee_number="7001", start_date=date(2019, 1, 1)),
            Person(full_name="Ana Bell", employer_id=ncc.id, employee_number="00123", start_date=date(2019, 1, 1)),
            Person(full_name="Joe Hart", employer_id=nft.id, employee_number="123", start_date=date(2019, 1, 1)),
            Person(full_name="Kai Moss", employer_id=ncc.id, start_date=date(2019, 1, 1))])  # added without one
        uow.commit()
    header = ["Employee number", "Staff name", "Supervisor", "Supervision type", "Date of supervision"]
    found = preview(team, tracker(tmp_path / "t.xlsx", [
        ["N001", "Tom Okafor", "Dana Cole", "Managerial", date(2026, 10, 2)],  # Priya's number beside Tom
        ["C002", "Sam Ward", "Priya Shah", "Managerial", date(2026, 10, 3)],  # the council's Sam Ward
        ["7001", "Kim Fox", "Priya Shah", "Managerial", date(2026, 10, 4)],  # a number both partners use
        [123, "Ana Bell", "Priya Shah", "Managerial", date(2026, 10, 5)],  # 00123 as a number cell; Joe has 123
        ["N002", "Tom Okafr", "Priya Shah", "Managerial", date(2026, 10, 6)],  # a typo in the name
        ["7001", "Kim Fix", "Priya Shah", "Managerial", date(2026, 10, 7)],  # neither Fox
        ["C777", "Kai Moss", "Priya Shah", "Managerial", date(2026, 10, 8)],  # a number never recorded for him
        ["C778", "Tom Okafor", "Priya Shah", "Managerial", date(2026, 10, 9)],  # Tom's number is N002
    ], header))
    assert [c.subject for c in found.added] == ["Sam Ward · managerial · 03/10/2026",
                                                "Kim Fox · managerial · 04/10/2026",
                                                "Ana Bell · managerial · 05/10/2026",
                                                "Tom Okafor · managerial · 06/10/2026",
                                                "Kai Moss · managerial · 08/10/2026"]
    assert {r.reference: r.problems for r in found.rejected} == {
        "Tracker!5:5": ("Supervisee: The employee number N001 is Priya Shah's, not Tom Okafor's: check which is "
                      "meant.",),
        "Tracker!10:10": ("Supervisee: The employee number 7001 is Kim Fox and Lee Fox's, not Kim Fix's: check which "
                       "is meant.",),
        "Tracker!12:12": ("Supervisee: No one recorded has the employee number C778.",),
    }
    imports.apply_import(team, found, accept_valid=True)
    assert ("Sam Ward", "managerial", "2026-10-03") in [s[:3] for s in sessions(team)]
    assert stored.rows(team, "SELECT o.code FROM supervision_session s JOIN person p ON p.id = s.supervisee_id "
                             "JOIN organisation o ON o.id = p.employer_id WHERE p.full_name = 'Sam Ward'") == [("NCC",)]
