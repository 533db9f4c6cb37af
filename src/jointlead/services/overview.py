"""Read side: the frozen rows every page shows, built with SQL aggregation, never loops over ORM objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from jointlead.domain.actions import ActionStatus
from jointlead.domain.budget import MONTHS
from jointlead.domain.calendar import FinancialYear, Period
from jointlead.store.database import Database
from jointlead.store.models import (
    IN_FORCE,
    Agreement,
    BudgetLine,
    Contribution,
    LedgerTransaction,
    LineMonth,
    LineYear,
    Organisation,
    PeriodClose,
    Person,
    ReportingLine,
    Setting,
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


def closed_months(session: Session, agreement_id: int, start_year: int) -> frozenset[int]:
    """The months of a year closed and not since unlocked (a month closed again after an unlock has a new row)."""
    return frozenset(session.scalars(select(PeriodClose.period).where(
        PeriodClose.agreement_id == agreement_id, PeriodClose.year == start_year, PeriodClose.unlocked_on.is_(None))))


def latest_actuals(session: Session, agreement_id: int, start_year: int) -> int:
    """The last month of a year with any ledger row in force (0: none yet)."""
    return session.scalar(select(func.max(LedgerTransaction.period)).where(
        IN_FORCE, LedgerTransaction.agreement_id == agreement_id, LedgerTransaction.year == start_year)) or 0


def last_closed_period(session: Session, agreement_id: int, year: FinancialYear | None = None) -> Period | None:
    """The period a board report is "as at": the latest one closed and not since unlocked (in `year`, if given)."""
    query = (select(PeriodClose.year, PeriodClose.period)
             .where(PeriodClose.agreement_id == agreement_id, PeriodClose.unlocked_on.is_(None))
             .order_by(PeriodClose.year.desc(), PeriodClose.period.desc()).limit(1))
    if year is not None:
        query = query.where(PeriodClose.year == year.start_year)
    row = session.execute(query).first()
    return Period(FinancialYear(row.year), row.period) if row else None


def _has_budgets(session: Session, agreement_id: int, year: int) -> bool:
    return session.scalar(select(LineYear.id).join(BudgetLine, BudgetLine.id == LineYear.budget_line_id)
                          .where(BudgetLine.agreement_id == agreement_id, LineYear.year == year).limit(1)) is not None


def pool_year(session: Session, agreement: Agreement, today: date) -> tuple[FinancialYear, Period | None]:
    """The year a pool is in, and the period its figures are as at (None before a month of it has closed).

    The year of the last closed month, until that is M12 and the next year has budgets: the pool has then moved
    on, with nothing closed in it yet. With nothing ever closed, the year containing today, within the agreement's.
    """
    as_at = last_closed_period(session, agreement.id)
    if as_at is not None:
        following = as_at.year.start_year + 1
        if as_at.number == MONTHS and _has_budgets(session, agreement.id, following):
            return FinancialYear(following), None
        return as_at.year, as_at
    current = FinancialYear.containing(today)
    last = agreement.last_year if agreement.last_year is not None else current.start_year
    return FinancialYear(min(max(current.start_year, agreement.first_year), last)), None


def pool_years(database: Database, agreement_id: int) -> tuple[FinancialYear, ...]:
    """Every year a pool has anything in: budgets, contributions or a closed month, earliest first."""
    with database.session() as session:
        years = set(session.scalars(select(LineYear.year).join(BudgetLine, BudgetLine.id == LineYear.budget_line_id)
                                    .where(BudgetLine.agreement_id == agreement_id)))
        years |= set(session.scalars(select(Contribution.year).where(Contribution.agreement_id == agreement_id)))
        years |= set(session.scalars(select(PeriodClose.year).where(PeriodClose.agreement_id == agreement_id)))
    return tuple(FinancialYear(year) for year in sorted(years))


def _pool_figures(session: Session, agreement: Agreement, today: date, year: FinancialYear | None = None
                  ) -> PoolFigures:
    """A pool's headline figures in the year it is in, or in `year` as at that year's last closed month."""
    if year is None:
        year, as_at = pool_year(session, agreement, today)
    else:
        as_at = last_closed_period(session, agreement.id, year)
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
    actual = session.scalar(
        select(func.coalesce(func.sum(LedgerTransaction.amount_pence), 0))
        .where(IN_FORCE, LedgerTransaction.agreement_id == agreement.id, LedgerTransaction.year == year.start_year,
               LedgerTransaction.period <= to_period, LedgerTransaction.budget_line_id.is_not(None)))
    host = session.get(Organisation, agreement.host_id)
    return PoolFigures(agreement.id, agreement.title, host.code if host else "", year, as_at,
                       contributions, annual, budget_to_date, actual)


def pools(database: Database, today: date, year: FinancialYear | None = None) -> tuple[PoolFigures, ...]:
    """Each pool's headline figures in the year it is in (`pool_year`), or in `year`."""
    with database.session() as session:
        agreements = session.scalars(select(Agreement).order_by(Agreement.id)).all()
        return tuple(_pool_figures(session, a, today, year) for a in agreements)


def first_pool_year(database: Database, today: date) -> tuple[FinancialYear, Period | None] | None:
    """The year the first pooled budget is in and the period it is as at (`pool_year`), without working out its
    figures; None when no pooled budget is recorded."""
    with database.session() as session:
        agreement = session.scalar(select(Agreement).order_by(Agreement.id).limit(1))
        return None if agreement is None else pool_year(session, agreement, today)


def organisations(database: Database, today: date) -> tuple[OrganisationRow, ...]:
    """The parent organisations by code, each with the team members in post it employs on the day."""
    with database.session() as session:
        return _organisations(session, today)


def service_name(database: Database) -> str:
    with database.session() as session:
        return _service_name(session)


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
