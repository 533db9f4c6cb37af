"""Exports: fresh, formula-safe workbooks for the parent organisations, each one recorded in the audit log."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import aliased

from jointlead.domain.errors import JointleadError
from jointlead.exchange.writing import Cover, ExportColumn, ExportWorkbook, Kind
from jointlead.services.imports import ImportPreview
from jointlead.services.overview import DEFAULT_SERVICE_NAME, lead_on
from jointlead.store.database import Database
from jointlead.store.models import Organisation, Person, Setting, Team
from jointlead.store.uow import UnitOfWork, os_user


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
           notes: tuple[str, ...] = ()) -> Cover:
    service = session.scalar(select(Setting.value).where(Setting.key == "service_name")) or DEFAULT_SERVICE_NAME
    return Cover(title=title, organisation=f"{organisation.name} ({organisation.code})", as_at=as_at,
                 generated_by=os_user(), generated_on=datetime.now().astimezone().replace(microsecond=0),
                 source_database=database.path.name, service=service, notes=notes)


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


def export_staff(database: Database, organisation_code: str, out: Path, on: date | None = None) -> ExportResult:
    """One row per person employed by the organisation, with both reporting lines as they stand on the day."""
    on = on or date.today()
    with database.session() as session:
        organisation = session.scalar(select(Organisation).where(Organisation.code == organisation_code.upper()))
        if organisation is None:
            raise JointleadError(f"There is no organisation with the code '{organisation_code}'.",
                                 "Use the code shown on the dashboard, for example NFT.")
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


REJECTED_COLUMNS = (ExportColumn("Where"), ExportColumn("Problems"))


def write_rejected_rows(database: Database, preview: ImportPreview, out: Path) -> Path:
    """The rows an import left out and why, with the row as the file held it, to send back for correcting."""
    rejected = preview.rejected
    width = max([len(preview.headers), *(len(r.cells) for r in rejected)])
    titles = [preview.headers[i] if i < len(preview.headers) and preview.headers[i] else f"Column {i + 1}"
              for i in range(width)]
    columns = REJECTED_COLUMNS + tuple(ExportColumn(title) for title in titles)
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


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)
