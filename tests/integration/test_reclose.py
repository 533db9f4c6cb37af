"""A month unlocked while later ones stay closed: it is the one to close next, re-closing keeps the history, budget
moves keep off every closed month, and reports are only as at months with figures."""

from __future__ import annotations

from datetime import date

import pytest

import stored
from jointlead.domain.calendar import FinancialYear
from jointlead.domain.errors import ValidationError
from jointlead.services.budget_month import budget_year, close_period, make_virement, unlock_period
from jointlead.services.budget_report import budget_checklist, check_report_month
from jointlead.services.budgets import pool_position

TODAY = date(2026, 11, 22)
YEAR = FinancialYear(2026)


def test_an_unlocked_earlier_month_is_the_one_to_close_next_and_closes_again_as_a_new_record(demo_db):
    unlock_period(demo_db, None, 2026, 5, "Late journal", today=TODAY)
    frame = budget_year(demo_db, None, YEAR)
    assert frame.closed == {1, 2, 3, 4, 6, 7}
    assert (frame.first_open, frame.open_from) == (5, 8)
    with pytest.raises(ValidationError, match="M5 is still open"):
        close_period(demo_db, None, 2026, 8, today=date(2026, 12, 2))
    closes = stored.rows(demo_db, "SELECT unlocked_on IS NOT NULL FROM period_close WHERE period = 5 ORDER BY id")

    close_period(demo_db, None, 2026, 5, today=TODAY)
    assert stored.rows(demo_db, "SELECT unlocked_on IS NOT NULL FROM period_close WHERE period = 5 "
                                "ORDER BY id") == [*closes, (0,)]
    frame = budget_year(demo_db, None, YEAR)
    assert (frame.first_open, frame.open_from) == (8, 8)


def test_the_close_checklist_is_about_the_months_before_the_one_closing(demo_db):
    unlock_period(demo_db, None, 2026, 5, "Late journal", today=TODAY)
    closing = [item.wording for item in budget_checklist(demo_db, 1, 2026, 5, closing=True)]
    assert closing[0] == "M1 to M4 are closed: the actuals before M5 are agreed."
    assert not any("not closed" in wording for wording in closing)
    as_at = [item.wording for item in budget_checklist(demo_db, 1, 2026, 7)]
    assert as_at[0].startswith("M5 is not closed")  # a report as at M7 still says so
    assert budget_checklist(demo_db, 1, 2026, 1, closing=True)[0].wording.startswith("Every partner's ledger")


def test_a_virement_after_an_earlier_month_is_unlocked_moves_only_months_after_the_last_closed(demo_db):
    unlock_period(demo_db, None, 2026, 5, "Late journal", today=TODAY)
    before = pool_position(demo_db, as_at=7)
    giver, taker = before.lines[0], before.lines[1]
    make_virement(demo_db, None, 2026, giver.id, taker.id, 1_000_000, reason="Demand", approved_by="JGM",
                  approval_date=TODAY, today=TODAY)
    after = {line.id: line.figures.budget_profile for line in pool_position(demo_db, as_at=7).lines}
    for line in (giver, taker):
        assert after[line.id][:7] == line.figures.budget_profile[:7]  # M5 included: open, but not moved into
    assert sum(after[taker.id][7:]) - sum(taker.figures.budget_profile[7:]) == 1_000_000


def test_a_report_is_refused_as_at_a_month_with_no_figures_yet(demo_db):
    frame = budget_year(demo_db, None, YEAR)
    newest = max(max(frame.closed), frame.latest_actuals)
    for month in (None, 1, 7, newest):
        check_report_month(demo_db, frame.agreement_id, YEAR, month)
    with pytest.raises(ValidationError, match="M12 2026-27 has no figures yet") as refused:
        check_report_month(demo_db, frame.agreement_id, YEAR, 12)
    assert refused.value.advice.startswith(f"Choose a month up to M{newest}")
    with pytest.raises(ValidationError, match="no figures yet"):
        check_report_month(demo_db, frame.agreement_id, 2026, newest + 1)


def test_the_budget_workbook_is_refused_as_at_a_month_with_no_figures_yet(demo_db, tmp_path):
    from jointlead.services.exports import export_budget

    with pytest.raises(ValidationError, match="M12 2026-27 has no figures yet"):
        export_budget(demo_db, "NCC", tmp_path / "budget.xlsx", as_at=12)
    assert not (tmp_path / "budget.xlsx").exists()


def test_the_pack_is_refused_as_at_a_month_with_no_figures_yet(demo_db, tmp_path):
    from jointlead.services.packs import export_pack

    with pytest.raises(ValidationError, match="M12 2026-27 has no figures yet"):
        export_pack(demo_db, "NCC", tmp_path / "pack.xlsx", as_at=12, today=TODAY)
    assert not (tmp_path / "pack.xlsx").exists()
