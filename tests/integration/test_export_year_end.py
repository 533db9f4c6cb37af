"""The pack and the monitoring workbook at the year end, and what they say of each partner's share at any time: the
actual outturn once M12 is closed (never "forecast"), the year-end settlement to the penny, a net share said as one,
and every incomplete budget item on the pack's checklist."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest

from integration.test_packs import end_the_year, pence, table
from jointlead.domain.calendar import FinancialYear
from jointlead.services.budget_setup import LineTerms, add_budget_line
from jointlead.services.demo import DEMO_TODAY
from jointlead.services.exports import export_budget
from jointlead.services.packs import export_pack
from jointlead.services.reconciliation import year_end_reconciliation

GENERATED_ON = datetime(2027, 4, 20, 9, 30)
YEAR_END_DAY = date(2027, 4, 20)


def cells(sheet) -> list[str]:
    """Every text on a sheet."""
    return [value for row in sheet.iter_rows(values_only=True) for value in row if isinstance(value, str)]


def notes(book) -> list[str]:
    """The cover's lines under its header block, up to its checklist."""
    lines = [row[0] for row in book["Cover"].iter_rows(values_only=True) if row[0]]
    return lines[lines.index("Source database") + 1:lines.index("Checklist")] if "Checklist" in lines else lines


def checklist(book) -> list[tuple[str, str]]:
    rows = list(book["Cover"].iter_rows(values_only=True))
    first = next(i for i, row in enumerate(rows) if row[0] == "Checklist") + 1
    last = next(i for i, row in enumerate(rows) if row[0] == "Sheet")
    return [(row[0], row[1]) for row in rows[first:last] if row[0]]


@pytest.fixture
def final_year(demo_db):
    """The demo year run on to its end: M8 to M12 closed in April, next year's budgets in."""
    end_the_year(demo_db)
    return demo_db


def test_once_m12_is_closed_the_pack_says_the_actual_outturn_and_never_forecast(final_year, tmp_path):
    result = export_pack(final_year, "NCC", tmp_path / "pack.xlsx", today=YEAR_END_DAY, generated_on=GENERATED_ON)
    book = openpyxl.load_workbook(result.path)

    variance = year_end_reconciliation(final_year, year=FinancialYear(2026)).variance_pence
    assert variance < 0
    cover = notes(book)
    assert f"The pool underspent by £{-variance / 100:,.2f} in 2026-27 (red): the actual outturn, M12 closed." in cover
    summary = {row["What"]: row for row in table(book["Budget summary"])}
    assert pence(summary["Actual outturn"]["The pool"]) - 12_800_000_00 == variance
    assert "NCC's share of the variance" in summary and "Full-year variance" in summary
    lines = next(book["Budget lines"].iter_rows(values_only=True))
    assert "Actual outturn" in lines
    for sheet in ("Cover", "Budget summary", "Budget lines", "Year-end settlement"):
        assert not [text for text in cells(book[sheet]) if "forecast" in text.lower()], sheet


def test_once_m12_is_closed_the_monitoring_workbook_heads_its_figures_as_actual(final_year, tmp_path):
    book = openpyxl.load_workbook(export_budget(final_year, "NCC", tmp_path / "budget.xlsx",
                                                generated_on=GENERATED_ON).path)

    cover = notes(book)
    assert cover[1].startswith("The pool underspent by ") and cover[1].endswith("the actual outturn, M12 closed.")
    assert "Every line of the pool: its actual outturn for the year, every month closed." in cover
    assert not [line for line in cover if "forecast" in line.lower()]
    for sheet in ("Summary", "Variance"):
        headers = next(book[sheet].iter_rows(values_only=True))
        assert "Actual outturn" in headers and "Forecast outturn" not in headers, sheet
    headers = next(book["Risk share"].iter_rows(values_only=True))
    assert headers[-1] == "Share of the variance"


@pytest.mark.parametrize("export", ["pack", "budget"])
def test_the_year_end_settlement_sheet_is_the_year_end_reconciliation_to_the_penny(final_year, tmp_path, export):
    if export == "pack":
        path = export_pack(final_year, "NFT", tmp_path / "pack.xlsx", today=YEAR_END_DAY,
                           generated_on=GENERATED_ON).path
    else:
        path = export_budget(final_year, "NFT", tmp_path / "budget.xlsx", generated_on=GENERATED_ON).path
    book = openpyxl.load_workbook(path)
    result = year_end_reconciliation(final_year, year=FinancialYear(2026), today=YEAR_END_DAY)
    reconciliation = result.reconciliation
    assert result.final

    rows = table(book["Year-end settlement"])
    partners = {row["Code"]: row for row in rows if row["Code"]}
    assert list(partners) == ["NFT", "NCC"]
    for partner in reconciliation.partners:
        row = partners[partner.code]
        assert (pence(row["Contribution due"]), pence(row["Paid"]), pence(row["Not yet due"]),
                pence(row["Share of the variance"]), pence(row["Balance"]), row["Settlement"]) == (
            partner.due_pence, partner.paid_pence, 0, partner.share_pence, partner.balance_pence, partner.words)
        # Each row adds up across, as its description says.
        assert (pence(row["Contribution due"]) - pence(row["Paid"]) - pence(row["Not yet due"])
                + pence(row["Share of the variance"])) == pence(row["Balance"])
    (settlement,) = reconciliation.settlements
    assert partners["NCC"]["Settlement"] == str(settlement)
    assert partners["NFT"]["Partner"] == "Northshire NHS Foundation Trust (host)"
    total = next(row for row in book["Year-end settlement"].iter_rows(values_only=True) if row[1] == "Total")
    assert pence(total[5]) == reconciliation.total_variance_pence
    assert pence(total[6]) == (reconciliation.total_due_pence - reconciliation.total_paid_pence
                               + reconciliation.total_variance_pence)
    description = [text for text in cells(book["Cover"]) if text.startswith("Final: the actual outturn")]
    assert description and f"{settlement}." in description[0]


def test_before_the_year_end_neither_workbook_has_a_settlement_sheet_and_both_say_forecast(demo_db, tmp_path):
    pack = openpyxl.load_workbook(export_pack(demo_db, "NFT", tmp_path / "pack.xlsx", as_at=7, today=DEMO_TODAY,
                                              generated_on=GENERATED_ON).path)
    budget = openpyxl.load_workbook(export_budget(demo_db, "NFT", tmp_path / "budget.xlsx", as_at=7,
                                                  generated_on=GENERATED_ON).path)

    for book in (pack, budget):
        assert "Year-end settlement" not in book.sheetnames
        assert notes(book)[1].startswith("The pool is forecast to underspend by £14,578.93")
    assert "Forecast outturn" in next(budget["Variance"].iter_rows(values_only=True))


def test_a_share_that_is_net_of_overspend_and_underspend_is_said_as_a_net_share(demo_db, tmp_path):
    """The demo's pool is forecast £14,578.93 under, and the NHS's share is £14,215.14: its fixed-share line's
    overspend less the part of the underspend returned to it. It does not bear that much "of the overspend"."""
    book = openpyxl.load_workbook(export_pack(demo_db, "NFT", tmp_path / "pack.xlsx", as_at=7, today=DEMO_TODAY,
                                              generated_on=GENERATED_ON).path)
    net = ("NFT bears a net £14,215.14: the overspend on its fixed-share lines less its part of the underspend "
           "returned")

    summary = {row["What"]: row for row in table(book["Budget summary"])}
    assert summary["NFT's share of the forecast variance"]["Explanation"] == f"{net}."
    assert f"Under the risk share, {net}." in notes(book)
    council = openpyxl.load_workbook(export_budget(demo_db, "NCC", tmp_path / "budget.xlsx", as_at=7,
                                                   generated_on=GENERATED_ON).path)
    assert "Under the risk share, £28,794.07 of underspend returns to NCC." in notes(council)


def test_the_packs_checklist_has_every_budget_item_that_is_incomplete(demo_db, tmp_path):
    # A new line with its budget and no ledger codes yet: no actual can reach it.
    add_budget_line(demo_db, 1, LineTerms("MH17", "New crisis service", "pay", "NFT"), 2026, 12_000_000)

    book = openpyxl.load_workbook(export_pack(demo_db, "NFT", tmp_path / "pack.xlsx", as_at=7, today=DEMO_TODAY,
                                              generated_on=GENERATED_ON).path)

    assert ("Incomplete", "1 budget line has no ledger codes, so no actual can reach it: MH17.") in checklist(book)
    # What is complete is said of the months alone, as before.
    assert ("Complete", "M1 to M7 are closed: the actuals to date are agreed.") in checklist(book)
    assert not [wording for state, wording in checklist(book) if state == "Complete" and "budget line" in wording]


def test_a_pack_as_at_m12_with_a_month_open_again_has_a_provisional_settlement(final_year, tmp_path):
    from jointlead.services.budget_month import unlock_period

    unlock_period(final_year, None, 2026, 9, "A late accrual", today=YEAR_END_DAY)
    book = openpyxl.load_workbook(export_pack(final_year, "NCC", tmp_path / "pack.xlsx", as_at=12,
                                              year=FinancialYear(2026), today=YEAR_END_DAY,
                                              generated_on=GENERATED_ON).path)

    description = [text for text in cells(book["Cover"]) if text.startswith("Provisional: the forecast outturn")]
    assert description and "M9 is open again" in description[0]
    assert notes(book)[1].startswith("The pool is forecast to underspend")
    assert "Year-end settlement" in book.sheetnames
