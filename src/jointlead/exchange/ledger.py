"""Reading a partner's ledger extract: the columns finance systems use, and one typed row per posting."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import partial

from jointlead.domain.calendar import FinancialYear, Period
from jointlead.exchange.problems import Problem, ValueProblem
from jointlead.exchange.tables import Field, RecordKind, SourceRow, TableLayout, read_rows
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


@dataclass(frozen=True)
class LedgerRow:
    sheet: str
    row: int
    cost_centre: str
    subjective: str
    period: int
    posting_date: date | None
    amount_pence: int
    description: str
    transaction_ref: str | None


def _cell(row: SourceRow, layout: TableLayout, name: str) -> object:
    column = layout.columns.get(name)
    return row.cells[column] if column is not None and column < len(row.cells) else None


def ledger_rows(layout: TableLayout, year: FinancialYear,
                closed_periods: frozenset[int] = frozenset()) -> Iterator[LedgerRow | SourceRow]:
    """Each posting as a LedgerRow, or the SourceRow with the problems that stop it being imported.

    A posting into a closed period is refused here, so the refusal keeps the row as the file held it.
    """
    for row in read_rows(layout, ledger_kind(year)):
        if not row.accepted:
            yield row
            continue
        values = row.values
        problems: list[Problem] = []
        amount = values.get("amount")
        if amount is None:
            try:
                # From the cells as written: the parsed debit and credit are already pence.
                amount = parse_debit_credit(_cell(row, layout, "debit"), _cell(row, layout, "credit"))
            except ValueProblem as problem:
                problems.append(Problem(str(problem), row.sheet, row.row, layout.columns.get("debit")))
        period = values.get("period")
        posted = values.get("posting_date")
        if period is None and posted is not None:
            if FinancialYear.containing(posted) == year:
                period = Period.containing(posted).number
            else:
                problems.append(Problem(f"Posting date {posted:%d/%m/%Y} is not in {year.label}.", row.sheet,
                                        row.row, layout.columns.get("posting_date")))
        if period is None and not problems:
            problems.append(Problem("No period or posting date.", row.sheet, row.row))
        if amount is None and not problems:
            problems.append(Problem("No amount.", row.sheet, row.row))
        if period in closed_periods and not problems:
            problems.append(Problem(f"{Period(year, period).label} {year.label} is closed, so nothing can be imported "
                                    "into it.", row.sheet, row.row))
        if problems:
            yield SourceRow(row.sheet, row.row, values, tuple(problems), row.cells)
            continue
        yield LedgerRow(row.sheet, row.row, values["cost_centre"], values["subjective"], period, posted, amount,
                        values.get("description") or "", values.get("transaction_ref"))
