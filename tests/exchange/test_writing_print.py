"""Tables and the cover as they print: a row as tall as its wrapped text, so nothing prints over the row below."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from jointlead.exchange.writing import FINANCE_FORMAT, LINE_HEIGHT, Cover, ExportColumn, ExportWorkbook, Kind

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
    sheet = written(tmp_path, [("x" * 200, 1)], columns)["Steps"]
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
