"""The action tracker workbook: its columns, its hidden control sheet, and reading an owner's returned copy.

Returned trackers are read like any other file (`open_source`, `find_table`, `read_rows`), with two additions the
general reader does not offer: the hidden control sheet (the export id and each row's version), and the text of
any formula an owner typed. Calamine gives only a formula's last calculated value (or nothing, for a file saved by
a script), so what was typed is read with openpyxl and put in the cell's place: `=SUM(A1:A2)` typed as an update is
taken as that text, never as its result, and is never calculated.

Every column is read, the ones the import does not take back too, so that an owner's edit to them can be told from
what was exported (by `fingerprint`) and named to the manager rather than dropped unseen.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from jointlead.domain.actions import LONGEST_NAME, LONGEST_REASON, LONGEST_TITLE, LONGEST_UPDATE, ActionStatus
from jointlead.exchange.problems import FileRefused, Problem, ValueProblem, sheet_reference
from jointlead.exchange.reading import MergedArea, SourceFile, SourceSheet, merged_areas, open_source
from jointlead.exchange.tables import Field, RecordKind, SourceRow, TableLayout, find_table, read_rows
from jointlead.exchange.values import is_blank, parse_code, parse_date, parse_text
from jointlead.exchange.writing import NO_ROWS, ExportColumn, Kind

TRACKER_SHEET = "Actions"
CONTROL_SHEET = "Tracker control"
FORMAT = "jointlead action tracker 1"
EXPORT_ID_KEY = "Export id"
FORMAT_KEY = "Format"

STATUS_CHOICES = tuple(status.label for status in ActionStatus)  # Open, In progress, Complete, Cancelled
_STATUS_WORDS = {
    **{status.value: status for status in ActionStatus},
    "not started": ActionStatus.OPEN,
    "in-progress": ActionStatus.IN_PROGRESS,
    "inprogress": ActionStatus.IN_PROGRESS,
    "started": ActionStatus.IN_PROGRESS,
    "completed": ActionStatus.COMPLETE,
    "done": ActionStatus.COMPLETE,
    "canceled": ActionStatus.CANCELLED,
}

# The columns, in order. Owners write only in the last four; a row with no Ref is a new action.
REF, TITLE, OWNER, DUE, STATUS, RAG = "Ref", "Action", "Owner", "Due", "Status", "RAG"
UPDATED_ON, LATEST_UPDATE = "Updated on", "Latest update"
NEW_UPDATE, NEW_STATUS, NEW_DUE, REASON = "New update", "New status", "New due date", "Reason for new due date"

TRACKER_COLUMNS = (
    ExportColumn(REF, Kind.CODE),
    ExportColumn(TITLE, wrap=True, width=45),
    ExportColumn(OWNER),
    ExportColumn(DUE, Kind.DATE),
    ExportColumn(STATUS),
    ExportColumn(RAG, Kind.RAG),
    ExportColumn(UPDATED_ON, Kind.DATE),
    ExportColumn(LATEST_UPDATE, wrap=True, width=45),
    ExportColumn(NEW_UPDATE, wrap=True, width=40),
    ExportColumn(NEW_STATUS, width=14, choices=STATUS_CHOICES),
    ExportColumn(NEW_DUE, Kind.DATE, width=14),
    ExportColumn(REASON, wrap=True, width=30),
)
CONTROL_COLUMNS = (ExportColumn("Key", Kind.CODE), ExportColumn("Value", Kind.CODE))


def control_rows(export_id: str, versions: Mapping[str, str]) -> list[tuple[str, str]]:
    """The hidden sheet: the export id and format, then each exported action's reference and version."""
    return [(EXPORT_ID_KEY, export_id), (FORMAT_KEY, FORMAT), *sorted(versions.items())]


def parse_status(value: object) -> ActionStatus:
    """A status as the drop-down offers it (Open, In progress, Complete, Cancelled) or as people type it."""
    text = " ".join(parse_text(value, max_length=40).split()).lower()
    status = _STATUS_WORDS.get(text)
    if status is None:
        raise ValueProblem(f"'{text}' is not a status: choose {', '.join(STATUS_CHOICES[:-1])} or "
                           f"{STATUS_CHOICES[-1]}")
    return status


def _lenient(value: object) -> object:
    """The columns jointlead wrote are read back only to notice edits, so nothing in them is a problem."""
    return value


# An Action or Owner cell may hold a tab or a line break: jointlead wrote them so, for a title kept before titles
# were put on one line, and an owner's untouched row must come back. A new action's title is put on one line as any
# title is (domain.actions.check_title), and a name is looked up, and credited, with its spacing made single.
def _title(value: object) -> str:
    return parse_text(value, max_length=LONGEST_TITLE, multiline=True)


def _name(value: object) -> str:
    return " ".join(parse_text(value, max_length=LONGEST_NAME, multiline=True).split())


TRACKER_KIND = RecordKind("action tracker", (
    Field("reference", REF, parse_code, ("reference", "action ref", "ref no")),
    Field("title", TITLE, _title, ("title", "action title")),
    Field("owner", OWNER, _name, ("action owner",)),
    Field("due", DUE, parse_date, ("due date",)),
    Field("status", STATUS, _lenient),
    Field("rag", RAG, _lenient),
    Field("updated_on", UPDATED_ON, _lenient),
    Field("latest_update", LATEST_UPDATE, _lenient),
    Field("new_update", NEW_UPDATE, lambda v: parse_text(v, max_length=LONGEST_UPDATE, multiline=True),
          ("update",)),
    Field("new_status", NEW_STATUS, parse_status),
    Field("new_due", NEW_DUE, parse_date, ("revised due date",)),
    Field("reason", REASON, lambda v: parse_text(v, max_length=LONGEST_REASON, multiline=True),
          ("reason", "reason for change")),
))
_NEEDED = ("reference", "title", "owner", "due", "new_update", "new_status")
_FIELD_OF_HEADING = {field.label: field.name for field in TRACKER_KIND.fields}


def exported_fields(row: Sequence[object]) -> dict[str, object]:
    """A row as the export writes it (values in TRACKER_COLUMNS order), by the names the reader gives its cells."""
    return {_FIELD_OF_HEADING[column.header]: value for column, value in zip(TRACKER_COLUMNS, row, strict=True)}


def fingerprint(value: object) -> str:
    """A short digest of a cell, the same for a value as exported and as read back unedited: a day whether Excel
    keeps it as a date or a date and time, text whatever its case and spacing (retyped so, it says nothing new)."""
    if is_blank(value):
        text = ""
    elif isinstance(value, datetime):
        text = value.date().isoformat()
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = " ".join(str(value).split()).casefold()
    return hashlib.sha256(text.encode()).hexdigest()[:8]


@dataclass(frozen=True)
class TrackerFile:
    """A returned tracker as read: the export it came from, each row's version then, and the typed rows."""

    path: Path
    sha256: str
    export_id: str
    versions: Mapping[str, str]  # reference -> version at export
    sheet: str
    headings: tuple[str, ...]  # the sheet's header row, as the owner left it
    columns: Mapping[str, int]  # field name -> 0-based column
    rows: tuple[SourceRow, ...]
    notices: tuple[str, ...]


_NOT_OURS = ("This is not an action tracker exported by jointlead: it has no tracker details (the hidden "
             f"'{CONTROL_SHEET}' sheet).")
_NOT_OURS_ADVICE = ("Import the .xlsx tracker that was sent to the owner, with their changes in it. If the rows were "
                    "copied into another file, paste them back into the tracker they were sent, save it as .xlsx, "
                    "and import that.")


class _FormulasAsText:
    """A sheet's rows with the text of each formula typed in place of its calculated value, and without the note
    jointlead writes under the headings of a tracker with no actions (an owner may add rows to it)."""

    def __init__(self, sheet: SourceSheet, formulas: Mapping[tuple[int, int], str]) -> None:
        self._sheet = sheet
        self._formulas = formulas
        self._last_row = max((row for row, _ in formulas), default=0)

    def _with_formulas(self, number: int, row: list[object]) -> list[object]:
        for (at_row, column), text in self._formulas.items():
            if at_row == number:
                row.extend([None] * (column + 1 - len(row)))
                row[column] = text
        return row

    def rows(self, _name: str) -> Iterator[list[object]]:
        number = 0
        for number, row in enumerate(self._sheet.rows(), start=1):
            if number == 2 and row and row[0] == NO_ROWS:  # in the Ref column: read, it was "not a reference"
                row = [None, *row[1:]]
            yield self._with_formulas(number, list(row))
        # A formula with no calculated value leaves no cell for calamine, at the end of the sheet too.
        for extra in range(number + 1, self._last_row + 1):
            yield self._with_formulas(extra, [])


def _workbook_extras(data: bytes, sheets: tuple[str, ...]) -> tuple[list[tuple[object, ...]] | None,
                                                                   dict[str, dict[tuple[int, int], str]]]:
    """The control sheet's rows (None if it has none), and the formulas typed on each visible sheet."""
    from openpyxl import load_workbook  # only when a tracker is read

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as error:  # whatever openpyxl makes of a file calamine could read
        raise FileRefused("The tracker could not be read: it may be damaged, or saved by a program other than Excel.",
                          "Open it in Excel, save it again as .xlsx, and import the saved copy.") from error
    try:
        control = None
        if CONTROL_SHEET in workbook.sheetnames:
            control = [tuple(row) for row in _unpadded(workbook[CONTROL_SHEET]).iter_rows(values_only=True)]
        formulas: dict[str, dict[tuple[int, int], str]] = {}
        for name in sheets:
            if name not in workbook.sheetnames:
                continue
            found = formulas.setdefault(name, {})
            for number, row in enumerate(_unpadded(workbook[name]).iter_rows(), start=1):
                for column, cell in enumerate(row):
                    if getattr(cell, "data_type", None) == "f" and cell.value is not None:
                        value = cell.value
                        found[(number, column)] = getattr(value, "text", None) or str(value)  # ArrayFormula
        return control, formulas
    finally:
        workbook.close()


def _unpadded(sheet):
    """A read-only sheet that yields only the cells its rows hold.

    openpyxl pads every row out to the width its <dimension> declares: a stray value in XFD1048576 would have it
    hand over 17 billion empty cells, one at a time, and the import would never finish.
    """
    sheet.reset_dimensions()
    return sheet


def _control(rows: list[tuple[object, ...]]) -> tuple[str, dict[str, str]]:
    values: dict[str, str] = {}
    for row in rows[1:]:  # under the header
        key, value = [*row, None, None][:2]
        if not is_blank(key):
            values[str(key).strip()] = "" if value is None else str(value).strip()
    export_id = values.pop(EXPORT_ID_KEY, "")
    if values.pop(FORMAT_KEY, "") != FORMAT or not export_id:
        raise FileRefused(_NOT_OURS, _NOT_OURS_ADVICE)
    return export_id, values


def read_tracker(path: Path) -> TrackerFile:
    """Read a returned tracker, or raise FileRefused saying why it cannot be (not ours, unreadable, columns lost)."""
    source: SourceFile = open_source(path)
    try:
        return _read_tracker(path, source)
    finally:
        source.close()  # the reading process, if any, goes now rather than when collected


def _read_tracker(path: Path, source: SourceFile) -> TrackerFile:
    if source.kind not in ("xlsx", "xlsm"):
        kind = "a CSV file" if source.kind == "csv" else f"an .{source.kind} file"
        raise FileRefused(f"{Path(path).name} is {kind}, so it cannot hold the tracker details jointlead needs to "
                          "match it to what was sent.", _NOT_OURS_ADVICE)
    for sheet in source.sheets:
        sheet.head(1)  # calamine's checks (each sheet's area, its rows) before openpyxl, which has none, reads it
    data = Path(path).read_bytes()
    if hashlib.sha256(data).hexdigest() != source.sha256:
        raise FileRefused("The file changed while it was being read.", "Close it in Excel and import it again.")
    control, formulas = _workbook_extras(data, tuple(sheet.name for sheet in source.sheets))
    if control is None:
        raise FileRefused(_NOT_OURS, _NOT_OURS_ADVICE)
    export_id, versions = _control(control)
    sheets = tuple(SourceSheet(sheet.name, _FormulasAsText(sheet, formulas.get(sheet.name, {})))
                   for sheet in source.sheets)
    # Two sheets with the tracker's headings (a copy kept as it came, say, or one to work in) are refused rather
    # than either read: nothing in the file says which the owner edited, and reading the wrong one would take a
    # half-edited copy, or leave the owner's edits behind in the other, with at most a notice that is easy to miss.
    # Deleting the spare costs the manager a moment; a wrong guess costs an owner's month of updates.
    layout = find_table(dataclasses.replace(source, sheets=sheets), TRACKER_KIND, by_hand=_HEADINGS_ADVICE,
                        alike_sheets=_ALIKE_ADVICE)
    missing = [TRACKER_KIND.field(name).label for name in _NEEDED if name not in layout.columns]
    if missing:
        raise FileRefused(f"The tracker's sheet '{layout.sheet.name}' has lost these columns: {', '.join(missing)}.",
                          "Put them back as they were sent (same headings), or import the tracker as it was sent "
                          "with the owner's changes typed into it.")
    notices = tuple(n for n in source.notices if CONTROL_SHEET not in n)
    rows = _refuse_merged(tuple(read_rows(layout, TRACKER_KIND)), merged_areas(data, layout.sheet.name), layout)
    return TrackerFile(Path(path), source.sha256, export_id, versions, layout.sheet.name, layout.headers,
                       layout.columns, rows, notices)


_HEADINGS_ADVICE = ("Give each column back the heading it was sent with, each heading once (a column added for "
                    "notes needs a heading of its own, such as 'Comments'), save the tracker, and import it again.")
_ALIKE_ADVICE = ("Keep the sheet the owner edited and delete any other copy of it (right-click its tab, then "
                 "Delete), save the tracker, and import it again.")
# The columns the import takes something from: a value merged down over several rows would count for the first.
_TAKEN = ("reference", "title", "owner", "due", "new_update", "new_status", "new_due", "reason")


def _refuse_merged(rows: tuple[SourceRow, ...], areas: Sequence[MergedArea], layout: TableLayout
                   ) -> tuple[SourceRow, ...]:
    """Each row under a merged area of the taken columns, over several rows and holding something, with a problem.

    Excel shows a merged cell's value on every row it spans but keeps it only in its first cell, so 'Complete' merged
    over three actions' rows would complete the first alone, and the others would silently take nothing.
    """
    columns = {layout.columns[name] for name in _TAKEN if name in layout.columns}
    by_row = {row.row: row for row in rows}
    found: dict[int, list[Problem]] = {}
    for area in sorted(areas, key=lambda area: (area.first_column, area.first_row)):
        if area.last_row == area.first_row or area.last_row <= layout.header_row:
            continue
        if not any(area.first_column <= column <= area.last_column for column in columns):
            continue
        top = by_row.get(area.first_row)
        first = top.cells[area.first_column] if top is not None and area.first_column < len(top.cells) else None
        if is_blank(first) and area.first_row > layout.header_row:
            continue  # merged empty cells hide nothing
        span = f"{sheet_reference(layout.sheet.name)}!{area.reference}"
        for number in range(max(area.first_row, layout.header_row + 1), area.last_row + 1):
            found.setdefault(number, []).append(Problem(
                f"{span} are merged: Excel shows what is typed in the first of them on each of their rows, but "
                f"keeps it only on row {area.first_row}, so the other rows would be taken as empty. Unmerge them "
                "(Home > Merge & Center) and fill in each row, then import the tracker again.",
                layout.sheet.name, number, area.first_column))
    if not found:
        return rows
    return tuple(dataclasses.replace(row, problems=(*row.problems, *found[row.row])) if row.row in found else row
                 for row in rows)
