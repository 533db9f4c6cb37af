"""Exports as they print: every page of every sheet says whose figures these are and as at when."""

from __future__ import annotations

from datetime import datetime

import openpyxl

from jointlead.services.demo import DEMO_TODAY
from jointlead.services.exports import export_budget
from jointlead.services.overview import service_name
from jointlead.services.packs import export_pack

GENERATED_ON = datetime(2026, 11, 20, 9, 30)


def test_every_page_of_the_budget_workbook_says_whose_it_is_and_as_at_when(demo_db, tmp_path):
    result = export_budget(demo_db, "NCC", tmp_path / "budget.xlsx", as_at=7, generated_on=GENERATED_ON)
    book = openpyxl.load_workbook(result.path)
    assert "Variance" in book.sheetnames
    for sheet in book.worksheets:
        assert (sheet.oddHeader.left.text, sheet.oddHeader.right.text) == (
            "Northshire County Council (NCC)", "As at M7 2026-27 (Oct-26)"), sheet.title
        assert (sheet.oddFooter.left.text, sheet.oddFooter.center.text, sheet.oddFooter.right.text) == (
            "Budget monitoring: &A", service_name(demo_db), "Page &P of &N"), sheet.title
    assert book["Variance"]["A1"].value == "Code"  # nothing above the header row


def test_a_printed_page_of_the_packs_budget_lines_says_it_is_the_councils_as_at_m7(demo_db, tmp_path):
    result = export_pack(demo_db, "NCC", tmp_path / "pack.xlsx", as_at=7, today=DEMO_TODAY,
                         generated_on=GENERATED_ON)
    sheet = openpyxl.load_workbook(result.path)["Budget lines"]
    assert sheet.oddHeader.left.text == "Northshire County Council (NCC)"
    assert sheet.oddHeader.right.text.startswith("As at M7 2026-27")
    assert sheet.oddFooter.left.text == "Monthly pack: &A"
