"""The "Supervision compliance" workbook for one employer: its figures are the service's, and it repeats exactly."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from jointlead.domain.errors import JointleadError
from jointlead.services.demo import DEMO_TODAY
from jointlead.services.supervision import compliance
from jointlead.services.supervision_export import PEOPLE_COLUMNS, export_supervision
from jointlead.store.models import AuditEntry

GENERATED_ON = datetime(2026, 11, 20, 9, 30)


def export(database, tmp_path: Path, organisation: str = "NCC", name: str = "supervision.xlsx"):
    result = export_supervision(database, organisation, tmp_path / name, as_at=DEMO_TODAY,
                                generated_on=GENERATED_ON)
    return result, openpyxl.load_workbook(result.path)


def table(sheet) -> list[dict[str, object]]:
    rows = sheet.iter_rows(values_only=True)
    headers = next(rows)
    return [dict(zip(headers, row, strict=True)) for row in rows]


def day(value: object) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def test_the_summary_and_breakdowns_are_the_services_figures(demo_db, tmp_path):
    _, book = export(demo_db, tmp_path)
    assert book.sheetnames == ["Cover", "Summary", "By team", "By profession", "Trend", "People"]
    report = compliance(demo_db, DEMO_TODAY, organisation="NCC")
    summary = {row["Arrangements"]: row for row in table(book["Summary"])}
    whole = summary["All arrangements"]
    assert (whole["In scope"], whole["In date"] + whole["Due soon"], whole["Overdue"], whole["Never held"],
            whole["Not in place"]) == (report.overall.in_scope, report.overall.compliant, report.overall.overdue,
                                       report.overall.never_held, report.overall.not_in_place)
    assert whole["Compliance %"] == pytest.approx(report.overall.fraction, abs=0.001)  # to the tenth the app shows
    assert whole["Meets target"] == ("Yes" if report.meets_target else "No")
    for tally in report.by_type:
        assert summary[tally.group.capitalize()]["In scope"] == tally.in_scope
    teams = {row["Team"]: (row["In scope"], row["In date"] + row["Due soon"]) for row in table(book["By team"])}
    assert teams == {t.group: (t.in_scope, t.compliant) for t in report.by_team}
    professions = {row["Profession"]: row["In scope"] for row in table(book["By profession"])}
    assert professions == {t.group: t.in_scope for t in report.by_profession}
    trend = table(book["Trend"])
    assert [(day(r["As at"]), r["In scope"]) for r in trend] == [(m.as_at, m.tally.in_scope) for m in report.trend]


def test_the_person_level_list_has_last_and_next_dates_and_nothing_of_what_was_said(demo_db, tmp_path):
    result, book = export(demo_db, tmp_path)
    report = compliance(demo_db, DEMO_TODAY, organisation="NCC")
    rows = table(book["People"])
    assert result.rows == len(rows) == len(report.rows)
    assert [c.value for c in book["People"][1]] == [c.header for c in PEOPLE_COLUMNS]
    for row, expected in zip(rows, report.rows, strict=True):
        assert (row["Name"], row["Type"].casefold(), day(row["Last held"]), day(row["Next due"]),
                row["Status"].casefold()) == (expected.supervisee, expected.supervision_type, expected.last_held,
                                              expected.next_due, expected.status.value)
    headers = " ".join(c.header for c in PEOPLE_COLUMNS).casefold()
    assert not any(word in headers for word in ("note", "content", "discuss", "minutes", "duration"))
    assert {row["RAG"] for row in rows} <= {"Green", "Amber", "Red", "Grey"}


def test_the_same_day_and_generation_time_give_the_same_bytes_and_each_export_is_audited(demo_db, tmp_path):
    first, _ = export(demo_db, tmp_path, name="one.xlsx")
    second, _ = export(demo_db, tmp_path, name="two.xlsx")
    assert first.path.read_bytes() == second.path.read_bytes() and first.sha256 == second.sha256
    with demo_db.session() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.verb == "export_supervision")).all()
    assert len(entries) == 2
    assert json.loads(entries[0].changes_json)["organisation"] == [None, "NCC"]


def test_the_cover_says_where_compliance_stands_against_the_target(demo_db, tmp_path):
    _, book = export(demo_db, tmp_path, organisation="nft")
    cover = [" ".join(str(v) for v in row if v is not None) for row in book["Cover"].iter_rows(values_only=True)]
    text = "\n".join(cover)
    report = compliance(demo_db, DEMO_TODAY, organisation="NFT")
    assert f"{report.overall.compliant} of {report.overall.in_scope} arrangements in date" in text
    assert "Compliance meets the target of 95%" in text
    assert "(NFT)" in text


def test_an_unknown_organisation_is_refused(demo_db, tmp_path):
    with pytest.raises(JointleadError, match="no organisation"):
        export(demo_db, tmp_path, organisation="XYZ")


def test_the_cli_writes_supervision_compliance(demo_path, tmp_path):
    from jointlead.cli import main

    out = tmp_path / "ncc supervision.xlsx"
    assert main(["export", "supervision", "--db", str(demo_path), "--org", "NCC", "--out", str(out),
                 "--as-at", "2026-11-20"]) == 0
    assert out.exists() and out.read_bytes()[:2] == b"PK"
    assert main(["export", "supervision", "--db", str(demo_path), "--org", "XYZ", "--out", str(out)]) == 1
