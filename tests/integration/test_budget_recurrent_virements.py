"""A recurrent virement made once next year is started: moved in next year's budgets too, in the same gesture, and
undone with it; refused, saying what to do, where next year's lines cannot take it."""

from __future__ import annotations

from datetime import date

import pytest

from jointlead.domain.calendar import FinancialYear
from jointlead.domain.errors import ValidationError
from jointlead.services.budget_month import budget_year, make_virement
from jointlead.services.budget_setup import (
    LineTerms,
    add_budget_line,
    roll_forward_preview,
    set_annual_budget,
    start_next_year,
)
from jointlead.services.budgets import pool_position
from jointlead.services.edits import undo_edit

TODAY = date(2026, 11, 20)
NEXT = FinancialYear(2027)


def next_year(database) -> dict[str, tuple[int, tuple[int, ...]]]:
    """Each line's 2027-28 budget and its months."""
    return {line.code: (line.figures.annual_budget_pence, line.figures.budget_profile)
            for line in pool_position(database, year=NEXT, as_at=0, risk_share_optional=True).lines}


def line_ids(database) -> dict[str, int]:
    return {line.code: line.id for line in pool_position(database, today=TODAY).lines}


def move(database, lines, amount: int, *, recurrent: bool = True, giver: str = "MH01", taker: str = "MH02"):
    return make_virement(database, None, 2026, lines[giver], lines[taker], amount, reason="Permanent realignment",
                         approved_by="JGM", approval_date=TODAY, recurrent=recurrent, board_approval="SPB-26-11",
                         today=TODAY)


def test_a_recurrent_virement_made_once_next_year_is_started_moves_its_budgets_too_and_undoes_with_them(demo_db):
    assert not budget_year(demo_db, None, FinancialYear(2026)).next_year_started
    start_next_year(demo_db, None, 2026, seen=roll_forward_preview(demo_db, None, 2026))
    assert budget_year(demo_db, None, FinancialYear(2026)).next_year_started
    lines, before = line_ids(demo_db), next_year(demo_db)

    made = move(demo_db, lines, 5_000_000)
    assert made.description == "move £50,000 from MH01 to MH02 in 2026-27 and 2027-28"
    after = next_year(demo_db)
    assert after["MH01"][0] == before["MH01"][0] - 5_000_000 and after["MH02"][0] == before["MH02"][0] + 5_000_000
    assert all(sum(months) == annual for annual, months in after.values())
    assert sum(annual for annual, _ in after.values()) == sum(annual for annual, _ in before.values())
    assert {code: figures for code, figures in after.items() if code not in ("MH01", "MH02")} == {
        code: figures for code, figures in before.items() if code not in ("MH01", "MH02")}

    undone = undo_edit(demo_db, made)
    assert next_year(demo_db) == before
    undo_edit(demo_db, undone)
    assert next_year(demo_db) == after


def test_a_one_off_virement_made_once_next_year_is_started_leaves_it_alone(demo_db):
    start_next_year(demo_db, None, 2026, seen=roll_forward_preview(demo_db, None, 2026))
    lines, before = line_ids(demo_db), next_year(demo_db)
    assert move(demo_db, lines, 5_000_000, recurrent=False).description == "move £50,000 from MH01 to MH02"
    assert next_year(demo_db) == before


def test_a_recurrent_virement_next_years_lines_cannot_take_is_refused_saying_to_make_it_there_too(demo_db):
    add_budget_line(demo_db, 1, LineTerms("MH99", "Winter pressures", "non-pay", None), 2026, 1_200_000)
    lines = line_ids(demo_db)
    set_annual_budget(demo_db, lines["MH01"], 2027, 3_000_000)  # next year has MH01, and not MH99
    before = next_year(demo_db)
    with pytest.raises(ValidationError, match="Line MH99 has no budget for 2027-28, though MH01 has") as refused:
        move(demo_db, lines, 500_000, taker="MH99")
    assert "make the virement in 2027-28 too" in refused.value.advice
    this_year = pool_position(demo_db, today=TODAY).lines
    set_annual_budget(demo_db, lines["MH99"], 2027, 0)
    with pytest.raises(ValidationError, match="Line MH01 has a budget of £30,000 for 2027-28, so a recurrent "
                                              "virement of £40,000 cannot carry into it"):
        move(demo_db, lines, 4_000_000, taker="MH99")
    assert next_year(demo_db)["MH01"] == before["MH01"]
    assert [line.figures for line in pool_position(demo_db, today=TODAY).lines] == [line.figures
                                                                                    for line in this_year]
