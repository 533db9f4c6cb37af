"""Fuzzing (issue 10): random cells through every value parser, random tables through header detection and through
every importer's preview, as CSV and as .xlsx. Nothing may escape but a refusal a manager can read: a ValueProblem
from a parser, a JointleadError (FileRefused among them) from a reader or an importer, or a preview.

bench/fuzz_atheris.py drives the same entry points with atheris, for longer runs than a test suite can afford.
"""

from __future__ import annotations

import csv
import itertools
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from exchange import hostile
from jointlead.domain.calendar import FinancialYear
from jointlead.domain.errors import JointleadError
from jointlead.exchange.action_tracker import TRACKER_KIND, parse_status
from jointlead.exchange.ledger import ledger_kind, ledger_rows
from jointlead.exchange.problems import FileRefused, ValueProblem
from jointlead.exchange.reading import SourceFile, SourceSheet
from jointlead.exchange.staff import STAFF, staff_rows
from jointlead.exchange.supervision import (
    SUPERVISION,
    parse_minutes,
    parse_session_status,
    parse_supervision_type,
    supervision_rows,
)
from jointlead.exchange.tables import RecordKind, SourceRow, find_table, locate_header, read_rows
from jointlead.exchange.values import (
    is_blank,
    normalise_header,
    parse_code,
    parse_date,
    parse_debit_credit,
    parse_money,
    parse_period,
    parse_text,
    parse_whole_number,
    parse_wte,
)
from jointlead.services import imports
from jointlead.services.action_tracker import TrackerPreview, export_action_tracker, preview_tracker_import
from jointlead.services.demo import DEMO_TODAY
from jointlead.store.database import open_database

YEAR = FinancialYear(2026)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW_FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- what goes in a cell ----------------------------------------------------------------------------------------

# Text that reaches deep into the parsers: money, dates, periods, durations, statuses, totals, formulas, people.
FAMILIAR = ("£1,234.50", " £1,234.50 ", "1,234.50-", "(1,234.50)", "-£12", "1e308", "-0", "CR 12.00", "12 DR", "£",
            "15/10/2026", "2026-10-15", "Oct-26", "31/02/2026", "29/02/2100", "01/01/0001", "M7", "P07", "M13", "Oct",
            "7", "0", "1h30", "1.5 hours", "90 mins", "1:30", "Held", "DNA", "Cancelled", "cancelled by supervisor",
            "Clinical", "1:1", "Total", "Grand Total", "Sub-total", "=SUM(A1:A2)", "+44", "@x", "A-0011", "Tom Mason",
            "Eleanor Marshall", "00123", "C41200", "5110", "100%", "0.85", "  ", "\u200b", "\ufeff12", "\u2212£5",
            "NaN", "inf", "Infinity", "١٢٣", "１２３", "Ⅻ", "½", "𝟙𝟚", "\x00", "\x07bell", "line\nbreak", "tab\there")
TEXT = st.one_of(st.sampled_from(FAMILIAR), st.text(max_size=40),
                 st.text(alphabet=st.characters(codec="utf-8"), max_size=12))
CELL = st.one_of(
    st.none(), TEXT, st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
    st.times(),
)


def _spellings(kind: RecordKind) -> list[str]:
    return sorted({spelling for field in kind.fields for spelling in (field.label, *field.synonyms)})


KINDS = {"ledger": ledger_kind(YEAR), "staff": STAFF, "supervision": SUPERVISION, "actions": TRACKER_KIND}


def headers(kind: RecordKind) -> st.SearchStrategy[list[object]]:
    """A header row: mostly the kind's own spellings (so rows get read), with strangers and blanks among them."""
    return st.lists(st.one_of(st.sampled_from(_spellings(kind)), st.sampled_from(_spellings(kind)).map(str.upper),
                              TEXT, st.none()), min_size=1, max_size=9)


GOOD_HEADERS = {**{importer: hostile.GOOD_TABLES[importer][0] for importer in hostile.TABLE_IMPORTERS},
                "actions": ["Ref", "Action", "Owner", "Due", "Status", "New update", "New status", "New due date",
                            "Reason for new due date"]}
GOOD_ROWS = {**{importer: hostile.GOOD_TABLES[importer][1:] for importer in hostile.TABLE_IMPORTERS},
             "actions": [["A-0011", "Something", "Tom Mason", date(2026, 12, 1), "Open", "Done.", "Complete", None,
                          None]]}


def _spoilt(row: list[object], changes: list[tuple[int, object]]) -> list[object]:
    row = list(row)
    for column, value in changes:
        row[column % len(row)] = value
    return row


def data_rows(importer: str) -> st.SearchStrategy[list[object]]:
    """A row of random cells, or a good row with a few cells made random: the second gets past the early refusals."""
    near_good = st.tuples(st.sampled_from(GOOD_ROWS[importer]), st.lists(st.tuples(st.integers(0, 20), CELL),
                                                                         min_size=1, max_size=3))
    return st.one_of(st.lists(CELL, max_size=10), near_good.map(lambda pair: _spoilt(*pair)))


def tables(importer: str) -> st.SearchStrategy[list[list[object]]]:
    """Title rows, then a header (the importer's usual one, a random one, or none), then ragged rows."""
    kind = KINDS[importer]
    usual = st.just(GOOD_HEADERS[importer])
    return st.tuples(
        st.lists(st.lists(CELL, max_size=3), max_size=2),
        st.one_of(usual, usual, usual.map(lambda header: [*header, "Notes"]), headers(kind), st.just([])),
        st.lists(data_rows(importer), max_size=12),
    ).map(lambda parts: [*parts[0], parts[1], *parts[2]])


# --- parsers ----------------------------------------------------------------------------------------------------------

PARSERS = {
    "money": parse_money, "date": parse_date, "period": lambda v: parse_period(v, YEAR), "code": parse_code,
    "text": parse_text, "multiline text": lambda v: parse_text(v, max_length=50, multiline=True), "wte": parse_wte,
    "whole number": lambda v: parse_whole_number(v, 0, 600), "minutes": parse_minutes,
    "supervision type": parse_supervision_type, "session status": parse_session_status, "action status": parse_status,
}


@pytest.mark.parametrize("name", PARSERS)
@FUZZ
@given(value=CELL)
def test_a_parser_returns_a_value_or_says_what_is_wrong(name, value):
    try:
        PARSERS[name](value)
    except ValueProblem as problem:
        assert str(problem).strip()


@FUZZ
@given(debit=CELL, credit=CELL)
def test_a_debit_and_credit_pair_returns_pence_or_says_what_is_wrong(debit, credit):
    try:
        assert isinstance(parse_debit_credit(debit, credit), int)
    except ValueProblem as problem:
        assert str(problem).strip()


@FUZZ
@given(value=CELL)
def test_headers_are_normalised_and_blanks_recognised_without_fail(value):
    assert isinstance(normalise_header(value), str)
    assert isinstance(is_blank(value), bool)


# --- header detection and rows, without a file --------------------------------------------------------------------


class _Rows:
    """A sheet's rows held in memory, as a reader hands them over."""

    def __init__(self, rows: list[list[object]]) -> None:
        self._rows = rows

    def rows(self, _name: str) -> Iterator[list[object]]:
        return (list(row) for row in self._rows)

    def close(self) -> None:
        pass


def _source(*sheets: list[list[object]]) -> SourceFile:
    return SourceFile(Path("fuzz.xlsx"), "xlsx", "0" * 64,
                      tuple(SourceSheet(f"Sheet{n}", _Rows(rows)) for n, rows in enumerate(sheets, 1)), ())


ROWS_OF = {"ledger": lambda layout: ledger_rows(layout, YEAR, frozenset({1, 2})), "staff": staff_rows,
           "supervision": supervision_rows, "actions": lambda layout: read_rows(layout, TRACKER_KIND)}


@pytest.mark.parametrize("importer", KINDS)
@FUZZ
@given(data=st.data())
def test_header_detection_finds_a_table_or_says_why_not_and_every_row_is_typed_or_rejected(importer, data):
    kind = KINDS[importer]
    sheets = data.draw(st.lists(tables(importer), min_size=1, max_size=3))
    located = locate_header(SourceSheet("Sheet1", _Rows(sheets[0])), kind)
    assert located is None or (located[0] >= 1 and all(isinstance(h, str) for h in located[1]))
    try:
        layout = find_table(_source(*sheets), kind)
    except FileRefused as refused:
        assert refused.message.strip()
        return
    for row in ROWS_OF[importer](layout):
        if isinstance(row, SourceRow):
            assert row.accepted or all(str(problem).strip() for problem in row.problems)


# --- every importer, from a real file -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def service(demo_master, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "demo.sqlite"
    shutil.copyfile(demo_master, path)
    database = open_database(path)
    tracker = export_action_tracker(database, folder / "tracker.xlsx", organisation="NFT", today=DEMO_TODAY).path
    before = _dump(path)
    yield database, tracker
    database.close()
    assert _dump(path) == before, "a preview changed the database"


def _dump(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def _for_xlsx(value: object) -> object:
    """What openpyxl can write: no control characters in text, no NaN, and dates it can place on Excel's calendar."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, date | datetime) and value.year < 1900:
        return value.isoformat()
    return value


def _write(folder: Path, form: str, rows: list[list[object]]) -> Path:
    if form == "csv":
        path = folder / "fuzz.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([["" if cell is None else str(cell) for cell in row] for row in rows])
        return path
    return hostile.write_xlsx(folder / "fuzz.xlsx", {"Extract": [[_for_xlsx(cell) for cell in row] for row in rows]})


def _preview(importer: str, database, path: Path):
    if importer == "ledger":
        return imports.preview_ledger_import(database, path, "NFT", today=DEMO_TODAY)
    if importer == "staff":
        return imports.preview_staff_import(database, path, "NFT", today=DEMO_TODAY)
    return imports.preview_supervision_import(database, path, today=DEMO_TODAY)


@pytest.mark.parametrize(("importer", "form"), list(itertools.product(hostile.TABLE_IMPORTERS, ("csv", "xlsx"))))
@SLOW_FUZZ
@given(data=st.data())
def test_an_importer_previews_any_table_or_refuses_it_plainly(service, importer, form, data):
    database, _tracker = service
    rows = data.draw(tables(importer))
    with tempfile.TemporaryDirectory() as folder:
        path = _write(Path(folder), form, rows)
        try:
            preview = _preview(importer, database, path)
        except JointleadError as error:
            assert error.message.strip()
            event(f"refused: {error.message[:30]}")
            return
    event("previewed, rows read" if preview.rows_read else "previewed, no rows")
    assert preview.rows_read == preview.accepted + len(preview.rejected)
    assert all(row.problems for row in preview.rejected)
    # The changes are made lazily, when the wizard shows them: making them must not fail either.
    assert len([change.subject for change in preview.added]) == len(preview.added)
    assert len([change.detail for change in preview.changed]) == len(preview.changed)


OWNER_COLUMNS = ("New update", "New status", "New due date", "Reason for new due date")
# Anything an owner might type, except what openpyxl cannot write (time cells are kept: they are a problem here).
OWNER_TYPES = CELL.filter(lambda v: not (isinstance(v, float) and v != v)).map(_for_xlsx)


@SLOW_FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, 9), st.sampled_from(OWNER_COLUMNS), OWNER_TYPES), max_size=6),
       new=st.lists(st.tuples(st.sampled_from(("Action", "Owner", "Due", *OWNER_COLUMNS)), OWNER_TYPES),
                    max_size=4))
def test_a_returned_tracker_with_anything_typed_in_it_previews_or_is_refused_plainly(service, edits, new):
    database, tracker = service
    with tempfile.TemporaryDirectory() as folder:
        edit = hostile.TrackerEdit(tracker, Path(folder), "fuzz.xlsx")
        for index, header, value in edits:
            edit.set(index % len(edit.refs), header, value)
        if new:
            edit.add_row(**{header.replace(" ", "_"): value for header, value in new})
        path = edit.save()
        try:
            preview = preview_tracker_import(database, path, today=DEMO_TODAY)
        except JointleadError as error:
            assert error.message.strip()
            event(f"refused: {error.message[:30]}")
            return
    event(f"previewed: {'changes' if preview.changes else 'none'}, {'problems' if preview.problems else 'none'}")
    assert isinstance(preview, TrackerPreview)
    assert all(str(problem).strip() for problem in preview.problems)


def test_the_tracker_fuzzing_types_into_the_tracker_it_was_given(service, tmp_path):
    _database, tracker = service
    edit = hostile.TrackerEdit(tracker, tmp_path, "check.xlsx")
    assert len(edit.refs) >= 10 and set(OWNER_COLUMNS) <= set(edit.columns)
