"""`jointlead check`: the file's integrity plus the data-quality findings a manager should act on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from jointlead.domain.calendar import FinancialYear
from jointlead.domain.findings import Finding, Severity
from jointlead.domain.money import format_exact
from jointlead.domain.reporting_lines import line_findings
from jointlead.services.people import span_of_control, staff_and_lines
from jointlead.store.backup import integrity_problems
from jointlead.store.database import Database
from jointlead.store.models import (
    IN_FORCE,
    Action,
    BudgetLine,
    Contribution,
    LedgerMapping,
    LedgerTransaction,
    LineMonth,
    LineYear,
)


@dataclass(frozen=True)
class CheckReport:
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == Severity.WARNING)


def _line_findings(session, on: date) -> list[Finding]:
    """Errors and warnings only: information (lines across organisations) is shown where people are, not counted."""
    people, lines = staff_and_lines(session)
    return line_findings(people, lines, on, span_of_control(session))


def _budget_findings(session) -> list[Finding]:
    findings: list[Finding] = []
    months = (select(LineMonth.budget_line_id, LineMonth.year, func.sum(LineMonth.budget_pence).label("total"),
                     func.count().label("n"))
              .group_by(LineMonth.budget_line_id, LineMonth.year).subquery())
    mismatched = session.execute(
        select(BudgetLine.code, LineYear.year, LineYear.annual_budget_pence, months.c.total)
        .join(LineYear, LineYear.budget_line_id == BudgetLine.id)
        .join(months, (months.c.budget_line_id == BudgetLine.id) & (months.c.year == LineYear.year))
        .where(months.c.total != LineYear.annual_budget_pence))
    for code, year, annual, total in mismatched:
        findings.append(Finding(Severity.ERROR, "profile-mismatch",
                                f"Budget line {code}: the monthly profile for {year}-{(year + 1) % 100:02d} adds up to "
                                f"{total} pence, not the annual budget of {annual} pence.", f"line {code}"))
    unmapped_lines = session.scalars(
        select(BudgetLine.code).where(~BudgetLine.id.in_(select(LedgerMapping.budget_line_id)))
        .order_by(BudgetLine.code)).all()
    for code in unmapped_lines:
        findings.append(Finding(Severity.WARNING, "line-without-ledger-codes",
                                f"Budget line {code} has no ledger codes, so no actuals can reach it.",
                                f"line {code}"))
    findings += _pool_balance_findings(session)
    unmapped_rows = session.scalar(select(func.count()).where(IN_FORCE, LedgerTransaction.budget_line_id.is_(None)))
    if unmapped_rows:
        findings.append(Finding(Severity.WARNING, "unmapped-ledger-rows",
                                f"{unmapped_rows} ledger rows match no budget line: assign them on the Budgets page.",
                                "budgets"))
    return findings


def _pool_balance_findings(session) -> list[Finding]:
    """A pooled fund's lines should budget exactly what the partners put in, year by year: money contributed but in
    no line is never monitored, and lines budgeting more than was contributed overspend the pool by design. Years
    with only lines or only contributions are being set up, and are not judged yet."""
    budgeted = dict(((agreement, year), total) for agreement, year, total in session.execute(
        select(BudgetLine.agreement_id, LineYear.year, func.sum(LineYear.annual_budget_pence))
        .join(LineYear, LineYear.budget_line_id == BudgetLine.id)
        .group_by(BudgetLine.agreement_id, LineYear.year)))
    findings = []
    for agreement, year, contributed in session.execute(
            select(Contribution.agreement_id, Contribution.year, func.sum(Contribution.amount_pence))
            .group_by(Contribution.agreement_id, Contribution.year)
            .order_by(Contribution.agreement_id, Contribution.year)):
        lines = budgeted.get((agreement, year))
        if lines is None or lines == contributed:
            continue
        gap = contributed - lines
        label = FinancialYear(year).label
        findings.append(Finding(
            Severity.WARNING, "pool-not-balanced",
            f"The {label} budget lines total {format_exact(lines)}, but the partners' contributions total "
            f"{format_exact(contributed)}: " + (
                f"{format_exact(gap)} contributed is in no budget line." if gap > 0 else
                f"the lines budget {format_exact(-gap)} more than was contributed."),
            f"pool {agreement} {year}"))
    return findings


def _action_findings(session) -> list[Finding]:
    refs = session.scalars(select(Action.reference).where(Action.owner_id.is_(None),
                                                          Action.status.in_(("open", "in progress")))
                           .order_by(Action.reference)).all()
    return [Finding(Severity.WARNING, "action-without-owner", f"Action {ref} has no owner.", f"action {ref}")
            for ref in refs]


def data_quality(database: Database, today: date) -> CheckReport:
    """The findings about the records themselves, as at a day (what the dashboard counts)."""
    with database.session() as session:
        findings = _line_findings(session, today) + _budget_findings(session) + _action_findings(session)
    return CheckReport(tuple(findings))


def check(database: Database, today: date) -> CheckReport:
    """Integrity first: if the file itself is damaged, nothing else it says can be trusted. (A shared database's
    pages are the server's to check: PostgreSQL verifies them as it reads.)"""
    problems = integrity_problems(database.path, read_only=database.read_only) if database.path else []
    if problems:
        return CheckReport(tuple(Finding(Severity.ERROR, "integrity", f"Integrity check: {p}") for p in problems[:20]))
    return data_quality(database, today)
