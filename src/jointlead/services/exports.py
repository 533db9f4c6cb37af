"""Exports: fresh, formula-safe workbooks for the parent organisations, each one recorded in the audit log."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import ParamSpec, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import aliased

from jointlead.domain.budget import MONTHS, LineFigures, total_figures
from jointlead.domain.calendar import FinancialYear
from jointlead.domain.errors import JointleadError
from jointlead.domain.findings import Severity
from jointlead.domain.money import format_money
from jointlead.domain.risk_share import share_words
from jointlead.exchange.writing import Cover, ExportColumn, ExportWorkbook, Kind
from jointlead.services.budget_report import (
    budget_checklist,
    check_report_month,
    report_year,
    unmapped_rows,
    virement_log,
)
from jointlead.services.budgets import PoolPosition, pool_position
from jointlead.services.imports import ImportPreview
from jointlead.services.overview import DEFAULT_SERVICE_NAME, lead_on
from jointlead.services.people import EmployeeLines, LineRow, employees_and_lines, span_of_control
from jointlead.services.reconciliation import YearEndReconciliation, year_end_reconciliation
from jointlead.store.database import Database
from jointlead.store.models import AgreementPartner, Organisation, Person, Setting, Team
from jointlead.store.uow import UnitOfWork, os_user

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    sha256: str


STAFF_COLUMNS = (
    ExportColumn("Employee number", Kind.CODE),
    ExportColumn("Name"),
    ExportColumn("Job title"),
    ExportColumn("Profession"),
    ExportColumn("Grade"),
    ExportColumn("WTE", Kind.WTE),
    ExportColumn("Team"),
    ExportColumn("Start date", Kind.DATE),
    ExportColumn("Leave date", Kind.DATE),
    ExportColumn("Seconded", Kind.BOOL),
    ExportColumn("Line manager"),
    ExportColumn("Line manager's organisation", Kind.CODE),
    ExportColumn("Managed across organisations", Kind.BOOL),
    ExportColumn("Professional lead"),
    ExportColumn("Professional lead's organisation", Kind.CODE),
)


def _cover(database: Database, session, title: str, organisation: Organisation, as_at: str,
           notes: tuple[str, ...] = (), *, checklist: tuple[tuple[str, bool], ...] = (),
           generated_on: datetime | None = None) -> Cover:
    """The cover every export starts with; `generated_on` is for callers (tests) that need the same bytes twice."""
    service = session.scalar(select(Setting.value).where(Setting.key == "service_name")) or DEFAULT_SERVICE_NAME
    generated_on = generated_on or datetime.now().astimezone()
    return Cover(title=title, organisation=f"{organisation.name} ({organisation.code})", as_at=as_at,
                 generated_by=os_user(), generated_on=generated_on.replace(microsecond=0),
                 source_database=database.name, service=service, notes=notes, checklist=checklist)


def _organisation(session, code: str) -> Organisation:
    organisation = session.scalar(select(Organisation).where(Organisation.code == code.strip().upper()))
    if organisation is None:
        raise JointleadError(f"There is no organisation with the code '{code}'.",
                             "Use the code shown on the dashboard, for example NFT.")
    return organisation


def in_one_state(export: Callable[P, R]) -> Callable[P, R]:
    """An export (taking the database first) reads one state of the database throughout (`Database.one_state`):
    its sheets and its cover agree with each other, whatever is saved while it is being made."""

    @functools.wraps(export)
    def reading(*args: P.args, **kwargs: P.kwargs) -> R:
        database = args[0] if args else kwargs["database"]
        with database.one_state():
            return export(*args, **kwargs)

    return reading


def _record(database: Database, verb: str, result: ExportResult, organisation: str, as_at: str) -> None:
    """Exports are recorded like changes, so 'what did we send the council in May?' has an answer."""
    if database.read_only:
        return  # a read-only database cannot record anything; the export itself still helps the user
    with UnitOfWork(database) as uow:
        uow.audit(verb, "export", None, {"file": (None, result.path.name), "sha256": (None, result.sha256),
                                         "rows": (None, result.rows), "organisation": (None, organisation),
                                         "as_at": (None, as_at)})
        uow.commit()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@in_one_state
def export_staff(database: Database, organisation_code: str, out: Path, on: date | None = None) -> ExportResult:
    """One row per person employed by the organisation, with both reporting lines as they stand on the day."""
    on = on or date.today()
    with database.session() as session:
        organisation = _organisation(session, organisation_code)
        manager = lead_on("managerial", on)
        professional = lead_on("professional", on)
        team = aliased(Team)
        rows = [
            (r.employee_number, r.full_name, r.job_title, r.profession, r.grade, r.wte_hundredths, r.team,
             r.start_date, r.leave_date, r.seconded, r.manager, r.manager_org,
             bool(r.manager_org) and r.manager_org != organisation.code, r.lead, r.lead_org)
            for r in session.execute(
                select(Person.employee_number, Person.full_name, Person.job_title, Person.profession, Person.grade,
                       Person.wte_hundredths, team.name.label("team"), Person.start_date, Person.leave_date,
                       Person.seconded, manager.c.name.label("manager"), manager.c.org.label("manager_org"),
                       professional.c.name.label("lead"), professional.c.org.label("lead_org"))
                .outerjoin(team, team.id == Person.team_id)
                .outerjoin(manager, manager.c.person_id == Person.id)
                .outerjoin(professional, professional.c.person_id == Person.id)
                .where(Person.employer_id == organisation.id)
                .order_by(Person.full_name, Person.employee_number))
        ]
        as_at = f"{on:%d %B %Y}"
        workbook = ExportWorkbook(_cover(database, session, "Staff and reporting lines", organisation, as_at, (
            "Everyone employed by this organisation who is recorded in the joint service, with the managerial and "
            "professional line each has on the as-at date. Lines can cross the organisational boundary.",)))
    workbook.add_table("Staff", STAFF_COLUMNS, rows, table_name="Staff",
                       description=f"{len(rows)} people employed by {organisation.code}")
    path = workbook.save(out)
    result = ExportResult(path, len(rows), _digest(path))
    _record(database, "export_staff", result, organisation.code, as_at)
    return result



# --- People and lines -------------------------------------------------------------------------------------------

PEOPLE_COLUMNS = (
    ExportColumn("Employee number", Kind.CODE),
    ExportColumn("Name"),
    ExportColumn("Job title"),
    ExportColumn("Profession"),
    ExportColumn("Grade"),
    ExportColumn("Team"),
    ExportColumn("Start date", Kind.DATE),
    ExportColumn("Seconded", Kind.BOOL),
    ExportColumn("Line manager"),
    ExportColumn("Line manager's organisation", Kind.CODE),
    ExportColumn("Managed across organisations", Kind.BOOL),
    ExportColumn("Line manager since", Kind.DATE),
    ExportColumn("Professional lead"),
    ExportColumn("Professional lead's organisation", Kind.CODE),
    ExportColumn("Professional lead across organisations", Kind.BOOL),
    ExportColumn("Professional lead since", Kind.DATE),
    ExportColumn("Supervisor in the HR extract"),
    ExportColumn("Findings", wrap=True, width=60),
)
PEOPLE_FINDING_COLUMNS = (
    ExportColumn("Employee number", Kind.CODE),
    ExportColumn("Name"),
    ExportColumn("Severity"),
    ExportColumn("Finding", wrap=True, width=60),
)
_SEVERITY_WORDS = {Severity.ERROR: "Error", Severity.WARNING: "Warning", Severity.INFORMATION: "Information"}


def _line_values(line: LineRow | None) -> tuple[object, ...]:
    if line is None:
        return None, None, None, None
    return line.lead_name, line.lead_employer or None, line.cross_organisation, line.effective_from


def _people_checklist(employees: Sequence[EmployeeLines]) -> tuple[tuple[str, bool], ...]:
    codes = {finding.code for employee in employees for finding in employee.findings}
    return (
        ("Everyone in post has a line manager", "no-manager" not in codes),
        ("Every registered professional has a professional line", "no-professional-line" not in codes),
        ("Every professional lead is of the same profession", "lead-other-profession" not in codes),
        ("No line is to someone who has left", not codes & {"lead-left", "lead-not-started"}),
        ("No manager is over the span of control", "span-of-control" not in codes),
        ("The HR extract agrees with the line managers recorded here", "hr-supervisor-differs" not in codes),
    )


def people_rows(employees: Sequence[EmployeeLines]) -> list[tuple[object, ...]]:
    """One row of `PEOPLE_COLUMNS` per employee: both lines, and the findings that are more than information."""
    return [
        (e.employee_number or None, e.name, e.job_title, e.profession, e.grade, e.team or None, e.start_date,
         e.seconded, *_line_values(e.manager), *_line_values(e.professional), e.hr_supervisor or None,
         "\n".join(f.message for f in e.findings if f.severity.needs_action) or None)
        for e in employees]


@in_one_state
def export_people(database: Database, organisation_code: str, out: Path, *, as_at: date | None = None,
                  generated_on: datetime | None = None) -> ExportResult:
    """"People and lines" for one employing organisation: one row per employee in post on the as-at date (default
    today) with their line manager and professional lead, each lead's organisation and since when, and the findings
    about them; then every finding on a sheet of its own. `ExportResult.rows` is the number of employees."""
    on = as_at or date.today()
    with database.session() as session:
        organisation = _organisation(session, organisation_code)
        span = span_of_control(session)
    employees = employees_and_lines(database, organisation.code, on)
    rows = people_rows(employees)
    finding_rows = [(e.employee_number or None, e.name, _SEVERITY_WORDS[f.severity], f.message)
                    for e in employees for f in e.findings]
    as_at_label = f"{on:%d %B %Y}"
    with database.session() as session:
        cover = _cover(database, session, "People and lines", organisation, as_at_label, (
            f"Everyone employed by {organisation.code} and in post on {as_at_label}, with the line manager and "
            "professional lead each has that day, and since when.",
            "Lines can cross the organisational boundary: a lead employed elsewhere is marked, as information.",
            f"Findings: a missing line, a lead of another profession or not in post, a manager with more than "
            f"{span} reports, or an HR extract naming another supervisor.",
        ), checklist=_people_checklist(employees), generated_on=generated_on)
    with ExportWorkbook(cover) as workbook:
        workbook.add_table("People and lines", PEOPLE_COLUMNS, rows, table_name="PeopleAndLines",
                           description=f"{len(rows)} people employed by {organisation.code}, as at {as_at_label}")
        workbook.add_table("Findings", PEOPLE_FINDING_COLUMNS, finding_rows, table_name="Findings",
                           description="Each finding about these people, information included")
        path = workbook.save(out)
    result = ExportResult(path, len(rows), _digest(path))
    _record(database, "export_people", result, organisation.code, as_at_label)
    return result

# --- The monthly budget monitoring workbook ---------------------------------------------------------------------

_FIGURE_COLUMNS = (
    ExportColumn("Annual budget", Kind.MONEY_FINANCE),
    ExportColumn("Budget to date", Kind.MONEY_FINANCE),
    ExportColumn("Actual to date", Kind.MONEY_FINANCE),
    ExportColumn("Year-to-date variance", Kind.MONEY_FINANCE),
    ExportColumn("Year-to-date variance %", Kind.PERCENT),
    ExportColumn("Year-to-date RAG", Kind.RAG),
    ExportColumn("Forecast remaining", Kind.MONEY_FINANCE),
    ExportColumn("Forecast outturn", Kind.MONEY_FINANCE),
    ExportColumn("Full-year variance", Kind.MONEY_FINANCE),
    ExportColumn("Full-year variance %", Kind.PERCENT),
    ExportColumn("Full-year RAG", Kind.RAG),
)
SUMMARY_COLUMNS = (ExportColumn("Lines"), ExportColumn("Number of lines", Kind.INTEGER), *_FIGURE_COLUMNS)
VARIANCE_COLUMNS = (
    ExportColumn("Code", Kind.CODE),
    ExportColumn("Line"),
    ExportColumn("Category"),
    ExportColumn("Responsible partner", Kind.CODE),
    ExportColumn("Share profile"),
    ExportColumn("Ledger codes", Kind.INTEGER),
    *_FIGURE_COLUMNS,
)
MEASURES = ("Budget", "Actual", "Forecast", "Outturn")
RISK_SHARE_COLUMNS = (
    ExportColumn("Code", Kind.CODE),
    ExportColumn("Who bears it"),
    ExportColumn("Contribution", Kind.MONEY_FINANCE),
    ExportColumn("Share of contributions", Kind.PERCENT),
    ExportColumn("Share of the forecast variance", Kind.MONEY_FINANCE),
)
VIREMENT_COLUMNS = (
    ExportColumn("Approved on", Kind.DATE),
    ExportColumn("From period", Kind.CODE),
    ExportColumn("From code", Kind.CODE),
    ExportColumn("From line"),
    ExportColumn("To code", Kind.CODE),
    ExportColumn("To line"),
    ExportColumn("Amount", Kind.MONEY_FINANCE),
    ExportColumn("Recurrent", Kind.BOOL),
    ExportColumn("Reason", wrap=True),
    ExportColumn("Approved by"),
    ExportColumn("Board approval"),
    ExportColumn("Above delegated limit", Kind.BOOL),
)
UNMAPPED_COLUMNS = (
    ExportColumn("Organisation", Kind.CODE),
    ExportColumn("Period", Kind.CODE),
    ExportColumn("Posting date", Kind.DATE),
    ExportColumn("Cost centre", Kind.CODE),
    ExportColumn("Subjective", Kind.CODE),
    ExportColumn("Description"),
    ExportColumn("Amount", Kind.MONEY_FINANCE),
    ExportColumn("Transaction ref", Kind.CODE),
    ExportColumn("Source file"),
    ExportColumn("Source sheet"),
    ExportColumn("Source row", Kind.INTEGER),
    ExportColumn("Transaction id", Kind.INTEGER),
)


# Once the year is final (M12 closed) its outturn is the actual one: the headers say so rather than "forecast".
FINAL_HEADERS = {"Forecast outturn": "Actual outturn", "Share of the forecast variance": "Share of the variance"}


def as_final(columns: Sequence[ExportColumn], final: bool) -> tuple[ExportColumn, ...]:
    """The columns as a workbook heads them: a `final` year's outturn and variance are actual, not forecast."""
    return tuple(replace(column, header=FINAL_HEADERS.get(column.header, column.header)) if final else column
                 for column in columns)


SETTLEMENT_COLUMNS = (
    ExportColumn("Code", Kind.CODE),
    ExportColumn("Partner"),
    ExportColumn("Contribution due", Kind.MONEY_FINANCE),
    ExportColumn("Paid", Kind.MONEY_FINANCE),
    ExportColumn("Not yet due", Kind.MONEY_FINANCE),
    ExportColumn("Share of the variance", Kind.MONEY_FINANCE),
    ExportColumn("Balance", Kind.MONEY_FINANCE),
    ExportColumn("Settlement", wrap=True, width=50),
)
# How the settlement sheet adds up, for its description.
SETTLEMENT_BALANCE = ("Each row adds up across: the balance is the contribution due, less what is paid and what is "
                      "not yet due, plus the share of the variance; positive, the partner pays the host, negative, "
                      "the host pays it. The host settles within its own accounts.")


def year_end_settlement(database: Database, position: PoolPosition, today: date | None = None
                        ) -> YearEndReconciliation | None:
    """The year settled between the partners (`year_end_reconciliation`) for a workbook as at M12 whose figures are
    the settlement's (M12 closed: final, or provisional while an earlier month is open again); None as at an earlier
    month, whose outturn is a forecast the Risk share sheets already give."""
    if position.as_at is None or position.as_at.number != MONTHS:
        return None
    result = year_end_reconciliation(database, position.agreement_id, position.year, today=today)
    return result if result.as_at == position.as_at else None


def settlement_rows(result: YearEndReconciliation) -> list[tuple[object, ...]]:
    """Each partner's line of the settlement, as the Budgets page's Year end view shows it, then what falls to no
    partner (the risk reserve, the pool, the board), each in the share and balance columns it adds to."""
    reconciliation = result.reconciliation
    rows: list[tuple[object, ...]] = [
        (p.code, f"{p.name} (host)" if p.is_host else p.name, p.due_pence, p.paid_pence, p.not_yet_due_pence,
         p.share_pence, p.balance_pence, p.words) for p in reconciliation.partners]
    if reconciliation.reserve_used_pence:
        rows.append((None, "Risk reserve", None, None, None, reconciliation.reserve_used_pence,
                     reconciliation.reserve_used_pence, "Overspend met from the risk reserve: no partner pays it"))
    if reconciliation.carried_forward_pence:
        rows.append((None, "Retained in the pool", None, None, None, -reconciliation.carried_forward_pence,
                     -reconciliation.carried_forward_pence, "Underspend carried forward in the pool: paid to no one"))
    if reconciliation.unallocated_pence:
        rows.append((None, "Unallocated: refer to the board", None, None, None, reconciliation.unallocated_pence,
                     reconciliation.unallocated_pence, "No partner pays it until the board decides who bears it"))
    return rows


def settlement_total(result: YearEndReconciliation) -> tuple[object, ...]:
    """The foot of `settlement_rows`: every column's total. The shares add up to the variance, and the balances to
    the contributions counted unpaid plus the variance (the reconciliation's identity)."""
    reconciliation = result.reconciliation
    counted_unpaid = (reconciliation.total_due_pence - reconciliation.total_paid_pence
                      - reconciliation.total_not_yet_due_pence)
    return (None, "Total", reconciliation.total_due_pence, reconciliation.total_paid_pence,
            reconciliation.total_not_yet_due_pence, reconciliation.total_variance_pence,
            counted_unpaid + reconciliation.total_variance_pence, None)


def settlement_description(result: YearEndReconciliation) -> str:
    return f"{result.status} {result.settlement_words} {SETTLEMENT_BALANCE}"


def _fraction(basis_points: int | None) -> float | None:
    return None if basis_points is None else basis_points / 10_000


def figure_values(figures: LineFigures) -> tuple[object, ...]:
    return (figures.annual_budget_pence, figures.budget_to_date, figures.actual_to_date, figures.ytd_variance,
            _fraction(figures.ytd_variance_basis_points), figures.ytd_rag(), figures.forecast_remaining,
            figures.forecast_outturn, figures.full_year_variance,
            _fraction(figures.full_year_variance_basis_points), figures.full_year_rag())


def summary_rows(position: PoolPosition, partner_codes: Sequence[str]) -> list[tuple[object, ...]]:
    """Each partner's lines, then the joint lines (if any): each group added up month by month. `summary_total` is
    the pool's row, their total."""
    groups = [(f"Lines led by {code}", [p for p in position.lines if p.responsible_code == code], True)
              for code in partner_codes]
    groups.append(("Joint lines", [p for p in position.lines if not p.responsible_code], False))
    groups.append(("Lines led by others", [p for p in position.lines
                                           if p.responsible_code and p.responsible_code not in partner_codes], False))
    rows = []
    for label, lines, always in groups:
        if lines:
            rows.append((label, len(lines), *figure_values(total_figures(p.figures for p in lines))))
        elif always:  # a partner leading no line is worth seeing, not leaving out
            rows.append((label, 0, *([None] * len(_FIGURE_COLUMNS))))
    return rows


def summary_total(position: PoolPosition) -> tuple[object, ...]:
    return ("All lines (the pool)", len(position.lines), *figure_values(position.pool))


def variance_rows(position: PoolPosition) -> list[tuple[object, ...]]:
    """Each line of the pool and its figures (VARIANCE_COLUMNS); `variance_total` is the whole pool's row."""
    return [(p.code, p.name, p.category, p.responsible_code, p.share_profile, p.mappings, *figure_values(p.figures))
            for p in position.lines]


def variance_total(position: PoolPosition) -> tuple[object, ...]:
    """The whole pool's row under the lines: its figures are the lines' added month by month (total_figures), so
    each equals its column's sum to the penny, and a finance reader need not add the columns up."""
    return ("Total", "Whole pool", None, None, None, None, *figure_values(position.pool))


def _measure_rows(code: str, name: str, figures: LineFigures) -> list[tuple[object, ...]]:
    """Four rows: the profiled budget, the actuals to date, the forecast after, and the two together."""
    to_date = figures.as_at
    actual = [(a or 0) if n < to_date else None for n, a in enumerate(figures.actuals)]
    forecast = [None] * to_date + list(figures.forecast)
    return [(code, name, measure, *months, year) for measure, months, year in zip(MEASURES, (
        list(figures.budget_profile), actual, forecast, list(figures.outturn_by_month)), (
        figures.annual_budget_pence, figures.actual_to_date, figures.forecast_remaining, figures.forecast_outturn),
        strict=True)]


def risk_share_rows(position: PoolPosition, partners: Sequence[tuple[str, str]]) -> list[tuple[object, ...]]:
    """Who bears the forecast variance: each partner, then the risk reserve, the pool (underspend carried forward)
    and the board (overspend unallocated) where any falls there. `risk_share_total` is their total."""
    result = position.risk_share
    total_contributions = sum(position.contributions_by_partner.get(code, 0) for code, _ in partners)
    rows: list[tuple[object, ...]] = []
    for code, name in partners:
        contribution = position.contributions_by_partner.get(code, 0)
        rows.append((code, name, contribution,
                     contribution / total_contributions if total_contributions else None,
                     result.share_by_partner.get(code, 0)))
    if result.reserve_used_pence:
        rows.append((None, "Risk reserve", None, None, result.reserve_used_pence))
    if result.retained_in_pool_pence:
        rows.append((None, "Retained in the pool and carried forward", None, None, result.retained_in_pool_pence))
    if result.unallocated_pence:
        rows.append((None, "Unallocated: refer to the board", None, None, result.unallocated_pence))
    return rows


def risk_share_total(position: PoolPosition, partners: Sequence[tuple[str, str]]) -> tuple[object, ...]:
    """The foot of `risk_share_rows`: every column's total. The shares add up to the pool's forecast full-year
    variance to the penny (the risk share places all of it), so one row, labelled by what it is, holds both."""
    total_contributions = sum(position.contributions_by_partner.get(code, 0) for code, _ in partners)
    return (None, "Total", total_contributions or None, 1.0 if total_contributions else None,
            position.risk_share.total_variance_pence)


# How a step of the risk share balances, for the sheet that lists them: read across, as a finance reader adds it up.
RISK_SHARE_STEPS_BALANCE = ("Each step balances across: the variance in is what goes to each partner, the risk "
                            "reserve, the pool and the board, and what is left for the next step. Overspend met "
                            "by underspends, last, moves nothing: the variance is already net of it.")


def risk_share_step_columns(partner_codes: Sequence[str]) -> tuple[ExportColumn, ...]:
    """The steps' columns: those that add up across from "Variance in", then the memo that moves nothing."""
    return (
        ExportColumn("Step", Kind.INTEGER),
        ExportColumn("What happens"),
        ExportColumn("Explanation", wrap=True),
        ExportColumn("Variance in", Kind.MONEY_FINANCE),
        *(ExportColumn(f"To {code}", Kind.MONEY_FINANCE) for code in partner_codes),
        ExportColumn("Risk reserve", Kind.MONEY_FINANCE),
        ExportColumn("Retained in the pool", Kind.MONEY_FINANCE),
        ExportColumn("Unallocated", Kind.MONEY_FINANCE),
        ExportColumn("Left for the next step", Kind.MONEY_FINANCE),
        ExportColumn("Overspend met by underspends (moves nothing)", Kind.MONEY_FINANCE),
    )


def risk_share_step_rows(position: PoolPosition, partner_codes: Sequence[str]) -> list[tuple[object, ...]]:
    return [(number, step.title, step.explanation, step.variance_in_pence,
             *(step.amounts_by_partner.get(code, 0) for code in partner_codes), step.reserve_pence,
             step.retained_pence, step.unallocated_pence, step.balance_pence, step.absorbed_pence)
            for number, step in enumerate(position.risk_share.steps, start=1)]


def budget_as_at_label(position: PoolPosition) -> str:
    if position.as_at is None:
        return f"Before M1 {position.year.label}: no period closed yet"
    return f"{position.as_at.label} {position.year.label} ({position.as_at.month_name})"


def budget_headline(position: PoolPosition, organisation: Organisation, final: bool) -> tuple[str, str]:
    """Two short lines for the cover's notes, each read at a glance: the pool's outlook (its outturn once `final`),
    and this partner's part."""
    variance = position.pool.full_year_variance
    rag = position.pool.full_year_rag().value
    year = position.year.label
    if final and variance:
        pool = (f"The pool {'overspent' if variance > 0 else 'underspent'} by {format_money(abs(variance))} in "
                f"{year} ({rag}): the actual outturn, M12 closed.")
    elif final:
        pool = f"The pool spent exactly its budget in {year} ({rag}): the actual outturn, M12 closed."
    elif variance:
        pool = (f"The pool is forecast to {'overspend' if variance > 0 else 'underspend'} by "
                f"{format_money(abs(variance))} this year ({rag}).")
    else:
        pool = f"The pool is forecast to spend exactly its budget this year ({rag})."
    share = position.risk_share.share_by_partner.get(organisation.code, 0)
    part = f"Under the risk share, {share_words(position.risk_share, organisation.code, format_money(abs(share)))}."
    return pool, part


@in_one_state
def export_budget(database: Database, organisation_code: str, out: Path, *, as_at: int | None = None,
                  year: FinancialYear | None = None, agreement_id: int | None = None,
                  generated_on: datetime | None = None) -> ExportResult:
    """The pooled budget's monthly monitoring workbook for one partner, as at a period (default: the last closed).

    A period not yet closed may be chosen if it has actuals (budget_report.check_report_month refuses one past the
    last closed or with actuals, whose figures would take nil actuals for it): the figures use whatever actuals are
    loaded for it, and the checklist on the cover says it is not closed. `ExportResult.rows` is the number of budget
    lines.
    """
    if as_at is not None and not 1 <= as_at <= MONTHS:
        raise JointleadError(f"M{as_at} is not a period: periods run from M1 (April) to M12 (March).",
                             "Choose a period from M1 to M12, for example M7.")
    with database.session() as session:
        organisation = _organisation(session, organisation_code)
    year = report_year(database, agreement_id, year, as_at)
    position = pool_position(database, agreement_id, year=year, as_at=as_at)
    check_report_month(database, position.agreement_id, position.year, as_at)
    with database.session() as session:
        partners = session.execute(
            select(Organisation.code, Organisation.name)
            .join(AgreementPartner, AgreementPartner.organisation_id == Organisation.id)
            .where(AgreementPartner.agreement_id == position.agreement_id)
            .order_by(AgreementPartner.position)).all()
        partners = [(code, name) for code, name in partners]
    codes = [code for code, _ in partners]
    if organisation.code not in codes:
        raise JointleadError(f"{organisation.name} ({organisation.code}) is not a partner to "
                             f"{position.title}.", f"Choose one of its partners: {', '.join(codes)}.")
    virements = virement_log(database, position.agreement_id, position.year, leaving_out=position.left_out or ())
    unmapped = unmapped_rows(database, position.agreement_id, position.year)
    checklist = budget_checklist(database, position.agreement_id, position.year,
                                 position.as_at.number if position.as_at else 0)
    as_at_label = budget_as_at_label(position)
    settlement = year_end_settlement(database, position)
    final = settlement is not None and settlement.final
    with database.session() as session:
        cover = _cover(database, session, "Budget monitoring", organisation, as_at_label, (
            f"{position.title} (host: {position.host_code}).",
            *budget_headline(position, organisation, final),
            "Every line of the pool: its actual outturn for the year, every month closed." if final else
            "Every line of the pool: actuals to date, then a forecast at the run rate (or by the line's budget "
            "profile, where chosen) or the manager's own.",
            "Money is in pounds. A positive variance is an overspend.",
            "RAG: green within 1% of budget, amber within 3%, red beyond.",
        ), checklist=tuple((item.wording, item.ok) for item in checklist), generated_on=generated_on)

    months = [position.year.period(n) for n in range(1, MONTHS + 1)]
    month_columns = (ExportColumn("Code", Kind.CODE), ExportColumn("Line"), ExportColumn("Measure"),
                     *(ExportColumn(f"{p.label} {p.month_name}", Kind.MONEY_FINANCE) for p in months),
                     ExportColumn("Year", Kind.MONEY_FINANCE))
    net_unmapped = sum(row.amount_pence for row in unmapped)
    share = position.risk_share.share_by_partner.get(organisation.code, 0)
    with ExportWorkbook(cover) as workbook:
        workbook.add_table("Summary", as_final(SUMMARY_COLUMNS, final), summary_rows(position, codes),
                           table_name="Summary", totals=[summary_total(position)],
                           description=f"Each partner's lines and the whole pool, {as_at_label}")
        workbook.add_table("Variance", as_final(VARIANCE_COLUMNS, final), variance_rows(position),
                           table_name="Variance", totals=[variance_total(position)],
                           description="Each line's year-to-date and full-year variance, with its RAG, and the "
                                       "whole pool's")
        workbook.add_table("Lines by month", month_columns,
                           [row for p in position.lines for row in _measure_rows(p.code, p.name, p.figures)],
                           table_name="LinesByMonth", totals=_measure_rows("Total", "Whole pool", position.pool),
                           description="Each line's budget, actual, forecast and outturn, month by month, and the "
                                       "whole pool's")
        workbook.add_table("Risk share", as_final(RISK_SHARE_COLUMNS, final), risk_share_rows(position, partners),
                           table_name="RiskShare", totals=[risk_share_total(position, partners)],
                           description=f"Who bears the {'' if final else 'forecast '}variance "
                                       f"({organisation.code}: {format_money(share)})")
        workbook.add_table("Risk share steps", risk_share_step_columns(codes),
                           risk_share_step_rows(position, codes), table_name="RiskShareSteps",
                           description=f"The risk share step by step. {RISK_SHARE_STEPS_BALANCE}")
        if settlement is not None:
            workbook.add_table("Year-end settlement", SETTLEMENT_COLUMNS, settlement_rows(settlement),
                               table_name="YearEndSettlement", totals=[settlement_total(settlement)],
                               description=settlement_description(settlement))
        workbook.add_table("Virements", VIREMENT_COLUMNS, [
            (v.approval_date, f"M{v.from_period}", v.from_code, v.from_name, v.to_code, v.to_name, v.amount_pence,
             v.recurrent, v.reason, v.approved_by, v.board_approval, v.above_delegated_limit)
            for v in virements], table_name="Virements", description=f"Budget moved between lines in {position.year}")
        workbook.add_table("Unmapped rows", UNMAPPED_COLUMNS, [
            (r.organisation_code, f"M{r.period}", r.posting_date, r.cost_centre, r.subjective, r.description,
             r.amount_pence, r.transaction_ref, r.source_file, r.source_sheet, r.source_row, r.transaction_id)
            for r in unmapped], table_name="UnmappedRows",
            description=f"Ledger rows that match no line ({format_money(net_unmapped)} net)")
        path = workbook.save(out)
    result = ExportResult(path, len(position.lines), _digest(path))
    _record(database, "export_budget", result, organisation.code, as_at_label)
    return result


REJECTED_COLUMNS = (ExportColumn("Where"), ExportColumn("Problems"))


def write_rejected_rows(database: Database, preview: ImportPreview, out: Path) -> Path:
    """The rows an import left out and why, with the row as the file held it, to send back for correcting."""
    rejected = preview.rejected
    width = max([len(preview.headers), *(len(r.cells) for r in rejected)])
    titles = [preview.headers[i] if i < len(preview.headers) and preview.headers[i] else f"Column {i + 1}"
              for i in range(width)]
    columns = REJECTED_COLUMNS + tuple(ExportColumn(title) for title in _distinct(
        [column.header for column in REJECTED_COLUMNS], titles))
    with database.session() as session:
        organisation = session.scalar(select(Organisation).where(Organisation.code == preview.organisation))
        workbook = ExportWorkbook(_cover(database, session, "Rows not imported", organisation,
                                         f"{datetime.now():%d %B %Y}", (
                                             f"From {preview.path.name}. Each row is shown as the file held it, "
                                             "with the reason it was not imported.",)))
    # Rows refused after reading (a closed period, a repeated id) carry no cells; pad every row to the width.
    rows = [(r.reference, " ".join(r.problems), *(_as_text(c) for c in r.cells), *([None] * (width - len(r.cells))))
            for r in rejected]
    workbook.add_table("Rejected rows", columns, rows, table_name="Rejected")
    return workbook.save(out)


def _distinct(taken: list[str], titles: list[str]) -> list[str]:
    """The titles, each made its own as a table needs ("Notes", "Notes (2)"): extracts repeat headers, and may use
    the rejected-rows sheet's own ("Where")."""
    seen = {title.casefold() for title in taken}
    distinct = []
    for title in titles:
        unique, number = title, 1
        while unique.casefold() in seen:
            number += 1
            unique = f"{title} ({number})"
        seen.add(unique.casefold())
        distinct.append(unique)
    return distinct


def _as_text(value: object) -> str | None:
    """A cell as the file held it: a whole number read as a float (every number cell is) shown without '.0', so an
    employee number or a period sent back and imported again is the same."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)
