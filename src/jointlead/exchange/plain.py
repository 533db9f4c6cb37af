"""A workbook of bare values, laid out as another organisation's system writes it: no cover, no table, no styles.

jointlead's own exports go through `writing.ExportWorkbook`. This is for what stands in for a partner's file, such as
the demo's next month's ledger extracts, so that they are read by the same import as the real ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

NUMBER_FORMATS = {date: "DD/MM/YYYY", Decimal: "#,##0.00"}  # as a finance system's extract shows them


def write_plain_sheet(path: Path, title: str, rows: Iterable[Sequence[object]]) -> Path:
    """One sheet named `title` holding `rows` as they are: text as text, dates as dates, Decimal pounds as numbers
    with two places, None as an empty cell."""
    from openpyxl import Workbook  # only when such a file is written
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, never a formula, whatever it starts with
            if (number_format := NUMBER_FORMATS.get(type(value))) is not None:
                cell.number_format = number_format
            cells.append(cell)
        sheet.append(cells)
    workbook.save(path)
    return path
