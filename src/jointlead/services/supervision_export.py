"""The "Supervision compliance" workbook for one employing organisation: the figures the Supervision page shows.

Dates, types, supervisors and statuses only: jointlead holds no session content, and this workbook leaves out even
session lengths and confirmations, so nothing about what was discussed can be read into it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from jointlead.domain.rag import Rag
from jointlead.domain.supervision import Status, Tally
from jointlead.exchange.writing import ExportColumn, ExportWorkbook, Kind
from jointlead.services.exports import ExportResult, _cover, _digest, _organisation, _record, in_one_state
from jointlead.services.supervision import ComplianceReport, ComplianceRow, compliance
from jointlead.store.database import Database

TALLY_COLUMNS = (
    ExportColumn("In scope", Kind.INTEGER),
    ExportColumn("In date", Kind.INTEGER),
    ExportColumn("Due soon", Kind.INTEGER),
    ExportColumn("Overdue", Kind.INTEGER),
    ExportColumn("Never held", Kind.INTEGER),
    ExportColumn("Compliance %", Kind.PERCENT),
    ExportColumn("Meets target", Kind.BOOL),
    ExportColumn("Not in place", Kind.INTEGER),
    ExportColumn("Paused", Kind.INTEGER),
)
SUMMARY_COLUMNS = (ExportColumn("Arrangements"), *TALLY_COLUMNS)
TEAM_COLUMNS = (ExportColumn("Team"), *TALLY_COLUMNS)
PROFESSION_COLUMNS = (ExportColumn("Profession"), *TALLY_COLUMNS)
TREND_COLUMNS = (ExportColumn("Month"), ExportColumn("As at", Kind.DATE), *TALLY_COLUMNS)
PEOPLE_COLUMNS = (
    ExportColumn("Employee number", Kind.CODE),
    ExportColumn("Name"),
    ExportColumn("Team"),
    ExportColumn("Profession"),
    ExportColumn("Type"),
    ExportColumn("Supervisor"),
    ExportColumn("Supervisor's organisation", Kind.CODE),
    ExportColumn("Last held", Kind.DATE),
    ExportColumn("Next due", Kind.DATE),
    ExportColumn("Status"),
    ExportColumn("RAG", Kind.RAG),
    ExportColumn("Since", Kind.DATE),
    ExportColumn("Interval (days)", Kind.INTEGER),
    ExportColumn("Agreement signed", Kind.DATE),
    ExportColumn("Lead on the reporting line"),  # for one not in place: who would naturally supervise
)
_RAG = {Status.IN_DATE: Rag.GREEN, Status.DUE_SOON: Rag.AMBER, Status.OVERDUE: Rag.RED,
        Status.NEVER_HELD: Rag.RED, Status.NOT_IN_PLACE: Rag.RED, Status.PAUSED: Rag.GREY}


def shown_fraction(figures: Tally) -> float | None:
    """The compliance % the app shows (`Tally.percent_text`), as a fraction for a `0.0%` cell. The true fraction
    there would be rounded by Excel, up to the target it does not meet: 379 of 399 (94.99%) read "95.0%" beside
    "Meets target: No", where the app shows 94.9%. The counts beside it keep the exact figure."""
    if not figures.in_scope:
        return None
    return float(Decimal(figures.percent_text.removesuffix("%")) / 100)


def tally_values(figures: Tally, target_percent: int) -> tuple[object, ...]:
    return (figures.in_scope, figures.in_date, figures.due_soon, figures.overdue, figures.never_held,
            shown_fraction(figures), figures.meets(target_percent), figures.not_in_place, figures.paused)


def person_values(row: ComplianceRow) -> tuple[object, ...]:
    return (row.employee_number or None, row.supervisee, row.team or None, row.profession or None,
            row.supervision_type.capitalize(), row.supervisor or None, row.supervisor_org or None,
            row.last_held, row.next_due, row.status.value.capitalize(), _RAG[row.status], row.since,
            row.interval_days, row.agreement_signed, row.line_lead or None)


def compliance_headline(report: ComplianceReport) -> str:
    overall = report.overall
    if not overall.in_scope:
        return "No supervision arrangements are in scope on this day."
    return (f"{overall.compliant} of {overall.in_scope} arrangements in date ({overall.percent_text}) against a "
            f"target of {report.target_percent}%.")


def _checklist(report: ComplianceReport) -> tuple[tuple[str, bool], ...]:
    rows = report.rows
    counted = [r for r in rows if r.status.in_scope]
    return (
        (f"Compliance meets the target of {report.target_percent}%", bool(report.meets_target)),
        ("Everyone in a team has managerial supervision arranged",
         not any(r.status == Status.NOT_IN_PLACE and r.supervision_type == "managerial" for r in rows)),
        ("Every registered professional has professional supervision arranged",
         not any(r.status == Status.NOT_IN_PLACE and r.supervision_type == "professional" for r in rows)),
        ("Every arrangement has been held at least once", not any(r.status == Status.NEVER_HELD for r in rows)),
        ("Every arrangement names a supervisor", all(r.supervisor_id is not None for r in counted)),
        ("Every supervision agreement is signed", all(r.agreement_signed is not None for r in counted)),
    )


@in_one_state
def export_supervision(database: Database, organisation_code: str, out: Path, *, as_at: date | None = None,
                       generated_on: datetime | None = None) -> ExportResult:
    """Supervision compliance for the people one organisation employs, as at a day (default today): a summary by
    type, breakdowns by team and profession, the monthly trend and a person-level list with last and next dates.
    `ExportResult.rows` is the number of rows in the person-level list."""
    on = as_at or date.today()
    with database.session() as session:
        organisation = _organisation(session, organisation_code)
    report = compliance(database, on, organisation=organisation.code)
    target = report.target_percent
    as_at_label = f"{on:%d %B %Y}"
    with database.session() as session:
        cover = _cover(database, session, "Supervision compliance", organisation, as_at_label, (
            compliance_headline(report),
            f"Everyone {organisation.code} employs: each supervision arrangement in force on {as_at_label}.",
            "In date: held within the required interval; due soon: falls due within 14 days; both count as "
            "compliant.",
            "Never held: nothing held since the arrangement began, one interval ago or more.",
            "Not in place: a type of supervision someone needs with no arrangement; counted beside the %, not in it.",
            "Paused: long-term absence or maternity leave; out of scope until they return.",
            "Compliance % is to a tenth, as the app shows it, never rounded up to a whole percent it does not reach "
            "(94.96% is 94.9%); the counts beside it give the exact figure.",
            "Only dates, types and supervisors are recorded: never what was discussed.",
        ), checklist=_checklist(report), generated_on=generated_on)
    summary = [("All arrangements", *tally_values(report.overall, target)),
               *((t.group.capitalize(), *tally_values(t, target)) for t in report.by_type)]
    people = list(report.rows)
    with ExportWorkbook(cover) as workbook:
        workbook.add_table("Summary", SUMMARY_COLUMNS, summary, table_name="Summary",
                           description=f"All arrangements and each type, against the target of {target}%")
        workbook.add_table("By team", TEAM_COLUMNS, [(t.group, *tally_values(t, target)) for t in report.by_team],
                           table_name="ByTeam", description="Compliance in each team")
        workbook.add_table("By profession", PROFESSION_COLUMNS,
                           [(t.group, *tally_values(t, target)) for t in report.by_profession],
                           table_name="ByProfession", description="Compliance in each profession")
        workbook.add_table("Trend", TREND_COLUMNS,
                           [(m.label, m.as_at, *tally_values(m.tally, target)) for m in report.trend],
                           table_name="Trend", description="As it stood at the end of each month")
        workbook.add_table("People", PEOPLE_COLUMNS, (person_values(r) for r in people), table_name="People",
                           description=f"Each arrangement, and each one missing, on {as_at_label}")
        path = workbook.save(out)
    result = ExportResult(path, len(people), _digest(path))
    _record(database, "export_supervision", result, organisation.code, as_at_label)
    return result
