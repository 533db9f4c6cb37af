"""Where a problem is, as Excel writes a reference: pasted into its Name Box, it goes there."""

from __future__ import annotations

import pytest

from jointlead.exchange.problems import cell_reference


@pytest.mark.parametrize(("sheet", "row", "column", "reference"), [
    ("Ledger", 12, 2, "Ledger!C12"),
    ("Ledger", 12, None, "Ledger!12:12"),
    ("Ledger", None, None, "Ledger"),
    ("Sheet1", 4, None, "Sheet1!4:4"),  # five letters: no column is called SHEET
    ("Données_2026", 4, None, "Données_2026!4:4"),
    ("Staff list", 4, None, "'Staff list'!4:4"),
    ("Bob's list", 4, 0, "'Bob''s list'!A4"),
    # Names Excel would read as a cell, or in R1C1 style as a row or column, or that start with a digit.
    ("M7", 4, None, "'M7'!4:4"),
    ("FY26", 4, 1, "'FY26'!B4"),
    ("R1C1", 4, None, "'R1C1'!4:4"),
    ("R", 4, None, "'R'!4:4"),
    ("c2", 4, None, "'c2'!4:4"),
    ("2026", 4, None, "'2026'!4:4"),
    ("", 4, 1, "B4"),
])
def test_a_place_is_written_as_excel_writes_it(sheet: str, row: int | None, column: int | None,
                                               reference: str) -> None:
    assert cell_reference(sheet, row, column) == reference
