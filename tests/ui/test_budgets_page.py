"""The Budgets page on the demo pool: drill-down, the year end and starting the next, the rules, instalments,
unlocking, ledger codes and refusals."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from driving import only, save

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication

from jointlead.domain.calendar import FinancialYear
from jointlead.domain.money import format_money, format_pounds
from jointlead.services import budget_setup, imports
from jointlead.services.budget_report import ledger_rows
from jointlead.services.budget_setup import agreement_terms, instalments
from jointlead.services.budgets import pool_position
from jointlead.services.demo import write_next_month_extracts
from jointlead.ui import budget_dialogs
from jointlead.ui.budgets_page import UNMAPPED_COLUMNS
from jointlead.ui.ledger_rows_dialog import LedgerRowsDialog


@pytest.fixture
def page(window, demo_db):
    window.set_database(demo_db)
    window.show_page("Budgets")
    return window.current_page()


def test_a_closed_months_actual_opens_the_ledger_rows_behind_it(page, demo_db, qtbot):
    page.tabs.setCurrentWidget(page.months_tab)
    assert page.months.count.text() == "16 lines"  # the whole pool's row at the foot is not a line
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


def test_the_whole_pools_row_stays_at_the_foot_however_the_months_are_sorted(page):
    page.tabs.setCurrentWidget(page.months_tab)
    model = page.months.model
    for column in (1, 9, model.columnCount() - 2):  # the name, a month, the variance
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            page.months.view.sortByColumn(column, order)
            names = [model.row_at(r).name for r in range(model.rowCount())]
            assert names[-1] == "Whole pool" and names.count("Whole pool") == 1
            if column == 1:  # the lines themselves are sorted
                assert names[:-1] == sorted(names[:-1], reverse=order == Qt.SortOrder.DescendingOrder)


def test_the_lines_end_with_the_whole_pools_total_in_bold_which_is_not_counted_and_goes_with_a_search(page,
                                                                                                      messages):
    page.tabs.setCurrentWidget(page.lines_tab)
    table, position = page.lines, page.position
    model = table.model
    lines = len(position.lines)
    for column in (0, 3, 8):  # the code, the annual budget, the forecast variance
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            table.view.sortByColumn(column, order)
            assert [model.row_at(r).name for r in range(model.rowCount())].index("Whole pool") == lines
    foot = model.rowCount() - 1
    shown = [model.index(foot, c).data() for c in range(model.columnCount())]
    assert shown[:4] == ["", "Whole pool", "", format_pounds(position.pool.annual_budget_pence)]
    assert shown[8] == format_pounds(position.pool.full_year_variance)
    assert model.index(foot, 1).data(Qt.ItemDataRole.FontRole).bold()
    assert model.index(0, 1).data(Qt.ItemDataRole.FontRole) is None
    # It is the lines' total, not a line: not counted, and not shown under some lines, which it would not add up to.
    assert table.count.text() == f"{lines} budget lines"
    table.search.setText("staffing")
    assert table.count.text() == f"2 of {lines} budget lines shown"
    assert sorted(model.row_at(r).name for r in range(model.rowCount())) == ["Medical staffing", "Social work staffing"]
    table.search.clear()
    assert model.rowCount() == lines + 1
    # Chosen, it shows the whole pool's chart, and is no line to change.
    table.view.selectRow(foot)
    assert page.charts.line_id is None
    page.change_line()  # it said nothing, and seemed to do nothing
    assert messages[-1] == "Change line Choose a budget line first: select its row in the list of lines."
    table.view.selectRow(0)
    assert page.charts.line_id == model.row_at(0).id


def test_the_year_end_says_it_is_provisional_and_who_pays_whom(page):
    text = page.year_end_summary.text()
    # In November the settlement is a forecast, not money owed now; both partners have paid every instalment due so
    # far, and those still to come are taken as paid when due: what is left is the shares alone.
    assert "Provisional" in text
    assert ("Forecast at year end, with each instalment paid when it falls due: NFT would pay NCC £28,794.07."
            in text)
    assert " pays " not in text and "Overdue now" not in text
    model = page.year_end.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["Partner", "Contribution\ndue", "Paid", "Not yet\ndue", "Share of\nvariance", "Balance",
                       "Forecast settlement\nat year end"]
    assert model.total_rows == 2
    host = [model.index(0, c).data() for c in range(model.columnCount())]
    assert host[:4] == ["NFT (host)", "£9,600,000.00", "£6,500,000.00", "£3,100,000.00"]
    # The host's own contribution still to come is not what it "bears": its share is.
    assert host[5:] == ["£14,215.14", "NFT (host) would bear £14,215.14 within its own accounts"]
    council = [model.index(1, c).data() for c in range(model.columnCount())]
    assert council[5:] == ["-£28,794.07", "NFT would pay NCC £28,794.07"]


def test_the_risk_share_rules_change_and_undo(window, page, demo_db, qtbot, messages):
    qtbot.mouseClick(next(b for b in page.risk_tab.findChildren(type(page.close_button))
                          if b.text().replace("&", "") == "Agreement and rules…"), Qt.MouseButton.LeftButton)
    dialog = only(page, budget_dialogs.AgreementDialog)
    assert dialog.partner_fields[0][0].isReadOnly()
    dialog.reserve.setText("0")
    save(dialog, qtbot)
    assert messages == []
    assert agreement_terms(demo_db)[1].risk_reserve_pence == 0
    assert "risk reserve" not in page.risk_share.text().lower()
    window.undo_stack.undo()
    assert agreement_terms(demo_db)[1].risk_reserve_pence == 5_000_000


def test_assigning_a_row_suggests_the_line_its_partners_codes_point_to_and_says_why(page, demo_db, qtbot, messages):
    page.unlock_month()
    only(page, budget_dialogs.UnlockDialog).reason.setPlainText("Late journal from the council")
    save(only(page, budget_dialogs.UnlockDialog), qtbot)
    page.tabs.setCurrentWidget(page.unmapped_tab)
    lines = {line.id: line.code for line in page.position.lines}
    # A council placement invoice coded to a cost centre new to the pool: the council's subjective 4101 lands on
    # residential and nursing placements everywhere else.
    placement = _choose_unmapped(page, lambda r: r.period == 7 and r.organisation_code == "NCC")[0]
    page.assign()
    assign = only(page, budget_dialogs.AssignDialog)
    assert lines[assign.line.currentData()] == "MH10"
    assert assign.suggested.text() == ("Suggested: NCC's subjective 4101 lands on MH10 at cost centre MH3300 (41*).")
    assert assign.remember.text() == (f"Remember NCC {placement.cost_centre} {placement.subjective} for this line, "
                                      "for later imports")
    save(assign, qtbot)
    assert messages == []
    mh10 = next(line_id for line_id, code in lines.items() if code == "MH10")
    assert placement.transaction_id in {r.transaction_id for r in ledger_rows(demo_db, 1, 2026, line_id=mh10)}
    # The trust's crisis team mileage: its subjective is the trust's non-pay 52*, which every cost centre sends to
    # MH15 (the lines are in code order: MH15 is the fifteenth).
    _choose_unmapped(page, lambda r: r.period == 7)
    page.assign()
    assign = only(page, budget_dialogs.AssignDialog)
    assert lines[assign.line.currentData()] == "MH15"
    assert "lands on MH15" in assign.suggested.text()


def test_a_month_shown_before_it_closed_is_followed_on_once_it_is_the_last_closed(page, demo_db):
    from jointlead.services.budget_month import close_period, unlock_period

    unlock_period(demo_db, None, 2026, 7, "Late journal from the council", today=date(2026, 11, 20))
    page.show_as_at(2026, 7)  # as after importing an extract for the open month
    page.show_data(demo_db, page.today)
    assert page.as_at.currentText() == "M7 Oct (not closed)"
    close_period(demo_db, None, 2026, 7, today=date(2026, 11, 20))
    page.show_data(demo_db, page.today)
    assert page.as_at.currentText() == "M7 Oct (closed)"
    # Closed, it is the last closed month the page follows anyway: the next close moves it on, as any other.
    close_period(demo_db, None, 2026, 8, today=date(2026, 12, 7), closing_without=("NFT", "NCC"))
    page.show_data(demo_db, page.today)
    assert page.as_at.currentText() == "M8 Nov (closed)"


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


def _choose_unmapped(page, chosen) -> list:
    page.unmapped.view.clearSelection()
    rows = [r for r in range(page.unmapped.model.rowCount()) if chosen(page.unmapped.model.row_at(r))]
    for row in rows:
        page.unmapped.view.selectionModel().select(page.unmapped.model.index(row, 0),
                                                   QItemSelectionModel.SelectionFlag.Select
                                                   | QItemSelectionModel.SelectionFlag.Rows)
    return [page.unmapped.model.row_at(r) for r in rows]


def test_unlocking_a_month_opens_its_cells_and_unmapped_rows_and_a_refused_virement_keeps_its_dialog(
        page, demo_db, qtbot, messages):
    # Every demo unmapped row is in M1 to M7, all closed: marked so, and Assign… says why nothing can go.
    page.tabs.setCurrentWidget(page.unmapped_tab)
    assert page.unmapped.model.index(0, 1).data() == "M1 (closed)"
    assert "cannot be assigned until M1 is unlocked" in page.unmapped.model.index(0, 1).data(
        Qt.ItemDataRole.ToolTipRole)
    assert page.unmapped_note.isVisible() and "Rows in closed months (14 here) cannot be assigned" \
        in page.unmapped_note.text()
    page.assign()
    assert messages[-1].startswith("Assign to a line Choose the ledger rows to assign first")
    _choose_unmapped(page, lambda r: r.period in (3, 5))
    page.assign()
    assert "The rows chosen are in M3 and M5, which are closed, so they cannot be assigned" in messages[-1]
    assert "unlock the month (Unlock…, giving a reason)" in messages[-1]
    assert not page.findChildren(budget_dialogs.AssignDialog)

    page.unlock_month()
    dialog = only(page, budget_dialogs.UnlockDialog)
    save(dialog, qtbot)  # no reason given
    assert "needs a reason" in messages[-1] and dialog.isVisible()
    dialog.reason.setPlainText("Late journal from the council")
    save(dialog, qtbot)
    page.tabs.setCurrentWidget(page.months_tab)
    assert page.months.model.index(0, 8).flags() & Qt.ItemFlag.ItemIsEditable  # M7 is open again
    assert page.close_button.text() == "Close &M7…"

    # Of M6 and M7's rows chosen, only M7's open ones are assigned; the dialog says M6's are left, and why.
    page.tabs.setCurrentWidget(page.unmapped_tab)
    chosen = _choose_unmapped(page, lambda r: r.period in (6, 7))
    # The rows that can be assigned come first, each partner's in month order, then the closed months' rows.
    assert [(r.organisation_code, r.period) for r in chosen] == [("NCC", 7), ("NFT", 7), ("NCC", 6), ("NFT", 6)]
    assert [r.closed for r in (page.unmapped.model.row_at(n) for n in range(3))] == [False, False, True]
    page.assign()
    assign = only(page, budget_dialogs.AssignDialog)
    assert assign.transaction_ids == [r.transaction_id for r in chosen if r.period == 7]
    assert "2 of the rows chosen are left unassigned: they are in M6, which is closed and locked." \
        in assign.findChild(budget_dialogs.QLabel).text()
    put = format_money(sum(r.amount_pence for r in chosen if r.period == 7))  # to the penny, as detail is
    assert f"Put 2 ledger rows ({put}) on a budget line." in assign.findChild(budget_dialogs.QLabel).text()
    # The two rows' codes point to different lines: none is suggested, and none chosen until someone chooses one.
    assert assign.line.currentIndex() == -1 and not hasattr(assign, "suggested")
    assert assign.remember.text() == "Remember these ledger codes for this line, for later imports"
    save(assign, qtbot)
    assert "Choose the budget line to put the rows on." in messages[-1] and assign.isVisible()
    assign.line.setCurrentIndex(0)
    assign.remember.setChecked(False)
    said = len(messages)
    save(assign, qtbot)
    assert len(messages) == said  # assigned, not refused
    left = [page.unmapped.model.row_at(r) for r in range(page.unmapped.model.rowCount())]
    assert len(left) == 12 and all(r.closed for r in left)
    assert "Rows in closed months (12 here)" in page.unmapped_note.text()

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


def test_re_profile_and_virement_with_every_month_closed_say_nothing_can_move_before_asking_anything(
        window, demo_db, monkeypatch, messages):
    from PySide6.QtWidgets import QInputDialog

    from jointlead.store.models import PeriodClose
    from jointlead.store.uow import UnitOfWork

    with UnitOfWork(demo_db) as uow:
        uow.session.add_all(PeriodClose(agreement_id=1, year=2026, period=number, closed_on=date(2027, 4, 20),
                                        closed_by="test") for number in range(8, 13))
        uow.commit()
    window.set_database(demo_db)
    window.show_page("Budgets")
    page = window.current_page()
    asked = []
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *a, **_k: asked.append(a) or ("Even", True)))
    page.lines.view.selectRow(0)
    page.reprofile()
    assert asked == []  # no "Spread ... over M13 to M12"
    assert "Every month of 2026-27 is closed, so nothing can move." in messages[-1]
    assert "unlock it first" in messages[-1]

    page.virement()  # said before the form is filled in, not after, and not "for M13 to M12"
    assert not page.findChildren(budget_dialogs.VirementDialog)
    assert "Every month of 2026-27 is closed, so no budget can move." in messages[-1]


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


def test_a_line_forecast_by_its_profile_forecasts_each_month_to_come_at_its_budget(page, demo_db, qtbot, messages):
    from jointlead.store.models import LineMonth

    line = page.lines.model.row_at(2)
    before = next(x for x in pool_position(demo_db).lines if x.id == line.id)
    page.lines.view.selectRow(2)
    page.change_line()
    dialog = only(page, budget_dialogs.LineDialog)
    assert dialog.forecast.currentData() == "run rate"
    dialog.forecast.setCurrentIndex(dialog.forecast.findData("profile"))
    save(dialog, qtbot)
    assert messages == []
    after = next(x for x in pool_position(demo_db).lines if x.id == line.id)
    figures = after.figures
    assert after.forecast_method == "profile" and figures.actuals == before.figures.actuals
    with demo_db.session() as session:
        by_hand = {m.period: m.forecast_pence for m in session.query(LineMonth).filter_by(budget_line_id=line.id,
                                                                                          year=2026)
                   if m.forecast_pence is not None}
    assert list(figures.forecast) == [by_hand.get(p, figures.budget_profile[p - 1]) for p in range(8, 13)]
    assert list(figures.forecast) != list(before.figures.forecast)
    assert figures.forecast_outturn == figures.actual_to_date + sum(figures.forecast)
    assert f"except on {line.code}, forecast by their budget profile, and where" in page.subtitle.text()
    page.tabs.setCurrentWidget(page.lines_tab)
    row = next(r for r in range(page.lines.model.rowCount()) if page.lines.model.row_at(r).id == line.id)
    outturn = next(c for c in range(page.lines.model.columnCount())
                   if page.lines.model.headerData(c, Qt.Orientation.Horizontal) == "Forecast\noutturn")
    tip = page.lines.model.index(row, outturn).data(Qt.ItemDataRole.ToolTipRole)
    assert "a forecast at the month's budget (the line's profile)" in tip


def test_a_form_opens_in_its_first_field_and_tab_reaches_save_after_the_last(page, qtbot):
    from PySide6.QtWidgets import QDialogButtonBox

    page.lines.view.selectRow(1)
    page.change_line()
    dialog = only(page, budget_dialogs.LineDialog)
    assert dialog.focusWidget() is dialog.code  # not Save: a keyboard user starts typing
    for _field in range(4):  # code, name, category, responsible partner, then the fixed-share tick
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.fixed
    qtbot.keyClick(dialog.fixed, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.forecast
    qtbot.keyClick(dialog.forecast, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.reject()


def _start_button(page):
    button = page.start_year_buttons[0]
    assert button.text() == "Start &2027-28…" and button.isVisible()  # Alt+2
    return button


def test_the_next_year_is_started_from_the_year_end_tab_after_a_preview_and_undone(window, page, demo_db, qtbot,
                                                                                    qtmodeltester, messages):
    page.tabs.setCurrentWidget(page.year_end_tab)
    assert "2027-28 is not started yet" in page.next_year_state.text()
    qtbot.mouseClick(_start_button(page), Qt.MouseButton.LeftButton)
    dialog = only(page, budget_dialogs.RollForwardDialog)
    qtmodeltester.check(dialog.lines.model)
    qtmodeltester.check(dialog.contributions.model)
    lines = {dialog.lines.model.row_at(r).code: r for r in range(dialog.lines.model.rowCount())}
    shown = [dialog.lines.model.index(lines["MH01"], c).data() for c in range(6)]
    assert shown == ["MH01", "Community mental health nursing", "£2,510,000", "-£40,000", "£2,550,000",
                     "Carried, profiled evenly"]
    assert "MH10" in dialog.lines.model.index(lines["MH01"], 3).data(Qt.ItemDataRole.ToolTipRole)
    contributions = [dialog.contributions.model.index(r, 4).data() for r in range(4)]
    assert contributions.count("Carried: recurrent") == 3 and "Not carried: 2026-27 only" in contributions
    assert "the lines would budget £1,200,000 more than is contributed" in dialog.balance.text()
    assert dialog.buttons.button(dialog.buttons.StandardButton.Ok).isDefault()
    save(dialog, qtbot)
    assert messages == [] and not dialog.isVisible()
    assert budget_setup.year_totals(demo_db, 1, 2027).lines == 16
    assert page.next_year_state.text() == ("2027-28 is started: 16 budget lines totalling £12,800,000, and "
                                           "contributions of £11,600,000.")
    assert window.undo_stack.undoText() == "start 2027-28"
    window.undo_stack.undo()
    assert budget_setup.year_totals(demo_db, 1, 2027) == budget_setup.YearTotals(FinancialYear(2027), 0, 0, 0)
    assert "2027-28 is not started yet" in page.next_year_state.text()


def test_a_year_already_started_or_beyond_the_agreement_is_refused_with_what_to_do(window, page, demo_db, qtbot,
                                                                                   messages):
    page.tabs.setCurrentWidget(page.lines_tab)
    qtbot.mouseClick(page.start_year_buttons[1], Qt.MouseButton.LeftButton)  # beside the lines too
    save(only(page, budget_dialogs.RollForwardDialog), qtbot)
    qtbot.mouseClick(page.start_year_buttons[1], Qt.MouseButton.LeftButton)
    assert "Nothing is left to carry into 2027-28" in messages[-1]
    assert not [d for d in page.findChildren(budget_dialogs.RollForwardDialog) if d.isVisible()]

    # The demo agreement runs to 2028-29; ended with 2026-27 instead, 2027-28 cannot start until it is extended.
    window.undo_stack.undo()
    page.change_agreement()
    terms = only(page, budget_dialogs.AgreementDialog)
    assert terms.last_year.currentData() == 2028
    terms.last_year.setCurrentIndex(terms.last_year.findData(2026))
    save(terms, qtbot)
    qtbot.mouseClick(page.start_year_buttons[1], Qt.MouseButton.LeftButton)
    assert "runs to 2026-27, so 2027-28 cannot be started" in messages[-1]
    assert "change its last year" in messages[-1]
    page.change_agreement()
    terms = only(page, budget_dialogs.AgreementDialog)
    terms.last_year.setCurrentIndex(terms.last_year.findData(None))  # no end date yet
    save(terms, qtbot)
    assert agreement_terms(demo_db)[1].last_year is None
    qtbot.mouseClick(page.start_year_buttons[1], Qt.MouseButton.LeftButton)
    assert only(page, budget_dialogs.RollForwardDialog).plan.next_year == FinancialYear(2027)


def test_a_ledger_mapping_is_removed_after_a_plain_confirmation_and_undone(window, page, demo_db, qtbot,
                                                                          qtmodeltester, monkeypatch, messages):
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []
    answer = [QMessageBox.StandardButton.Cancel]
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda _parent, _title, text, *_a: asked.append(text)
                                                              or answer[0]))
    page.lines.view.selectRow(0)
    line = page.lines.model.row_at(0)
    assert (line.code, line.mappings) == ("MH01", 2)
    qtbot.mouseClick(next(b for b in page.lines_tab.buttons if b.text().replace("&", "") == "Ledger codes…"),
                     Qt.MouseButton.LeftButton)
    dialog = only(page, budget_dialogs.MappingDialog)
    qtmodeltester.check(dialog.current.model)
    assert dialog.current.model.rowCount() == 2 and dialog.focusWidget() is dialog.current.view
    dialog.current.view.selectRow(1)
    chosen = dialog.current.current_row()
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)  # then Cancel: nothing changes
    assert len(budget_setup.ledger_mappings(demo_db, line.id)) == 2
    assert f"Stop NFT's cost centre {chosen.cost_centre}, subjective {chosen.subjective_pattern}, feeding MH01" \
        in asked[-1]
    assert "Ledger rows already imported keep their line" in asked[-1]
    assert "wherever the remaining ledger codes put them, or on Unmapped rows" in asked[-1]
    answer[0] = QMessageBox.StandardButton.Yes
    qtbot.keyClick(dialog.current.view, Qt.Key.Key_Delete)  # the keyboard's way to Remove…
    assert messages == [] and dialog.isVisible()
    assert chosen not in budget_setup.ledger_mappings(demo_db, line.id)
    assert [dialog.current.model.row_at(r) for r in range(dialog.current.model.rowCount())] == list(
        budget_setup.ledger_mappings(demo_db, line.id))
    assert dialog.current.model.rowCount() == 1 and page.lines.model.row_at(0).mappings == 1
    dialog.reject()
    window.undo_stack.undo()
    assert chosen in budget_setup.ledger_mappings(demo_db, line.id)
    assert page.lines.model.row_at(0).mappings == 2


def test_a_line_with_no_ledger_codes_says_so_and_has_nothing_to_remove(page, demo_db, qtbot):
    page.lines.view.selectRow(0)
    line = page.lines.model.row_at(0)
    for mapping in budget_setup.ledger_mappings(demo_db, line.id):
        budget_setup.remove_ledger_mapping(demo_db, mapping.id)
    page.map_codes()
    dialog = only(page, budget_dialogs.MappingDialog)
    assert not dialog.current.view.isVisible() and dialog.current.empty.isVisible()
    assert "No ledger codes feed MH01 yet" in dialog.current.empty.text()
    assert not dialog.remove_button.isEnabled() and dialog.focusWidget() is dialog.partner


def test_once_m12_has_closed_the_page_moves_on_to_the_next_year_and_keeps_the_last_to_look_back_on(window, demo_db):
    from datetime import date

    from jointlead.services.budget_month import close_period

    agreement_id = pool_position(demo_db).agreement_id
    budget_setup.start_next_year(demo_db, agreement_id, 2026)
    for period in range(8, 13):
        close_period(demo_db, agreement_id, 2026, period, today=date(2027, 4, 20), closing_without=("NFT", "NCC"))
    window.set_database(demo_db)
    window.show_page("Budgets")
    page = window.current_page()
    years = [page.year_choice.itemText(i) for i in range(page.year_choice.count())]
    assert years == ["2026-27", "2027-28 (current)"] and page.year_choice.isEnabled()
    assert page.year_choice.currentText() == "2027-28 (current)"
    assert page.position.year == FinancialYear(2027) and "start of 2027-28" in page.subtitle.text()
    assert page.close_button.text() == "Close &M1…" and page.close_button.isEnabled()
    assert window.as_at_label.text() == "2027-28: no month closed yet"

    page.year_choice.setCurrentIndex(0)
    page.year_choice.activated.emit(0)  # back to the year just ended, as at its last month
    assert page.position.year == FinancialYear(2026) and page.as_at.currentData() == 12
    assert not page.close_button.isEnabled() and page.unlock_button.isEnabled()
    settlement = page.year_end_summary.text()
    assert "Provisional" not in settlement and " pays " in settlement  # M12 closed: the settlement is final
    assert "Forecast" not in settlement and page.year_end.model.headerData(6, Qt.Orientation.Horizontal) == "Settlement"
    # And so is the outturn: actual, not forecast, in every word the page says of it.
    assert page.subtitle.text().endswith("Figures as at M12 2026-27; the actual outturn for the year, every month "
                                         "closed.")
    assert page.outturn_tile.detail_text().startswith("Actual for 2026-27, M12 closed; annual budget ")
    assert page.variance_tile.detail_text().startswith("Underspend -41.7% for the year, M12 closed; £4,035,458 returns "
                                                       "to NFT; £1,306,380 returns to NCC")
    lines, months = page.lines.model, page.months.model
    assert [lines.headerData(c, Qt.Orientation.Horizontal) for c in (7, 8)] == ["Actual\noutturn",
                                                                                "Full-year\nvariance"]
    assert months.headerData(months.columnCount() - 3, Qt.Orientation.Horizontal) == "Actual\noutturn"
    for words in (page.subtitle.text(), page.outturn_tile.detail_text(), page.variance_tile.detail_text(),
                  page.charts.risk_view.accessibleDescription(), page.charts.variance_view.accessibleDescription(),
                  page.charts.cumulative_view.accessibleDescription()):
        assert "forecast" not in words.lower(), words

    page.show_filtered(view="Lines")  # what a dashboard tile opens: the current year again
    assert page.position.year == FinancialYear(2027)


def cut_short(view) -> list[str]:
    """The headings and cells of a table view whose words do not fit them, so that Qt ends them in "…": on screen,
    and on paper, which draws the view as the screen does."""
    model, header = view.model(), view.horizontalHeader()
    bold = QFont(view.font())
    bold.setBold(True)
    found = []
    for column in range(model.columnCount()):
        heading = model.headerData(column, Qt.Orientation.Horizontal)
        padding = 2 * 6  # the theme's, either side of a heading
        if max(QFontMetrics(bold).horizontalAdvance(line) for line in heading.split("\n")) + padding > \
                header.sectionSize(column):
            found.append(heading)
        for row in range(model.rowCount()):
            index = model.index(row, column)
            text, room = index.data(), view.columnWidth(column)
            one_line = view.sizeHintForIndex(index).width()  # the words on one line, with the cell's margins
            margins = one_line - view.fontMetrics().horizontalAdvance(text)
            wrapped = (view.wordWrap() and view.sizeHintForRow(row) <= view.rowHeight(row)
                       and all(view.fontMetrics().horizontalAdvance(word) + margins <= room for word in text.split()))
            if one_line > room and not wrapped:
                found.append(text)
    return found


def test_no_heading_or_words_of_the_year_end_table_are_cut_short_and_no_gap_opens_under_it(make_window, demo_db,
                                                                                        qtbot):
    window = make_window(date(2027, 2, 20))  # NFT's own instalments overdue too: its settlement in most words
    window.resize(1280, 800)
    window.set_database(demo_db)
    window.show_page("Budgets")
    page = window.current_page()
    page.tabs.setCurrentWidget(page.year_end_tab)
    table = page.year_end
    assert table.model.row_at(0).words == ("NFT (host) would bear £14,215.14 within its own accounts and has "
                                           "£2,400,000 of its own contribution overdue")

    def as_tall_as_its_rows() -> bool:
        # And no taller: "Next year" had sat under a blank band as deep as two more rows.
        return table.view.mapTo(table, QPoint(0, table.view.height())).y() == table.height()

    qtbot.waitUntil(as_tall_as_its_rows, timeout=1000)
    assert cut_short(table.view) == []
    wide = table.view.width()
    window.resize(1093, 545)  # narrower: the words wrap onto more lines, and the table grows to show them
    qtbot.waitUntil(lambda: table.view.width() < wide, timeout=1000)
    qtbot.waitUntil(as_tall_as_its_rows, timeout=1000)
    assert cut_short(table.view) == []


def test_at_the_year_end_the_year_end_view_and_the_workbooks_settlement_agree_to_the_penny(make_window, demo_db,
                                                                                          tmp_path):
    import openpyxl

    from integration.test_packs import end_the_year, pence, table
    from jointlead.services.exports import export_budget

    end_the_year(demo_db)
    window = make_window(date(2027, 4, 20))
    window.set_database(demo_db)
    window.show_page("Budgets")
    page = window.current_page()
    page.year_choice.setCurrentIndex(page.year_choice.findData(2026))
    page.year_choice.activated.emit(page.year_choice.currentIndex())
    book = openpyxl.load_workbook(export_budget(demo_db, "NCC", tmp_path / "budget.xlsx").path)
    sheet = {row["Code"]: row for row in table(book["Year-end settlement"]) if row["Code"]}

    model = page.year_end.model
    assert model.rowCount() == len(sheet) == 2
    for r in range(model.rowCount()):
        shown = [model.index(r, c).data() for c in range(model.columnCount())]
        row = sheet[model.row_at(r).code]
        figures = (row["Contribution due"], row["Paid"], row["Not yet due"], row["Share of the variance"],
                   row["Balance"])
        assert shown[1:6] == [format_money(pence(v)) for v in figures]
        assert shown[6] == row["Settlement"]
    assert f"<b>{next(r['Settlement'] for r in sheet.values() if ' pays ' in r['Settlement'])}.</b>" in \
        page.year_end_summary.text()


def test_closing_a_month_moves_the_page_and_the_dashboard_on_to_it(window, demo_db, qtbot, messages):
    from conftest import DEMO_TODAY
    from jointlead.services.budget_month import unlock_period

    unlock_period(demo_db, None, 2026, 7, "Late NCC journal", today=DEMO_TODAY)
    window.set_database(demo_db)
    window.show_page("Budgets")
    page = window.current_page()
    page.as_at.setCurrentIndex(page.as_at.findData(6))  # chosen, though it is the last closed already
    page.as_at.activated.emit(page.as_at.currentIndex())
    assert "as at M6 2026-27" in page.subtitle.text()
    page.close_month()
    dialog = only(page, budget_dialogs.CloseDialog)
    assert dialog.without is None  # both partners' ledgers for M7 are in: nothing to close without
    # Two of the unmapped rows are in M7: the last chance to assign them before they are locked again.
    assert any(label.text().startswith("✘ 2 of those rows (") and "are in M7: assign them first" in label.text()
               for label in dialog.findChildren(budget_dialogs.QLabel))
    assert not any("M7 is not closed" in label.text() for label in dialog.findChildren(budget_dialogs.QLabel))
    save(dialog, qtbot)
    assert messages == []
    assert "as at M7 2026-27" in page.subtitle.text() and page.as_at.currentData() == 7
    window.show_page("Dashboard")
    assert window.dashboard.as_at.currentData() == 7


def test_closing_a_month_not_yet_over_says_from_when_before_the_checklist(page, messages):
    assert page.close_button.text() == "Close &M8…"  # 20 November: M8 is under way
    assert page.close_button.toolTip() == "M8 can be closed from 01 Dec 2026."
    page.close_month()
    assert len(messages) == 1 and "is not over until the end of 30 November 2026" in messages[0]
    assert "Close it from 1 December 2026" in messages[0]
    assert not [d for d in page.findChildren(budget_dialogs.CloseDialog) if d.isVisible()]


def test_an_earlier_month_unlocked_is_offered_to_close_again_and_then_the_next_month_is(page, demo_db, qtbot,
                                                                                         messages):
    import stored

    closes = "SELECT unlock_reason FROM period_close WHERE period = 5 ORDER BY id"
    before = stored.rows(demo_db, closes)
    page.unlock_month()
    dialog = only(page, budget_dialogs.UnlockDialog)
    dialog.period.setCurrentIndex(dialog.period.findData(5))  # M6 and M7 stay closed
    dialog.reason.setPlainText("Late journal from the council")
    save(dialog, qtbot)
    assert messages == []
    assert page.close_button.text() == "Close &M5…" and page.close_button.isEnabled()

    page.close_month()
    close = only(page, budget_dialogs.CloseDialog)
    assert "M5" in close.windowTitle()
    said = [label.text() for label in close.findChildren(budget_dialogs.QLabel)]
    assert "✔ M1 to M4 are closed: the actuals before M5 are agreed." in said
    assert not any("not closed" in text for text in said)  # neither M5 itself nor any earlier month
    save(close, qtbot)
    assert messages == []
    assert page.close_button.text() == "Close &M8…"  # Alt+M, whichever month it closes
    # A new close record; the earlier closes and their unlocks are kept.
    assert stored.rows(demo_db, closes) == [*before[:-1], ("Late journal from the council",), (None,)]
    assert page.frame.closed == frozenset(range(1, 8))


def test_the_unlock_reason_box_passes_tab_on_and_the_reason_is_kept_without_blanks(page, demo_db, qtbot, messages,
                                                                                    monkeypatch):
    import stored
    from jointlead.services import budget_month

    given = []
    unlock = budget_month.unlock_period
    monkeypatch.setattr(budget_month, "unlock_period", lambda *args, **kwargs: given.append(args[4]) or unlock(
        *args, **kwargs))
    page.unlock_month()
    dialog = only(page, budget_dialogs.UnlockDialog)
    dialog.reason.setFocus()
    qtbot.keyClicks(dialog.reason, "late journal")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Tab)
    assert dialog.reason.toPlainText() == "late journal"
    assert dialog.focusWidget() is dialog.buttons.button(budget_dialogs.QDialogButtonBox.StandardButton.Ok)
    dialog.reason.setPlainText("  late journal\t\n")
    save(dialog, qtbot)
    assert messages == []
    assert given == ["late journal"]
    assert stored.scalar(demo_db, "SELECT unlock_reason FROM period_close WHERE unlocked_on IS NOT NULL "
                                  "ORDER BY unlocked_on DESC, id DESC "
                                  "LIMIT 1") == "late journal"


def test_the_long_budget_forms_fit_a_small_screen_with_their_buttons_in_sight(page, qtbot):
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtWidgets import QDialogButtonBox

    from conftest import DEMO_TODAY

    budget_dialogs.AgreementDialog(page.editor, page, DEMO_TODAY).open()  # Set up a pooled budget
    page.lines.view.selectRow(1)
    page.map_codes()
    page.start_next_year()
    for kind, last in ((budget_dialogs.AgreementDialog, "limit"), (budget_dialogs.MappingDialog, "pattern"),
                       (budget_dialogs.RollForwardDialog, "balance")):
        dialog = only(page, kind)
        # A 1024x600 screen less its taskbar, or a 1366x768 laptop at 125% (614 logical pixels high).
        assert dialog.minimumHeight() + budget_dialogs.WINDOW_FRAME_HEIGHT <= 560, kind.__name__
        assert dialog.minimumWidth() <= 1000
        dialog.resize(dialog.minimumSize())
        qtbot.waitUntil(lambda d=dialog: d.size() == d.minimumSize())
        for button in dialog.buttons.buttons():  # whole, and in the dialog
            assert dialog.rect().contains(QRect(button.mapTo(dialog, QPoint(0, 0)), button.size())), button.text()
        field = getattr(dialog, last)
        assert dialog.focusWidget() is not dialog.rows_scroll  # a field has it, to type in
        if field.focusPolicy() & Qt.FocusPolicy.TabFocus:  # Tab reaches the last field, and it is scrolled to
            for _press in range(30):
                if dialog.focusWidget() is field:
                    break
                qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
            assert dialog.focusWidget() is field
        else:
            dialog.rows_scroll.ensureWidgetVisible(field)
        assert not field.visibleRegion().isEmpty()
        assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isVisible()
        dialog.reject()


def test_an_income_lines_variance_percent_reads_as_the_workbook_does_positive_for_an_overspend(page, demo_db):
    from jointlead.ui.budget_words import variance_percent

    income = next(line for line in pool_position(demo_db).lines if line.code == "MH16").figures
    assert income.annual_budget_pence < 0
    page.tabs.setCurrentWidget(page.lines_tab)
    model = page.lines.model
    row = next(r for r in range(model.rowCount()) if getattr(model.row_at(r), "code", None) == "MH16")
    for header, variance, basis_points in (
            ("Variance\nto date", income.ytd_variance, income.ytd_variance_basis_points),
            ("Forecast\nvariance", income.full_year_variance, income.full_year_variance_basis_points)):
        column = next(c for c in range(model.columnCount())
                      if model.headerData(c, Qt.Orientation.Horizontal) == header)
        tip = model.index(row, column).data(Qt.ItemDataRole.ToolTipRole)
        # The workbook holds the basis points and shows them as 0.0% (halves away from zero); the page says the
        # same, signed as the variance is: positive for an overspend.
        shown = (Decimal(basis_points) / 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        assert tip.startswith(f"{'-' if shown < 0 else '+'}{abs(shown)}% against"), (header, tip)
        assert (shown > 0) == (variance > 0) or shown == 0
    # Collecting half the income budgeted is an overspend: +50%, as the exports say, not -50%.
    assert variance_percent(500_000, -1_000_000) == "+50.0%"
    assert variance_percent(-500_000, -1_000_000) == "-50.0%"
    assert variance_percent(15, 10_000) == "+0.2%" and variance_percent(-15, 10_000) == "-0.2%"  # halves away
    assert variance_percent(5, 0) == ""


def test_an_earlier_month_shows_its_budgets_as_it_closed_on_to_look_back_on_not_to_change(page):
    page.as_at.setCurrentIndex(page.as_at.findData(3))
    page.as_at.activated.emit(page.as_at.currentIndex())
    assert "as at M3 2026-27" in page.subtitle.text()
    assert ("The budgets and forecasts are as they stood when M3 closed, without the virement made since."
            in page.subtitle.text())
    mh10 = next(line for line in page.position.lines if line.code == "MH10")
    assert mh10.figures.annual_budget_pence == 147_000_000  # September's £40,000 from MH01 left out
    assert [page.virements.model.row_at(r).from_code for r in range(page.virements.model.rowCount())] == ["MH02"]
    page.tabs.setCurrentWidget(page.months_tab)
    model = page.months.model
    assert not any(model.index(row, column).flags() & Qt.ItemFlag.ItemIsEditable
                   for row in range(model.rowCount()) for column in range(model.columnCount()))
    assert "to change an open month, show the figures as at M7 Oct" in page.months_hint.text()

    page.as_at.setCurrentIndex(page.as_at.findData(7))
    page.as_at.activated.emit(page.as_at.currentIndex())
    assert "as they stood" not in page.subtitle.text() and page.virements.model.rowCount() == 2
    assert page.months.model.index(0, 12).flags() & Qt.ItemFlag.ItemIsEditable  # M11, open


def _import_valid_rows(database, folder, name: str, partner: str, rows: list[tuple]) -> None:
    """A partner's extract of (cost centre, period, transaction id, amount) rows, its valid rows imported as the
    manager who ticks "Import the valid rows" does: an amount that is no amount of money is a row rejected."""
    import openpyxl

    from jointlead.services.imports import apply_import, preview_ledger_import

    workbook = openpyxl.Workbook()
    workbook.active.title = "Detail"
    workbook.active.append(["Cost Centre", "Subjective", "Period", "Transaction", "Description", "Amount"])
    for centre, period, ref, amount in rows:
        workbook.active.append([centre, "5101", period, ref, "Posting", amount])
    workbook.save(folder / name)
    apply_import(database, preview_ledger_import(database, folder / name, partner, year=FinancialYear(2026)),
                 accept_valid=True)


def test_the_close_checklist_says_a_row_was_not_imported_and_that_closed_months_rows_wait_on_an_unlock(
        window, demo_db, qtbot, tmp_path, messages):
    from conftest import DEMO_TODAY
    from jointlead.services.budget_month import unlock_period

    # A late NCC journal for M7, sent with one row its ledger wrote wrongly: the valid row is imported.
    unlock_period(demo_db, None, 2026, 7, "Late NCC journal", today=DEMO_TODAY)
    _import_valid_rows(demo_db, tmp_path, "NCC late M7.xlsx", "NCC", [("ZZ900", 7, "LATE-1", 500),
                                                                       ("ZZ900", 7, "LATE-2", "163.5.7")])
    window.set_database(demo_db)
    window.show_page("Budgets")
    page = window.current_page()
    page.close_month()
    dialog = only(page, budget_dialogs.CloseDialog)
    said = [label.text() for label in dialog.findChildren(budget_dialogs.QLabel)]
    assert any(text.startswith("✘ Ledger rows not imported: 1 row of NCC's extract for M7 (NCC late M7.xlsx, "
                               "imported on ") for text in said)
    assert not any("Every partner's ledger is loaded" in text for text in said)
    # The rows of M1 to M6 are in closed months: they cannot be assigned until those are unlocked.
    assert ("✘ 15 ledger rows of M1 to M7 (£13,180.09 net) match no budget line and count towards nothing; 12 are in "
            "closed months, which must be unlocked to assign them.") in said
    assert not any("until assigned" in text for text in said)
    save(dialog, qtbot)  # the manager may close the month all the same
    assert messages == [] and 7 in page.frame.closed


def test_the_actual_to_date_tile_counts_the_unmapped_rows_of_the_month_chosen(window, demo_db, tmp_path):
    # NFT's M8 extract is in, M8 not closed: two more rows no line takes, all on the Unmapped rows tab.
    _import_valid_rows(demo_db, tmp_path, "NFT M8.xlsx", "NFT", [("ZZ100", 8, "JNL-1", 1_000),
                                                                 ("ZZ100", 8, "JNL-2", 2_000)])
    window.set_database(demo_db)
    window.show_page("Budgets")
    page = window.current_page()
    assert page.tabs.tabText(page.tabs.indexOf(page.unmapped_tab)) == "Unmapped ro&ws (16)"
    page.as_at.setCurrentIndex(page.as_at.findData(8))
    page.as_at.activated.emit(page.as_at.currentIndex())
    assert page.actual_tile.detail_text().endswith("; 16 unmapped ledger rows (£15,680) not included")
    page.as_at.setCurrentIndex(page.as_at.findData(7))
    page.as_at.activated.emit(page.as_at.currentIndex())
    assert page.actual_tile.detail_text().endswith("; 14 unmapped ledger rows of M1 to M7 (£12,680) not included")
    assert page.tabs.tabText(page.tabs.indexOf(page.unmapped_tab)) == "Unmapped ro&ws (16)"


def test_a_pool_on_budget_with_shares_shows_them_on_its_variance_tile_and_chart(make_window, empty_db):
    """On budget, and still AAA's fixed-share line £1,200 over and BBB's line as much under: the shares are said."""
    from ui.test_dashboard import pool_on_budget_with_shares

    pool_on_budget_with_shares(empty_db)
    window = make_window(date(2026, 5, 20))
    window.set_database(empty_db)
    window.show_page("Budgets")
    page = window.current_page()

    assert page.variance_tile.value_text() == "£0"
    # Which way each share goes, in words (it read "shared AAA £300 · BBB -£300", the sign left to be read).
    assert page.variance_tile.detail_text() == ("On budget +0.0% forecast for the year; AAA bears a net £300; £300 "
                                                "returns to BBB")
    assert page.charts.risk_view.accessibleDescription().startswith("Who bears what, with the pool forecast on "
                                                                    "budget")
    assert [label.text() for label in page.charts.risk_labels] == ["-£300", "£300"]


def test_an_instalment_overdue_on_the_pages_day_is_said_apart_and_stays_in_the_balance(make_window, demo_db):
    from jointlead.services.reconciliation import year_end_reconciliation

    # A month on from the demo's today the December instalments are due, and none is recorded as received.
    later = date(2026, 12, 20)
    window = make_window(later)
    window.set_database(demo_db)
    window.show_page("Budgets")
    page = window.current_page()
    partners = {p.code: p for p in year_end_reconciliation(demo_db, today=later).reconciliation.partners}

    assert partners["NCC"].overdue_pence > 0
    overdue = ", ".join(f"{code} {format_money(p.overdue_pence)}" for code, p in partners.items() if p.overdue_pence)
    assert f"<b>Overdue now:</b> {overdue}, expected by today and not received." in page.year_end_summary.text()
    model = page.year_end.model
    council = next(r for r in range(model.rowCount()) if model.row_at(r).code == "NCC")
    assert model.index(council, 3).data() == format_money(partners["NCC"].not_yet_due_pence)
    assert model.index(council, 5).data() == format_money(partners["NCC"].balance_pence)


def test_at_1280_by_800_the_unmapped_rows_show_every_column_and_each_description_whole(window, demo_db, qtbot,
                                                                                        tmp_path):
    """The description says what a row is, which the manager reads to choose its line: each is whole, with every
    column in sight. Source gives way (whole in its tooltip): its file is mostly the partner and month again."""
    for path, partner in zip(write_next_month_extracts(tmp_path / "extracts"), ("NFT", "NCC"), strict=True):
        imports.apply_import(demo_db, imports.preview_ledger_import(demo_db, path, partner, year=FinancialYear(2026)))
    window.resize(1280, 800)
    window.set_database(demo_db)
    window.show_page("Budgets")
    page = window.current_page()
    page.tabs.setCurrentWidget(page.unmapped_tab)
    view = page.unmapped.view
    qtbot.waitUntil(lambda: view.isVisible() and view.model().rowCount() == 16)
    qtbot.wait(300)  # the columns are fitted to the rows once they are laid out
    descriptions = {page.unmapped.model.row_at(row).description for row in range(16)}
    assert view.horizontalScrollBar().maximum() == 0  # every column in sight
    assert [text for text in cut_short(view) if text in descriptions] == []  # each whole
    assert view.model().index(1, len(UNMAPPED_COLUMNS) - 1).data().startswith("row 71 of NFT ledger M08")


def test_at_1280_by_800_each_views_buttons_are_in_sight_and_its_letter_takes_the_keyboard_to_its_rows(window,
                                                                                                      demo_db, qtbot):
    """Assign to a line… is the Unmapped rows tab's one gesture: under the table it was below the window's edge
    until the page was scrolled; and Alt+W from the page list left the keyboard there, a dozen Tabs from the rows."""
    window.resize(1280, 800)
    window.show()
    window.set_database(demo_db)
    window.show_page("Budgets")
    page = window.current_page()
    window.navigation.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: page.tabs.currentWidget() is page.unmapped_tab)
    assert QApplication.focusWidget() is page.unmapped.view
    for tab in (page.lines_tab, page.unmapped_tab, page.contributions_tab, page.virements_tab):
        page.tabs.setCurrentWidget(tab)
        qtbot.wait(50)
        for button in tab.buttons:
            bottom_right = button.mapTo(window, QPoint(button.width(), button.height()))
            assert button.isVisible() and bottom_right.y() < window.statusBar().y(), button.text()


def test_a_page_opened_from_the_page_list_leaves_the_keyboard_there(window, demo_db, qtbot):
    """Only choosing a view takes the keyboard to its rows: a page built as it first shows, or one filled out of
    sight, had taken it from the page list, leaving it nowhere."""
    window.show()
    window.set_database(demo_db)
    for title in ("Budgets", "Actions", "Supervision"):
        window.navigation.setFocus()
        window.show_page(title)
        qtbot.wait(20)
        assert QApplication.focusWidget() is window.navigation, title
