"""The action tracker import dialog as a manager uses it: a tracker exported from the demo, edited in Excel the way
owners do (openpyxl here), read back in the real dialog: every problem and notice listed, new actions by their
title, and the valid rows imported on their own with the rows left out named first."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from mnemonics import clashes, mnemonics

from PySide6.QtCore import Qt

from jointlead.domain.actions import ActionStatus
from jointlead.services import actions
from jointlead.services.action_tracker import export_action_tracker
from jointlead.ui.import_wizard import MINIMUM_SIZE
from jointlead.ui.tracker_import_dialog import (
    ACCEPT,
    REJECT,
    TITLE_WIDTH,
    UNDECIDED,
    WITH_ITS_UPDATE,
    TrackerImportDialog,
)

TODAY = date(2026, 11, 20)  # the demo's today, as the window's
NEW_TITLE = "Agree the winter discharge pathway with the acute trust"


class Tracker:
    """An exported NCC tracker, open for editing as an owner would: by each action's reference and column heading."""

    def __init__(self, database, folder: Path) -> None:
        self.path = folder / "ncc tracker.xlsx"
        export_action_tracker(database, self.path, organisation="NCC", today=TODAY)
        self.book = openpyxl.load_workbook(self.path)
        self.sheet = self.book["Actions"]
        self.headers = {cell.value: cell.column for cell in self.sheet[1]}
        self.rows = {cell.value: cell.row for cell in self.sheet["A"] if cell.row > 1 and cell.value}
        self.references = list(self.rows)  # soonest due first, as exported
        self.next_free = max(self.rows.values()) + 1

    def write(self, reference: str, heading: str, value: object) -> None:
        self.sheet.cell(self.rows[reference], self.headers[heading], value)

    def add_row(self, **values: object) -> int:
        """A row under the table, as an owner adds a new action; returns its row number."""
        row, self.next_free = self.next_free, self.next_free + 1
        for heading, value in values.items():
            self.sheet.cell(row, self.headers[heading], value)
        return row

    def save(self) -> Path:
        self.book.save(self.path)
        return self.path


@pytest.fixture
def tracker(demo_db, tmp_path) -> Tracker:
    return Tracker(demo_db, tmp_path)


@pytest.fixture
def importer(window, demo_db) -> TrackerImportDialog:
    window.set_database(demo_db)
    window.tracker_action.trigger()
    return window.findChild(TrackerImportDialog)


def texts(table) -> list[list[str]]:
    """What a table shows, row by row, cell by cell."""
    model = table.model
    return [[model.data(model.index(row, column)) for column in range(model.columnCount())]
            for row in range(model.rowCount())]


def by_reference(database) -> dict:
    return {r.reference: r for r in actions.action_log(database, TODAY)}


def test_notes_on_what_is_not_read_are_shown(importer, tracker):
    first, second = tracker.references[:2]
    tracker.write(first, "Due", datetime(2027, 1, 31))  # overtyped: the Due column is not read back
    current = by_reference(importer.editor.database)[second].status
    tracker.write(second, "New status", current.label)  # the status it has already

    importer.load(tracker.save())

    shown = [row[0] for row in texts(importer.notices)]
    assert list(importer.preview.notices) == shown and len(shown) == 2
    assert any(notice.startswith(f"{first}: the due date was changed in the workbook to '31/01/2027'")
               for notice in shown)
    assert any(f"{second} is already {current.value}" in notice for notice in shown)
    assert importer.notices_section.isVisibleTo(importer)
    assert importer.notices_heading.text().startswith("2 notes on what the owner wrote")


def test_every_problem_is_listed_by_its_cell_not_just_the_first_three(importer, tracker):
    first, second, third = tracker.references[:3]
    tracker.write(first, "New due date", datetime(2027, 1, 15))  # no reason
    tracker.write(second, "New status", "Cancelled")  # no reason either
    tracker.write(third, "New status", "Maybe")  # not a status
    half_row = tracker.add_row(Action="Half-filled new action")  # no owner, no due date

    importer.load(tracker.save())

    listed = texts(importer.problems)
    assert [(p.reference, p.message) for p in importer.preview.problems] == [tuple(row) for row in listed]
    rows = [tracker.rows[first], tracker.rows[second], tracker.rows[third], half_row]
    assert [row[0] for row in listed] == [f"Actions!{rows[0]}:{rows[0]}", f"Actions!{rows[1]}:{rows[1]}",
                                          f"Actions!J{rows[2]}", f"Actions!{rows[3]}:{rows[3]}"]
    assert "Actions!" not in importer.summary.text()  # listed, not crammed into the summary sentence
    assert importer.problems_heading.text().startswith("4 rows of the tracker have problems")
    assert not importer.import_button.isEnabled()


def test_a_new_action_is_shown_with_its_title(importer, tracker):
    row = tracker.add_row(Action=NEW_TITLE, Owner="Nicola Price", Due=datetime(2027, 2, 28))

    importer.load(tracker.save())

    (shown,) = texts(importer.table)
    assert shown[0] == f"New (row {row})" and NEW_TITLE in shown
    assert "New action for Nicola Price, due 28 February 2027" in shown


def test_the_valid_rows_are_imported_on_their_own_leaving_out_the_rows_named(importer, tracker, demo_db, qtbot,
                                                                              messages):
    valid, invalid = tracker.references[:2]
    before = by_reference(demo_db)
    tracker.write(valid, "New update", "Both partners confirmed in writing")
    tracker.write(invalid, "New update", "Moving this one")
    tracker.write(invalid, "New due date", datetime(2027, 1, 15))  # no reason: a problem, so none of this row
    tracker.add_row(Action=NEW_TITLE, Owner="Nicola Price", Due=datetime(2027, 2, 28))

    importer.load(tracker.save())

    assert importer.problems_heading.text().startswith("1 row of the tracker has a problem")
    assert not importer.import_button.isEnabled()  # nothing goes in while a row has a problem, unless asked
    assert importer.accept_valid.isVisibleTo(importer) and not importer.accept_valid.isChecked()
    assert f"leaving out row {tracker.rows[invalid]} " in importer.accept_valid.text()
    qtbot.mouseClick(importer.accept_valid, Qt.MouseButton.LeftButton)
    assert importer.accept_valid.isChecked() and importer.import_button.isEnabled()
    qtbot.mouseClick(importer.import_button, Qt.MouseButton.LeftButton)

    assert messages == []
    after = by_reference(demo_db)
    assert after[valid].latest_update == "Both partners confirmed in writing"
    assert after[invalid].latest_update == before[invalid].latest_update  # the row with a problem was left out
    assert after[invalid].due == before[invalid].due
    added = [r for r in after.values() if r.title == NEW_TITLE]
    assert len(added) == 1 and added[0].owner == "Nicola Price" and added[0].status == ActionStatus.OPEN
    assert len(after) == len(before) + 1


def test_importing_the_valid_rows_still_waits_for_each_conflict_to_be_decided(importer, tracker, demo_db):
    changed_here, broken = tracker.references[:2]
    tracker.write(changed_here, "New update", "Done on our side")
    tracker.write(broken, "New status", "Maybe")
    path = tracker.save()
    actions.add_update(demo_db, by_reference(demo_db)[changed_here].id, "Chased by the manager", today=TODAY)

    importer.load(path)
    importer.accept_valid.setChecked(True)

    (line,) = [importer.table.model.row_at(row) for row in range(importer.table.model.rowCount())]
    assert line.change.reference == changed_here and line.decision == UNDECIDED
    assert not importer.import_button.isEnabled()  # leaving rows out decides no conflict
    importer.table.view.selectRow(0)
    importer.decide(True)
    assert importer.import_button.isEnabled()


def choose(importer: TrackerImportDialog, reference: str, kind: str) -> None:
    """Select the line of one change, as a click on it does."""
    model = importer.table.model
    row = next(row for row in range(model.rowCount())
               if model.row_at(row).change.key == f"{reference} {kind}")
    importer.table.view.selectRow(row)


def decisions(importer: TrackerImportDialog) -> dict[str, str]:
    model = importer.table.model
    return {model.row_at(row).change.key: model.row_at(row).decision for row in range(model.rowCount())}


def test_a_change_rejected_before_and_sent_again_shows_as_rejected_and_needs_no_decision(importer, tracker, demo_db,
                                                                                         qtbot, messages):
    from jointlead.services.action_tracker import apply_tracker_import, preview_tracker_import

    moved, other = tracker.references[:2]
    tracker.write(moved, "New due date", datetime(2027, 6, 15))
    tracker.write(moved, "Reason for new due date", "Waiting for HR.")
    tracker.write(other, "New update", "Both partners confirmed in writing")
    apply_tracker_import(demo_db, preview_tracker_import(demo_db, tracker.save(), today=TODAY),
                         decisions={f"{moved} due date": False})
    tracker.write(other, "New update", "And the finance panel agreed")  # the owner adds to it and sends it again

    importer.load(tracker.save())

    assert decisions(importer) == {f"{moved} due date": REJECT, f"{other} update": ACCEPT}
    model = importer.table.model
    line = next(row for row in range(model.rowCount()) if model.row_at(row).change.key == f"{moved} due date")
    decision = [column.header for column in model.columns].index("Decision")
    assert "rejected again unless you accept it" in model.index(line, decision).data(Qt.ItemDataRole.ToolTipRole)
    assert importer.summary.text().endswith("0 in conflict with changes made here since the export; 1 sent again "
                                            "since an earlier import, rejected unless you accept it.")
    assert importer.import_button.isEnabled()
    qtbot.mouseClick(importer.import_button, Qt.MouseButton.LeftButton)
    assert messages == []
    after = by_reference(demo_db)
    assert after[other].latest_update == "And the finance panel agreed"
    assert after[moved].due != date(2027, 6, 15)


WHY = "No longer needed: the partnership board closed the workstream"


def test_rejecting_the_update_that_gives_a_cancellation_its_reason_rejects_the_cancellation_too(importer, tracker,
                                                                                                demo_db, qtbot,
                                                                                                messages):
    cancelled, other = tracker.references[:2]
    before = by_reference(demo_db)
    tracker.write(cancelled, "New status", "Cancelled")
    tracker.write(cancelled, "New update", WHY)
    tracker.write(other, "New update", "Both partners confirmed in writing")
    importer.load(tracker.save())
    assert decisions(importer)[f"{cancelled} status"] == ACCEPT

    choose(importer, cancelled, "update")
    importer.decide(False)

    # Rejected with it, saying why, before Import rather than refused at it.
    assert decisions(importer) == {f"{cancelled} update": REJECT, f"{cancelled} status": WITH_ITS_UPDATE,
                                   f"{other} update": ACCEPT}
    model = importer.table.model
    line = next(row for row in range(model.rowCount()) if model.row_at(row).change.key == f"{cancelled} status")
    decision = [column.header for column in model.columns].index("Decision")
    assert "an action is cancelled only with a reason" in model.index(line, decision).data(Qt.ItemDataRole.ToolTipRole)
    assert importer.import_button.isEnabled()
    qtbot.mouseClick(importer.import_button, Qt.MouseButton.LeftButton)

    assert messages == []
    after = by_reference(demo_db)
    assert after[cancelled].status == before[cancelled].status
    assert after[cancelled].latest_update == before[cancelled].latest_update
    assert after[other].latest_update == "Both partners confirmed in writing"


def test_accepting_a_cancellation_accepts_the_update_that_is_its_reason(importer, tracker, demo_db, qtbot, messages):
    cancelled = tracker.references[0]
    tracker.write(cancelled, "New status", "Cancelled")
    tracker.write(cancelled, "New update", WHY)
    path = tracker.save()
    actions.add_update(demo_db, by_reference(demo_db)[cancelled].id, "Chased by the manager", today=TODAY)
    importer.load(path)  # changed here since the export: both changes wait to be decided
    assert decisions(importer) == {f"{cancelled} update": UNDECIDED, f"{cancelled} status": UNDECIDED}

    choose(importer, cancelled, "update")
    importer.decide(False)
    assert decisions(importer) == {f"{cancelled} update": REJECT, f"{cancelled} status": WITH_ITS_UPDATE}
    choose(importer, cancelled, "status")
    importer.decide(True)
    assert decisions(importer) == {f"{cancelled} update": ACCEPT, f"{cancelled} status": ACCEPT}
    choose(importer, cancelled, "status")
    importer.decide(False)  # keeping the update without the cancellation is for the manager to choose
    assert decisions(importer) == {f"{cancelled} update": ACCEPT, f"{cancelled} status": REJECT}
    choose(importer, cancelled, "status")
    importer.decide(True)
    qtbot.mouseClick(importer.import_button, Qt.MouseButton.LeftButton)

    assert messages == []
    after = by_reference(demo_db)[cancelled]
    assert after.status == ActionStatus.CANCELLED and after.latest_update == WHY


def test_each_button_of_the_dialog_has_an_alt_letter_of_its_own(importer, tracker):
    valid, broken = tracker.references[:2]
    tracker.write(valid, "New update", "Both partners confirmed in writing")
    tracker.write(broken, "New status", "Maybe")  # a problem: the choice to import the valid rows shows
    importer.load(tracker.save())

    keys = mnemonics(importer)
    leave_out = importer.accept_valid.text().replace("&", "")
    wanted = ["Choose the returned tracker…", "Accept", "Reject", "Import", leave_out]
    assert [text for text in wanted if not keys.get(text)] == []  # the last one kept its letter when retitled
    assert clashes(keys) == []


@pytest.mark.parametrize("changed_here", [0, 3], ids=["no conflicts", "conflicts"])
def test_at_its_smallest_the_dialog_shows_every_column_of_the_changes_without_scrolling_sideways(
        importer, tracker, qtbot, demo_db, changed_here):
    """With conflicts too: their words must not push the decisions they wait for out of view."""
    update = ("Discussed with the service manager and the commissioning lead; waiting for the finance panel's "
              "sign-off before the end of the month")
    for reference in tracker.references[:12]:
        tracker.write(reference, "New update", update)
    path = tracker.save()
    for reference in tracker.references[:changed_here]:
        actions.add_update(demo_db, by_reference(demo_db)[reference].id, "Chased by the manager", today=TODAY)
    importer.load(path)
    model = importer.table.model
    assert sum(bool(model.row_at(row).change.conflict) for row in range(model.rowCount())) == changed_here
    importer.resize(MINIMUM_SIZE)
    importer.show()
    qtbot.waitExposed(importer)
    view = importer.table.view
    qtbot.wait(50)
    assert importer.width() == MINIMUM_SIZE.width() and view.verticalScrollBar().isVisible()
    assert not view.horizontalScrollBar().isVisible()
    title = [column.header for column in importer.table.model.columns].index("Title")
    assert view.columnWidth(title) == TITLE_WIDTH  # cut short first, and readable in full in its tooltip


def test_a_tracker_with_every_change_rejected_is_imported_as_that_and_can_be_undone(importer, tracker, demo_db,
                                                                                    window, qtbot, messages):
    moved = tracker.references[0]
    before = by_reference(demo_db)
    tracker.write(moved, "New due date", datetime(2027, 6, 15))
    tracker.write(moved, "Reason for new due date", "Waiting for HR.")
    importer.load(tracker.save())
    choose(importer, moved, "due date")
    importer.decide(False)

    assert importer.import_button.isEnabled()  # rejecting everything is a decision to keep, not nothing to do
    qtbot.mouseClick(importer.import_button, Qt.MouseButton.LeftButton)

    assert messages == [] and not importer.isVisible()
    assert by_reference(demo_db) == before
    assert window.undo_stack.undoText() == "reject every change in the action tracker ncc tracker.xlsx"
    window.undo_stack.undo()
    importer = window.tracker_action.trigger() or window.findChild(TrackerImportDialog)
    importer.load(tracker.path)  # forgotten once undone: the same file is decided afresh
    assert messages == [] and decisions(importer) == {f"{moved} due date": ACCEPT}
