"""The pooled budget through the month: budgets and forecasts, actuals by hand, unmapped rows, virements, close.

Every function is one user gesture: one transaction, every row audited, and an `Edit` back for Edit > Undo.
Nothing here changes a closed period: its figures were agreed at month end.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jointlead.domain import budget as rules
from jointlead.domain.budget import MONTHS, check_period_open, check_virement, spread_virement
from jointlead.domain.calendar import FinancialYear, Period, check_happened
from jointlead.domain.errors import JointleadError, ValidationError
from jointlead.domain.ledger import LedgerCodeMapping, match_budget_line
from jointlead.domain.money import format_exact, split_largest_remainder
from jointlead.domain.words import listed
from jointlead.services.budget_report import partners_without_ledger, year_before_open
from jointlead.services.budget_setup import (
    ASSIGN_BY_CODES,
    ASSIGN_LEDGER_ROWS,
    MAKE_VIREMENT,
    agreement_of,
    closed_periods,
    every_month_closed,
    follow_underspend_carried,
    open_from,
)
from jointlead.services.budgets import agreed_figures
from jointlead.services.edits import Edit, Recorder
from jointlead.services.overview import closed_months, latest_actuals
from jointlead.store.database import Database
from jointlead.store.models import (
    IN_FORCE,
    Agreement,
    AgreementPartner,
    BudgetLine,
    LedgerMapping,
    LedgerTransaction,
    LineMonth,
    LineYear,
    Organisation,
    PeriodClose,
    Virement,
)
from jointlead.store.uow import UnitOfWork, os_user

HAND_ENTERED = "entered by hand"


@dataclass(frozen=True)
class BudgetYear:
    """What the Budgets page needs to know about a pool's year before it shows any figure."""

    agreement_id: int
    year: FinancialYear
    partners: tuple[tuple[str, str], ...]  # (code, name), in the agreement's order
    closed: frozenset[int]  # the months closed and not since unlocked
    latest_actuals: int  # the last month with any ledger row in force (0: none yet)
    delegated_limit_pence: int
    # Whether the next year has budgets already (started): a recurrent virement is then made in it too (`_carry_on`).
    next_year_started: bool = False

    @property
    def first_open(self) -> int:
        """The month to close next: the first not closed (13 when the whole year is closed). After an earlier month
        is unlocked while later ones stay closed, it is that month, to be closed again once corrected."""
        return next((n for n in range(1, MONTHS + 1) if n not in self.closed), MONTHS + 1)

    @property
    def open_from(self) -> int:
        """The first of the open months that run to M12: the month after the last closed (13 when M12 is closed).
        Budget moved across months (a virement, a re-profile) lands only there, so no closed month's changes."""
        return max(self.closed, default=0) + 1

    @property
    def last_reportable(self) -> int:
        """The last month the figures can be as at (`domain.budget.last_reportable_month`)."""
        return rules.last_reportable_month(self.closed, self.latest_actuals)


def budget_year(database: Database, agreement_id: int | None, year: FinancialYear) -> BudgetYear:
    with database.session() as session:
        agreement = agreement_of(session, agreement_id)
        partners = tuple((code, name) for code, name in session.execute(
            select(Organisation.code, Organisation.name)
            .join(AgreementPartner, AgreementPartner.organisation_id == Organisation.id)
            .where(AgreementPartner.agreement_id == agreement.id).order_by(AgreementPartner.position)))
        started = session.scalar(select(LineYear.id).join(BudgetLine, BudgetLine.id == LineYear.budget_line_id)
                                 .where(BudgetLine.agreement_id == agreement.id,
                                        LineYear.year == year.start_year + 1).limit(1)) is not None
        return BudgetYear(agreement.id, year, partners, closed_months(session, agreement.id, year.start_year),
                          latest_actuals(session, agreement.id, year.start_year), agreement.delegated_limit_pence,
                          started)


def _line(session: Session, line_id: int) -> BudgetLine:
    line = session.get(BudgetLine, line_id)
    if line is None:
        raise JointleadError("That budget line is no longer recorded.")
    return line


def _month(session: Session, line: BudgetLine, year: int, period: int) -> LineMonth:
    month = session.scalar(select(LineMonth).where(LineMonth.budget_line_id == line.id, LineMonth.year == year,
                                                   LineMonth.period == period))
    if month is None:
        raise JointleadError(f"Line {line.code} has no budget for {FinancialYear(year).label}.",
                             "Set the line's annual budget first.")
    return month


def _period(year: int, period: int) -> Period:
    """The month `period` of `year`, refused in words where there is none (M0, M13: a typing slip in a caller)."""
    if not 1 <= period <= MONTHS:
        raise ValidationError(f"There is no M{period}: the months are M1 (April) to M12 (March).",
                              "Choose a month from M1 to M12.")
    return Period(FinancialYear(year), period)


def _open(session: Session, agreement_id: int, year: int, period: int) -> Period:
    target = _period(year, period)
    check_period_open(target, closed_periods(session, agreement_id))
    return target


def set_month_budget(database: Database, line_id: int, year: int, period: int, budget_pence: int, *,
                     seen_version: int | None = None) -> Edit:
    """Change one month's budget; the line's annual budget moves with it and its profile becomes custom.

    `seen_version` here and in `set_forecast`: the month's version the user was shown
    (`LinePosition.month_versions`); if it has changed since, someone else changed the month first and this is
    refused.
    """
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "set month budget")
        line = _line(uow.session, line_id)
        _open(uow.session, line.agreement_id, year, period)
        month = _month(uow.session, line, year, period)
        record.check_seen(month, seen_version)
        line_year = uow.session.scalar(select(LineYear).where(LineYear.budget_line_id == line.id,
                                                              LineYear.year == year))
        difference = budget_pence - month.budget_pence
        if not difference:
            raise ValidationError("Nothing was changed.")
        record.update(month, budget_pence=budget_pence)
        record.update(line_year, annual_budget_pence=line_year.annual_budget_pence + difference, profile="custom")
        return record.commit(f"set {line.code} M{period} budget to {format_exact(budget_pence)}")


PROFILES = ("even", "last year's actuals")


def reprofile_line(database: Database, line_id: int, year: int, profile: str) -> Edit:
    """Spread what is left of a line's budget over its open months again: evenly, or like last year's actuals.

    Closed months keep the budget they were closed with; the annual budget does not change.
    """
    if profile not in PROFILES:
        raise ValidationError(f"'{profile}' is not a profile jointlead can spread a budget by.",
                              f"Choose one of: {', '.join(PROFILES)}.")
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "reprofile line")
        session = uow.session
        line = _line(session, line_id)
        start = open_from(session, line.agreement_id, year)
        if start > MONTHS:
            raise every_month_closed(year, "nothing can move")
        months = [_month(session, line, year, p) for p in range(start, MONTHS + 1)]
        remaining = sum(m.budget_pence for m in months)
        even = split_largest_remainder(remaining, [1] * len(months))
        if profile == "even":
            parts = even
        else:
            last_year = session.execute(
                select(LedgerTransaction.period, func.sum(LedgerTransaction.amount_pence))
                .where(IN_FORCE, LedgerTransaction.budget_line_id == line.id, LedgerTransaction.year == year - 1)
                .group_by(LedgerTransaction.period)).all()
            if not last_year:
                raise ValidationError(f"Line {line.code} has no actuals for {FinancialYear(year - 1).label} to "
                                      "copy.", "Spread it evenly instead.")
            by_month = dict(last_year)
            # The domain's rule for last year's shape (credits count as nil; no shape means even), on the open months.
            spread = rules.profile_from_last_year(remaining, [by_month.get(p, 0) if p >= start else 0
                                                              for p in range(1, MONTHS + 1)])
            # The spread is signed as the budget is (an income line's months are credits). With no shape to copy
            # it is even over all twelve months, closed ones included, so the open months are spread evenly here.
            shaped = list(spread[start - 1:])
            parts = shaped if sum(shaped) == remaining else even
        for month, pence in zip(months, parts, strict=True):
            record.update(month, budget_pence=pence)
        line_year = session.scalar(select(LineYear).where(LineYear.budget_line_id == line.id, LineYear.year == year))
        record.update(line_year, profile="custom" if start > 1 else profile)
        if not record.changed:
            raise ValidationError("Nothing was changed: the months are already spread that way.")
        return record.commit(f"re-profile {line.code} from M{start} ({profile})")


def complete_profile(database: Database, line_id: int, year: int) -> Edit:
    """Give a line's months what they lack of its annual budget (or take back what they hold beyond it), evenly over
    its open months, making any month that has no budget yet: the repair for months that no longer add up to the
    annual budget (an older version let the annual budget change alone). Closed months keep their budget."""
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "complete profile")
        session = uow.session
        line = _line(session, line_id)
        label = FinancialYear(year).label
        line_year = session.scalar(select(LineYear).where(LineYear.budget_line_id == line.id, LineYear.year == year))
        if line_year is None:
            raise JointleadError(f"Line {line.code} has no budget for {label}.", "Set the line's annual budget first.")
        months = {m.period: m for m in session.scalars(
            select(LineMonth).where(LineMonth.budget_line_id == line.id, LineMonth.year == year))}
        short = line_year.annual_budget_pence - sum(m.budget_pence for m in months.values())
        if short == 0:
            raise ValidationError(f"Line {line.code}'s months already add up to its budget for {label}.")
        start = open_from(session, line.agreement_id, year)
        if start > MONTHS:
            raise ValidationError(f"Every month of {label} is closed, so no month can take the difference.",
                                  "Change the line's annual budget to what its months hold instead.")
        periods = range(start, MONTHS + 1)
        income = line_year.annual_budget_pence < 0  # its months are credits: they must stay at or below nothing
        for period, pence in zip(periods, split_largest_remainder(short, [1] * len(periods)), strict=True):
            month = months.get(period)
            if month is None:
                record.create(LineMonth(budget_line_id=line.id, year=year, period=period, budget_pence=pence))
            elif (month.budget_pence + pence > 0) if income else (month.budget_pence + pence < 0):
                taking = (f"Taking {format_exact(short)} of income" if income
                          else f"Taking {format_exact(-short)}")
                raise ValidationError(f"{taking} from the open months of line {line.code} would leave M{period} "
                                      f"{'as spending' if income else 'below nothing'}.",
                                      "Change the line's annual budget, or its months one by one, instead.")
            else:
                record.update(month, budget_pence=month.budget_pence + pence)
        record.update(line_year, profile="custom")
        return record.commit(f"complete {line.code}'s months for {label}")


def set_forecast(database: Database, line_id: int, year: int, period: int, forecast_pence: int | None,
                 comment: str = "", *, seen_version: int | None = None) -> Edit:
    """Set one month's forecast by hand, with the reason; None goes back to the calculated forecast."""
    if forecast_pence is not None and not comment.strip():
        raise ValidationError(f"A forecast set by hand for M{period} needs a comment saying why.")
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "set forecast")
        line = _line(uow.session, line_id)
        _open(uow.session, line.agreement_id, year, period)
        month = _month(uow.session, line, year, period)
        if not record.update(month, seen_version=seen_version, forecast_pence=forecast_pence,
                             forecast_comment=comment.strip() if forecast_pence is not None else ""):
            raise ValidationError("Nothing was changed.")
        what = format_exact(forecast_pence) if forecast_pence is not None else "the calculated forecast"
        return record.commit(f"set {line.code} M{period} forecast to {what}")


def month_actual(session: Session, line_id: int, year: int, period: int) -> int:
    return session.scalar(select(func.coalesce(func.sum(LedgerTransaction.amount_pence), 0)).where(
        IN_FORCE, LedgerTransaction.budget_line_id == line_id, LedgerTransaction.year == year,
        LedgerTransaction.period == period))


def _ledger_of(session: Session, agreement: Agreement, partner: str | None) -> int:
    """The organisation whose ledger a posting entered by hand goes on: the host's, or the partner's named. Only a
    partner's: the pool's actuals come from its partners' ledgers, and an organisation outside the pool has none."""
    if not partner or not partner.strip():
        return agreement.host_id
    code = partner.strip().upper()
    partners = dict(session.execute(
        select(Organisation.code, Organisation.id)
        .join(AgreementPartner, AgreementPartner.organisation_id == Organisation.id)
        .where(AgreementPartner.agreement_id == agreement.id).order_by(AgreementPartner.position)).all())
    if code in partners:
        return partners[code]
    known = session.scalar(select(Organisation.id).where(Organisation.code == code))
    what = (f"{code} is not a partner in {agreement.title}" if known is not None
            else f"There is no organisation with the code {code}")
    raise ValidationError(f"{what}, so an actual cannot be entered on its ledger for the pool.",
                          f"Name one of the pool's partners ({', '.join(partners)}), or none for the host's ledger.")


def adjust_actual(database: Database, line_id: int, year: int, period: int, actual_pence: int, reason: str,
                  partner: str | None = None) -> Edit:
    """Bring a month's actual to `actual_pence` with one adjusting posting entered by hand (on the host's ledger
    unless another partner is named). The ledger rows themselves are never edited; re-importing an extract leaves
    hand-entered postings alone."""
    if not reason.strip():
        raise ValidationError("An actual entered by hand needs a reason, for the record.")
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "adjust actual")
        line = _line(uow.session, line_id)
        agreement = agreement_of(uow.session, line.agreement_id)
        _open(uow.session, agreement.id, year, period)
        difference = actual_pence - month_actual(uow.session, line.id, year, period)
        if not difference:
            raise ValidationError("Nothing was changed.")
        organisation_id = _ledger_of(uow.session, agreement, partner)
        record.create(LedgerTransaction(
            organisation_id=organisation_id, agreement_id=agreement.id, budget_line_id=line.id, year=year,
            period=period, posting_date=None, cost_centre="", subjective="",
            description=f"Adjustment {HAND_ENTERED}: {reason.strip()}", amount_pence=difference,
            transaction_ref=None, fingerprint=f"entered-{uuid.uuid4().hex}", source_file=HAND_ENTERED,
            source_sheet="", source_row=None))
        return record.commit(f"adjust {line.code} M{period} actual by {format_exact(difference)}")


def _rows_to_assign(session: Session, transaction_ids: Collection[int]) -> list[LedgerTransaction]:
    rows = session.scalars(select(LedgerTransaction).where(LedgerTransaction.id.in_(transaction_ids))).all()
    if len(rows) != len(set(transaction_ids)):
        raise JointleadError("Some of those ledger rows are no longer recorded.", "Refresh the list and try again.")
    if any(r.removed_by_batch_id is not None for r in rows):
        raise JointleadError("Some of those ledger rows were removed by a later extract.",
                             "Refresh the list and try again.")
    return list(rows)


def assign_ledger_rows(database: Database, transaction_ids: Sequence[int], line_id: int, *,
                       remember: bool = True) -> Edit:
    """Put unmapped ledger rows on a budget line. With `remember`, their partner's cost centre and subjective code
    are mapped to the line too, so later extracts land there and any other unmapped row with those codes (in an
    open period) is assigned now."""
    if not transaction_ids:
        raise ValidationError("Choose the ledger rows to assign first.")
    with UnitOfWork(database) as uow:
        record = Recorder(uow, ASSIGN_BY_CODES if remember else ASSIGN_LEDGER_ROWS)
        session = uow.session
        line = _line(session, line_id)
        rows = _rows_to_assign(session, transaction_ids)
        if any(r.agreement_id != line.agreement_id for r in rows):
            raise ValidationError("Those ledger rows belong to another pooled budget.")
        closed = closed_periods(session, line.agreement_id)
        for row in rows:
            check_period_open(Period(FinancialYear(row.year), row.period), closed)
        if remember:
            rows += _remember_codes(record, line, rows, closed)
        for row in rows:
            if row.budget_line_id is not None:
                raise ValidationError("Some of those ledger rows are already on a budget line.",
                                      "Refresh the list and try again.")
            record.update(row, budget_line_id=line.id)
        return record.commit(f"assign {len(rows)} ledger row{'s' if len(rows) != 1 else ''} to {line.code}")


def _remember_codes(record: Recorder, line: BudgetLine, rows: Sequence[LedgerTransaction],
                    closed: Collection[Period]) -> list[LedgerTransaction]:
    """Map the rows' codes to the line; return the other unmapped rows in open periods those codes now take in."""
    session = record.session
    by_partner: dict[int, list[LedgerCodeMapping]] = {}
    for organisation_id, centre, subjective in sorted({(r.organisation_id, r.cost_centre.strip().upper(),
                                                        r.subjective.strip().upper() or "*") for r in rows}):
        known = session.scalar(select(LedgerMapping).where(
            LedgerMapping.organisation_id == organisation_id, func.upper(LedgerMapping.cost_centre) == centre,
            func.upper(LedgerMapping.subjective_pattern) == subjective))
        if known is not None and known.budget_line_id != line.id:
            raise ValidationError(f"{centre} {subjective} is already mapped to another line.",
                                  "Assign the rows without remembering, or change that mapping first.")
        if known is None:
            record.create(LedgerMapping(budget_line_id=line.id, organisation_id=organisation_id, cost_centre=centre,
                                        subjective_pattern=subjective))
        by_partner.setdefault(organisation_id, []).append(LedgerCodeMapping(line.id, centre, subjective))
    chosen = {r.id for r in rows}
    return [other for other in session.scalars(select(LedgerTransaction).where(
                IN_FORCE, LedgerTransaction.agreement_id == line.agreement_id,
                LedgerTransaction.budget_line_id.is_(None), LedgerTransaction.organisation_id.in_(by_partner),
                LedgerTransaction.id.not_in(chosen)).order_by(LedgerTransaction.id))
            if Period(FinancialYear(other.year), other.period) not in closed
            and match_budget_line(other.cost_centre, other.subjective, by_partner[other.organisation_id])]


def months_left(open_from: int) -> str:
    """The months a virement moves budget over, from the first open one: "M8 to M12", or "M12" alone."""
    return f"M{open_from} to M{MONTHS}" if open_from < MONTHS else f"M{MONTHS}"


def make_virement(database: Database, agreement_id: int | None, year: int, from_line_id: int, to_line_id: int,
                  amount_pence: int, *, reason: str, approved_by: str, approval_date: date, recurrent: bool = False,
                  board_approval: str | None = None, today: date | None = None) -> Edit:
    """Move budget between two lines from the first open month to M12; the pool total never changes.

    The amount comes off the giving line's remaining months in proportion to their budgets and goes on the taking
    line's remaining months likewise (evenly when they have none). Above the agreement's delegated limit the
    board's approval (its minute reference) must be given.
    """
    check_happened(approval_date, today or date.today(), "The approval date")
    with UnitOfWork(database) as uow:
        record = Recorder(uow, MAKE_VIREMENT)
        session = uow.session
        agreement: Agreement = agreement_of(session, agreement_id)
        start = open_from(session, agreement.id, year)
        if start > MONTHS:
            raise every_month_closed(year, "no budget can move")
        giver, taker = _line(session, from_line_id), _line(session, to_line_id)
        for line in (giver, taker):
            # A virement moves budget within one pool: into another pool it would change both pools' totals (and
            # could land in that pool's closed months, since this pool's open months are not its).
            if line.agreement_id != agreement.id:
                other = agreement_of(session, line.agreement_id)
                raise ValidationError(
                    f"Line {line.code} ({line.name}) is in another pooled budget, {other.title}, not "
                    f"{agreement.title}: a virement moves budget between lines of one pool, and never changes a "
                    "pool's total.",
                    f"Choose two lines of {agreement.title}.")
        months = {line.id: [_month(session, line, year, p) for p in range(start, MONTHS + 1)]
                  for line in (giver, taker)}
        remaining = {line.code: sum(m.budget_pence for m in months[line.id]) for line in (giver, taker)}
        check_virement(remaining, rules.Virement(giver.code, taker.code, amount_pence, recurrent, reason, approved_by,
                                        approval_date, bool(board_approval and board_approval.strip())),
                       agreement.delegated_limit_pence, months=months_left(start))
        spread = spread_virement(amount_pence, [m.budget_pence for m in months[giver.id]],
                                 [m.budget_pence for m in months[taker.id]])
        for line, sign, after in ((giver, -1, spread[0]), (taker, 1, spread[1])):
            for month, pence in zip(months[line.id], after, strict=True):
                record.update(month, budget_pence=pence)
            line_year = session.scalar(select(LineYear).where(LineYear.budget_line_id == line.id,
                                                              LineYear.year == year))
            record.update(line_year, annual_budget_pence=line_year.annual_budget_pence + sign * amount_pence,
                          profile="custom")
        record.create(Virement(agreement_id=agreement.id, year=year, from_period=start, from_line_id=giver.id,
                               to_line_id=taker.id, amount_pence=amount_pence, recurrent=recurrent,
                               reason=reason.strip(), approved_by=approved_by.strip(), approval_date=approval_date,
                               board_approval=(board_approval or "").strip() or None,
                               delegated_limit_pence=agreement.delegated_limit_pence))
        # After the virement itself: its months and line years are the entries just before it (`moved_since`).
        later = _carry_on(record, year, giver, taker, amount_pence) if recurrent else []
        return record.commit(f"move {format_exact(amount_pence)} from {giver.code} to {taker.code}"
                             + (f" in {listed([FinancialYear(year).label, *later])}" if later else ""))


def _carry_on(record: Recorder, year: int, giver: BudgetLine, taker: BudgetLine, amount_pence: int) -> list[str]:
    """A recurrent virement's part in the years after `year` that have budgets for its lines already (next year
    was started before it was made): starting a year carries the recurrent virements made before, and these are
    not. The amount moves over each such year's twelve months as it does over this year's open ones. Returns those
    years, in words ("2027-28").

    Refused where one of the two lines has a budget for such a year and the other has none: the year cannot take
    it, and the virement is made there by hand once it has both.
    """
    session = record.session
    budgets = {(line_year.budget_line_id, line_year.year): line_year for line_year in session.scalars(
        select(LineYear).where(LineYear.budget_line_id.in_((giver.id, taker.id)), LineYear.year > year))}
    this, later = FinancialYear(year).label, []
    for start_year in sorted({y for _line, y in budgets}):
        label = FinancialYear(start_year).label
        missing = [line for line in (giver, taker) if (line.id, start_year) not in budgets]
        if missing:
            having = taker if missing[0] is giver else giver
            raise ValidationError(
                f"Line {missing[0].code} has no budget for {label}, though {having.code} has: a recurrent virement "
                f"carries into {label}'s budgets, and they cannot take this one.",
                f"Make it a one-off virement in {this}, then make the virement in {label} too, once "
                f"{missing[0].code} has a budget there (show {label} on the Budgets page).")
        months = {line.id: [_month(session, line, start_year, p) for p in range(1, MONTHS + 1)]
                  for line in (giver, taker)}
        available = budgets[giver.id, start_year].annual_budget_pence
        if amount_pence > available:
            raise ValidationError(
                f"Line {giver.code} has a budget of {format_exact(available)} for {label}, so a recurrent virement of "
                f"{format_exact(amount_pence)} cannot carry into it: no line's budget may go below nil.",
                f"Make it a one-off virement in {this}, and agree {label}'s budgets separately.")
        spread = spread_virement(amount_pence, [m.budget_pence for m in months[giver.id]],
                                 [m.budget_pence for m in months[taker.id]])
        for line, sign, after in ((giver, -1, spread[0]), (taker, 1, spread[1])):
            for month, pence in zip(months[line.id], after, strict=True):
                record.update(month, budget_pence=pence)
            line_year = budgets[line.id, start_year]
            record.update(line_year, annual_budget_pence=line_year.annual_budget_pence + sign * amount_pence,
                          profile="custom")
        later.append(label)
    return later


def close_period(database: Database, agreement_id: int | None, year: int, period: int, *,
                 today: date | None = None, closing_without: Collection[str] = ()) -> Edit:
    """Lock a month once its figures are agreed: no edits and no imports into it until it is unlocked.

    Months close in order, once they are over, and with every partner's ledger for the month loaded, unless the
    partners without one are named in `closing_without` (the manager has said their actuals for it are nil). The
    pool's position as at the month is kept with the close, as the agreed record.
    """
    target = _period(year, period)
    with UnitOfWork(database, closes=True) as uow:
        record = Recorder(uow, "close period")
        session = uow.session
        agreement = agreement_of(session, agreement_id)
        closed = closed_periods(session, agreement.id)
        rules.close_period(target, closed)
        still_open = [p for p in range(1, period) if Period(FinancialYear(year), p) not in closed]
        if still_open:
            raise ValidationError(f"M{still_open[0]} is still open: months close in order.",
                                  f"Close M{still_open[0]} first.")
        _check_year_before_closed(session, agreement, target)
        rules.check_month_over(target, today or date.today())
        rules.check_ledgers_in(target, partners_without_ledger(session, agreement.id, year, period),
                               closing_without)
        snapshot = agreed_figures(session, agreement.id, year, period)
        record.create(PeriodClose(agreement_id=agreement.id, year=year, period=period,
                                  closed_on=today or date.today(), closed_by=os_user(),
                                  snapshot_json=json.dumps(snapshot, sort_keys=True)))
        carried = follow_underspend_carried(record, agreement, year) if period == MONTHS else ""
        return record.commit(f"close {target.label} {target.year.label}" + (f", and {carried}" if carried else ""))


def _check_year_before_closed(session: Session, agreement: Agreement, target: Period) -> None:
    """Months close in order across the year end too (`budget_report.year_before_open`)."""
    before = year_before_open(session, agreement.id, target.year.start_year)
    if before is not None:
        raise ValidationError(f"M12 {before.label} is still open: months close in order, and {target.label} "
                              f"{target.year.label} comes after it.",
                              f"Close M12 {before.label} first (and any month of {before.label} before it that is "
                              f"open), then {target.label} {target.year.label}.")


def unlock_period(database: Database, agreement_id: int | None, year: int, period: int, reason: str, *,
                  today: date | None = None) -> Edit:
    """Reopen a closed month, recording who, when and why."""
    target = _period(year, period)
    with UnitOfWork(database, closes=True) as uow:
        record = Recorder(uow, "unlock period")
        session = uow.session
        agreement = agreement_of(session, agreement_id)
        rules.unlock_period(target, closed_periods(session, agreement.id), reason)
        row = session.scalar(select(PeriodClose).where(
            PeriodClose.agreement_id == agreement.id, PeriodClose.year == year, PeriodClose.period == period,
            PeriodClose.unlocked_on.is_(None)))
        record.update(row, unlocked_on=today or date.today(), unlocked_by=os_user(), unlock_reason=reason.strip())
        return record.commit(f"unlock {target.label} {target.year.label}")
