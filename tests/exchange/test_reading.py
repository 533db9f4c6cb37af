"""Opening spreadsheets: the real type wins over the name, hostile files are refused fast, rows come back true."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import itertools
import multiprocessing
import re
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest
import python_calamine

from exchange import hostile
from jointlead.exchange import reading
from jointlead.exchange.problems import FileRefused
from jointlead.exchange.reading import DEFAULT_LIMITS, ReadLimits, SourceFile, open_source

PASSWORD = "This workbook is password-protected. Open it in Excel, remove the password, save it, and import it again."
DAMAGED = (
    "This file is damaged or incomplete (it may not have finished downloading or saving). "
    "Ask for the file again, or open it in Excel and save a new copy."
)
ENTITIES = (
    "This workbook contains content jointlead will not read (XML entity declarations). "
    "Save a fresh copy from Excel and import that."
)
NOT_A_SPREADSHEET = "This is not a spreadsheet jointlead can read. Save it from Excel as .xlsx or .csv."
SAVE_AS_XLSX = "Open it in Excel, choose File > Save As > Excel Workbook (.xlsx), and import the saved copy."


def refusal(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> str:
    with pytest.raises(FileRefused) as raised:
        source = open_source(path, limits)
        for sheet in source.sheets:
            for _row in sheet.rows():
                pass
    return str(raised.value)


def all_rows(source: SourceFile) -> dict[str, list[list[object]]]:
    return {sheet.name: list(sheet.rows()) for sheet in source.sheets}


# --- hostile files ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("part", ["shared_strings", "sheet"])
def test_a_billion_laughs_bomb_is_refused_at_once(tmp_path: Path, part: str) -> None:
    path = hostile.xml_bomb_xlsx(tmp_path, part)
    started = time.perf_counter()
    assert refusal(path) == ENTITIES
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("part", ["shared_strings", "sheet"])
def test_an_external_entity_is_refused_and_the_file_it_names_is_never_read(tmp_path: Path, part: str) -> None:
    path = hostile.external_entity_xlsx(tmp_path, part)
    started = time.perf_counter()
    message = refusal(path)
    assert time.perf_counter() - started < 2
    assert message == ENTITIES
    assert hostile.SECRET_MARKER not in message


def test_a_dtd_is_refused_even_when_no_cell_uses_its_entities(tmp_path: Path) -> None:
    assert refusal(hostile.entity_declaration_only_xlsx(tmp_path)) == ENTITIES


@pytest.mark.parametrize(
    "make",
    [
        lambda folder: hostile.xml_bomb_xlsx(folder, "shared_strings"),
        lambda folder: hostile.xml_bomb_xlsx(folder, "sheet"),
        lambda folder: hostile.external_entity_xlsx(folder, "shared_strings"),
        lambda folder: hostile.external_entity_xlsx(folder, "sheet"),
    ],
    ids=["bomb-in-shared-strings", "bomb-in-sheet", "external-in-shared-strings", "external-in-sheet"],
)
def test_calamine_on_its_own_neither_expands_nor_fetches_entities(tmp_path: Path, make: Callable) -> None:
    # Behind jointlead's own DTD check, calamine is the second line: it ignores the DTD and stops at the first entity
    # it does not know. If an upgrade changes that, this test says so before a user's file does. (from_path, because
    # from bytes calamine tries every format in turn and reports a bad shared-strings part only as "Cannot detect".)
    path = make(tmp_path)
    started = time.perf_counter()
    with pytest.raises(python_calamine.CalamineError, match="unrecognized entity") as raised:
        python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Data").to_python()
    assert time.perf_counter() - started < 2
    assert hostile.SECRET_MARKER not in str(raised.value)


def test_calamine_on_its_own_reads_past_an_unused_external_entity_without_fetching_it(tmp_path: Path) -> None:
    path = hostile.entity_declaration_only_xlsx(tmp_path)
    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
    cells = workbook.get_sheet_by_name("Data").to_python()
    assert cells == [["Cost Centre", 5.0]]
    assert hostile.SECRET_MARKER not in repr(cells)


def test_a_zip_bomb_is_refused_in_well_under_a_second(tmp_path: Path) -> None:
    path = hostile.zip_bomb_xlsx(tmp_path)
    started = time.perf_counter()
    with pytest.raises(FileRefused) as raised:
        open_source(path)
    assert time.perf_counter() - started < 1
    assert raised.value.message == (
        "This workbook would expand to 300 MB, more than the 200 MB jointlead accepts (it may be a 'zip bomb')."
    )
    assert raised.value.advice


def test_a_part_that_inflates_a_thousandfold_is_refused_though_the_total_is_allowed(tmp_path: Path) -> None:
    path = hostile.compression_bomb_xlsx(tmp_path)
    assert hostile.uncompressed_bytes(path) < ReadLimits().max_uncompressed_bytes
    started = time.perf_counter()
    message = refusal(path)
    assert time.perf_counter() - started < 1
    assert message == (
        "Part of this workbook would expand more than 1,000 times, to 148 MB (it may be a 'zip bomb'). "
        "Do not open it; ask the sender for a fresh copy."
    )


def test_the_uncompressed_limit_is_the_callers_to_set(tmp_path: Path) -> None:
    path = hostile.write_xlsx(tmp_path / "small.xlsx", {"Data": [["x" * 2000]] * 100})
    with pytest.raises(FileRefused, match=r"more than the 0\.1 MB jointlead accepts"):
        open_source(path, ReadLimits(max_uncompressed_bytes=100 * 1024))


def test_a_password_protected_workbook_is_refused_with_how_to_remove_the_password(tmp_path: Path) -> None:
    assert refusal(hostile.password_protected_xlsx(tmp_path)) == PASSWORD


def test_a_password_protected_xls_is_refused_the_same_way(tmp_path: Path) -> None:
    assert refusal(hostile.password_protected_xls(tmp_path)) == PASSWORD


def test_a_web_page_saved_as_xls_is_refused_with_how_to_save_a_real_workbook(tmp_path: Path) -> None:
    assert refusal(hostile.html_as_xls(tmp_path)) == (
        f"This file is a web page (HTML) saved with an .xls name, as some finance systems export. {SAVE_AS_XLSX}"
    )


def test_an_excel_2003_xml_file_saved_as_xls_is_refused(tmp_path: Path) -> None:
    assert refusal(hostile.spreadsheetml_as_xls(tmp_path)) == (
        f"This file is an Excel 2003 XML spreadsheet, a format jointlead cannot read. {SAVE_AS_XLSX}"
    )


def test_a_truncated_workbook_is_refused_as_damaged(tmp_path: Path) -> None:
    assert refusal(hostile.truncated_xlsx(tmp_path)) == DAMAGED


def test_a_truncated_xls_is_refused_as_damaged(tmp_path: Path) -> None:
    whole = hostile.write_xls(tmp_path / "whole.xls", {"Ledger": hostile.XLS_ROWS}).read_bytes()
    path = tmp_path / "cut.xls"
    path.write_bytes(whole[:1000])
    assert refusal(path) == DAMAGED


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    assert refusal(hostile.empty_file(tmp_path)) == (
        "This file is empty. Check that you chose the right file, or ask for it to be sent again."
    )


def test_an_image_named_as_a_workbook_is_refused(tmp_path: Path) -> None:
    assert refusal(hostile.not_a_spreadsheet(tmp_path)) == NOT_A_SPREADSHEET


def test_an_office_file_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "letter.xls"
    path.write_bytes(hostile.compound_file({"WordDocument": b"\xec\xa5" + b"\0" * 100}))
    assert refusal(path) == NOT_A_SPREADSHEET


def test_a_zip_that_is_not_a_spreadsheet_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert refusal(path) == NOT_A_SPREADSHEET


@pytest.mark.parametrize(
    "stream",
    [b"garbage " * 600, b"\x09\x08\x10\x00" + b"\0" * 16 + b"\x85\x00\x02\x00\xff\xff" + b"\0" * 4096],
    ids=["calamine-error", "calamine-panic"],
)
def test_whatever_calamine_raises_becomes_a_plain_refusal(tmp_path: Path, stream: bytes) -> None:
    path = tmp_path / "odd.xls"
    path.write_bytes(hostile.compound_file({"Workbook": stream}))
    message = refusal(path)
    assert message.startswith("This workbook could not be read: it may be damaged, or saved by a program")
    assert message.endswith("Open it in Excel, save a new copy, and import that.")
    assert "Traceback" not in message


def test_a_missing_file_is_refused_plainly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert refusal(tmp_path / "nowhere.xlsx") == (
        f"There is no file called nowhere.xlsx in {tmp_path}. Check the name and the folder."
    )
    monkeypatch.chdir(tmp_path)  # named with no folder, at the command line: the folder is the current one, by name
    assert refusal(Path("nowhere.xlsx")) == (
        f"There is no file called nowhere.xlsx in {tmp_path}. Check the name and the folder."
    )


def test_a_cell_over_the_length_limit_is_refused_naming_the_cell(tmp_path: Path) -> None:
    source = open_source(hostile.long_cell_xlsx(tmp_path))
    with pytest.raises(FileRefused) as raised:
        list(source.sheets[-1].rows())
    assert raised.value.message == "Cell Data!C3 holds 40,000 characters, more than the 32,767 a cell may hold."


def test_a_csv_cell_over_the_length_limit_is_refused_naming_the_cell(tmp_path: Path) -> None:
    path = hostile.write_csv(tmp_path / "notes.csv", [["Code", "Notes"], ["00123", "x" * 50]])
    with pytest.raises(FileRefused) as raised:
        list(open_source(path, ReadLimits(max_cell_chars=40)).sheets[0].rows())
    assert raised.value.message == "Cell notes!B2 holds 50 characters, more than the 40 a cell may hold."


def test_a_csv_field_too_long_even_to_measure_is_refused_naming_its_row(tmp_path: Path) -> None:
    # Python's csv module gives up on a field over 131,072 characters before jointlead can measure it.
    path = hostile.write_csv(tmp_path / "notes.csv", [["Code", "Notes"], ["00123", "x" * 200_000]])
    with pytest.raises(FileRefused) as raised:
        list(open_source(path).sheets[0].rows())
    assert raised.value.message == "A cell in row notes!2:2 holds more than the 32,767 characters a cell may hold."


def test_a_csv_over_the_row_limit_is_refused_saying_how_many_rows(tmp_path: Path) -> None:
    path = hostile.too_many_rows_csv(tmp_path, rows=120)
    source = open_source(path, ReadLimits(max_rows=100))
    with pytest.raises(FileRefused) as raised:
        list(source.sheets[-1].rows())
    assert raised.value.message == "The sheet 'many-rows' has 121 rows, more than the 100 jointlead reads."


def test_a_workbook_sheet_over_the_row_limit_is_refused_before_any_row_is_read(tmp_path: Path) -> None:
    path = hostile.write_xlsx(tmp_path / "rows.xlsx", {"Ledger": [[number] for number in range(1, 121)]})
    rows = open_source(path, ReadLimits(max_rows=100)).sheets[0].rows()
    with pytest.raises(FileRefused) as raised:
        next(rows)
    assert raised.value.message == "The sheet Ledger has 120 rows, more than the 100 jointlead reads."


def test_a_sheet_at_the_row_limit_is_read(tmp_path: Path) -> None:
    path = hostile.too_many_rows_csv(tmp_path, rows=99)
    assert len(list(open_source(path, ReadLimits(max_rows=100)).sheets[0].rows())) == 100


def test_a_stray_value_far_from_the_data_is_refused_before_calamine_allocates_for_it(tmp_path: Path) -> None:
    # calamine would allocate all 17 billion cells up to XFD1048576, and a failed allocation aborts the process:
    # if this guard ever fails, the test run dies here rather than failing politely.
    source = open_source(hostile.far_cell_xlsx(tmp_path))
    started = time.perf_counter()
    with pytest.raises(FileRefused) as raised:
        source.sheets[0].head(5)
    assert time.perf_counter() - started < 1
    assert raised.value.message == (
        "The sheet Data stretches to cell XFD1048576, 1,048,576 rows by 16,384 columns: "
        "more than jointlead can hold in memory."
    )
    assert "Ctrl+End" in raised.value.advice


def test_an_xls_with_a_far_away_cell_is_refused_as_it_opens(tmp_path: Path) -> None:
    assert refusal(hostile.far_cell_xls(tmp_path)).startswith(
        "The sheet Ledger stretches to cell ACOF60000, 60,000 rows by 20,000 columns: "
        "more than jointlead can hold in memory."
    )


def test_an_xls_declaring_a_vast_area_is_refused_as_it_opens(tmp_path: Path) -> None:
    assert refusal(hostile.vast_dimensions_xls(tmp_path)).startswith(
        "The sheet Ledger stretches to cell BXX4000000, 4,000,000 rows by 2,000 columns:"
    )


def test_the_area_limit_is_the_callers_to_set(tmp_path: Path) -> None:
    path = hostile.write_xlsx(tmp_path / "wide.xlsx", {"Data": [list(range(10))] * 10})
    assert len(open_source(path, ReadLimits(max_cells=100)).sheets[0].head(20)) == 10
    with pytest.raises(FileRefused, match="10 rows by 10 columns"):
        open_source(path, ReadLimits(max_cells=99)).sheets[0].head(1)


# --- real type over name ---------------------------------------------------------------------------------------------


def test_an_xls_saved_with_an_xlsx_name_is_read_as_xls_with_a_notice(tmp_path: Path) -> None:
    source = open_source(hostile.xls_renamed_xlsx(tmp_path))
    assert source.kind == "xls"
    assert source.notices == ("This is an older .xls workbook saved with an .xlsx name; it was read as .xls.",)
    assert all_rows(source) == {
        "Ledger": [
            ["Cost Centre", "Subjective", "Posting Date", "Amount", "Paid"],
            ["00123", "5101", dt.date(2026, 10, 3), 1234.5, True],
            [None, None, None, None, None],
            ["04567", "5201", dt.date(2026, 10, 15), -12.0, False],
        ]
    }


def test_an_xls_whose_workbook_stream_is_small_is_read_from_the_mini_stream(tmp_path: Path) -> None:
    path = tmp_path / "small.xls"
    path.write_bytes(hostile.compound_file({"Workbook": hostile.biff8_workbook_stream({"S": [["a", 1]]})}, mini=True))
    source = open_source(path)
    assert (source.kind, all_rows(source)) == ("xls", {"S": [["a", 1.0]]})


def test_an_xlsx_saved_with_an_xls_name_is_read_as_xlsx_with_a_notice(tmp_path: Path) -> None:
    path = hostile.write_xlsx(tmp_path / "ledger.xls", {"Ledger": [["Cost Centre"], ["00123"]]})
    source = open_source(path)
    assert source.kind == "xlsx"
    assert source.notices == ("This is an .xlsx workbook saved with an .xls name; it was read as .xlsx.",)
    assert all_rows(source) == {"Ledger": [["Cost Centre"], ["00123"]]}


def test_text_saved_as_xls_is_read_as_text_with_a_notice(tmp_path: Path) -> None:
    source = open_source(hostile.text_as_xls(tmp_path))
    assert source.kind == "csv"
    assert source.notices == ("This is a text (CSV) file saved with an .xls name; it was read as text.",)
    assert all_rows(source) == {"staff": [["Employee No", "Name"], ["000123", "Ada Lovelace"]]}


def test_a_workbook_with_macros_is_xlsm_by_its_content_or_its_name(tmp_path: Path) -> None:
    by_name = hostile.write_xlsx(tmp_path / "tracker.xlsm", {"Actions": [["Owner"]]})
    by_content = hostile.write_xlsx(tmp_path / "tracker.xlsx", {"Actions": [["Owner"]]})
    with zipfile.ZipFile(by_content, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\0" * 16)
    assert [open_source(path).kind for path in (by_name, by_content)] == ["xlsm", "xlsm"]
    assert open_source(by_content).notices == ()


# --- reading what is there -------------------------------------------------------------------------------------------


def test_a_messy_ledger_keeps_its_sheets_in_order_and_every_row_where_it_was(tmp_path: Path) -> None:
    path = hostile.messy_ledger_xlsx(tmp_path)
    source = open_source(path)
    assert (source.path, source.kind, source.notices) == (path, "xlsx", ())
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [sheet.name for sheet in source.sheets] == ["Notes", "Ledger"]
    rows = list(source.sheets[1].rows())
    header = ["Cost Centre", "Subjective", "Posting Date", "Description", "Trans No", "Value £"]
    assert len(rows) == 13
    assert rows[0][0] == "Northshire Council: General Ledger Extract"
    assert rows[2] == [None] * 6
    assert rows[3] == header
    assert rows[4] == ["00123 ", "5101", dt.date(2026, 10, 3), "Agency staff", "J000101", "£1,234.50"]
    assert rows[5] == ["00123", "5102 ", "15/10/2026", "Refund of overpayment", "J000102", "1,234.50-"]
    assert rows[6][5] == "(1,234.50)"
    assert rows[7][2:] == ["2026-10-21", "Stationery", "J000104", 250.0]
    assert rows[8][3] == "Sub-total"
    assert rows[9] == [None] * 6
    assert rows[10] == header
    assert rows[11][5] == "-£12"
    assert rows[12][3] == "Grand Total"


def test_columns_and_rows_before_the_first_used_cell_are_kept_so_references_stay_true(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet["C3"] = "Cost Centre"
    sheet["D3"] = "Amount"
    sheet["C5"] = "00123"
    sheet["D5"] = 12.5
    path = tmp_path / "offset.xlsx"
    workbook.save(path)
    assert list(open_source(path).sheets[0].rows()) == [
        [None, None, None, None],
        [None, None, None, None],
        [None, None, "Cost Centre", "Amount"],
        [None, None, None, None],
        [None, None, "00123", 12.5],
    ]


def test_hidden_sheets_are_left_out_and_the_user_is_told(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Ledger"
    workbook.create_sheet("Lookup").sheet_state = "hidden"
    workbook.create_sheet("Summary")
    path = tmp_path / "hidden.xlsx"
    workbook.save(path)
    source = open_source(path)
    assert [sheet.name for sheet in source.sheets] == ["Ledger", "Summary"]
    assert source.notices == ('The hidden sheet "Lookup" was not read.',)


def test_an_empty_sheet_has_no_rows(tmp_path: Path) -> None:
    path = hostile.write_xlsx(tmp_path / "empty-sheet.xlsx", {"Blank": [], "Data": [["x"]]})
    source = open_source(path)
    assert all_rows(source) == {"Blank": [], "Data": [["x"]]}


def test_an_ods_is_read_with_its_types_and_blank_rows(tmp_path: Path) -> None:
    sheets = {
        "Ledger": [[], ["Cost Centre", "Amount", "Posted", "Paid"], [], ["00123", 12.5, dt.date(2026, 10, 15), True]],
        "Notes": [["Provisional"]],
    }
    source = open_source(hostile.write_ods(tmp_path / "ledger.ods", sheets))
    assert (source.kind, source.notices) == ("ods", ())
    assert all_rows(source) == {
        "Ledger": [
            [None, None, None, None],
            ["Cost Centre", "Amount", "Posted", "Paid"],
            [None, None, None, None],
            ["00123", 12.5, dt.date(2026, 10, 15), True],
        ],
        "Notes": [["Provisional"]],
    }


def test_a_csv_with_a_byte_order_mark_is_read_as_utf8(tmp_path: Path) -> None:
    source = open_source(hostile.csv_utf8_bom(tmp_path))
    assert (source.kind, [sheet.name for sheet in source.sheets]) == ("csv", ["staff-utf8"])
    assert list(source.sheets[0].rows()) == hostile.STAFF_ROWS


def test_a_windows_1252_csv_keeps_its_pound_signs(tmp_path: Path) -> None:
    path = hostile.csv_cp1252(tmp_path)
    assert b"\xa3" in path.read_bytes()
    assert list(open_source(path).sheets[0].rows()) == [["Cost Centre", "Value £"], ["00123", "£1,234.50"]]


def test_a_semicolon_csv_is_split_on_semicolons_not_on_the_commas_in_its_amounts(tmp_path: Path) -> None:
    assert list(open_source(hostile.semicolon_csv(tmp_path)).sheets[0].rows()) == [
        ["Cost Centre", "Amount", "Description"],
        ["00123", "1,234.50", "Agency, October"],
        ["04567", "-12", "Travel"],
    ]


def test_a_csv_keeps_blank_lines_as_rows_and_empty_fields_as_none(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_bytes(b'Cost Centre,Description\r\n\r\n00123,"Two\r\nlines"\r\n,\r\n 04567 ,x\r\n')
    assert list(open_source(path).sheets[0].rows()) == [
        ["Cost Centre", "Description"],
        [],
        ["00123", "Two\r\nlines"],
        [None, None],
        [" 04567 ", "x"],
    ]


def test_an_excel_sep_line_sets_the_delimiter_and_is_not_a_row(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text("sep=;\r\nCost Centre;Amount\r\n00123;1,5\r\n", encoding="utf-8")
    assert list(open_source(path).sheets[0].rows()) == [["Cost Centre", "Amount"], ["00123", "1,5"]]


def test_a_single_column_csv_is_read(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    path.write_text("Code\n00123\n04567\n", encoding="utf-8")
    assert list(open_source(path).sheets[0].rows()) == [["Code"], ["00123"], ["04567"]]


def test_a_utf16_text_export_is_read(tmp_path: Path) -> None:
    path = hostile.write_csv(tmp_path / "staff.txt", hostile.STAFF_ROWS, encoding="utf-16", delimiter="\t")
    source = open_source(path)
    assert (source.kind, source.notices) == ("csv", ())
    assert list(source.sheets[0].rows()) == hostile.STAFF_ROWS


@pytest.mark.parametrize(
    "make",
    [hostile.messy_ledger_xlsx, hostile.xls_renamed_xlsx, hostile.csv_utf8_bom, hostile.semicolon_csv],
    ids=["xlsx", "xls", "csv", "semicolon-csv"],
)
def test_head_is_the_first_rows_of_rows(tmp_path: Path, make: Callable[[Path], Path]) -> None:
    for sheet in open_source(make(tmp_path)).sheets:
        everything = list(sheet.rows())
        for count in (0, 1, 3, len(everything), len(everything) + 5):
            assert sheet.head(count) == everything[:count]


def test_rows_can_be_read_again_and_sheets_in_any_order(tmp_path: Path) -> None:
    notes, ledger = open_source(hostile.messy_ledger_xlsx(tmp_path)).sheets
    first = list(ledger.rows())
    ledger.head(2)[0].append("changed by a caller")
    assert list(notes.rows()) == [
        ["This extract was produced by the Northshire Council finance system."],
        ["Figures are provisional until period close."],
    ]
    assert list(ledger.rows()) == first
    assert ledger.head(2) == first[:2]


def test_a_large_sheet_is_read_without_holding_every_row(tmp_path: Path) -> None:
    # rows() is lazy: a consumer that stops early never pays for the rest, and each row is a fresh list.
    path = hostile.write_csv(tmp_path / "big.csv", [["Row"], *([str(number)] for number in range(20_000))])
    rows = open_source(path).sheets[0].rows()
    assert next(rows) == ["Row"]
    assert next(rows) == ["0"]
    assert not isinstance(rows, list)


# --- large workbooks, parsed in a child process ----------------------------------------------------------------------

IN_A_CHILD = ReadLimits(child_from_cells=0, child_from_bytes=0)


def _read_or_refusal(path: Path, limits: ReadLimits) -> object:
    try:
        with open_source(path, limits) as source:
            return [sheet.name for sheet in source.sheets], all_rows(source), source.notices
    except FileRefused as refused:
        return refused.message, refused.advice


@pytest.mark.parametrize("make", [hostile.messy_ledger_xlsx, hostile.long_cell_xlsx, hostile.far_cell_xlsx,
                                  hostile.xls_renamed_xlsx])
def test_a_workbook_read_in_a_child_process_gives_the_same_rows_and_refusals(tmp_path: Path, make) -> None:
    path = make(tmp_path)
    assert _read_or_refusal(path, IN_A_CHILD) == _read_or_refusal(path, DEFAULT_LIMITS)


def test_a_sheet_lying_about_its_size_is_refused_when_read_in_a_child_process(tmp_path: Path) -> None:
    # Read here, calamine would abort the whole test run trying to allocate 17 billion cells: in a child process
    # the abort ends only the child, and the file is refused.
    with open_source(hostile.lying_dimension_xlsx(tmp_path), IN_A_CHILD) as source, \
            pytest.raises(FileRefused) as raised:
        source.sheets[0].head(5)
    assert raised.value.message.startswith("This workbook could not be read: reading it stopped before the end")


def test_the_child_process_ends_when_the_file_is_closed(tmp_path: Path) -> None:
    source = open_source(hostile.messy_ledger_xlsx(tmp_path), IN_A_CHILD)
    assert [child.name for child in multiprocessing.active_children()] == ["jointlead-reader"]
    first = next(source.sheets[-1].rows())
    source.close()
    assert multiprocessing.active_children() == []
    assert first[0] == "Northshire Council: General Ledger Extract"
    with pytest.raises(FileRefused):
        list(source.sheets[-1].rows())


def test_only_a_large_workbook_is_read_in_a_child_process(tmp_path: Path) -> None:
    with open_source(hostile.messy_ledger_xlsx(tmp_path)):
        assert multiprocessing.active_children() == []
    with open_source(hostile.messy_ledger_xlsx(tmp_path), ReadLimits(child_from_bytes=1000)):
        assert len(multiprocessing.active_children()) == 1


def test_closing_while_the_child_prepares_the_next_rows_is_quick_and_quiet(tmp_path: Path, capfd) -> None:
    path = hostile.write_xlsx(tmp_path / "long.xlsx", {"Ledger": [[f"JNL-{n}", n] for n in range(10_000)]})
    source = open_source(path, IN_A_CHILD)
    rows = source.sheets[0].rows()
    assert [next(rows) for _ in range(5_000)][-1] == ["JNL-4999", 4999]  # the next batch has been asked for
    started = time.perf_counter()
    source.close()
    assert time.perf_counter() - started < 1
    assert multiprocessing.active_children() == []
    assert capfd.readouterr().err == ""


def test_a_sheet_that_lies_about_its_size_is_parsed_apart_and_refused_without_ending_jointlead(tmp_path: Path) -> None:
    # <dimension> says A1, a cell says XFD1048576: calamine's allocation fails in the reading process, not here.
    source = open_source(hostile.lying_dimension_xlsx(tmp_path))
    try:
        with pytest.raises(FileRefused) as raised:
            source.sheets[0].head(5)
    finally:
        source.close()
    assert "could not be read" in raised.value.message


def test_a_mostly_empty_sheet_is_refused_naming_the_cell_to_delete(tmp_path: Path) -> None:
    source = open_source(hostile.wide_sparse_xlsx(tmp_path, ["Ref", "Amount"]))
    started = time.perf_counter()
    with pytest.raises(FileRefused) as raised:
        source.sheets[0].head(5)
    assert time.perf_counter() - started < 1
    assert "AD1000000" in raised.value.message and "Ctrl+End" in raised.value.advice


# --- large worksheets, parsed a slice at a time in the child process -------------------------------------------------

SLICED = ReadLimits(child_from_cells=0, child_from_bytes=0, slice_bytes=2_000)


# Shared strings as Excel writes them besides plain text: runs of differing format, a phonetic guide (not part of
# the text), spaces kept at the ends, nothing at all, and characters written as entities.
AWKWARD_STRINGS = [
    '<r><rPr><b/><sz val="11"/></rPr><t>Bold</t></r><r><t xml:space="preserve"> then plain</t></r>',
    '<t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/>',
    '<t xml:space="preserve">  padded  </t>', "", "<t/>", "<t>Tom &amp; Jerry &lt;3 &#8364;5</t>",
]


def _shared_strings_xlsx(folder: Path, count: int, *, prefix: str = "", after_half: str = "",
                         row_attributes: str = "r", awkward: bool = False, strings_prefix: str = "",
                         half_cell: str = "", half_type: str = ' t="s"', strings_prolog: str = "") -> Path:
    """A sheet "Data" of `count` postings under a header, its text in shared strings as Excel writes them; its
    elements in a namespace `prefix` if given, `after_half` written between two rows halfway down, and its rows
    without their numbers unless `row_attributes` is "r". `awkward`: the postings' text in AWKWARD_STRINGS too,
    and a hundred more strings (the table larger than a slice of SLICED); the table's elements in
    `strings_prefix` if given, after `strings_prolog`. `half_cell`: what a cell in column C of the row halfway down
    holds, its type attribute `half_type`."""
    name = f"{prefix}:" if prefix else ""
    namespace = f"xmlns{':' + prefix if prefix else ''}=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
    texts = ["Ref", "Amount", *(f"Supplier {number} & co" for number in range(150 if awkward else 50))]

    def row(number: int, cells: str) -> str:
        attribute = f' r="{number}"' if row_attributes == "r" else ""
        return f"<{name}row{attribute}>{cells}</{name}row>"

    def cell(reference: str, value: object, shared: bool = False) -> str:
        kind = ' t="s"' if shared else ""
        return f'<{name}c r="{reference}"{kind}><{name}v>{value}</{name}v></{name}c>'

    items = [f"<t>{escape(text)}</t>" for text in texts] + (AWKWARD_STRINGS if awkward else [])
    rows = [row(1, cell("A1", 0, True) + cell("B1", 1, True))]
    for number in range(count):
        extra = (f'<{name}c r="C{number + 2}"{half_type}>{half_cell}</{name}c>' if half_cell and number == count // 2
                 else "")
        rows.append(row(number + 2, cell(f"A{number + 2}", number % (len(items) - 2) + 2, True)
                        + cell(f"B{number + 2}", number * 1.25) + extra))
        if number == count // 2:
            rows.append(after_half)
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><{name}worksheet {namespace}>'
             f'<{name}dimension ref="A1:B{count + 1}"/><{name}sheetData>{"".join(rows)}'
             f"</{name}sheetData></{name}worksheet>")
    own = f"{strings_prefix}:" if strings_prefix else ""
    items = [re.sub(r"<(/?)(?=[A-Za-z])", rf"<\1{own}", item) for item in items]
    strings = "".join(f"<{own}si>{item}</{own}si>" if item else f"<{own}si/>" for item in items)
    shared = (f'<?xml version="1.0" encoding="UTF-8"?>{strings_prolog}'
              f'<{own}sst xmlns{":" + strings_prefix if strings_prefix else ""}='
              f'"http://schemas.openxmlformats.org/spreadsheetml/2006/main">{strings}</{own}sst>')
    return hostile.hand_made_xlsx(folder / "shared.xlsx", sheet, shared)


def _with_a_decoy_string_table(path: Path) -> Path:
    """The workbook with customXml/sharedStrings.xml put first: a string table of the same size, other text."""
    with zipfile.ZipFile(path) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    decoy = parts["xl/sharedStrings.xml"].replace(b"Supplier", b"Decoy")
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("customXml/sharedStrings.xml", decoy)
        for name, content in parts.items():
            book.writestr(name, content)
    return path


def _ledger_with_gaps_xlsx(folder: Path) -> Path:
    """Two sheets; under a title, a table from column B with dates, numbers, empty cells and blank rows, some of
    which fall between slices, and one row wider than the rest at the end."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    workbook.active["A1"] = "Read me"
    sheet = workbook.create_sheet("Ledger")
    sheet.append(["Ledger detail"])
    sheet.append([])
    sheet.append([None, "Ref", "Amount", "Posted", "Description"])
    for number in range(600):
        if number % 97 == 50:
            for _blank in range(3):
                sheet.append([])
        sheet.append([None, f"JNL-{number:05d}", number * 1.25, dt.date(2026, 11, number % 28 + 1),
                      f"Posting {number % 7}" if number % 5 else None])
    sheet.append([None, None, None, None, None, "Note at the far right"])
    path = folder / "gaps.xlsx"
    workbook.save(path)
    return path


def _as_read(result: object) -> object:
    """Rows without the empty cells at their ends: a slice's rows are as wide as its own cells, not the sheet's."""
    if not isinstance(result, tuple) or len(result) != 3:
        return result  # a refusal
    names, rows, notices = result
    trimmed = {name: [row[:len(row) - len(list(itertools.takewhile(lambda cell: cell is None, reversed(row))))]
                      for row in sheet_rows] for name, sheet_rows in rows.items()}
    return names, trimmed, notices


@pytest.mark.parametrize("make", [
    _ledger_with_gaps_xlsx,
    lambda folder: _shared_strings_xlsx(folder, 300),
    lambda folder: _shared_strings_xlsx(folder, 300, prefix="x"),
    # What a cut could split wrongly is not cut: the rows from there on are parsed whole.
    lambda folder: _shared_strings_xlsx(folder, 300, after_half="<!-- </row> -->"),
    lambda folder: _shared_strings_xlsx(folder, 300, row_attributes=""),
    # Shared strings larger than a slice are written into its cells, in the sheet's namespace prefix.
    lambda folder: _shared_strings_xlsx(folder, 300, awkward=True),
    lambda folder: _shared_strings_xlsx(folder, 300, awkward=True, prefix="x"),
    lambda folder: _shared_strings_xlsx(folder, 300, awkward=True, strings_prefix="s"),
    lambda folder: _shared_strings_xlsx(folder, 300, awkward=True, prefix="x", strings_prefix="s"),
    # A shared-string cell that cannot be written inline (a formula's; a number padded with spaces, which calamine
    # reads as string 0; one too long for a number): the rows from there on are parsed whole.
    lambda folder: _shared_strings_xlsx(folder, 300, awkward=True, half_cell="<f>A2</f><v>3</v>"),
    lambda folder: _shared_strings_xlsx(folder, 300, awkward=True, half_cell="<v> 3 </v>"),
    lambda folder: _shared_strings_xlsx(folder, 300, awkward=True, half_cell=f"<v>{'9' * 5000}</v>"),
    # Two types, or two values: calamine takes the last of each.
    lambda folder: _shared_strings_xlsx(folder, 300, awkward=True, half_cell="<v>1</v>", half_type=' t="s" t="n"'),
    lambda folder: _shared_strings_xlsx(folder, 300, awkward=True, half_cell="<v>1</v><v>0</v>"),
    # A comment before the table holding what looks like a string: the table is left to calamine.
    lambda folder: _shared_strings_xlsx(folder, 300, awkward=True, strings_prolog="<!--<si><t>Evil</t></si>-->"),
    # Another part named sharedStrings.xml, first in the file: calamine reads only xl/sharedStrings.xml.
    lambda folder: _with_a_decoy_string_table(_shared_strings_xlsx(folder, 300, awkward=True)),
])
def test_a_large_sheet_read_a_slice_at_a_time_gives_every_row_where_it_was(tmp_path: Path, make) -> None:
    path = make(tmp_path)
    whole = _read_or_refusal(path, DEFAULT_LIMITS)
    assert _as_read(_read_or_refusal(path, SLICED)) == _as_read(whole)
    assert isinstance(whole, tuple) and len(whole) == 3  # rows, not a refusal


def test_a_large_sheet_is_cut_into_workbooks_of_whole_rows(tmp_path: Path) -> None:
    data = _shared_strings_xlsx(tmp_path, 300).read_bytes()
    slices = list(reading._Slicer(data, 2_000).slices("Data") or ())
    assert len(slices) > 2
    sheets = [python_calamine.CalamineWorkbook.from_filelike(book).get_sheet_by_name("Data") for book in slices]
    assert [(sheet.start[0], sheet.end[0]) for sheet in sheets][:2] == [(0, sheets[0].end[0]),
                                                                     (sheets[0].end[0] + 1, sheets[1].end[0])]
    assert sheets[-1].end[0] == 300  # the last posting, on row 301


@pytest.mark.parametrize("awkward", [False, True])
def test_shared_strings_larger_than_a_slice_are_written_into_its_cells_not_parsed_by_every_slice(
        tmp_path: Path, awkward: bool) -> None:
    data = _shared_strings_xlsx(tmp_path, 300, awkward=awkward).read_bytes()
    slices = list(reading._Slicer(data, 2_000).slices("Data") or ())
    for book in slices:
        with zipfile.ZipFile(book) as archive:
            inline = b'<c r="A' in archive.read("xl/worksheets/sheet1.xml") and b'inlineStr' in archive.read(
                "xl/worksheets/sheet1.xml")
            assert (archive.read("xl/sharedStrings.xml") == reading._NO_SHARED_STRINGS) == inline == awkward
    assert len(slices) > 2


def test_shared_strings_with_no_end_tags_are_still_taken_a_window_at_a_time() -> None:
    # Each window ends where a string starts (<si/> has no end tag): one window of 200,000 strings took 19 MB.
    xml = b'<sst xmlns="u">' + b"<si/>" * 200_000 + b"</sst>"
    tracemalloc.start()
    try:
        strings = reading._shared_strings(xml, b"", 65_536)
        most = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert strings is not None and len(strings.bounds) == 200_001
    assert most < 4 * 1024 * 1024


@pytest.mark.parametrize("prefix", ["", "x"])
def test_shared_strings_are_worked_out_once_for_a_sheet_read_twice(tmp_path: Path, monkeypatch, prefix: str) -> None:
    # An import reads a sheet's first rows, then reads it again from the top.
    data = _shared_strings_xlsx(tmp_path, 300, awkward=True, prefix=prefix, strings_prefix=prefix).read_bytes()
    worked_out, work_out = [], reading._shared_strings
    monkeypatch.setattr(reading, "_shared_strings", lambda *args: worked_out.append(args[1]) or work_out(*args))
    slicer = reading._Slicer(data, 2_000)
    first, again = ([book.getvalue() for book in slicer.slices("Data") or ()] for _read in range(2))
    assert first == again and len(first) > 2
    assert worked_out == [f"{prefix}:".encode() if prefix else b""]


def test_a_sheet_parsed_whole_after_all_lets_go_of_its_shared_strings(tmp_path: Path) -> None:
    data = _shared_strings_xlsx(tmp_path, 300, awkward=True, after_half="<!-- </row> -->").read_bytes()
    slicer = reading._Slicer(data, 2_000)
    source = reading._WorkbookSource(python_calamine.CalamineWorkbook.from_filelike(slicer.skeleton()), "xlsx",
                                     SLICED, {}, slicer)
    rows = source.rows("Data")
    assert next(rows)[:2] == ["Ref", "Amount"]
    assert slicer._strings is not None
    assert len(list(rows)) == 300  # the postings
    assert slicer._strings is None


def test_a_python_without_ctypes_still_reads(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "ctypes", None)  # import ctypes raises ImportError
    reading._hand_back_large_blocks()


@pytest.mark.parametrize("window", [1, 40, 10_000_000])
def test_shared_strings_are_taken_a_window_at_a_time_each_whole(tmp_path: Path, window: int) -> None:
    data = _shared_strings_xlsx(tmp_path, 10, awkward=True, strings_prefix="s").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        xml = book.read("xl/sharedStrings.xml")
    strings = reading._shared_strings(xml, b"x:", window)
    assert strings is not None
    numbers = list(range(len(strings.bounds) - 1))
    texts = [bytes(text) for text in strings.contents(numbers)]
    assert len(texts) == 152 + len(AWKWARD_STRINGS)
    assert texts[:2] + texts[-3:] == [b"<x:t>Ref</x:t>", b"<x:t>Amount</x:t>", b"", b"<x:t/>",
                                      b"<x:t>Tom &amp; Jerry &lt;3 &#8364;5</x:t>"]
    assert texts[-6] == (b'<x:r><x:rPr><x:b/><x:sz val="11"/></x:rPr><x:t>Bold</x:t></x:r>'
                         b'<x:r><x:t xml:space="preserve"> then plain</x:t></x:r>')
    with pytest.raises(IndexError):
        strings.contents([len(numbers)])


@pytest.mark.parametrize("table", [
    b"<sst>" + b"<si>" * 5 + b"</sst>",  # strings never closed: each would otherwise be scanned to the end
    b'<sst><si><t>a</t></si><?pi <si><t>b</t></si> ?><si><t>c</t></si></sst>',  # a <si> calamine does not read
    b'<sst><si a="</si>"><t>a</t></si></sst>',
    b'<sst xmlns:x="urn:other"><si><x:t>a</x:t></si></sst>',
    # In a prefix of its own, with an element in none: calamine runs <s:si> on past </si> into the next string.
    b'<s:sst xmlns:s="urn:main"><s:si><s:t>a</s:t></si><s:si><s:t>b</s:t></s:si></s:sst>',
    b'<s:sst xmlns:s="urn:main"><si><t>a</t></si><s:si><s:t>b</s:t></s:si></s:sst>',
])
def test_a_string_table_not_as_excel_writes_it_is_left_for_calamine_to_read(table: bytes) -> None:
    assert reading._shared_strings(table, b"") is None


def test_a_sheet_read_in_slices_refuses_what_it_would_refuse_whole(tmp_path: Path) -> None:
    path = _ledger_with_gaps_xlsx(tmp_path)
    refusals = []
    for limits in (ReadLimits(max_rows=400), ReadLimits(max_cell_chars=15)):
        sliced = dataclasses.replace(limits, child_from_cells=0, child_from_bytes=0, slice_bytes=2_000)
        refusals.append(_read_or_refusal(path, limits)[0])
        assert _read_or_refusal(path, sliced)[0] == refusals[-1]
    # Known only from the last slices: the sheet's height, and the long cell in its last row.
    assert refusals == ["The sheet Ledger has 622 rows, more than the 400 jointlead reads.",
                        "Cell Ledger!F622 holds 21 characters, more than the 15 a cell may hold."]


def test_merged_areas_are_read_from_the_sheet_named_which_calamine_hands_over_as_their_first_cell(tmp_path: Path
                                                                                                  ) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    workbook.active.merge_cells("A1:C1")
    sheet = workbook.create_sheet("Actions")
    sheet["J2"] = "Complete"
    sheet.merge_cells("J2:J4")
    sheet.merge_cells("AB10:AC11")
    sheet.merge_cells("B7:C7")
    path = tmp_path / "merged.xlsx"
    workbook.save(path)
    data = path.read_bytes()
    found = reading.merged_areas(data, "Actions")
    assert [area.reference for area in found] == ["J2:J4", "AB10:AC11", "B7:C7"]
    assert (found[0].first_row, found[0].first_column, found[0].last_row, found[0].last_column) == (2, 9, 4, 9)
    assert [area.reference for area in reading.merged_areas(data, "Notes")] == ["A1:C1"]
    assert reading.merged_areas(data, "No such sheet") == ()
    column_j = [row[9] for row in open_source(path).sheets[1].rows() if len(row) > 9 and row[9] is not None]
    assert column_j == ["Complete"]  # once, in J2: rows 3 and 4 show it in Excel, and hold nothing
