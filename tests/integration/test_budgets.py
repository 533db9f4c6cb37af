"""The pool's position as the Budgets page and the packs will show it, on the demo service."""

from __future__ import annotations

from datetime import date

import stored
from jointlead.services import overview
from jointlead.services.budgets import pool_position


def test_the_demo_pool_is_reported_as_at_the_last_closed_period(demo_db):
    position = pool_position(demo_db)
    assert (position.as_at.label, position.year.label) == ("M7", "2026-27")
    assert len(position.lines) == 16
    assert position.pool.annual_budget_pence == sum(position.contributions_by_partner.values())


def test_the_position_agrees_with_the_dashboard_figures(demo_db):
    position = pool_position(demo_db)
    dashboard = overview.pools(demo_db, date(2026, 11, 20))[0]
    assert position.pool.budget_to_date == dashboard.budget_to_date_pence
    assert position.pool.actual_to_date == dashboard.actual_to_date_pence
    actual = dict(stored.rows(
        demo_db,
        "SELECT b.code, SUM(t.amount_pence) FROM ledger_transaction t JOIN budget_line b ON b.id = t.budget_line_id "
        "WHERE t.year = 2026 AND t.period <= 7 AND t.removed_by_batch_id IS NULL GROUP BY b.code"))
    assert {line.code: line.figures.actual_to_date for line in position.lines} == actual


def test_the_risk_share_places_the_whole_forecast_variance_to_the_penny(demo_db):
    position = pool_position(demo_db)
    share = position.risk_share
    assert share.total_variance_pence == position.pool.full_year_variance
    placed = (sum(share.share_by_partner.values()) + share.unallocated_pence + share.retained_in_pool_pence
              + share.reserve_used_pence)
    assert placed == share.total_variance_pence
    assert set(share.share_by_partner) == {"NFT", "NCC"}
    assert "£" in share.explanation()


def test_a_forecast_set_by_hand_replaces_the_run_rate_for_its_month(demo_db):
    from jointlead.store.models import BudgetLine, LineMonth
    from jointlead.store.uow import UnitOfWork

    before = pool_position(demo_db)
    line = before.lines[0]
    with UnitOfWork(demo_db) as uow:
        month = uow.session.query(LineMonth).join(BudgetLine, BudgetLine.id == LineMonth.budget_line_id).filter(
            BudgetLine.code == line.code, LineMonth.year == 2026, LineMonth.period == 12).one()
        month.forecast_pence = 1_000_000
        month.forecast_comment = "year-end accrual for agency cover"
        uow.commit()
    after = next(p for p in pool_position(demo_db).lines if p.code == line.code)
    assert after.figures.forecast[-1] == 1_000_000
    assert after.figures.forecast[:-1] == line.figures.forecast[:-1]


def test_an_unmapped_row_says_whether_its_month_is_closed_and_unlocking_opens_it(demo_db):
    from jointlead.services.budget_month import unlock_period
    from jointlead.services.budget_report import unmapped_rows

    rows = unmapped_rows(demo_db, 1, 2026)
    assert {r.period for r in rows} == set(range(1, 8)) and all(r.closed for r in rows)  # M1 to M7 are closed
    unlock_period(demo_db, None, 2026, 7, "Late NCC journal", today=date(2026, 11, 20))
    assert {r.period for r in unmapped_rows(demo_db, 1, 2026) if not r.closed} == {7}
