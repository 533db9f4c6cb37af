"""A small two-partner pool with M1 and M2's actuals in (or the whole year's), closed month by month as a test
needs."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from jointlead.domain.calendar import FinancialYear
from jointlead.services.budget_month import adjust_actual, close_period, make_virement
from jointlead.services.budget_setup import (
    AgreementTerms,
    LineTerms,
    PartnerTerms,
    add_budget_line,
    add_contribution,
    set_up_agreement,
)
from jointlead.services.edits import Edit
from jointlead.store.models import BudgetLine

RETAINED = "retained in the pool"  # the underspend rule that carries underspend forward


def small_pool(database, **terms) -> dict[str, int]:
    """Two partners (AAA hosting, BBB) contributing £18,000 and £6,000, lines L1 and L2 of £12,000 each (by id),
    and M1 and M2's actuals in (£1,000 on each line each month). `terms`: the agreement's, besides its title, host
    and first year."""
    set_up_agreement(database, AgreementTerms(title="Test pool", host="AAA", first_year=2026, **terms),
                     [PartnerTerms("AAA", "Trust A"), PartnerTerms("BBB", "Council B")])
    add_contribution(database, 1, "AAA", 2026, "NHS minimum contribution", 1_800_000)
    add_contribution(database, 1, "BBB", 2026, "Better Care Grant", 600_000)
    for code, partner in (("L1", "AAA"), ("L2", "BBB")):
        add_budget_line(database, 1, LineTerms(code, f"Line {code}", "pay", partner), 2026, 1_200_000)
    with database.session() as session:
        lines = {line.code: line.id for line in session.scalars(select(BudgetLine))}
    for period in (1, 2):
        for line_id in lines.values():
            adjust_actual(database, line_id, 2026, period, 100_000, "month's spend")
    return lines


def close(database, period: int) -> Edit:
    """Close a month of 2026-27, on the 5th of the month after."""
    after = FinancialYear(2026).period(period).first_day + timedelta(days=35)
    return close_period(database, None, 2026, period, today=after.replace(day=5), closing_without=("AAA", "BBB"))


def virement(database, lines: dict[str, int], *, day: date = date(2026, 5, 6)) -> Edit:
    """Move £2,000 from L2 to L1, approved by the board."""
    return make_virement(database, None, 2026, lines["L2"], lines["L1"], 200_000, reason="Fund agency",
                         approved_by="JGM", approval_date=day, board_approval="SPB-1", today=day)


def underspent_year(database, *, closing_to: int = 12, **terms) -> None:
    """L1 spends £900 a month from M3 (£1,000 budgeted): £1,000 under for the year, and L2 on budget."""
    lines = small_pool(database, **terms)
    for period in range(3, 13):
        adjust_actual(database, lines["L1"], 2026, period, 90_000, "month's spend")
        adjust_actual(database, lines["L2"], 2026, period, 100_000, "month's spend")
    for period in range(1, closing_to + 1):
        close(database, period)
