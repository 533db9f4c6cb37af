"""Finding the table in a messy sheet: the header row, which column holds which field, and typed rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from jointlead.exchange.problems import FileRefused, Problem, ValueProblem, column_letters
from jointlead.exchange.reading import SourceFile, SourceSheet
from jointlead.exchange.values import is_blank, normalise_header

HEADER_SCAN_ROWS = 40  # title blocks above a header are rarely more than a handful of rows
TOTAL_WORDS = ("total", "sub total", "subtotal", "grand total", "totals", "net total", "balance c f")


@dataclass(frozen=True)
class Field:
    """A column an importer understands: its name, how it is spelt in the systems we meet, and its type."""

    name: str
    label: str
    parse: Callable[[Any], Any]
    synonyms: tuple[str, ...] = ()
    required: bool = False

    @cached_property
    def spellings(self) -> frozenset[str]:
        """Every name this field goes by, normalised as headers are compared."""
        return frozenset(normalise_header(s) for s in (self.label, self.name, *self.synonyms))

    def matches(self, header: str) -> bool:
        return normalise_header(header) in self.spellings


@dataclass(frozen=True)
class RecordKind:
    """What one kind of import reads: its fields, and alternatives of which one set must be present."""

    name: str
    fields: tuple[Field, ...]
    # e.g. (("amount",), ("debit", "credit")): an amount column, or a debit and credit pair.
    one_of: tuple[tuple[tuple[str, ...], ...], ...] = ()

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


@dataclass(frozen=True)
class TableLayout:
    """Where the table is in a file: the sheet, the header row, and the column of each field."""

    sheet: SourceSheet
    header_row: int  # 1-based
    headers: tuple[str, ...]
    columns: Mapping[str, int]  # field name -> 0-based column

    def header_of(self, field_name: str) -> str:
        return self.headers[self.columns[field_name]]


@dataclass(frozen=True)
class SourceRow:
    """One data row: its parsed values, or the problems that stop it being used."""

    sheet: str
    row: int
    values: Mapping[str, Any]
    problems: tuple[Problem, ...] = field(default=())
    cells: tuple[object, ...] = ()  # the row as the file holds it, for the rejected-rows workbook

    @property
    def accepted(self) -> bool:
        return not self.problems


def _header_text(value: object) -> str:
    return "" if is_blank(value) else str(value).strip()


def _score(cells: Sequence[object], kind: RecordKind) -> int:
    headers = {normalise_header(text) for text in map(_header_text, cells) if text}
    return sum(1 for f in kind.fields if not headers.isdisjoint(f.spellings))


def locate_header(sheet: SourceSheet, kind: RecordKind) -> tuple[int, tuple[str, ...]] | None:
    """The row among the first few that names most of the kind's fields, and its headers."""
    best: tuple[int, int, tuple[str, ...]] | None = None
    for number, cells in enumerate(sheet.head(HEADER_SCAN_ROWS), start=1):
        score = _score(cells, kind)
        if score and (best is None or score > best[0]):
            best = (score, number, tuple(_header_text(c) for c in cells))
    return (best[1], best[2]) if best else None


def _auto_columns(headers: Sequence[str], kind: RecordKind) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    ambiguous: list[str] = []
    for f in kind.fields:
        hits = [i for i, h in enumerate(headers) if h and f.matches(h)]
        if len(hits) == 1:
            columns[f.name] = hits[0]
        elif len(hits) > 1:
            found = ", ".join(f"'{headers[i]}' (column {column_letters(i)})" for i in hits)
            ambiguous.append(f"{f.label} could be any of {found}.")
    return columns, ambiguous


def _headers_found(headers: Sequence[str]) -> str:
    shown = [f"'{h}'" for h in headers if h]
    return ", ".join(shown) if shown else "none"


def find_table(source: SourceFile, kind: RecordKind, *, sheet_name: str | None = None,
               overrides: Mapping[str, str] | None = None) -> TableLayout:
    """The sheet and header row that best fit this kind of import, with every required field mapped.

    `overrides` maps field names to header texts the user chose (the wizard, `--map FIELD=HEADER`, or
    the profile saved from last month), or to "" for a field the file does not hold; anything else is
    matched by synonyms.
    """
    candidates = [s for s in source.sheets if sheet_name is None or s.name == sheet_name]
    if sheet_name is not None and not candidates:
        names = ", ".join(f"'{s.name}'" for s in source.sheets)
        raise FileRefused(f"The file has no sheet called '{sheet_name}'.", f"Its sheets are: {names}.")
    located = [(s, locate_header(s, kind)) for s in candidates]
    scored = [(s, found) for s, found in located if found is not None]
    if not scored:
        first = candidates[0] if candidates else None
        seen = _headers_found([_header_text(c) for c in first.head(1)[0]]) if first and first.head(1) else "none"
        raise FileRefused(
            f"No sheet in this file has the columns a {kind.name} import needs "
            f"({', '.join(f.label for f in kind.fields if f.required)}).",
            f"The first row of '{first.name if first else ''}' holds: {seen}. Check this is the right file, or "
            "map the columns by hand (--map FIELD=HEADER, or the import wizard).")
    # The sheet whose header matches most fields wins; on a tie, the earlier sheet.
    sheet, (header_row, headers) = max(scored, key=lambda item: (_score(item[1][1], kind),
                                                                 -source.sheets.index(item[0])))
    columns, ambiguous = _auto_columns(headers, kind)
    for name, header in (overrides or {}).items():
        if name not in {f.name for f in kind.fields}:
            known = ", ".join(f.name for f in kind.fields)
            raise FileRefused(f"'{name}' is not a field of a {kind.name} import.", f"The fields are: {known}.")
        if not header:  # the user says this file does not hold the field, whatever a header seems to say
            columns.pop(name, None)
            ambiguous = [a for a in ambiguous if not a.startswith(kind.field(name).label + " ")]
            continue
        matches = [i for i, h in enumerate(headers) if normalise_header(h) == normalise_header(header)]
        if not matches:
            raise FileRefused(f"There is no column headed '{header}' on sheet '{sheet.name}' (row {header_row}).",
                              f"The headers found are: {_headers_found(headers)}.")
        columns[name] = matches[0]
        ambiguous = [a for a in ambiguous if not a.startswith(kind.field(name).label + " ")]
    layout = TableLayout(sheet, header_row, tuple(headers), columns)
    _require(layout, kind, ambiguous)
    return layout


def _require(layout: TableLayout, kind: RecordKind, ambiguous: list[str]) -> None:
    missing = [f.label for f in kind.fields if f.required and f.name not in layout.columns]
    for options in kind.one_of:
        if not any(all(name in layout.columns for name in option) for option in options):
            missing.append(" or ".join(" and ".join(kind.field(n).label for n in option) for option in options))
    if not missing and not ambiguous:
        return
    parts = []
    if missing:
        parts.append(f"These columns were not found: {'; '.join(missing)}.")
    parts.extend(ambiguous)
    raise FileRefused(
        f"Sheet '{layout.sheet.name}' (headers on row {layout.header_row}): {' '.join(parts)}",
        f"The headers found are: {_headers_found(layout.headers)}. Map each missing column to one of them "
        "(--map FIELD=HEADER on the command line, or the mapping step of the import wizard).")


_TOTAL_INITIALS = frozenset("tsgnbTSGNB")  # the first letters of TOTAL_WORDS, to rule most cells out at once
PARSE_MEMORY = 20_000  # distinct values remembered per column: codes, periods and dates repeat all month


def _is_total_word(cell: object) -> bool:
    if not isinstance(cell, str) or cell.lstrip()[:1] not in _TOTAL_INITIALS:
        return False
    text = normalise_header(cell)
    return any(text == word or text.startswith(word + " ") for word in TOTAL_WORDS)


def _is_blank_row(cells: Sequence[object]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _outcome(spec: Field, raw: object, first_header: str | None) -> tuple[bool, Any, bool, bool]:
    """What a cell means for its field: (parsed?, value or message, lacking a required value?, looks like the header?).

    Parsers are pure, so this is worked out once per distinct value and column and then remembered.
    """
    lacking = spec.required and (is_blank(raw) or _is_total_word(raw))
    header_like = first_header is not None and isinstance(raw, str) and raw.strip().casefold() == first_header
    if not spec.required and is_blank(raw):
        return True, None, lacking, header_like
    try:
        return True, spec.parse(raw), lacking, header_like
    except ValueProblem as problem:
        return False, str(problem), lacking, header_like


def read_values(layout: TableLayout, kind: RecordKind,
                names: Sequence[str]) -> Iterator[tuple[int, list[object], list[Any], list[Problem] | None]]:
    """The rows under the header as (row number, cells, values in the order of `names`, problems or None).

    Blank rows, totals and repeated headers are skipped, never rejected. A totals row is one that says "Total" (or
    Sub-total, Grand Total…) and lacks a field every posting has: a real posting described as "Total Care Ltd
    invoice" keeps its codes, so it is read like any other row. A field not mapped to a column is None.

    This is the loop every row of every import goes through, so each column's parser is looked up once, each
    distinct value is parsed once per column, and a row costs a few dictionary look-ups.
    """
    header_key = tuple(normalise_header(h) for h in layout.headers)
    first_column = next(iter(layout.columns.values()), 0)
    first_header = layout.headers[first_column].strip().casefold() if layout.headers else ""
    slots = {name: slot for slot, name in enumerate(names)}
    width = len(names)
    # (slot or None, column, field, memory of str cells, memory of other cells, the header's text if first column)
    fields = [(slots.get(name), column, kind.field(name), {}, {}, first_header if column == first_column else None)
              for name, column in layout.columns.items()]
    needed = max((column for _, column, *_ in fields), default=-1) + 1
    any_required = any(spec.required for _, _, spec, *_ in fields)
    unmapped_first = not fields  # then the first column is no field's, and is looked at on its own
    sheet_name = layout.sheet.name
    header_row = layout.header_row
    for number, cells in enumerate(layout.sheet.rows(), start=1):
        if number <= header_row:
            continue
        padded = cells if len(cells) >= needed else [*cells, *([None] * (needed - len(cells)))]
        values: list[Any] = [None] * width
        problems: list[Problem] | None = None
        lacking = header_like = False
        for slot, column, spec, by_text, by_other, header in fields:
            raw = padded[column]
            if raw.__class__ is str:
                outcome = by_text.get(raw)
                if outcome is None:
                    outcome = _outcome(spec, raw, header)
                    if len(by_text) < PARSE_MEMORY:
                        by_text[raw] = outcome
            else:
                # The key carries the type because 1, 1.0 and True are equal as dictionary keys but not as cells.
                key = (raw.__class__, raw)
                outcome = by_other.get(key)
                if outcome is None:
                    outcome = _outcome(spec, raw, header)
                    if len(by_other) < PARSE_MEMORY:
                        by_other[key] = outcome
            if outcome[2]:
                lacking = True
            if outcome[3]:
                header_like = True
            if outcome[0]:
                if slot is not None:
                    values[slot] = outcome[1]
            else:
                if problems is None:
                    problems = []
                problems.append(Problem(f"{spec.label}: {outcome[1]}", sheet_name, number, column))
        if any_required:
            if lacking and (_is_blank_row(cells) or any(_is_total_word(cell) for cell in cells)):
                continue
        elif _is_blank_row(cells):
            continue
        if unmapped_first and cells:
            first = cells[first_column] if first_column < len(cells) else None
            header_like = isinstance(first, str) and first.strip().casefold() == first_header
        if header_like and tuple(normalise_header(_header_text(c)) for c in cells[:len(header_key)]) == header_key:
            continue  # the header repeated, as extracts printed page by page do
        yield number, cells, values, problems


def read_rows(layout: TableLayout, kind: RecordKind) -> Iterator[SourceRow]:
    """Typed rows under the header, with their values by field name; skipping as read_values does."""
    names = tuple(layout.columns)
    sheet_name = layout.sheet.name
    for number, cells, values, problems in read_values(layout, kind, names):
        yield SourceRow(sheet_name, number, dict(zip(names, values, strict=True)), tuple(problems or ()),
                        tuple(cells))
