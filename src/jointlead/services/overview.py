"""Read side: the frozen rows every page shows, built with SQL aggregation, never loops over ORM objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from jointlead.domain.actions import ActionStatus, Rag, default_rag
from jointlead.domain.calendar import FinancialYear, Period
from jointlead.store.database import Database
from jointlead.store.models import (
    IN_FORCE,
    Action,
    Agreement,
    BudgetLine,
    Contribution,
    LedgerTransaction,
    LineMonth,
    LineYear,
    Meeting,
    Organisation,
    PeriodClose,
    Person,
    ReportingLine,
    Setting,
    SupervisionArrangement,
    SupervisionSession,
    Team,
)

DEFAULT_SERVICE_NAME = "Your integrated service"
OPEN_STATUSES = (ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value)


@dataclass(frozen=True)
class OrganisationRow:
    id: int
    code: str
    name: str
    kind: str
    colour: str
    staff: int  # active team members employed here


@dataclass(frozen=True)
class PoolFigures:
    """A pool's headline numbers as at its last closed period (or the whole year when none is closed)."""

    agreement_id: int
    title: str
    host_code: str
    year: FinancialYear
    as_at: Period | None
    contributions_pence: int
    annual_budget_pence: int
    budget_to_date_pence: int
    actual_to_date_pence: int
    unmapped_rows: int
    unmapped_pence: int

    @property
    def variance_to_date_pence(self) -> int:
        """Positive is an overspend, as DOMAIN.md defines variance."""
        return self.actual_to_date_pence - self.budget_to_date_pence


@dataclass(frozen=True)
class ContributionRow:
    partner_code: str
    funding_stream: str
    amount_pence: int
    recurrent: bool
    schedule: str


@dataclass(frozen=True)
class PersonRow:
    id: int
    name: str
    employer_code: str
    employee_number: str
    team: str
    job_title: str
    profession: str
    grade: str
    wte_hundredths: int | None
    seconded: bool
    active: bool
    line_manager: str
    line_manager_org: str
    professional_lead: str
    professional_lead_org: str

    @property
    def managed_across_boundary(self) -> bool:
        return bool(self.line_manager_org) and self.line_manager_org != self.employer_code


@dataclass(frozen=True)
class ArrangementRow:
    id: int
    supervisee: str
    supervisee_org: str
    supervision_type: str
    supervisor: str
    supervisor_org: str
    start_date: date
    interval_days: int | None
    last_held: date | None
    days_since_last: int | None  # as at the day asked for


@dataclass(frozen=True)
class ActionRow:
    id: int
    reference: str
    title: str
    owner: str
    owner_org: str
    meeting: str
    due: date
    original_due: date
    status: str
    priority: str
    rag: Rag


@dataclass(frozen=True)
class Overview:
    """Everything the dashboard shows, as at one day."""

    service_name: str
    today: date
    organisations: tuple[OrganisationRow, ...]
    teams: int
    staff: int
    pools: tuple[PoolFigures, ...]
    arrangements: int
    staff_without_arrangement: int
    sessions_held_last_90_days: int
    open_actions: int
    overdue_actions: int
    actions_due_in_14_days: int


def _service_name(session: Session) -> str:
    value = session.scalar(select(Setting.value).where(Setting.key == "service_name"))
    return value or DEFAULT_SERVICE_NAME


def _active_on(day: date):
    return and_(or_(Person.start_date.is_(None), Person.start_date <= day),
                or_(Person.leave_date.is_(None), Person.leave_date >= day))


def _organisations(session: Session, today: date) -> tuple[OrganisationRow, ...]:
    staff = (select(Person.employer_id, func.count().label("n"))
             .where(Person.team_id.is_not(None), _active_on(today))
             .group_by(Person.employer_id).subquery())
    rows = session.execute(
        select(Organisation.id, Organisation.code, Organisation.name, Organisation.kind, Organisation.colour,
               func.coalesce(staff.c.n, 0))
        .outerjoin(staff, staff.c.employer_id == Organisation.id)
        .order_by(Organisation.code))
    return tuple(OrganisationRow(*row) for row in rows)


def last_closed_period(session: Session, agreement_id: int) -> Period | None:
    """The period a board report is "as at": the latest one closed and not since unlocked."""
    row = session.execute(
        select(PeriodClose.year, PeriodClose.period)
        .where(PeriodClose.agreement_id == agreement_id, PeriodClose.unlocked_on.is_(None))
        .order_by(PeriodClose.year.desc(), PeriodClose.period.desc()).limit(1)).first()
    return Period(FinancialYear(row.year), row.period) if row else None


def _pool_year(session: Session, agreement: Agreement, today: date) -> tuple[FinancialYear, Period | None]:
    as_at = last_closed_period(session, agreement.id)
    if as_at is not None:
        return as_at.year, as_at
    current = FinancialYear.containing(today)
    last = agreement.last_year if agreement.last_year is not None else current.start_year
    return FinancialYear(min(max(current.start_year, agreement.first_year), last)), None


def _pool_figures(session: Session, agreement: Agreement, today: date) -> PoolFigures:
    year, as_at = _pool_year(session, agreement, today)
    to_period = as_at.number if as_at else 0
    lines = select(BudgetLine.id).where(BudgetLine.agreement_id == agreement.id)
    contributions = session.scalar(
        select(func.coalesce(func.sum(Contribution.amount_pence), 0))
        .where(Contribution.agreement_id == agreement.id, Contribution.year == year.start_year))
    annual = session.scalar(
        select(func.coalesce(func.sum(LineYear.annual_budget_pence), 0))
        .where(LineYear.budget_line_id.in_(lines), LineYear.year == year.start_year))
    budget_to_date = session.scalar(
        select(func.coalesce(func.sum(LineMonth.budget_pence), 0))
        .where(LineMonth.budget_line_id.in_(lines), LineMonth.year == year.start_year,
               LineMonth.period <= to_period))
    actual = session.execute(
        select(func.coalesce(func.sum(case((LedgerTransaction.budget_line_id.is_not(None),
                                            LedgerTransaction.amount_pence), else_=0)), 0),
               func.count(LedgerTransaction.id).filter(LedgerTransaction.budget_line_id.is_(None)),
               func.coalesce(func.sum(case((LedgerTransaction.budget_line_id.is_(None),
                                            LedgerTransaction.amount_pence), else_=0)), 0))
        .where(IN_FORCE, LedgerTransaction.agreement_id == agreement.id, LedgerTransaction.year == year.start_year,
               LedgerTransaction.period <= to_period)).one()
    host = session.get(Organisation, agreement.host_id)
    return PoolFigures(agreement.id, agreement.title, host.code if host else "", year, as_at,
                       contributions, annual, budget_to_date, actual[0], actual[1], actual[2])


def pools(database: Database, today: date) -> tuple[PoolFigures, ...]:
    with database.session() as session:
        agreements = session.scalars(select(Agreement).order_by(Agreement.id)).all()
        return tuple(_pool_figures(session, a, today) for a in agreements)


def overview(database: Database, today: date) -> Overview:
    with database.session() as session:
        organisations = _organisations(session, today)
        agreements = session.scalars(select(Agreement).order_by(Agreement.id)).all()
        pool_rows = tuple(_pool_figures(session, a, today) for a in agreements)
        in_scope = select(Person.id).where(Person.team_id.is_not(None), _active_on(today))
        live_arrangement = and_(SupervisionArrangement.start_date <= today,
                                or_(SupervisionArrangement.end_date.is_(None),
                                    SupervisionArrangement.end_date >= today))
        arrangements = session.scalar(
            select(func.count()).select_from(SupervisionArrangement)
            .where(live_arrangement, SupervisionArrangement.supervisee_id.in_(in_scope)))
        without = session.scalar(
            select(func.count()).select_from(Person)
            .where(Person.team_id.is_not(None), _active_on(today),
                   ~Person.id.in_(select(SupervisionArrangement.supervisee_id).where(live_arrangement))))
        held = session.scalar(
            select(func.count()).select_from(SupervisionSession)
            .where(SupervisionSession.status == "held",
                   SupervisionSession.session_date > date.fromordinal(today.toordinal() - 90),
                   SupervisionSession.session_date <= today))
        due = func.coalesce(Action.revised_due_date, Action.original_due_date)
        open_count, overdue, due_soon = session.execute(
            select(func.count(),
                   func.count().filter(due < today),
                   func.count().filter(due >= today, due <= date.fromordinal(today.toordinal() + 14)))
            .where(Action.status.in_(OPEN_STATUSES))).one()
        return Overview(
            service_name=_service_name(session), today=today, organisations=organisations,
            teams=session.scalar(select(func.count()).select_from(Team)),
            staff=sum(o.staff for o in organisations), pools=pool_rows, arrangements=arrangements,
            staff_without_arrangement=without, sessions_held_last_90_days=held,
            open_actions=open_count, overdue_actions=overdue, actions_due_in_14_days=due_soon)


def contributions(database: Database, agreement_id: int, year: int) -> tuple[ContributionRow, ...]:
    with database.session() as session:
        rows = session.execute(
            select(Organisation.code, Contribution.funding_stream, Contribution.amount_pence,
                   Contribution.recurrent, Contribution.schedule)
            .join(Organisation, Organisation.id == Contribution.organisation_id)
            .where(Contribution.agreement_id == agreement_id, Contribution.year == year)
            .order_by(Organisation.code, Contribution.funding_stream))
        return tuple(ContributionRow(*row) for row in rows)


def lead_on(kind: str, day: date):
    """Each person's lead of one kind in force on a day: (person_id, lead name, lead's employer code)."""
    lead = aliased(Person)
    lead_org = aliased(Organisation)
    return (select(ReportingLine.person_id, lead.full_name.label("name"), lead_org.code.label("org"))
            .join(lead, lead.id == ReportingLine.lead_id)
            .outerjoin(lead_org, lead_org.id == lead.employer_id)
            .where(ReportingLine.kind == kind, ReportingLine.effective_from <= day,
                   or_(ReportingLine.effective_to.is_(None), ReportingLine.effective_to >= day))
            .subquery())


def people(database: Database, day: date) -> tuple[PersonRow, ...]:
    """Everyone recorded, team members first, with both lines as they stood on the day."""
    with database.session() as session:
        manager = lead_on("managerial", day)
        professional = lead_on("professional", day)
        employer = aliased(Organisation)
        active = case((_active_on(day), True), else_=False)
        rows = session.execute(
            select(Person.id, Person.full_name, func.coalesce(employer.code, ""),
                   func.coalesce(Person.employee_number, ""), func.coalesce(Team.name, ""), Person.job_title,
                   Person.profession, Person.grade, Person.wte_hundredths, Person.seconded, active,
                   func.coalesce(manager.c.name, ""), func.coalesce(manager.c.org, ""),
                   func.coalesce(professional.c.name, ""), func.coalesce(professional.c.org, ""))
            .outerjoin(employer, employer.id == Person.employer_id)
            .outerjoin(Team, Team.id == Person.team_id)
            .outerjoin(manager, manager.c.person_id == Person.id)
            .outerjoin(professional, professional.c.person_id == Person.id)
            .order_by(Person.team_id.is_(None), Person.full_name, Person.id))
        return tuple(PersonRow(*row) for row in rows)


def arrangements(database: Database, day: date) -> tuple[ArrangementRow, ...]:
    """Arrangements in force on the day, with the last session held under each."""
    with database.session() as session:
        supervisee = aliased(Person)
        supervisor = aliased(Person)
        supervisee_org = aliased(Organisation)
        supervisor_org = aliased(Organisation)
        last_held = (select(SupervisionSession.supervisee_id, SupervisionSession.supervision_type,
                            func.max(SupervisionSession.session_date).label("last"))
                     .where(SupervisionSession.status == "held", SupervisionSession.session_date <= day)
                     .group_by(SupervisionSession.supervisee_id, SupervisionSession.supervision_type).subquery())
        rows = session.execute(
            select(SupervisionArrangement.id, supervisee.full_name, func.coalesce(supervisee_org.code, ""),
                   SupervisionArrangement.supervision_type, func.coalesce(supervisor.full_name, ""),
                   func.coalesce(supervisor_org.code, ""), SupervisionArrangement.start_date,
                   SupervisionArrangement.interval_days, last_held.c.last)
            .join(supervisee, supervisee.id == SupervisionArrangement.supervisee_id)
            .outerjoin(supervisee_org, supervisee_org.id == supervisee.employer_id)
            .outerjoin(supervisor, supervisor.id == SupervisionArrangement.supervisor_id)
            .outerjoin(supervisor_org, supervisor_org.id == supervisor.employer_id)
            .outerjoin(last_held, and_(last_held.c.supervisee_id == SupervisionArrangement.supervisee_id,
                                       last_held.c.supervision_type == SupervisionArrangement.supervision_type))
            .where(SupervisionArrangement.start_date <= day,
                   or_(SupervisionArrangement.end_date.is_(None), SupervisionArrangement.end_date >= day))
            .order_by(supervisee.full_name, SupervisionArrangement.supervision_type))
        return tuple(ArrangementRow(*row, days_since_last=(day - row[-1]).days if row[-1] else None)
                     for row in rows)


def actions(database: Database, today: date) -> tuple[ActionRow, ...]:
    with database.session() as session:
        owner = aliased(Person)
        owner_org = aliased(Organisation)
        due = func.coalesce(Action.revised_due_date, Action.original_due_date)
        rows = session.execute(
            select(Action.id, Action.reference, Action.title, func.coalesce(owner.full_name, ""),
                   func.coalesce(owner_org.code, ""), func.coalesce(Meeting.name, ""), due,
                   Action.original_due_date, Action.status, Action.priority, Action.rag_override)
            .outerjoin(owner, owner.id == Action.owner_id)
            .outerjoin(owner_org, owner_org.id == Action.owner_organisation_id)
            .outerjoin(Meeting, Meeting.id == Action.meeting_id)
            .order_by(Action.reference))
        return tuple(
            ActionRow(*row[:10], rag=Rag(row[10]) if row[10] else default_rag(ActionStatus(row[8]), row[6], today))
            for row in rows)
