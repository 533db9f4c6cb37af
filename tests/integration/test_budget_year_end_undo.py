"""Across the year end: undoing a recurrent virement that next year's budgets were started from, re-closing M12 once
its underspend was carried forward, and a month that does not exist."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from jointlead.domain.errors import JointleadError, ValidationError
from jointlead.services.budget_month import adjust_actual, close_period, make_virement, unlock_period
from jointlead.services.budget_report import NOTE, budget_checklist
from jointlead.services.budget_setup import roll_forward_preview, start_next_year, year_totals
from jointlead.services.edits import undo_edit
from jointlead.store.models import Contribution, ContributionPayment, LineYear, Virement
from small_pool import RETAINED, close, small_pool, underspent_year

STREAM = "Underspend carried forward from 2026-27"
DAY = date(2026, 5, 6)


def recurrent(database, lines, year: int = 2026):
    """Move £2,000 from L2 to L1 for good."""
    return make_virement(database, None, year, lines["L2"], lines["L1"], 200_000, reason="Permanent realignment",
                         approved_by="JGM", approval_date=DAY, recurrent=True, board_approval="SPB-1", today=DAY)


def budgets(database) -> dict[tuple[int, int], int]:
    """Every line's annual budget, by (line, year); and how many virements are recorded, under (0, 0)."""
    with database.session() as session:
        found = {(line, year): pence for line, year, pence in session.execute(
            select(LineYear.budget_line_id, LineYear.year, LineYear.annual_budget_pence))}
        found[0, 0] = len(session.scalars(select(Virement.id)).all())
    return found


def start(database, year: int = 2026):
    return start_next_year(database, None, year, seen=roll_forward_preview(database, None, year))


def test_a_recurrent_virement_next_year_was_started_from_is_not_undone_in_this_year_alone(empty_db):
    lines = small_pool(empty_db)
    made = recurrent(empty_db, lines)
    start(empty_db)
    assert budgets(empty_db)[lines["L1"], 2027] == 1_400_000  # the start carried it
    before = budgets(empty_db)
    with pytest.raises(JointleadError, match="2027-28 was started since from budgets that carry it") as refused:
        undo_edit(empty_db, made)
    # Said where to make the reverse virement, naming the lines as the Virement dialog lists them; not to undo
    # the start, which, were it on this window's undo stack, would have been undone before the virement.
    assert refused.value.advice == (
        "Nothing was changed. To take it back from both years, make a recurrent virement of £2,000 from L1 (Line L1) "
        "back to L2 (Line L2), with Virement… on the Budgets page (year 2026-27): it moves 2027-28's budgets too.")
    assert budgets(empty_db) == before

    # Taken back as advised, by a recurrent virement the other way: it moves both years.
    make_virement(empty_db, None, 2026, lines["L1"], lines["L2"], 200_000, reason="Realignment reversed",
                  approved_by="JGM", approval_date=DAY, recurrent=True, board_approval="SPB-2", today=DAY)
    assert {key: pence for key, pence in budgets(empty_db).items() if key != (0, 0)} == {
        (lines["L1"], 2026): 1_200_000, (lines["L2"], 2026): 1_200_000,
        (lines["L1"], 2027): 1_200_000, (lines["L2"], 2027): 1_200_000}


def test_a_recurrent_virement_is_undone_once_the_start_of_next_year_is_undone(empty_db):
    lines = small_pool(empty_db)
    made = recurrent(empty_db, lines)
    undo_edit(empty_db, start(empty_db))
    undo_edit(empty_db, made)
    assert budgets(empty_db) == {(lines["L1"], 2026): 1_200_000, (lines["L2"], 2026): 1_200_000, (0, 0): 0}


def test_a_recurrent_virement_carried_into_next_year_when_made_is_refused_undoing_once_a_later_year_is_started(
        empty_db):
    lines = small_pool(empty_db)
    start(empty_db)
    made = recurrent(empty_db, lines)  # moves 2026-27 and 2027-28 together
    start(empty_db, 2027)
    before = budgets(empty_db)
    with pytest.raises(JointleadError, match="2028-29 was started since from budgets that carry it"):
        undo_edit(empty_db, made)
    assert budgets(empty_db) == before


def test_redoing_a_recurrent_virement_once_next_year_was_started_without_it_is_refused(empty_db):
    lines = small_pool(empty_db)
    undone = undo_edit(empty_db, recurrent(empty_db, lines))
    start(empty_db)
    before = budgets(empty_db)
    with pytest.raises(JointleadError, match="2027-28 was started since without it") as refused:
        undo_edit(empty_db, undone)
    assert refused.value.advice == (
        "Nothing was changed. To move £2,000 from L2 (Line L2) to L1 (Line L1) in both years, make the virement "
        "again, recurrent, with Virement… on the Budgets page (year 2026-27): it moves 2027-28's budgets too.")
    assert budgets(empty_db) == before


def carried(database) -> list[tuple[str, int, int | None]]:
    """Next year's underspend carried forward: (partner, amount, received) for each instalment."""
    with database.session() as session:
        return [(code, amount, received) for code, amount, received in session.execute(
            select(Contribution.organisation_id, Contribution.amount_pence, ContributionPayment.received_pence)
            .join(ContributionPayment, ContributionPayment.contribution_id == Contribution.id)
            .where(Contribution.funding_stream == STREAM, Contribution.year == 2027).order_by(Contribution.id))]


def reopen_m12(database, l1_spend: int) -> None:
    unlock_period(database, None, 2026, 12, "Late accrual", today=date(2027, 4, 10))
    adjust_actual(database, 1, 2026, 12, l1_spend, "late accrual")


def test_the_underspend_carried_forward_follows_the_outturn_when_m12_is_closed_again(empty_db):
    underspent_year(empty_db, underspend_rule=RETAINED)
    start(empty_db)
    assert carried(empty_db) == [(1, 75_000, 75_000), (2, 25_000, 25_000)]
    reopen_m12(empty_db, 70_000)  # £200 less spent in March: £1,200 under for the year
    assert carried(empty_db) == [(1, 75_000, 75_000), (2, 25_000, 25_000)]  # open: not final yet

    reclosed = close_period(empty_db, None, 2026, 12, today=date(2027, 4, 12), closing_without=("AAA", "BBB"))
    assert carried(empty_db) == [(1, 90_000, 90_000), (2, 30_000, 30_000)]
    assert reclosed.description == ("close M12 2026-27, and carry forward £1,200 of underspend into 2027-28 "
                                    "(£1,000 before)")
    assert year_totals(empty_db, 1, 2027).contributions_pence == 2_400_000 + 120_000
    undo_edit(empty_db, reclosed)
    assert carried(empty_db) == [(1, 75_000, 75_000), (2, 25_000, 25_000)]


def test_closing_m12_again_warns_that_the_underspend_carried_forward_will_be_worked_out_again(empty_db):
    underspent_year(empty_db, underspend_rule=RETAINED)
    warning = ("2027-28 already holds £1,000.00 of underspend carried forward from 2026-27 (AAA £750.00, BBB "
               "£250.00). Closing M12 works it out again from the outturn as it is now, and changes those "
               "contributions to match.")

    def checklist() -> dict[str, str]:
        return {item.wording: item.about for item in budget_checklist(empty_db, 1, 2026, 12, closing=True)
                if item.ok}

    start(empty_db)
    reopen_m12(empty_db, 70_000)
    # The Close M12 dialog says it before the close, not after: as a note, since nothing is left to do about it.
    assert checklist()[warning] == NOTE
    # Said of closing M12 alone: a report as at M12, or the close of another month, changes nothing next year.
    assert warning not in {item.wording for item in budget_checklist(empty_db, 1, 2026, 12)}
    close_period(empty_db, None, 2026, 12, today=date(2027, 4, 12), closing_without=("AAA", "BBB"))
    unlock_period(empty_db, None, 2026, 12, "Another late accrual", today=date(2027, 4, 14))
    assert any(wording.startswith("2027-28 already holds £1,200.00 of underspend carried forward from 2026-27 "
                                  "(AAA £900.00, BBB £300.00).") for wording in checklist())


def test_closing_m12_after_next_year_was_started_carries_the_underspend_into_its_funding_and_undo_takes_it_back(
        empty_db):
    underspent_year(empty_db, closing_to=11, underspend_rule=RETAINED)
    start(empty_db)  # before M12 closed, the usual order: no underspend is known, so none is carried yet
    assert carried(empty_db) == []
    notes = [item for item in budget_checklist(empty_db, 1, 2026, 12, closing=True) if item.about == NOTE]
    assert [(item.ok, item.wording) for item in notes] == [(True, (
        "2027-28 is started already: closing M12 carries the underspend the pool retains at 2026-27's end (if any) "
        "into 2027-28's funding: each partner's part, as a contribution received on 1 April 2027."))]

    closed = close(empty_db, 12)
    assert carried(empty_db) == [(1, 75_000, 75_000), (2, 25_000, 25_000)]  # pro rata, received on 1 April
    assert closed.description == ("close M12 2026-27, and carry forward £1,000 of underspend into 2027-28's "
                                  "funding")
    assert year_totals(empty_db, 1, 2027).contributions_pence == 2_400_000 + 100_000
    with pytest.raises(ValidationError, match="Nothing is left to carry into 2027-28"):
        roll_forward_preview(empty_db, None, 2026)  # carried once: starting again has nothing more to add

    undone = undo_edit(empty_db, closed)  # the close and what it carried go together
    assert carried(empty_db) == [] and year_totals(empty_db, 1, 2027).contributions_pence == 2_400_000
    undo_edit(empty_db, undone)  # and come back together
    assert carried(empty_db) == [(1, 75_000, 75_000), (2, 25_000, 25_000)]


def test_closing_m12_before_next_year_is_started_carries_nothing_yet(empty_db):
    underspent_year(empty_db, underspend_rule=RETAINED)  # M12 closed, 2027-28 not started: starting it carries it
    assert carried(empty_db) == []
    assert not [item for item in budget_checklist(empty_db, 1, 2026, 12, closing=True) if item.about == NOTE]


def test_the_underspend_carried_forward_goes_when_m12_closes_again_with_none(empty_db):
    underspent_year(empty_db, underspend_rule=RETAINED)
    start(empty_db)
    reopen_m12(empty_db, 200_000)  # £1,000 more spent in March: on budget for the year
    reclosed = close_period(empty_db, None, 2026, 12, today=date(2027, 4, 12), closing_without=("AAA", "BBB"))
    assert carried(empty_db) == []
    assert reclosed.description == "close M12 2026-27, and carry forward no underspend into 2027-28 (£1,000 before)"
    undo_edit(empty_db, undo_edit(empty_db, reclosed))  # undone (put back) and redone (gone again)
    assert carried(empty_db) == []


def test_closing_or_unlocking_a_month_that_does_not_exist_is_refused_in_words(empty_db):
    small_pool(empty_db)
    for month in (0, 13):
        with pytest.raises(ValidationError, match=f"There is no M{month}: the months are M1 .April. to M12 .March."):
            close_period(empty_db, None, 2026, month, today=date(2027, 5, 1))
        with pytest.raises(ValidationError, match=f"There is no M{month}"):
            unlock_period(empty_db, None, 2026, month, "typo")
    close(empty_db, 1)
