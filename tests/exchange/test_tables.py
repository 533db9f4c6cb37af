"""Finding the table in a sheet: rows under the header are read, and what only looks like a row is skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from exchange import hostile
from jointlead.domain.calendar import FinancialYear
from jointlead.exchange.ledger import ledger_kind
from jointlead.exchange.problems import ColumnsNotFound, FileRefused
from jointlead.exchange.reading import open_source
from jointlead.exchange.staff import STAFF
from jointlead.exchange.tables import Field, RecordKind, find_table, read_rows
from jointlead.exchange.values import parse_code, parse_money

KIND = RecordKind("ledger", (Field("ref", "Ref", parse_code, required=True),
                             Field("amount", "Amount", parse_money, required=True)))


def test_a_header_repeated_on_a_shorter_row_is_skipped_like_any_repeated_header(tmp_path: Path) -> None:
    # A CSV's rows are as long as each was written, as are the rows of a worksheet read in slices.
    path = hostile.write_csv(tmp_path / "pages.csv", [["Ref", "Amount", "", ""], ["J1", "1.00"], ["Ref", "Amount"],
                                                      ["J2", "2.00", "", ""]])
    rows = list(read_rows(find_table(open_source(path), KIND), KIND))
    assert [(row.row, row.values, row.problems) for row in rows] == [(2, {"ref": "J1", "amount": 100}, ()),
                                                                      (4, {"ref": "J2", "amount": 200}, ())]


def test_a_header_in_two_rows_heads_each_column_with_its_title_and_its_own_header(tmp_path: Path) -> None:
    kind = ledger_kind(FinancialYear(2026))
    layout = find_table(open_source(hostile.two_row_header_ledger_xlsx(tmp_path)), kind)
    assert (layout.header_row, layout.header_rows, layout.header_where) == (4, 2, "rows 3 and 4")
    assert layout.headers == ("Cost centre Code", "Cost centre Name", "Account Code", "Account Name", "Period",
                              "Debit", "Credit", "Details")
    assert {name: layout.header_of(name) for name in layout.columns} == {
        "cost_centre": "Cost centre Code", "subjective": "Account Code", "period": "Period", "debit": "Debit",
        "credit": "Credit", "description": "Details"}
    rows = [(row.row, row.values["cost_centre"], row.values["debit"], row.values["credit"])
            for row in read_rows(layout, kind)]
    assert rows == [(5, "00123", 120050, None), (6, "04567", None, 4500)]


def test_a_header_in_two_rows_repeated_on_each_printed_page_is_skipped_like_any_repeated_header(tmp_path: Path
                                                                                                ) -> None:
    kind = ledger_kind(FinancialYear(2026))
    layout = find_table(open_source(hostile.two_row_header_ledger_xlsx(tmp_path, pages=3)), kind)
    rows = list(read_rows(layout, kind))
    assert [(row.row, row.values["cost_centre"], row.problems) for row in rows] == [
        (5, "00123", ()), (6, "04567", ()), (10, "00123", ()), (11, "04567", ()), (15, "00123", ()),
        (16, "04567", ())]


@pytest.mark.parametrize(("top", "bottom"), [
    # "Cost centre" merged down both rows: blank under it in the second.
    (["Cost centre", "Account", None, "Period", "Amount £", None], [None, "Code", "Name", None, "Debit", "Credit"]),
    # A "Cost centre" title over its name and code: blank over the code in the first.
    (["Cost centre", None, "Account", "Period", "Amount £", None], ["Name", "Code", None, None, "Debit", "Credit"]),
])
def test_a_header_in_two_rows_blank_over_or_under_the_first_field_is_skipped_when_repeated(
        tmp_path: Path, top: list, bottom: list) -> None:
    postings = [["Social work", "00123", "5101", 7, 12.5, None]] if top[1] is None else [
        ["00123", "5101", "Agency", 7, 12.5, None]]
    path = hostile.write_xlsx(tmp_path / "pages.xlsx", {"Report": [
        ["Council ledger report"], top, bottom, *postings, [], top, bottom, *postings]})
    kind = ledger_kind(FinancialYear(2026))
    layout = find_table(open_source(path), kind)
    assert layout.header_where == "rows 2 and 3"
    assert [(row.row, row.values["cost_centre"], row.problems) for row in read_rows(layout, kind)] == [
        (4, "00123", ()), (8, "00123", ())]


def test_a_title_standing_over_a_blank_heads_only_its_own_column(tmp_path: Path) -> None:
    # "Date" merged down over a blank is no title for the column beside it, whose own header is "Narrative".
    path = hostile.write_csv(tmp_path / "report.csv", [["Date", "", "Cost centre", "Account", "Amount"],
                                                       ["", "Narrative", "", "", ""],
                                                       ["01/10/2026", "Agency", "00123", "5101", "10.00"]])
    layout = find_table(open_source(path), ledger_kind(FinancialYear(2026)))
    assert (layout.header_where, layout.headers[:2]) == ("rows 1 and 2", ("Date", "Narrative"))
    assert layout.header_of("description") == "Narrative"


def test_a_header_in_one_row_is_not_taken_with_the_title_above_it_or_the_row_below(tmp_path: Path) -> None:
    # Read with the header as a second row, "Text" would name the description too, as the header does already.
    kind = RecordKind("ledger", (*KIND.fields, Field("description", "Description", parse_code, synonyms=("text",))))
    path = hostile.write_csv(tmp_path / "one.csv", [["Council ledger"], ["Ref", "Amount", "Note"],
                                                    ["J1", "1.00", "Text"], ["J2", "2.00", "Other"]])
    layout = find_table(open_source(path), kind)
    assert (layout.header_where, layout.headers) == ("row 2", ("Ref", "Amount", "Note"))
    assert [row.row for row in read_rows(layout, kind)] == [3, 4]


def test_sheets_that_fit_equally_are_refused_naming_them_only_where_the_import_asks(tmp_path: Path) -> None:
    rows = [["Ref", "Amount"], ["J1", "1.00"]]
    path = hostile.write_xlsx(tmp_path / "two.xlsx", {"Ledger": rows, "Notes": [["Note"]], "Ledger (2)": rows})
    # A ledger extract's months on sheets alike: the wizard and --sheet choose, and the earlier is read meanwhile.
    assert find_table(open_source(path), KIND).sheet.name == "Ledger"
    with pytest.raises(FileRefused) as refused:
        find_table(open_source(path), KIND, alike_sheets="Keep one of them.")
    assert refused.value.message == ("The workbook has two sheets that look like the ledger: 'Ledger' and "
                                     "'Ledger (2)'. They have the same columns, so which one to read cannot be told.")
    assert refused.value.advice == "Keep one of them."


def test_columns_not_found_are_named_by_hand_as_the_import_allows(tmp_path: Path) -> None:
    path = hostile.write_csv(tmp_path / "twice.csv", [["Ref", "Amount", "Amount"], ["J1", "1.00", "2.00"]])
    with pytest.raises(ColumnsNotFound) as general:
        find_table(open_source(path), KIND)
    assert general.value.advice.endswith("If one of them is right, name the column by hand: --map FIELD=HEADER on "
                                         "the command line, or the Sheet and columns step of the import wizard.")
    with pytest.raises(ColumnsNotFound) as own:
        find_table(open_source(path), KIND, by_hand="Give each column its own heading.")
    assert own.value.advice.endswith("Give each column its own heading.") and "--map" not in own.value.advice


# Columns named by hand

def unknown_headers_file(tmp_path: Path) -> Path:
    """A staff list none of whose headers is one the import knows, under a title."""
    return hostile.write_xlsx(tmp_path / "staff.xlsx", {"Staff": [
        ["Payroll staff in post"], [], ["Payroll Ref", "Worker", "Xyz"], ["00123", "Sam Smith", "x"]]})


def test_columns_named_by_hand_find_a_header_with_none_of_the_usual_names(tmp_path: Path) -> None:
    layout = find_table(open_source(unknown_headers_file(tmp_path)), STAFF,
                        overrides={"employee_number": "Payroll Ref", "name": "Worker"})
    assert (layout.sheet.name, layout.header_row, dict(layout.columns)) == ("Staff", 3, {"employee_number": 0,
                                                                                         "name": 1})
    assert [(row.row, row.values) for row in read_rows(layout, STAFF)] == [
        (4, {"employee_number": "00123", "name": "Sam Smith"})]


def test_a_column_named_by_hand_counts_for_its_field_by_that_header_alone(tmp_path: Path) -> None:
    # Row 1 names the ref by its usual name; row 2 holds the header the user named, and the amount: row 2 is the one.
    path = hostile.write_csv(tmp_path / "two.csv", [["Ref", "Notes"], ["Journal", "Amount"], ["J1", "1.00"]])
    layout = find_table(open_source(path), KIND, overrides={"ref": "Journal"})
    assert (layout.header_row, dict(layout.columns)) == (2, {"ref": 0, "amount": 1})


@pytest.mark.parametrize("overrides", [{"nmae": "Worker"}, {"employee_number": "Payroll Ref", "nmae": "Worker"}])
def test_a_field_the_import_does_not_have_is_refused_by_name_whatever_the_headers(tmp_path: Path, overrides) -> None:
    with pytest.raises(FileRefused) as refused:
        find_table(open_source(unknown_headers_file(tmp_path)), STAFF, overrides=overrides)
    assert refused.value.message == "'nmae' is not a field of a staff import."
    assert refused.value.advice.startswith("The fields are: employee_number, name, first_name, last_name,")


def test_several_fields_the_import_does_not_have_are_named_together(tmp_path: Path) -> None:
    with pytest.raises(FileRefused, match=r"^'nmae' and 'pay' are not fields of a staff import\."):
        find_table(open_source(unknown_headers_file(tmp_path)), STAFF, overrides={"nmae": "Worker", "pay": "Xyz"})


def test_headers_named_by_hand_that_are_nowhere_are_named_without_saying_to_name_them_by_hand(tmp_path: Path
                                                                                          ) -> None:
    with pytest.raises(FileRefused) as refused:
        find_table(open_source(unknown_headers_file(tmp_path)), STAFF,
                   overrides={"employee_number": "Payroll Reff", "name": "Wroker", "team": ""})
    assert refused.value.message == ("No sheet in this file has a column headed 'Payroll Reff' or 'Wroker' in its "
                                     "first 40 rows.")
    assert "--map" not in str(refused.value)
    # One of them there finds the header, and the other is said to be missing from it.
    with pytest.raises(FileRefused) as missing:
        find_table(open_source(unknown_headers_file(tmp_path)), STAFF,
                   overrides={"employee_number": "Payroll Reff", "name": "Worker"})
    assert missing.value.message == "There is no column headed 'Payroll Reff' on sheet 'Staff' (row 3)."
