"""The main window on an empty database and on the demo: every page, model, menu and keyboard path."""

from __future__ import annotations

import os
import shutil
from datetime import date
from html import escape
from pathlib import Path

import pytest
from mnemonics import clashes, letter

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices, QUndoCommand
from PySide6.QtWidgets import QAbstractButton, QApplication, QFileDialog, QMenu, QMessageBox, QWidget

from jointlead.logs import log_dir
from jointlead.paths import default_database
from jointlead.services import actions, overview
from jointlead.store.migrate import HEAD_REVISION
from jointlead.ui.widgets import DataTable, Tile


def tables(window) -> list[DataTable]:
    return window.findChildren(DataTable)


def visit_every_page(window) -> None:
    for row in range(len(window.page_list)):
        window.navigation.setCurrentRow(row)


def test_every_page_opens_on_an_empty_database_with_its_empty_state(window, empty_db, qtmodeltester):
    window.set_database(empty_db)
    visit_every_page(window)
    for table in tables(window):
        assert table.model.rowCount() == 0
        qtmodeltester.check(table.model)
        if table.isVisibleTo(window):
            assert table.empty.isVisibleTo(window), table.empty.text()
    assert window.as_at_label.text() == "No pooled budget yet"
    assert window.dashboard.tiles["Staff"].value_text() == "0"
    # With nothing recorded, the empty states say what to do, not that all is well.
    supervision_page = window.page(window.titles.index("Supervision"))
    assert supervision_page.needing.empty.text().startswith("Nobody's supervision is recorded yet")
    assert supervision_page.action_tile.detail_text() == "Nothing arranged yet"
    assert supervision_page.action_tile.tone() is None  # not a green "all is well"
    people_page = window.page(window.titles.index("People & lines"))
    assert people_page.findings.empty.text().startswith("No people are recorded yet")


def test_every_page_shows_the_demo_data_and_every_model_is_sound(window, demo_db, qtmodeltester):
    window.set_database(demo_db)
    visit_every_page(window)
    for table in tables(window):
        assert table.model.rowCount() > 0, table.count.text()
        qtmodeltester.check(table.model)
    assert window.as_at_label.text() == "Last closed: M7 2026-27"  # a page may show a later month
    assert demo_db.location in window.path_label.text()
    assert window.dashboard.heading.text() == "Northshire Integrated Mental Health Service"


def test_people_are_searched_and_sorted_in_the_model(window, demo_db):
    window.set_database(demo_db)
    window.show_page("People & lines")
    table = window.current_page().table
    everyone = table.model.rowCount()
    table.search.setText("social worker")
    social_workers = table.model.rowCount()
    assert 0 < social_workers < everyone
    assert all("social worker" in table.model.row_at(r).profession for r in range(social_workers))
    assert table.count.text() == f"{social_workers} of {table.model.total_rows} people shown"
    table.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    names = [table.model.row_at(r).name for r in range(social_workers)]
    assert names == sorted(names, reverse=True)
    table.search.clear()
    assert table.model.rowCount() == everyone


def test_people_are_filtered_by_employer_team_and_status_in_the_model(window, demo_db):
    window.set_database(demo_db)
    window.show_page("People & lines")
    page = window.current_page()
    rows = [page.table.model.row_at(r) for r in range(page.table.model.rowCount())]
    assert rows and all(r.active for r in rows)  # those who have left are hidden until asked for
    employer, _value = page.filters[0]
    employer.setCurrentIndex(employer.findData("NCC"))
    employer.activated.emit(employer.currentIndex())
    shown = [page.table.model.row_at(r) for r in range(page.table.model.rowCount())]
    assert shown and all(r.employer_code == "NCC" and r.active for r in shown)
    page.status.setCurrentIndex(page.status.findText("Everyone"))
    page.status.activated.emit(page.status.currentIndex())
    everyone_at_ncc = [p for p in overview.people(demo_db, date(2026, 11, 20)) if p.employer_code == "NCC"]
    assert page.table.model.rowCount() == len(everyone_at_ncc)


def test_a_dashboard_tile_opens_the_page_behind_it(window, demo_db, qtbot):
    window.set_database(demo_db)
    qtbot.mouseClick(window.dashboard.tiles["Overdue actions"], Qt.MouseButton.LeftButton)
    assert window.current_page().title == "Actions"
    assert int(window.dashboard.tiles["Overdue actions"].value_text()) > 0


def test_pages_are_reached_from_the_keyboard(window, demo_db, qtbot):
    window.set_database(demo_db)
    shortcuts = {a.text(): a.shortcut().toString() for m in window.menuBar().findChildren(QWidget)
                 for a in m.actions()}
    assert shortcuts["People && lines"] == "Ctrl+3"
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page().title == "Actions"
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page().table.search.hasFocus()


def test_each_menu_gives_every_item_a_letter_of_its_own(window, demo_db):
    window.set_database(demo_db)
    for menu in window.menuBar().findChildren(QMenu):
        keys = {action.text().replace("&", ""): letter(action.text()) for action in menu.actions()
                if not action.isSeparator()}
        if menu.title() == "&View":  # the pages are reached by Ctrl+1..5; their titles may share letters
            keys = {words: key for words, key in keys.items() if words == "Refresh"}
        assert clashes(keys) == [], menu.title()
        assert [words for words, key in keys.items() if not key] == [], menu.title()


def test_every_control_that_takes_focus_has_an_accessible_name(window, demo_db):
    window.set_database(demo_db)
    visit_every_page(window)
    unnamed = []
    for widget in window.findChildren(QWidget):
        takes_focus = widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        named = widget.accessibleName() or (isinstance(widget, QAbstractButton) and widget.text())
        if takes_focus and not named and widget.objectName() != "qt_scrollarea_viewport":
            unnamed.append(f"{type(widget).__name__} {widget.objectName()}")
    assert unnamed == []
    assert all(tile.accessibleName().startswith(tile._title.text().replace("&", ""))
               for tile in window.findChildren(Tile))


def test_the_window_remembers_its_size_and_the_last_database(make_window, demo_db):
    first = make_window()
    first.set_database(demo_db)
    first.resize(780, 700)  # inside the offscreen screen (800×800), which restoring respects
    first.close()
    second = make_window()
    assert (second.width(), second.height()) == (780, 700)
    # A file is offered again under File > Open recent; a server's address is typed where it is wanted instead.
    assert second.recent_files()[:1] == ([str(demo_db.path)] if demo_db.path is not None else [])


def test_undo_and_redo_in_the_edit_menu_follow_the_undo_stack(window):
    undo, redo = (a for a in window.menuBar().actions()[1].menu().actions()[:2])
    assert not undo.isEnabled()
    window.undo_stack.push(QUndoCommand("rename the team"))
    assert undo.isEnabled() and undo.text() == "&Undo rename the team"
    undo.trigger()
    assert redo.isEnabled()


def test_about_names_the_versions_the_database_and_its_schema(window, demo_db, messages):
    window.set_database(demo_db)
    window.show_about()
    # Rich text: the location escaped (a server's address has "&" in it), and <br> between the lines, not \n.
    assert f"{escape(str(demo_db.location))}<br>Schema revision {HEAD_REVISION}" in messages[-1]
    assert "PySide6" in messages[-1]


def test_a_file_that_cannot_be_opened_is_explained_and_the_window_carries_on(window, tmp_path, messages):
    not_a_database = tmp_path / "ledger.sqlite"
    not_a_database.write_text("Cost centre,Amount\n")
    assert not window.open_path(not_a_database)
    assert "is not a jointlead database" in messages[-1]
    assert window.database is None
    assert not window.pages.isEnabled()


def test_a_first_run_creates_an_empty_database_in_the_data_folder(window, data_dir, monkeypatch):
    from jointlead.ui import main_window
    from jointlead.ui.welcome import WelcomeChoice

    def choose_create(dialog):
        dialog.choice = WelcomeChoice.CREATE_EMPTY
        return 1

    monkeypatch.setattr(main_window.WelcomeDialog, "exec", choose_create)
    assert window.welcome()
    assert window.database.path == default_database().resolve()
    assert Path(window.database.path).parent == data_dir.resolve()


@pytest.mark.sqlite_only  # a copy of the file; a server's copies are its own backups
def test_save_a_copy_writes_a_verified_copy(window, demo_db, tmp_path, monkeypatch):
    from jointlead.ui import main_window

    target = tmp_path / "copy.sqlite"
    monkeypatch.setattr(main_window.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.set_database(demo_db)
    window.save_copy()
    assert target.exists()
    assert "Saved a verified copy" in window.statusBar().currentMessage()


def test_each_welcome_button_makes_its_choice(qtbot):
    from PySide6.QtWidgets import QPushButton

    from jointlead.ui.welcome import WelcomeChoice, WelcomeDialog

    for label, choice in (("Create an empty database", WelcomeChoice.CREATE_EMPTY),
                          ("Explore the demo service (fictional data)", WelcomeChoice.OPEN_DEMO),
                          ("Open an existing database…", WelcomeChoice.OPEN_FILE), ("Quit", WelcomeChoice.QUIT)):
        dialog = WelcomeDialog(None)
        qtbot.addWidget(dialog)
        button = next(b for b in dialog.findChildren(QPushButton) if b.accessibleName() == label)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert dialog.choice == choice
        assert dialog.result() == (0 if choice == WelcomeChoice.QUIT else 1)


def test_help_opens_the_log_folder_in_the_data_folder(window, monkeypatch, messages):
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    assert window.open_log_folder()
    assert opened == [str(log_dir())] and log_dir().is_dir() and messages == []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)  # no file manager on this computer
    assert not window.open_log_folder()
    assert str(log_dir()) in messages[-1]


def test_file_restore_puts_back_the_copy_taken_before_an_upgrade(window, tmp_path, monkeypatch, messages):
    path = tmp_path / "old.sqlite"
    shutil.copy(Path(__file__).parents[1] / "fixtures" / "schema-0001.sqlite", path)
    assert window.open_path(path)
    automatic = window.database.upgrade_backup
    assert automatic is not None and automatic.exists()
    staff_before = window.dashboard.tiles["Staff"].value_text()
    actions.quick_add(window.database, "Something done after the upgrade", None, date(2026, 12, 1), None,
                      today=date(2026, 11, 20))
    window.refresh()

    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args: (str(automatic), ""))
    window.restore_action.trigger()
    assert window.database is not None and window.database.path == path.resolve()
    assert "Restored" in window.statusBar().currentMessage() and "upgraded" in window.statusBar().currentMessage()
    titles = [a.title for a in actions.action_log(window.database, date(2026, 11, 20))]
    assert "Something done after the upgrade" not in titles  # back to the data before the upgrade, upgraded again
    assert window.dashboard.tiles["Staff"].value_text() == staff_before
    kept = sorted((path.parent / "backups").glob("old-before-restore-*.sqlite"))
    assert len(kept) == 1  # the data it replaced is kept
    assert messages == []


def test_file_restore_on_a_database_open_read_only_says_so_and_keeps_it_open(window, demo_path, monkeypatch,
                                                                           messages):
    from jointlead.store import database as database_module

    monkeypatch.setattr(database_module.os, "access", lambda p, mode: mode != os.W_OK)  # as on read-only media
    assert window.open_path(demo_path) and window.database.read_only
    messages.clear()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args: pytest.fail("no backup is asked for"))
    assert not window.restore_action.trigger() and window.database is not None
    assert messages == ["demo.sqlite is open read-only, so a backup cannot be restored over it. Copy the backup "
                        "somewhere you can write to and open it there (File > Open)."]


def test_file_restore_of_a_copy_made_before_an_erasure_says_it_brings_the_person_back(window, demo_path, tmp_path,
                                                                                      monkeypatch, messages):
    from jointlead.services import erasure, files

    assert window.open_path(demo_path)
    before = files.save_copy(window.database, tmp_path / "before.sqlite")
    person_id = erasure.find_person(window.database, "NFT", "23618365")
    erasure.erase_person(window.database, person_id, reason="Erasure request ER-7", today=date(2026, 11, 20))
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args: asked.append(args) or QMessageBox.StandardButton.Yes)
    assert window.restore_backup(before)
    [(_window, _title, text, _buttons, default)] = asked
    assert ("This copy was made before a person was erased from demo.sqlite on 20 November 2026 (reason: Erasure "
            "request ER-7). Restoring it brings back their records") in text
    assert "erase them again" in text and default == QMessageBox.StandardButton.No  # not restored by a stray Enter
    assert "? Its latest change was on " in text  # how much work since it would replace
    # Once restored, said in a message of its own, not at the end of a status line a long path pushes out of sight.
    [said] = messages
    assert said.startswith("Erase them again before.sqlite is restored. This copy was made before a person was erased")
    erasure.find_person(window.database, "NFT", "23618365")  # back, as it said


def test_a_table_counts_one_row_in_the_singular(qtbot):
    from jointlead.ui.table_model import Column
    from jointlead.ui.widgets import DataTable

    table = DataTable("people needing action", [Column("Name", lambda name: name)], "Nobody needs action.", None)
    qtbot.addWidget(table)
    table.set_rows(["Asha Patel"])
    assert table.count.text() == "1 person needing action"  # not "1 people needing action"
    table.set_rows(["Asha Patel", "Ben Cole"])
    assert table.count.text() == "2 people needing action"


def test_a_change_and_its_undo_show_a_busy_cursor_while_they_save_and_never_over_a_message(window, empty_db,
                                                                                           messages, monkeypatch):
    # On a shared server a save can wait for the network, and a close for others' saves (up to five seconds).
    from jointlead.domain.errors import ValidationError
    from jointlead.services import edits

    def cursor() -> Qt.CursorShape | None:
        override = QApplication.overrideCursor()
        return override.shape() if override is not None else None

    window.set_database(empty_db)
    seen: list[Qt.CursorShape | None] = []

    def create(database):
        seen.append(cursor())
        return actions.create_meeting(database, "Partnership board", date(2026, 11, 20))

    assert window.editor.run(create)
    real_undo = edits.undo_edit
    monkeypatch.setattr(edits, "undo_edit", lambda *args: seen.append(cursor()) or real_undo(*args))
    window.undo_stack.undo()
    assert seen == [Qt.CursorShape.WaitCursor] * 2
    assert cursor() is None

    def refused(_database):
        raise ValidationError("That meeting has no name.")

    monkeypatch.setattr(QMessageBox, "exec", lambda box: seen.append(cursor()) or 0)
    assert not window.editor.run(refused)
    assert seen[-1] is None and cursor() is None  # the message is shown with the ordinary cursor


def test_an_undo_refused_while_the_database_is_busy_stays_on_the_stack_to_try_again(window, empty_db, monkeypatch,
                                                                                    messages):
    """Dropped, the next Undo would take back the change before it, leaving this one standing for good."""
    from jointlead.services import edits
    from jointlead.store.errors import DatabaseBusy

    window.set_database(empty_db)
    for name in ("Partnership board", "Locality board"):
        assert window.editor.run(lambda database, name=name: actions.create_meeting(database, name, date(2026, 11, 20)))
    real_undo, latest = edits.undo_edit, window.undo_stack.undoText()

    def busy(*_args):
        raise DatabaseBusy()

    monkeypatch.setattr(edits, "undo_edit", busy)
    window.undo_stack.undo()
    QApplication.processEvents()
    assert len(messages) == 1 and "Try again in a moment" in messages[0]
    assert window.undo_stack.undoText() == latest and "Locality board" in latest and window.undo_stack.count() == 2
    monkeypatch.setattr(edits, "undo_edit", real_undo)
    window.undo_stack.undo()  # tried again, as the message says: the same change, not the one before it
    assert [m.name for m in actions.meetings(empty_db)] == ["Partnership board"]


def test_save_as_pdf_suggests_a_name_for_the_view_shown(window, demo_db, monkeypatch):
    from jointlead.ui.export_dialog import documents_folder

    suggested = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda _parent, _caption, start, _filter: suggested.append(start) or ("", "")))
    window.set_database(demo_db)
    window.save_page_as_pdf()
    window.show_page("Budgets")
    budgets = window.current_page()
    budgets.tabs.setCurrentWidget(budgets.unmapped_tab)
    window.save_page_as_pdf()
    window.show_page("People & lines")
    window.save_page_as_pdf()
    day = window.today().isoformat()
    assert suggested == [str(documents_folder() / f"{name} {day}.pdf") for name in (
        "Dashboard", "Budgets - Unmapped rows", "People and lines - People")]
