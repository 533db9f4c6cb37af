"""Read side of the pooled budget: each line's year as at a period, the pool's totals and its risk-share position."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from jointlead.domain.budget import (
    MONTHS,
    ForecastMethod,
    ForecastOverride,
    LineFigures,
    build_forecast,
    even_profile,
    month_begun,
    total_figures,
)
from jointlead.domain.calendar import FinancialYear, Period
from jointlead.domain.errors import JointleadError, ValidationError
from jointlead.domain.risk_share import (
    Basis,
    LineVariance,
    Partner,
    RiskShareResult,
    RiskShareRules,
    ShareProfile,
    UnderspendRule,
    share_risk,
)
from jointlead.services.overview import last_closed_period, pool_year
from jointlead.store.database import Database
from jointlead.store.models import (
    IN_FORCE,
    Agreement,
    AgreementPartner,
    AuditEntry,
    BudgetLine,
    Contribution,
    LedgerMapping,
    LedgerTransaction,
    LineMonth,
    LineYear,
    Organisation,
    PeriodClose,
    Virement,
)

# How agreements have written their rules; the stored words are the manager's, the engine's are its own.
BASES = {"pro rata": Basis.PRO_RATA, **{b.value: b for b in Basis}}
UNDERSPEND_RULES = {r.value: r for r in UnderspendRule}
NO_COMMENT = "set by hand (no reason recorded)"


class LineFiguresProblem(ValidationError):
    """A line whose figures cannot be worked out (its months do not add up to its annual budget), saying which, so a
    screen can offer the repair (`budget_month.complete_profile`)."""

    def __init__(self, message: str, advice: str, *, line_id: int, line_code: str, year: int) -> None:
        super().__init__(message, advice)
        self.line_id, self.line_code, self.year = line_id, line_code, year


@dataclass(frozen=True)
class LinePosition:
    id: int
    code: str
    name: str
    category: str
    responsible_code: str | None
    share_profile: str
    mappings: int  # ledger codes that feed the line: none means no actual can ever reach it
    figures: LineFigures
    # The versions a dialog or the months grid filled from this was shown (a change from an older one is refused):
    # the line's, and each month's of the year (M1 first; None where the month has no row). Bookkeeping, not data.
    version: int | None = field(default=None, compare=False)
    month_versions: tuple[int | None, ...] = field(default=(), compare=False)
    forecast_method: str = ForecastMethod.RUN_RATE.value  # how the months after the actuals are forecast


@dataclass(frozen=True)
class PoolPosition:
    """Everything the Budgets page and the partner packs say about a pool, as at one closed period."""

    agreement_id: int
    title: str
    host_code: str
    year: FinancialYear
    as_at: Period | None  # None before any period has actuals agreed
    lines: tuple[LinePosition, ...]
    contributions_by_partner: Mapping[str, int]
    pool: LineFigures
    # Of the forecast full-year variance. None only when asked for without it (`risk_share_optional`) and it cannot be
    # worked out, most often because no contributions are recorded yet: `risk_share_problem` then says why.
    risk_share: RiskShareResult | None
    risk_share_problem: ValidationError | None = field(default=None, compare=False)
    # As at a month before the last closed one, the budgets and forecasts are as they stood when its figures were
    # last reported (its close, or a pack sent after it): the virements made since are left out (`moved_since`). None
    # for today's position, which has every change so far.
    left_out: tuple[int, ...] | None = field(default=None, compare=False)  # the virements left out, by id
    # When they were last reported (None: when the month closed, with no audit entry to say more; `stood_at`).
    stood_at: StoodAt | None = field(default=None, compare=False)

    @property
    def as_it_stood(self) -> bool:
        """The figures as they stood when an earlier month closed: a record to look back on, not to change."""
        return self.left_out is not None


def _agreement(session: Session, agreement_id: int | None) -> Agreement:
    query = select(Agreement).order_by(Agreement.id)
    agreement = session.scalar(query.where(Agreement.id == agreement_id) if agreement_id else query)
    if agreement is None:
        raise JointleadError("No pooled budget is recorded yet.", "Set up the Section 75 agreement first.")
    return agreement


def _months(session: Session, agreement_id: int, year: int) -> dict[int, dict[int, LineMonth]]:
    months: dict[int, dict[int, LineMonth]] = {}
    for month in session.scalars(select(LineMonth).join(BudgetLine, BudgetLine.id == LineMonth.budget_line_id)
                                 .where(BudgetLine.agreement_id == agreement_id, LineMonth.year == year)):
        months.setdefault(month.budget_line_id, {})[month.period] = month
    return months


def _actuals(session: Session, agreement_id: int, year: int) -> dict[int, dict[int, int]]:
    """Actuals by line and period, summed by the database over the covering index."""
    totals: dict[int, dict[int, int]] = {}
    # The covering index (line, year, period, removed_by_batch_id, amount) must serve this alone: at 1,000,000
    # rows anything else is 5-10x slower (bench/budget_queries.py). So the pool is chosen by its lines, not by
    # `agreement_id`, which the index does not hold (imports only give a row a line of its own agreement); and
    # every period is listed, although no other can exist, so that all four leading columns are equalities down
    # to IN_FORCE. Without that, SQLite (which has no ANALYZE statistics here) prefers the index on removed_by_batch_id
    # alone and reads the table for every row.
    pool_lines = select(BudgetLine.id).where(BudgetLine.agreement_id == agreement_id)
    rows = session.execute(
        select(LedgerTransaction.budget_line_id, LedgerTransaction.period, func.sum(LedgerTransaction.amount_pence))
        .where(LedgerTransaction.budget_line_id.in_(pool_lines),
               LedgerTransaction.year == year, LedgerTransaction.period.in_(range(1, MONTHS + 1)), IN_FORCE)
        .group_by(LedgerTransaction.budget_line_id, LedgerTransaction.period))
    for line_id, period, pence in rows:
        totals.setdefault(line_id, {})[period] = pence
    return totals


def _figures(annual: int, months: Mapping[int, LineMonth], actuals: Mapping[int, int], as_at: int,
             method: ForecastMethod = ForecastMethod.RUN_RATE, moved: Moved | None = None) -> LineFigures:
    """`moved`: what has changed in the months since the month as at closed, taken back out (`moved_since`)."""
    moved = moved or Moved()
    if months:
        profile = tuple(months[p].budget_pence - moved.months.get(months[p].id, 0) if p in months else 0
                        for p in range(1, MONTHS + 1))
    else:
        profile = even_profile(annual)  # no months stored: the line's profile kind defaults to even
    to_date = [actuals.get(p, 0) for p in range(1, as_at + 1)]
    overrides = []
    for p, month in months.items():
        forecast = moved.stood(month, "forecast_pence")
        if p > as_at and forecast is not None:
            overrides.append(ForecastOverride(p, forecast, moved.stood(month, "forecast_comment") or NO_COMMENT))
    # The run rate is of the line's own months: a line added after M7 closed has no budget in M1 to M7 (they were
    # before it began) and no actual there, and its average is of M8 on, not of seven nil months as well.
    began = month_begun(profile, [actuals.get(p) for p in range(1, as_at + 1)])
    forecast = build_forecast(method, profile, to_date, overrides, began=began)
    recorded = tuple(actuals.get(p) for p in range(1, MONTHS + 1))
    return LineFigures(annual, profile, recorded, forecast, as_at)


def pool_position(database: Database, agreement_id: int | None = None, *, year: FinancialYear | None = None,
                  as_at: int | None = None, today: date | None = None,
                  risk_share_optional: bool = False) -> PoolPosition:
    """A pool as at a period (default: the last one closed), with each line's forecast and the risk share.

    A risk share that cannot be worked out (the rules share by contributions and none are recorded yet, or the rules
    themselves are incomplete) is refused, as a pack or the year-end settlement cannot do without it; with
    `risk_share_optional`, as on the Budgets page, the position has every other figure, and says why it has no risk
    share instead (`risk_share_problem`).
    """
    with database.session() as session:
        return position_in(session, agreement_id, year=year, as_at=as_at, today=today,
                           risk_share_optional=risk_share_optional)


def _line_positions(session: Session, agreement: Agreement, year: FinancialYear, as_at: int,
                    moved: Moved | None = None) -> tuple[LinePosition, ...]:
    """Each line's figures as at a month, in code order: what the pool is made of, before any risk share; with what
    has changed since the month closed (`Moved`) taken back out."""
    moved = moved or Moved()
    responsible = aliased(Organisation)
    mapped = (select(LedgerMapping.budget_line_id, func.count().label("n"))
              .group_by(LedgerMapping.budget_line_id).subquery())
    lines = session.execute(
        select(BudgetLine, responsible.code, LineYear.id, LineYear.annual_budget_pence, func.coalesce(mapped.c.n, 0))
        .outerjoin(responsible, responsible.id == BudgetLine.responsible_id)
        .outerjoin(mapped, mapped.c.budget_line_id == BudgetLine.id)
        .outerjoin(LineYear, (LineYear.budget_line_id == BudgetLine.id) & (LineYear.year == year.start_year))
        .where(BudgetLine.agreement_id == agreement.id).order_by(BudgetLine.code)).all()
    months = _months(session, agreement.id, year.start_year)
    actuals = _actuals(session, agreement.id, year.start_year)
    positions = []
    for line, code, line_year_id, annual, mappings in lines:
        if line.id in moved.lines_added:
            continue
        line_months = months.get(line.id, {})
        method = moved.stood(line, "forecast_method")
        try:
            figures = _figures((annual or 0) - moved.years.get(line_year_id, 0), line_months,
                               actuals.get(line.id, {}), as_at, ForecastMethod(method), moved)
        except ValidationError as error:  # say which line, so the manager can put it right
            raise LineFiguresProblem(f"Budget line {line.code} ({line.name}): {error.message}", error.advice,
                                     line_id=line.id, line_code=line.code, year=year.start_year) from error
        positions.append(LinePosition(
            line.id, line.code, line.name, line.category, code, line.share_profile, mappings, figures,
            line.version, tuple(line_months[p].version if p in line_months else None
                                for p in range(1, MONTHS + 1)), method))
    return tuple(positions)


@dataclass(frozen=True)
class Moved:
    """What has changed in a pool's budgets and forecasts since a month's figures were last reported (`stood_at`),
    to take back out of its figures as at that month: the virements made since; the pence each virement and each
    budget change since moved into a line's year (by LineYear id) and into a month (by LineMonth id), negative where
    they moved it out; each field of a month or line changed since, as it was then (by table, id and field); the
    lines added since (by BudgetLine id); and when that was."""

    virements: tuple[int, ...] = ()
    years: Mapping[int, int] = field(default_factory=dict)
    months: Mapping[int, int] = field(default_factory=dict)
    was: Mapping[tuple[str, int, str], Any] = field(default_factory=dict)
    lines_added: frozenset[int] = frozenset()
    stood_at: StoodAt | None = None  # since when (None: by the virements' months alone, `moved_since`)

    def stood(self, row: LineMonth | BudgetLine, name: str) -> Any:
        """A field of a month or a line as it stood when the month's figures were last reported."""
        return self.was.get((row.__tablename__, row.id, name), getattr(row, name))


# The fields of a month and a line that a position's figures are worked out from, besides the budgets (which are
# taken back by the pence changed, as a virement's are): the forecast set by hand, and how the rest is forecast.
_STOOD = {LineMonth.__tablename__: ("forecast_pence", "forecast_comment"),
          BudgetLine.__tablename__: ("forecast_method",)}


# The exports that send a month's figures to a partner, by the verb each is recorded under in the audit log
# (`exports._record`), and what a manager calls it.
SENT = {"export_pack": "pack", "export_budget": "budget monitoring workbook"}


@dataclass(frozen=True)
class StoodAt:
    """The point a month's figures are held to once a later month has closed, by its audit entry: the month's close,
    or the last pack (or budget workbook) as at the month sent after it while it was still the last month closed,
    whichever came later (`stood_at`)."""

    entry_id: int
    on: date  # the day, in the laptop's time
    sent: str | None = None  # what was sent ("pack"); None for the month's close itself
    partner: str | None = None  # whom it was sent to (their code)


def _closed_spans(entries: Sequence[tuple[int, Mapping[str, Any]]], unlocked: bool) -> list[tuple[int, float]]:
    """When one month's close was in force, as spans of audit entry ids: from each entry that put it in force (its
    making, or redoing it after an undo or an unlock undone) to the one that unlocked it (or for ever). A close whose
    making is not in the log (the demo's) was in force from before the log began."""
    spans: list[tuple[int, float]] = []
    made_in_log = bool(entries) and "id" in entries[0][1]
    start: int | None = None if made_in_log or (not entries and unlocked) else 0
    for entry_id, changes in entries:
        if "id" in changes or ("unlocked_on" in changes and changes["unlocked_on"][1] is None):
            start = entry_id if start is None else start
        elif "unlocked_on" in changes and start is not None:
            spans.append((start, entry_id))
            start = None
    if start is not None:
        spans.append((start, float("inf")))
    return spans


def stood_at(session: Session, agreement_id: int, year: FinancialYear, as_at: int) -> StoodAt | None:
    """The point a month's figures are held to once a later month has closed: what was last reported for it.

    That is the month's close in force, or, where a pack (or budget monitoring workbook) as at the month was sent to
    a partner after that close and before a later month closed, the last of those: a month-end review made after
    the close (a forecast set, a virement) is in what was sent, and a pack for the month made again must say the
    same. A pack made while a later month was closed was itself a look back, and moves nothing. None where the
    month's close has no audit entry and no such pack was sent (the demo's closes, made once it is built), and as at
    before M1 (`as_at` 0), which no close or pack is.
    """
    if as_at < 1:
        return None
    closes = session.scalars(select(PeriodClose).where(
        PeriodClose.agreement_id == agreement_id, PeriodClose.year == year.start_year,
        PeriodClose.period >= as_at)).all()
    logged: dict[int, list[tuple[int, Mapping[str, Any]]]] = {close.id: [] for close in closes}
    for entry_id, close_id, changes in session.execute(
            select(AuditEntry.id, AuditEntry.entity_id, AuditEntry.changes_json)
            .where(AuditEntry.entity == PeriodClose.__tablename__, AuditEntry.entity_id.in_(logged))
            .order_by(AuditEntry.id)):
        logged[close_id].append((entry_id, json.loads(changes)))
    point = None
    for close in closes:
        if close.period == as_at and close.unlocked_on is None and logged[close.id]:
            point = StoodAt(logged[close.id][-1][0], close.closed_on)
    later = [span for close in closes if close.period > as_at
             for span in _closed_spans(logged[close.id], close.unlocked_on is not None)]
    month = f"{Period(year, as_at).label} {year.label} ("  # how the export's audit entry begins its as-at
    partners = set(session.scalars(select(Organisation.code).join(
        AgreementPartner, AgreementPartner.organisation_id == Organisation.id)
        .where(AgreementPartner.agreement_id == agreement_id)))
    for entry in session.scalars(select(AuditEntry).where(
            AuditEntry.verb.in_(SENT), AuditEntry.entity == "export",
            AuditEntry.id > (point.entry_id if point else 0)).order_by(AuditEntry.id.desc())):
        changes = json.loads(entry.changes_json)
        partner = changes.get("organisation", (None, None))[1]
        if (partner in partners and str(changes.get("as_at", (None, ""))[1]).startswith(month)
                and not any(start <= entry.id < end for start, end in later)):
            return StoodAt(entry.id, entry.at.replace(tzinfo=UTC).astimezone().date(), SENT[entry.verb], partner)
    return point


def moved_since(session: Session, agreement_id: int, year: FinancialYear, as_at: int) -> Moved | None:
    """What has changed in the year's budgets and forecasts since the figures as at month `as_at` were last
    reported (`stood_at`: its close, or a pack for it sent after), once a later month has closed too; None while
    `as_at` is the last month closed (or none is), whose position is today's.

    A month's figures are a record once a later month has closed: as at it, the budgets and forecasts are as they
    were last reported. Every change to a line's months, year or forecast method since then is read back from the
    audit log, and the virements made since are left out: a virement made while the month was closed, which it
    then was unlocked and closed again after, was in the figures the new close agreed, and stays.

    A database whose closes have no audit entry (the demo's, made once it is built), with no pack sent since, has
    only the virements' months to go by: those that took effect after the month (`from_period` > `as_at`; one made
    while the month was reopened starts in it, and counts) are left out, whenever they were made. A virement's
    gesture audits each month and line year it changed just before the virement itself (`budget_month.make_virement`,
    and redoing it after an undo), under one verb; one whose making is not in the log (none should be) cannot be
    taken out, and stays in.
    """
    last = last_closed_period(session, agreement_id, year)
    if last is None or last.number <= as_at:
        return None
    point = stood_at(session, agreement_id, year, as_at)
    if point is None:
        return _moved_by_period(session, agreement_id, year, as_at)
    virements: list[int] = []
    in_force: dict[int, bool] = {}
    for virement_id, entry_id, changes in session.execute(
            select(AuditEntry.entity_id, AuditEntry.id, AuditEntry.changes_json)
            .where(AuditEntry.entity == Virement.__tablename__, AuditEntry.entity_id.in_(
                select(Virement.id).where(Virement.agreement_id == agreement_id,
                                          Virement.year == year.start_year)))
            .order_by(AuditEntry.entity_id, AuditEntry.id)):
        if entry_id <= point.entry_id:  # made (or made again) by then, or undone by then
            in_force[virement_id] = json.loads(changes).get("id", (None, virement_id))[1] is not None
        elif virement_id not in virements and not in_force.get(virement_id, False):
            virements.append(virement_id)
    years: dict[int, int] = {}
    months: dict[int, int] = {}
    was: dict[tuple[str, int, str], Any] = {}
    added: set[int] = set()
    pool_lines = select(BudgetLine.id).where(BudgetLine.agreement_id == agreement_id)
    ours = {LineMonth.__tablename__: select(LineMonth.id).where(LineMonth.budget_line_id.in_(pool_lines),
                                                                LineMonth.year == year.start_year),
            LineYear.__tablename__: select(LineYear.id).where(LineYear.budget_line_id.in_(pool_lines),
                                                              LineYear.year == year.start_year),
            BudgetLine.__tablename__: pool_lines}
    for entity, ids in ours.items():
        for entry in session.scalars(select(AuditEntry).where(AuditEntry.entity == entity,
                                                              AuditEntry.entity_id.in_(ids),
                                                              AuditEntry.id > point.entry_id).order_by(AuditEntry.id)):
            _take_back(entry, years, months, was)
            if entity == BudgetLine.__tablename__ and json.loads(entry.changes_json).get("id", (0,))[0] is None:
                added.add(entry.entity_id)
    return Moved(tuple(sorted(virements)), years, months, was, frozenset(added), point)


def _moved_by_period(session: Session, agreement_id: int, year: FinancialYear, as_at: int) -> Moved:
    """`moved_since` where nothing reported for the month is in the audit log: the virements that took effect after
    it, taken back by the months their gestures changed."""
    virements: list[int] = []
    years: dict[int, int] = {}
    months: dict[int, int] = {}
    for virement_id in session.scalars(select(Virement.id).where(Virement.agreement_id == agreement_id,
                                                                 Virement.year == year.start_year,
                                                                 Virement.from_period > as_at).order_by(Virement.id)):
        made = session.scalar(select(AuditEntry).where(AuditEntry.entity == Virement.__tablename__,
                                                       AuditEntry.entity_id == virement_id)
                              .order_by(AuditEntry.id.desc()).limit(1))
        if made is None:
            continue
        virements.append(virement_id)
        # At most each month of both lines, and both lines' years.
        for entry in session.scalars(select(AuditEntry).where(AuditEntry.id < made.id)
                                     .order_by(AuditEntry.id.desc()).limit(2 * MONTHS + 2)):
            if entry.verb != made.verb or entry.entity not in (LineMonth.__tablename__, LineYear.__tablename__):
                break
            _take_back(entry, years, months, {})
    return Moved(tuple(virements), years, months)


def _take_back(entry: AuditEntry, years: dict[int, int], months: dict[int, int],
               was: dict[tuple[str, int, str], Any]) -> None:
    """Note what one audited change to a month, a line year or a line changed, to take it back out: the pence it
    moved into a budget, and each other field the figures are worked out from as it was before it (the first change
    since a close says how the field stood at the close)."""
    changes = json.loads(entry.changes_json)
    if entry.entity in (LineMonth.__tablename__, LineYear.__tablename__):
        shifts, key = ((months, "budget_pence") if entry.entity == LineMonth.__tablename__
                       else (years, "annual_budget_pence"))
        old, new = changes.get(key, (0, 0))
        shifts[entry.entity_id] = shifts.get(entry.entity_id, 0) + (new or 0) - (old or 0)
    for name in _STOOD.get(entry.entity, ()):
        if name in changes:
            was.setdefault((entry.entity, entry.entity_id, name), changes[name][0])


def position_in(session: Session, agreement_id: int | None = None, *, year: FinancialYear | None = None,
                as_at: int | None = None, today: date | None = None,
                risk_share_optional: bool = False) -> PoolPosition:
    """The pool's position as `session` sees it (within a change, the change's own view); `risk_share_optional` as
    for `pool_position`."""
    agreement = _agreement(session, agreement_id)
    if year is None:
        year, _as_at = pool_year(session, agreement, today or date.today())
    if as_at is None:
        closed = last_closed_period(session, agreement.id, year)
        as_at = closed.number if closed else 0
    moved = moved_since(session, agreement.id, year, as_at)
    positions = _line_positions(session, agreement, year, as_at, moved)
    partners = session.execute(
        select(Organisation.code, Organisation.name, AgreementPartner)
        .join(AgreementPartner, AgreementPartner.organisation_id == Organisation.id)
        .where(AgreementPartner.agreement_id == agreement.id).order_by(AgreementPartner.position)).all()
    contributions = dict(session.execute(
        select(Organisation.code, func.sum(Contribution.amount_pence))
        .join(Organisation, Organisation.id == Contribution.organisation_id)
        .where(Contribution.agreement_id == agreement.id, Contribution.year == year.start_year)
        .group_by(Organisation.code)).all())
    host = session.get(Organisation, agreement.host_id).code
    rules = RiskShareRules(host=host, basis=BASES.get(agreement.risk_basis, Basis.PRO_RATA),
                           use_waterfall=agreement.use_waterfall, risk_reserve_pence=agreement.risk_reserve_pence,
                           underspend_rule=UNDERSPEND_RULES.get(agreement.underspend_rule,
                                                                UnderspendRule.RETURNED_PRO_RATA))
    sharing = [Partner(code, name, contributions.get(code, 0), p.fixed_share_basis_points, p.cap_pence,
                       p.cap_basis_points) for code, name, p in partners]
    variances = [LineVariance(p.code, p.name, p.responsible_code or None,
                              ShareProfile(p.share_profile), p.figures.full_year_variance) for p in positions]
    pool = total_figures(p.figures for p in positions) if positions else _figures(0, {}, {}, as_at)
    # Only who bears the variance waits on the contributions and the rules: the lines' figures stand without them.
    try:
        risk_share, problem = share_risk(sharing, variances, rules), None
    except ValidationError as refused:
        if not risk_share_optional:
            raise
        risk_share, problem = None, refused
    return PoolPosition(agreement.id, agreement.title, host, year, Period(year, as_at) if as_at else None, positions,
                        contributions, pool, risk_share, problem, moved.virements if moved else None,
                        moved.stood_at if moved else None)


def agreed_figures(session: Session, agreement_id: int, year: int, period: int) -> dict[str, Any]:
    """What a month's close keeps as the agreed record: the pool as at the month, line by line.

    Only the lines' figures, never the risk share: a close agrees the month's budget and actuals (DOMAIN.md, "Period
    close"), which do not depend on who bears the variance. The risk share needs the partners' contributions, and a
    pool whose contributions are not yet recorded (or not in full) must still be able to agree its months; its share
    of the variance is worked out whenever the position is shown, on the contributions as they are then.
    """
    fy = FinancialYear(year)
    # Left out only where a later month has closed already: the demo, which closes its months once it is built.
    lines = _line_positions(session, _agreement(session, agreement_id), fy, period,
                            moved_since(session, agreement_id, fy, period))
    return {"as_at": Period(fy, period).label, "lines": {line.code: {
        "budget_to_date": line.figures.budget_to_date, "actual_to_date": line.figures.actual_to_date,
        "forecast_outturn": line.figures.forecast_outturn} for line in lines}}
