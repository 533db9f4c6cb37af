"""File > Export…: write a formula-safe workbook for a parent organisation, off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QStandardPaths, Qt, Signal
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

from jointlead.domain.calendar import FinancialYear, Period
from jointlead.domain.errors import JointleadError
from jointlead.services import budget_month, budget_report, exports, overview
from jointlead.services.action_tracker import export_action_tracker
from jointlead.services.exports import ExportResult
from jointlead.services.files import Database
from jointlead.services.packs import export_pack
from jointlead.services.picture import as_at_picture, count
from jointlead.services.supervision_export import export_supervision
from jointlead.ui.budget_words import fill_as_at
from jointlead.ui.messages import show_problem
from jointlead.ui.theme import TONES
from jointlead.ui.widgets import checklist_html
from jointlead.ui.worker import Task, show_crash

WORKBOOK_FILTER = "Excel workbooks (*.xlsx)"

# What a database needs before a kind can be exported, and where to set it up: a new, empty one has neither.
NO_ORGANISATION = ("Nothing can be exported yet: each workbook is for one of the pooled budget's partner "
                   "organisations, and none is recorded. Set up the pooled budget first, on the Budgets page (Set up "
                   "a pooled budget…): its partners are the organisations to export for.")
NO_POOL = ("The {what} is as at a month of the pooled budget, and no pooled budget is recorded yet. Set it up "
           "first, on the Budgets page (Set up a pooled budget…), or choose another export.")


@dataclass(frozen=True)
class ExportKind:
    """One thing that can be exported: its name, and the service call that writes it.

    `write` takes the database, the organisation's code, the file, today, and the financial year and as-at period
    (M7 = 7) chosen (both None for kinds that are not as at a period); `as_at_period` says whether the dialog asks
    for them.
    """

    label: str
    write: Callable[[Database, str, Path, date, FinancialYear | None, int | None], ExportResult]
    as_at_period: bool = False
    file_label: str = ""  # how the default file name says what it is; the label in lower case when empty
    checklist: bool = False  # the dialog shows the cover's checklist before it is written


EXPORTS: tuple[ExportKind, ...] = (
    ExportKind("Staff and reporting lines",
               lambda database, organisation, out, on, _year, _as_at: exports.export_staff(database, organisation,
                                                                                           out, on)),
    ExportKind("Budget monitoring workbook",
               lambda database, organisation, out, _on, year, as_at: exports.export_budget(
                   database, organisation, out, year=year, as_at=as_at),
               as_at_period=True, file_label="budget monitoring"),
    # As at the dialog's today, like the staff list; the command line takes another day with --as-at.
    ExportKind("People and lines",
               lambda database, organisation, out, on, _year, _as_at: exports.export_people(
                   database, organisation, out, as_at=on)),
    ExportKind("Monthly pack",
               lambda database, organisation, out, on, year, as_at: export_pack(
                   database, organisation, out, year=year, as_at=as_at, today=on),
               as_at_period=True, file_label="monthly pack", checklist=True),
    ExportKind("Action tracker",
               lambda database, organisation, out, on, _year, _as_at: export_action_tracker(
                   database, out, organisation=organisation, today=on)),
    ExportKind("Supervision compliance",
               lambda database, organisation, out, on, _year, _as_at: export_supervision(
                   database, organisation, out, as_at=on)),
)


def documents_folder() -> Path:
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(location) if location else Path.home()


def default_name(kind: ExportKind, organisation_code: str, on: date, period: Period | None = None) -> str:
    """"NFT staff and reporting lines 2026-11-22.xlsx", "NCC budget monitoring M7 2026-27.xlsx": sorts by
    organisation, says what, and as at when."""
    what = kind.file_label or kind.label.lower()
    when = f"{period.label} {period.year.label}" if period is not None else f"{on:%Y-%m-%d}"
    return f"{organisation_code} {what} {when}.xlsx"


class ExportMemory:
    """Where the last workbook was saved, and for whom, kept in the window's settings: the next export is suggested
    in that folder, and for the partner after (a month's packs go to each partner in turn, often to one folder)."""

    FOLDER = "export/folder"

    def __init__(self, settings: QSettings) -> None:
        self.settings = settings

    def folder(self) -> Path:
        kept = str(self.settings.value(self.FOLDER, "") or "")
        return Path(kept) if kept and Path(kept).is_dir() else documents_folder()

    def organisation_after(self, kind: ExportKind, codes: Sequence[str]) -> str | None:
        """The organisation after the one this kind was last exported for (the first again after the last)."""
        last = str(self.settings.value(f"export/last/{kind.label}", "") or "")
        return codes[(codes.index(last) + 1) % len(codes)] if last in codes else None

    def remember(self, kind: ExportKind, organisation_code: str, path: Path) -> None:
        self.settings.setValue(self.FOLDER, str(path.parent))
        self.settings.setValue(f"export/last/{kind.label}", organisation_code)


class ExportDialog(QDialog):
    """Emits `exported` with the result once the workbook is written, then closes."""

    exported = Signal(object)  # ExportResult

    def __init__(self, database: Database, parent: QWidget, today: date, memory: ExportMemory,
                 kind: str | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.today = today
        self.memory = memory
        self._task: Task | None = None
        self._suggested = ""  # the name last filled in for the user; replaced while they have not typed their own
        self.setWindowTitle("Export")
        self.setAccessibleName("Export")
        self.setWindowModality(Qt.WindowModality.WindowModal)

        title = QLabel("Export a workbook", self)
        title.setObjectName("pageTitle")
        intro = QLabel("A fresh, formula-safe Excel workbook for a parent organisation, with a cover sheet saying "
                       "what it is, as at when, and where it came from.", self)
        intro.setWordWrap(True)
        intro.setMinimumWidth(520)

        self.what = QComboBox(self)
        self.what.setAccessibleName("What to export")
        for each in EXPORTS:
            self.what.addItem(each.label)
        if kind is not None:
            self.what.setCurrentText(kind)
        self.organisation = QComboBox(self)
        self.organisation.setAccessibleName("Organisation")
        for row in overview.organisations(database, today):
            self.organisation.addItem(f"{row.name} ({row.code})", row.code)
        if not self.organisation.count():  # only then: with a placeholder, Qt leaves the first choice unchosen
            self.organisation.setPlaceholderText("None recorded yet")
        self._organisation_chosen = False  # by the user: the kind chosen then no longer suggests one
        self.organisation.activated.connect(lambda _index: setattr(self, "_organisation_chosen", True))
        # Chosen now, before its change is listened to: once it is, each change works the cover's checklist out.
        self._suggest_organisation()
        # Budget monitoring is as at a period: the last closed by default. The months offered are the Budgets
        # page's: up to the later of the last closed and the last with actuals (a later one's figures are then
        # provisional, and the workbook's checklist says the period is not closed). Past those no month has an
        # actual, so figures as at one would take them all as nil: the services refuse such a month too.
        # The year is the last closed month's, as the services default it: after M12 closes the pool moves on to
        # the next year, and the year-end workbooks, as at M12, are still to be sent. Another year may be chosen.
        self.periods = budget_report.report_periods(database, today, budget_report.workbook_year(database,
                                                                                                today=today))
        self.year = QComboBox(self)
        self.year.setAccessibleName("Financial year")
        self.year.setToolTip("The financial year of the budget figures. It starts on the year of the last closed "
                             "month.")
        for each in self.periods.years if self.periods is not None else ():
            self.year.addItem(each.label, each.start_year)
        self.as_at = QComboBox(self)
        self.as_at.setAccessibleName("As at")
        if self.periods is not None:
            self.year.setCurrentIndex(max(self.year.findData(self.periods.year.start_year), 0))
            self._fill_as_at()
        else:
            self.as_at.setPlaceholderText("No pooled budget recorded yet")
        self.as_at.setToolTip("The figures are as at the end of this period. A period not yet closed gives "
                              "provisional figures, and the workbook's checklist says so.")
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
        for text, field in (("&What", self.what), ("&Organisation", self.organisation), ("&Year", self.year),
                            ("&As at", self.as_at)):
            label = QLabel(text, self)
            label.setBuddy(field)
            form.addRow(label, field)
        self.form = form
        path_label = QLabel("&Save as", self)
        path_label.setBuddy(self.path)
        form.addRow(path_label, path_row)
        self.checklist = QLabel("", self)
        self.checklist.setTextFormat(Qt.TextFormat.RichText)
        self.checklist.setWordWrap(True)
        self.checklist.setAccessibleName("What the pack's cover will say is incomplete")
        self.checklist.setMinimumHeight(self.fontMetrics().lineSpacing() * 8)  # the five items, some wrapped
        form.addRow(QLabel("Checklist", self), self.checklist)

        self.status = QLabel("", self)
        self.status.setObjectName("pageSubtitle")
        self.status.setWordWrap(True)
        # Why the chosen kind cannot be exported from this database yet, and what to set up first.
        self.missing = QLabel("", self)
        self.missing.setWordWrap(True)
        self.missing.setAccessibleName("What to set up before exporting")
        self.missing.setStyleSheet(f"color: {TONES['warn'][0]};")
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
        layout.addWidget(self.missing)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addStretch(1)  # room kept for the rows some kinds hide goes below the form, not between its rows
        layout.addWidget(self.buttons)

        self.what.currentIndexChanged.connect(self._on_kind)
        self.year.activated.connect(self._on_year)
        for choice in (self.organisation, self.as_at):
            choice.currentIndexChanged.connect(self._suggest)
            choice.currentIndexChanged.connect(self._preview)
        self.path.textChanged.connect(self._on_path)
        self._suggest()
        # Sized with every row showing, so choosing a kind that asks for a period never squeezes the form, nor
        # does the longest thing this database may be missing for one of the kinds.
        self.status.setText(" ")
        missing = max((self._missing(each) for each in EXPORTS), key=len)
        self.missing.setText(missing)
        self.missing.setVisible(bool(missing))
        self.setMinimumSize(self.sizeHint())
        self.status.setText("")
        self._on_kind()

    @property
    def kind(self) -> ExportKind:
        return EXPORTS[max(self.what.currentIndex(), 0)]

    @property
    def organisation_code(self) -> str:
        return self.organisation.currentData() or ""

    @property
    def chosen_year(self) -> FinancialYear | None:
        """The financial year chosen for kinds as at a period; None otherwise, or with no pool recorded."""
        return self.periods.year if self.kind.as_at_period and self.periods is not None else None

    @property
    def as_at_period(self) -> int | None:
        """The chosen as-at period (M7 = 7) for kinds that have one; None otherwise, with no pool recorded, or at the
        start of the year (offered only while no month is closed or has actuals, when None means just that)."""
        return (self.as_at.currentData() or None) if self.kind.as_at_period else None

    def _fill_as_at(self) -> None:
        """Offer the months of the year chosen, the last closed chosen."""
        periods = self.periods
        fill_as_at(self.as_at, budget_month.budget_year(self.database, periods.agreement_id, periods.year), None)
        if self.as_at.count() > 1:
            # A workbook is as at a month. The start of the year stays only while no month has figures: it is
            # then what the services' default (the last closed, none) gives.
            self.as_at.removeItem(0)
            self.as_at.setCurrentIndex(max(self.as_at.findData(periods.default_as_at), 0))

    def _on_year(self, *_args: object) -> None:
        chosen = FinancialYear(self.year.currentData())
        if self.periods is None or chosen == self.periods.year:
            return
        self.periods = budget_report.report_periods(self.database, self.today, chosen)
        self._fill_as_at()
        self._suggest()
        self._preview()

    def _missing(self, kind: ExportKind) -> str:
        """What this database lacks before `kind` can be exported, in words saying what to set up; "" if nothing."""
        if self.organisation.count() == 0:
            return NO_ORGANISATION
        if kind.as_at_period and self.periods is None:
            return NO_POOL.format(what=kind.label.lower())
        return ""

    def _suggest_organisation(self) -> None:
        """The organisation after the one the kind chosen last went to, until the user chooses one: the first
        listed for a kind never exported."""
        if self._organisation_chosen or not self.organisation.count():
            return
        codes = [self.organisation.itemData(index) for index in range(self.organisation.count())]
        self.organisation.setCurrentIndex(codes.index(self.memory.organisation_after(self.kind, codes) or codes[0]))

    def _on_kind(self, *_args: object) -> None:
        self._suggest_organisation()
        missing = self._missing(self.kind)
        self.missing.setText(missing)
        self.missing.setVisible(bool(missing))
        self.form.setRowVisible(self.as_at, self.kind.as_at_period)
        # A year to choose only once there is more than one: most of the year there is just the one.
        self.form.setRowVisible(self.year, self.kind.as_at_period and self.year.count() > 1)
        # With nothing to export, a checklist saying the pack "can still be sent" would contradict the line above.
        self.form.setRowVisible(self.checklist, self.kind.checklist and not missing)
        self._suggest()
        self._preview()
        self._update_export()

    def _preview(self, *_args: object) -> None:
        """The cover's checklist for the organisation and month chosen, before anything is written."""
        if not self.kind.checklist or self._missing(self.kind):
            return
        try:
            picture = as_at_picture(self.database, self.today, organisation=self.organisation_code or None,
                                    year=self.chosen_year, as_at=self.as_at_period, trend_months=1)
        except JointleadError as error:
            self.checklist.setText(escape(error.message))
            return
        incomplete = sum(not ok for _wording, ok in picture.checklist)
        self.checklist.setText(
            ("<p>Everything is complete.</p>" if not incomplete else
             f"<p>{count(incomplete, 'thing is', 'things are')} incomplete: the pack can still be sent, and its "
             "cover says so.</p>") + checklist_html(picture.checklist))

    def _suggest(self, *_args: object) -> None:
        if self.path.text() and self.path.text() != self._suggested:
            return  # the user chose their own name: leave it
        if not self.organisation_code:
            # No organisation to name it after (none recorded): a name with a blank where the code goes is no help.
            self._suggested = ""
            self.path.setText("")
            return
        folder = Path(self._suggested).parent if self._suggested else self.memory.folder()
        number = self.as_at_period
        period = self.periods.year.period(number) if number and self.periods is not None else None
        self._suggested = str(folder / default_name(self.kind, self.organisation_code, self.today, period))
        self.path.setText(self._suggested)

    def _on_path(self, text: str) -> None:
        self.path.setToolTip(text)
        self._update_export()

    def _update_export(self) -> None:
        """Export is offered once there is a file to write, something to write in it, and nothing being written."""
        self.export_button.setEnabled(bool(self.path.text().strip()) and self._task is None
                                      and not self._missing(self.kind))

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save the export as", self.path.text(), WORKBOOK_FILTER)
        if name:
            self.path.setText(name)

    def output(self) -> Path:
        path = Path(self.path.text().strip().strip('"')).expanduser()
        return path if path.suffix.lower() == ".xlsx" else path.with_name(path.name + ".xlsx")

    def export(self) -> None:
        if self._task is not None or not self.export_button.isEnabled():
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
        year, as_at = self.chosen_year, self.as_at_period

        def work(_progress: Any) -> ExportResult:
            return kind.write(database, organisation, out, today, year, as_at)

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
        for widget in (self.what, self.organisation, self.year, self.as_at, self.path, self.browse,
                       self.export_button):
            widget.setEnabled(not busy)
        self._update_export()
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
        self.memory.remember(self.kind, self.organisation_code, result.path)
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
