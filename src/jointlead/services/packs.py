"""The parent-organisation pack: one workbook a month for a partner, as at a period, with what it needs to know."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from itertools import accumulate
from pathlib import Path

from jointlead.domain.budget import MONTHS
from jointlead.domain.calendar import FinancialYear
from jointlead.domain.errors import JointleadError
from jointlead.domain.money import format_money
from jointlead.domain.risk_share import share_words
from jointlead.exchange.writing import ChartKind, ExportChart, ExportColumn, ExportWorkbook, Kind
from jointlead.services import supervision_export
from jointlead.services.actions import ActionLogRow
from jointlead.services.budget_report import check_report_month, report_year
from jointlead.services.budgets import PoolPosition
from jointlead.services.exports import (
    PEOPLE_COLUMNS,
    RISK_SHARE_STEPS_BALANCE,
    SETTLEMENT_COLUMNS,
    VARIANCE_COLUMNS,
    ExportResult,
    _cover,
    _digest,
    _organisation,
    _record,
    as_final,
    budget_as_at_label,
    budget_headline,
    in_one_state,
    people_rows,
    risk_share_step_columns,
    risk_share_step_rows,
    settlement_description,
    settlement_rows,
    settlement_total,
    variance_rows,
    variance_total,
    year_end_settlement,
)
from jointlead.services.people import employees_and_lines
from jointlead.services.picture import as_at_picture, count
from jointlead.services.supervision import ComplianceReport
from jointlead.store.database import Database

ACTION_COLUMNS = (
    ExportColumn("Reference", Kind.CODE),
    ExportColumn("Action", wrap=True, width=50),
    ExportColumn("Owner"),
    ExportColumn("Meeting"),
    ExportColumn("Workstream"),
    ExportColumn("Priority"),
    ExportColumn("Raised", Kind.DATE),
    ExportColumn("Originally due", Kind.DATE),
    ExportColumn("Due", Kind.DATE),
    ExportColumn("Status"),
    ExportColumn("RAG", Kind.RAG),
    ExportColumn("Days overdue", Kind.INTEGER),
    ExportColumn("Completed", Kind.DATE),
    ExportColumn("Latest update", wrap=True, width=50),
    ExportColumn("Latest update on", Kind.DATE),
)
BURN_COLUMNS = (
    ExportColumn("Month"),
    ExportColumn("Cumulative budget", Kind.MONEY_FINANCE),
    ExportColumn("Cumulative actual", Kind.MONEY_FINANCE),
    ExportColumn("Cumulative forecast", Kind.MONEY_FINANCE),
)
TREND_COLUMNS = (
    ExportColumn("Month"),
    ExportColumn("As at", Kind.DATE),
    ExportColumn("Compliance", Kind.PERCENT),
    ExportColumn("Target", Kind.PERCENT),
    ExportColumn("In scope", Kind.INTEGER),
    ExportColumn("Compliant", Kind.INTEGER),
)


# The pack is printed for a board: its wide tables keep the columns a board reads, so a page stays legible. The
# monitoring and people workbooks carry every column.
PACK_LINE_HEADERS = ("Code", "Line", "Responsible partner", "Annual budget", "Budget to date", "Actual to date",
                     "Year-to-date variance", "Year-to-date RAG", "Forecast outturn", "Full-year variance",
                     "Full-year RAG")
PACK_PEOPLE_HEADERS = ("Employee number", "Name", "Job title", "Team", "Line manager", "Line manager's organisation",
                       "Professional lead", "Professional lead's organisation", "Findings")


def _narrowed(columns: Sequence[ExportColumn], rows: Sequence[Sequence[object]], headers: Sequence[str]
              ) -> tuple[tuple[ExportColumn, ...], list[tuple[object, ...]]]:
    """The columns named by `headers` (in the table's own order) and those values of each row."""
    kept = [index for index, column in enumerate(columns) if column.header in headers]
    return tuple(columns[i] for i in kept), [tuple(row[i] for i in kept) for row in rows]


def _summary_columns(code: str) -> tuple[ExportColumn, ...]:
    return (
        ExportColumn("Step", Kind.INTEGER),
        ExportColumn("What"),
        ExportColumn("Explanation", wrap=True, width=60),
        ExportColumn("The pool", Kind.MONEY_FINANCE),
        ExportColumn(code, Kind.MONEY_FINANCE),
    )


def _summary_rows(position: PoolPosition, code: str, partner_codes: Sequence[str], final: bool
                  ) -> list[tuple[object, ...]]:
    """The partner's part in the pool, from its contribution to its share of the variance, step by step: of the
    forecast variance, or once the year is `final` (M12 closed) of the actual one.

    The step rows are the Risk share steps sheet's rows, read for this partner, so the two sheets always agree."""
    pool = position.pool
    contributions = sum(position.contributions_by_partner.get(c, 0) for c in partner_codes)
    contribution = position.contributions_by_partner.get(code, 0)
    result = position.risk_share
    share = result.share_by_partner.get(code, 0)
    in_percent = f"{contribution / contributions:.1%} of" if contributions else "none of"
    rows: list[tuple[object, ...]] = [
        (None, "Contributions", f"{code} contributes {in_percent} what the partners put into the pool.",
         contributions, contribution),
        (None, "Annual budget", "The pool's budget for the year, after virements.", pool.annual_budget_pence, None),
        (None, "Budget to date", f"The budget profiled to {position.as_at.label if position.as_at else 'date'}.",
         pool.budget_to_date, None),
        (None, "Actual to date", "What the partners' ledgers show against the pool's lines.", pool.actual_to_date,
         None),
        (None, "Actual outturn", "What the partners' ledgers show for the whole year, every month closed.",
         pool.forecast_outturn, None) if final else
        (None, "Forecast outturn", "Actuals to date, then a forecast at the run rate (or by a line's budget profile, "
                                   "where chosen, or the manager's own) for the rest.",
         pool.forecast_outturn, None),
        (None, "Full-year variance" if final else "Forecast full-year variance", "Outturn less budget: positive is "
         "an overspend, negative an underspend. The risk share below decides who bears it.", pool.full_year_variance,
         None),
    ]
    partner_column = 4 + list(partner_codes).index(code)  # risk_share_step_columns: step, what, why, in
    for step in risk_share_step_rows(position, partner_codes):
        number, title, explanation, variance_in = step[0], step[1], step[2], step[3]
        rows.append((number, title, explanation, variance_in, step[partner_column]))
    words = share_words(result, code, format_money(abs(share)))
    rows.append((None, f"{code}'s share of the {'' if final else 'forecast '}variance",
                 f"{words[:1].upper()}{words[1:]}.", result.total_variance_pence, share))
    return rows


def _burn_rows(position: PoolPosition) -> list[tuple[object, ...]]:
    """The pool month by month, cumulative: budget all year, actuals to the as-at month, the forecast from there
    (none as at M12: the whole year is actual)."""
    pool = position.pool
    to_date = pool.as_at
    budget = list(accumulate(pool.budget_profile))
    outturn = list(accumulate(pool.outturn_by_month))
    rows = []
    for n in range(1, MONTHS + 1):
        period = position.year.period(n)
        actual = outturn[n - 1] if n <= to_date else None
        # The forecast line starts where the actuals end, so the two join up on the chart.
        forecast = outturn[n - 1] if to_date < MONTHS and n >= max(to_date, 1) else None
        rows.append((f"{period.label} {period.month_name}", budget[n - 1], actual, forecast))
    return rows


def _trend_rows(report: ComplianceReport) -> list[tuple[object, ...]]:
    target = report.target_percent / 100
    return [(m.label, m.as_at, supervision_export.shown_fraction(m.tally), target, m.tally.in_scope,
             m.tally.compliant) for m in report.trend]


def _action_values(row: ActionLogRow) -> tuple[object, ...]:
    return (row.reference, row.title, row.owner or None, row.meeting or None, row.workstream or None,
            row.priority or None, row.raised, row.original_due, row.due, row.status.label, row.rag,
            row.days_overdue or None, row.completed_on, row.latest_update or None, row.latest_update_on)


@in_one_state
def export_pack(database: Database, organisation_code: str, out: Path, *, as_at: int | None = None,
                year: FinancialYear | None = None, today: date | None = None, generated_on: datetime | None = None
                ) -> ExportResult:
    """The monthly pack for one partner: budget as at period `as_at` of `year` (default: the last closed, and its
    year: `report_year`), and people, supervision and actions as on `today` (default: today). `ExportResult.rows`
    counts the rows of every table."""
    if as_at is not None and not 1 <= as_at <= MONTHS:
        raise JointleadError(f"M{as_at} is not a period: periods run from M1 (April) to M12 (March).",
                             "Choose a period from M1 to M12, for example M7.")
    today = today or date.today()
    with database.session() as session:
        organisation = _organisation(session, organisation_code)
    code = organisation.code
    employees = employees_and_lines(database, code, today)
    picture = as_at_picture(database, today, organisation=code, as_at=as_at,
                            year=report_year(database, None, year, as_at, today), employees=employees,
                            actions_as_on=True)
    position, partner_codes = picture.position, list(picture.partner_codes)
    if position is None:
        raise JointleadError(picture.budget_problem) if picture.budget_problem else JointleadError(
            "There is no pooled budget to report on yet.", "Set up the pooled budget agreement on the Budgets page "
            "first.")
    check_report_month(database, position.agreement_id, position.year, as_at)
    if code not in partner_codes:
        raise JointleadError(f"{organisation.name} ({code}) is not a partner to {position.title}.",
                             f"Choose one of its partners: {', '.join(partner_codes)}.")
    report, actions = picture.report, picture.actions
    settlement = year_end_settlement(database, position, today)
    final = picture.final
    budget_label = budget_as_at_label(position)
    day_label = f"{today.day} {today:%B %Y}"
    as_at_label = f"{budget_label}; people, supervision and actions on {day_label}"
    with database.session() as session:
        cover = _cover(database, session, "Monthly pack", organisation, as_at_label, (
            f"{position.title} (host: {position.host_code}).",
            *budget_headline(position, organisation, final),
            supervision_export.compliance_headline(report),
            f"{count(len(actions), 'action', 'actions')} owned by {code}, "
            f"{count(sum(a.is_open for a in actions), 'open', 'open')}.",
            "Money is in pounds. A positive variance is an overspend.",
        ), checklist=picture.checklist, generated_on=generated_on)

    target = report.target_percent
    total = 0
    with ExportWorkbook(cover) as workbook:
        def table(title: str, columns, rows, name: str, description: str, totals=()) -> str:
            nonlocal total
            rows = list(rows)
            total += len(rows)
            return workbook.add_table(title, columns, rows, table_name=name, description=description,
                                      totals=totals)

        table("Budget summary", _summary_columns(code), _summary_rows(position, code, partner_codes, final),
              "BudgetSummary",
              f"{code}'s contribution and its share of the {'' if final else 'forecast '}variance, step by step")
        table("Risk share steps", risk_share_step_columns(partner_codes),
              risk_share_step_rows(position, partner_codes), "RiskShareSteps",
              f"The risk share step by step for every partner. {RISK_SHARE_STEPS_BALANCE}")
        if settlement is not None:
            table("Year-end settlement", SETTLEMENT_COLUMNS, settlement_rows(settlement), "YearEndSettlement",
                  settlement_description(settlement), totals=[settlement_total(settlement)])
        line_columns, line_rows = _narrowed(VARIANCE_COLUMNS, [*variance_rows(position), variance_total(position)],
                                            PACK_LINE_HEADERS)
        table("Budget lines", as_final(line_columns, final), line_rows[:-1], "BudgetLines",
              f"Each line of the pool, and the whole pool's total, {budget_label}", totals=line_rows[-1:])
        table("People", *_narrowed(PEOPLE_COLUMNS, people_rows(employees), PACK_PEOPLE_HEADERS), "People",
              f"{len(employees)} people {code} employs, with both reporting lines, on {day_label}")
        table("Supervision", supervision_export.PEOPLE_COLUMNS,
              (supervision_export.person_values(r) for r in report.rows), "Supervision",
              f"Each supervision arrangement for {code}'s staff, and each one missing, on {day_label}")
        table("Actions", ACTION_COLUMNS, (_action_values(a) for a in actions), "Actions",
              f"The actions {code}'s staff own, open and closed, as on {day_label}")
        burn = table("Budget burn", BURN_COLUMNS, _burn_rows(position), "BudgetBurn",
                     f"The pool's cumulative budget, actual{'' if final else ' and forecast'} by month: the Charts "
                     "sheet's figures")
        trend = table("Compliance trend", TREND_COLUMNS, _trend_rows(report), "ComplianceTrend",
                      f"{code}'s supervision compliance at each month end: the Charts sheet's figures")
        workbook.add_charts("Charts", (
            ExportChart(f"Budget burn: the pool, {position.year.label}", burn, 0, (1, 2, 3),
                        y_title="Cumulative £"),
            ExportChart(f"Supervision compliance: {code}, against the target of {target}%", trend, 0, (2, 3),
                        kind=ChartKind.LINE, y_title="Compliance"),
        ), description="Budget burn, and the supervision compliance trend", before=burn)
        path = workbook.save(out)
    result = ExportResult(path, total, _digest(path))
    _record(database, "export_pack", result, code, as_at_label)
    return result
