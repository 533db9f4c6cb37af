"""Tables and the cover as they print: a row as tall as its wrapped text, so nothing prints over the row below, and
every page saying whose figures it holds, as at when."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from jointlead.exchange.writing import (
    FINANCE_FORMAT,
    LINE_HEIGHT,
    MAX_WIDTH,
    Cover,
    ExportChart,
    ExportColumn,
    ExportWorkbook,
    Kind,
)

COVER = Cover(
    title="Monthly pack",
    organisation="Northshire NHS Foundation Trust (NFT)",
    as_at="M7 2026-27",
    generated_by="jsmith",
    generated_on=datetime(2026, 11, 22, 14, 5),
    source_database="northshire.sqlite",
)
COLUMNS = (
    ExportColumn("What"),
    ExportColumn("Explanation", wrap=True, width=30),
    ExportColumn("Amount", Kind.MONEY_FINANCE),
    ExportColumn("RAG", Kind.RAG),
    ExportColumn("Due", Kind.DATE),
)
SHORT = "Fits on one line."  # well inside a 30-character column
LONG = ("The risk share below decides who bears the forecast overspend, partner by partner, step by step, "
        "until nothing is left.")  # 118 characters: four or five lines of a 30-character column


def written(tmp_path: Path, rows, columns=COLUMNS, cover: Cover = COVER) -> openpyxl.Workbook:
    workbook = ExportWorkbook(cover)
    workbook.add_table("Steps", columns, rows)
    return openpyxl.load_workbook(workbook.save(tmp_path / "print.xlsx"))


def height(sheet, row: int) -> float | None:
    return sheet.row_dimensions[row].height


def test_a_row_with_wrapped_text_is_as_tall_as_its_lines_and_one_that_fits_keeps_the_default(tmp_path):
    sheet = written(tmp_path, [("Short", SHORT, 100, "green", date(2026, 11, 1)),
                               ("Long", LONG, 200, "red", date(2026, 11, 2)),
                               ("None", None, 300, "amber", None)])["Steps"]
    assert height(sheet, 2) is None
    assert height(sheet, 3) in (4 * LINE_HEIGHT, 5 * LINE_HEIGHT)
    assert sheet.row_dimensions[3].customHeight
    assert height(sheet, 4) is None


def test_each_line_break_starts_a_line(tmp_path):
    sheet = written(tmp_path, [("Lines", "One\nTwo\nThree", 1, "green", None)])["Steps"]
    assert height(sheet, 2) == 3 * LINE_HEIGHT


def test_a_word_longer_than_the_column_takes_as_many_lines_as_it_needs(tmp_path):
    sheet = written(tmp_path, [("Reference", "X" * 100, 1, "green", None)])["Steps"]
    assert height(sheet, 2) >= 4 * LINE_HEIGHT  # at least 100 / 28 characters a line, rounded up


def test_a_row_is_never_taller_than_excel_allows(tmp_path):
    sheet = written(tmp_path, [("Essay", "word " * 5_000, 1, "green", None)])["Steps"]
    assert height(sheet, 2) == 409


def test_the_tallest_wrapped_cell_sets_the_height(tmp_path):
    columns = (ExportColumn("Short", wrap=True, width=30), ExportColumn("Long", wrap=True, width=30))
    sheet = written(tmp_path, [("One\nTwo", "One\nTwo\nThree\nFour")], columns)["Steps"]
    assert height(sheet, 2) == 4 * LINE_HEIGHT


def test_in_a_table_with_wrapped_text_every_cell_is_top_aligned_and_keeps_its_format(tmp_path):
    sheet = written(tmp_path, [("Long", LONG, 123_456, "red", date(2026, 11, 2))])["Steps"]
    what, explanation, amount, rag, due = sheet[2]
    assert {cell.alignment.vertical for cell in sheet[2]} == {"top"}
    assert explanation.alignment.wrap_text and not what.alignment.wrap_text
    assert (amount.value, amount.number_format) == (1234.56, FINANCE_FORMAT)
    assert rag.alignment.horizontal == "center" and rag.fill.fgColor.rgb.endswith("FFC7CE")
    assert due.is_date and due.number_format == "dd/mm/yyyy"
    assert sheet["A1"].alignment.vertical == "center"  # the header is as it always is


def test_a_table_without_wrapped_text_keeps_the_default_alignment_and_heights(tmp_path):
    columns = (ExportColumn("What"), ExportColumn("Amount", Kind.MONEY_FINANCE))
    sheet = written(tmp_path, [("x" * (MAX_WIDTH - 2), 1)], columns)["Steps"]  # as long as fits the widest column
    assert sheet["A2"].alignment.vertical is None and sheet["B2"].alignment.vertical is None
    assert height(sheet, 2) is None


@pytest.mark.parametrize("quoted", ["=1+1", "-12 days"])
def test_top_aligned_text_that_could_be_a_formula_is_still_quoted(tmp_path, quoted):
    sheet = written(tmp_path, [(quoted, LONG, 1, "green", None)])["Steps"]
    assert (sheet["A2"].value, sheet["A2"].quotePrefix, sheet["A2"].alignment.vertical) == (quoted, True, "top")


def test_a_long_checklist_item_gets_a_row_tall_enough_to_print_whole(tmp_path):
    item = "14 ledger rows match no budget line and count towards nothing until assigned: " + "JNL-2026-00451, " * 12
    cover = replace(COVER, checklist=(("Every period is closed.", True), (item, False)))
    sheet = written(tmp_path, [("Short", SHORT, 1, "green", None)], cover=cover)["Cover"]
    rows = {row[0].value: row[0].row for row in sheet.iter_rows(max_col=1) if row[0].value in ("Complete",
                                                                                                "Incomplete")}
    assert height(sheet, rows["Complete"]) is None
    assert height(sheet, rows["Incomplete"]) >= 2 * LINE_HEIGHT


def test_a_name_too_long_for_the_widest_column_wraps_in_a_row_as_tall_as_it_needs(tmp_path):
    # Budget line names run to 200 characters; the column stops at MAX_WIDTH, so the rest would be cut off.
    name = ("Adult social work, approved mental health professionals and out-of-hours duty " * 3)[:200]
    columns = (ExportColumn("Code", Kind.CODE), ExportColumn("Line"), ExportColumn("Budget", Kind.MONEY_FINANCE))
    sheet = written(tmp_path, [("MH01", "Social work", 100), ("MH02", name, 200)], columns)["Steps"]
    assert sheet.column_dimensions["B"].width == MAX_WIDTH
    assert sheet["B3"].value == name
    assert sheet["B3"].alignment.wrap_text and sheet["B3"].alignment.vertical == "top"
    assert height(sheet, 3) >= 4 * LINE_HEIGHT  # 200 characters in a 60-character column
    assert height(sheet, 2) is None  # a name that fits keeps its row one line high
    assert sheet["A3"].alignment.vertical == "top" and sheet["A3"].number_format == "@"
    assert not sheet["A3"].alignment.wrap_text and not sheet["C3"].alignment.wrap_text


def test_the_covers_long_values_notes_and_contents_wrap_within_the_printed_page(tmp_path):
    service = ("Northshire and Eastmoor Integrated Community Mental Health, Learning Disability and Autism Service "
               "for Adults")
    note = ("Everyone employed by this organisation who is recorded in the joint service, with the managerial and "
            "professional line each has on the as-at date.")
    description = ("Each supervision arrangement for the organisation's staff, and each one missing, on the as-at "
                   "date, with the supervisor and the date of the last session held")
    workbook = ExportWorkbook(replace(COVER, service=service, notes=(note, "Short.")))
    workbook.add_table("Steps", COLUMNS, [("Short", SHORT, 1, "green", None)], description=description)
    sheet = openpyxl.load_workbook(workbook.save(tmp_path / "print.xlsx"))["Cover"]
    first = {row[0].value: row for row in sheet.iter_rows(max_col=3)}
    page = sum(sheet.column_dimensions[letter].width for letter in "ABC")

    value = first["Service"][1]
    assert value.value == service and value.alignment.wrap_text
    assert len(service) > sheet.column_dimensions["B"].width and height(sheet, value.row) >= 2 * LINE_HEIGHT
    # A note is a paragraph as wide as the page, its three columns merged, as tall as its lines.
    noted = first[note][0]
    assert f"A{noted.row}:C{noted.row}" in {str(merged) for merged in sheet.merged_cells.ranges}
    assert noted.alignment.wrap_text and len(note) > page and height(sheet, noted.row) >= 2 * LINE_HEIGHT
    assert height(sheet, first["Short."][0].row) is None
    title, contents, rows = first["Steps"]
    assert contents.value == description and contents.alignment.wrap_text
    assert height(sheet, title.row) >= 2 * LINE_HEIGHT
    assert (title.alignment.vertical, rows.alignment.vertical, rows.value) == ("top", "top", 1)


# What every printed page says

PACK = replace(COVER, service="Northshire Integrated Mental Health Service")
ORGANISATION_HEADER = ("Northshire NHS Foundation Trust (NFT)", "As at M7 2026-27")


def pack(tmp_path: Path, cover: Cover = PACK) -> Path:
    workbook = ExportWorkbook(cover)
    lines = workbook.add_table("Budget lines", (ExportColumn("Line"), ExportColumn("Budget", Kind.MONEY_FINANCE)),
                               [("Social work", 100)])
    workbook.add_table("People", (ExportColumn("Name"),), [("Ada Lovelace",)])
    workbook.add_charts("Charts", [ExportChart("Budget by line", lines, 0, (1,))])
    return workbook.save(tmp_path / "pack.xlsx")


def test_every_printed_page_says_whose_figures_they_are_as_at_when_and_from_which_report(tmp_path):
    book = openpyxl.load_workbook(pack(tmp_path))
    assert book.sheetnames == ["Cover", "Budget lines", "People", "Charts"]
    for sheet in book.worksheets:
        assert (sheet.oddHeader.left.text, sheet.oddHeader.right.text) == ORGANISATION_HEADER
        assert (sheet.oddFooter.left.text, sheet.oddFooter.center.text, sheet.oddFooter.right.text) == (
            "Monthly pack: &A", "Northshire Integrated Mental Health Service", "Page &P of &N")
    # In the header and footer, not in rows over the table: what reads a table back finds its header in row 1.
    assert [cell.value for cell in book["Budget lines"][1]] == ["Line", "Budget"]


def test_without_a_service_the_footer_says_the_report_sheet_and_page(tmp_path):
    sheet = openpyxl.load_workbook(pack(tmp_path, COVER))["People"]
    assert (sheet.oddHeader.left.text, sheet.oddHeader.right.text) == ORGANISATION_HEADER
    assert (sheet.oddFooter.left.text, sheet.oddFooter.center.text) == ("Monthly pack: &A", None)


def running_heads(path: Path, sheet: int) -> tuple[str, str]:
    """The header and footer of the `sheet`-th sheet as the file holds them."""
    space = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(path) as archive:
        found = ElementTree.fromstring(archive.read(f"xl/worksheets/sheet{sheet}.xml")).find(f"{space}headerFooter")
    return found.find(f"{space}oddHeader").text, found.find(f"{space}oddFooter").text


def test_an_ampersand_prints_as_itself_and_a_long_name_is_shortened_to_excels_limit(tmp_path):
    cover = replace(PACK, organisation="Smith & Jones Care Partnership " * 8 + "(SJ)", as_at="M7 2026-27 & M8",
                    service="Care & Support " * 20)
    header, footer = running_heads(pack(tmp_path, cover), 3)
    assert len(header) <= 255 and len(footer) <= 255  # Excel's limit for either
    # && is Excel's way of writing &: one alone starts a code, as &P does the page number.
    assert header.startswith("&LSmith && Jones Care Partnership Smith && Jones") and "…&R" in header
    assert header.endswith("&RAs at M7 2026-27 && M8")
    assert footer.startswith("&LMonthly pack: &A&CCare && Support Care && Support")
    assert footer.endswith("…&RPage &P of &N")
