"""The Actions page as a board secretary uses it: add by keyboard, update, move a date, filter, undo."""

from __future__ import annotations

import gc
from datetime import date

import pytest
from driving import only, save

from PySide6.QtCore import QDate, Qt

from jointlead.domain.actions import ActionStatus
from jointlead.services import actions
from jointlead.ui import actions_dialogs

TODAY = date(2026, 11, 20)



@pytest.fixture
def page(window, demo_db):
    window.set_database(demo_db)
    window.show_page("Actions")
    return window.current_page()


def test_an_action_is_added_by_keyboard_updated_moved_and_undone(window, page, demo_db, qtbot, messages):
    before = len(actions.action_log(demo_db, TODAY))
    page.new_owner.setCurrentIndex(3)
    page.new_meeting.setCurrentIndex(1)
    page.new_due.setDate(QDate(2027, 1, 15))
    qtbot.keyClicks(page.new_title, "Agree the winter discharge pathway")
    qtbot.keyClick(page.new_title, Qt.Key.Key_Return)
    assert messages == []
    log = actions.action_log(demo_db, TODAY)
    assert len(log) == before + 1
    added = next(r for r in log if r.title == "Agree the winter discharge pathway")
    assert page.table.current_row().id == added.id and page.new_title.text() == ""
    assert added.reference == f"A-{max(int(r.reference[2:]) for r in log):04d}"

    page.add_update()
    dialog = only(page, actions_dialogs.UpdateDialog)
    dialog.words.setPlainText('=HYPERLINK("http://example.org")')  # stays text
    save(dialog, qtbot)
    page.revise_due()
    dialog = only(page, actions_dialogs.DueDateDialog)
    dialog.new_due.setDate(QDate(2027, 2, 1))
    dialog.reason.setText("Waiting for the council's capacity figures")
    save(dialog, qtbot)
    assert messages == []
    found = actions.action_detail(demo_db, added.id, TODAY)
    assert found.row.due == date(2027, 2, 1) and found.row.original_due == date(2027, 1, 15)
    assert found.updates[-1].text == '=HYPERLINK("http://example.org")'
    assert "Waiting for the council" in page.detail.text()

    window.undo_stack.undo()  # the due date goes back, the original never moved
    assert actions.action_detail(demo_db, added.id, TODAY).row.due == date(2027, 1, 15)


def test_completing_needs_nothing_more_but_cancelling_needs_a_reason(page, demo_db, qtbot, messages):
    page.table.view.selectRow(0)
    row = page.table.current_row()
    page.change_status()
    dialog = only(page, actions_dialogs.StatusDialog)
    dialog.status.setCurrentIndex(dialog.status.findData(ActionStatus.CANCELLED.value))
    save(dialog, qtbot)
    assert messages and dialog.isVisible()  # refused, explained, still open to fix
    dialog.status.setCurrentIndex(dialog.status.findData(ActionStatus.COMPLETE.value))
    dialog.evidence.setText("Minutes of 19 Nov")
    save(dialog, qtbot)
    assert actions.action_detail(demo_db, row.id, TODAY).row.status == ActionStatus.COMPLETE


def test_the_filters_work_in_the_model_and_the_overdue_tile_opens_them(window, demo_db, qtbot):
    window.set_database(demo_db)
    qtbot.mouseClick(window.dashboard.tiles["Overdue actions"], Qt.MouseButton.LeftButton)
    page = window.current_page()
    assert page.title == "Actions" and page.overdue.isChecked()
    shown = [page.table.model.row_at(r) for r in range(page.table.model.rowCount())]
    assert shown and all(r.overdue for r in shown)
    assert len(shown) == int(window.dashboard.tiles["Overdue actions"].value_text())
    page.organisation.setCurrentIndex(page.organisation.findData("NCC"))
    page.organisation.activated.emit(page.organisation.currentIndex())
    assert all(page.table.model.row_at(r).organisation == "NCC" for r in range(page.table.model.rowCount()))


def test_a_meeting_shows_what_changed_since_the_last_one(page):
    page.tabs.setCurrentIndex(1)
    page.meetings.view.selectRow(0)
    text = page.meeting_detail.text()
    assert "Changed since" in text and "carried over" in text
    assert "Agreed at this meeting" in text and "Open actions to review" in text


def test_a_tracker_goes_out_through_file_export_and_comes_back_with_a_conflict_decided(window, demo_db, qtbot,
                                                                                        tmp_path, messages):
    import openpyxl

    from jointlead.ui.export_dialog import EXPORTS, ExportDialog
    from jointlead.ui.tracker_import_dialog import REJECT, UNDECIDED, TrackerImportDialog

    window.set_database(demo_db)
    window.export_action.trigger()
    dialog = window.findChild(ExportDialog)
    dialog.what.setCurrentIndex([kind.label for kind in EXPORTS].index("Action tracker"))
    dialog.organisation.setCurrentIndex(dialog.organisation.findData("NFT"))
    out = tmp_path / "nft tracker.xlsx"
    dialog.path.setText(str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.findChildren(ExportDialog) and str(out) in window.statusBar().currentMessage())

    log = {r.reference: r for r in actions.action_log(demo_db, TODAY)}
    actions.change_status(demo_db, log["A-0011"].id, "in progress", today=TODAY)  # changed here after the export
    book = openpyxl.load_workbook(out)
    sheet = book.worksheets[1] if book.worksheets[0].title == "Cover" else book.worksheets[0]
    headers = {cell.value: cell.column for cell in sheet[1]}
    rows = {cell.value: cell.row for cell in sheet["A"]}
    sheet.cell(rows["A-0011"], headers["New status"], "Cancelled")
    sheet.cell(rows["A-0011"], headers["New update"], "No longer needed")
    sheet.cell(rows["A-0019"], headers["New update"], "=SUM(A1:A2)")
    book.save(out)

    window.tracker_action.trigger()
    importer = window.findChild(TrackerImportDialog)
    importer.load(out)
    lines = [importer.table.model.row_at(r) for r in range(importer.table.model.rowCount())]
    assert {line.decision for line in lines if line.change.reference == "A-0011"} == {UNDECIDED}
    assert not importer.import_button.isEnabled()  # nothing goes in until every conflict is decided
    for row, line in enumerate(lines):
        if line.change.conflict:
            importer.table.view.selectRow(row)
            importer.decide(False)
    assert {importer.table.model.row_at(r).decision for r in range(len(lines))
            if importer.table.model.row_at(r).change.reference == "A-0011"} == {REJECT}
    qtbot.mouseClick(importer.import_button, Qt.MouseButton.LeftButton)
    assert messages == []
    after = {r.reference: r for r in actions.action_log(demo_db, TODAY)}
    assert after["A-0011"].status == ActionStatus.IN_PROGRESS  # the change made here stood
    assert after["A-0019"].latest_update == "=SUM(A1:A2)"  # the formula came back as text


def test_an_open_dialog_outlives_pythons_garbage_collector(page):
    """A dialog held only by its page (as every dialog opened from a page is) must stay open until closed: it was
    once left owned by its own field, and a garbage collection while it was open destroyed it (or crashed)."""
    page.table.view.selectRow(0)
    page.add_update()
    gc.collect()
    dialog = only(page, actions_dialogs.UpdateDialog)
    assert dialog.focusWidget() is dialog.on  # its first field, as before
    dialog.reject()
