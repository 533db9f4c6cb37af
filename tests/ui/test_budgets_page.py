"""The Budgets page on the demo pool: drill-down, the year end, the rules, instalments, unlocking and refusals."""

from __future__ import annotations

import pytest
from driving import only, save

from PySide6.QtCore import Qt

from jointlead.domain.money import format_money
from jointlead.services.budget_setup import agreement_terms, instalments
from jointlead.services.budgets import pool_position
from jointlead.ui import budget_dialogs
from jointlead.ui.ledger_rows_dialog import LedgerRowsDialog


@pytest.fixture
def page(window, demo_db):
    window.set_database(demo_db)
    window.show_page("Budgets")
    return window.current_page()


def test_a_closed_months_actual_opens_the_ledger_rows_behind_it(page, demo_db, qtbot):
    page.tabs.setCurrentWidget(page.months_tab)
    cell = page.months.model.index(0, 4)  # MH01, M3: closed, so not editable
    assert not cell.flags() & Qt.ItemFlag.ItemIsEditable
    page.months.view.setCurrentIndex(cell)
    page.months.view.doubleClicked.emit(cell)
    dialog = only(page, LedgerRowsDialog)
    rows = [dialog.table.model.row_at(r) for r in range(dialog.table.model.rowCount())]
    line = pool_position(demo_db).lines[0]
    assert {r.period for r in rows} == {3}
    assert sum(r.amount_pence for r in rows) == line.figures.actuals[2]
    assert all(r.source_file and r.source_row for r in rows)  # every row says where it came from
    assert "M3" in dialog.windowTitle()
    assert f"adding up to {format_money(line.figures.actuals[2])}" in dialog.summary.text()


def test_the_year_end_says_it_is_provisional_and_who_pays_whom(page):
    text = page.year_end_summary.text()
    assert "Provisional" in text and "NCC pays NFT" in text
    assert page.year_end.model.total_rows == 2


def test_the_risk_share_rules_change_and_undo(window, page, demo_db, qtbot, messages):
    qtbot.mouseClick(next(b for b in page.risk_tab.findChildren(type(page.close_button))
                          if b.text() == "Agreement and rules…"), Qt.MouseButton.LeftButton)
    dialog = only(page, budget_dialogs.AgreementDialog)
    assert dialog.partner_fields[0][0].isReadOnly()
    dialog.reserve.setText("0")
    save(dialog, qtbot)
    assert messages == []
    assert agreement_terms(demo_db)[1].risk_reserve_pence == 0
    assert "risk reserve" not in page.risk_share.text().lower()
    window.undo_stack.undo()
    assert agreement_terms(demo_db)[1].risk_reserve_pence == 5_000_000


def test_an_instalment_is_recorded_as_received(page, demo_db, qtbot, messages):
    page.tabs.setCurrentWidget(page.contributions_tab)
    due = next(r for r in range(page.instalments.model.rowCount())
               if page.instalments.model.row_at(r).received_date is None)
    page.instalments.view.selectRow(due)
    page.record_payment()
    save(only(page, budget_dialogs.PaymentDialog), qtbot)
    assert messages == []
    chosen = page.instalments.model.row_at(due)
    assert chosen.received_date is not None and chosen.received_pence == chosen.expected_pence
    assert sum(1 for i in instalments(demo_db, 1, 2026) if i.received_date) == \
        sum(1 for r in range(page.instalments.model.rowCount()) if page.instalments.model.row_at(r).received_date)


def test_unlocking_a_month_makes_it_editable_and_a_refused_virement_keeps_its_dialog(page, qtbot, messages):
    page.unlock_month()
    dialog = only(page, budget_dialogs.UnlockDialog)
    save(dialog, qtbot)  # no reason given
    assert "needs a reason" in messages[-1] and dialog.isVisible()
    dialog.reason.setPlainText("Late journal from the council")
    save(dialog, qtbot)
    page.tabs.setCurrentWidget(page.months_tab)
    assert page.months.model.index(0, 8).flags() & Qt.ItemFlag.ItemIsEditable  # M7 is open again
    assert page.close_button.text() == "Close M7…"

    page.virement()
    virement = only(page, budget_dialogs.VirementDialog)
    virement.amount.setText("30,000")  # above the £25,000 delegated limit
    virement.reason.setText("Demand")
    virement.approver.setText("JGM")
    save(virement, qtbot)
    assert "needs the board's approval" in messages[-1] and virement.isVisible()


def test_a_line_is_re_profiled_evenly_from_the_first_open_month(page, demo_db, monkeypatch, messages):
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *_a, **_k: ("Even", True)))
    row = next(r for r in range(page.lines.model.rowCount())
               if len(set(page.lines.model.row_at(r).figures.budget_profile[7:])) > 1)
    page.lines.view.selectRow(row)
    line_id = page.lines.model.row_at(row).id
    page.reprofile()
    assert messages == []
    months = next(line for line in pool_position(demo_db).lines if line.id == line_id).figures.budget_profile[7:]
    assert max(months) - min(months) <= 1


def test_a_line_is_renamed_and_made_a_fixed_share(page, demo_db, qtbot, messages):
    page.lines.view.selectRow(1)
    line = page.lines.model.row_at(1)
    page.change_line()
    dialog = only(page, budget_dialogs.LineDialog)
    assert dialog.code.text() == line.code and dialog.annual is None
    dialog.name.setText("Social work staffing (both localities)")
    dialog.fixed.setChecked(True)
    save(dialog, qtbot)
    assert messages == []
    changed = next(x for x in pool_position(demo_db).lines if x.id == line.id)
    assert (changed.name, changed.share_profile) == ("Social work staffing (both localities)", "fixed")
