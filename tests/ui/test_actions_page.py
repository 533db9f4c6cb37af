"""The Actions page as a board secretary uses it: add by keyboard, update, move a date, filter, undo."""

from __future__ import annotations

import gc
from datetime import date

import pytest
from driving import only, save
from mnemonics import clashes, mnemonics

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox, QPushButton

from jointlead.domain.actions import ActionStatus
from jointlead.services import actions
from jointlead.ui import actions_dialogs
from jointlead.ui.page import day_text

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
    assert page.title == "Actions" and page.due.currentText() == "Overdue"
    shown = [page.table.model.row_at(r) for r in range(page.table.model.rowCount())]
    assert shown and all(r.overdue for r in shown)
    assert len(shown) == int(window.dashboard.tiles["Overdue actions"].value_text())
    page.organisation.setCurrentIndex(page.organisation.findData("NCC"))
    page.organisation.activated.emit(page.organisation.currentIndex())
    assert all(page.table.model.row_at(r).organisation == "NCC" for r in range(page.table.model.rowCount()))


@pytest.mark.parametrize("tile", ["Open actions", "Overdue actions", "Due in the next 14 days"])
def test_each_action_tile_opens_a_list_of_what_it_counts_whatever_was_chosen_before(window, demo_db, qtbot, tile):
    window.set_database(demo_db)
    window.show_page("Actions")
    page = window.current_page()
    page.owner.setCurrentIndex(1)  # filters and a search left from earlier work on the page
    page.owner.activated.emit(1)
    page.table.search.setText("zzz")
    window.show_page("Dashboard")
    qtbot.mouseClick(window.dashboard.tiles[tile], Qt.MouseButton.LeftButton)
    assert window.current_page() is page
    shown = [page.table.model.row_at(r).reference for r in range(page.table.model.rowCount())]
    figures = actions.action_figures(demo_db, TODAY)
    counted = {"Open actions": figures.still_open, "Overdue actions": figures.overdue,
               "Due in the next 14 days": len(figures.due_soon)}[tile]
    assert len(shown) == counted == int(window.dashboard.tiles[tile].value_text()) > 0
    if tile == "Due in the next 14 days":
        assert sorted(shown) == sorted(r.reference for r in figures.due_soon)


def test_a_meeting_shows_what_changed_since_the_last_one(page):
    page.tabs.setCurrentIndex(1)
    page.meetings.view.selectRow(0)
    text = page.meeting_detail.text()
    assert "Changed since" in text and "carried over" in text
    assert "Agreed at this meeting" in text and "Open actions to review" in text
    # The lists give each action as it is now, not as it was at the meeting: said, so "Complete" beside an action
    # counted as changed is not read as a contradiction (on paper above all).
    assert f"Each action's status and due date are as on {day_text(page.today)}." in text


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
    assert dialog.focusWidget() is dialog.words  # its first field, the update's words
    dialog.reject()


# --- editing and removing an action, and the panel that says what the buttons act on --------------------------------

def _choose(page, reference: str):
    """Choose the action on the list (under Everything, so any status shows), as a click on its row does."""
    page.status.setCurrentIndex(page.status.findText("Everything"))
    page.status.activated.emit(page.status.currentIndex())
    row = next(r for r in range(page.table.model.rowCount()) if page.table.model.row_at(r).reference == reference)
    page.table.view.selectRow(row)
    return page.table.current_row()


def _shown_references(page) -> list[str]:
    return [page.table.model.row_at(r).reference for r in range(page.table.model.rowCount())]


def test_an_actions_title_owner_and_priority_are_changed_in_the_window_and_undone(window, page, demo_db, qtbot,
                                                                                  messages):
    from PySide6.QtWidgets import QPushButton

    page.table.view.selectRow(0)
    row = page.table.current_row()
    edit = next(b for b in page.findChildren(QPushButton) if b.accessibleName() == "Edit action…")
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    dialog = only(page, actions_dialogs.EditActionDialog)
    assert dialog.title.text() == row.title and dialog.owner.currentData() == row.owner_id
    other = next(dialog.owner.itemData(i) for i in range(1, dialog.owner.count())
                 if dialog.owner.itemData(i) != row.owner_id)
    dialog.title.setText("Agree the risk reserve with both finance directors")
    dialog.owner.setCurrentIndex(dialog.owner.findData(other))
    dialog.priority.setCurrentIndex(dialog.priority.findData("high"))
    dialog.detail.setPlainText("Both directors sign the reserve level off.")
    save(dialog, qtbot)
    assert messages == [] and not dialog.isVisible()
    found = actions.action_detail(demo_db, row.id, TODAY)
    assert found.row.title == "Agree the risk reserve with both finance directors"
    assert found.row.owner_id == other and found.row.priority == "high"
    assert found.detail == "Both directors sign the reserve level off."
    assert "Agree the risk reserve with both finance directors" in page.detail.text()

    window.undo_stack.undo()
    back = actions.action_detail(demo_db, row.id, TODAY).row
    assert (back.title, back.owner_id, back.priority) == (row.title, row.owner_id, row.priority)


def test_an_edit_is_refused_when_someone_else_changed_the_action_first(page, demo_db, qtbot, messages):
    page.table.view.selectRow(0)
    row = page.table.current_row()
    page.edit_action()
    dialog = only(page, actions_dialogs.EditActionDialog)
    actions.edit_action(demo_db, row.id, title="Changed on another computer")
    dialog.title.setText("Changed here")
    save(dialog, qtbot)
    assert messages  # said, not overwritten
    assert actions.action_detail(demo_db, row.id, TODAY).row.title == "Changed on another computer"


def test_a_removal_is_refused_when_someone_else_changed_the_action_first(page, demo_db, monkeypatch, messages):
    from PySide6.QtWidgets import QMessageBox

    page.table.view.selectRow(0)
    row = page.table.current_row()
    actions.edit_action(demo_db, row.id, title="Changed on another computer")
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *_a, **_kw: QMessageBox.StandardButton.Yes))
    page.remove_action()
    assert "changed" in messages[-1].lower()  # said, not removed
    assert actions.action_detail(demo_db, row.id, TODAY).row.title == "Changed on another computer"


def test_removing_an_action_asks_first_and_undo_puts_it_back_with_its_updates(window, page, demo_db, monkeypatch,
                                                                             messages):
    from PySide6.QtWidgets import QMessageBox

    row = next(r for r in actions.action_log(demo_db, TODAY) if r.updates and r.is_open)
    page.select_action(row.id)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *args, **_kw: asked.append(args[2]) or QMessageBox.StandardButton.No))
    page.remove_action()
    assert row.reference in asked[0] and "Cancelled" in asked[0]  # it says what to do instead
    assert any(r.id == row.id for r in actions.action_log(demo_db, TODAY))  # No: nothing happened

    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *_a, **_kw: QMessageBox.StandardButton.Yes))
    page.remove_action()
    assert messages == []
    assert all(r.reference != row.reference for r in actions.action_log(demo_db, TODAY))
    assert row.reference not in _shown_references(page)
    assert row.reference not in page.detail.text()  # the panel no longer describes it
    page.add_update()
    assert not page.findChildren(actions_dialogs.UpdateDialog) and "Choose an action" in messages[-1]

    window.undo_stack.undo()
    back = next(r for r in actions.action_log(demo_db, TODAY) if r.reference == row.reference)
    assert back.updates == row.updates and back.title == row.title


def test_a_completed_action_leaves_the_open_list_but_the_panel_shows_it_completed(page, demo_db, qtbot, messages):
    """Under "Open or in progress" a completed action's row goes; the panel said "In progress · RAG Red" and the
    buttons silently did nothing. Now it shows what it is now, and the buttons still act on it (to reopen it)."""
    row = next(r for r in actions.action_log(demo_db, TODAY) if r.status == ActionStatus.IN_PROGRESS and r.overdue)
    page.select_action(row.id)
    page.change_status()
    dialog = only(page, actions_dialogs.StatusDialog)
    dialog.status.setCurrentIndex(dialog.status.findData(ActionStatus.COMPLETE.value))
    save(dialog, qtbot)
    assert messages == []
    assert row.reference not in _shown_references(page)
    text = page.detail.text()
    assert row.reference in text and "<b>Complete</b>" in text and "RAG Blue" in text
    assert "In progress</b>" not in text and "Not in the list as filtered" in text

    page.change_status()  # still acts on it: reopen
    dialog = only(page, actions_dialogs.StatusDialog)
    assert dialog.row.id == row.id and dialog.row.status == ActionStatus.COMPLETE
    dialog.status.setCurrentIndex(dialog.status.findData(ActionStatus.IN_PROGRESS.value))
    save(dialog, qtbot)
    assert page.table.current_row().id == row.id  # back in the list, and chosen there again
    assert "Not in the list" not in page.detail.text()


@pytest.mark.parametrize("gesture", ["add_update", "change_status", "revise_due", "set_rag", "edit_action",
                                     "remove_action"])
def test_with_no_action_chosen_the_buttons_say_what_to_choose(page, messages, gesture):
    assert page.table.current_row() is None
    getattr(page, gesture)()
    assert messages and "Choose an action first" in messages[0]
    assert not page.findChildren(actions_dialogs.FormDialog)


def test_the_completion_date_and_evidence_are_open_only_for_complete_and_evidence_is_never_dropped(page, demo_db,
                                                                                                   qtbot, messages):
    row = next(r for r in actions.action_log(demo_db, TODAY) if r.status == ActionStatus.OPEN)
    page.select_action(row.id)
    page.change_status()
    dialog = only(page, actions_dialogs.StatusDialog)
    dialog.status.setCurrentIndex(dialog.status.findData(ActionStatus.IN_PROGRESS.value))
    assert not dialog.completed_on.isEnabled() and not dialog.evidence.isEnabled()
    dialog.status.setCurrentIndex(dialog.status.findData(ActionStatus.COMPLETE.value))
    assert dialog.completed_on.isEnabled() and dialog.evidence.isEnabled()
    dialog.evidence.setText("Signed-off minutes")
    dialog.status.setCurrentIndex(dialog.status.findData(ActionStatus.IN_PROGRESS.value))
    assert not dialog.completed_on.isEnabled()
    assert dialog.evidence.isEnabled()  # it holds words that would not be kept: in sight, and can be cleared
    save(dialog, qtbot)
    assert messages and "Evidence is kept only" in messages[0] and dialog.isVisible()
    assert actions.action_detail(demo_db, row.id, TODAY).row.status == ActionStatus.OPEN  # nothing saved
    dialog.evidence.clear()
    assert not dialog.evidence.isEnabled()
    messages.clear()
    save(dialog, qtbot)
    assert messages == [] and actions.action_detail(demo_db, row.id, TODAY).row.status == ActionStatus.IN_PROGRESS


def test_the_update_dialog_opens_in_its_words_so_typing_writes_the_update(page, demo_db, qtbot, messages):
    page.table.view.selectRow(0)
    row = page.table.current_row()
    page.add_update()
    dialog = only(page, actions_dialogs.UpdateDialog)
    qtbot.keyClicks(dialog.focusWidget(), "Chased finance 3 times")
    assert dialog.words.toPlainText() == "Chased finance 3 times"
    assert dialog.on.date().toPython() == TODAY
    save(dialog, qtbot)
    assert messages == []
    found = actions.action_detail(demo_db, row.id, TODAY)
    assert (found.updates[-1].text, found.updates[-1].on) == ("Chased finance 3 times", TODAY)


def test_one_enter_in_status_or_rag_changes_nothing_nobody_chose(page, demo_db, qtbot, messages):
    row = next(r for r in actions.action_log(demo_db, TODAY) if r.status == ActionStatus.IN_PROGRESS)
    _choose(page, row.reference)
    page.change_status()
    dialog = only(page, actions_dialogs.StatusDialog)
    assert dialog.status.currentData() is None  # it started at Open: one Enter set the action back to it
    qtbot.keyClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.Key.Key_Space)
    assert "Choose the new status." in messages[-1] and dialog.isVisible()
    dialog.reject()

    overridden = next(r for r in actions.action_log(demo_db, TODAY) if r.rag_overridden and r.is_open)
    _choose(page, overridden.reference)
    page.set_rag()
    dialog = only(page, actions_dialogs.RagDialog)
    assert dialog.rag.currentData() == overridden.rag.value  # it started at the usual rule: Enter removed the RAG set
    save(dialog, qtbot)
    assert dialog.isVisible()
    after = {r.id: r for r in actions.action_log(demo_db, TODAY)}
    assert after[row.id].status == ActionStatus.IN_PROGRESS
    assert (after[overridden.id].rag, after[overridden.id].rag_overridden) == (overridden.rag, True)


def test_a_rag_set_by_hand_on_a_completed_action_is_refused_in_words(page, demo_db, qtbot, messages):
    row = next(r for r in actions.action_log(demo_db, TODAY) if r.status == ActionStatus.COMPLETE)
    _choose(page, row.reference)
    page.set_rag()
    dialog = only(page, actions_dialogs.RagDialog)
    assert "counts only while an action is open" in " ".join(
        label.text() for label in dialog.findChildren(actions_dialogs.QLabel))
    dialog.rag.setCurrentIndex(dialog.rag.findData("red"))
    dialog.reason.setText("Board not satisfied")
    save(dialog, qtbot)
    assert messages and "stays blue" in messages[0] and dialog.isVisible()
    assert actions.action_detail(demo_db, row.id, TODAY).row.rag_overridden is False


def test_tab_from_the_action_log_reaches_edit_and_remove(window, page):
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QPushButton

    page.table.view.setFocus()
    reached = []
    for _ in range(20):
        QTest.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
        widget = window.focusWidget()
        if isinstance(widget, QPushButton):
            reached.append(widget.accessibleName() or widget.text())
        if widget is page.table.view:
            break
    assert "Edit action…" in reached and "Remove action…" in reached


def test_an_owner_is_found_by_typing_part_of_their_name_and_a_name_nobody_has_is_refused(page, demo_db, qtbot,
                                                                                         messages):
    before = len(actions.action_log(demo_db, TODAY))
    page.new_owner.setEditText("Nobody Atall")  # as typed (the completer's pop-up aside)
    qtbot.keyClicks(page.new_title, "Agree the hospital discharge protocol")
    qtbot.keyClick(page.new_title, Qt.Key.Key_Return)
    assert messages == ["Nobody recorded is called 'Nobody Atall'. Type part of their name and pick them from the "
                        "list."]
    assert len(actions.action_log(demo_db, TODAY)) == before and page.new_title.text() != ""

    page.new_owner.setEditText("kwame")
    qtbot.keyClick(page.new_title, Qt.Key.Key_Return)
    added = next(r for r in actions.action_log(demo_db, TODAY) if r.title == "Agree the hospital discharge protocol")
    assert added.owner == "Kwame James"

    page.select_action(added.id)
    page.edit_action()
    dialog = only(page, actions_dialogs.EditActionDialog)
    assert dialog.owner.currentText() == "Kwame James (NFT)"
    dialog.owner.setEditText("No owner")
    save(dialog, qtbot)
    assert messages[1:] == [] and actions.action_detail(demo_db, added.id, TODAY).row.owner_id is None


def test_a_search_or_filters_that_match_nothing_say_so_instead_of_a_blank_grid(page):
    total = page.table.model.total_rows
    page.table.search.setText("zzzz")
    assert page.table.none_match.isVisibleTo(page)
    assert page.table.none_match.text() == (f"None of the {total} actions match the search. To see them, clear the "
                                            "search.")
    page.table.search.clear()
    assert page.table.view.isVisibleTo(page)
    page.organisation.setCurrentIndex(page.organisation.findData("NCC"))
    page.organisation.activated.emit(page.organisation.currentIndex())
    page.table.search.setText(page.table.model.row_at(0).title)  # an NCC action: found, so the search is not
    page.organisation.setCurrentIndex(page.organisation.findData("NFT"))  # to blame, nor NFT's alone, but both
    page.organisation.activated.emit(page.organisation.currentIndex())
    assert page.table.none_match.text().startswith(f"None of the {total} actions match the search and the filters "
                                                   "chosen. To see them, clear the search and choose All")


@pytest.mark.parametrize("tab", ["Action log", "Meetings"])
def test_each_button_and_tab_of_the_actions_page_has_an_alt_letter_of_its_own_clear_of_the_menus(window, page, tab):
    page.tabs.setCurrentIndex([page.tabs.tabText(i).replace("&", "") for i in range(page.tabs.count())].index(tab))
    on_page = mnemonics(page)
    buttons = [b.text().replace("&", "") for b in page.findChildren(QPushButton) if b.isVisibleTo(page)]
    assert len(buttons) == (7 if tab == "Action log" else 1)
    assert [text for text in ["Action log", "Meetings", *buttons] if not on_page[text]] == []  # each has a letter
    assert clashes(mnemonics(window)) == []  # and none shares its letter with anything else in sight


def test_alt_u_opens_the_update_of_the_action_chosen_without_tabbing_to_it(window, page, demo_db, qtbot):
    from PySide6.QtTest import QTest

    row = next(r for r in actions.action_log(demo_db, TODAY) if r.is_open)
    page.select_action(row.id)
    page.table.view.setFocus()
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: bool(window.findChildren(actions_dialogs.UpdateDialog)))
    assert only(window, actions_dialogs.UpdateDialog).windowTitle() == f"Update on {row.reference}"


def _in_sight(table) -> list[str]:
    """The headings of the columns shown wholly inside the table's viewport, left to right."""
    view, header = table.view, table.view.horizontalHeader()
    return [table.model.columns[column].header for column in range(header.count())
            if not header.isSectionHidden(column) and header.sectionViewportPosition(column) >= 0
            and header.sectionViewportPosition(column) + header.sectionSize(column) <= view.viewport().width()]


def test_on_a_laptop_the_action_column_gets_the_room_with_due_status_and_owner_in_sight(window, page):
    from PySide6.QtWidgets import QApplication

    from jointlead.ui.actions_page import TITLE_FLOOR

    headers = [column.header for column in page.table.model.columns]
    for size, wanted in (((1280, 800), ["Ref", "RAG", "Action", "Due", "Status", "Owner"]),
                         ((1024, 640), ["Ref", "RAG", "Action", "Due", "Status"])):
        window.resize(*size)
        for _ in range(3):
            QApplication.processEvents()
        assert _in_sight(page.table)[:len(wanted)] == wanted, size
        # About 30 characters of a title, where 160 pixels showed 20 beside a history panel a third of the width.
        assert page.table.view.columnWidth(headers.index("Action")) >= TITLE_FLOOR, size
    owner = headers.index("Owner")
    model = page.table.model
    cut = [row for row in range(model.rowCount()) if page.table.view.fontMetrics().horizontalAdvance(
        model.index(row, owner).data()) > page.table.view.columnWidth(owner)]
    assert cut  # a long name is cut short in the list, and whole in its tooltip
    assert all(model.index(row, owner).data(Qt.ItemDataRole.ToolTipRole) == model.index(row, owner).data()
               for row in cut)
