"""Ledger imports at month end on the demo: what a preview says about closed months, the wrong year or month, the
wrong partner, and what its net total is of."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import stored
from exchange import hostile
from jointlead.domain.calendar import FinancialYear
from jointlead.services import imports
from jointlead.store.models import PeriodClose
from jointlead.store.uow import UnitOfWork

FY = FinancialYear(2026)
NOVEMBER = date(2026, 11, 10)
HEADER = ["Cost Centre", "Subjective", "Period", "Posting Date", "Journal Line Ref", "Description", "Value £"]
NFT_CODES = ("C41200", "51100")  # the demo's agency nursing line, in the trust's ledger
NCC_CODES = ("MH3300", "4101")  # the demo's placements line, in the council's ledger
content = stored.digest  # a digest of every table: an import that is refused changes nothing at all


def extract(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    return hostile.write_xlsx(path, {"Ledger": [header, *rows]})


def posting(ref: str, amount: str, period: object = "M8", posted: date | None = NOVEMBER,
            codes: tuple[str, str] = NFT_CODES) -> list[object]:
    return [*codes, period, posted, ref, "Agency nurse", amount]


def close(database, period: int) -> None:
    with UnitOfWork(database) as uow:
        uow.session.add(PeriodClose(agreement_id=1, year=2026, period=period, closed_on=date(2026, 12, 8),
                                    closed_by="t"))
        uow.commit()


def preview(database, path: Path, partner: str = "NFT", **options) -> imports.ImportPreview:
    return imports.preview_ledger_import(database, path, partner, today=date(2026, 12, 4), **options)


def m8_imported(database, folder: Path) -> list[list[object]]:
    """NFT's November extract, imported: J1 £100.00, J2 £40.00, J3 £9.00."""
    rows = [posting("J1", "100.00"), posting("J2", "40.00"), posting("J3", "9.00")]
    imports.apply_import(database, preview(database, extract(folder / "m8.xlsx", rows)))
    return rows


# --- a posting gone from a closed month --------------------------------------------------------------------------

def test_a_posting_gone_from_a_closed_month_is_kept_and_the_preview_says_which_and_what_to_do(demo_db, tmp_path):
    rows = m8_imported(demo_db, tmp_path)
    close(demo_db, 8)
    without_j2 = preview(demo_db, extract(tmp_path / "m8 v3.xlsx", [rows[0], rows[2]]))
    assert (without_j2.rejected, without_j2.removed, without_j2.unchanged) == ((), (), 2)
    assert not without_j2.changes_anything and without_j2.differs_in_closed_months
    # Was: nothing said, and "every row is already recorded".
    assert without_j2.notices == (
        "A posting imported into M8 2026-27 is no longer in this extract: J2 (£40.00). M8 is closed, so it was not "
        "removed: its figures were agreed at month end and are locked. If this extract corrects M8, unlock it on the "
        "Budgets page (Unlock…, giving the reason), then import it again.",)
    before = content(demo_db)
    assert imports.apply_import(demo_db, without_j2).batch_id is None
    assert content(demo_db) == before


def test_the_same_extract_sent_again_after_its_month_closed_says_nothing_of_closed_months(demo_db, tmp_path):
    rows = m8_imported(demo_db, tmp_path)
    close(demo_db, 8)
    again = preview(demo_db, extract(tmp_path / "m8 again.xlsx", rows))
    assert (again.notices, again.kept_in_closed, again.differs_in_closed_months) == ((), 0, False)


# --- the wrong year or month -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("year", "message", "advice"), [
    (FinancialYear(2025), "Northshire Integrated Mental Health Section 75 Pooled Fund runs from 2026-27 to 2028-29, "
                          "so it has no 2025-26: a ledger imported into 2025-26 would show on no page.",
     "Check which financial year the extract is for. Leave the financial year out to import into the year being "
     "reported."),
    (FinancialYear(2027), "2027-28 has not been started in Northshire Integrated Mental Health Section 75 Pooled "
                          "Fund: it has no budgets yet, so a ledger imported into it would show on no page (the pool "
                          "has 2026-27).",
     "If the extract is for 2027-28, start that year on the Budgets page (Start next year…), then import it. Leave "
     "the financial year out to import into the year being reported."),
])
def test_an_extract_is_refused_for_a_year_the_pool_does_not_have(demo_db, tmp_path, year, message, advice):
    path = extract(tmp_path / "m8.xlsx", [posting("J1", "100.00", posted=None)])
    before = content(demo_db)
    with pytest.raises(imports.YearOutsidePool) as refused:  # was: imported into that year, shown on no page
        preview(demo_db, path, year=year)
    assert (refused.value.message, refused.value.advice) == (message, advice)
    with pytest.raises(imports.YearOutsidePool):  # the wizard's mapping step reads the file in that year too
        imports.describe_source(demo_db, path, "ledger", "NFT", year=year)
    assert content(demo_db) == before
    assert preview(demo_db, path, year=FY).period_label == "M8 2026-27"


def test_an_extract_whose_periods_are_calendar_months_is_refused_saying_so_and_reads_by_its_dates_without_them(
        demo_db, tmp_path):
    path = extract(tmp_path / "month column.xlsx", [posting("J1", "100.00", period=11),
                                                     posting("J2", "40.00", period=11, posted=date(2026, 11, 30)),
                                                     posting("J3", "9.00", period=12, posted=date(2026, 12, 1))])
    with pytest.raises(imports.DatesDisagree) as refused:  # was: imported into M11 and M12
        preview(demo_db, path)
    assert refused.value.message == (
        "The Period column holds calendar months, not the financial year's periods (M1 is April): it holds 11 for 2 "
        "postings dated in November 2026, which is M8 2026-27 (Ledger!C2, Ledger!C3) and 12 for 1 posting dated in "
        "December 2026, which is M9 2026-27 (Ledger!C4). Read as periods, every one would go into the wrong month, "
        "so nothing was imported.")
    assert refused.value.advice == (
        "Import the file without its Period column, so each posting's date decides its month: add --map period= to "
        "the command. Or ask NFT for the extract with financial periods (M8 for November).")
    assert refused.value.wizard_advice == (
        "Import the file without its Period column, so each posting's date decides its month: choose “(not in this "
        "file)” for Period at the Sheet and columns step. Or ask NFT for the extract with financial periods (M8 for "
        "November).")
    by_dates = preview(demo_db, path, overrides={"period": ""})
    assert (len(by_dates.added), by_dates.period_label) == (3, "M8 and M9 2026-27")


def test_a_posting_whose_period_is_not_the_month_of_its_date_stops_the_file_naming_it(demo_db, tmp_path):
    rows = [posting("J1", "100.00"), posting("J2", "40.00", period="M9"),
            posting("J3", "9.00", posted=date(2025, 11, 10))]  # a year out
    with pytest.raises(imports.DatesDisagree) as refused:
        preview(demo_db, extract(tmp_path / "m8.xlsx", rows))
    assert refused.value.message == (
        "The Period column and the Posting Date column disagree: the Period column holds M9 for 1 posting dated in "
        "November 2026, which is M8 2026-27 (Ledger!C3) and M8 for 1 posting dated in November 2025, which is M8 "
        "2025-26 (Ledger!C4). Which month the money belongs to cannot be told, so nothing was imported.")
    assert refused.value.advice == (
        "If the Posting Date column is not when the postings were made (an invoice or document date), import the "
        "file without it: add --map posting_date= to the command. If the periods are wrong, ask NFT for the extract "
        "again.")


@pytest.mark.parametrize(("periods", "into"), [(["M8"], "M8 2026-27"), (["M8", "M9"], "M8 and M9 2026-27"),
                                               (["M8", "M10"], "M8 and M10 2026-27"),
                                               (["M8", "M9", "M10", "M12"], "M8 to M10 and M12 2026-27")])
def test_the_preview_names_the_months_the_extract_goes_into(demo_db, tmp_path, periods, into):
    rows = [posting(f"J{n}", "1.00", period=period, posted=None) for n, period in enumerate(periods)]
    assert preview(demo_db, extract(tmp_path / "ledger.xlsx", rows)).period_label == into  # was: "2026-27"


def test_a_year_to_date_extract_names_its_closed_months_too(demo_db, tmp_path):
    rows = [posting(f"J{period}", "1.00", period=f"M{period}", posted=None) for period in range(1, 9)]
    found = preview(demo_db, extract(tmp_path / "ytd.xlsx", rows))
    assert found.period_label == "M1 to M8 2026-27" and found.in_closed_months == 7


# --- another partner's extract ----------------------------------------------------------------------------------

def test_another_partners_extract_says_whose_it_looks_like_and_what_it_would_remove_and_needs_confirming(
        demo_db, tmp_path):
    m8_imported(demo_db, tmp_path)
    council = extract(tmp_path / "NCC P08.xlsx", [posting("DOC 1", "50.00", codes=NCC_CODES),
                                                   posting("DOC 2", "70.00", codes=NCC_CODES),
                                                   posting("DOC 3", "5.00", codes=("MH9999", "9999"))])
    found = preview(demo_db, council)
    assert (len(found.added), found.unmapped, len(found.removed)) == (3, 3, 3)
    assert found.partner_warning == (  # was: only that the rows "would be imported under NFT as unmapped rows"
        "This looks like NCC's extract, not NFT's: 2 of its 3 rows match NCC's ledger codes, and none matches NFT's. "
        "Imported as NFT's, its 3 rows would be added under NFT, all unmapped, and 3 of NFT's postings imported "
        "before in M8 2026-27 (net £149.00) would be removed, as no longer in NFT's extract.")
    before = content(demo_db)
    with pytest.raises(imports.ImportRejected) as refused:  # was: applied, NFT's November gone
        imports.apply_import(demo_db, found)
    assert refused.value.message.endswith("Nothing was imported.")
    assert content(demo_db) == before
    result = imports.apply_import(demo_db, imports.with_partner_confirmed(found))
    assert (result.added, result.removed) == (3, 3)


def test_an_extract_matching_none_of_the_partners_codes_needs_confirming_only_where_it_would_remove_postings(
        demo_db, tmp_path):
    unknown = [posting("X1", "5.00", codes=("ZZ100", "0001"))]
    first = preview(demo_db, extract(tmp_path / "unknown.xlsx", unknown))
    assert first.partner_warning == "" and first.notices == (
        "None of the 1 row matches NFT's ledger codes. Check that this is NFT's extract: another partner's would be "
        "imported under NFT as unmapped rows.",)
    m8_imported(demo_db, tmp_path)
    after = preview(demo_db, extract(tmp_path / "unknown 2.xlsx", unknown))
    assert after.partner_warning == (
        "None of the 1 row matches NFT's ledger codes, so this may be another partner's extract. Imported as NFT's, "
        "its 1 row would be added under NFT, all unmapped, and 3 of NFT's postings imported before in M8 2026-27 "
        "(net £149.00) would be removed, as no longer in NFT's extract.")


# --- the net total ----------------------------------------------------------------------------------------------

def test_the_net_total_is_of_every_posting_read_with_closed_months_and_rejected_rows_said_apart(demo_db, tmp_path):
    rows = m8_imported(demo_db, tmp_path)
    close(demo_db, 8)
    found = preview(demo_db, extract(tmp_path / "ytd.xlsx", [*rows, posting("J4", "12.50", period="M9",
                                                                            posted=date(2026, 12, 2))]))
    assert found.net_total_pence == 16150  # was: 1250, the open month's only
    assert imports.net_total_in_words(found) == ("Net total of the 4 postings read: £161.50, £149.00 of it in M8, "
                                                 "which is closed.")
    again = preview(demo_db, extract(tmp_path / "again.xlsx", rows))
    assert imports.net_total_in_words(again) == ("Net total of the 3 postings read: £149.00, all of it in M8, which "
                                                 "is closed.")  # was: £0.00
    bad = preview(demo_db, extract(tmp_path / "bad.xlsx", [posting("J5", "1.00", period="M9", posted=None),
                                                           posting("J6", "12.3.4", period="M9", posted=None)]))
    assert imports.net_total_in_words(bad) == "Net total of the 1 posting read: £1.00. The rejected row is not in it."


# --- at the command line ----------------------------------------------------------------------------------------

def run(*args: str) -> int:
    from jointlead import cli

    return cli.main(["import", "ledger", *args])


@pytest.fixture
def demo_with_m8(demo_path, tmp_path) -> Path:
    """The demo with NFT's November imported (J1, J2, J3); November still open."""
    from jointlead.store.database import open_database

    database = open_database(demo_path)
    try:
        m8_imported(database, tmp_path)
    finally:
        database.close()
    return demo_path


def test_the_command_line_lists_the_rows_an_import_would_change_and_remove(demo_with_m8, tmp_path, capsys):
    rows = [posting("J1", "100.00"), posting("J2", "45.00")]  # J2 corrected; J3 gone
    rows += [posting(f"K{n}", "1.00") for n in range(25)]
    assert run(str(extract(tmp_path / "m8 v2.xlsx", rows)), "--db", str(demo_with_m8), "--partner", "NFT",
               "--dry-run") == 0
    out = capsys.readouterr().out.splitlines()
    # Was: "1 changed", "1 removed", and no word of which.
    assert "changed: Ledger!3:3 J2 · C41200/51100 · M8 · £45.00: amount £40.00 → £45.00" in out
    assert "removed: J3 · C41200/51100 · M8 · £9.00: no longer in the extract" in out
    assert out[-1] == ("Dry run, nothing changed. 27 rows read from Ledger into M8 2026-27: 25 added, 1 changed, 1 "
                       "unchanged, 0 unmapped, 0 rejected, 1 removed. Net total of the 27 postings read: £170.00.")


def test_the_command_line_lists_the_first_rows_changed_and_says_how_many_more(demo_path, tmp_path, capsys):
    from jointlead.cli import LISTED

    first = extract(tmp_path / "m8.xlsx", [posting(f"J{n}", "1.00") for n in range(LISTED + 3)])
    assert run(str(first), "--db", str(demo_path), "--partner", "NFT") == 0
    again = extract(tmp_path / "m8 v2.xlsx", [posting(f"J{n}", "2.00") for n in range(LISTED + 3)])
    capsys.readouterr()
    assert run(str(again), "--db", str(demo_path), "--partner", "NFT", "--dry-run") == 0
    out = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("changed: ") for line in out) == LISTED
    assert "  … and 3 more changed" in out


def test_the_command_line_refuses_another_partners_extract_unless_told_it_is_this_ones(demo_with_m8, tmp_path,
                                                                                        capsys):
    council = str(extract(tmp_path / "NCC P08.xlsx", [posting("DOC 1", "50.00", codes=NCC_CODES)]))
    before = demo_with_m8.read_bytes()
    assert run(council, "--db", str(demo_with_m8), "--partner", "NFT", "--dry-run") == 1
    assert run(council, "--db", str(demo_with_m8), "--partner", "NFT") == 1  # was: imported, NFT's November gone
    out = capsys.readouterr().out
    assert ("warning: This looks like NCC's extract, not NFT's: 1 of its 1 row matches NCC's ledger codes, and none "
            "matches NFT's. Imported as NFT's, its 1 row would be added under NFT, all unmapped, and 3 of NFT's "
            "postings imported before in M8 2026-27 (net £149.00) would be removed, as no longer in NFT's "
            "extract.") in out
    assert ("Check whose extract it is (see the warning above). If it is NFT's all the same, run the import again "
            "with --yes; otherwise import it with --partner set to the partner whose it is.") in out
    assert demo_with_m8.read_bytes() == before
    assert run(council, "--db", str(demo_with_m8), "--partner", "NFT", "--yes") == 0
    assert "Imported (batch" in capsys.readouterr().out


def test_the_command_line_says_a_closed_months_difference_was_not_imported_not_that_all_is_recorded(
        demo_with_m8, tmp_path, capsys):
    from jointlead.store.database import open_database

    database = open_database(demo_with_m8)
    close(database, 8)
    database.close()
    v3 = extract(tmp_path / "m8 v3.xlsx", [posting("J1", "100.00"), posting("J3", "9.00")])
    assert run(str(v3), "--db", str(demo_with_m8), "--partner", "NFT") == 0
    out = capsys.readouterr().out
    assert "note: A posting imported into M8 2026-27 is no longer in this extract: J2 (£40.00)." in out
    assert ("Nothing was imported: what differs from the record is in closed months (see the notes above). 2 rows "
            "read from Ledger into M8 2026-27: 0 added, 0 changed, 2 unchanged, 0 unmapped, 0 rejected, 0 removed. "
            "Net total of the 2 postings read: £109.00, all of it in M8, which is closed.") in out
    assert "already recorded" not in out


def test_the_command_line_refuses_the_wrong_year_and_can_leave_a_misread_column_out(demo_path, tmp_path, capsys):
    path = str(extract(tmp_path / "month column.xlsx", [posting("J1", "100.00", period=11)]))
    assert run(path, "--db", str(demo_path), "--partner", "NFT", "--fy", "2025-26", "--dry-run") == 1
    assert capsys.readouterr().err.startswith("jointlead: Northshire Integrated Mental Health Section 75 Pooled Fund "
                                              "runs from 2026-27 to 2028-29, so it has no 2025-26")
    assert run(path, "--db", str(demo_path), "--partner", "NFT", "--dry-run") == 1
    assert "add --map period= to the command" in capsys.readouterr().err
    assert run(path, "--db", str(demo_path), "--partner", "NFT", "--dry-run", "--map", "period=") == 0
    assert "1 row read from Ledger into M8 2026-27: 1 added" in capsys.readouterr().out  # was: "1 rows"
