"""The monthly budget monitoring workbook for a partner, on the demo service: figures, RAG, checklist, safety, audit."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

import stored
from integration.test_cli import jointlead
from jointlead.domain.budget import LineFigures
from jointlead.domain.errors import JointleadError, ValidationError
from jointlead.services.budget_month import unlock_period
from jointlead.services.budget_report import budget_checklist, report_periods, unmapped_rows, virement_log
from jointlead.services.budgets import pool_position
from jointlead.services.exports import export_budget

GENERATED_ON = datetime(2026, 11, 20, 9, 30)
SHEETS = ["Cover", "Summary", "Variance", "Lines by month", "Risk share", "Risk share steps", "Virements",
          "Unmapped rows"]
RAG_FILLS = {"Red": "FFC7CE", "Amber": "FFEB9C", "Green": "C6EFCE"}


def export(database, tmp_path: Path, organisation: str = "NCC", name: str = "budget.xlsx", **options):
    result = export_budget(database, organisation, tmp_path / name, generated_on=GENERATED_ON, **options)
    return result, openpyxl.load_workbook(result.path)


def table(sheet) -> list[dict[str, object]]:
    """The sheet's Excel table as one dict per row, keyed by the header."""
    return _rows(sheet, last_row(sheet))


def totals(sheet) -> list[dict[str, object]]:
    """The rows under the sheet's table, outside it (its totals), keyed by the table's headers."""
    return _rows(sheet, sheet.max_row)[len(table(sheet)):]


def last_row(sheet) -> int:
    (excel_table,) = sheet.tables.values()
    return int(re.search(r"\d+$", excel_table.ref).group())


def _rows(sheet, last: int) -> list[dict[str, object]]:
    rows = sheet.iter_rows(max_row=last, values_only=True)
    headers = next(rows)
    return [dict(zip(headers, row, strict=True)) for row in rows]


def pence(value: object) -> int | None:
    """A money cell back in pence; the writer stores pence / 100, so this is exact for every amount."""
    if value is None:
        return None
    assert value == round(value * 100) / 100  # no fraction of a penny ever reaches a cell
    return round(value * 100)


def figures_of(row: dict[str, object]) -> tuple[object, ...]:
    return (pence(row["Annual budget"]), pence(row["Budget to date"]), pence(row["Actual to date"]),
            pence(row["Year-to-date variance"]), pence(row["Forecast remaining"]), pence(row["Forecast outturn"]),
            pence(row["Full-year variance"]), row["Year-to-date RAG"], row["Full-year RAG"])


def expected(figures: LineFigures) -> tuple[object, ...]:
    return (figures.annual_budget_pence, figures.budget_to_date, figures.actual_to_date, figures.ytd_variance,
            figures.forecast_remaining, figures.forecast_outturn, figures.full_year_variance,
            figures.ytd_rag().value.title(), figures.full_year_rag().value.title())


def cover_checklist(book) -> dict[str, str]:
    return {row[1].value: row[0].value for row in book["Cover"].iter_rows(max_col=2)
            if row[0].value in ("Complete", "Incomplete")}


def test_the_workbook_has_a_cover_then_one_sheet_for_each_part_of_the_report(demo_db, tmp_path):
    result, book = export(demo_db, tmp_path)
    assert book.sheetnames == SHEETS
    assert result.rows == 16
    cover = {row[0].value: row[1].value for row in book["Cover"].iter_rows(min_row=3, max_row=8, max_col=2)}
    assert cover["Organisation"] == "Northshire County Council (NCC)"
    assert cover["As at"] == "M7 2026-27 (Oct-26)"
    assert cover["Generated on"] == "20 November 2026, 09:30"
    for title in SHEETS[1:]:
        sheet = book[title]
        assert sheet.freeze_panes == "A2"
        assert sheet.page_setup.orientation == "landscape"


def test_every_lines_figures_match_the_pool_position_to_the_penny(demo_db, tmp_path):
    position = pool_position(demo_db)
    _, book = export(demo_db, tmp_path)
    rows = table(book["Variance"])
    assert [row["Code"] for row in rows] == [line.code for line in position.lines]
    for row, line in zip(rows, position.lines, strict=True):
        assert figures_of(row) == expected(line.figures), line.code
        assert (row["Line"], row["Responsible partner"], row["Ledger codes"]) == (
            line.name, line.responsible_code, line.mappings)
        assert row["Full-year variance %"] == line.figures.full_year_variance_basis_points / 10_000
    (pool,) = totals(book["Variance"])
    assert (pool["Code"], pool["Line"]) == ("Total", "Whole pool") and figures_of(pool) == expected(position.pool)
    for header in ("Annual budget", "Actual to date", "Forecast outturn", "Full-year variance"):
        assert pence(pool[header]) == sum(pence(row[header]) for row in rows)  # the column's sum, to the penny


def test_the_summary_gives_the_pool_and_each_partners_lines(demo_db, tmp_path):
    position = pool_position(demo_db)
    _, book = export(demo_db, tmp_path)
    rows = {row["Lines"]: row for row in table(book["Summary"])}
    assert list(rows) == ["Lines led by NFT", "Lines led by NCC"]
    # The pool is their total, bold under the table and outside it: a sort of the table leaves it at the foot.
    (pool,) = totals(book["Summary"])
    assert pool["Lines"] == "All lines (the pool)" and pool["Number of lines"] == len(position.lines)
    assert figures_of(pool) == expected(position.pool)
    assert book["Summary"].cell(last_row(book["Summary"]) + 1, 1).font.b
    for code in ("NFT", "NCC"):
        led = [line for line in position.lines if line.responsible_code == code]
        row = rows[f"Lines led by {code}"]
        assert row["Number of lines"] == len(led)
        assert pence(row["Forecast outturn"]) == sum(line.figures.forecast_outturn for line in led)
        assert pence(row["Actual to date"]) == sum(line.figures.actual_to_date for line in led)
    assert sum(pence(rows[f"Lines led by {c}"]["Full-year variance"]) for c in ("NFT", "NCC")) == (
        position.pool.full_year_variance)


def test_lines_by_month_show_budget_actuals_to_date_then_forecast(demo_db, tmp_path):
    position = pool_position(demo_db)
    _, book = export(demo_db, tmp_path)
    sheet = book["Lines by month"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[3:6] == ["M1 Apr-26", "M2 May-26", "M3 Jun-26"] and headers[-2:] == ["M12 Mar-27", "Year"]
    rows = {(row["Code"], row["Measure"]): [pence(row[h]) for h in headers[3:]] for row in table(sheet)}
    assert len(rows) == 4 * len(position.lines)
    for line in position.lines:
        figures = line.figures
        assert rows[line.code, "Budget"] == [*figures.budget_profile, figures.annual_budget_pence]
        assert rows[line.code, "Actual"] == [*(a or 0 for a in figures.actuals[:7]), *[None] * 5,
                                             figures.actual_to_date]
        assert rows[line.code, "Forecast"] == [*[None] * 7, *figures.forecast, figures.forecast_remaining]
        assert rows[line.code, "Outturn"] == [*figures.outturn_by_month, figures.forecast_outturn]
    pool = {row["Measure"]: [pence(row[h]) for h in headers[3:]] for row in totals(sheet)}
    assert list(pool) == ["Budget", "Actual", "Forecast", "Outturn"]
    for measure, months in pool.items():  # each month the lines' sum, to the penny
        assert months == [sum(rows[line.code, measure][m] or 0 for line in position.lines)
                          if any(rows[line.code, measure][m] is not None for line in position.lines) else None
                          for m in range(13)], measure


def test_rag_cells_say_the_status_on_its_own_fill(demo_db, tmp_path):
    position = pool_position(demo_db)
    _, book = export(demo_db, tmp_path)
    sheet = book["Variance"]
    headers = [cell.value for cell in sheet[1]]
    column = headers.index("Full-year RAG") + 1
    seen = set()
    for number, line in enumerate(position.lines, start=2):
        cell = sheet.cell(number, column)
        assert cell.value == line.figures.full_year_rag().value.title()
        assert cell.fill.fgColor.rgb.endswith(RAG_FILLS[cell.value])
        seen.add(cell.value)
    assert len(seen) > 1  # the demo has lines of more than one status, so more than one fill is checked


def test_the_risk_share_sheets_give_each_partners_share_and_every_step(demo_db, tmp_path):
    position = pool_position(demo_db)
    share = position.risk_share
    _, book = export(demo_db, tmp_path)
    rows = {row["Who bears it"]: row for row in table(book["Risk share"])}
    assert pence(rows["Northshire NHS Foundation Trust"]["Share of the forecast variance"]) == (
        share.share_by_partner["NFT"])
    assert pence(rows["Northshire County Council"]["Share of the forecast variance"]) == share.share_by_partner["NCC"]
    assert rows["Northshire NHS Foundation Trust"]["Share of contributions"] == pytest.approx(0.75)
    (total,) = totals(book["Risk share"])
    assert total["Who bears it"] == "Total"
    assert pence(total["Share of the forecast variance"]) == share.total_variance_pence
    assert sum(pence(row["Share of the forecast variance"]) for row in rows.values()) == share.total_variance_pence

    steps = table(book["Risk share steps"])
    assert [row["What happens"] for row in steps] == [step.title for step in share.steps]
    assert " ".join(row["Explanation"] for row in steps) == share.explanation()
    for row, step in zip(steps, share.steps, strict=True):
        assert pence(row["To NFT"]) == step.amounts_by_partner["NFT"]
        assert pence(row["Left for the next step"]) == step.balance_pence
        # Each row adds up across, as a finance reader checks it: the memo of overspend met by underspends, last,
        # moves nothing.
        placed = ("To NFT", "To NCC", "Risk reserve", "Retained in the pool", "Unallocated", "Left for the next step")
        assert pence(row["Variance in"]) == sum(pence(row[column]) for column in placed)
        assert pence(row["Overspend met by underspends (moves nothing)"]) == step.absorbed_pence
    assert list(steps[0])[-1] == "Overspend met by underspends (moves nothing)"
    assert book["Risk share steps"]["C2"].alignment.wrap_text


def test_the_risk_share_sheet_reads_partner_by_partner_down_to_a_bold_total_of_every_column(demo_db, tmp_path):
    position = pool_position(demo_db)
    share = position.risk_share
    _, book = export(demo_db, tmp_path)
    sheet = book["Risk share"]
    rows = [tuple(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
    contributions = position.contributions_by_partner
    # The demo places all its variance on the partners (no reserve, nothing retained or unallocated): one row each,
    # then the total, labelled as the total it is rather than as one of its figures.
    assert [(code, who, pence(paid), part, pence(borne)) for code, who, paid, part, borne in rows] == [
        ("NFT", "Northshire NHS Foundation Trust", contributions["NFT"], 0.75, share.share_by_partner["NFT"]),
        ("NCC", "Northshire County Council", contributions["NCC"], 0.25, share.share_by_partner["NCC"]),
        (None, "Total", sum(contributions.values()), 1, share.total_variance_pence),
    ]
    # The total of the shares is the pool's forecast full-year variance: one figure, so one row holds both.
    assert share.total_variance_pence == position.pool.full_year_variance
    assert all(cell.font.b for cell in sheet[4] if cell.value is not None)
    assert sheet.tables["RiskShare"].ref == "A1:E3"  # the total is under the table, not sorted in among the partners


def test_the_virement_log_lists_the_years_virements_with_board_approval(demo_db, tmp_path):
    virements = virement_log(demo_db, 1, 2026)
    _, book = export(demo_db, tmp_path)
    rows = table(book["Virements"])
    assert len(rows) == len(virements) > 0
    for row, virement in zip(rows, virements, strict=True):
        assert (row["From code"], row["To code"], pence(row["Amount"])) == (
            virement.from_code, virement.to_code, virement.amount_pence)
        assert row["Above delegated limit"] == ("Yes" if virement.above_delegated_limit else "No")
    over = [v for v in virements if v.above_delegated_limit]
    assert over and all(v.board_approval for v in over)


def test_a_virement_is_judged_by_the_delegated_limit_it_was_made_under_not_one_lowered_since(demo_db):
    from dataclasses import replace

    from jointlead.services.budget_setup import agreement_terms, change_agreement

    within = [v.id for v in virement_log(demo_db, 1, 2026) if not v.above_delegated_limit]
    assert within
    agreement_id, terms, partners = agreement_terms(demo_db)
    change_agreement(demo_db, agreement_id, replace(terms, delegated_limit_pence=100), partners)  # £1 from now on
    assert [v.id for v in virement_log(demo_db, 1, 2026) if not v.above_delegated_limit] == within


def test_unmapped_rows_are_the_ledger_rows_in_force_that_feed_no_line(demo_db, tmp_path):
    [(removed, batch)] = stored.rows(
        demo_db, "SELECT id, import_batch_id FROM ledger_transaction WHERE budget_line_id IS NULL ORDER BY id LIMIT 1")
    # A later extract superseded this row: it stays in the table but no longer counts.
    stored.change(demo_db, "UPDATE ledger_transaction SET removed_by_batch_id = :batch WHERE id = :id",
                  batch=batch, id=removed)
    [in_force] = stored.rows(demo_db, "SELECT COUNT(*), SUM(amount_pence) FROM ledger_transaction WHERE year = 2026 "
                                      "AND budget_line_id IS NULL AND removed_by_batch_id IS NULL")
    [first_stored] = stored.rows(
        demo_db, "SELECT organisation_id, period, cost_centre, subjective, description, amount_pence, "
                 "transaction_ref, source_file, source_sheet, source_row FROM ledger_transaction "
                 "WHERE id = (SELECT MIN(id) FROM ledger_transaction WHERE budget_line_id IS NULL "
                 "AND removed_by_batch_id IS NULL)")

    rows = unmapped_rows(demo_db, 1, 2026)
    assert (len(rows), sum(r.amount_pence for r in rows)) == in_force
    assert removed not in {r.transaction_id for r in rows}
    first = min(rows, key=lambda r: r.transaction_id)
    assert (first.period, first.cost_centre, first.subjective, first.description, first.amount_pence,
            first.transaction_ref, first.source_file, first.source_sheet, first.source_row) == first_stored[1:]

    _, book = export(demo_db, tmp_path)
    sheet_rows = table(book["Unmapped rows"])
    assert [row["Transaction id"] for row in sheet_rows] == [r.transaction_id for r in rows]
    assert sum(pence(row["Amount"]) for row in sheet_rows) == in_force[1]
    assert {row["Organisation"] for row in sheet_rows} <= {"NFT", "NCC"}
    assert cover_checklist(book)[f"{in_force[0]} ledger rows of M1 to M7 (£{in_force[1] / 100:,.2f} net) match no "
                                 "budget line and count towards nothing; all are in closed months, which must be "
                                 "unlocked to assign them."] == "Incomplete"


def test_the_checklist_says_what_is_complete_and_what_is_not(demo_db, tmp_path):
    _, book = export(demo_db, tmp_path)
    checklist = cover_checklist(book)
    assert checklist["M1 to M7 are closed: the actuals to date are agreed."] == "Complete"
    assert checklist["Every partner's ledger is loaded for M1 to M7."] == "Complete"
    assert checklist["Every budget line has ledger codes that feed it."] == "Complete"
    assert [item.wording for item in budget_checklist(demo_db, 1, 2026, 7)] == list(checklist)


def test_a_line_without_ledger_codes_is_on_the_checklist(demo_db, tmp_path):
    stored.change(demo_db, "DELETE FROM ledger_mapping WHERE budget_line_id = (SELECT id FROM budget_line "
                           "WHERE code = 'MH05')")
    _, book = export(demo_db, tmp_path)
    assert cover_checklist(book)["1 budget line has no ledger codes, so no actual can reach it: MH05."] == (
        "Incomplete")
    assert {row["Code"]: row["Ledger codes"] for row in table(book["Variance"])}["MH05"] == 0


def test_a_period_not_yet_closed_can_be_reported_and_the_checklist_says_so(demo_db, tmp_path):
    # A month with actuals not closed yet (here M7, unlocked for a correction), as a manager checks it before closing.
    unlock_period(demo_db, None, 2026, 7, "A late journal to take")
    _, book = export(demo_db, tmp_path, as_at=7)
    cover = {row[0].value: row[1].value for row in book["Cover"].iter_rows(min_row=3, max_row=8, max_col=2)}
    assert cover["As at"] == "M7 2026-27 (Oct-26)"
    checklist = cover_checklist(book)
    assert checklist["M7 is not closed: its actuals may still change."] == "Incomplete"
    position = pool_position(demo_db, as_at=7)
    assert figures_of(totals(book["Summary"])[0]) == expected(position.pool)


def test_a_month_with_no_figures_yet_cannot_be_reported(demo_db, tmp_path):
    with pytest.raises(ValidationError, match="M9 2026-27 has no figures yet"):
        export(demo_db, tmp_path, as_at=9)
    assert not (tmp_path / "budget.xlsx").exists()


def test_an_earlier_closed_period_can_be_reported(demo_db, tmp_path):
    _, book = export(demo_db, tmp_path, as_at=5)
    assert cover_checklist(book)["M1 to M5 are closed: the actuals to date are agreed."] == "Complete"
    assert figures_of(totals(book["Summary"])[0]) == expected(pool_position(demo_db, as_at=5).pool)


def test_a_hostile_line_name_is_written_as_quoted_text_never_a_formula(demo_db, tmp_path):
    stored.change(demo_db, """UPDATE budget_line SET name = '=HYPERLINK("x")' WHERE code = 'MH01'""")
    stored.change(demo_db, "UPDATE virement SET reason = '+cmd|'' /C calc''!A0' WHERE id = 1")
    result, book = export(demo_db, tmp_path)
    hostile = [cell for sheet in book for row in sheet.iter_rows() for cell in row
               if isinstance(cell.value, str) and cell.value[:1] in "=+"]
    assert {cell.value for cell in hostile} == {'=HYPERLINK("x")', "+cmd|' /C calc'!A0"}
    assert {cell.parent.title for cell in hostile} == {"Variance", "Lines by month", "Virements"}
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in hostile)
    with zipfile.ZipFile(result.path) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not any("<f>" in xml or "<f " in xml for xml in sheets)


def test_the_same_data_gives_byte_identical_files(demo_db, tmp_path):
    first, _ = export(demo_db, tmp_path, name="first.xlsx")
    second, _ = export(demo_db, tmp_path, name="second.xlsx")
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.sha256 == second.sha256


def test_each_export_is_recorded_in_the_audit_log(demo_db, tmp_path):
    result, _ = export(demo_db, tmp_path, as_at=6)
    [(verb, entity, changes)] = stored.rows(
        demo_db, "SELECT verb, entity, changes_json FROM audit_entry ORDER BY id DESC LIMIT 1")
    assert (verb, entity) == ("export_budget", "export")
    assert {field: new for field, (_, new) in json.loads(changes).items()} == {
        "file": "budget.xlsx", "organisation": "NCC", "as_at": "M6 2026-27 (Sep-26)", "sha256": result.sha256,
        "rows": 16}


def test_an_unknown_organisation_or_a_non_partner_is_refused_and_nothing_is_written(demo_db, tmp_path):
    with pytest.raises(JointleadError, match="no organisation with the code 'XYZ'"):
        export_budget(demo_db, "XYZ", tmp_path / "x.xlsx")
    stored.change(demo_db, "INSERT INTO organisation (code, name, kind, colour) "
                           "VALUES ('NICB', 'Northshire ICB', 'ICB', '#005EB8')")
    with pytest.raises(JointleadError, match=r"Northshire ICB \(NICB\) is not a partner"):
        export_budget(demo_db, "nicb", tmp_path / "x.xlsx")
    with pytest.raises(JointleadError, match="M13 is not a period"):
        export_budget(demo_db, "NCC", tmp_path / "x.xlsx", as_at=13)
    assert not (tmp_path / "x.xlsx").exists()


def test_report_periods_give_the_closed_periods_and_the_last_one_as_the_default(demo_db):
    periods = report_periods(demo_db)
    assert (periods.year.label, periods.default_as_at, sorted(periods.closed)) == ("2026-27", 7, list(range(1, 8)))


def test_report_periods_is_none_without_a_pool(empty_db):
    assert report_periods(empty_db) is None


# The command


def test_export_budget_writes_the_workbook_and_exits_0(demo_path, tmp_path):
    out = tmp_path / "NCC budget.xlsx"
    result = jointlead("export", "budget", "--db", str(demo_path), "--org", "NCC", "--out", str(out),
                       "--as-at", "M7")
    assert result.returncode == 0, result.stderr
    assert "16 budget lines" in result.stdout
    assert openpyxl.load_workbook(out).sheetnames == SHEETS


def test_export_budget_of_a_month_with_no_figures_yet_is_refused(demo_path, tmp_path):
    out = tmp_path / "b.xlsx"
    result = jointlead("export", "budget", "--db", str(demo_path), "--org", "NFT", "--out", str(out), "--as-at", "m9")
    assert result.returncode == 1
    assert "has no figures yet" in result.stderr and "Choose a month up to M7" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(("arguments", "code", "message"), [
    (("--org", "XYZ"), 1, "no organisation with the code 'XYZ'"),
    (("--org", "NCC", "--as-at", "M13"), 2, "'M13' is not a period"),
    (("--org", "NCC", "--as-at", "October"), 2, "'October' is not a period"),
    (("--org", "NCC", "--fy", "2026"), 2, "not a financial year"),
    (("--as-at", "M7",), 2, "--org"),
])
def test_export_budget_exits_1_for_what_the_user_can_fix_and_2_for_usage(demo_path, tmp_path, arguments, code,
                                                                         message):
    out = tmp_path / "b.xlsx"
    result = jointlead("export", "budget", "--db", str(demo_path), "--out", str(out), *arguments)
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_export_budget_explains_a_missing_database(tmp_path):
    result = jointlead("export", "budget", "--db", str(tmp_path / "nowhere.sqlite"), "--org", "NCC", "--out",
                       str(tmp_path / "b.xlsx"))
    assert result.returncode == 1
    assert "There is no database at" in result.stderr
