"""File > Export…: write a formula-safe workbook for a parent organisation, off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from jointlead.domain.errors import JointleadError
from jointlead.services import exports, overview
from jointlead.services.exports import ExportResult
from jointlead.services.files import Database
from jointlead.ui.import_wizard import DISABLED_BUTTON_STYLE
from jointlead.ui.messages import show_problem
from jointlead.ui.worker import Task, show_crash

WORKBOOK_FILTER = "Excel workbooks (*.xlsx)"


@dataclass(frozen=True)
class ExportKind:
    """One thing that can be exported: its name, and the service call that writes it."""

    label: str
    write: Callable[[Database, str, Path, date], ExportResult]


EXPORTS: tuple[ExportKind, ...] = (
    ExportKind("Staff and reporting lines",
               lambda database, organisation, out, on: exports.export_staff(database, organisation, out, on)),
)


def documents_folder() -> Path:
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(location) if location else Path.home()


def default_name(kind: ExportKind, organisation_code: str, on: date) -> str:
    """"NFT staff and reporting lines 2026-11-22.xlsx": sorts by organisation, says what and when."""
    return f"{organisation_code} {kind.label.lower()} {on:%Y-%m-%d}.xlsx"


class ExportDialog(QDialog):
    """Emits `exported` with the result once the workbook is written, then closes."""

    exported = Signal(object)  # ExportResult

    def __init__(self, database: Database, parent: QWidget, today: date) -> None:
        super().__init__(parent)
        self.database = database
        self.today = today
        self._task: Task | None = None
        self._suggested = ""  # the name last filled in for the user; replaced while they have not typed their own
        self.setWindowTitle("Export")
        self.setAccessibleName("Export")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setStyleSheet(DISABLED_BUTTON_STYLE)

        title = QLabel("Export a workbook", self)
        title.setObjectName("pageTitle")
        intro = QLabel("A fresh, formula-safe Excel workbook for a parent organisation, with a cover sheet saying "
                       "what it is, as at when, and where it came from.", self)
        intro.setWordWrap(True)
        intro.setMinimumWidth(520)

        self.what = QComboBox(self)
        self.what.setAccessibleName("What to export")
        for kind in EXPORTS:
            self.what.addItem(kind.label)
        self.organisation = QComboBox(self)
        self.organisation.setAccessibleName("Organisation")
        for row in overview.overview(database, today).organisations:
            self.organisation.addItem(f"{row.name} ({row.code})", row.code)
        self.path = QLineEdit(self)
        self.path.setAccessibleName("Save as")
        self.path.setMinimumWidth(560)
        self.browse = QPushButton("&Browse…", self)
        self.browse.setObjectName("secondary")
        self.browse.setAccessibleName("Choose where to save")
        self.browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(self.browse)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(10)
        for text, field in (("&What", self.what), ("&Organisation", self.organisation)):
            label = QLabel(text, self)
            label.setBuddy(field)
            form.addRow(label, field)
        path_label = QLabel("&Save as", self)
        path_label.setBuddy(self.path)
        form.addRow(path_label, path_row)

        self.status = QLabel("", self)
        self.status.setObjectName("pageSubtitle")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.export_button = self.buttons.addButton("&Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setAccessibleName("Export")
        self.export_button.setDefault(True)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("secondary")
        cancel.style().unpolish(cancel)  # the stylesheet matches on the name only when polished again
        cancel.style().polish(cancel)
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        # The minimum is fixed once, here: a window's minimum changing while it is shown (as the status line
        # fills in) is not something every platform supports.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

        self.what.currentIndexChanged.connect(self._suggest)
        self.organisation.currentIndexChanged.connect(self._suggest)
        self.path.textChanged.connect(self._on_path)
        self._suggest()
        self.status.setText(" ")
        self.setMinimumSize(self.sizeHint())
        self.status.setText("")

    @property
    def kind(self) -> ExportKind:
        return EXPORTS[max(self.what.currentIndex(), 0)]

    @property
    def organisation_code(self) -> str:
        return self.organisation.currentData() or ""

    def _suggest(self, *_args: object) -> None:
        if self.path.text() and self.path.text() != self._suggested:
            return  # the user chose their own name: leave it
        folder = Path(self._suggested).parent if self._suggested else documents_folder()
        self._suggested = str(folder / default_name(self.kind, self.organisation_code, self.today))
        self.path.setText(self._suggested)

    def _on_path(self, text: str) -> None:
        self.path.setToolTip(text)
        self.export_button.setEnabled(bool(text.strip()) and self._task is None)

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save the export as", self.path.text(), WORKBOOK_FILTER)
        if name:
            self.path.setText(name)

    def output(self) -> Path:
        path = Path(self.path.text().strip().strip('"')).expanduser()
        return path if path.suffix.lower() == ".xlsx" else path.with_name(path.name + ".xlsx")

    def export(self) -> None:
        if self._task is not None:
            return
        out = self.output()
        if not out.parent.is_dir():
            show_problem(self, JointleadError(f"The folder {out.parent} does not exist.",
                                              "Choose a folder that exists, with Browse…."), "Cannot export")
            return
        if out.exists():
            answer = QMessageBox.question(self, "Replace the file?", f"{out.name} already exists in {out.parent}.\n\n"
                                          "Replace it with this export?",
                                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
        kind, database, organisation, today = self.kind, self.database, self.organisation_code, self.today

        def work(_progress: Any) -> ExportResult:
            return kind.write(database, organisation, out, today)

        self._task = Task(work, self)
        self._task.finished.connect(self._on_finished)
        self._task.failed.connect(self._on_failed)
        self._task.crashed.connect(self._on_crashed)
        self._set_busy(True)
        self._task.start()

    @property
    def busy(self) -> bool:
        return self._task is not None

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.what, self.organisation, self.path, self.browse, self.export_button):
            widget.setEnabled(not busy)
        self.status.setText("Writing the workbook…" if busy else "")
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def _settle(self) -> None:
        if self._task is not None:
            self._task.deleteLater()
        self._task = None
        self._set_busy(False)

    def _on_finished(self, result: ExportResult) -> None:
        self._settle()
        self.exported.emit(result)
        self.accept()

    def _on_failed(self, error: JointleadError) -> None:
        self._settle()
        show_problem(self, error, "Cannot export")

    def _on_crashed(self, _trace: str) -> None:
        self._settle()
        show_crash(self)

    def done(self, result: int) -> None:
        if self._task is not None:
            # An export cannot be stopped half-way, and is quick: wait for it, and forget what it says.
            for signal in (self._task.finished, self._task.failed, self._task.crashed):
                signal.disconnect()
            self._task.wait()
            self._settle()
        super().done(result)
