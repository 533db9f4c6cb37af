"""Writing workbooks: the one layer every export goes through, so every export is formula-safe, tidy and repeatable.

An `ExportWorkbook` starts with a cover sheet (what this is, for whom, as at when, made by whom from which
database) and gains one formatted Excel table per `add_table`. Values arrive as the domain holds them (money in
integer pence, WTE in hundredths, dates as `date`) and are written with the right number format.

Safety rules, all enforced here rather than by each exporter:

- **No formula injection.** Every piece of text (table cells, headers, the cover) is written as a string cell
  (`data_type "s"`), never a formula, even when it starts with `=`. Text starting with `= + - @`, a tab, CR or LF
  (or the full-width `＝ ＋ － ＠`, or an OOXML escape Excel decodes into one, such as `_x003D_`) also gets the
  cell style's quote prefix (`cell.quotePrefix`, the `quotePrefix` attribute of the cell's xf record), so Excel
  keeps it as text even after someone edits the cell. Error look-alikes such as `#N/A` stay text as well.
- **Characters a workbook cannot hold** (control characters other than tab, CR and LF, lone surrogates, U+FFFE and
  U+FFFF) are replaced with U+FFFD, the replacement character, rather than dropped or refused: the export still
  succeeds, and the reader can see that something was there. CR and CRLF are written as LF, Excel's line break
  within a cell: XML readers, Excel's included, would turn a raw CR into LF anyway.
- **Nothing is silently truncated.** Text over 32,767 characters (Excel's limit for a cell, which openpyxl would
  otherwise cut short without a word) raises `UnwritableCell`, naming the sheet, row and column.

Deterministic: the same data and cover give the same bytes. The document properties carry `cover.generated_on`,
never the clock, and the zip entries are stamped with it too.

Streaming: the workbook is write-only (openpyxl's `write_only=True`), so 50,000-row exports stream to disk
instead of holding every cell in memory. Write-only sheets still support everything an export needs: tables with
autofilter, frozen panes, column widths, print set-up, repeated print titles and footers. Its two constraints shape
the API: column widths must be known before the first row, so they come from the header and the first
`WIDTH_SAMPLE_ROWS` rows; and a workbook can be saved only once. A table's rows are written here as worksheet XML,
the cells openpyxl would write, to a temporary file of their own that is put into the sheet as the workbook is saved:
building an openpyxl cell and XML element per value was most of a large export's writing time (bench/pack_scale.py).

Printing: every table prints landscape on A4, one page wide, its header row on every page. Every page of every sheet
is headed with the cover's organisation and as-at date, and footed with the report and sheet, the service and the
page number, so no printed page loses what the cover says. Text marked `wrap`, or too long for a column at its widest
(`MAX_WIDTH`), wraps; a row holding wrapped text is made tall enough for it (spreadsheets do not grow rows to fit
when they open a file), and every cell of a table with wrapped text is top-aligned. The cover's long values, notes
and checklist items wrap within the printed page too. Each chart on a sheet of charts starts a page.
"""

from __future__ import annotations

import contextlib
import copy
import glob
import math
import os
import re
import secrets
import shutil
import tempfile
import time
import unicodedata
import weakref
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from itertools import chain, islice
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.styles.borders import DEFAULT_BORDER
from openpyxl.styles.fonts import DEFAULT_FONT
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from jointlead.domain.errors import JointleadError
from jointlead.domain.money import format_finance, format_money
from jointlead.domain.rag import Rag
from jointlead.exchange.problems import cell_reference


class Kind(StrEnum):
    """What a column holds, which decides how its values are written and shown."""

    TEXT = "text"  # str
    CODE = "code"  # str (or int): always text, so leading zeros survive
    MONEY = "money"  # int pence, shown as £1,234.56 and -£1,234.56
    MONEY_FINANCE = "money_finance"  # int pence, shown finance style as 1,234.56 and (1,234.56)
    DATE = "date"  # datetime.date, shown dd/mm/yyyy
    INTEGER = "integer"  # int
    PERCENT = "percent"  # float fraction: 0.125 is shown 12.5%
    WTE = "wte"  # int hundredths of a whole-time equivalent: 80 is written 0.8, shown 0.80
    BOOL = "bool"  # bool, written as the text Yes or No
    RAG = "rag"  # a `Rag` (or its value, "red"...), written as the word Red, Amber... on the status's own fill


MONEY_FORMAT = '"£"#,##0.00;-"£"#,##0.00'
FINANCE_FORMAT = "#,##0.00;(#,##0.00)"
DATE_FORMAT = "dd/mm/yyyy"
WTE_FORMAT = "0.00"
PERCENT_FORMAT = "0.0%"
INTEGER_FORMAT = "0"
TEXT_FORMAT = "@"

NHS_BLUE = "005EB8"
TABLE_STYLE = "TableStyleLight9"
COVER_TITLE = "Cover"
NO_ROWS = "No rows."

MAX_TEXT_LENGTH = 32_767  # characters in one cell, Excel's limit
MAX_ROWS = 1_048_576  # rows in a sheet, Excel's limit, header included
MAX_COLUMNS = 16_384
MAX_SHEET_TITLE = 31
MAX_WIDTH = 60  # characters: wider columns wrap badly and push everything else off the page
WIDTH_SAMPLE_ROWS = 1_000  # column widths come from the header and this many rows
LINE_HEIGHT = 15  # points: a line of Calibri 11, Excel's default row height
MAX_ROW_HEIGHT = 409  # points, Excel's limit
CHOICE_ROWS_BELOW = 500  # rows under a table that keep a column's drop-down, for rows added by hand
MAX_CHOICES_LENGTH = 255  # characters in a drop-down's list, Excel's limit

# The characters a cell cannot hold: openpyxl's ILLEGAL_CHARACTERS_RE (control characters other than tab, LF
# and CR), plus lone surrogates (cannot be encoded as UTF-8) and U+FFFE/U+FFFF (not allowed in XML).
_UNWRITABLE_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT_CHARACTER = "\ufffd"

# Text a spreadsheet may take as the start of a formula (or, for tab/CR/LF, the start of one after a paste).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")

_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_RESERVED_SHEET_TITLES = frozenset({"history"})  # Excel keeps "History" for its change tracking
_TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_LOOKS_LIKE_A1 = re.compile(r"[A-Za-z]{1,3}[0-9]+")
_LOOKS_LIKE_R1C1 = re.compile(r"[RrCc]|[Rr][0-9]*[Cc][0-9]*|[Rr][0-9]+|[Cc][0-9]+")

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class UnwritableCell(ValueError):
    """A value cannot go into a cell as it is; says where (`Staff!C12`) and why. Callers validate first."""

    def __init__(self, message: str, sheet: str, row: int, column: int | None = None) -> None:
        self.sheet = sheet
        self.row = row  # 1-based, as the spreadsheet shows it
        self.column = column  # 0-based
        self.reference = cell_reference(sheet, row, column)
        super().__init__(f"{self.reference}: {message}")


class ExportNotSaved(JointleadError):
    """The finished workbook could not be put in place; nothing at the target was changed."""


DISCARDED = "this workbook was discarded (a table or a save failed?); start a new one"


@dataclass(frozen=True)
class ExportColumn:
    header: str
    kind: Kind = Kind.TEXT
    width: int | None = None  # characters; None means from the kind, the header and the content, at most MAX_WIDTH
    wrap: bool = False  # long text (an explanation, a reason) wraps within the column, top-aligned, for printing
    # A drop-down of the allowed values (e.g. statuses), on every row and CHOICE_ROWS_BELOW rows under the table, so
    # rows someone adds get it too. Each choice is plain text without commas or quotes (Excel's list syntax).
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cover:
    title: str  # e.g. "Staff and reporting lines"
    organisation: str  # e.g. "Northshire NHS Foundation Trust (NFT)"
    as_at: str  # e.g. "22 November 2026" or "M7 2026-27"
    generated_by: str  # OS user
    generated_on: datetime  # passed in, never read from the clock, so output is deterministic
    source_database: str  # file name of the database
    service: str = ""
    notes: tuple[str, ...] = ()  # plain lines under the header block
    checklist: tuple[tuple[str, bool], ...] = ()  # (item, done): shown green "Complete" or red "Incomplete"


class ChartKind(StrEnum):
    LINE = "line"  # a trend over the categories (months, say)
    COLUMN = "column"  # clustered columns, one per series in each category


@dataclass(frozen=True)
class ExportChart:
    """A native Excel chart drawn from a table this workbook already holds (`source`: the title `add_table`
    returned). Charts reference cells, so the figures stay visible and checkable on the source sheet."""

    title: str
    source: str
    categories: int  # the 0-based column of the source table holding the category labels (months, say)
    series: tuple[int, ...]  # the 0-based columns plotted, each named by its header
    kind: ChartKind = ChartKind.LINE
    y_title: str = ""
    x_title: str = ""
    y_format: str | None = None  # the value axis's number format; None: from the first series column's kind


# Named styles, registered once per workbook: each cell copies a small style array instead of building objects.
_HEADER = "jointlead header"
_CODE = "jointlead code"
_MONEY = "jointlead money"
_FINANCE = "jointlead finance"
_DATE = "jointlead date"
_INTEGER = "jointlead integer"
_PERCENT = "jointlead percent"
_WTE = "jointlead wte"
_COVER_TITLE = "jointlead cover title"
_COVER_LABEL = "jointlead cover label"
_COMPLETE = "jointlead complete"
_INCOMPLETE = "jointlead incomplete"
_WRAPPED = "jointlead wrapped"

# Each status on the fill and font colours of Excel's own Good / Neutral / Bad cell styles, so a printed or
# on-screen report reads as boards expect; the word is written too, for colour-blind readers and black-and-white print.
_RAG_STYLES = {
    Rag.RED: ("jointlead rag red", "Red", "9C0006", "FFC7CE"),
    Rag.AMBER: ("jointlead rag amber", "Amber", "9C5700", "FFEB9C"),
    Rag.GREEN: ("jointlead rag green", "Green", "006100", "C6EFCE"),
    Rag.BLUE: ("jointlead rag blue", "Blue", "1F4E79", "BDD7EE"),
    Rag.GREY: ("jointlead rag grey", "Grey", "404040", "D9D9D9"),
}


def _font(**style: object) -> Font:
    """Excel's body font (Calibri 11), so styled cells match unstyled ones, with `style` on top (bold, colour...)."""
    return Font(**{"name": "Calibri", "family": 2, "sz": 11, "scheme": "minor", **style})


def _fill(colour: str) -> PatternFill:
    return PatternFill("solid", start_color=colour, end_color=colour)


_TOP = Alignment(vertical="top")  # the first line of each cell in a row level, when one of them wraps


def _named_styles() -> list[NamedStyle]:
    def named(name: str, **style: object) -> NamedStyle:
        style.setdefault("font", DEFAULT_FONT)
        return NamedStyle(name, border=DEFAULT_BORDER, **style)

    middle = Alignment(vertical="center")
    return [
        named(_HEADER, font=_font(b=True, color="FFFFFF"), fill=_fill(NHS_BLUE), alignment=middle),
        named(_CODE, number_format=TEXT_FORMAT),
        named(_MONEY, number_format=MONEY_FORMAT),
        named(_FINANCE, number_format=FINANCE_FORMAT),
        named(_DATE, number_format=DATE_FORMAT),
        named(_INTEGER, number_format=INTEGER_FORMAT),
        named(_PERCENT, number_format=PERCENT_FORMAT),
        named(_WTE, number_format=WTE_FORMAT),
        named(_COVER_TITLE, font=_font(b=True, sz=16, color=NHS_BLUE)),
        named(_COVER_LABEL, font=_font(b=True), alignment=_TOP),
        named(_COMPLETE, font=_font(b=True, color="006100"), fill=_fill("C6EFCE"), alignment=_TOP),
        named(_INCOMPLETE, font=_font(b=True, color="9C0006"), fill=_fill("FFC7CE"), alignment=_TOP),
        named(_WRAPPED, alignment=Alignment(vertical="top", wrap_text=True)),
        *(named(style, font=_font(color=ink), fill=_fill(paper), alignment=Alignment(horizontal="center"))
          for style, _, ink, paper in _RAG_STYLES.values()),
    ]


_DEFAULT_WIDTHS = {
    Kind.TEXT: 10,
    Kind.CODE: 8,
    Kind.MONEY: 12,
    Kind.MONEY_FINANCE: 12,
    Kind.DATE: 11,
    Kind.INTEGER: 8,
    Kind.PERCENT: 8,
    Kind.WTE: 7,
    Kind.BOOL: 6,
    Kind.RAG: 7,
}


def writable_text(text: str) -> str:
    """`text` as a workbook can hold it: unwritable characters become U+FFFD, and CR or CRLF becomes LF."""
    if "\r" in text:
        # XML readers (Excel's too) turn a raw CR into LF; doing it here makes what is read what was written.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNWRITABLE_CHARACTERS.sub(REPLACEMENT_CHARACTER, text)


def _ooxml_unescaped(text: str) -> str:
    return _OOXML_ESCAPE.sub(lambda match: chr(int(match[1], 16)), text)


def needs_quote_prefix(text: str) -> bool:
    """True when a spreadsheet could take `text` as the start of a formula."""
    if text.startswith(FORMULA_TRIGGERS):
        return True
    # Excel decodes OOXML's _xHHHH_ escapes in cell text, so it shows "_x003D_1+1" as "=1+1".
    return text.startswith("_x") and _ooxml_unescaped(text).startswith(FORMULA_TRIGGERS)


def _ooxml_literal(text: str) -> str:
    """`text` with each _xHHHH_ in it kept as written: Excel (and calamine) decode that pattern in cell text, so
    "_x003D_1+1" would read back as "=1+1"; OOXML's escape for the underscore, _x005F_, keeps it literal."""
    return _OOXML_ESCAPE.sub(lambda match: "_x005F" + match[0], text) if "_x" in text else text


def _put_text(cell: Cell, text: str) -> None:
    """Put already-checked text in a cell as a string, never a formula or an error code, quote-prefixed if need be."""
    cell.value = _ooxml_literal(text)
    # openpyxl infers "f" for text starting with "=" and "e" for "#N/A" and the like: text is always text.
    cell.data_type = "s"
    if needs_quote_prefix(text):
        cell.quotePrefix = True


class _Place:
    """Where a value is going, for error messages; cheap to move along a row."""

    __slots__ = ("column", "row", "sheet")

    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        self.row = 1
        self.column: int | None = None

    def fail(self, message: str) -> UnwritableCell:
        return UnwritableCell(message, self.sheet, self.row, self.column)


def _checked_text(value: object, place: _Place) -> str:
    if not isinstance(value, str):
        raise place.fail(f"expected text, got {type(value).__name__}")
    text = str.__str__(value)  # a plain str, even for a StrEnum member
    if len(text) > MAX_TEXT_LENGTH:
        raise place.fail(
            f"text is {len(text):,} characters; a spreadsheet cell holds at most {MAX_TEXT_LENGTH:,}, "
            "and it will not be cut short"
        )
    return writable_text(text)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# One function per kind: (value, place) -> the cell's XML after its reference (`<c r="B7"`), or None for an empty
# cell. None and "" are empty.
_CellXml = Callable[[object, _Place], str | None]
_StyleArrays = dict[str, Any]  # named style -> its openpyxl style array
_StyleAttribute = Callable[[str | None, bool], str]  # (named style, quote prefix) -> ' s="7"', or "" for none


def _escaped(text: str) -> str:
    """Text as XML character data: what openpyxl's serialiser escapes (& < >), nothing else."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text_xml(text: str, style: str) -> str:
    """An inline string cell, as openpyxl writes one (leading or trailing spaces kept with xml:space)."""
    stripped = text.strip()
    space = ' xml:space="preserve"' if stripped and text != stripped else ""
    return f'{style} t="inlineStr"><is><t{space}>{_escaped(_ooxml_literal(text))}</t></is></c>'


def _cell_writer(key: Kind | str, style_attribute: _StyleAttribute, epoch: datetime) -> _CellXml:
    """The cell writer for one kind of column (`key`: a `Kind`, or `_HEADER` or `_WRAPPED` for text in that style).

    Each writes the cell's XML itself, as openpyxl would write the same cell: building an openpyxl `Cell` and an
    XML element for each value took most of a large export's time. A style is registered with the workbook when
    the first cell takes it, as openpyxl registers a cell's style when it writes the cell."""

    def text_writer(style: str | None) -> _CellXml:
        def make(value: object, place: _Place) -> str | None:
            if value is None or value == "":
                return None
            text = _checked_text(value, place)
            return _text_xml(text, style_attribute(style, needs_quote_prefix(text)))

        return make

    def number_writer(style: str, divisor: int) -> _CellXml:
        def make(value: object, place: _Place) -> str | None:
            if value is None:
                return None
            if not _is_int(value):
                raise place.fail(f"expected a whole number, got {type(value).__name__} {value!r}")
            # True division is correctly rounded, so 123456 / 100 is exactly the float written 1234.56.
            number = safe_string(value / divisor if divisor != 1 else value)
            return f'{style_attribute(style, False)} t="n"><v>{number}</v></c>'

        return make

    if key in (_HEADER, _WRAPPED):
        return text_writer(key)
    if key is Kind.TEXT:
        return text_writer(None)
    if key is Kind.CODE:
        code_text = text_writer(_CODE)

        def code_cell(value: object, place: _Place) -> str | None:
            return code_text(str(value) if _is_int(value) else value, place)

        return code_cell
    if key in _NUMBER_STYLES:
        return number_writer(*_NUMBER_STYLES[key])
    if key is Kind.PERCENT:
        def percent_cell(value: object, place: _Place) -> str | None:
            if value is None:
                return None
            if not (_is_int(value) or isinstance(value, float)) or not math.isfinite(value):
                raise place.fail(f"expected a fraction such as 0.125, got {type(value).__name__} {value!r}")
            return f'{style_attribute(_PERCENT, False)} t="n"><v>{safe_string(value)}</v></c>'

        return percent_cell
    if key is Kind.DATE:
        serials: dict[date, str] = {}

        def date_cell(value: object, place: _Place) -> str | None:
            if value is None:
                return None
            if not isinstance(value, date) or isinstance(value, datetime):
                raise place.fail(f"expected a date, got {type(value).__name__} {value!r}")
            serial = serials.get(value)
            if serial is None:  # the day's serial number, from the workbook's epoch
                serial = serials[value] = safe_string(to_excel(value, epoch))
            return f'{style_attribute(_DATE, False)} t="n"><v>{serial}</v></c>'

        return date_cell
    if key is Kind.BOOL:
        yes, no = _text_xml("Yes", ""), _text_xml("No", "")

        def bool_cell(value: object, place: _Place) -> str | None:
            if value is None:
                return None
            if not isinstance(value, bool):
                raise place.fail(f"expected yes or no (a bool), got {type(value).__name__} {value!r}")
            return yes if value else no

        return bool_cell
    if key is Kind.RAG:
        rag_cells: dict[str, str] = {}

        def rag_cell(value: object, place: _Place) -> str | None:
            if value is None:
                return None
            found = rag_cells.get(value) if isinstance(value, str) else None
            if found is None:
                rag = _RAG_BY_VALUE.get(value) if isinstance(value, str) else None
                if rag is None:
                    raise place.fail(f"expected a RAG status (red, amber, green, blue or grey), got "
                                     f"{type(value).__name__} {value!r}")
                style, word, _, _ = _RAG_STYLES[rag]
                found = rag_cells[value] = _text_xml(word, style_attribute(style, False))
            return found

        return rag_cell
    raise ValueError(f"no cell writer for {key!r}")


_NUMBER_STYLES = {Kind.MONEY: (_MONEY, 100), Kind.MONEY_FINANCE: (_FINANCE, 100), Kind.INTEGER: (_INTEGER, 1),
                  Kind.WTE: (_WTE, 100)}
_RAG_BY_VALUE = {rag.value: rag for rag in _RAG_STYLES}


def _shown_length(kind: Kind, value: object) -> int:
    """Roughly how many characters the value takes on screen, for column widths; 0 when unknown or empty."""
    try:
        if value is None:
            return 0
        if kind in (Kind.TEXT, Kind.CODE):
            return max((len(line) for line in str(value).splitlines()), default=0)
        if kind is Kind.MONEY:
            return len(format_money(value))
        if kind is Kind.MONEY_FINANCE:
            return len(format_finance(value)) + 1
        if kind is Kind.DATE:
            return 10
        if kind is Kind.WTE:
            return len(f"{value / 100:.2f}")
        if kind is Kind.PERCENT:
            return len(f"{value * 100:.1f}%")
        if kind is Kind.INTEGER:
            return len(str(value))
        if kind is Kind.BOOL:
            return 3
        if kind is Kind.RAG:
            return 5
    except (TypeError, ValueError):
        return 0  # a bad value is reported when it is written, with its place
    return 0


def _column_width(column: ExportColumn, index: int, sample: Sequence[Sequence[object]]) -> tuple[float, bool]:
    """The column's width in characters, and whether its text wraps: text marked `wrap`, or text too wide for the
    column at its widest (MAX_WIDTH), which would otherwise run under the next cell and be cut off in print."""
    wraps = column.wrap and column.kind is Kind.TEXT
    if column.width is not None:
        return column.width, wraps
    content = max((_shown_length(column.kind, row[index]) for row in sample if index < len(row)), default=0)
    # +3 for the header's filter button; +2 of breathing space around content.
    wanted = max(_DEFAULT_WIDTHS[column.kind], len(column.header) + 3, content + 2)
    return min(wanted, MAX_WIDTH), wraps or (column.kind is Kind.TEXT and content + 2 > MAX_WIDTH)


def _wrapped_lines(text: str, width: float) -> int:
    """How many lines `text` takes wrapped in a column `width` characters wide, erring on the side of more.

    A spreadsheet opening the file cannot be relied on to grow a row to fit its wrapped text (LibreOffice does not),
    so a row holding wrapped text is given its height: without it, the text prints over the rows below. Widths are
    in digits of the body font, as column widths are; each paragraph is wrapped word by word at its own average
    character width (see `_text_width`)."""
    room = width - 2  # the cell's padding
    lines = 0
    for paragraph in text.split("\n"):
        paragraph = paragraph.rstrip(" ")
        lines += 1
        if not paragraph or _text_width(paragraph) <= room:
            continue
        characters = max(1, math.floor(room * len(paragraph) / _text_width(paragraph)))
        used = 0
        for word in paragraph.split(" "):
            if used and used + 1 + len(word) <= characters:
                used += 1 + len(word)
                continue
            if used:
                lines += 1
            lines += (len(word) - 1) // characters if word else 0  # a word longer than a line breaks anywhere
            used = (len(word) - 1) % characters + 1 if word else 0
    return lines


# Characters' widths in Calibri 11 as a fraction of a digit's, rounded up by about 5% so that a row errs on the
# side of a line too many rather than one too few; everything else counts 0.95.
_CHARACTER_WIDTHS = (
    (re.compile(r"[mwMW]"), 1.6),
    (re.compile(r"[A-HJ-LN-VX-Z]"), 1.25),
    (re.compile(r"[0-9%#&@£$]"), 1.05),
    (re.compile(r"[ iljtfrI.,;:'!|()/-]"), 0.58),
)


def _text_width(text: str) -> float:
    """Roughly how many digits wide `text` is on one line."""
    counted, width = 0, 0.0
    for characters, each in _CHARACTER_WIDTHS:
        found = len(characters.findall(text))
        counted += found
        width += found * each
    return width + (len(text) - counted) * 0.95


def _row_height(lines: int) -> str:
    """The `<row>` attributes giving a row room for `lines` lines, or "" for the default height of one."""
    if lines <= 1:
        return ""
    return f' ht="{min(lines * LINE_HEIGHT, MAX_ROW_HEIGHT)}" customHeight="1"'


def _sheet_title(wanted: str, taken: set[str]) -> str:
    """A valid sheet title from `wanted`, different from every title in `taken` (ignoring case); adds it there."""
    title = _SHEET_TITLE_FORBIDDEN.sub("-", writable_text(wanted).replace(REPLACEMENT_CHARACTER, " "))
    title = " ".join(title.split()).strip("' ")  # Excel refuses a title that starts or ends with an apostrophe
    title = title[:MAX_SHEET_TITLE].rstrip("' ") or "Sheet"
    candidate, number = title, 2
    while candidate.casefold() in taken or candidate.casefold() in _RESERVED_SHEET_TITLES:
        suffix = f" ({number})"
        candidate = title[: MAX_SHEET_TITLE - len(suffix)].rstrip("' ") + suffix
        number += 1
    taken.add(candidate.casefold())
    return candidate


def _looks_like_reference(name: str) -> bool:
    """Excel refuses names it could read as a cell (A1, FY2026, R1C1) or a value (TRUE, FALSE)."""
    if name.upper() in ("TRUE", "FALSE"):
        return True
    return bool(_LOOKS_LIKE_A1.fullmatch(name) or _LOOKS_LIKE_R1C1.fullmatch(name))


def _table_name(wanted: str, taken: set[str]) -> str:
    """A valid, unique table name derived from a sheet title: ASCII letters, digits and underscores."""
    ascii_only = unicodedata.normalize("NFKD", wanted).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^A-Za-z0-9]+", "_", ascii_only).strip("_")
    if not name or not name[0].isalpha() or _looks_like_reference(name):
        name = f"Table_{name}".rstrip("_")
    name = name[:200]
    candidate, number = name, 2
    while candidate.casefold() in taken:
        candidate = f"{name}_{number}"
        number += 1
    taken.add(candidate.casefold())
    return candidate


def _check_table_name(name: str, taken: set[str]) -> str:
    if not _TABLE_NAME.fullmatch(name) or len(name) > 255 or _looks_like_reference(name):
        raise ValueError(f"{name!r} is not a valid Excel table name (letters, digits, _ and . ; not a cell address)")
    if name.casefold() in taken:
        raise ValueError(f"there is already a table called {name!r} in this workbook")
    taken.add(name.casefold())
    return name


def _check_choices(column: ExportColumn) -> None:
    if not column.choices:
        return
    for choice in column.choices:
        if not choice or not choice.strip() or any(c in choice for c in ',"') or writable_text(choice) != choice:
            raise ValueError(f"{choice!r} cannot be a drop-down choice: plain text without commas or quotes")
    if len(",".join(column.choices)) > MAX_CHOICES_LENGTH:
        raise ValueError(f"the drop-down for {column.header!r} is longer than Excel's {MAX_CHOICES_LENGTH} characters")


def _add_choices(ws: Any, columns: Sequence[ExportColumn], count: int) -> None:
    """A list validation per column with choices; the list is ours (checked above), never user text."""
    last_row = count + 1 + CHOICE_ROWS_BELOW
    for index, column in enumerate(columns):
        if not column.choices:
            continue
        letter = get_column_letter(index + 1)
        # No input message: the drop-down's arrow says there is a list, and a pop-up over every cell would not help.
        validation = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True,
                                    showDropDown=False, showErrorMessage=True, errorStyle="stop",
                                    errorTitle=column.header[:32], error=f"Choose one of: {', '.join(column.choices)}.",
                                    showInputMessage=False)
        validation.add(f"{letter}2:{letter}{last_row}")
        ws.data_validations.append(validation)


def _native_chart(spec: ExportChart, source: Any, columns: Sequence[ExportColumn], count: int) -> Any:
    """An openpyxl chart over the source table's rows 2..count+1; series are named by their header cells."""
    chart = LineChart() if spec.kind is ChartKind.LINE else BarChart()
    if spec.kind is ChartKind.COLUMN:
        chart.type = "col"
        chart.grouping = "clustered"
    chart.title = writable_text(spec.title)
    chart.width, chart.height = 24, 10  # centimetres: the width of a landscape A4 page's print area
    chart.legend.position = "b"
    for index in spec.series:
        data = Reference(source, min_col=index + 1, max_col=index + 1, min_row=1, max_row=count + 1)
        chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(source, min_col=spec.categories + 1, max_col=spec.categories + 1, min_row=2,
                                   max_row=count + 1))
    if spec.kind is ChartKind.LINE:
        for series in chart.series:
            series.smooth = False  # openpyxl smooths lines by default; figures are points, not a curve
    chart.y_axis.title = writable_text(spec.y_title) if spec.y_title else None
    chart.x_axis.title = writable_text(spec.x_title) if spec.x_title else None
    chart.y_axis.number_format = spec.y_format or _AXIS_FORMATS.get(columns[spec.series[0]].kind, "General")
    # openpyxl 3.1 marks both axes deleted unless told otherwise, and Excel then draws a chart with no scales.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    return chart


_AXIS_FORMATS = {Kind.MONEY: '"£"#,##0', Kind.MONEY_FINANCE: "#,##0", Kind.PERCENT: "0%", Kind.INTEGER: "0",
                 Kind.WTE: "0.0"}


MAX_HEADER_LENGTH = 255  # characters in a printed header or footer, its codes included: Excel's limit
PAGE_OF_PAGES = "Page &P of &N"


def _running_text(text: str, room: int) -> str | None:
    """`text` as a printed header or footer holds it (None for nothing): on one line, each & doubled (a single one
    starts a code, such as &P for the page number), in at most `room` characters as written, shortened to end
    with "…" where it is longer. The cover holds it whole; a page's header only has to say whose page it is."""
    text = " ".join(writable_text(text).split())
    written = text.replace("&", "&&")
    while len(written) > room:  # an organisation's name of 200 characters, say
        text = text[:-1].rstrip()
        written = text.replace("&", "&&") + "…"
    return written or None


def _running_heads(cover: Cover) -> tuple[tuple[str | None, str | None], tuple[str | None, str | None, str]]:
    """What every printed page carries: the header's (left: whose, right: as at when) and the footer's (left: the
    report and the sheet, `&A`; centre: the service; right: the page), each within Excel's limit."""
    when = _running_text(f"As at {cover.as_at}", 100)
    whose = _running_text(cover.organisation, MAX_HEADER_LENGTH - len("&L&R") - len(when or ""))
    title = _running_text(cover.title, 80)
    report = f"{title}: &A" if title else "&A"
    service = _running_text(cover.service, MAX_HEADER_LENGTH - len("&L&C&R") - len(report) - len(PAGE_OF_PAGES))
    return (whose, when), (report, service, PAGE_OF_PAGES)


def _spoken_datetime(moment: datetime) -> str:
    """`22 November 2026, 14:05`: the same in every locale, unlike strftime's %B."""
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}"


def _utc_naive(moment: datetime) -> datetime:
    """Document properties are UTC without a zone; a naive time is taken as already UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)


class _SheetData:
    """A table sheet's rows as worksheet XML (`<row>` elements), streamed to a temporary file as they are written and
    put inside the sheet's `<sheetData>` when the workbook is saved (see `_StampedZip`)."""

    def __init__(self) -> None:
        handle, name = tempfile.mkstemp(prefix="jointlead.", suffix=".xml")
        self.path = Path(name)
        self._file = open(handle, "w", encoding="utf-8", newline="", buffering=1024 * 1024)  # noqa: SIM115

    def write(self, xml: str) -> None:
        self._file.write(xml)

    def close(self) -> None:
        self._file.close()

    def remove(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()
        self.path.unlink(missing_ok=True)


def _remove_files(sheet_data: dict[str, _SheetData]) -> None:
    for data in sheet_data.values():
        data.remove()


# What openpyxl writes for a write-only sheet that was given no rows: the place for a table's rows.
_EMPTY_SHEET_DATA = re.compile(rb"<sheetData\s*/>|<sheetData>\s*</sheetData>")


class _StampedZip(zipfile.ZipFile):
    """A zip whose entries all carry one fixed time and mode, so the same content gives the same bytes.

    `sheet_data` maps worksheet entries (`xl/worksheets/sheet2.xml`) to the rows written for them: openpyxl writes
    those sheets with no rows, and their rows are put in as the entry is added."""

    def __init__(self, file: object, stamp: datetime, sheet_data: dict[str, Path] | None = None) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        stamp = max(stamp.replace(tzinfo=None), datetime(1980, 1, 1))  # zip times start in 1980
        self._stamp = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
        self.sheet_data = dict(sheet_data or {})  # entries still to be written: empty once every sheet is in

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._stamp)
        info.compress_type = self.compression
        info.external_attr = 0o600 << 16  # what writestr gives a name
        return info

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = self._info(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        # openpyxl streams each worksheet to a temporary file and adds it here; its time and mode must not leak in.
        arcname = arcname or os.path.basename(filename)
        info = self._info(arcname)
        rows = self.sheet_data.pop(arcname, None)
        if rows is None:
            info.file_size = os.path.getsize(filename)  # lets zipfile choose zip64 up front for very large sheets
            with open(filename, "rb") as source, self.open(info, "w") as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
            return
        sheet = Path(filename).read_bytes()  # small: everything but the rows
        places = list(_EMPTY_SHEET_DATA.finditer(sheet))
        if len(places) != 1:
            raise RuntimeError(f"{arcname}: found {len(places)} empty sheetData elements to put the rows in, not one")
        head, tail = sheet[:places[0].start()] + b"<sheetData>", b"</sheetData>" + sheet[places[0].end():]
        info.file_size = len(head) + os.path.getsize(rows) + len(tail)
        with open(rows, "rb") as source, self.open(info, "w") as target:
            target.write(head)
            shutil.copyfileobj(source, target, 1024 * 1024)
            target.write(tail)


@dataclass
class _Contents:
    title: str
    rows: int | None  # None for a sheet of charts
    description: str


class ExportWorkbook:
    """A workbook being written: a cover sheet first, then one formatted table per `add_table`; `save` once.

    Use it in a `with` block (or call `discard`) so that a workbook given up before saving removes its
    temporary files promptly instead of whenever it is garbage collected.
    """

    def __init__(self, cover: Cover) -> None:
        self.cover = cover
        self._workbook = Workbook(write_only=True)
        self._styles: _StyleArrays = {}
        for style in _named_styles():
            self._workbook.add_named_style(style)
            self._styles[style.name] = style.as_tuple()
        self._style_attributes: dict[tuple[str | None, bool, bool, bool], str] = {}
        self._writers: dict[tuple[Kind | str, bool, bool], _CellXml] = {}
        # Each table sheet's rows, as worksheet XML in a temporary file, by sheet title: see _write_table.
        self._sheet_data: dict[str, _SheetData] = {}
        self._remove_sheet_data = weakref.finalize(self, _remove_files, self._sheet_data)
        self._sheet_titles: set[str] = set()
        self._table_names: set[str] = set()
        self._titles: list[str] = []
        self._contents: list[_Contents] = []
        self._tables: dict[str, tuple[Any, Sequence[ExportColumn], int]] = {}  # title -> sheet, columns, rows
        self._cover_sheet = self._workbook.create_sheet(_sheet_title(COVER_TITLE, self._sheet_titles))
        self._titles.append(self._cover_sheet.title)
        self._running_heads = _running_heads(cover)
        self._broken = False
        self._saved = False

    def __enter__(self) -> ExportWorkbook:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()  # does nothing once saved

    def _style_attribute(self, style: str | None, quote_prefix: bool, top: bool = False, bold: bool = False) -> str:
        """The `s` attribute a cell in this named style (None: no style) takes, `' s="7"'`, or "" for no style:
        the style is registered with the workbook as openpyxl registers a cell's when it writes it. `top` aligns
        the cell to the top, as in a table with wrapped text, so every cell in a tall row starts on its first line;
        `bold` sets its font bold (a total row), keeping the style's own colour."""
        key = (style, quote_prefix, top, bold)
        attribute = self._style_attributes.get(key)
        if attribute is None:
            cell = Cell(self._cover_sheet, 1, 1, style_array=self._styles[style] if style is not None else None)
            if quote_prefix:
                cell.quotePrefix = True
            if top:
                cell.alignment = Alignment(horizontal=cell.alignment.horizontal, vertical="top",
                                           wrap_text=cell.alignment.wrap_text)
            if bold:
                font = copy.copy(cell.font)
                font.b = True
                cell.font = font
            attribute = self._style_attributes[key] = f' s="{cell.style_id}"' if cell.has_style else ""
        return attribute

    def _writer(self, key: Kind | str, top: bool = False, bold: bool = False) -> _CellXml:
        writer = self._writers.get((key, top, bold))
        if writer is None:
            def style_attribute(style: str | None, quote_prefix: bool) -> str:
                return self._style_attribute(style, quote_prefix, top, bold)

            writer = self._writers[key, top, bold] = _cell_writer(key, style_attribute, self._workbook.epoch)
        return writer

    @property
    def sheet_titles(self) -> tuple[str, ...]:
        """The titles of the sheets so far, cover first, as they will appear in the file."""
        return tuple(self._titles)

    def add_table(
        self,
        sheet_title: str,
        columns: Sequence[ExportColumn],
        rows: Iterable[Sequence[object]],
        *,
        table_name: str | None = None,
        description: str = "",
        hidden: bool = False,
        totals: Sequence[Sequence[object]] = (),
    ) -> str:
        """Write a sheet holding one Excel table; returns the sheet's title (made valid and unique).

        `rows` is consumed once, streaming; each row has one value per column, of the column's kind. A value
        that cannot be written raises `UnwritableCell` naming its cell, and the workbook can then not be saved.
        A `hidden` sheet (bookkeeping an importer reads back, say) is not shown in Excel nor listed on the cover.

        `totals` (rows of one value per column, like the rows; yes/no cells stay plain; usually one, a total row)
        are written bold straight under the last row, outside the Excel table: sorting or filtering the table leaves
        them at the foot, and whatever reads the table by name (a structured reference such as
        `=SUM(Lines[Amount])`, Power Query) leaves them out instead of counting everything twice. Their figures are
        values the caller has added up, never formulas, as every other cell: a reader that does not calculate sees
        them too. They are not counted among the table's rows, and a table with no rows gets none (the note saying
        so stands alone).
        """
        if self._saved:
            raise RuntimeError("this workbook has already been saved")
        if self._broken:
            raise RuntimeError(DISCARDED)
        if not columns:
            raise ValueError("a table needs at least one column")
        if len(columns) > MAX_COLUMNS:
            raise ValueError(f"a sheet holds at most {MAX_COLUMNS:,} columns; this table has {len(columns):,}")
        headers = [column.header for column in columns]
        seen: set[str] = set()
        for header in headers:
            if not header.strip():
                raise ValueError("every column needs a header")
            if header.casefold() in seen:
                raise ValueError(f"two columns are headed {header!r}; an Excel table needs different headers")
            seen.add(header.casefold())
        for column in columns:
            _check_choices(column)

        if table_name is not None:
            name = _check_table_name(table_name, self._table_names)
        title = _sheet_title(sheet_title, self._sheet_titles)
        if table_name is None:
            name = _table_name(title, self._table_names)
        self._titles.append(title)
        ws = self._workbook.create_sheet(title)
        if hidden:
            ws.sheet_state = "hidden"
        try:
            count = self._write_table(ws, title, name, columns, rows, totals)
        except BaseException:
            self.discard()
            raise
        _add_choices(ws, columns, count)
        self._tables[title] = (ws, tuple(columns), count)
        if not hidden:
            self._contents.append(_Contents(title, count, description))
        return title

    def add_charts(self, sheet_title: str, charts: Sequence[ExportChart], *, description: str = "",
                   before: str | None = None) -> str:
        """Write a sheet of native Excel charts, one under another, each drawn from a table already added; returns
        the sheet's title. A chart whose table has no rows is replaced by a line of text saying so. `before` (a
        title returned earlier) puts the sheet in front of that one, so charts can come before their figures."""
        if self._saved:
            raise RuntimeError("this workbook has already been saved")
        if self._broken:
            raise RuntimeError(DISCARDED)
        for chart in charts:
            if chart.source not in self._tables:
                raise ValueError(f"chart {chart.title!r}: there is no table on a sheet called {chart.source!r}")
            width = len(self._tables[chart.source][1])
            if not chart.series or not all(0 <= i < width for i in (chart.categories, *chart.series)):
                raise ValueError(f"chart {chart.title!r}: its columns are not all in {chart.source!r}")
        if before is not None and before not in self._titles[1:]:
            raise ValueError(f"there is no sheet called {before!r} to put the charts before")
        title = _sheet_title(sheet_title, self._sheet_titles)
        ws = self._workbook.create_sheet(title)
        contents = _Contents(title, None, description)
        if before is None:
            self._titles.append(title)
            self._contents.append(contents)
        else:
            self._workbook.move_sheet(title, self._titles.index(before) - len(self._titles))
            self._titles.insert(self._titles.index(before), title)
            after = [c.title for c in self._contents]
            self._contents.insert(after.index(before) if before in after else len(after), contents)
        ws.column_dimensions["A"].width = 100
        self._set_up_printing(ws, landscape=True)
        place = _Place(title)
        heading = Cell(ws, 1, 1, style_array=self._styles[_COVER_TITLE])
        _put_text(heading, _checked_text(title, place))
        ws.append([heading])
        rows_per_chart = 22  # a 10 cm chart at the default row height, with a row to spare
        for index, chart in enumerate(charts):
            place.row = 2 + index * rows_per_chart
            label = Cell(ws, 1, 1, style_array=self._styles[_COVER_LABEL])
            _put_text(label, _checked_text(chart.title, place))
            ws.append([label])
            source, columns, count = self._tables[chart.source]
            if count == 0:
                note = Cell(ws, 1, 1)
                _put_text(note, f"No figures yet: {chart.source} has no rows.")
                ws.append([note])
                filler = rows_per_chart - 2
            else:
                ws.add_chart(_native_chart(chart, source, columns, count), f"A{place.row + 1}")
                filler = rows_per_chart - 1
            if index < len(charts) - 1:
                for _ in range(filler):
                    ws.append([])
                # Each chart prints whole on its own page, rather than wherever the page happens to end.
                ws.row_breaks.append(Break(id=place.row + rows_per_chart - 1))
        return title

    def _write_table(
        self,
        ws: Any,
        title: str,
        name: str,
        columns: Sequence[ExportColumn],
        rows: Iterable[Sequence[object]],
        totals: Sequence[Sequence[object]] = (),
    ) -> int:
        rows = iter(rows)
        sample = list(islice(rows, WIDTH_SAMPLE_ROWS))

        # Everything above the rows (widths, frozen header, page set-up flags) is written before the rows. A total
        # is usually the widest figure in its column, so it counts for the widths: never ##### in Excel.
        measured = [*sample, *totals]
        sized = [_column_width(column, index, measured) for index, column in enumerate(columns)]
        for index, (width, _) in enumerate(sized):
            ws.column_dimensions[get_column_letter(index + 1)].width = width
        ws.freeze_panes = "A2"
        ws.print_title_rows = "1:1"
        self._set_up_printing(ws, landscape=True)

        # The rows are written as worksheet XML to a file of their own, which save() puts inside the sheet: openpyxl
        # writes the sheet with no rows. The cells are the ones openpyxl would write (see _cell_writer).
        data = self._sheet_data[title] = _SheetData()
        place = _Place(title)
        header = self._writer(_HEADER)
        header_names = []
        header_xml = ['<row r="1">']
        for index, column in enumerate(columns):
            place.column = index
            header_names.append(_checked_text(column.header, place))
            header_xml.append(f'<c r="{get_column_letter(index + 1)}1"{header(column.header, place)}')
        header_xml.append("</row>")
        data.write("".join(header_xml))

        wrapped = [(index, width) for index, (width, wraps) in enumerate(sized) if wraps]
        # Wrapped text is top-aligned, so in a table holding some every cell is: a tall row then reads across.
        def cell_writers(bold: bool) -> list[_CellXml]:
            return [self._writer(_WRAPPED if wraps else column.kind, bool(wrapped), bold)
                    for column, (_, wraps) in zip(columns, sized, strict=True)]

        letters = [f'<c r="{get_column_letter(index + 1)}' for index in range(len(columns))]
        width = len(columns)

        def write_row(values: Sequence[object], writers: Sequence[_CellXml]) -> None:
            if place.row > MAX_ROWS:
                raise place.fail(f"a sheet holds at most {MAX_ROWS - 1:,} rows under its header")
            if len(values) != width:
                place.column = None
                raise place.fail(f"the row has {len(values)} values for {width} columns")
            number = str(place.row)
            xml = [f'<row r="{number}">']
            for index, (write, value) in enumerate(zip(writers, values, strict=True)):
                place.column = index
                cell = write(value, place)
                if cell is not None:
                    xml.append(f'{letters[index]}{number}"{cell}')
            if wrapped:
                lines = max((_wrapped_lines(writable_text(values[index]), column_width)
                             for index, column_width in wrapped if values[index]), default=1)
                xml[0] = f'<row r="{number}"{_row_height(lines)}>'
            xml.append("</row>")
            data.write("".join(xml))

        plain = cell_writers(bold=False)
        count = 0
        for values in chain(sample, rows):
            place.row = count + 2
            write_row(values, plain)
            count += 1

        if count == 0:
            # Excel refuses a table with no data rows, so the header stands alone with a plain note under it.
            place.row, place.column = 2, 0
            data.write(f'<row r="2"><c r="A2"{self._writer(Kind.TEXT)(NO_ROWS, place)}</row>')
            data.close()
            return 0
        bold = cell_writers(bold=True)
        for number, total in enumerate(totals):
            place.row = count + 2 + number  # under the table's last row, outside its ref below
            write_row(total, bold)
        data.close()

        ref = f"A1:{get_column_letter(width)}{count + 1}"
        table = Table(
            displayName=name,
            ref=ref,
            autoFilter=AutoFilter(ref=ref),
            tableStyleInfo=TableStyleInfo(
                name=TABLE_STYLE,
                showFirstColumn=False,
                showLastColumn=False,
                showRowStripes=True,
                showColumnStripes=False,
            ),
        )
        # A write-only sheet has no cells to read the column names back from, so they are given here.
        for index, header in enumerate(header_names, start=1):
            table.tableColumns.append(TableColumn(id=index, name=header))
        ws.tables.add(table)  # names are kept unique by this class; add_table would only warn about the columns
        return count

    def _set_up_printing(self, ws: Any, *, landscape: bool, pages_down: int = 0) -> None:
        """A4, one page wide and `pages_down` pages long (0: as many as it takes). Every page is headed with whose
        figures these are and as at when, and footed with the report and sheet, the service and the page number, so
        a page printed from any sheet says what the cover says; in the header and footer, not in rows above a
        table's header row, where they would be in the way of whatever reads the table back."""
        setup = ws.page_setup
        setup.orientation = "landscape" if landscape else "portrait"
        setup.paperSize = Worksheet.PAPERSIZE_A4
        setup.fitToWidth = 1
        setup.fitToHeight = pages_down
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        (whose, when), (report, service, page) = self._running_heads
        ws.oddHeader.left.text, ws.oddHeader.right.text = whose, when
        ws.oddFooter.left.text, ws.oddFooter.center.text, ws.oddFooter.right.text = report, service, page

    def _write_cover(self) -> None:
        cover = self.cover
        ws = self._cover_sheet
        place = _Place(ws.title)

        def text(value: str, style: str | None = None) -> Cell | None:
            place.column = None
            checked = _checked_text(value, place)
            if not checked and style is None:
                return None
            cell = Cell(ws, 1, 1, style_array=self._styles[style] if style is not None else None)
            _put_text(cell, checked)
            return cell

        def append(*cells: Cell | None, lines: int = 1) -> None:
            if lines > 1:  # spreadsheets do not grow a row to fit wrapped text when they open a file
                ws.row_dimensions[place.row].height = min(lines * LINE_HEIGHT, MAX_ROW_HEIGHT)
            ws.append(list(cells))
            place.row += 1

        label_width = 18
        value_width = 40
        fields = [
            ("Service", cover.service),
            ("Organisation", cover.organisation),
            ("As at", cover.as_at),
            ("Generated by", cover.generated_by),
            ("Generated on", _spoken_datetime(cover.generated_on)),
            ("Source database", cover.source_database),
        ]
        for _, value in fields:
            value_width = max(value_width, len(value) + 2)
        for item in self._contents:
            label_width = max(label_width, len(item.title) + 2)
            value_width = max(value_width, len(item.description) + 2)
        widths = (min(label_width, 34), min(value_width, 80), 10)
        for letter, width in zip("ABC", widths, strict=True):
            ws.column_dimensions[letter].width = width
        item_width, page_width = widths[1], sum(widths)
        self._set_up_printing(ws, landscape=False, pages_down=1)

        def lines(value: str, width: float) -> int:
            return _wrapped_lines(writable_text(value), width)

        # Values, notes and checklist items can run longer than their columns: wrapped, each in a row as tall as it
        # needs, they show and print whole within the page.
        append(text(cover.title, _COVER_TITLE))
        append()
        for label, value in fields:
            if label == "Service" and not value:
                continue
            append(text(label, _COVER_LABEL), text(value, _WRAPPED), lines=lines(value, item_width))
        if cover.notes:
            append()
            for note in cover.notes:
                # A note is a paragraph: it takes the width of the page, its cell merged across the three columns.
                ws.merged_cells.add(f"A{place.row}:C{place.row}")
                append(text(note, _WRAPPED), lines=lines(note, page_width))
        if cover.checklist:
            append()
            append(text("Checklist", _COVER_LABEL))
            for item, done in cover.checklist:
                status = text("Complete", _COMPLETE) if done else text("Incomplete", _INCOMPLETE)
                append(status, text(item, _WRAPPED), lines=lines(item, item_width))
        if self._contents:
            append()
            append(text("Sheet", _COVER_LABEL), text("Contents", _COVER_LABEL), text("Rows", _COVER_LABEL))
            for item in self._contents:
                rows = None
                if item.rows is not None:
                    rows = Cell(ws, 1, 1, value=item.rows, style_array=self._styles[_INTEGER])
                    rows.alignment = _TOP  # level with the first line of a description that wraps
                append(text(item.title, _WRAPPED), text(item.description, _WRAPPED),
                       rows, lines=lines(item.description, item_width))

    def discard(self) -> None:
        """Give up on this workbook without saving it, removing the temporary files its sheets stream to.

        Called for you when `add_table` or `save` fails; call it yourself if you abandon a workbook for another
        reason.
        """
        if self._broken or self._saved:
            return
        self._broken = True
        for sheet in self._workbook.worksheets:
            with contextlib.suppress(Exception):
                if not sheet.closed:
                    sheet.close()  # ends the sheet's stream cleanly rather than when garbage is collected
            # openpyxl only removes a write-only sheet's temporary file when the workbook is saved, or at exit.
            writer = getattr(sheet, "_writer", None)
            if writer is not None:
                with contextlib.suppress(Exception):
                    writer.cleanup()
        self._remove_sheet_data()

    def save(self, path: Path) -> Path:
        """Write the workbook to `path` atomically (a temporary file beside it, then a rename); returns `path`.

        A workbook can be saved once. If anything fails, whatever was at `path` before is left as it was, and the
        workbook is given up as `discard` gives it up: its sheets' streams are ended there and then, not when they
        are collected (at exit, say, when their files are closed already and each prints a traceback).
        """
        if self._saved:
            raise RuntimeError("this workbook has already been saved")
        if self._broken:
            raise RuntimeError(DISCARDED)
        path = Path(path)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            _check_target(path)
            self._write_cover()
            properties = self._workbook.properties
            properties.creator = "jointlead"
            properties.lastModifiedBy = "jointlead"
            properties.title = writable_text(self.cover.title)
            properties.created = properties.modified = _utc_naive(self.cover.generated_on)

            # openpyxl numbers the worksheet entries in sheet order, from 1.
            sheet_data = {f"xl/worksheets/sheet{number}.xml": self._sheet_data[sheet.title].path
                          for number, sheet in enumerate(self._workbook.worksheets, start=1)
                          if sheet.title in self._sheet_data}
            _sweep_stale_temporaries(path)
            # "x" creates the file with the usual permissions (the umask applies), unlike mkstemp's 0600.
            with open(temporary, "xb") as file:
                archive = _StampedZip(file, self.cover.generated_on, sheet_data)
                try:
                    # What Workbook.save does, minus stamping "modified" with the clock.
                    ExcelWriter(self._workbook, archive).save()
                except BaseException:
                    # Closed now, while its file is open: collected later, it would write to a closed file.
                    with contextlib.suppress(Exception):
                        archive.close()
                    raise
                # On disk before the rename: after a power cut the name holds the old file or the whole new one.
                file.flush()
                os.fsync(file.fileno())
            if archive.sheet_data:
                raise RuntimeError(f"the rows of {', '.join(archive.sheet_data)} were not written")
            os.replace(temporary, path)
        except BaseException as error:
            # On read-only media removing even a file never made fails too: that must not hide why the save failed.
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            self.discard()
            if isinstance(error, OSError):  # refused, a full disk, read-only media, a network share gone
                raise ExportNotSaved(
                    f"Could not save {path.name}: {error.strerror or error}.",
                    "If the file is open in Excel, close it and try again; otherwise choose another folder."
                    if isinstance(error, PermissionError) else "Choose another folder or drive.",
                ) from error
            raise
        self._saved = True
        self._remove_sheet_data()
        return path


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
ZIP_SIGNATURE = b"PK\x03\x04"  # how every workbook Excel opens begins


def _check_target(path: Path) -> None:
    """Refuse, before anything is written, a target a workbook must not replace or cannot be put at: a name that is
    not a workbook's (a slip of the keyboard could name the database itself), an existing file that is not a
    workbook, a folder, or a folder that is not there."""
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise ExportNotSaved(f"{path.name} is not the name of an Excel workbook, so nothing was saved.",
                             "Give the file a name ending .xlsx.")
    if path.is_dir():
        raise ExportNotSaved(f"{path.name} is a folder, so nothing was saved.", "Give a file name inside it.")
    if not path.parent.is_dir():
        raise ExportNotSaved(f"There is no folder {path.parent}, so nothing was saved.",
                             "Choose a folder that exists.")
    if path.exists():
        try:
            with open(path, "rb") as existing:
                workbook = existing.read(len(ZIP_SIGNATURE)) == ZIP_SIGNATURE
        except OSError as error:
            raise ExportNotSaved(f"Could not save {path.name}: {error.strerror or error}.",
                                 "If the file is open in Excel, close it and try again; otherwise choose another "
                                 "folder.") from error
        if not workbook:
            raise ExportNotSaved(f"{path.name} is there already and is not an Excel workbook, so it was not replaced.",
                                 "Choose another file name.")


STALE_TEMPORARY_SECONDS = 600  # older than any save takes: left by a save that was killed part-way


def _sweep_stale_temporaries(path: Path) -> None:
    """Remove the hidden temporary files a killed save left beside `path` (never the file itself, and never one a
    save running now could still be writing)."""
    now = time.time()
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        with contextlib.suppress(OSError):  # gone already, or not ours to remove: this is only tidying
            if now - leftover.stat().st_mtime > STALE_TEMPORARY_SECONDS:
                leftover.unlink()
