"""What can be wrong with a file or a cell, said plainly, with the `Sheet!C12` reference to find it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from jointlead.domain.errors import JointleadError


def column_letters(column: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column names a spreadsheet user sees."""
    letters = ""
    number = column + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# A sheet name Excel writes without quotes: a letter or underscore, then letters, digits and underscores, unless it
# could be read as a cell (M7, FY26) or, in R1C1 style, a row or column (R, C2, R1C1).
_PLAIN_SHEET = re.compile(r"[^\W\d]\w*")
_LIKE_A_CELL = re.compile(r"[A-Za-z]{1,3}[0-9]+|[Rr][0-9]*(?:[Cc][0-9]*)?|[Cc][0-9]*")


def sheet_reference(sheet: str) -> str:
    """A sheet's name as a reference to it starts: quoted (an apostrophe in it doubled) where Excel quotes it."""
    if not sheet or (_PLAIN_SHEET.fullmatch(sheet) and not _LIKE_A_CELL.fullmatch(sheet)):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


def cell_reference(sheet: str, row: int | None = None, column: int | None = None) -> str:
    """`Ledger!C12` for a cell, `Ledger!12:12` for a whole row, `Ledger` for a sheet (row is 1-based, as shown):
    as Excel writes them, so each can be pasted into its Name Box to go there ('Staff list'!4:4, 'M7'!C3)."""
    name = sheet_reference(sheet)
    if row is None:
        return name
    place = f"{column_letters(column)}{row}" if column is not None else f"{row}:{row}"
    return f"{name}!{place}" if name else place


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in a file, in words a manager understands."""

    message: str
    sheet: str = ""
    row: int | None = None  # 1-based, as the spreadsheet shows it
    column: int | None = None  # 0-based

    @property
    def reference(self) -> str:
        return cell_reference(self.sheet, self.row, self.column)

    def __str__(self) -> str:
        return f"{self.reference}: {self.message}" if self.sheet or self.row else self.message


class FileRefused(JointleadError):
    """The whole file cannot be read: what it is, and what to do about it. Nothing was changed."""


class ColumnsNotFound(FileRefused):
    """Columns an import needs were not found by their headers. `found` says what headers the file has; the advice
    ends by saying how to name the columns by hand, on the command line or in the import wizard, where the wizard
    says it in its own words instead."""

    def __init__(self, message: str, found: str, advice: str) -> None:
        super().__init__(message, f"{found} {advice}")
        self.found = found


class ValueProblem(ValueError):
    """A cell's value cannot be understood as what its column holds; the message says why, plainly."""
