"""The pool's position as the Budgets page and the packs will show it, on the demo service."""

from __future__ import annotations

from datetime import date

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
    lines = {row.code: row for row in overview.budget_lines(demo_db, position.agreement_id, 2026, 7)}
    for line in position.lines:
        assert line.figures.actual_to_date == lines[line.code].actual_to_date_pence
        assert line.figures.ytd_variance == lines[line.code].variance_to_date_pence


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
