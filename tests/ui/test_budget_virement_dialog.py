"""The Virement dialog says where a recurrent virement goes: into next year's budgets when the year is started, or
moved in them there and then once they are set already."""

from __future__ import annotations

from driving import only, save

from jointlead.domain.calendar import FinancialYear
from jointlead.services.budget_setup import roll_forward_preview, start_next_year
from jointlead.services.budgets import pool_position
from jointlead.ui import budget_dialogs


def open_virement(window, demo_db):
    window.set_database(demo_db)
    window.show_page("Budgets")
    page = window.current_page()
    page.virement()
    return page, only(page, budget_dialogs.VirementDialog)


def test_a_recurrent_virement_says_it_carries_into_next_year(window, demo_db):
    _page, dialog = open_virement(window, demo_db)
    assert dialog.recurrent.text() == "Recurrent (carries into 2027-28's budgets)"
    dialog.reject()


def test_once_next_year_is_started_a_recurrent_virement_says_it_is_moved_there_too(window, demo_db, qtbot, messages):
    start_next_year(demo_db, None, 2026, seen=roll_forward_preview(demo_db, None, 2026))
    page, dialog = open_virement(window, demo_db)
    assert dialog.recurrent.text() == "Recurrent (moved in 2027-28's budgets too, which are set already)"
    lines = {line.code: line for line in page.position.lines}
    before = {line.code: line.figures.annual_budget_pence
              for line in pool_position(demo_db, year=FinancialYear(2027), as_at=0, risk_share_optional=True).lines}
    dialog.giver.setCurrentIndex(dialog.giver.findData(lines["MH01"].id))
    dialog.taker.setCurrentIndex(dialog.taker.findData(lines["MH02"].id))
    dialog.amount.setText("50,000")
    dialog.recurrent.setChecked(True)
    dialog.reason.setText("Permanent realignment")
    dialog.approver.setText("JGM")
    dialog.board.setText("SPB-26-11")
    save(dialog, qtbot)
    assert messages == []
    after = {line.code: line.figures.annual_budget_pence
             for line in pool_position(demo_db, year=FinancialYear(2027), as_at=0, risk_share_optional=True).lines}
    assert (after["MH01"], after["MH02"]) == (before["MH01"] - 5_000_000, before["MH02"] + 5_000_000)
    assert window.undo_stack.undoText() == "move £50,000 from MH01 to MH02 in 2026-27 and 2027-28"
    window.undo_stack.undo()
    assert {line.code: line.figures.annual_budget_pence for line in pool_position(
        demo_db, year=FinancialYear(2027), as_at=0, risk_share_optional=True).lines} == before
