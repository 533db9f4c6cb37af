"""The staff import's line columns: leads named by number or name, changes previewed and applied by the line rules,
undone exactly, and the staff export read back without a change. Its Team column: people placed in teams recorded
or new, previewed, applied and undone."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest

import stored
from exchange import hostile
from jointlead.domain.errors import JointleadError
from jointlead.domain.reporting_lines import LineKind
from jointlead.services import imports
from jointlead.services.edits import undo_edit
from jointlead.services.exports import export_staff
from jointlead.services.people import add_team, change_line, edit_person, person_fields, record_leaver, team_names
from jointlead.store.models import Organisation, Person, ReportingLine
from jointlead.store.uow import UnitOfWork

TODAY = date(2026, 11, 20)
HEADER = ["Assignment Number", "Full Name", "Profession", "Line Manager", "Professional Lead"]
WITH_START = [*HEADER[:3], "Start Date", *HEADER[3:]]
WITH_TEAM = [*HEADER[:3], "Team", HEADER[3]]


@pytest.fixture
def service(empty_db):
    """Two employers; NFT's Priya manages Tom (since 2024); NCC's Dana is a social work lead."""
    with UnitOfWork(empty_db) as uow:
        nft = Organisation(code="NFT", name="Northshire NHS FT", kind="NHS trust")
        ncc = Organisation(code="NCC", name="Northshire County Council", kind="county council")
        uow.session.add_all([nft, ncc])
        uow.session.flush()
        people = [
            Person(full_name="Priya Shah", employer_id=nft.id, employee_number="N001", profession="nurse",
                   start_date=date(2015, 1, 1)),
            Person(full_name="Tom Okafor", employer_id=nft.id, employee_number="N002", profession="nurse",
                   start_date=date(2020, 1, 1)),
            Person(full_name="Lee Grant", employer_id=nft.id, employee_number="N003", profession="nurse",
                   start_date=date(2018, 1, 1)),
            Person(full_name="Dana Cole", employer_id=ncc.id, employee_number="C001", profession="social worker",
                   start_date=date(2012, 1, 1)),
        ]
        uow.session.add_all(people)
        uow.session.flush()
        uow.session.add(ReportingLine(kind="managerial", person_id=people[1].id, lead_id=people[0].id,
                                      effective_from=date(2024, 1, 1)))
        uow.commit()
    return empty_db


def staff_file(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    return hostile.write_xlsx(path, {"ESR": [["ESR staff in post"], header, *rows]})


def preview(database, path: Path, employer: str = "NFT"):
    return imports.preview_staff_import(database, path, employer, today=TODAY)


def lines(database) -> list[tuple[str, str, str, str, str | None]]:
    """(kind, person, lead, from, to) of every line, oldest first, with the days as ISO text."""
    return [(kind, person, lead, str(start), None if end is None else str(end)) for kind, person, lead, start, end
            in stored.rows(database, "SELECT l.kind, p.full_name, q.full_name, l.effective_from, l.effective_to "
                                     "FROM reporting_line l JOIN person p ON p.id = l.person_id "
                                     "JOIN person q ON q.id = l.lead_id ORDER BY l.id")]


def test_a_lead_named_by_employee_number_gets_a_line_from_the_import_day(service, tmp_path):
    found = preview(service, staff_file(tmp_path / "s.xlsx", [["N003", "Lee Grant", "nurse", "N001", None]]))
    assert [c.detail for c in found.changed] == ["line manager none → Priya Shah from 20 November 2026"]
    imports.apply_import(service, found)
    assert ("managerial", "Lee Grant", "Priya Shah", "2026-11-20", None) in lines(service)


def test_a_lead_named_by_name_ignores_case_and_spacing_and_can_be_new_in_the_same_file(service, tmp_path):
    found = preview(service, staff_file(tmp_path / "s.xlsx", [
        ["N003", "Lee Grant", "nurse", date(2018, 1, 1), "  priya   SHAH ", None],
        ["N010", "Ann Bell", "nurse", date(2026, 9, 1), "Lee Grant", "Priya Shah"],
    ], WITH_START))
    assert found.rejected == ()
    assert [c.detail for c in found.added] == [
        "new person; line manager none → Lee Grant from 1 September 2026; "
        "professional lead none → Priya Shah from 1 September 2026"]
    imports.apply_import(service, found)
    assert lines(service)[1:] == [
        ("managerial", "Lee Grant", "Priya Shah", "2026-11-20", None),
        ("managerial", "Ann Bell", "Lee Grant", "2026-09-01", None),
        ("professional", "Ann Bell", "Priya Shah", "2026-09-01", None),
    ]


def test_an_ambiguous_name_is_reported_never_guessed_and_the_employee_number_settles_it(service, tmp_path):
    with UnitOfWork(service) as uow:
        uow.session.add(Person(full_name="Priya Shah", employer_id=1, employee_number="N099", profession="nurse"))
        uow.commit()
    before = lines(service)
    found = preview(service, staff_file(tmp_path / "s.xlsx", [["N003", "Lee Grant", "nurse", "Priya Shah",
                                                                None]]))
    assert [r.problems for r in found.rejected] == [
        ("Line manager: 2 people are called Priya Shah: give their employee number.",)]
    assert found.rejected[0].reference == "ESR!3:3"
    with pytest.raises(imports.ImportRejected):
        imports.apply_import(service, found)
    assert lines(service) == before
    settled = preview(service, staff_file(tmp_path / "t.xlsx", [["N003", "Lee Grant", "nurse", "N099", None]]))
    assert settled.rejected == () and len(settled.changed) == 1


def test_an_unknown_name_is_reported(service, tmp_path):
    found = preview(service, staff_file(tmp_path / "s.xlsx", [
        ["N003", "Lee Grant", "nurse", None, "Nobody Known"],
        ["N002", "Tom Okafor", "nurse", "Priya Shah", None],
    ]))
    assert [(r.reference, r.problems) for r in found.rejected] == [
        ("ESR!3:3", ("Professional lead: No one called Nobody Known is recorded.",))]
    assert found.unchanged == 1  # Tom's manager is already Priya
    result = imports.apply_import(service, found, accept_valid=True)
    assert result.batch_id is None  # the only valid row changes nothing


def test_a_change_of_manager_is_previewed_then_applied_from_the_day_and_undone_exactly(service, tmp_path):
    before = lines(service)
    found = preview(service, staff_file(tmp_path / "s.xlsx", [["N002", "Tom Okafor", "nurse", "N003", None]]))
    assert [(c.subject, c.detail) for c in found.changed] == [
        ("N002 Tom Okafor", "line manager Priya Shah → Lee Grant from 20 November 2026")]
    assert lines(service) == before  # a preview writes nothing
    result = imports.apply_import(service, found)
    assert lines(service) == [
        ("managerial", "Tom Okafor", "Priya Shah", "2024-01-01", "2026-11-19"),  # history kept
        ("managerial", "Tom Okafor", "Lee Grant", "2026-11-20", None),
    ]
    again = preview(service, staff_file(tmp_path / "s.xlsx", [["N002", "Tom Okafor", "nurse", "N003", None]]))
    assert (again.unchanged, len(again.changed)) == (1, 0)
    imports.undo_import(service, result.batch_id)
    assert lines(service) == before


def test_undo_is_refused_when_a_line_the_import_started_has_changed_since(service, tmp_path):
    from jointlead.domain.reporting_lines import LineKind
    from jointlead.services.people import change_line

    result = imports.apply_import(service, preview(service, staff_file(tmp_path / "s.xlsx", [
        ["N002", "Tom Okafor", "nurse", "N003", None]])))
    with service.session() as session:
        tom, priya = (session.query(Person).filter_by(full_name=n).one().id for n in ("Tom Okafor", "Priya Shah"))
    change_line(service, tom, LineKind.MANAGERIAL, priya, date(2026, 12, 1))
    with pytest.raises(imports.JointleadError, match="changed or followed by another since"):
        imports.undo_import(service, result.batch_id)


def test_undo_is_refused_when_someone_the_import_added_now_supervises_and_nothing_changes(service, tmp_path):
    from jointlead.services.supervision import add_arrangement

    result = imports.apply_import(service, preview(service, staff_file(tmp_path / "s.xlsx", [
        ["N004", "Asha Patel", "nurse", "N001", None]])))
    with service.session() as session:
        asha, tom = (session.query(Person).filter_by(full_name=n).one().id for n in ("Asha Patel", "Tom Okafor"))
    # The new starter supervises Tom: undoing the import would delete the arrangement with her (ON DELETE CASCADE).
    add_arrangement(service, tom, "professional", asha, TODAY, today=TODAY)
    before = stored.digest(service)
    with pytest.raises(JointleadError, match="have since been linked to 1 supervision arrangement, so the import"):
        imports.undo_import(service, result.batch_id)
    assert stored.digest(service) == before


def test_a_lead_employed_by_the_other_organisation_is_a_line_across_organisations(service, tmp_path):
    with UnitOfWork(service) as uow:
        uow.session.query(Person).filter_by(full_name="Lee Grant").one().profession = "social worker"
        uow.commit()
    found = preview(service, staff_file(tmp_path / "s.xlsx", [
        ["N002", "Tom Okafor", "nurse", "Dana Cole", None],
        ["N003", "Lee Grant", "social worker", None, "C001"],
    ]))
    assert found.rejected == ()
    imports.apply_import(service, found)
    assert ("managerial", "Tom Okafor", "Dana Cole", "2026-11-20", None) in lines(service)
    assert ("professional", "Lee Grant", "Dana Cole", "2026-11-20", None) in lines(service)


def test_a_loop_and_a_lead_of_another_profession_are_refused_with_the_rules_wording(service, tmp_path):
    before = lines(service)
    found = preview(service, staff_file(tmp_path / "s.xlsx", [
        ["N001", "Priya Shah", "nurse", "Tom Okafor", None],  # Tom reports to Priya
        ["N003", "Lee Grant", "nurse", None, "Dana Cole"],  # a nurse led by a social worker
    ]))
    problems = {r.reference: r.problems for r in found.rejected}
    assert problems["ESR!3:3"][0].startswith("Line manager: On 20 November 2026 Tom Okafor reports, directly or "
                                           "through others, to Priya Shah")
    assert "go round in a loop" in problems["ESR!3:3"][0]
    assert problems["ESR!4:4"] == ("Professional lead: Dana Cole is a social worker, so cannot be the professional "
                                 "lead of Lee Grant, a nurse.",)
    with pytest.raises(imports.ImportRejected):
        imports.apply_import(service, found)
    assert lines(service) == before


def test_a_loop_made_within_one_file_is_refused_at_its_second_row(service, tmp_path):
    found = preview(service, staff_file(tmp_path / "s.xlsx", [
        ["N003", "Lee Grant", "nurse", "N001", None],
        ["N001", "Priya Shah", "nurse", "N003", None],
    ]))
    assert [r.reference for r in found.rejected] == ["ESR!4:4"]
    imports.apply_import(service, found, accept_valid=True)
    assert ("managerial", "Lee Grant", "Priya Shah", "2026-11-20", None) in lines(service)


@pytest.mark.parametrize("order", [[0, 1], [1, 0]])
def test_a_restructure_is_accepted_whatever_the_order_of_its_rows(service, tmp_path, order):
    rows = [["N001", "Priya Shah", "nurse", "N002", None],  # Priya now reports to Tom, who reported to her...
            ["N002", "Tom Okafor", "nurse", "N003", None]]  # ...as Tom now reports to Lee
    found = preview(service, staff_file(tmp_path / "s.xlsx", [rows[i] for i in order]))
    assert found.rejected == ()  # was: Priya's row refused as a loop when it came first
    imports.apply_import(service, found)
    assert sorted(lines(service)) == [("managerial", "Priya Shah", "Tom Okafor", "2026-11-20", None),
                                      ("managerial", "Tom Okafor", "Lee Grant", "2026-11-20", None),
                                      ("managerial", "Tom Okafor", "Priya Shah", "2024-01-01", "2026-11-19")]


def test_a_blank_cell_never_ends_a_line_and_a_lead_in_a_rejected_row_is_said_so(service, tmp_path):
    found = preview(service, staff_file(tmp_path / "s.xlsx", [
        ["N002", "Tom Okafor", "nurse", None, None],
        ["N011", "Kim Ray", "nurse", "Nobody Known", None],
        ["N012", "Jo Marsh", "nurse", "Kim Ray", None],
    ]))
    assert found.unchanged == 1
    assert {r.reference: r.problems for r in found.rejected}["ESR!5:5"] == (
        "Line manager: Kim Ray is new in this file, but their row (ESR!4:4) was rejected.",)


def test_a_leavers_last_manager_in_the_extract_changes_nothing(service, tmp_path):
    header = [*HEADER, "Leave Date"]
    found = preview(service, staff_file(tmp_path / "s.xlsx", [
        ["N003", "Lee Grant", "nurse", "N001", None, date(2026, 10, 31)]], header))
    assert [c.detail for c in found.changed] == ["leave date blank → 31/10/2026"]


def test_exporting_staff_then_importing_the_export_reads_the_lines_and_changes_nothing(demo_db, tmp_path):
    for code in ("NFT", "NCC"):
        exported = export_staff(demo_db, code, tmp_path / f"{code}.xlsx", on=TODAY)
        found = imports.preview_staff_import(demo_db, exported.path, code, today=TODAY)
        mapped = dict(found.mapping)
        assert (mapped["Line manager"], mapped["Professional lead"], mapped["Team"]) == (
            "Line manager", "Professional lead", "Team")
        assert (len(found.added), len(found.changed), len(found.rejected)) == (0, 0, 0)
        assert found.unchanged == exported.rows


def test_a_manager_changed_in_the_export_is_the_one_change_read_back(demo_db, tmp_path):
    exported = export_staff(demo_db, "NFT", tmp_path / "NFT.xlsx", on=TODAY).path
    workbook = openpyxl.load_workbook(exported)
    sheet = workbook["Staff"]
    headers = [c.value for c in sheet[1]]
    manager, name = headers.index("Line manager") + 1, headers.index("Name") + 1
    rows = [r for r in range(2, sheet.max_row + 1) if sheet.cell(r, manager).value]
    first = rows[0]
    # Another manager in the extract, who is neither the first person's manager nor the first person.
    new_manager = next(sheet.cell(r, manager).value for r in rows
                       if sheet.cell(r, manager).value not in (sheet.cell(first, manager).value,
                                                               sheet.cell(first, name).value))
    sheet.cell(first, manager).value = new_manager
    workbook.save(exported)
    found = imports.preview_staff_import(demo_db, exported, "NFT", today=TODAY)
    assert (len(found.changed), len(found.rejected)) == (1, 0)
    assert found.changed[0].detail.startswith("line manager ")
    assert f"→ {new_manager} from 20 November 2026" in found.changed[0].detail


def people_in_teams(database) -> dict[str, str | None]:
    """Each person's team by name (None: outside the team)."""
    return dict(stored.rows(database, "SELECT p.full_name, t.name FROM person p "
                                      "LEFT JOIN team t ON t.id = p.team_id"))


def test_a_team_column_places_people_in_teams_recorded_or_new_and_undo_takes_it_all_back(service, tmp_path):
    add_team(service, "Crisis Team")
    add_team(service, "North CMHT")
    stored.change(service, "UPDATE person SET team_id = (SELECT id FROM team WHERE name = 'North CMHT') "
                           "WHERE employee_number = 'N002'")
    before = stored.contents(service, "team"), people_in_teams(service)
    found = preview(service, staff_file(tmp_path / "s.xlsx", [
        ["N002", "Tom Okafor", "nurse", "crisis team ", None],  # found whatever its case and spacing
        ["N003", "Lee Grant", "nurse", None, None],  # a blank cell changes nothing
        ["N010", "Ann Bell", "nurse", "Home Treatment", None],
        ["N011", "Kim Ray", "nurse", "Outreach", "Nobody Known"],  # rejected: its team is not added
        ["N012", "Jo Marsh", "nurse", "home  TREATMENT", None],
    ], WITH_TEAM))
    assert found.notices == ("'Home Treatment' is not a recorded team yet: importing adds it and puts 2 people in it.",)
    assert [(c.subject, c.detail) for c in found.changed] == [("N002 Tom Okafor", "team North CMHT → Crisis Team")]
    assert [c.detail for c in found.added] == ["new person; team Home Treatment"] * 2
    assert [r.reference for r in found.rejected] == ["ESR!6:6"]
    assert (stored.contents(service, "team"), people_in_teams(service)) == before  # a preview writes nothing

    result = imports.apply_import(service, found, accept_valid=True)
    assert team_names(service) == ("Crisis Team", "Home Treatment", "North CMHT")
    assert people_in_teams(service) == {**before[1], "Tom Okafor": "Crisis Team", "Ann Bell": "Home Treatment",
                                        "Jo Marsh": "Home Treatment"}
    assert stored.rows(service, "SELECT verb FROM audit_entry WHERE entity = 'team' ORDER BY id")[-1] == (
        "import_staff",)

    lee = stored.scalar(service, "SELECT id FROM person WHERE employee_number = 'N003'")
    placed = edit_person(service, lee, replace(person_fields(service, lee), team="Home Treatment"))  # since
    with pytest.raises(JointleadError, match="placed in a team this import added"):
        imports.undo_import(service, result.batch_id)
    undo_edit(service, placed)
    imports.undo_import(service, result.batch_id)
    assert (stored.contents(service, "team"), people_in_teams(service)) == before
    assert stored.rows(service, "SELECT verb FROM audit_entry WHERE entity = 'team' ORDER BY id")[-1] == (
        "undo_import_staff",)


def test_a_new_team_added_by_someone_else_since_the_preview_refuses_the_import_in_plain_words(service, tmp_path):
    path = staff_file(tmp_path / "s.xlsx", [["N010", "Ann Bell", "nurse", "Home Treatment", None]], WITH_TEAM)
    found = preview(service, path)
    add_team(service, "home treatment")  # meanwhile, on a shared database
    before = stored.digest(service)
    with pytest.raises(JointleadError) as refused:
        imports.apply_import(service, found)
    assert refused.value.message == "There is already a team called 'home treatment'."
    assert "so nothing was imported. Preview the import again" in refused.value.advice
    assert stored.digest(service) == before
    again = preview(service, path)
    assert (again.notices, [c.detail for c in again.added]) == ((), ["new person; team home treatment"])


def jointlead(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jointlead", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONWARNINGS": "error::DeprecationWarning"}, timeout=120)


def test_the_command_line_previews_and_applies_line_changes(service, tmp_path):
    path = staff_file(tmp_path / "s.xlsx", [["N002", "Tom Okafor", "nurse", "Lee Grant", None]])
    db = service.location
    service.close()  # on SQLite, for the command to take the file's lock
    dry = jointlead("import", "staff", str(path), "--db", db, "--employer", "NFT", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "1 changed" in dry.stdout
    bad = staff_file(tmp_path / "bad.xlsx", [["N002", "Tom Okafor", "nurse", "Nobody Known", None]])
    refused = jointlead("import", "staff", str(bad), "--db", db, "--employer", "NFT")
    assert refused.returncode == 1
    assert "rejected: ESR!3:3: Line manager: No one called Nobody Known is recorded." in refused.stdout
    applied = jointlead("import", "staff", str(path), "--db", db, "--employer", "NFT")
    assert applied.returncode == 0 and "Imported (batch" in applied.stdout
    assert stored.scalar(service, "SELECT count(*) FROM reporting_line WHERE effective_to IS NULL") == 1


def test_a_corrected_list_imported_the_same_day_says_to_undo_the_earlier_import(service, tmp_path):
    """The line rules' advice, "choose a later date", means nothing to someone importing a file."""
    imports.apply_import(service, preview(service, staff_file(tmp_path / "a.xlsx",
                                                               [["N003", "Lee Grant", "nurse", "N001", None]])))
    found = preview(service, staff_file(tmp_path / "b.xlsx", [["N003", "Lee Grant", "nurse", "N002", None]]))
    assert found.rejected[0].problems == (
        "Line manager: Lee Grant's managerial line to Priya Shah starts on 20 November 2026, so a change can only "
        "take effect after that. A line changes at most once a day: if a list imported earlier today was wrong, "
        "take it back out with Edit > Undo and import the corrected one; otherwise import this list again "
        "tomorrow.",)


def ids(database) -> dict[str, int]:
    return dict(stored.rows(database, "SELECT full_name, id FROM person"))


def test_lines_changed_since_the_preview_that_would_make_the_lists_lines_a_loop_refuse_the_import(service, tmp_path):
    """On a shared database someone may change lines between the preview and Import without touching anyone the list
    changes: the lines it starts are checked again as they would be written, so a loop of managers is never kept."""
    found = preview(service, staff_file(tmp_path / "s.xlsx", [["N003", "Lee Grant", "nurse", "N002", None]]))
    assert [c.detail for c in found.changed] == ["line manager none → Tom Okafor from 20 November 2026"]
    change_line(service, ids(service)["Priya Shah"], LineKind.MANAGERIAL, ids(service)["Lee Grant"], TODAY,
                today=TODAY)  # meanwhile Lee is made Priya's manager: Lee, Tom, Priya, Lee
    before = lines(service)
    with pytest.raises(JointleadError) as refused:
        imports.apply_import(service, found)
    assert refused.value.message == (
        "Reporting lines were changed here after the staff list was previewed, so nothing was imported: On 20 "
        "November 2026 Tom Okafor reports, directly or through others, to Lee Grant, so Tom Okafor cannot be Lee "
        "Grant's line manager: the managerial lines would go round in a loop.")
    assert refused.value.advice == "Preview the import again: it then plans the lines from the lines as they are now."
    assert lines(service) == before


def test_a_lead_recorded_as_leaving_since_the_preview_refuses_the_import_until_previewed_again(service, tmp_path):
    """The line the list starts was planned open; written after Priya was recorded as leaving it would outlast her,
    and Lee would have nobody once she went."""
    found = preview(service, staff_file(tmp_path / "s.xlsx", [["N003", "Lee Grant", "nurse", "N001", None]]))
    record_leaver(service, ids(service)["Priya Shah"], date(2027, 1, 31), today=TODAY)
    before = lines(service)
    with pytest.raises(JointleadError) as refused:
        imports.apply_import(service, found)
    assert refused.value.message == (
        "Reporting lines were changed here after the staff list was previewed, so nothing was imported: Priya Shah "
        "leaves on 31 January 2027, so a line with them must end by then.")
    assert lines(service) == before
    imports.apply_import(service, preview(service, tmp_path / "s.xlsx"))
    assert ("managerial", "Lee Grant", "Priya Shah", "2026-11-20", "2027-01-31") in lines(service)
