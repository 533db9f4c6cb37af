"""'People and lines' for one employer, on the demo service: rows, lines by date, findings, safety, the command."""

from __future__ import annotations

import json
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

import stored
from integration.test_cli import jointlead
from jointlead.domain.errors import JointleadError
from jointlead.domain.reporting_lines import LineKind
from jointlead.services.exports import PEOPLE_COLUMNS, export_people
from jointlead.services.people import PersonFields, add_person, change_line, employees_and_lines, people_findings

GENERATED_ON = datetime(2026, 11, 20, 9, 30)
TODAY = date(2026, 11, 20)


def export(database, tmp_path: Path, organisation: str = "NCC", name: str = "people.xlsx", **options):
    result = export_people(database, organisation, tmp_path / name, generated_on=GENERATED_ON,
                           as_at=options.pop("as_at", TODAY), **options)
    return result, openpyxl.load_workbook(result.path)


def table(sheet) -> list[dict[str, object]]:
    rows = sheet.iter_rows(values_only=True)
    headers = next(rows)
    return [dict(zip(headers, row, strict=True)) for row in rows]


def by_name(book) -> dict[str, dict[str, object]]:
    return {row["Name"]: row for row in table(book["People and lines"])}


def day(value: object) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def test_one_row_per_employee_in_post_with_both_lines_and_their_organisations(demo_db, tmp_path):
    result, book = export(demo_db, tmp_path)
    assert book.sheetnames == ["Cover", "People and lines", "Findings"]
    rows = by_name(book)
    expected = employees_and_lines(demo_db, "NCC", TODAY)
    assert result.rows == len(rows) == len(expected) == 21
    assert list(rows) == [e.name for e in expected]  # by name
    assert [cell.value for cell in book["People and lines"][1]] == [c.header for c in PEOPLE_COLUMNS]
    tom = rows["Tom Mason"]
    assert (tom["Line manager"], tom["Line manager's organisation"], tom["Managed across organisations"]) == (
        "Eleanor Marshall", "NFT", "Yes")
    assert (tom["Professional lead"], tom["Professional lead's organisation"],
            tom["Professional lead across organisations"]) == ("Paul Allen", "NCC", "No")
    tom_lines = next(e for e in expected if e.name == "Tom Mason")
    assert day(tom["Line manager since"]) == tom_lines.manager.effective_from
    assert day(tom["Professional lead since"]) == tom_lines.professional.effective_from
    assert tom["Supervisor in the HR extract"] == "Paul Allen"
    assert tom["Findings"] is None  # information (the line across the boundary) is in its own columns


def test_a_persons_findings_are_on_their_row_and_every_finding_on_its_own_sheet(demo_db, tmp_path):
    _, book = export(demo_db, tmp_path, organisation="NFT")
    rows = by_name(book)
    message, = [f.message for f in people_findings(demo_db, TODAY) if f.code == "lead-other-profession"]
    flagged = [name for name, row in rows.items() if row["Findings"] and message in row["Findings"]]
    assert len(flagged) == 1
    findings = table(book["Findings"])
    assert {"Error", "Warning", "Information"} >= {row["Severity"] for row in findings}
    assert [row["Finding"] for row in findings if row["Name"] == flagged[0]].count(message) == 1
    checklist = {row[1].value: row[0].value for row in book["Cover"].iter_rows(max_col=2) if row[1].value}
    assert checklist["Every professional lead is of the same profession"] == "Incomplete"
    assert checklist["No manager is over the span of control"] == "Complete"


def test_the_export_is_as_at_a_date_before_and_after_a_change(demo_db, tmp_path):
    ids = {e.name: e.person_id for e in employees_and_lines(demo_db, "NCC", TODAY)}
    anna = ids["Anna Allen"]
    change_line(demo_db, ids["Tom Mason"], LineKind.MANAGERIAL, anna, date(2026, 12, 1))
    _, before = export(demo_db, tmp_path, name="before.xlsx", as_at=date(2026, 11, 30))
    _, after = export(demo_db, tmp_path, name="after.xlsx", as_at=date(2026, 12, 1))
    assert by_name(before)["Tom Mason"]["Line manager"] == "Eleanor Marshall"
    moved = by_name(after)["Tom Mason"]
    assert (moved["Line manager"], moved["Managed across organisations"], day(moved["Line manager since"])) == (
        "Anna Allen", "No", date(2026, 12, 1))


def test_someone_not_yet_started_is_left_out_until_their_first_day(demo_db, tmp_path):
    add_person(demo_db, PersonFields(full_name="Dana Newman", employer="NCC", start_date=date(2026, 12, 1)))
    _, now = export(demo_db, tmp_path, name="now.xlsx")
    _, later = export(demo_db, tmp_path, name="later.xlsx", as_at=date(2026, 12, 1))
    assert "Dana Newman" not in by_name(now)
    assert by_name(later)["Dana Newman"]["Line manager"] is None


def test_a_hostile_name_is_written_as_quoted_text_never_a_formula(demo_db, tmp_path):
    stored.change(demo_db, """UPDATE person SET full_name = '=HYPERLINK("x")', job_title = '+cmd'
                              WHERE full_name = 'Tom Mason'""")
    result, book = export(demo_db, tmp_path)
    hostile = [cell for sheet in book for row in sheet.iter_rows() for cell in row
               if isinstance(cell.value, str) and cell.value[:1] in "=+"]
    assert {cell.value for cell in hostile} >= {'=HYPERLINK("x")', "+cmd"}
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in hostile)
    with zipfile.ZipFile(result.path) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not any("<f>" in xml or "<f " in xml for xml in sheets)


def test_the_same_data_gives_byte_identical_files_and_each_export_is_audited(demo_db, tmp_path):
    first, _ = export(demo_db, tmp_path, name="first.xlsx")
    second, _ = export(demo_db, tmp_path, name="second.xlsx")
    assert first.path.read_bytes() == second.path.read_bytes()
    [(verb, entity, changes)] = stored.rows(
        demo_db, "SELECT verb, entity, changes_json FROM audit_entry ORDER BY id DESC LIMIT 1")
    assert (verb, entity) == ("export_people", "export")
    assert {field: new for field, (_, new) in json.loads(changes).items()} == {
        "file": "second.xlsx", "organisation": "NCC", "as_at": "20 November 2026", "sha256": second.sha256,
        "rows": 21}


def test_an_unknown_organisation_is_refused_and_nothing_is_written(demo_db, tmp_path):
    with pytest.raises(JointleadError, match="no organisation with the code 'XYZ'"):
        export_people(demo_db, "XYZ", tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()


# The command


def test_export_people_writes_the_workbook_and_exits_0(demo_path, tmp_path):
    out = tmp_path / "NFT people.xlsx"
    result = jointlead("export", "people", "--db", str(demo_path), "--org", "nft", "--out", str(out),
                       "--as-at", "2026-11-20")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Wrote people and lines (45 people) to {out}."
    book = openpyxl.load_workbook(out)
    cover = {row[0].value: row[1].value for row in book["Cover"].iter_rows(max_col=2)}
    assert (cover["As at"], cover["Organisation"]) == ("20 November 2026", "Northshire NHS Foundation Trust (NFT)")


@pytest.mark.parametrize(("arguments", "code", "message"), [
    (("--org", "XYZ"), 1, "no organisation with the code 'XYZ'"),
    (("--org", "NCC", "--as-at", "20/11/2026"), 2, "'20/11/2026' is not a date: write it as YYYY-MM-DD"),
    (("--org", "NCC", "--as-at", "2026-02-30"), 2, "'2026-02-30' is not a date"),
    (("--as-at", "2026-11-20"), 2, "--org"),
])
def test_export_people_exits_1_for_what_the_user_can_fix_and_2_for_usage(demo_path, tmp_path, arguments, code,
                                                                         message):
    out = tmp_path / "p.xlsx"
    result = jointlead("export", "people", "--db", str(demo_path), "--out", str(out), *arguments)
    assert result.returncode == code
    assert message in result.stderr
    assert not out.exists()
