"""The main window: navigation between the five pages, menus, the undo stack and the status bar."""

from __future__ import annotations

import logging
import platform
import re
import sys
from collections.abc import Callable
from datetime import date
from html import escape
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QSettings, Qt, QUrl, qVersion
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from jointlead import __version__
from jointlead.domain.errors import JointleadError
from jointlead.logs import log_dir
from jointlead.paths import default_database, demo_database
from jointlead.ui.dashboard_page import DashboardPage
from jointlead.ui.import_folder import ImportFolder
from jointlead.ui.messages import show_problem, waiting
from jointlead.ui.page import Page
from jointlead.ui.undo import Editor, refused
from jointlead.ui.welcome import WelcomeChoice, WelcomeDialog
from jointlead.ui.widgets import DataTable, string_list

if TYPE_CHECKING:
    from jointlead.services.files import Database
    from jointlead.services.imports import ImportPreview

log = logging.getLogger(__name__)

# The pages after the dashboard, built when first shown: their modules (charts, dialogs) load then, not at start.
LATER_PAGES = (
    ("Budgets", "jointlead.ui.budgets_page", "BudgetsPage"),
    ("People & lines", "jointlead.ui.people_page", "PeoplePage"),
    ("Supervision", "jointlead.ui.supervision_page", "SupervisionPage"),
    ("Actions", "jointlead.ui.actions_page", "ActionsPage"),
)
MAX_RECENT = 8
DATABASE_FILTER = "jointlead databases (*.sqlite *.db);;All files (*)"


class ImportCommand(QUndoCommand):
    """Edit > Undo takes a whole import back out; Redo applies the same preview again, as a new batch.

    The import is already applied when this is pushed, so the first redo (QUndoStack.push calls it) does nothing.
    """

    def __init__(self, window: MainWindow, preview: ImportPreview, batch_id: int) -> None:
        super().__init__(f"import of {preview.path.name}")
        self._window = window
        self._preview = preview
        self._batch_id = batch_id
        self._applied = True

    def undo(self) -> None:
        database = self._window.database
        if database is None or not self._applied:
            return
        from jointlead.services.imports import preview_for_redo, undo_import  # readers load once imports are used

        try:
            undo_import(database, self._batch_id)
        except JointleadError as error:
            show_problem(self._window, error, "Cannot undo the import")
            refused(self, self._window.undo_stack, error, self._applied)
            return
        self._preview = preview_for_redo(database, self._preview)
        self._applied = False
        self._window.refresh()
        # The status bar still said "Imported: …": say what is now true instead.
        self._window.statusBar().showMessage(f"Undone: the {self.text()}. Redo applies it again.", 15000)

    def redo(self) -> None:
        database = self._window.database
        if self._applied or database is None:
            return
        from jointlead.services.imports import apply_import

        try:
            result = apply_import(database, self._preview, accept_valid=True)
        except JointleadError as error:
            show_problem(self._window, error, "Cannot redo the import")
            refused(self, self._window.undo_stack, error, self._applied)
            return
        self._batch_id = result.batch_id
        self._applied = True
        self._window.refresh()
        self._window.say_imported(result)


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings, today: Callable[[], date] = date.today) -> None:
        super().__init__()
        self.settings = settings
        self._today = today
        self.database: Database | None = None
        self.undo_stack = QUndoStack(self)
        self.editor = Editor(self.undo_stack, self, self.refresh)
        self.setWindowTitle("jointlead")
        self.setMinimumSize(760, 520)  # fits a 1366×768 laptop at 125% scaling

        self.navigation = QListWidget(self)
        self.navigation.setObjectName("navigation")
        self.navigation.setAccessibleName("Pages")
        self.navigation.setFixedWidth(200)
        self.pages = QStackedWidget(self)
        self.dashboard = DashboardPage(self)
        self.dashboard.open_filtered.connect(self.open_filtered)
        self.dashboard.editor = self.editor
        self._moved_dividers: set[str] = set()  # dragged this session: the only ones whose place is kept at close
        self._remember_layout(self.dashboard)
        self.titles = [self.dashboard.title, *(title for title, _module, _name in LATER_PAGES)]
        self._built: dict[int, Page] = {0: self.dashboard}
        self.pages.addWidget(self.dashboard)
        for title in self.titles:
            self.navigation.addItem(title)
        for _later in LATER_PAGES:
            self.pages.addWidget(QWidget(self))  # stands in until the page is first shown
        self._stale = set(range(len(self.titles)))
        self.navigation.currentRowChanged.connect(self._on_navigate)

        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.path_label = QLabel("No database open", self)
        self.path_label.setAccessibleName("Database file")
        self.as_at_label = QLabel("", self)
        self.as_at_label.setAccessibleName("The last month closed")
        self.statusBar().addWidget(self.path_label, 1)
        self.statusBar().addPermanentWidget(self.as_at_label)

        self._build_menus()
        self._restore_geometry()
        self.navigation.setCurrentRow(0)
        self._set_pages_enabled(False)

    # --- menus -----------------------------------------------------------------------------------
    def _action(self, text: str, slot: Callable[[], object], shortcut: QKeySequence | str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self._action("&New database…", self.new_database, QKeySequence.StandardKey.New))
        file_menu.addAction(self._action("&Open database…", self.open_database_dialog, QKeySequence.StandardKey.Open))
        file_menu.addAction(self._action("Open a &shared database…", self.open_shared_dialog))
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addAction(self._action("Open the de&mo service", self.open_demo))
        file_menu.addSeparator()
        self.import_action = self._action("&Import…", self.import_file, "Ctrl+I")
        file_menu.addAction(self.import_action)
        self.tracker_action = self._action("Import an action &tracker…", self.import_tracker)
        file_menu.addAction(self.tracker_action)
        self.export_action = self._action("&Export…", self.export_file, "Ctrl+E")
        file_menu.addAction(self.export_action)
        self.pack_action = self._action("Export p&ack…", lambda: self.export_file("Monthly pack"), "Ctrl+Shift+E")
        file_menu.addAction(self.pack_action)
        file_menu.addSeparator()
        self.print_action = self._action("&Print…", self.print_page, QKeySequence.StandardKey.Print)
        self.preview_action = self._action("Print pre&view…", self.preview_page)
        self.pdf_action = self._action("Save as PD&F…", self.save_page_as_pdf, "Ctrl+Shift+P")
        for action in (self.print_action, self.preview_action, self.pdf_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        self.save_copy_action = self._action("Save a &copy (backup)…", self.save_copy, "Ctrl+Shift+S")
        file_menu.addAction(self.save_copy_action)
        self.restore_action = self._action("Restore a &backup…", self.restore_backup)
        file_menu.addAction(self.restore_action)
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, QKeySequence.StandardKey.Quit))

        edit_menu = menu.addMenu("&Edit")
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)
        edit_menu.addSeparator()
        edit_menu.addAction(self._action("&Find in this page", self.focus_search, QKeySequence.StandardKey.Find))

        view_menu = menu.addMenu("&View")
        for number, title in enumerate(self.titles, start=1):
            view_menu.addAction(self._action(title.replace("&", "&&"), lambda t=title: self.show_page(t),
                                             f"Ctrl+{number}"))
        view_menu.addSeparator()
        view_menu.addAction(self._action("&Refresh", self.refresh, QKeySequence.StandardKey.Refresh))

        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self._action("Open the &log folder", self.open_log_folder))
        help_menu.addAction(self._action("&About jointlead", self.show_about))

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_files()
        if not recent:
            empty = self.recent_menu.addAction("No recent databases")
            empty.setEnabled(False)
        for path in recent:
            self.recent_menu.addAction(self._action(path, lambda p=path: self.open_path(Path(p))))

    # --- settings --------------------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        return string_list(self.settings, "recent_files")

    def _remember(self, path: Path) -> None:
        recent = [str(path)] + [p for p in self.recent_files() if p != str(path)]
        self.settings.setValue("recent_files", recent[:MAX_RECENT])

    def _restore_geometry(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 800)
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self._keep_dividers()
        self.settings.sync()
        self.close_database()
        super().closeEvent(event)

    def today(self) -> date:
        """The day the window's figures are as on (a test's fixed day, or the clock's)."""
        return self._today()

    # --- databases -------------------------------------------------------------------------------
    def close_database(self) -> None:
        if self.database is not None:
            self.database.close()
            self.database = None
        self.editor.database = None
        self.undo_stack.clear()

    def set_database(self, database: Database) -> None:
        self.close_database()
        self.database = database
        self.editor.database = database
        if database.path is not None:  # a server's address is typed where it is wanted, not offered as recent
            self._remember(database.path)
        read_only = " (read-only)" if database.read_only else ""
        self.path_label.setText(f"{database.location}{read_only}")
        self.path_label.setToolTip(database.location)
        self.setWindowTitle(f"jointlead — {database.name}{read_only}")
        self._set_pages_enabled(True)
        self.refresh()
        if database.upgrade_backup is not None:
            self.statusBar().showMessage(f"Upgraded; a copy from before the upgrade is in {database.upgrade_backup}",
                                         15000)
        for warning in database.warnings:
            QMessageBox.warning(self, "jointlead", warning)

    def _set_pages_enabled(self, enabled: bool) -> None:
        self.pages.setEnabled(enabled)
        # A copy of the file, or a file put back: a shared database's copies are the server's backups instead.
        on_file = enabled and self.database is not None and self.database.path is not None
        self.save_copy_action.setEnabled(on_file)
        self.restore_action.setEnabled(on_file)
        self.import_action.setEnabled(enabled)
        self.tracker_action.setEnabled(enabled)
        self.export_action.setEnabled(enabled)
        self.pack_action.setEnabled(enabled)
        for action in (self.print_action, self.preview_action, self.pdf_action):
            action.setEnabled(enabled)

    def _switch_to(self, opener: Callable[[], Database], problem_title: str) -> bool:
        """Open a database with `opener` and show it; a problem is explained and the window carries on."""
        try:
            with waiting():
                database = opener()
        except JointleadError as error:
            show_problem(self, error, problem_title)
            return False
        self.set_database(database)
        return True

    def open_path(self, path: Path | str) -> bool:
        """Open a database file, or a shared database by its server address (postgresql://…)."""
        from jointlead.services import files  # loaded once the window shows (start-up)

        return self._switch_to(lambda: files.open_existing(path), "Cannot open the database")

    def open_database_dialog(self) -> None:
        start = str(self.database.path.parent if self.database and self.database.path else default_database().parent)
        name, _ = QFileDialog.getOpenFileName(self, "Open a jointlead database", start, DATABASE_FILTER)
        if name:
            self.open_path(Path(name))

    def open_shared_dialog(self) -> None:
        """A shared database on a PostgreSQL server, by its address (docs/shared-server.md)."""
        address, chosen = QInputDialog.getText(
            self, "Open a shared database",
            "The shared database's address, from whoever runs the server:\n"
            "postgresql://USER@HOST:PORT/DATABASE (your password goes in your pgpass file, not here)",
            QLineEdit.EchoMode.Normal, "postgresql://")
        if chosen and address.strip() not in ("", "postgresql://"):
            self.open_path(address.strip())

    def new_database(self) -> None:
        start = str(default_database().parent / "jointlead.sqlite")
        name, _ = QFileDialog.getSaveFileName(self, "Create a new jointlead database", start, DATABASE_FILTER)
        if name:
            self.create_database_at(Path(name))

    def create_database_at(self, path: Path) -> bool:
        from jointlead.services import files  # loaded once the window shows (start-up)

        return self._switch_to(lambda: files.create_empty(path), "Cannot create the database")

    def open_demo(self) -> bool:
        from jointlead.services import files  # loaded once the window shows (start-up)

        self.statusBar().showMessage("Preparing the demo service…")

        def open_demo() -> Database:
            try:
                return files.open_or_create_demo(demo_database())
            finally:
                self.statusBar().clearMessage()

        return self._switch_to(open_demo, "Cannot open the demo")

    def save_copy(self) -> None:
        from jointlead.services import files  # loaded once the window shows (start-up)

        if self.database is None:
            return
        suggested = self.database.path.with_name(f"{self.database.path.stem} copy {date.today():%Y-%m-%d}.sqlite")
        name, _ = QFileDialog.getSaveFileName(self, "Save a copy of the database", str(suggested), DATABASE_FILTER)
        if not name:
            return
        try:
            copy = files.save_copy(self.database, Path(name))
        except JointleadError as error:
            show_problem(self, error, "Cannot save a copy")
            return
        self.statusBar().showMessage(f"Saved a verified copy to {copy}", 10000)

    def restore_backup(self, backup: Path | None = None) -> bool:
        """File > Restore a backup…: put a copy (one of the automatic ones, or the user's own) in place of the open
        database's data. The data it replaces is kept as a copy first, so a wrong choice can be put back."""
        from jointlead.services import files  # loaded once the window shows (start-up)

        if self.database is None:
            return False
        if self.database.read_only:  # refused before the database is closed, so the window keeps it open
            show_problem(self, JointleadError(
                f"{self.database.path.name} is open read-only, so a backup cannot be restored over it.",
                "Copy the backup somewhere you can write to and open it there (File > Open)."),
                "Cannot restore the backup")
            return False
        path = self.database.path
        if backup is None:
            name, _ = QFileDialog.getOpenFileName(self, "Restore a backup", str(path.parent / "backups"),
                                                  DATABASE_FILTER)
            if not name:
                return False
            backup = Path(name)
        try:  # what is no backup is refused before anyone is asked, and what restoring would undo is said
            preview = files.restore_preview(path, backup)
        except JointleadError as error:
            show_problem(self, error, "Cannot restore the backup")
            return False
        warning = preview.erasures_warning()
        no, yes = QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes
        answer = QMessageBox.question(
            self, "Restore the backup?", "\n\n".join(part for part in (
                f"Replace everything in {path.name} with the copy in {backup.name}? {preview.latest_change_words()}",
                warning,
                "The data there now is kept as a copy in the backups folder first, so this can be put back the same "
                "way.") if part), yes | no, no if warning else yes)
        if answer != yes:
            return False
        self.close_database()
        try:
            restored = files.restore_backup(path, backup)
        except JointleadError as error:
            show_problem(self, error, "Cannot restore the backup")
            self.open_path(path)  # nothing was replaced: carry on with the data as it was
            return False
        if not self._switch_to(lambda: files.open_restored(restored), "Cannot open the database"):
            return False
        upgraded = "; it was from an older version and has been upgraded" if self.database.upgrade_backup else ""
        where = f"; the data it replaced is in {restored.kept}" if restored.kept else ""
        self.statusBar().showMessage(f"Restored {backup.name}{upgraded}{where}", 30000)
        if restored.preview.undone:  # the people erased are back: said where it cannot be missed, not in passing
            QMessageBox.warning(self, "Erase them again", f"{backup.name} is restored. "
                                + restored.preview.erasures_warning())
        return True

    def import_file(self) -> None:
        if self.database is None:
            return
        # Deferred: the wizard brings in the spreadsheet readers, which the window does not need to start.
        from jointlead.ui.import_wizard import ImportWizard

        wizard = ImportWizard(self.database, self, self._today(), self._import_folder())
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.imported.connect(self._on_imported)
        wizard.open()

    def _import_folder(self) -> ImportFolder:
        return ImportFolder(self.settings, self.database.path if self.database is not None else None)

    def _on_imported(self, preview, result) -> None:
        if result.batch_id is not None:
            self.undo_stack.push(ImportCommand(self, preview, result.batch_id))
        if preview.open_months_read:  # a ledger's new month: Budgets shows it, to check before it is closed
            self.page(self.titles.index("Budgets")).show_as_at(preview.year_start, max(preview.open_months_read))
        self.refresh()
        self.say_imported(result)

    def say_imported(self, result) -> None:
        self.statusBar().showMessage(f"Imported: {result.added:,} added, {result.changed:,} changed, "
                                     f"{result.removed:,} removed, {result.rejected:,} rejected", 15000)

    def import_tracker(self) -> None:
        if self.database is None:
            return
        from jointlead.ui.tracker_import_dialog import TrackerImportDialog

        dialog = TrackerImportDialog(self.editor, self, self._today(), self._import_folder())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def export_file(self, kind: str | None = None) -> None:
        """File > Export…, on the workbook of the page shown, or File > Export pack… straight to one kind (`kind`,
        e.g. "Monthly pack")."""
        if self.database is None:
            return
        from jointlead.ui.export_dialog import ExportDialog, ExportMemory

        dialog = ExportDialog(self.database, self, self._today(), ExportMemory(self.settings),
                              kind or self.current_page().export_kind or None)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.exported.connect(
            lambda result: self.statusBar().showMessage(f"Wrote {result.rows:,} rows to {result.path}", 15000))
        dialog.open()

    # --- printing --------------------------------------------------------------------------------
    def _printout(self):
        """What File > Print… prints: the table being worked in, or the parts of the view shown, else the page as it
        looks (board papers): `printing.printout_for` decides."""
        from jointlead.ui.printing import printout_for  # print support loads when first used, not at start

        return printout_for(self.current_page(), source=self.database.name if self.database else "",
                            printed_on=self._today())

    def print_page(self) -> None:
        from jointlead.ui.printing import print_with_dialog

        if self.database is not None:
            print_with_dialog(self, self._printout())

    def preview_page(self) -> None:
        from jointlead.ui.printing import preview_with_dialog

        if self.database is not None:
            preview_with_dialog(self, self._printout())

    def save_page_as_pdf(self) -> None:
        from jointlead.ui.export_dialog import documents_folder
        from jointlead.ui.printing import save_pdf_with_dialog

        if self.database is None:
            return
        page = self.current_page()
        # Named for the view too, so a second view of a page saved the same day does not offer to replace the first.
        tabs = getattr(page, "tabs", None)
        view = (re.sub(r"\s*\(\d+\)$", "", tabs.tabText(tabs.currentIndex()).replace("&", ""))
                if isinstance(tabs, QTabWidget) and tabs.count() > 1 else "")
        title = " - ".join(part for part in (page.title, view) if part).replace("&", "and")
        suggested = documents_folder() / f"{title} {self._today():%Y-%m-%d}.pdf"
        saved = save_pdf_with_dialog(self, self._printout(), suggested)
        if saved is not None:
            self.statusBar().showMessage(f"Saved {saved}", 10000)

    def welcome(self) -> bool:
        """Ask how to start when there is no database; False if the user chose to quit."""
        while True:
            dialog = WelcomeDialog(self)
            dialog.exec()
            choice = dialog.choice
            if choice == WelcomeChoice.QUIT:
                return False
            if choice == WelcomeChoice.CREATE_EMPTY and self.create_database_at(default_database()):
                return True
            if choice == WelcomeChoice.OPEN_DEMO and self.open_demo():
                return True
            if choice == WelcomeChoice.OPEN_FILE:
                self.open_database_dialog()
                if self.database is not None:
                    return True

    # --- pages -----------------------------------------------------------------------------------
    def page(self, row: int) -> Page:
        """The page in row `row` of the navigation, built (and its module loaded) the first time it is asked for."""
        page = self._built.get(row)
        if page is None:
            _title, module, name = LATER_PAGES[row - 1]
            page = getattr(import_module(module), name)(self)
            page.editor = self.editor
            self._remember_layout(page)
            stand_in = self.pages.widget(row)
            self.pages.insertWidget(row, page)
            self.pages.removeWidget(stand_in)
            stand_in.deleteLater()
            self._built[row] = page
        return page

    def _remember_layout(self, page: Page) -> None:
        """Each of the page's tables shows the columns last chosen for it, and each divider between a list and its
        details (a splitter with a name) is where it was left at the last close (`_keep_dividers`)."""
        for table in page.findChildren(DataTable):
            table.remember_columns(self.settings)
        for divider in _dividers(page):
            name = divider.objectName()
            sizes = string_list(self.settings, f"dividers/{name}")
            if len(sizes) == divider.count() and all(size.isdigit() for size in sizes):
                divider.setSizes([int(size) for size in sizes])
            divider.splitterMoved.connect(lambda _at, _index, name=name: self._moved_dividers.add(name))

    def _keep_dividers(self) -> None:
        """Where each divider dragged this session was left (one never shown, on a tab not opened, has no place of
        its own to keep)."""
        for page in self._built.values():
            for divider in _dividers(page):
                if divider.objectName() in self._moved_dividers:
                    self.settings.setValue(f"dividers/{divider.objectName()}",
                                           [str(size) for size in divider.sizes()])

    @property
    def page_list(self) -> list[Page]:
        """Every page, built."""
        return [self.page(row) for row in range(len(self.titles))]

    def show_page(self, title: str) -> None:
        if title in self.titles:
            self.navigation.setCurrentRow(self.titles.index(title))

    def open_filtered(self, title: str, filters: dict) -> None:
        """Open a page narrowed as a dashboard tile asks: e.g. the Actions page showing one organisation's overdue."""
        self.show_page(title)
        self.current_page().show_filtered(**filters)

    def current_page(self) -> Page:
        return self.page(self.navigation.currentRow())

    def focus_search(self) -> None:
        table = getattr(self.current_page(), "table", None)
        if table is not None:
            table.search.setFocus()
            table.search.selectAll()

    def _on_navigate(self, row: int) -> None:
        if row < 0:
            return
        self.page(row)
        self.pages.setCurrentIndex(row)
        self._show_if_stale(row)

    def _show_if_stale(self, row: int) -> None:
        # Pages fill in when first shown after a change, so opening a database costs one page, not five.
        if self.database is None or row not in self._stale:
            return
        self._stale.discard(row)
        self.page(row).show_data(self.database, self._today())

    def refresh(self) -> None:
        from jointlead.services import overview  # loaded once the window shows (start-up)

        if self.database is None:
            return
        pool = overview.first_pool_year(self.database, self._today())
        year, as_at = pool if pool else (None, None)
        self.as_at_label.setText(f"Last closed: {as_at.label} {as_at.year.label}" if as_at else
                                 f"{year.label}: no month closed yet" if year else "No pooled budget yet")
        self._stale = set(range(len(self.titles)))
        self._show_if_stale(self.navigation.currentRow())

    def open_log_folder(self) -> bool:
        """Help > Open the log folder: for IT support, who ask for the log after an unexpected error."""
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        if QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            return True
        QMessageBox.information(self, "The log folder", f"The log is in {folder}.")  # no file manager to open it
        return False

    def show_about(self) -> None:
        from importlib.metadata import PackageNotFoundError, version  # only About needs it: not loaded at start

        def package(name: str) -> str:
            try:
                return version(name)
            except PackageNotFoundError:
                return "not installed"

        # Rich text: a path is escaped (a folder may be called "R&D <old>"), and lines break with <br>.
        database = (f"{escape(str(self.database.location))}<br>Schema revision {self.database.revision}"
                    if self.database else "No database open")
        where = ("This record is a shared database on a server: jointlead uses the network only to reach it, and "
                 "nothing else." if self.database and self.database.server else
                 "Everything stays on this computer: jointlead never uses the network.")
        QMessageBox.about(
            self, "About jointlead",
            f"<h3>jointlead {__version__}</h3>"
            f"<p>The joint general manager's record of pooled budgets, reporting lines, supervision and actions. "
            f"{where}</p>"
            f"<p><b>Database</b><br>{database}</p>"
            f"<p><b>Versions</b><br>Python {platform.python_version()} on {sys.platform}<br>Qt {qVersion()}, "
            f"PySide6 {pyside_version}<br>SQLAlchemy {package('SQLAlchemy')}, alembic {package('alembic')}<br>"
            f"openpyxl {package('openpyxl')}, python-calamine {package('python-calamine')}</p>")


def _dividers(page: Page) -> list[QSplitter]:
    """The page's dividers between a list and its details: its splitters with names (the settings' keys)."""
    return [divider for divider in page.findChildren(QSplitter) if divider.objectName()]
