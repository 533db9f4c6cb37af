"""Looking back at a closed month once a later one has closed: the figures are what was last reported for it, at its
close or in a pack for it sent after, so a pack for the month made again says what the one sent said."""

from __future__ import annotations

from datetime import date

import openpyxl
from sqlalchemy import select

from jointlead.domain.calendar import FinancialYear
from jointlead.services.budget_month import adjust_actual, set_forecast, unlock_period
from jointlead.services.budgets import pool_position, stood_at
from jointlead.services.edits import undo_edit
from jointlead.services.exports import export_budget
from jointlead.services.packs import export_pack
from jointlead.store.models import Virement
from small_pool import close, small_pool, virement

YEAR = FinancialYear(2026)


def budgets(position) -> dict[str, int]:
    return {line.code: line.figures.annual_budget_pence for line in position.lines}


def test_a_virement_made_before_the_month_closed_again_stays_in_its_figures(empty_db):
    """M1 closed, a virement made from M2, M1 unlocked for a late journal and closed again: the new close agreed
    M1's figures with the virement, so once M2 has closed, M1's figures still have it."""
    lines = small_pool(empty_db)
    close(empty_db, 1)
    virement(empty_db, lines)
    unlock_period(empty_db, None, 2026, 1, "Late journal", today=date(2026, 5, 10))
    adjust_actual(empty_db, lines["L2"], 2026, 1, 110_000, "Late journal")
    close(empty_db, 1)
    at_close = pool_position(empty_db, as_at=1)
    assert budgets(at_close) == {"L1": 1_400_000, "L2": 1_000_000}
    close(empty_db, 2)

    looked_back = pool_position(empty_db, as_at=1)
    assert looked_back.as_it_stood and looked_back.left_out == ()
    assert looked_back.stood_at.sent is None  # held to M1's close
    assert [line.figures for line in looked_back.lines] == [line.figures for line in at_close.lines]


def summary(path) -> list[tuple[object, ...]]:
    """The budget's sheets of a pack, cell by cell (the cover says when it was made, which differs)."""
    book = openpyxl.load_workbook(path, read_only=True)
    return [row for name in ("Budget summary", "Risk share steps", "Budget lines")
            for row in book[name].iter_rows(values_only=True)]


def test_a_pack_made_again_for_a_month_says_what_the_one_sent_for_it_said(empty_db, tmp_path):
    """After M1 closed, the month-end review set a forecast and moved budget, and the M1 pack went out with both.
    Once M2 has closed, the M1 pack made again is the same pack, not M1's figures at its close."""
    lines = small_pool(empty_db)
    close(empty_db, 1)
    set_forecast(empty_db, lines["L1"], 2026, 12, 400_000, "Year-end agency spike expected")
    virement(empty_db, lines)
    sent = export_pack(empty_db, "AAA", tmp_path / "sent.xlsx", as_at=1, today=date(2026, 5, 7))
    as_sent = pool_position(empty_db, as_at=1)
    assert as_sent.pool.full_year_variance == 300_000
    set_forecast(empty_db, lines["L2"], 2026, 12, 0, "Changed after the pack went")
    close(empty_db, 2)

    again = export_pack(empty_db, "AAA", tmp_path / "again.xlsx", as_at=1, today=date(2026, 6, 7))
    assert summary(again.path) == summary(sent.path)
    looked_back = pool_position(empty_db, as_at=1)
    assert [line.figures for line in looked_back.lines] == [line.figures for line in as_sent.lines]
    assert looked_back.risk_share == as_sent.risk_share and looked_back.left_out == ()
    assert (looked_back.stood_at.sent, looked_back.stood_at.partner) == ("pack", "AAA")


def test_with_no_pack_sent_the_month_is_held_to_its_close(empty_db):
    lines = small_pool(empty_db)
    close(empty_db, 1)
    at_close = pool_position(empty_db, as_at=1)
    set_forecast(empty_db, lines["L1"], 2026, 12, 400_000, "Year-end agency spike expected")
    virement(empty_db, lines)
    close(empty_db, 2)

    looked_back = pool_position(empty_db, as_at=1)
    assert [line.figures for line in looked_back.lines] == [line.figures for line in at_close.lines]
    with empty_db.session() as session:
        assert looked_back.left_out == tuple(session.scalars(select(Virement.id)))
    assert looked_back.stood_at.sent is None


def test_a_pack_made_while_a_later_month_was_closed_moves_nothing_but_one_made_after_it_reopened_does(empty_db,
                                                                                                     tmp_path):
    """A pack for M1 made while M2 was closed was itself a look back. Once M2 is unlocked, M1 is the last month
    closed again, and a pack for it then says M1's figures as they are that day: that is what M1 is held to once
    M2 closes again. A budget monitoring workbook sent counts as a pack does."""
    lines = small_pool(empty_db)
    close(empty_db, 1)
    close(empty_db, 2)
    set_forecast(empty_db, lines["L1"], 2026, 12, 400_000, "Year-end agency spike expected")
    export_pack(empty_db, "BBB", tmp_path / "look back.xlsx", as_at=1, today=date(2026, 6, 7))
    with empty_db.session() as session:
        assert stood_at(session, 1, YEAR, 1).sent is None

    unlock_period(empty_db, None, 2026, 2, "Late journal", today=date(2026, 6, 8))
    export_budget(empty_db, "BBB", tmp_path / "sent.xlsx", as_at=1)
    as_sent = pool_position(empty_db, as_at=1)
    virement(empty_db, lines, day=date(2026, 6, 9))
    close(empty_db, 2)
    looked_back = pool_position(empty_db, as_at=1)
    assert looked_back.stood_at.sent == "budget monitoring workbook" and looked_back.stood_at.partner == "BBB"
    assert [line.figures for line in looked_back.lines] == [line.figures for line in as_sent.lines]
    assert len(looked_back.left_out) == 1


def test_a_virement_in_the_pack_sent_stays_in_though_undone_and_redone_since(empty_db, tmp_path):
    """Undone and redone after the pack went, it is as it was then: in the figures, not left out."""
    lines = small_pool(empty_db)
    close(empty_db, 1)
    made = virement(empty_db, lines)
    export_pack(empty_db, "AAA", tmp_path / "sent.xlsx", as_at=1, today=date(2026, 5, 7))
    as_sent = pool_position(empty_db, as_at=1)
    undone = undo_edit(empty_db, made)
    undo_edit(empty_db, undone)
    close(empty_db, 2)
    looked_back = pool_position(empty_db, as_at=1)
    assert budgets(looked_back) == budgets(as_sent) == {"L1": 1_400_000, "L2": 1_000_000}
    assert looked_back.left_out == ()
