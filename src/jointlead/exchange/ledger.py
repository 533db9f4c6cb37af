"""Reading a partner's ledger extract: the columns finance systems use, and one typed row per posting."""

from __future__ import annotations

import bisect
import heapq
import itertools
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from operator import attrgetter
from typing import Any, NamedTuple

from jointlead.domain.calendar import FinancialYear, Period
from jointlead.exchange.problems import Problem, ValueProblem
from jointlead.exchange.tables import Field, RecordKind, SourceRow, TableLayout, read_chunks
from jointlead.exchange.values import (
    LONGEST_CODE,
    amounts_in_pence,
    parse_code,
    parse_date,
    parse_debit_credit,
    parse_money,
    parse_period,
    parse_text,
    plain_texts,
)

DESCRIPTION_LENGTH = 1000


def ledger_kind(year: FinancialYear) -> RecordKind:
    """The ledger import's fields; periods are read within the financial year being imported."""
    return RecordKind("ledger", (
        Field("cost_centre", "Cost centre", parse_code, required=True,
              synonyms=("cost center", "cost ctr", "cc", "cost centre code", "cost center code", "costc",
                        "cost centre no", "cost code", "responsibility centre", "budget code")),
        Field("subjective", "Subjective", parse_code, required=True,
              synonyms=("account", "account code", "expense type", "subjective code", "expenditure type",
                        "nominal", "nominal code", "gl account", "gl code", "subjective analysis", "detail code",
                        "expense code", "account no")),
        Field("period", "Period", partial(parse_period, year=year),
              synonyms=("month", "accounting period", "fiscal period", "per", "period no", "financial period")),
        Field("posting_date", "Posting date", parse_date,
              synonyms=("date", "gl date", "transaction date", "journal date", "trans date", "document date",
                        "effective date", "accounting date")),
        Field("amount", "Amount", parse_money, bulk=amounts_in_pence,
              synonyms=("value", "value £", "net", "actual", "net amount", "amount £", "actuals", "net value",
                        "transaction amount", "amount gbp", "value gbp")),
        Field("debit", "Debit", parse_money, bulk=amounts_in_pence,
              synonyms=("dr", "debits", "debit amount", "debit £")),
        Field("credit", "Credit", parse_money, bulk=amounts_in_pence,
              synonyms=("cr", "credits", "credit amount", "credit £")),
        Field("description", "Description", partial(parse_text, max_length=DESCRIPTION_LENGTH, multiline=True),
              bulk=partial(plain_texts, longest=DESCRIPTION_LENGTH),
              synonyms=("narrative", "details", "line description", "transaction description", "text",
                        "journal description"),
              # An accounts-payable extract may name only the supplier; beside a description it is just that.
              fallbacks=("supplier", "supplier name")),
        Field("transaction_ref", "Transaction id", parse_code, bulk=partial(plain_texts, longest=LONGEST_CODE),
              synonyms=("journal line ref", "trans no", "document no", "transaction id", "transaction number",
                        "doc no", "journal ref", "reference", "ref", "document number", "journal line",
                        "transaction ref", "trans ref", "line ref", "unique id")),
    ), one_of=((("period",), ("posting_date",)), (("amount",), ("debit", "credit"))))


class LedgerRow(NamedTuple):
    """One posting read from the extract, as a preview shows it."""

    sheet: str
    row: int
    cost_centre: str
    subjective: str
    period: int
    posting_date: date | None
    amount_pence: int
    description: str
    transaction_ref: str | None


class Postings:
    """Postings read from an extract, a column each: index i of every column is one posting.

    Columns, not a tuple per posting: an extract holds hundreds of thousands, and a posting then costs its row number
    and pence in two arrays (16 bytes) and a reference in each list to values that mostly repeat (codes, periods,
    dates), where a tuple with its numbers took 200 bytes. They also go to executemany as they are.
    """

    __slots__ = ("amounts", "cost_centres", "descriptions", "periods", "posting_dates", "rows", "sheet",
                 "subjectives", "transaction_refs")

    def __init__(self, sheet: str, rows: Iterable[int] = (), cost_centres: list[str] | None = None,
                 subjectives: list[str] | None = None, periods: list[int] | None = None,
                 posting_dates: list[date | None] | None = None, amounts: Iterable[int] = (),
                 descriptions: list[str] | None = None, transaction_refs: list[str | None] | None = None) -> None:
        self.sheet = sheet
        self.rows = array("l", rows)  # spreadsheet row numbers
        self.cost_centres = cost_centres if cost_centres is not None else []
        self.subjectives = subjectives if subjectives is not None else []
        self.periods = periods if periods is not None else []
        self.posting_dates = posting_dates if posting_dates is not None else []
        self.amounts = array("q", amounts)  # pence: at most £20 billion, a debit less a credit
        self.descriptions = descriptions if descriptions is not None else []
        self.transaction_refs = transaction_refs if transaction_refs is not None else []

    def __len__(self) -> int:
        return len(self.rows)

    def row(self, index: int) -> LedgerRow:
        return LedgerRow(self.sheet, self.rows[index], self.cost_centres[index], self.subjectives[index],
                         self.periods[index], self.posting_dates[index], self.amounts[index],
                         self.descriptions[index], self.transaction_refs[index])

    def take(self, indexes: Sequence[int]) -> Postings:
        """The postings at `indexes`, in that order."""
        taken = Postings(self.sheet)
        for name in _COLUMNS:
            getattr(taken, name).extend(map(getattr(self, name).__getitem__, indexes))
        return taken


class Extract:
    """Every posting read from an extract so far, kept in the Postings it was read in, a few hundred each.

    Not one list per column: lists grown to half a million entries leave their earlier, smaller copies behind as
    holes in the heap (30 MB of them for 500,000 postings, measured), where each chunk is allocated once.
    """

    def __init__(self) -> None:
        self.chunks: list[Postings] = []
        self._starts: list[int] = []  # the index of each chunk's first posting
        self._length = 0

    def add(self, chunk: Postings) -> None:
        """Keeps a chunk of postings, which must not be empty, after those kept already."""
        self._starts.append(self._length)
        self.chunks.append(chunk)
        self._length += len(chunk)

    def __len__(self) -> int:
        return self._length

    def locate(self, index: int) -> tuple[int, int]:
        """Which chunk holds the posting at `index`, and where in it."""
        number = bisect.bisect_right(self._starts, index) - 1
        return number, index - self._starts[number]

    def row(self, index: int) -> LedgerRow:
        number, within = self.locate(index)
        return self.chunks[number].row(within)

    def column(self, name: str) -> Iterator[Any]:
        """One column of every posting, in order: rows, cost_centres, periods, amounts..."""
        return itertools.chain.from_iterable(getattr(chunk, name) for chunk in self.chunks)

    def row_of(self, ref: str) -> int:
        """The spreadsheet row of the first posting with this transaction id (one there must be)."""
        chunk = next(chunk for chunk in self.chunks if ref in chunk.transaction_refs)
        return chunk.rows[chunk.transaction_refs.index(ref)]


_COLUMNS = ("rows", "cost_centres", "subjectives", "periods", "posting_dates", "amounts", "descriptions",
            "transaction_refs")
_NAMES = ("cost_centre", "subjective", "period", "posting_date", "amount", "debit", "credit", "description",
          "transaction_ref")


def _cell(cells: list[object], layout: TableLayout, name: str) -> object:
    column = layout.columns.get(name)
    return cells[column] if column is not None and column < len(cells) else None


@dataclass(frozen=True)
class ClosedMonth(Problem):
    """A posting into a closed month: nothing wrong with the row, only with when it is imported (the month's figures
    were agreed at month end and are locked), so the preview can say what to do about that instead, and can tell a
    posting imported before, as it stands, from one that would change the month."""

    period: int = 0
    posting: LedgerRow | None = None


@dataclass(frozen=True)
class DateNotInPeriod(Problem):
    """A posting whose period is not the month its posting date is in. One of the two columns is not what the import
    takes it for (calendar months in the period column, an invoice's date in the date column), so which month the
    money belongs to cannot be told: the preview refuses the file, saying which and what to do."""

    period: int = 0
    posted: date | None = None
    dated_in: Period | None = None  # the period the posting date is in


def ledger_chunks(layout: TableLayout, year: FinancialYear,
                  closed_periods: frozenset[int] = frozenset()) -> Iterator[tuple[Postings, list[SourceRow]]]:
    """The extract a few thousand rows at a time: the postings read, and the SourceRows with the problems that stop
    the others being imported, each in file order.

    A posting into a closed period is refused here, so the refusal keeps the row as the file held it; so is one
    whose period is not the month of its posting date (DateNotInPeriod), where the file has both.
    """
    sheet = layout.sheet.name
    debit_column = layout.columns.get("debit")
    date_column = layout.columns.get("posting_date")
    period_column = layout.columns.get("period")
    periods_of: dict[date, Period] = {}  # a month's postings share a few dozen dates

    def period_of(posted: date) -> Period:
        found = periods_of.get(posted)
        if found is None:
            found = periods_of[posted] = Period.containing(posted)
        return found

    def dated_elsewhere(period: int, posted: date) -> bool:
        found = period_of(posted)
        return found.number != period or found.year != year

    both = date_column is not None and period_column is not None
    for chunk in read_chunks(layout, ledger_kind(year), _NAMES):
        first, verdicts = chunk.first, chunk.verdicts
        centres, subjectives, periods, dates, amounts, _debits, _credits, descriptions, refs = chunk.values
        if (all(chunk.clean) and None not in amounts and None not in periods
                and closed_periods.isdisjoint(periods)  # the usual chunk: every row a posting as it stands
                and not (both and any(dated_elsewhere(period, posted)
                                      for period, posted in set(zip(periods, dates, strict=True))
                                      if posted is not None))):
            yield Postings(sheet, range(first, first + len(chunk.rows)), centres, subjectives, periods, dates, amounts,
                           [text or "" for text in descriptions] if None in descriptions else descriptions, refs), []
            continue
        postings = Postings(sheet)
        refused: list[SourceRow] = []
        accepted: list[int] = []
        for index, (clean, period, posted, amount) in enumerate(zip(chunk.clean, periods, dates, amounts,
                                                                     strict=True)):
            number = first + index
            if (clean and amount is not None and period is not None and period not in closed_periods
                    and (posted is None or not dated_elsewhere(period, posted))):
                accepted.append(index)
                postings.periods.append(period)
                postings.amounts.append(amount)
                continue
            cells = chunk.rows[index]
            problems = None if clean else verdicts[index]
            if problems is _SKIPPED and not clean:
                continue
            if not problems:
                problems = None
                if amount is None:
                    try:
                        # From the cells as written: the parsed debit and credit are already pence.
                        amount = parse_debit_credit(_cell(cells, layout, "debit"), _cell(cells, layout, "credit"))
                    except ValueProblem as problem:
                        problems = [Problem(str(problem), sheet, number, debit_column)]
                if period is None and posted is not None:
                    found = period_of(posted)
                    if found.year == year:
                        period = found.number
                    else:
                        problems = [*(problems or ()), Problem(
                            f"Posting date {posted:%d/%m/%Y} is not in {year.label}.", sheet, number, date_column)]
                if problems is None:
                    if period is None:
                        problems = [Problem("No period or posting date.", sheet, number)]
                    elif amount is None:
                        problems = [Problem("No amount.", sheet, number)]
                    elif posted is not None and dated_elsewhere(period, posted):
                        dated_in = period_of(posted)
                        problems = [DateNotInPeriod(
                            f"Period M{period} is not the month of its posting date, {posted:%d/%m/%Y} "
                            f"({dated_in.label} {dated_in.year.label}).", sheet, number, period_column,
                            period=period, posted=posted, dated_in=dated_in)]
                    elif period in closed_periods:
                        posting = LedgerRow(sheet, number, centres[index], subjectives[index], period, posted, amount,
                                            descriptions[index] or "", refs[index])
                        problems = [ClosedMonth(f"{Period(year, period).label} {year.label} is closed, so nothing "
                                                "can be imported into it.", sheet, number, period=period,
                                                posting=posting)]
                    else:
                        accepted.append(index)
                        postings.periods.append(period)
                        postings.amounts.append(amount)
                        continue
            values = {name: column[index] for name, column in zip(_NAMES, chunk.values, strict=True)
                      if name in layout.columns}
            refused.append(SourceRow(sheet, number, values, tuple(problems), tuple(cells)))
        postings.rows.extend(first + index for index in accepted)
        for name, column in (("cost_centres", centres), ("subjectives", subjectives), ("posting_dates", dates),
                             ("descriptions", descriptions), ("transaction_refs", refs)):
            getattr(postings, name).extend(map(column.__getitem__, accepted))
        if None in postings.descriptions:
            postings.descriptions[:] = [text or "" for text in postings.descriptions]
        yield postings, refused


def ledger_rows(layout: TableLayout, year: FinancialYear,
                closed_periods: frozenset[int] = frozenset()) -> Iterator[LedgerRow | SourceRow]:
    """Each posting as a LedgerRow, or the SourceRow with the problems that stop it being imported, in file order."""
    for postings, refused in ledger_chunks(layout, year, closed_periods):
        yield from heapq.merge(map(postings.row, range(len(postings))), refused, key=attrgetter("row"))


_SKIPPED = None  # read_chunks' verdict for a blank row, a total or a repeated header
