"""Read side of the year-end reconciliation: per partner, contributions due and paid, risk share, who pays whom."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jointlead.domain.calendar import FinancialYear, Period
from jointlead.domain.errors import JointleadError
from jointlead.domain.reconciliation import PartnerAccount, Reconciliation, reconcile
from jointlead.domain.risk_share import RiskShareResult
from jointlead.services.budgets import PoolPosition, pool_position
from jointlead.services.overview import closed_months, last_closed_period
from jointlead.store.database import Database
from jointlead.store.models import (
    Agreement,
    AgreementPartner,
    Contribution,
    ContributionPayment,
    Organisation,
)

YEAR_END = 12


@dataclass(frozen=True)
class YearEndReconciliation:
    """A pool's year settled between its partners; provisional (a forecast outturn) until M12 is closed."""

    agreement_id: int
    title: str
    year: FinancialYear
    as_at: Period | None  # the outturn is as at this closed period; None before any period of the year is closed
    final: bool  # every period to M12 is closed: the actual outturn. Otherwise the forecast outturn as at `as_at`
    open_periods: tuple[int, ...]  # periods up to `as_at` unlocked and not closed again: their figures may change
    annual_budget_pence: int
    outturn_pence: int
    reconciliation: Reconciliation
    risk_share: RiskShareResult  # of the outturn variance: actual when final, forecast otherwise
    # Instalments not received and not expected until after `today`: part of each partner's unpaid contribution,
    # which a provisional balance takes as paid when due (`reconcile`); the final settlement counts them.
    not_yet_due_by_partner: Mapping[str, int]

    def __post_init__(self) -> None:
        object.__setattr__(self, "not_yet_due_by_partner", MappingProxyType(dict(self.not_yet_due_by_partner)))

    @property
    def variance_pence(self) -> int:
        return self.outturn_pence - self.annual_budget_pence

    @property
    def status(self) -> str:
        """One sentence for the top of the page or pack: final, or provisional and why."""
        if self.final:
            return f"Final: the actual outturn for {self.year.label}, M12 closed."
        when = f"as at {self.as_at.label}" if self.as_at else "before any period is closed"
        reasons = []
        if self.open_periods:
            opened = ", ".join(f"M{number}" for number in self.open_periods)
            reasons.append(f"{opened} {'is' if len(self.open_periods) == 1 else 'are'} open again")
        if self.as_at is None or self.as_at.number != YEAR_END:
            reasons.append("M12 is not closed yet")
        why = " and ".join(reasons)
        return f"Provisional: the forecast outturn for {self.year.label} {when}. {why}, so these figures may change."

    @property
    def settlement_words(self) -> str:
        """Who pays whom, in a sentence: at the year end once final; before then a forecast with each instalment paid
        when due, never money owed now."""
        said = "; ".join(s.words(forecast=not self.final) for s in self.reconciliation.settlements)
        if self.final:
            return f"{said}." if said else "Nothing to settle."
        return (f"Forecast at year end, with each instalment paid when it falls due: {said}." if said else
                "Forecast at year end, with each instalment paid when it falls due: nothing to settle.")


def outturn_is_final(closed: Collection[int], as_at: int) -> bool:
    """Whether figures as at period `as_at` are the year's actual outturn: as at M12, with every month of the year
    closed and none unlocked since (`closed`), so nothing in them is forecast and nothing can change."""
    return as_at == YEAR_END and all(number in closed for number in range(1, YEAR_END + 1))


def position_is_final(database: Database, position: PoolPosition) -> bool:
    """`outturn_is_final` for a pool's position: whether its outturn is the actual one, to be worded so."""
    with database.session() as session:
        closed = closed_months(session, position.agreement_id, position.year.start_year)
    return outturn_is_final(closed, position.as_at.number if position.as_at else 0)


def _agreement(session: Session, agreement_id: int | None) -> Agreement:
    query = select(Agreement).order_by(Agreement.id)
    agreement = session.scalar(query.where(Agreement.id == agreement_id) if agreement_id else query)
    if agreement is None:
        raise JointleadError("No pooled budget is recorded yet.", "Set up the Section 75 agreement first.")
    return agreement


def year_end_reconciliation(database: Database, agreement_id: int | None = None, year: FinancialYear | None = None,
                            *, today: date | None = None) -> YearEndReconciliation:
    """Settle a pool's year (default: the year of its last closed period) between each partner and the host; before
    it is final, on `today` (default: today), with each instalment not due by then taken as paid when due."""
    with database.session() as session:
        agreement = _agreement(session, agreement_id)
        if year is None:
            closed = last_closed_period(session, agreement.id)
            year = closed.year if closed else FinancialYear.containing(today or date.today())
        # The year's own last closed period, not the agreement's: a later year may already be under way.
        closed_periods = closed_months(session, agreement.id, year.start_year)
        partners = session.execute(
            select(Organisation.id, Organisation.code, Organisation.name)
            .join(AgreementPartner, AgreementPartner.organisation_id == Organisation.id)
            .where(AgreementPartner.agreement_id == agreement.id).order_by(AgreementPartner.position)).all()
        in_year = (Contribution.agreement_id == agreement.id, Contribution.year == year.start_year)
        due = dict(session.execute(
            select(Contribution.organisation_id, func.sum(Contribution.amount_pence))
            .where(*in_year).group_by(Contribution.organisation_id)).all())
        paid = dict(session.execute(
            select(Contribution.organisation_id, func.sum(ContributionPayment.received_pence))
            .join(Contribution, Contribution.id == ContributionPayment.contribution_id)
            .where(*in_year, ContributionPayment.received_date.is_not(None))
            .group_by(Contribution.organisation_id)).all())
        not_yet_due = dict(session.execute(
            select(Contribution.organisation_id, func.sum(ContributionPayment.expected_pence))
            .join(Contribution, Contribution.id == ContributionPayment.contribution_id)
            .where(*in_year, ContributionPayment.received_date.is_(None),
                   ContributionPayment.expected_date > (today or date.today()))
            .group_by(Contribution.organisation_id)).all())
        agreement_id = agreement.id
    as_at = max(closed_periods, default=0)
    open_periods = tuple(number for number in range(1, as_at) if number not in closed_periods)
    final = outturn_is_final(closed_periods, as_at)
    position = pool_position(database, agreement_id, year=year, as_at=as_at)
    accounts = [PartnerAccount(code, name, due.get(organisation_id) or 0, paid.get(organisation_id) or 0,
                               not_yet_due.get(organisation_id) or 0)
                for organisation_id, code, name in partners]
    return YearEndReconciliation(
        agreement_id=position.agreement_id, title=position.title, year=year, as_at=position.as_at,
        final=final, open_periods=open_periods,
        annual_budget_pence=position.pool.annual_budget_pence, outturn_pence=position.pool.forecast_outturn,
        reconciliation=reconcile(accounts, position.risk_share, position.host_code, forecast=not final),
        risk_share=position.risk_share,
        not_yet_due_by_partner={code: not_yet_due.get(organisation_id) or 0 for organisation_id, code, _ in partners})
