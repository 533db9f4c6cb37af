"""The year-end reconciliation on the demo service: provisional as at M7, final once M12 closes, always the domain's."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, update

import stored
from jointlead.domain.calendar import FinancialYear
from jointlead.domain.errors import JointleadError
from jointlead.domain.reconciliation import PartnerAccount, reconcile
from jointlead.services.budgets import pool_position
from jointlead.services.reconciliation import year_end_reconciliation
from jointlead.store.models import Contribution, ContributionPayment, PeriodClose
from jointlead.store.uow import UnitOfWork

DEMO_TODAY = date(2026, 11, 20)


def contributions_by_sql(database) -> dict[str, tuple[str, int, int]]:
    """Each partner's name, contribution due and contribution received for 2026-27, straight from the tables."""
    rows = stored.rows(
        database,
        "SELECT o.code, o.name, "
        "  (SELECT COALESCE(SUM(c.amount_pence), 0) FROM contribution c "
        "   WHERE c.organisation_id = o.id AND c.year = 2026), "
        "  (SELECT COALESCE(SUM(p.received_pence), 0) FROM contribution_payment p "
        "   JOIN contribution c ON c.id = p.contribution_id "
        "   WHERE c.organisation_id = o.id AND c.year = 2026 AND p.received_date IS NOT NULL) "
        "FROM agreement_partner ap JOIN organisation o ON o.id = ap.organisation_id ORDER BY ap.position")
    # PostgreSQL's SUM of whole numbers is a decimal: pence are whole, as the domain counts them.
    return {code: (name, int(due), int(paid)) for code, name, due, paid in rows}


def close_the_rest_of_the_year(database) -> None:
    with UnitOfWork(database) as uow:
        for number in range(8, 13):
            uow.session.add(PeriodClose(agreement_id=1, year=2026, period=number, closed_on=date(2027, 4, 20),
                                        closed_by="test"))
        uow.commit()


def test_before_m12_closes_the_demo_reconciliation_is_provisional_as_at_m7(demo_db):
    result = year_end_reconciliation(demo_db, today=DEMO_TODAY)

    assert (result.year.label, result.as_at.label, result.final) == ("2026-27", "M7", False)
    assert result.status.startswith("Provisional: the forecast outturn for 2026-27 as at M7.")
    assert "M12 is not closed yet" in result.status
    assert result.risk_share == pool_position(demo_db).risk_share


def test_the_demo_reconciliation_is_the_domains_on_the_recorded_contributions(demo_db):
    result = year_end_reconciliation(demo_db, today=DEMO_TODAY)
    recorded = contributions_by_sql(demo_db)

    assert {p.code: (p.name, p.due_pence, p.paid_pence) for p in result.reconciliation.partners} == recorded
    accounts = [PartnerAccount(code, name, due, paid, result.not_yet_due_by_partner[code])
                for code, (name, due, paid) in recorded.items()]
    assert result.reconciliation == reconcile(accounts, pool_position(demo_db).risk_share, "NFT", forecast=True)
    assert result.reconciliation.balances
    assert sum(due for _name, due, _paid in recorded.values()) == result.annual_budget_pence


def test_the_council_settles_with_the_host_and_the_host_settles_with_no_one(demo_db):
    reconciliation = year_end_reconciliation(demo_db, today=DEMO_TODAY).reconciliation

    assert reconciliation.host == "NFT"
    (settlement,) = reconciliation.settlements
    council = next(p for p in reconciliation.partners if p.code == "NCC")
    # The council's share of the underspend is returned to it: the host pays it.
    assert (settlement.payer, settlement.payee, settlement.amount_pence) == ("NFT", "NCC", -council.balance_pence)
    # Before M12 closes, said as the forecast it is: not as money owed now.
    assert reconciliation.statements()[0] == settlement.words(forecast=True)
    assert reconciliation.statements()[1].startswith("NFT (host) would bear ")


def test_mid_year_the_forecast_settlement_takes_instalments_not_yet_due_as_paid_when_due(demo_db):
    # Both partners have paid every instalment due by the demo's today: the rest falls due later in the year.
    result = year_end_reconciliation(demo_db, today=DEMO_TODAY)
    share = result.risk_share.share_by_partner

    for partner in result.reconciliation.partners:
        assert partner.not_yet_due_pence == result.not_yet_due_by_partner[partner.code] == partner.unpaid_pence
        assert partner.overdue_pence == 0 and partner.balance_pence == share[partner.code]
    assert result.reconciliation.statements() == ("NFT would pay NCC £28,794.07",
                                                  "NFT (host) would bear £14,215.14 within its own accounts")
    assert result.settlement_words == ("Forecast at year end, with each instalment paid when it falls due: NFT would "
                                       "pay NCC £28,794.07.")
    assert result.reconciliation.balances


def test_an_instalment_overdue_stays_in_its_partners_forecast_balance(demo_db):
    # A month later the council's December instalment is due and not received.
    later = date(2026, 12, 20)
    result = year_end_reconciliation(demo_db, today=later)
    council = next(p for p in result.reconciliation.partners if p.code == "NCC")
    overdue = int(stored.scalar(
        demo_db, "SELECT COALESCE(SUM(p.expected_pence), 0) FROM contribution_payment p "
        "JOIN contribution c ON c.id = p.contribution_id JOIN organisation o ON o.id = c.organisation_id "
        "WHERE o.code = 'NCC' AND c.year = 2026 AND p.received_date IS NULL AND p.expected_date <= :day", day=later))

    assert overdue > 0 and council.overdue_pence == overdue
    assert council.balance_pence == overdue + result.risk_share.share_by_partner["NCC"]


def test_instalments_not_yet_due_are_shown_apart_from_the_unpaid_balance(demo_db):
    result = year_end_reconciliation(demo_db, today=DEMO_TODAY)

    for partner in result.reconciliation.partners:
        # The demo has received every instalment expected by its "today": all that is unpaid is still to come.
        assert result.not_yet_due_by_partner[partner.code] == partner.unpaid_pence > 0


def test_once_m12_is_closed_the_reconciliation_is_final_on_the_actual_outturn(demo_db):
    close_the_rest_of_the_year(demo_db)
    with UnitOfWork(demo_db) as uow:
        uow.session.execute(update(ContributionPayment).where(ContributionPayment.received_date.is_(None))
                            .values(received_date=date(2027, 3, 15), received_pence=ContributionPayment.expected_pence))
        uow.commit()

    result = year_end_reconciliation(demo_db, year=FinancialYear(2026))
    actual = pool_position(demo_db, year=FinancialYear(2026), as_at=12)

    assert result.final and result.as_at.label == "M12"
    assert result.status == "Final: the actual outturn for 2026-27, M12 closed."
    assert result.outturn_pence == actual.pool.actual_to_date
    assert result.risk_share == actual.risk_share
    for partner in result.reconciliation.partners:
        # Every contribution paid: what is left to settle is the share of the outturn alone.
        assert partner.unpaid_pence == 0
        assert partner.balance_pence == actual.risk_share.share_by_partner[partner.code]
    assert result.reconciliation.balances


def test_a_period_unlocked_after_m12_makes_the_reconciliation_provisional_again(demo_db):
    close_the_rest_of_the_year(demo_db)
    with UnitOfWork(demo_db) as uow:
        uow.session.execute(update(PeriodClose).where(PeriodClose.period == 9)
                            .values(unlocked_on=date(2027, 4, 25), unlocked_by="test", unlock_reason="late accrual"))
        uow.commit()

    result = year_end_reconciliation(demo_db)

    assert not result.final and result.as_at.label == "M12" and result.open_periods == (9,)
    assert result.status.endswith("M9 is open again, so these figures may change.")


def test_before_any_period_is_closed_the_reconciliation_is_on_the_budget_alone(demo_db):
    with UnitOfWork(demo_db) as uow:
        uow.session.execute(delete(PeriodClose))
        uow.commit()

    result = year_end_reconciliation(demo_db, year=FinancialYear(2026), today=DEMO_TODAY)

    assert result.as_at is None and not result.final
    assert "before any period is closed" in result.status
    assert result.reconciliation.balances


def test_a_year_with_contributions_agreed_and_nothing_paid_or_spent_yet_is_the_contributions_alone(demo_db):
    with UnitOfWork(demo_db) as uow:
        for organisation_id, pounds in ((1, 9_800_000), (2, 3_300_000)):
            uow.session.add(Contribution(agreement_id=1, organisation_id=organisation_id, year=2027,
                                         funding_stream="Baseline", amount_pence=pounds * 100))
        uow.commit()

    result = year_end_reconciliation(demo_db, year=FinancialYear(2027), today=DEMO_TODAY)

    assert result.as_at is None and result.risk_share.total_variance_pence == 0
    assert [str(s) for s in result.reconciliation.settlements] == ["NCC pays NFT £3,300,000"]
    assert result.reconciliation.host_balance.balance_pence == 9_800_000 * 100


def test_with_no_agreement_the_manager_is_told_to_set_one_up(empty_db):
    with pytest.raises(JointleadError, match="No pooled budget"):
        year_end_reconciliation(empty_db)
