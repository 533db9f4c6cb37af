"""Reading a partner's ledger extract: the columns finance systems use, and one typed row per posting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import partial
from typing import NamedTuple

from jointlead.domain.calendar import FinancialYear, Period
from jointlead.exchange.problems import Problem, ValueProblem
from jointlead.exchange.tables import Field, RecordKind, SourceRow, TableLayout, read_chunks
from jointlead.exchange.values import parse_code, parse_date, parse_debit_credit, parse_money, parse_period, parse_text


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
        Field("amount", "Amount", parse_money,
              synonyms=("value", "value £", "net", "actual", "net amount", "amount £", "actuals", "net value",
                        "transaction amount", "amount gbp", "value gbp")),
        Field("debit", "Debit", parse_money, synonyms=("dr", "debits", "debit amount", "debit £")),
        Field("credit", "Credit", parse_money, synonyms=("cr", "credits", "credit amount", "credit £")),
        Field("description", "Description", partial(parse_text, max_length=1000, multiline=True),
              synonyms=("narrative", "details", "line description", "transaction description", "text",
                        "journal description", "supplier", "supplier name")),
        Field("transaction_ref", "Transaction id", parse_code,
              synonyms=("journal line ref", "trans no", "document no", "transaction id", "transaction number",
                        "doc no", "journal ref", "reference", "ref", "document number", "journal line",
                        "transaction ref", "trans ref", "line ref", "unique id")),
    ), one_of=((("period",), ("posting_date",)), (("amount",), ("debit", "credit"))))


class LedgerRow(NamedTuple):
    """One posting read from the extract; a named tuple, since an extract holds hundreds of thousands of them."""

    sheet: str
    row: int
    cost_centre: str
    subjective: str
    period: int
    posting_date: date | None
    amount_pence: int
    description: str
    transaction_ref: str | None


_NAMES = ("cost_centre", "subjective", "period", "posting_date", "amount", "debit", "credit", "description",
          "transaction_ref")


def _cell(cells: list[object], layout: TableLayout, name: str) -> object:
    column = layout.columns.get(name)
    return cells[column] if column is not None and column < len(cells) else None


def ledger_rows(layout: TableLayout, year: FinancialYear,
                closed_periods: frozenset[int] = frozenset()) -> Iterator[LedgerRow | SourceRow]:
    """Each posting as a LedgerRow, or the SourceRow with the problems that stop it being imported.

    A posting into a closed period is refused here, so the refusal keeps the row as the file held it.
    """
    sheet = layout.sheet.name
    debit_column = layout.columns.get("debit")
    date_column = layout.columns.get("posting_date")
    periods_of: dict[date, Period] = {}  # a month's postings share a few dozen dates
    for chunk in read_chunks(layout, ledger_kind(year), _NAMES):
        first, verdicts = chunk.first, chunk.verdicts
        for index, (clean, centre, subjective, period, posted, amount, _debit, _credit, description, ref) in \
                enumerate(zip(chunk.clean, *chunk.values, strict=True)):
            number = first + index
            if clean and amount is not None and period is not None and period not in closed_periods:
                yield LedgerRow(sheet, number, centre, subjective, period, posted, amount, description or "", ref)
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
                    found = periods_of.get(posted)
                    if found is None:
                        found = periods_of[posted] = Period.containing(posted)
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
                    elif period in closed_periods:
                        problems = [Problem(f"{Period(year, period).label} {year.label} is closed, so nothing can be "
                                            "imported into it.", sheet, number)]
                    else:
                        yield LedgerRow(sheet, number, centre, subjective, period, posted, amount,
                                        description or "", ref)
                        continue
            values = {name: column[index] for name, column in zip(_NAMES, chunk.values, strict=True)
                      if name in layout.columns}
            yield SourceRow(sheet, number, values, tuple(problems), tuple(cells))


_SKIPPED = None  # read_chunks' verdict for a blank row, a total or a repeated header
