"""The budget's checklist, as the Close dialog, the dashboard and the packs say it: a month's ledger imported without
some of its extract's rows is not all in, and the unmapped rows counted are those of the months reported."""

from __future__ import annotations

from datetime import UTC, date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

import stored
from jointlead.domain.calendar import FinancialYear, format_day
from jointlead.services.budget_month import assign_ledger_rows, close_period, unlock_period
from jointlead.services.budget_report import budget_checklist, unmapped_words
from jointlead.services.budget_setup import (
    AgreementTerms,
    LineTerms,
    PartnerTerms,
    add_budget_line,
    add_contribution,
    add_ledger_mapping,
    set_up_agreement,
)
from jointlead.services.imports import apply_import, preview_ledger_import, undo_import
from jointlead.services.picture import as_at_picture
from jointlead.store.models import Agreement, ImportBatch

YEAR = 2026
FY = FinancialYear(YEAR)
LOADED = "Every partner's ledger is loaded for M1 to M{}."


@pytest.fixture
def pool(empty_db) -> int:
    """A pool of two partners, each with one line fed by one cost centre; its agreement's id."""
    set_up_agreement(empty_db, AgreementTerms(title="Westshire Better Care Fund", host="WHT", first_year=YEAR),
                     (PartnerTerms("WHT", "Westshire Health Trust", "NHS trust"),
                      PartnerTerms("WCC", "Westshire County Council", "county council")))
    with empty_db.session() as session:
        agreement_id = session.scalar(select(Agreement.id))
    for code, partner, centre in (("L1", "WHT", "CH100"), ("L2", "WCC", "SC200")):
        add_budget_line(empty_db, agreement_id, LineTerms(code, code, "pay", partner), YEAR, 1_200_000_00)
        line_id = stored.scalar(empty_db, "SELECT id FROM budget_line WHERE code = :code", code=code)
        add_ledger_mapping(empty_db, line_id, partner, centre)
        add_contribution(empty_db, agreement_id, partner, YEAR, "Contribution", 1_200_000_00)
    return agreement_id


def extract(folder: Path, name: str, rows: list[tuple[str, int, str, object]]) -> Path:
    """A ledger extract of (cost centre, period, transaction id, amount) rows; an amount that is no amount of money
    makes its row one the import rejects."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Detail"
    sheet.append(["Cost Centre", "Subjective", "Period", "Transaction", "Description", "Amount"])
    for centre, period, ref, amount in rows:
        sheet.append([centre, "5101", period, ref, "Posting", amount])
    path = folder / name
    workbook.save(path)
    return path


def imported(database, path: Path, partner: str) -> str:
    """Import the extract's valid rows, as the manager who ticks "Import the valid rows" does; the day it was
    imported on, as the checklist says it."""
    result = apply_import(database, preview_ledger_import(database, path, partner, year=FY), accept_valid=True)
    with database.session() as session:
        on = session.get(ImportBatch, result.batch_id).imported_at
    return format_day(on.replace(tzinfo=UTC).astimezone().date())  # recorded in UTC, said in local time


def wordings(database, agreement_id: int, as_at: int, **options) -> dict[str, bool]:
    return {item.wording: item.ok for item in budget_checklist(database, agreement_id, YEAR, as_at, **options)}


def test_a_month_imported_without_a_row_of_its_extract_is_not_all_in_until_the_corrected_extract_brings_it(
        empty_db, pool, tmp_path):
    imported(empty_db, extract(tmp_path, "WHT M1.xlsx", [("CH100", 1, "H1", 100_000)]), "WHT")
    council = [("SC200", 1, "C1", 90_000), ("SC200", 1, "C2", 163.57)]
    on = imported(empty_db, extract(tmp_path, "WCC M1.xlsx", [*council[:1], ("SC200", 1, "C2", "163.5.7")]), "WCC")
    left_out = (f"Ledger rows not imported: 1 row of WCC's extract for M1 (WCC M1.xlsx, imported on {on}: row "
                "Detail!3:3) was rejected, so the actuals leave it out. To bring it in, import the corrected extract.")
    closing = wordings(empty_db, pool, 1, closing=True)
    assert closing[left_out] is False
    assert LOADED.format(1) not in closing  # both partners have rows for M1, but WCC's are not all in
    # The dashboard's "Ready for the pack?" and the packs say it too.
    assert (left_out, False) in as_at_picture(empty_db, date(2026, 5, 7), as_at=1).checklist

    # The manager may close the month all the same; the checklist then says how to bring the row in.
    close_period(empty_db, pool, YEAR, 1, today=date(2026, 5, 7))
    unlock_first = left_out.replace("To bring it in, ", "To bring it in, unlock M1 on the Budgets page (Unlock…, "
                                                         "giving the reason), then ")
    assert wordings(empty_db, pool, 1)[unlock_first] is False
    # The next month's extract, complete, does not answer for M1; and an import leaving rows out of M2 is not said
    # as at M1, whose figures it does not touch.
    imported(empty_db, extract(tmp_path, "WHT M2.xlsx", [("CH100", 2, "H2", 100_000)]), "WHT")
    on_m2 = imported(empty_db, extract(tmp_path, "WCC M2.xlsx", [("SC200", 2, "C3", 80_000),
                                                                ("SC200", 2, "C4", "n/a")]), "WCC")
    assert wordings(empty_db, pool, 1)[unlock_first] is False
    assert not any("M2" in wording for wording in wordings(empty_db, pool, 1))
    as_at_m2 = wordings(empty_db, pool, 2)
    assert as_at_m2[f"Ledger rows not imported: 1 row of WCC's extract for M1 (WCC M1.xlsx, imported on {on}: row "
                    f"Detail!3:3); 1 row of WCC's extract for M2 (WCC M2.xlsx, imported on {on_m2}: row Detail!3:3) "
                    "were rejected, so the actuals leave them out. To bring them in, unlock M1 on the Budgets page "
                    "(Unlock…, giving the reason), then import the corrected extracts."] is False

    # The corrected M1 extract brings the row in: M1 is all in again, M2 still is not.
    unlock_period(empty_db, pool, YEAR, 1, "WCC's corrected M1 extract", today=date(2026, 6, 7))
    imported(empty_db, extract(tmp_path, "WCC M1 corrected.xlsx", council), "WCC")
    assert wordings(empty_db, pool, 1, closing=True)[LOADED.format(1)] is True
    assert [wording for wording, ok in wordings(empty_db, pool, 2).items() if "not imported" in wording] == [
        f"Ledger rows not imported: 1 row of WCC's extract for M2 (WCC M2.xlsx, imported on {on_m2}: row "
        "Detail!3:3) was rejected, so the actuals leave it out. To bring it in, import the corrected extract."]


def test_the_checklist_names_where_the_first_rows_left_out_were(empty_db, pool, tmp_path):
    """Five rows left out: the first three are named by the place in the extract the manager's rejected-rows workbook
    and the partner's file both show, and the rest counted."""
    imported(empty_db, extract(tmp_path, "WHT M1.xlsx", [("CH100", 1, "H1", 100_000)]), "WHT")
    bad = [("SC200", 1, f"C{n}", "n/a") for n in range(2, 7)]
    on = imported(empty_db, extract(tmp_path, "WCC M1.xlsx", [("SC200", 1, "C1", 90_000), *bad]), "WCC")
    [left_out] = [wording for wording in wordings(empty_db, pool, 1) if "not imported" in wording]
    assert left_out.startswith(f"Ledger rows not imported: 5 rows of WCC's extract for M1 (WCC M1.xlsx, imported on "
                               f"{on}: rows Detail!3:3, Detail!4:4, Detail!5:5 and 2 more) were rejected")


def test_an_import_undone_no_longer_says_it_left_rows_out(empty_db, pool, tmp_path):
    imported(empty_db, extract(tmp_path, "WHT M1.xlsx", [("CH100", 1, "H1", 100_000)]), "WHT")
    imported(empty_db, extract(tmp_path, "WCC M1.xlsx", [("SC200", 1, "C1", 90_000)]), "WCC")
    partial = apply_import(empty_db, preview_ledger_import(
        empty_db, extract(tmp_path, "WCC M1 again.xlsx", [("SC200", 1, "C1", 90_000), ("SC200", 1, "C2", 1_000),
                                                          ("SC200", 1, "C3", "x")]), "WCC", year=FY),
        accept_valid=True)
    assert any("not imported" in wording for wording in wordings(empty_db, pool, 1))
    undo_import(empty_db, partial.batch_id)  # the earlier, complete, import of M1 is the latest again
    assert wordings(empty_db, pool, 1)[LOADED.format(1)] is True


def test_the_unmapped_rows_counted_are_those_of_the_months_reported(empty_db, pool, tmp_path):
    imported(empty_db, extract(tmp_path, "WHT M1.xlsx", [("CH100", 1, "H1", 100_000), ("XX1", 1, "H2", 1_000)]),
             "WHT")
    imported(empty_db, extract(tmp_path, "WCC M1.xlsx", [("SC200", 1, "C1", 90_000)]), "WCC")
    close_period(empty_db, pool, YEAR, 1, today=date(2026, 5, 7))
    # M2's extracts are in, not yet closed, with two more rows no line takes.
    imported(empty_db, extract(tmp_path, "WHT M2.xlsx", [("CH100", 2, "H3", 100_000), ("XX1", 2, "H4", 2_000)]),
             "WHT")
    imported(empty_db, extract(tmp_path, "WCC M2.xlsx", [("SC200", 2, "C2", 90_000), ("XX2", 2, "C3", 3_000)]),
             "WCC")
    as_at_m1 = ("1 ledger row of M1 (£1,000.00 net) matches no budget line and counts towards nothing; it is in a "
                "closed month, which must be unlocked to assign it.")
    assert wordings(empty_db, pool, 1)[as_at_m1] is False
    assert (as_at_m1, False) in as_at_picture(empty_db, date(2026, 6, 20), as_at=1).checklist  # the pack as at M1
    # Closing M2, the rows of M1 wait on an unlock; M2's can be assigned before it closes.
    assert wordings(empty_db, pool, 2, closing=True)[
        "3 ledger rows of M1 to M2 (£6,000.00 net) match no budget line and count towards nothing; 1 is in a closed "
        "month, which must be unlocked to assign it."] is False


@pytest.mark.parametrize(("rows", "closed", "as_at", "wording"), [
    (0, 0, 7, "Every ledger row of M1 to M7 matches a budget line."),
    (0, 0, 0, "Every ledger row matches a budget line."),
    (1, 0, 1, "1 ledger row of M1 (£1.00 net) matches no budget line and counts towards nothing until assigned."),
    (1, 1, 0, "1 ledger row (£1.00 net) matches no budget line and counts towards nothing; it is in a closed month, "
              "which must be unlocked to assign it."),
    (5, 1, 8, "5 ledger rows of M1 to M8 (£1.00 net) match no budget line and count towards nothing; 1 is in a "
              "closed month, which must be unlocked to assign it."),
    (5, 5, 8, "5 ledger rows of M1 to M8 (£1.00 net) match no budget line and count towards nothing; all are in "
              "closed months, which must be unlocked to assign them."),
])
def test_the_unmapped_rows_wording_agrees_with_its_numbers(rows, closed, as_at, wording):
    assert unmapped_words(rows, 100, closed, as_at) == wording


def test_rows_of_a_closed_month_whose_codes_were_given_a_line_since_say_so(empty_db, pool, tmp_path):
    """An unmapped row of a closed month stays off every line when a later month's row with its codes is assigned
    and remembered: the checklist says its codes now lead to that line, not only that it matches none."""
    imported(empty_db, extract(tmp_path, "WHT M1.xlsx", [("CH100", 1, "H1", 100_000), ("XX1", 1, "H2", 1_000),
                                                         ("XX9", 1, "H3", 500)]), "WHT")
    imported(empty_db, extract(tmp_path, "WCC M1.xlsx", [("SC200", 1, "C1", 90_000)]), "WCC")
    close_period(empty_db, pool, YEAR, 1, today=date(2026, 5, 7))
    imported(empty_db, extract(tmp_path, "WHT M2.xlsx", [("CH100", 2, "H4", 100_000), ("XX1", 2, "H5", 2_000)]),
             "WHT")
    imported(empty_db, extract(tmp_path, "WCC M2.xlsx", [("SC200", 2, "C2", 90_000)]), "WCC")
    line_id = stored.scalar(empty_db, "SELECT id FROM budget_line WHERE code = 'L1'")
    assign_ledger_rows(empty_db, [stored.scalar(empty_db, "SELECT id FROM ledger_transaction WHERE period = 2 AND "
                                                          "cost_centre = 'XX1'")], line_id, remember=True)
    close_period(empty_db, pool, YEAR, 2, today=date(2026, 6, 7))
    assert wordings(empty_db, pool, 2)[
        "2 ledger rows of M1 to M2 (£1,500.00 net) match no budget line and count towards nothing; all are in closed "
        "months, which must be unlocked to assign them. The ledger codes of 1 of them have since been given a line: "
        "L1."] is False


@pytest.mark.parametrize(("rows", "lines", "wording"), [
    (1, ["MH10"], "1 ledger row of M1 to M8 (£1.00 net) matches no budget line and counts towards nothing; it is in a "
                  "closed month, which must be unlocked to assign it. Its ledger codes have since been given a line: "
                  "MH10."),
    (3, ["MH10", "MH15"], "3 ledger rows of M1 to M8 (£1.00 net) match no budget line and count towards nothing; all "
                         "are in closed months, which must be unlocked to assign them. Their ledger codes have since "
                         "been given a line: MH10 and MH15."),
])
def test_the_wording_of_rows_given_a_line_since_agrees_with_its_numbers(rows, lines, wording):
    assert unmapped_words(rows, 100, rows, 8, rows, lines) == wording
