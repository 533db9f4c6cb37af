"""The pool's position as the Budgets page and the packs will show it, on the demo service and on a pool whose
contributions are not recorded yet."""

from __future__ import annotations

from datetime import date

import pytest

import stored
from jointlead.domain.risk_share import ContributionsNeeded
from jointlead.services import overview
from jointlead.services.budget_month import adjust_actual, close_period
from jointlead.services.budget_setup import (
    AgreementTerms,
    LineTerms,
    PartnerTerms,
    add_budget_line,
    add_contribution,
    set_up_agreement,
)
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


def test_unmapped_rows_are_suggested_the_line_their_partners_codes_point_to_only_when_they_all_point_to_one(demo_db):
    from dataclasses import replace

    from jointlead.services.budget_report import suggested_line, unmapped_rows

    rows = unmapped_rows(demo_db, 1, 2026)
    mh15 = next(line.id for line in pool_position(demo_db).lines if line.code == "MH15")
    mileage = [r for r in rows if r.organisation_code == "NFT"]  # C48800 521100 in every month: one pair of codes
    assert suggested_line(demo_db, 1, mileage).budget_line_id == mh15
    # Another cost centre new to the pool, with another non-pay subjective: the trust's 52* sends both to MH15.
    travel = replace(mileage[0], cost_centre="C48801", subjective="522000")
    assert suggested_line(demo_db, 1, [mileage[0], travel]).reason == \
        "the ledger codes of every row chosen point to MH15."
    assert suggested_line(demo_db, 1, rows) is None  # the council's placement and the trust's mileage differ
    assert suggested_line(demo_db, 1, [replace(travel, organisation_code="NCC")]) is None  # not the council's codes
    assert suggested_line(demo_db, 2, mileage) is None  # another pool's lines
    assert suggested_line(demo_db, 1, []) is None


def _pool_without_contributions(database) -> int:
    """Two lines, an April of actuals (one line over, one under) and M1 closed: everything but contributions."""
    set_up_agreement(database, AgreementTerms(title="Eastshire Better Care Fund", host="ETR", first_year=2026),
                     (PartnerTerms("ETR", "Eastshire Trust", "NHS trust"), PartnerTerms("ECC", "Eastshire Council")))
    agreement_id = overview.pools(database, date(2026, 5, 2))[0].agreement_id
    add_budget_line(database, agreement_id, LineTerms("L1", "Reablement", "pay", "ETR"), 2026, 120_000_000)
    add_budget_line(database, agreement_id, LineTerms("L2", "Care homes", "commissioned care", "ECC"), 2026, 60_000_000)
    lines = {line.code: line.id for line in pool_position(database, risk_share_optional=True).lines}
    adjust_actual(database, lines["L1"], 2026, 1, 12_000_000, "April ledger")
    adjust_actual(database, lines["L2"], 2026, 1, 4_000_000, "April ledger")
    close_period(database, agreement_id, 2026, 1, today=date(2026, 5, 2), closing_without=("ETR", "ECC"))
    return agreement_id


def test_a_pool_without_contributions_has_every_figure_but_the_risk_share_which_says_what_it_waits_on(empty_db):
    agreement_id = _pool_without_contributions(empty_db)
    position = pool_position(empty_db, risk_share_optional=True)
    # Budget, actuals, forecast and variance, line by line and for the pool, as at the month closed.
    assert position.as_at.label == "M1" and position.contributions_by_partner == {}
    figures = {line.code: (line.figures.budget_to_date, line.figures.actual_to_date, line.figures.forecast_outturn,
                           line.figures.full_year_variance) for line in position.lines}
    assert figures == {"L1": (10_000_000, 12_000_000, 144_000_000, 24_000_000),
                       "L2": (5_000_000, 4_000_000, 48_000_000, -12_000_000)}
    assert (position.pool.annual_budget_pence, position.pool.full_year_variance) == (180_000_000, 12_000_000)
    # Only who bears that variance waits, and says on what.
    assert position.risk_share is None
    assert isinstance(position.risk_share_problem, ContributionsNeeded)
    # A pack or the year-end settlement cannot do without the risk share: asked for one, it is refused in words.
    with pytest.raises(ContributionsNeeded, match="contributions add up to nothing"):
        pool_position(empty_db)

    add_contribution(empty_db, agreement_id, "ETR", 2026, "NHS minimum contribution", 135_000_000)
    add_contribution(empty_db, agreement_id, "ECC", 2026, "Better Care Grant", 45_000_000)
    shared = pool_position(empty_db, risk_share_optional=True)
    assert shared.risk_share_problem is None and shared.risk_share == pool_position(empty_db).risk_share
    assert sum(shared.risk_share.share_by_partner.values()) == 12_000_000  # pro rata 75:25, no waterfall
    assert dict(shared.risk_share.share_by_partner) == {"ETR": 9_000_000, "ECC": 3_000_000}


def test_a_month_closed_before_a_later_one_keeps_the_budgets_it_closed_on(demo_db, tmp_path):
    """A virement made after M7 closed moves budget from M8; once M8 closes too, the pool as at M7 (its monitoring
    workbook, sent again) is as M7 closed on: without that virement, to the penny in every month."""
    import openpyxl

    from jointlead.services.budget_month import make_virement
    from jointlead.services.budget_report import virement_log
    from jointlead.services.exports import export_budget

    before = pool_position(demo_db, as_at=7)
    lines = {line.code: line for line in before.lines}
    make_virement(demo_db, None, 2026, lines["MH02"].id, lines["MH03"].id, 500_000, reason="Demand",
                         approved_by="JGM", approval_date=date(2026, 11, 20), today=date(2026, 11, 20))
    today = pool_position(demo_db, as_at=7)  # M7 is still the last closed: today's position, with the virement
    assert today.left_out is None and not today.as_it_stood
    assert today.lines[1].figures.annual_budget_pence == lines["MH02"].figures.annual_budget_pence - 500_000
    close_period(demo_db, None, 2026, 8, today=date(2026, 12, 7), closing_without=("NFT", "NCC"))

    as_closed = pool_position(demo_db, as_at=7)
    assert as_closed.as_it_stood and len(as_closed.left_out) == 1
    assert [line.figures for line in as_closed.lines] == [line.figures for line in before.lines]
    assert as_closed.risk_share == before.risk_share
    assert pool_position(demo_db, as_at=8).left_out is None  # M8 is today's position, with the virement
    logged = virement_log(demo_db, 1, 2026, leaving_out=as_closed.left_out)
    assert [v.amount_pence for v in logged] == [v.amount_pence for v in virement_log(demo_db, 1, 2026)][:-1]

    def virements_sheet(as_at: int) -> set[object]:
        path = export_budget(demo_db, "NCC", tmp_path / f"m{as_at}.xlsx", as_at=as_at).path
        return {cell for row in openpyxl.load_workbook(path, read_only=True)["Virements"].iter_rows(values_only=True)
                for cell in row}

    assert "Demand" in virements_sheet(8)
    assert "Demand" not in virements_sheet(7)


def test_a_month_closed_before_a_later_one_keeps_the_forecasts_it_closed_on(demo_db):
    """Once M8 has closed and M9 after it, the pool as at M8 is as M8 closed on, whatever was changed in between:
    a forecast set by hand (and one set and taken back), a month's budget, a line's forecast method, a line added and
    a virement; as at M9, every one of them counts."""
    from jointlead.services.budget_month import make_virement, set_forecast, set_month_budget
    from jointlead.services.budget_setup import change_budget_line
    from jointlead.services.edits import undo_edit

    close_period(demo_db, None, 2026, 8, today=date(2026, 12, 7), closing_without=("NFT", "NCC"))
    before = pool_position(demo_db, as_at=8)
    lines = {line.code: line for line in before.lines}
    set_forecast(demo_db, lines["MH01"].id, 2026, 11, 9_900_000, "Agency cover")
    undo_edit(demo_db, set_forecast(demo_db, lines["MH04"].id, 2026, 12, 1_000_000, "Tried and taken back"))
    set_month_budget(demo_db, lines["MH05"].id, 2026, 10, lines["MH05"].figures.budget_profile[9] + 250_000)
    mh06 = lines["MH06"]
    change_budget_line(demo_db, mh06.id, LineTerms(mh06.code, mh06.name, mh06.category, mh06.responsible_code,
                                                   mh06.share_profile, forecast_method="profile"))
    add_budget_line(demo_db, 1, LineTerms("MH99", "Winter pressures", "non-pay", None), 2026, 1_200_000)
    make_virement(demo_db, None, 2026, lines["MH02"].id, lines["MH03"].id, 300_000, reason="Demand",
                  approved_by="JGM", approval_date=date(2026, 12, 20), today=date(2026, 12, 20))
    close_period(demo_db, None, 2026, 9, today=date(2027, 1, 7), closing_without=("NFT", "NCC"))

    as_closed = pool_position(demo_db, as_at=8)
    assert as_closed.as_it_stood and len(as_closed.left_out) == 1
    assert [(line.code, line.figures, line.forecast_method) for line in as_closed.lines] == [
        (line.code, line.figures, line.forecast_method) for line in before.lines]
    assert as_closed.pool == before.pool and as_closed.risk_share == before.risk_share

    now = {line.code: line for line in pool_position(demo_db, as_at=9).lines}
    assert "MH99" in now and now["MH06"].forecast_method == "profile"
    assert now["MH01"].figures.forecast[11 - 9 - 1] == 9_900_000
    assert now["MH05"].figures.annual_budget_pence == lines["MH05"].figures.annual_budget_pence + 250_000


def test_the_demo_as_at_m3_is_as_m3_closed_without_septembers_virement(demo_db):
    """The demo moved £40,000 into MH10 from M6: as at M3 (closed in July) MH10 has its budget without it, and its
    forecast outturn is what the M3 close kept."""
    import json

    from sqlalchemy import select

    from jointlead.store.models import PeriodClose

    m3, m7 = pool_position(demo_db, as_at=3), pool_position(demo_db, as_at=7)
    mh10 = {position: next(line for line in p.lines if line.code == "MH10") for position, p in (("m3", m3), ("m7", m7))}
    assert mh10["m3"].figures.annual_budget_pence == mh10["m7"].figures.annual_budget_pence - 4_000_000
    assert m3.pool.annual_budget_pence == m7.pool.annual_budget_pence  # a virement never changes the pool's total
    with demo_db.session() as session:
        close = session.scalars(select(PeriodClose).where(PeriodClose.period == 3,
                                                          PeriodClose.unlocked_on.is_(None))).one()
        kept = json.loads(close.snapshot_json)["lines"]
    assert {line.code: line.figures.forecast_outturn for line in m3.lines} == {
        code: figures["forecast_outturn"] for code, figures in kept.items()}
