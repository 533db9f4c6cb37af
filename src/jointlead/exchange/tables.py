"""Finding the table in a messy sheet: the header row, which column holds which field, and typed rows."""

from __future__ import annotations

import itertools
import operator
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from operator import itemgetter
from typing import Any, NamedTuple

from jointlead.exchange.problems import ColumnsNotFound, FileRefused, Problem, ValueProblem, column_letters
from jointlead.exchange.reading import SourceFile, SourceSheet
from jointlead.exchange.values import is_blank, normalise_header

HEADER_SCAN_ROWS = 40  # title blocks above a header are rarely more than a handful of rows
TOTAL_WORDS = ("total", "sub total", "subtotal", "grand total", "totals", "net total", "balance c f")


@dataclass(frozen=True)
class Field:
    """A column an importer understands: its name, how it is spelt in the systems we meet, and its type.

    `parse` turns a cell into the field's value or raises ValueProblem, and always refuses a blank cell.
    """

    name: str
    label: str
    parse: Callable[[Any], Any]
    synonyms: tuple[str, ...] = ()
    required: bool = False
    # A required field whose cells may still be blank: the column must be there, and a row without a value is
    # matched by its other cells (a staff list's people recorded without an employee number, by name).
    blank_allowed: bool = False
    # Reads many cells at once (see values.py, "Whole columns at once"): `parse`'s value for every one, or None
    # when any needs `parse` itself. For an optional field's columns whose values rarely repeat: those that do are
    # remembered instead, which also keeps one copy of each value, not one a row.
    bulk: Callable[[list[Any]], list[Any] | None] | None = None
    # Headers that can stand in for the field when nothing better is there ("Supplier" for a ledger's description),
    # but give way to a column headed with any of its other spellings.
    fallbacks: tuple[str, ...] = ()

    @cached_property
    def spellings(self) -> frozenset[str]:
        """Every name this field goes by, normalised as headers are compared."""
        return frozenset(normalise_header(s) for s in (self.label, self.name, *self.synonyms, *self.fallbacks))

    def best_of(self, headers: Sequence[str], hits: list[int]) -> list[int]:
        """Of several columns that match, the one to take if it is the only one not headed with a fallback;
        otherwise all of them (the user chooses)."""
        weak = {normalise_header(s) for s in self.fallbacks}
        strong = [i for i in hits if normalise_header(headers[i]) not in weak]
        return strong if len(strong) == 1 else hits

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

    @cached_property
    def spellings(self) -> frozenset[str]:
        """Every name any of its fields goes by."""
        return frozenset().union(*(f.spellings for f in self.fields))


@dataclass(frozen=True)
class TableLayout:
    """Where the table is in a file: the sheet, the header row, and the column of each field."""

    sheet: SourceSheet
    header_row: int  # 1-based: the header's last row, the data below it
    headers: tuple[str, ...]
    columns: Mapping[str, int]  # field name -> 0-based column
    header_rows: int = 1  # 2 for a header in two rows (see locate_header)
    header_cells: tuple[tuple[str, ...], ...] = ()  # its rows as they read, where it takes two: each may repeat

    def header_of(self, field_name: str) -> str:
        return self.headers[self.columns[field_name]]

    @property
    def header_where(self) -> str:
        return header_where(self.header_row, self.header_rows)


def header_where(row: int, rows: int) -> str:
    """Where a header is, in words: "row 4", or "rows 4 and 5" for one in two rows."""
    return f"row {row}" if rows == 1 else f"rows {row - 1} and {row}"


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


def fields_named(cells: Sequence[object], kind: RecordKind, overrides: Mapping[str, str] | None = None) -> int:
    """How many of the kind's fields a row of headers names: a field the user named a column for (`overrides`, as
    `find_table` takes them) by that header alone, or by none where they said the file does not hold it; any
    other field by any of its spellings."""
    headers = {normalise_header(text) for text in map(_header_text, cells) if text}
    chosen = overrides or {}

    def named(f: Field) -> bool:
        if f.name in chosen:
            return bool(chosen[f.name]) and normalise_header(chosen[f.name]) in headers
        return not headers.isdisjoint(f.spellings)

    return sum(map(named, kind.fields))


class Header(NamedTuple):
    """A table's header: its last row (1-based), each column's header text, how many rows it takes, and for a
    header in two rows those rows as they read."""

    row: int
    headers: tuple[str, ...]
    rows: int = 1
    cells: tuple[tuple[str, ...], ...] = ()


def _in_two_rows(top: Sequence[object], bottom: Sequence[object], kind: RecordKind) -> tuple[str, ...]:
    """The headers of a header in two rows, as a report laid out by hand has them: a title merged across the
    columns it groups ("Cost centre" over "Code" and "Name"), or standing alone over a blank ("Period").

    Each column is headed with its title and its own header together ("Cost centre Code"), or with its own header
    alone where only that names a field of the kind ("Debit" under "Amount £"), unless another column would then
    be headed the same. A title spreads right over blank cells only from a column that has a header of its
    own under it: one standing alone over a blank is a header merged down, not a title over the next column."""
    width = max(len(top), len(bottom))
    above = [_header_text(top[i]) if i < len(top) else "" for i in range(width)]
    below = [_header_text(bottom[i]) if i < len(bottom) else "" for i in range(width)]
    title = ""
    for i in range(width):
        if above[i]:
            title = above[i] if below[i] else ""
        elif below[i]:
            above[i] = title
        else:
            title = ""
    whole = [" ".join(part for part in pair if part) for pair in zip(above, below, strict=True)]
    names = [own if own and not _names_a_field(both, kind) and _names_a_field(own, kind) else both
             for both, own in zip(whole, below, strict=True)]
    taken = [normalise_header(text) for text in names]
    times = Counter(taken)
    return tuple(text if times[key] == 1 else whole[i] for i, (text, key) in enumerate(zip(names, taken, strict=True)))


def _names_a_field(header: str, kind: RecordKind) -> bool:
    return normalise_header(header) in kind.spellings


def locate_header(sheet: SourceSheet, kind: RecordKind, overrides: Mapping[str, str] | None = None) -> Header | None:
    """The row among the first few that names most of the kind's fields, and its headers; or two rows together,
    where they name more of them than any one row does. (The first row under a header in one row is never its
    second: a code or an amount beside each of its headers spoils them, and so names fewer.) Columns the user
    named by hand (`overrides`) count for their fields, so a header with none of the usual names is still found."""
    best: tuple[int, Header] | None = None
    above: Sequence[object] = ()
    for number, cells in enumerate(sheet.head(HEADER_SCAN_ROWS), start=1):
        texts = tuple(_header_text(c) for c in cells)
        found = [Header(number, texts)]
        if above and cells:
            found.append(Header(number, _in_two_rows(above, cells, kind), 2,
                                (tuple(_header_text(c) for c in above), texts)))
        for header in found:
            score = fields_named(header.headers, kind, overrides)
            if score and (best is None or score > best[0]):
                best = (score, header)
        above = cells
    return best[1] if best else None


def _auto_columns(headers: Sequence[str], kind: RecordKind) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    ambiguous: list[str] = []
    for f in kind.fields:
        hits = [i for i, h in enumerate(headers) if h and f.matches(h)]
        if len(hits) > 1:
            hits = f.best_of(headers, hits)
        if len(hits) == 1:
            columns[f.name] = hits[0]
        elif len(hits) > 1:
            found = ", ".join(f"'{headers[i]}' (column {column_letters(i)})" for i in hits)
            ambiguous.append(f"{f.label} could be any of {found}.")
    return columns, ambiguous


BY_HAND = ("name the column by hand: --map FIELD=HEADER on the command line, or the Sheet and columns step of the "
           "import wizard.")


def _headers_found(headers: Sequence[str]) -> str:
    shown = [f"'{h}'" for h in headers if h]
    return ", ".join(shown) if shown else "none"


def find_table(source: SourceFile, kind: RecordKind, *, sheet_name: str | None = None,
               overrides: Mapping[str, str] | None = None, by_hand: str | None = None,
               alike_sheets: str | None = None) -> TableLayout:
    """The sheet and header row that best fit this kind of import, with every required field mapped.

    `overrides` maps field names to header texts the user chose (the wizard, `--map FIELD=HEADER`, or
    the profile saved from last month), or to "" for a field the file does not hold; anything else is
    matched by synonyms. When columns are not found, the advice says how to name them by hand, with --map on the
    command line or in the wizard; an import that offers neither gives its own advice instead, as `by_hand`.

    Of two sheets that fit equally well, the earlier is read, unless `alike_sheets` is given: then they are refused,
    named, with that advice.
    """
    overrides = overrides or {}
    _check_field_names(overrides, kind)
    candidates = [s for s in source.sheets if sheet_name is None or s.name == sheet_name]
    if sheet_name is not None and not candidates:
        names = ", ".join(f"'{s.name}'" for s in source.sheets)
        raise FileRefused(f"The file has no sheet called '{sheet_name}'.", f"Its sheets are: {names}.")
    located = [(s, locate_header(s, kind, overrides)) for s in candidates]
    scored = [(s, found) for s, found in located if found is not None]
    if not scored:
        if not any(s.head(1) for s in candidates):
            raise FileRefused(f"{'This sheet' if sheet_name else 'This file'} is empty: there is nothing in it to "
                              "import.", "Check this is the right file: one saved before its rows were put in, or "
                              "exported with nothing chosen, is empty.")
        first = next(s for s in candidates if s.head(1))
        seen = _headers_found([_header_text(c) for c in first.head(1)[0]])
        named = [header for header in overrides.values() if header]
        if named:  # none of the headers the user named is there, and no other header is recognised either
            where = f"sheet '{sheet_name}'" if sheet_name else "sheet in this file"
            raise FileRefused(f"No {where} has a column headed {_either(named)} in its first {HEADER_SCAN_ROWS} "
                              "rows.", f"The first row of '{first.name}' holds: {seen}. Name each column with its "
                              "header as the file spells it.")
        needs = ", ".join(f.label for f in kind.fields if f.required)
        raise ColumnsNotFound(
            f"No sheet in this file has the columns {'an' if kind.name[:1] in 'aeiou' else 'a'} {kind.name} import "
            f"needs{f' ({needs})' if needs else ''}.", f"The first row of '{first.name}' holds: {seen}.",
            by_hand or f"Check this is the right file, or {BY_HAND}")
    # The sheet whose header matches most fields wins; on a tie, the earlier sheet (unless ties are refused).
    sheet, (header_row, headers, header_rows, header_cells) = max(
        scored, key=lambda item: (fields_named(item[1].headers, kind, overrides), -source.sheets.index(item[0])))
    if alike_sheets is not None:
        best = fields_named(headers, kind, overrides)
        alike = [s.name for s, found in scored if fields_named(found.headers, kind, overrides) == best]
        if len(alike) > 1:
            count = _COUNTED.get(len(alike), str(len(alike)))
            names = ", ".join(f"'{name}'" for name in alike[:-1]) + f" and '{alike[-1]}'"
            raise FileRefused(f"The workbook has {count} sheets that look like the {kind.name}: {names}. They "
                              "have the same columns, so which one to read cannot be told.", alike_sheets)
    columns, ambiguous = _auto_columns(headers, kind)
    for name, header in overrides.items():
        if not header:  # the user says this file does not hold the field, whatever a header seems to say
            columns.pop(name, None)
            ambiguous = [a for a in ambiguous if not a.startswith(kind.field(name).label + " ")]
            continue
        matches = [i for i, h in enumerate(headers) if normalise_header(h) == normalise_header(header)]
        if not matches:
            raise FileRefused(f"There is no column headed '{header}' on sheet '{sheet.name}' "
                              f"({header_where(header_row, header_rows)}).",
                              f"The headers found are: {_headers_found(headers)}.")
        columns[name] = matches[0]
        ambiguous = [a for a in ambiguous if not a.startswith(kind.field(name).label + " ")]
    layout = TableLayout(sheet, header_row, tuple(headers), columns, header_rows, header_cells)
    _require(layout, kind, ambiguous, by_hand)
    return layout


_COUNTED = {2: "two", 3: "three", 4: "four", 5: "five"}


def _either(texts: Sequence[str]) -> str:
    """'A', 'A' or 'B', 'A', 'B' or 'C'."""
    quoted = [f"'{text}'" for text in texts]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _check_field_names(overrides: Mapping[str, str], kind: RecordKind) -> None:
    """Refuse a column named by hand for a field the import does not have (a misspelt --map FIELD, say), before
    anything else: whatever else is wrong with the file, that is the first thing to put right."""
    known = [f.name for f in kind.fields]
    unknown = [f"'{name}'" for name in overrides if name not in known]
    if not unknown:
        return
    article = "an" if kind.name[:1] in "aeiou" else "a"
    said = (f"{unknown[0]} is not a field" if len(unknown) == 1
            else f"{', '.join(unknown[:-1])} and {unknown[-1]} are not fields")
    raise FileRefused(f"{said} of {article} {kind.name} import.", f"The fields are: {', '.join(known)}.")


def _require(layout: TableLayout, kind: RecordKind, ambiguous: list[str], by_hand: str | None = None) -> None:
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
    raise ColumnsNotFound(
        f"Sheet '{layout.sheet.name}' (headers on {layout.header_where}): {' '.join(parts)}",
        f"The headers found are: {_headers_found(layout.headers)}.", by_hand or f"If one of them is right, {BY_HAND}")


_TOTAL_INITIALS = frozenset("tsgnbTSGNB")  # the first letters of TOTAL_WORDS, to rule most cells out at once
PARSE_MEMORY = 20_000  # distinct values remembered per column: codes, periods and dates repeat all month
# Cells looked up before a column that finds few of them remembered stops remembering. Enough rows for values that
# repeat every thousand or so (descriptions, say) to show it: each row would otherwise keep a copy of its own.
_REMEMBER_AFTER = 2048


def _is_total_word(cell: object) -> bool:
    if not isinstance(cell, str) or cell.lstrip()[:1] not in _TOTAL_INITIALS:
        return False
    text = normalise_header(cell)
    return any(text == word or text.startswith(word + " ") for word in TOTAL_WORDS)


def _header_key(cells: Sequence[object]) -> tuple[str, ...]:
    """Header texts as compared, without the blank ones at the end: a row read shorter can still repeat the header."""
    key = [normalise_header(_header_text(cell)) for cell in cells]
    while key and not key[-1]:
        key.pop()
    return tuple(key)


def _is_blank_row(cells: Sequence[object]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


# An outcome: (parsed?, value, lacking a required value?, looks like the header?, none of those, what is wrong).
Outcome = tuple[bool, Any, bool, bool, bool, str]
_BLANK: Outcome = (True, None, False, False, True, "")
# Rows read and parsed together, a column at a time. Fewer than the garbage collector's first threshold (700 new
# containers), so each chunk's row lists are freed before a collection can promote them: at 2,048 rows, collections
# (a full one per import) took 80 ms of a 50,000-row import; at 512, 6 ms.
CHUNK_ROWS = 512


def _outcome(spec: Field, raw: object, first_header: frozenset[str] | None) -> Outcome:
    """What a cell means for its field. Parsers are pure, so this is worked out once per distinct value and column.
    `first_header`: for the table's first column, what its header says (in each of its rows), case aside."""
    lacking = spec.required and (is_blank(raw) or _is_total_word(raw))
    header_like = first_header is not None and isinstance(raw, str) and raw.strip().casefold() in first_header
    if (spec.blank_allowed or not spec.required) and is_blank(raw):
        return True, None, lacking, header_like, not (lacking or header_like), ""
    try:
        return True, spec.parse(raw), lacking, header_like, not (lacking or header_like), ""
    except ValueProblem as problem:
        return False, None, lacking, header_like, False, str(problem)


def _judge(spec: Field, first_header: frozenset[str] | None) -> Callable[[object], Outcome]:
    """`_outcome` for one column, made once; an optional field away from the first column needs only its parser."""
    if spec.required or first_header is not None:
        return partial(_outcome, spec, first_header=first_header)
    parse = spec.parse

    def optional(raw: object) -> Outcome:
        if raw is None:
            return _BLANK
        try:
            return True, parse(raw), False, False, True, ""
        except ValueProblem as problem:  # every parser refuses a blank cell, so blanks are told apart only here
            return _BLANK if is_blank(raw) else (False, None, False, False, False, str(problem))

    return optional


class _Column:
    """One mapped field's column: where it is, how its cells are judged, and the outcomes of the values seen."""

    __slots__ = ("bulk", "by_other", "by_text", "column", "judge", "looked_up", "missed", "remember", "slot", "spec",
                 "take", "value_of")

    def __init__(self, slot: int | None, column: int, spec: Field, first_header: frozenset[str] | None) -> None:
        self.slot = slot
        self.column = column
        self.spec = spec
        self.take = itemgetter(column)
        self.judge = _judge(spec, first_header)
        # Only where a cell is judged by its parser alone: a required or first column also looks for totals and
        # repeated headers.
        self.bulk = spec.bulk if not spec.required and first_header is None else None
        self.by_text: dict[str, Outcome] = {}
        self.value_of: dict[str, Any] = {}  # the value of each text in by_text whose outcome is clean
        self.by_other: dict[tuple[type, object], Outcome] = {}
        # Remembering pays for codes, periods and dates, which repeat; not for amounts and ids, which rarely do.
        self.remember = True
        self.looked_up = self.missed = 0

    def read(self, rows: list[list[object]]) -> tuple[list[Any], list[Outcome] | None]:
        """The column's values in `rows`, and each cell's outcome unless every cell is clean (then None)."""
        cells = list(map(self.take, rows))
        if not self.remember:
            if self.bulk is not None:
                values = self._read_in_bulk(cells, self.bulk)
                if values is not None:
                    return values, None
            found = list(map(self.judge, cells))
        else:
            values = list(map(self.value_of.get, cells))
            if None not in values:  # every cell a text seen before, and clean: the usual chunk of codes or periods
                return values, None
            found = self._recall(cells)
        values = list(map(_VALUE, found))
        return values, None if all(map(_CLEAN, found)) else found

    @staticmethod
    def _read_in_bulk(cells: list[object], bulk: Callable[[list[Any]], list[Any] | None]) -> list[Any] | None:
        if None not in cells:
            return bulk(cells)
        # An empty cell of an optional field is clean and has no value: read the others, and put them back in place.
        values = bulk([cell for cell in cells if cell is not None])
        if values is None:
            return None
        read = iter(values)
        return [None if cell is None else next(read) for cell in cells]

    def _recall(self, cells: list[object]) -> list[Outcome]:
        found = list(map(self.by_text.get, cells))  # only text is remembered by value: other cells miss here
        self.looked_up += len(found)
        if None in found:
            by_text, by_other, judge = self.by_text, self.by_other, self.judge
            for index, outcome in enumerate(found):
                if outcome is not None:
                    continue
                raw = cells[index]
                if raw.__class__ is str:
                    outcome = by_text.get(raw)  # seen earlier in this chunk
                    if outcome is None:
                        self.missed += 1
                        outcome = judge(raw)
                        if len(by_text) < PARSE_MEMORY:
                            by_text[raw] = outcome
                            if outcome[4]:
                                self.value_of[raw] = outcome[1]
                else:
                    # The key carries the type because 1, 1.0 and True are equal as dictionary keys but not as cells.
                    key = (raw.__class__, raw)
                    outcome = by_other.get(key)
                    if outcome is None:
                        self.missed += 1
                        outcome = judge(raw)
                        if len(by_other) < PARSE_MEMORY:
                            by_other[key] = outcome
                found[index] = outcome
        if self.looked_up >= _REMEMBER_AFTER and self.missed > self.looked_up * 0.9:
            self.remember = False
        return found


class Chunk(NamedTuple):
    """Consecutive rows under the header, parsed a column at a time."""

    first: int  # the row number of rows[0]
    rows: list[list[object]]  # as the file holds them
    values: list[list[Any]]  # one column per name asked for, None where a row's value is missing or wrong
    clean: list[bool]  # rows whose every value was read, and that are neither a total nor a repeated header
    verdicts: dict[int, list[Problem] | None]  # the other rows, by index: None to skip, or their problems ([]: none)


_SKIP = None


def read_chunks(layout: TableLayout, kind: RecordKind, names: Sequence[str]) -> Iterator[Chunk]:
    """The rows under the header, in chunks, with the values of `names` (None for a field not mapped).

    Blank rows, totals and repeated headers are skipped, never rejected. A totals row is one that says "Total" (or
    Sub-total, Grand Total…) and lacks a field every posting has: a real posting described as "Total Care Ltd
    invoice" keeps its codes, so it is read like any other row.

    Every row of every import goes through here, so the work is done a column at a time: each distinct value is
    parsed once per column and looked up in C loops (or, where values rarely repeat, a field's bulk reader reads
    the whole column), and only rows that are not clean are looked at one by one.
    """
    # The header, repeated: as its one row, or as either of its two.
    header_rows = layout.header_cells or (layout.headers,)
    header_keys, width = {_header_key(row) for row in header_rows}, len(layout.headers)
    first_column = next(iter(layout.columns.values()), 0)
    first_header = frozenset(text for row in header_rows if first_column < len(row)
                             and (text := row[first_column].strip().casefold()))
    # A header row blank there (a title over it, or merged down from the row above) can repeat with nothing to
    # show it but the whole row: then every row with a problem is compared with it.
    blank_first = any(first_column >= len(row) or not row[first_column].strip() for row in header_rows)
    slots = {name: slot for slot, name in enumerate(names)}
    columns = [_Column(slots.get(name), column, kind.field(name), first_header if column == first_column else None)
               for name, column in layout.columns.items()]
    needed = max((c.column for c in columns), default=-1) + 1
    any_required = any(c.spec.required for c in columns)
    unmapped_first = not columns  # then the first column is no field's, and is looked at on its own
    sheet_name = layout.sheet.name
    source = layout.sheet.rows()
    for _ in itertools.islice(source, layout.header_row):
        pass
    first = layout.header_row + 1
    while rows := list(itertools.islice(source, CHUNK_ROWS)):
        padded = rows
        if min(map(len, rows)) < needed:
            padded = [row if len(row) >= needed else [*row, *([None] * (needed - len(row)))] for row in rows]
        count = len(rows)
        values: list[list[Any]] = [[None] * count for _ in names]
        outcomes: list[tuple[_Column, list[Outcome]]] = []  # the columns with cells that are not clean
        for c in columns:
            column_values, found = c.read(padded)
            if c.slot is not None:
                values[c.slot] = column_values
            if found is not None:
                outcomes.append((c, found))
        if unmapped_first:
            clean = [False] * count
        elif outcomes:
            clean = list(map(all, zip(*(map(_CLEAN, found) for _, found in outcomes), strict=True)))
        else:
            clean = [True] * count
        verdicts: dict[int, list[Problem] | None] = {}
        for index in itertools.compress(range(count), map(operator.not_, clean)):
            cells = rows[index]
            number = first + index
            lacking = header_like = False
            problems: list[Problem] = []
            for c, found in outcomes:
                ok, _, lacks, looks_like_header, _, message = found[index]
                lacking = lacking or lacks
                header_like = header_like or looks_like_header
                if not ok:
                    problems.append(Problem(f"{c.spec.label}: {message}", sheet_name, number, c.column))
            verdict: list[Problem] | None = problems
            if any_required:
                if lacking and (_is_blank_row(cells) or any(_is_total_word(cell) for cell in cells)):
                    verdict = _SKIP
            elif _is_blank_row(cells):
                verdict = _SKIP
            if unmapped_first and cells:
                head = cells[first_column] if first_column < len(cells) else None
                header_like = isinstance(head, str) and head.strip().casefold() in first_header
            if verdict is not _SKIP and (header_like or blank_first) and _header_key(cells[:width]) in header_keys:
                verdict = _SKIP  # the header repeated, as extracts printed page by page do
            verdicts[index] = verdict
        yield Chunk(first, rows, values, clean, verdicts)
        first += count


_VALUE = itemgetter(1)
_CLEAN = itemgetter(4)


def read_rows(layout: TableLayout, kind: RecordKind) -> Iterator[SourceRow]:
    """Typed rows under the header, with their values by field name; skipping as read_chunks does."""
    names = tuple(layout.columns)
    sheet_name = layout.sheet.name
    for chunk in read_chunks(layout, kind, names):
        for index, (cells, clean) in enumerate(zip(chunk.rows, chunk.clean, strict=True)):
            problems = () if clean else chunk.verdicts[index]
            if problems is _SKIP:
                continue
            values = {name: column[index] for name, column in zip(names, chunk.values, strict=True)}
            yield SourceRow(sheet_name, chunk.first + index, values, tuple(problems), tuple(cells))
