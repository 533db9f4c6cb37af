"""A workbook of bare values, laid out as another organisation's system writes it: no cover, no table, no styles.

jointlead's own exports go through `writing.ExportWorkbook`, which keeps any text from being taken as a formula or an
escape. This is only for what stands in for a partner's file, the demo's next month's ledger extracts, written from
jointlead's own fixed words, so that they are read by the same import as the real ones.
"""

from __future__ import annotations

import os
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
    partial = path.with_name(f".{path.name}.partial")
    try:
        workbook.save(partial)
        os.replace(partial, path)  # whole or not at all: a file cut short would pass for the finished one
    finally:
        partial.unlink(missing_ok=True)
    return path
