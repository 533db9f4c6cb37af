"""File > Import…: choose a partner's file, check how its columns are read, preview the changes, then apply them."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from jointlead.domain.calendar import FinancialYear
from jointlead.domain.errors import JointleadError
from jointlead.domain.money import format_money
from jointlead.domain.words import spaced_words
from jointlead.exchange.problems import column_letters
from jointlead.services import exports, imports, overview, people
from jointlead.services.files import Database
from jointlead.services.imports import (
    NOT_IN_FILE,
    ImportCancelled,
    ImportPreview,
    ImportResult,
    SampleCell,
    SourceDescription,
)
from jointlead.ui.import_folder import ImportFolder
from jointlead.ui.messages import show_problem
from jointlead.ui.page import day_text
from jointlead.ui.table_model import LEFT, RIGHT, Column
from jointlead.ui.theme import NHS_SECONDARY_TEXT, TONES
from jointlead.ui.widgets import DataTable, FlowLayout, ShortenedCombo, labelled
from jointlead.ui.worker import Task, TaskProgress, show_crash

SPREADSHEET_FILTER = "Spreadsheets (*.xlsx *.xlsm *.xls *.ods *.csv);;All files (*)"
WORKBOOK_FILTER = "Excel workbooks (*.xlsx)"
# A column's choice shows whole up to about this many characters ("Transaction Description  (E)"); a longer header is
# shortened in its middle, and is whole in the drop-down and the tooltip.
LONGEST_CHOICE = 32
MONEY_FIELDS = {"amount", "debit", "credit"}
PROBLEM_STYLE = f"color: {TONES['bad'][0]}; font-weight: 600;"
NOTICE_STYLE = f"color: {NHS_SECONDARY_TEXT};"
# Small enough for a 1024×600 laptop screen (or 1366×768 at 125%) to show the buttons at the bottom; the tables
# scroll inside it.
MINIMUM_SIZE = QSize(720, 480)
WINDOW_FRAME = QSize(20, 60)  # the title bar and borders the window system adds around a dialog


@dataclass(frozen=True)
class ImportKind:
    name: str  # as the services know it
    choice: str  # the radio button's words
    noun: str  # "ledger" or "staff list", for sentences


KINDS = (
    ImportKind("ledger", "&Ledger actuals from a partner's finance system", "ledger extract"),
    ImportKind("staff", "&Staff list from an HR or payroll system", "staff list"),
    ImportKind("supervision", "Su&pervision tracker: sessions held, cancelled or missed", "supervision tracker"),
)
NO_ORGANISATION = frozenset({"supervision"})  # a tracker can name people of both organisations
# A new, empty database has no organisations, and the only way to record them is the pooled budget's set-up: say so,
# rather than leave an empty "Whose is it?" and Next greyed out. (export_dialog.NO_ORGANISATION says the same about
# exporting, in words that do not fit an import.)
NO_PARTNERS = ("A {noun} comes from one of the pooled budget's partner organisations, and none is recorded yet. "
               "Set up the pooled budget first, on the Budgets page (Set up a pooled budget…): its two partners are "
               "then the organisations to choose from here.")
# A tracker's rows are sessions for people already recorded: on a database with nobody in it every row would be
# rejected, after the user had found the file and waited for it to be read.
NO_PEOPLE = ("A supervision tracker records sessions for people already in jointlead, and no one is recorded yet. "
             "Import each partner's staff list first (Staff list, above), or add people on the People & lines page.")
NO_PEOPLE_NOR_PARTNERS = ("A supervision tracker records sessions for people already in jointlead, and no one is "
                          "recorded yet. Their organisations come first: set up the pooled budget on the Budgets "
                          "page (Set up a pooled budget…), then import each partner's staff list.")


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def with_mnemonic(text: str, used: set[str]) -> str:
    """The text with an & before its first letter not already taken on the page, so Alt+letter reaches it."""
    for index, character in enumerate(text):
        key = character.casefold()
        if character.isalpha() and key not in used:
            used.add(key)
            return f"{text[:index]}&{text[index:]}"
    return text


def initial_size(parent: QWidget, preferred: QSize) -> QSize:
    """`preferred`, cut down to what the screen the parent window is on has room for with the window's frame and
    the taskbar, so the buttons along the bottom are never out of sight; never below MINIMUM_SIZE."""
    room = parent.screen().availableGeometry().size() - WINDOW_FRAME
    return preferred.boundedTo(room).expandedTo(MINIMUM_SIZE)


def _problem_label(parent: QWidget) -> QLabel:
    label = QLabel("", parent)
    label.setWordWrap(True)
    label.setStyleSheet(PROBLEM_STYLE)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName("Problem")
    label.hide()
    return label


def _notice_label(parent: QWidget) -> QLabel:
    label = QLabel("", parent)
    label.setWordWrap(True)
    label.setStyleSheet(NOTICE_STYLE)
    label.setAccessibleName("Notices")
    label.hide()
    return label


def _show_text(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


class Readiness(QLineEdit):
    """Whether a page may move on, as a hidden mandatory wizard field: "yes" when it may, empty when not.

    QWizardPage.isComplete() is not overridden: in PySide6 6.12 each call of a Python override loses a reference
    to the bool it returns, and the wizard calls it on every keystroke, so a long session would crash.
    """

    def __init__(self, page: QWizardPage, name: str) -> None:
        super().__init__(page)
        self.hide()
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        page.registerField(f"{name}.ready*", self)

    def set(self, ready: bool) -> None:
        self.setText("yes" if ready else "")

    @property
    def ready(self) -> bool:
        return bool(self.text())


class Busy(QWidget):
    """An indeterminate bar and a line saying what is under way, for work that reports no progress."""

    def __init__(self, text: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.label = QLabel(text, self)
        self.label.setObjectName("pageSubtitle")
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(10)
        self.bar.setAccessibleName(text)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar, 1)
        self.hide()

    def setVisible(self, visible: bool) -> None:
        # An empty range makes the bar "busy", which the style animates on a timer: only while there is work.
        self.bar.setRange(0, 0 if visible else 1)
        super().setVisible(visible)


# --- page 1: the file ------------------------------------------------------------------------------------------

class ChooseFilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self._wizard = wizard
        self._described = False
        self._busy = False
        self.setTitle("Choose the file")
        self.setSubTitle("What you are importing, whose it is, and the file it came in. Nothing is changed until "
                         "you have seen exactly what the import would do.")

        self.inputs = QWidget(self)
        what = QGroupBox("What are you importing?", self.inputs)
        self.kind_buttons = QButtonGroup(self)
        what_layout = QVBoxLayout(what)
        for index, kind in enumerate(KINDS):
            button = QRadioButton(kind.choice, what)
            button.setAccessibleName(kind.choice.replace("&", ""))
            self.kind_buttons.addButton(button, index)
            what_layout.addWidget(button)
        self.kind_buttons.button(0).setChecked(True)
        self.kind_buttons.idToggled.connect(self._on_kind)

        self.organisation = QComboBox(self.inputs)
        self.organisation.setAccessibleName("Whose is it")
        self._partners = [(row.code, row.name) for row in overview.organisations(wizard.database, wizard.today)]
        for code, name in self._partners:
            self.organisation.addItem(f"{name} ({code})", code)
        self.organisation.currentIndexChanged.connect(self._update)
        self.organisation.setEnabled(self.organisation.count() > 0)
        self._anyone = people.anyone_recorded(wizard.database)
        self.no_partners = _problem_label(self.inputs)
        self.no_partners.setAccessibleName("Why the import cannot go on")

        self.year = QComboBox(self.inputs)
        self.year.setEditable(True)
        self.year.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.year.setAccessibleName("Financial year")
        this_year = FinancialYear.containing(wizard.today)
        self.year.addItem("")
        for start in (this_year.start_year - 1, this_year.start_year, this_year.start_year + 1):
            self.year.addItem(FinancialYear(start).label)
        self.year.lineEdit().setPlaceholderText("The year being reported")
        self.year.setMinimumContentsLength(22)
        self.year.editTextChanged.connect(self._on_year)
        self.year_problem = _problem_label(self.inputs)
        self.year_problem.setAccessibleName("Financial year problem")
        self.year_hint = QLabel("Leave it empty for the year of the first period still open.", self.inputs)
        self.year_hint.setObjectName("pageSubtitle")
        self.year_hint.setWordWrap(True)

        self.path = QLineEdit(self.inputs)
        self.path.setAccessibleName("File")
        self.path.setPlaceholderText("The spreadsheet or CSV file you were sent")
        self.path.textChanged.connect(self._update)
        self.browse = QPushButton("&Browse…", self.inputs)
        self.browse.setObjectName("secondary")
        self.browse.setAccessibleName("Browse for the file")
        self.browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.browse)
        whose_box = QVBoxLayout()
        whose_box.setSpacing(4)
        whose_box.addWidget(self.organisation)
        whose_box.addWidget(self.no_partners)
        year_box = QVBoxLayout()
        year_box.setSpacing(4)
        year_box.addWidget(self.year)
        year_box.addWidget(self.year_problem)
        year_box.addWidget(self.year_hint)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(12)
        whose = QLabel("W&hose is it?", self.inputs)
        whose.setBuddy(self.organisation)
        self.year_label = QLabel("Financial &year", self.inputs)
        self.year_label.setBuddy(self.year)
        file_label = QLabel("&File", self.inputs)
        file_label.setBuddy(self.path)
        form.addRow(whose, whose_box)
        form.addRow(self.year_label, year_box)
        form.addRow(file_label, file_row)
        self._form = form

        self.inputs.setMaximumWidth(760)  # a form stretched across a wide window is hard to read along
        inputs_layout = QVBoxLayout(self.inputs)
        inputs_layout.setContentsMargins(0, 0, 0, 0)
        inputs_layout.setSpacing(14)
        inputs_layout.addWidget(what)
        inputs_layout.addLayout(form)

        self.busy = Busy("Reading the file…", self)
        self.ready = Readiness(self, "file")
        layout = QVBoxLayout(self)
        layout.addWidget(self.inputs)
        layout.addStretch(1)
        layout.addWidget(self.busy)
        self._on_kind(0, True)  # the first kind was checked before its handler was connected

    # --- what the page holds -----------------------------------------------------------------------------------
    @property
    def kind(self) -> ImportKind:
        return KINDS[max(self.kind_buttons.checkedId(), 0)]

    @property
    def organisation_code(self) -> str:
        return self.organisation.currentData() or ""

    def financial_year(self) -> FinancialYear | None:
        """The year typed or chosen; None for "the year being reported". Raises ValueError for bad text."""
        text = self.year.currentText().strip()
        return FinancialYear.parse(text) if text and self.kind.name == "ledger" else None

    @property
    def file(self) -> Path:
        return Path(self.path.text().strip().strip('"'))

    def _year_problem(self) -> str:
        try:
            self.financial_year()
        except ValueError as error:
            return f"{str(error)[0].upper()}{str(error)[1:]}."
        return ""

    # --- reacting --------------------------------------------------------------------------------------------
    def _on_kind(self, _id: int, checked: bool) -> None:
        if not checked:
            return
        ledger = self.kind.name == "ledger"
        whose = self.kind.name not in NO_ORGANISATION
        self._form.setRowVisible(0, whose)
        self._form.setRowVisible(1, ledger)
        _show_text(self.no_partners, self._why_not())
        self._on_year()

    def _why_not(self) -> str:
        """Why an import of the kind chosen cannot go on with this database, in words; "" if it can."""
        if self.kind.name in NO_ORGANISATION:
            if self._anyone:
                return ""
            return NO_PEOPLE if self.organisation.count() else NO_PEOPLE_NOR_PARTNERS
        return "" if self.organisation.count() else NO_PARTNERS.format(noun=self.kind.noun)

    def _on_year(self, *_args: object) -> None:
        _show_text(self.year_problem, self._year_problem())
        self._update()

    def _browse(self) -> None:
        folder = self._wizard.folder
        start = str(self.file.parent) if self.path.text().strip() else folder.start()
        name, _ = QFileDialog.getOpenFileName(self, "Choose the file to import", start, SPREADSHEET_FILTER)
        if name:
            folder.remember(Path(name))
            self.path.setText(name)
            self._choose_partner_named_in(Path(name).stem)

    def _choose_partner_named_in(self, file_name: str) -> None:
        """Choose the partner a file's name names ("NFT ledger M08"), when it names one alone: each partner's
        extract is usually named for it, and the first partner in the list was otherwise chosen for every file."""
        words = spaced_words(file_name)
        named = [code for code, name in self._partners
                 if spaced_words(code) in words or spaced_words(name) in words]
        if len(named) == 1:
            self.organisation.setCurrentIndex(self.organisation.findData(named[0]))

    def _update(self, *_args: object) -> None:
        text = self.path.text().strip()
        whose = bool(self.organisation_code) or self.kind.name in NO_ORGANISATION
        self.ready.set(not self._busy and whose and not self._why_not() and not self._year_problem()
                       and bool(text) and self.file.is_file())

    def validatePage(self) -> bool:
        # Next reads the file in the background first; the page moves on when that has worked.
        if self._described:
            self._described = False
            return True
        self._wizard.request = DescribeRequest(self.file, self.kind.name, self.organisation_code,
                                               self.financial_year())
        self._set_busy(True)
        self._wizard.describe(self._wizard.request, self._on_described, self._on_failed)
        return False

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.inputs.setEnabled(not busy)
        self.busy.setVisible(busy)
        self._update()

    def _on_described(self, description: SourceDescription) -> None:
        self._set_busy(False)
        self._wizard.description = description
        self._described = True
        self._wizard.next()

    def _on_failed(self) -> None:
        self._set_busy(False)
        self.path.setFocus()


# --- page 2: sheet and columns ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class DescribeRequest:
    path: Path
    kind: str
    organisation: str
    year: FinancialYear | None
    sheet: str | None = None
    overrides: Mapping[str, str] | None = None


@dataclass(frozen=True)
class SampleRow:
    """One row of the file as the import would read it."""

    number: int
    cells: tuple[SampleCell, ...]


def _cell_text(cell: SampleCell, field_name: str) -> str:
    if cell.problem:
        # The message names the column ("Amount: …"); the column header already says that.
        return "⚠ " + (cell.problem.partition(": ")[2] or cell.problem)
    text = cell.text
    # The service gives parsed values as plain text: money in pence and WTE in hundredths are shown as people read them.
    if field_name in MONEY_FIELDS and text.lstrip("-").isdigit():
        return format_money(int(text))
    if field_name == "wte" and text.isdigit():
        return f"{int(text) / 100:.2f}"
    if field_name == "period" and text.isdigit():
        return f"M{text}"
    return text


def _cell_sort(cell: SampleCell, field_name: str) -> Any:
    if field_name in MONEY_FIELDS | {"wte", "period"} and cell.text.lstrip("-").isdigit() and not cell.problem:
        return int(cell.text)
    return cell.text


def sample_columns(fields: tuple[imports.FieldChoice, ...]) -> list[Column]:
    columns = [Column("Row", lambda r: str(r.number), sort_key=lambda r: r.number, align=RIGHT)]
    for index, choice in enumerate(fields):
        name = choice.name
        columns.append(Column(
            choice.label,
            text=lambda r, i=index, n=name: _cell_text(r.cells[i], n),
            sort_key=lambda r, i=index, n=name: _cell_sort(r.cells[i], n),
            align=RIGHT if name in MONEY_FIELDS | {"wte"} else LEFT,
            tone=lambda r, i=index: "bad" if r.cells[i].problem else None,
            tooltip=lambda r, i=index, n=name: r.cells[i].problem or _cell_text(r.cells[i], n),
            max_width=280))
    return columns


class ColumnChoice(ShortenedCombo):
    """A drop-down of the file's columns, as wide as its longest choice up to LONGEST_CHOICE characters. A longer one
    is shortened in its middle, so the column letter at its end still shows ("Transaction…iption  (E)"): a combo's
    own text is cut off at the right, and "Account Code  (B)" cut to "Account Code  (" names no column."""

    elide = Qt.TextElideMode.ElideMiddle

    def fit_choices(self) -> None:
        """As wide as the longest choice, within reason: called whenever the choices are filled in again."""
        self.ensurePolished()  # measured in the style sheet's padding and font, which come with polishing
        metrics = self.fontMetrics()
        longest = max((metrics.horizontalAdvance(self.itemText(i)) for i in range(self.count())), default=0)
        around = self.width() - self.text_room()  # the frame and the arrow, whatever the width
        # A pixel more than the text's advance: Qt shortens a text given exactly its own width ("(not in…s file)").
        self.setFixedWidth(min(longest + 1, metrics.averageCharWidth() * LONGEST_CHOICE) + around)


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self._wizard = wizard
        self._previewed = False
        self._fields: tuple[imports.FieldChoice, ...] = ()
        self._combos: dict[str, ColumnChoice] = {}
        self._pending: DescribeRequest | None = None
        self._running = False
        self.setTitle("Sheet and columns")
        self.setSubTitle("Check which column holds each thing the import needs. The rows below are read exactly "
                         "as the import will read them; cells it cannot understand are shown in red.")

        self.sheet = QComboBox(self)
        self.sheet.setAccessibleName("Sheet")
        self.sheet.setMinimumContentsLength(16)
        self.sheet.currentIndexChanged.connect(self._on_sheet)
        sheet_label = QLabel("S&heet", self)
        sheet_label.setBuddy(self.sheet)
        self.header_row = QLabel("", self)
        self.header_row.setObjectName("pageSubtitle")
        self.header_row.setAccessibleName("Header row")
        self.busy = Busy("Reading the file…", self)
        top = QHBoxLayout()
        top.addWidget(sheet_label)
        top.addWidget(self.sheet)
        top.addSpacing(12)
        top.addWidget(self.header_row)
        top.addSpacing(12)
        top.addWidget(self.busy, 1)
        top.addStretch(0)

        # The fields sit above the rows, so the rows get the whole width of the page; as many to a line as the
        # width has room for, each caption and box as wide as the widest, so that they line up in columns.
        self.fields_box = QGroupBox("Columns (* needed for every import)", self)
        self.fields_form = FlowLayout(self.fields_box)
        self.fields_form.setContentsMargins(9, 6, 9, 9)
        self.fields_form.setSpacing(10)

        self.sample: DataTable | None = None  # its columns are the fields of the kind of import: made with them
        self._sample_slot = QVBoxLayout()
        self._sample_slot.setContentsMargins(0, 0, 0, 0)

        self.problem = _problem_label(self)
        self.notices = _notice_label(self)
        self.ready = Readiness(self, "mapping")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.fields_box)
        layout.addLayout(self._sample_slot, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.notices)

    # --- filling --------------------------------------------------------------------------------------------
    def initializePage(self) -> None:
        self._previewed = False
        self._pending = None
        description = self._wizard.description
        if description is not None:
            self._show(description)

    def _build_fields(self, fields: tuple[imports.FieldChoice, ...], headers: tuple[str, ...]) -> None:
        if tuple(f.name for f in fields) != tuple(f.name for f in self._fields):
            while self.fields_form.count():
                item = self.fields_form.takeAt(0)
                if item.widget() is not None:
                    item.widget().deleteLater()
            self._combos = {}
            used = {"h", "b", "n", "i"}  # Sheet, and the wizard's Back, Next and Import buttons
            for choice in fields:
                combo = ColumnChoice(self.fields_box)
                combo.setAccessibleName(f"{choice.label} column" + (" (needed)" if choice.required else ""))
                combo.currentIndexChanged.connect(self._on_mapping)
                # A header longer than the box ("Cost centre Code", from a header in two rows) is whole here.
                combo.currentTextChanged.connect(combo.setToolTip)
                self.fields_form.addWidget(labelled(with_mnemonic(choice.label, used)
                                                    + (" *" if choice.required else ""), combo, self.fields_box))
                self._combos[choice.name] = combo
            captions = [combo.parentWidget().findChild(QLabel) for combo in self._combos.values()]
            widest = max((caption.sizeHint().width() for caption in captions), default=0)
            for caption in captions:
                caption.setFixedWidth(widest)
            if self.sample is not None:
                self._sample_slot.removeWidget(self.sample)
                self.sample.deleteLater()
            self.sample = DataTable("sample rows", sample_columns(fields), "No rows were found under the header.",
                                    self, searchable=False)
            self.sample.view.setAccessibleName("Sample rows as the import reads them")
            self._sample_slot.addWidget(self.sample)
            chain = [self.sheet, *self._combos.values(), self.sample.view]
            for first, second in itertools.pairwise(chain):
                QWidget.setTabOrder(first, second)
        for choice in fields:
            combo = self._combos[choice.name]
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(NOT_IN_FILE, None)
            seen: set[str] = set()
            for column, header in enumerate(headers):
                if header and header not in seen:
                    seen.add(header)
                    combo.addItem(f"{header}  ({column_letters(column)})", header)
            combo.setCurrentIndex(max(combo.findData(choice.header), 0) if choice.header else 0)
            combo.blockSignals(False)
            combo.setToolTip(combo.currentText())
            combo.fit_choices()
        self._fields = fields

    def _show(self, description: SourceDescription) -> None:
        self.sheet.blockSignals(True)
        self.sheet.clear()
        self.sheet.addItems(list(description.sheets))
        self.sheet.setCurrentText(description.sheet)
        self.sheet.blockSignals(False)
        self.sheet.setEnabled(len(description.sheets) > 1)
        self.header_row.setText(f"Headers found on {description.header_where}")
        self._build_fields(description.fields, description.headers)
        self.sample.set_rows([SampleRow(number, cells) for number, cells in description.sample])
        # The fields the file does not hold ("(not in this file)") have nothing to show: they took the room the
        # description and the transaction id needed, pushed off to the right.
        self.sample.set_absent({column.name for column, choice in zip(self.sample.model.columns[1:],
                                                                       description.fields, strict=True)
                                if choice.header is None})
        _show_text(self.problem, description.problem)
        _show_text(self.notices, "\n".join(description.notices))
        self._update()

    # --- changing the mapping --------------------------------------------------------------------------------
    def current_mapping(self) -> dict[str, str]:
        # "" says the file does not hold the field, so a header that merely looks like it is not matched again.
        return {name: combo.currentData() or "" for name, combo in self._combos.items()}

    def _on_sheet(self, _index: int) -> None:
        # Another sheet has other headers: start again from matching by name.
        self._describe(sheet=self.sheet.currentText(), overrides=None)

    def _on_mapping(self, _index: int) -> None:
        self._describe(sheet=self.sheet.currentText(), overrides=self.current_mapping())

    def _describe(self, *, sheet: str | None, overrides: Mapping[str, str] | None) -> None:
        base = self._wizard.request
        if base is None:
            return
        request = DescribeRequest(base.path, base.kind, base.organisation, base.year, sheet, overrides)
        if self._running:
            self._pending = request  # only the latest choice matters; it runs when this one ends
            return
        self._running = True
        self._set_busy(True)
        self._wizard.describe(request, self._on_described, self._on_failed)

    def _after(self) -> bool:
        """Called when a describe ends; True if a newer request was started instead of showing this one."""
        self._running = False
        if self._pending is not None:
            request, self._pending = self._pending, None
            self._describe(sheet=request.sheet, overrides=request.overrides)
            return True
        self._set_busy(False)
        return False

    def _on_described(self, description: SourceDescription) -> None:
        if self._after():
            return
        self._wizard.description = description
        self._show(description)

    def _on_failed(self) -> None:
        self._after()

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self._update()

    def _update(self) -> None:
        description = self._wizard.description
        self.ready.set(not self._running and description is not None and description.problem == "")

    # --- on to the preview -----------------------------------------------------------------------------------
    def validatePage(self) -> bool:
        if self._previewed:
            self._previewed = False
            return True
        self._wizard.run_preview(self.sheet.currentText(), self.current_mapping(), self._on_previewed)
        return False

    def _on_previewed(self, preview: ImportPreview) -> None:
        self._wizard.preview = preview
        self._previewed = True
        self._wizard.next()


# --- page 3: the preview ---------------------------------------------------------------------------------------

CHANGE_COLUMNS = (
    Column("Where", lambda c: c.reference, max_width=140),
    Column("What", lambda c: c.subject, max_width=420),
    Column("Detail", lambda c: c.detail, max_width=420),
)
def _cells_in_words(cells: Sequence[object]) -> str:
    """A rejected row's own cells, as the file holds them (its journal, codes and amount are how a manager finds it
    in the ledger): dates as days, the rest as written, empty cells left out."""
    return " · ".join(day_text(cell.date() if isinstance(cell, datetime) else cell) if isinstance(cell, date)
                      else str(cell).strip() for cell in cells if cell is not None and str(cell).strip())


REJECTED_COLUMNS = (
    Column("Where", lambda r: r.reference, max_width=140),
    Column("Problems", lambda r: " ".join(r.problems), tooltip=lambda r: "\n".join(r.problems), max_width=700),
    Column("In the file", lambda r: _cells_in_words(r.cells), tooltip=lambda r: _cells_in_words(r.cells),
           max_width=300),
)


def summary(preview: ImportPreview) -> str:
    """The preview in a sentence or two, as the CLI prints it."""
    read = f"{plural(preview.rows_read, 'row')} read from {preview.sheet}"
    rejected = f"{len(preview.rejected):,} rejected"
    if preview.kind == "ledger":
        return (f"{read} into {preview.period_label}: {len(preview.added):,} added, {len(preview.changed):,} "
                f"changed, {preview.unchanged:,} unchanged, {preview.unmapped:,} unmapped, {rejected}, "
                f"{len(preview.removed):,} removed. {imports.net_total_in_words(preview)}")
    if preview.kind == "supervision":
        return (f"{read}: {plural(len(preview.added), 'new session')}, {len(preview.changed):,} changed, "
                f"{preview.unchanged:,} already recorded, {rejected}.")
    return (f"{read}: {plural(len(preview.added), 'new person', 'new people')}, {len(preview.changed):,} changed, "
            f"{preview.unchanged:,} unchanged, {rejected}, {plural(len(preview.removed), 'possible leaver')}.")


class PreviewPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self._wizard = wizard
        self._applied = False
        self.setTitle("Preview the changes")
        self.setSubTitle("This is what the import would do. Nothing has been changed yet: press Import to apply "
                         "it all in one go, or Back to change the mapping.")
        self.summary = QLabel("", self)
        self.summary.setWordWrap(True)
        self.summary.setObjectName("sectionTitle")
        self.summary.setAccessibleName("Summary")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.unmapped = QLabel("", self)  # what the counts mean: unmapped rows, or nothing to change
        self.unmapped.setWordWrap(True)
        self.unmapped.setObjectName("pageSubtitle")
        self.unmapped.setAccessibleName("About these changes")
        self.unmapped.hide()
        # The unmapped rows are somewhere among the new ones (the 67th of 170 in a month's extract): shown alone on
        # request, and every new row again when pressed again.
        self.show_unmapped = QPushButton("", self)
        self.show_unmapped.setObjectName("secondary")
        self.show_unmapped.setCheckable(True)
        self.show_unmapped.toggled.connect(self._show_unmapped)
        self.show_unmapped.hide()
        # An extract that looks like another partner's: said first, and applied only once the user ticks that it is
        # this partner's all the same (imported under the wrong partner, it removes that partner's postings).
        self.partner_warning = _problem_label(self)
        self.partner_warning.setAccessibleName("Whose extract this looks like")
        self.confirm_partner = QCheckBox("", self)
        self.confirm_partner.toggled.connect(self._update_ready)
        self.confirm_partner.hide()

        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Changes")
        self.added = DataTable("rows to add", CHANGE_COLUMNS, "Nothing new to add.", self.tabs, stretch_column=2)
        self.changed = DataTable("rows to change", CHANGE_COLUMNS, "Nothing would change.", self.tabs,
                                 stretch_column=2)
        self.removed = DataTable("rows to remove", CHANGE_COLUMNS, "Nothing would be removed.", self.tabs,
                                 stretch_column=2)
        self.rejected = DataTable("rejected rows", REJECTED_COLUMNS, "No row was rejected.", self.tabs,
                                  stretch_column=1)
        for table in (self.added, self.changed, self.removed, self.rejected):
            self.tabs.addTab(table, "")

        self.accept_valid = QCheckBox("Import the &valid rows and list the rejected ones in a workbook", self)
        self.accept_valid.setAccessibleName("Import the valid rows and list the rejected ones in a workbook")
        self.accept_valid.toggled.connect(self._update_ready)
        self.blocked = _problem_label(self)
        self.blocked.setAccessibleName("Why the import cannot go ahead")
        self.notices = _notice_label(self)
        self.ready = Readiness(self, "preview")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.unmapped)
        layout.addWidget(self.show_unmapped, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.partner_warning)
        layout.addWidget(self.confirm_partner)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.accept_valid)
        layout.addWidget(self.blocked)
        layout.addWidget(self.notices)

    def _show_unmapped(self, only: bool) -> None:
        self.added.set_predicate((lambda change: change.detail.endswith(imports.MATCHES_NO_LINE)) if only else None)
        if only:
            self.tabs.setCurrentWidget(self.added)
            self.added.view.setFocus()

    def initializePage(self) -> None:
        self._applied = False
        preview = self._wizard.preview
        if preview is None:
            return
        staff = preview.kind == "staff"
        self.summary.setText(summary(preview))
        notes = []
        if preview.accepted and not preview.changes_anything and preview.differs_in_closed_months:
            notes.append("Importing this file would change nothing: what differs from the record is in closed months "
                         "(see the note below).")
        elif preview.accepted and not preview.changes_anything:
            notes.append("Everything in this file is already recorded: importing it again would change nothing.")
        if not staff and preview.unmapped and not preview.partner_warning:  # the warning says they would be unmapped
            one = preview.unmapped == 1
            notes.append(f"{plural(preview.unmapped, 'row matches', 'rows match')} no budget line's ledger codes "
                         f"({'its' if one else 'their'} Detail below says so). {'It is' if one else 'They are'} "
                         "imported all the same and counted as unmapped on the dashboard until a line's codes cover "
                         f"{'it' if one else 'them'}.")
        _show_text(self.unmapped, " ".join(notes))
        self.show_unmapped.setChecked(False)
        self.show_unmapped.setText(f"Show only the &unmapped {'row' if preview.added_unmapped == 1 else 'rows'} "
                                   "to add")
        self.show_unmapped.setAccessibleName(self.show_unmapped.text().replace("&", ""))
        self.show_unmapped.setVisible(bool(preview.added_unmapped) and not preview.partner_warning)
        self.added.set_rows(preview.added)
        self.changed.set_rows(preview.changed)
        self.removed.set_rows(preview.removed)
        self.rejected.set_rows(preview.rejected)
        labels = (("&Added", "Ne&w people")[staff], "C&hanged", ("&Removed", "Possible &leavers")[staff],
                  "Re&jected")
        counts = (len(preview.added), len(preview.changed), len(preview.removed), len(preview.rejected))
        for index, (label, count) in enumerate(zip(labels, counts, strict=True)):
            self.tabs.setTabText(index, f"{label} ({count:,})")
        self.removed.empty.setText("Everyone imported before is still in this list." if staff
                                   else "A tracker never removes sessions." if preview.kind == "supervision"
                                   else "Nothing would be removed.")
        # What an extract that looks like another partner's would take out is what most needs seeing first.
        first = 2 if preview.partner_warning and preview.removed else next((i for i, c in enumerate(counts) if c), 0)
        self.tabs.setCurrentIndex(first)
        self.accept_valid.blockSignals(True)
        self.accept_valid.setChecked(False)
        self.accept_valid.blockSignals(False)
        self.accept_valid.setVisible(bool(preview.rejected) and preview.accepted > 0)
        _show_text(self.partner_warning, preview.partner_warning)
        self.confirm_partner.blockSignals(True)
        self.confirm_partner.setChecked(False)
        self.confirm_partner.blockSignals(False)
        confirm = f"I have &checked: it is {preview.organisation}'s extract, import it all the same"
        self.confirm_partner.setText(confirm)
        self.confirm_partner.setAccessibleName(confirm.replace("&", ""))
        self.confirm_partner.setVisible(bool(preview.partner_warning))
        _show_text(self.notices, "\n".join(preview.notices))
        self._update_ready()

    def _update_ready(self, *_args: object) -> None:
        preview = self._wizard.preview
        text = ""
        if preview is not None and preview.accepted == 0 and not preview.rejected:
            text = "The file has its headings but no rows under them to import. Check it is the right file."
        elif preview is not None and preview.accepted == 0 and preview.in_closed_months == len(preview.rejected):
            text = "No row of this file can be imported: every row is in a closed month (see the note below)."
        elif preview is not None and preview.accepted == 0:
            text = "No row of this file can be imported. Check it is the right file, and look at the rejected rows."
        elif preview is not None and preview.partner_warning and not self.confirm_partner.isChecked():
            text = (f"Tick the box above if it is {preview.organisation}'s extract all the same; otherwise go Back "
                    "to the first page and choose the partner whose it is.")
        elif preview is not None and preview.rejected and not self.accept_valid.isChecked():
            text = "Fix the file and import it again, or import only the valid rows."
        _show_text(self.blocked, text)
        self.ready.set(preview is not None and preview.accepted > 0
                       and (not preview.rejected or self.accept_valid.isChecked())
                       and (not preview.partner_warning or self.confirm_partner.isChecked()))

    def validatePage(self) -> bool:
        if self._applied:
            return True
        self._wizard.run_apply(self.accept_valid.isChecked(), self.confirm_partner.isChecked(), self._on_applied)
        return False

    def _on_applied(self) -> None:
        self._applied = True
        self._wizard.accept()


# --- the wizard ------------------------------------------------------------------------------------------------

class ImportWizard(QWizard):
    """Modal; emits `imported` with the preview and the result once an import has been applied."""

    imported = Signal(object, object)  # ImportPreview, ImportResult

    def __init__(self, database: Database, parent: QWidget, today: date, folder: ImportFolder) -> None:
        super().__init__(parent)
        self.database = database
        self.today = today
        self.folder = folder
        self.request: DescribeRequest | None = None
        self.description: SourceDescription | None = None
        self.preview: ImportPreview | None = None
        self.import_result: ImportResult | None = None
        self.rejected_workbook: Path | None = None
        self._tasks: list[Task] = []
        self._closing = False
        self.setWindowTitle("Import a file")
        self.setAccessibleName("Import a file")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Import")
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CancelButton):
            button = self.button(which)
            button.setObjectName("secondary")
            button.style().unpolish(button)  # the stylesheet matches on the name only when polished again
            button.style().polish(button)
        self.setMinimumSize(MINIMUM_SIZE)
        # Roomier where the window and the screen allow: the mapping step shows a row of the file across the page.
        self.resize(initial_size(parent, QSize(max(900, min(1180, parent.width() - 60)),
                                               max(620, min(760, parent.height() - 40)))))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.choose_page = ChooseFilePage(self)
        self.mapping_page = MappingPage(self)
        self.preview_page = PreviewPage(self)
        for page in (self.choose_page, self.mapping_page, self.preview_page):
            self.addPage(page)
        # After Qt's own focus handling on the step's change, which leaves the focus on nothing here.
        self.currentIdChanged.connect(lambda _id: QTimer.singleShot(0, self, self._focus_first_field))

    def _focus_first_field(self) -> None:
        """Each step opens in its first field: the field with the focus went with the step before (disabled first,
        while the file was read), and nothing had it after, so Tab started from nowhere. Left alone where the focus
        is in the step already (a field a problem sent it to)."""
        page, focus = self.currentPage(), self.focusWidget()
        if page is None or (focus is not None and page.isAncestorOf(focus)):
            return
        if page is self.preview_page:
            # Its tabs, to go through what would change, rather than a search box in which Enter would import.
            fields = [page.tabs.tabBar()]
        else:  # found as children, not by walking the focus chain (see forms.FormDialog._fields_first for why not)
            fields = [w for w in page.findChildren(QWidget) if w.focusPolicy() & Qt.FocusPolicy.TabFocus
                      and w.isVisibleTo(page) and w.isEnabled() and w.focusProxy() is None]
        if fields:
            fields[0].setFocus(Qt.FocusReason.TabFocusReason)

    # --- running services in the background ---------------------------------------------------------------------
    def _run(self, work: Callable[[Any], Any], on_done: Callable[[Any], None], *,
             on_failed: Callable[[JointleadError], None] | None = None, problem_title: str = "jointlead",
             progress: tuple[str, str, Callable[[int, int], str] | None, bool] | None = None) -> Task:
        """Run a service call in a worker; a problem is shown here unless `on_failed` deals with it."""
        task = Task(work, self, cancel_error=lambda: ImportCancelled(
            "The import was stopped.", "Nothing was imported: the database is as it was."))
        self._tasks.append(task)
        if progress is not None:
            # Made first, so it has closed before the handlers below show anything else.
            title, text, describe, can_cancel = progress
            TaskProgress(task, title, text, self, describe=describe, can_cancel=can_cancel).show()

        def settle() -> bool:
            self._tasks.remove(task)
            task.deleteLater()
            return not self._closing

        def finished(result: Any) -> None:
            if settle():
                on_done(result)

        def failed(error: JointleadError) -> None:
            if not settle():
                return
            if on_failed is not None:
                on_failed(error)
            else:
                show_problem(self, error, problem_title)

        def crashed(_trace: str) -> None:
            if settle():
                show_crash(self)

        task.finished.connect(finished)
        task.failed.connect(failed)
        task.crashed.connect(crashed)
        task.start()
        return task

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def describe(self, request: DescribeRequest, on_done: Callable[[SourceDescription], None],
                 after_failure: Callable[[], None]) -> None:
        database = self.database

        def work(_progress: Any) -> SourceDescription:
            return imports.describe_source(database, request.path, request.kind, request.organisation,
                                           year=request.year, sheet=request.sheet, overrides=request.overrides)

        def on_failed(error: JointleadError) -> None:
            after_failure()
            show_problem(self, error, "Cannot import into this year" if isinstance(error, imports.YearOutsidePool)
                         else "Cannot read this file")

        self._run(work, on_done, on_failed=on_failed)

    def run_preview(self, sheet: str, mapping: Mapping[str, str], on_done: Callable[[ImportPreview], None]) -> None:
        request, database, today = self.request, self.database, self.today
        if request is None:
            return
        overrides = dict(mapping)

        def work(progress: Any) -> ImportPreview:
            if request.kind == "ledger":
                return imports.preview_ledger_import(database, request.path, request.organisation,
                                                     year=request.year, overrides=overrides, sheet=sheet,
                                                     today=today, progress=progress)
            if request.kind == "supervision":
                return imports.preview_supervision_import(database, request.path, overrides=overrides, sheet=sheet,
                                                          today=today, progress=progress)
            return imports.preview_staff_import(database, request.path, request.organisation, overrides=overrides,
                                                sheet=sheet, today=today, progress=progress)

        def on_failed(error: JointleadError) -> None:
            if isinstance(error, imports.DatesDisagree):  # said in the wizard's words: --map means nothing here
                show_problem(self, JointleadError(error.message, error.wizard_advice), "Cannot preview this import")
            elif not isinstance(error, ImportCancelled):
                show_problem(self, error, "Cannot preview this import")

        self._run(work, on_done, on_failed=on_failed,
                  progress=("Previewing the import", "Reading rows…", lambda done, _t: f"Rows read: {done:,}", True))

    def run_apply(self, accept_valid: bool, partner_confirmed: bool, on_done: Callable[[], None]) -> None:
        """Apply the preview; `partner_confirmed`: the user has ticked that an extract that looks like another
        partner's is the one chosen's all the same (the preview applied, and handed on for Redo, says so)."""
        preview, database = self.preview, self.database
        if preview is None:
            return
        if partner_confirmed and preview.partner_warning:
            preview = imports.with_partner_confirmed(preview)

        def work(progress: Any) -> ImportResult:
            return imports.apply_import(database, preview, accept_valid=accept_valid, progress=progress)

        def on_failed(error: JointleadError) -> None:
            if isinstance(error, ImportCancelled):
                QMessageBox.information(self, "Import stopped",
                                        "Nothing was imported: the database is exactly as it was before.")
            else:
                show_problem(self, error, "Cannot import this file")

        def applied(result: ImportResult) -> None:
            self.import_result = result
            if preview.rejected and accept_valid:
                self._save_rejected(preview, lambda: self._finish(preview, result, on_done))
            else:
                self._finish(preview, result, on_done)

        def describe(done: int, total: int) -> str:
            return f"Rows written: {done:,} of {total:,}" if total else "Writing rows…"

        self._run(work, applied, on_failed=on_failed,
                  progress=("Importing", "Writing rows…", describe, True))

    def _save_rejected(self, preview: ImportPreview, then: Callable[[], None]) -> None:
        suggested = preview.path.with_name(f"{preview.path.stem} - rejected rows.xlsx")
        name, _ = QFileDialog.getSaveFileName(self, "Save the rejected rows", str(suggested), WORKBOOK_FILTER)
        if not name:
            then()
            return
        out = Path(name) if Path(name).suffix.lower() == ".xlsx" else Path(name + ".xlsx")
        database = self.database

        def work(_progress: Any) -> Path:
            return exports.write_rejected_rows(database, preview, out)

        def written(path: Path) -> None:
            self.rejected_workbook = path
            then()

        def on_failed(error: JointleadError) -> None:
            show_problem(self, error, "Cannot save the rejected rows")
            then()  # the import itself has been applied; say so all the same

        self._run(work, written, on_failed=on_failed,
                  progress=("Saving the rejected rows", "Writing the workbook…", None, False))

    def _finish(self, preview: ImportPreview, result: ImportResult, on_done: Callable[[], None]) -> None:
        if result.batch_id is None and preview.differs_in_closed_months:
            lines = [f"Nothing was imported from {preview.path.name}: what differs from the record is in closed "
                     "months, which it cannot change (see the notes in the preview)."]
        elif result.batch_id is None:
            lines = [f"{preview.path.name} holds nothing new: everything in it is already recorded, so nothing "
                     "was changed."]
        else:
            lines = [f"Imported {preview.path.name}.",
                     f"{result.added:,} added, {result.changed:,} changed, {result.removed:,} "
                     f"{'flagged as possible leavers' if preview.kind == 'staff' else 'removed'}, "
                     f"{result.unchanged:,} unchanged."]
        if preview.kind == "ledger" and result.unmapped:
            one = result.unmapped == 1
            lines.append(f"{plural(result.unmapped, 'row matches', 'rows match')} no budget line yet: assign "
                         f"{'it' if one else 'them'} to a line on Budgets > Unmapped rows (Assign to a line…); "
                         f"until then {'it counts' if one else 'they count'} towards nothing.")
        if result.rejected:
            where = (f"They are listed in {self.rejected_workbook}." if self.rejected_workbook
                     else "They were not saved to a workbook.")
            lines.append(f"{plural(result.rejected, 'row was', 'rows were')} not imported. {where}")
        QMessageBox.information(self, "Import finished", "\n\n".join(lines))
        self.imported.emit(preview, result)
        on_done()

    def done(self, result: int) -> None:
        if result == int(QWizard.DialogCode.Rejected) and self._tasks:
            # Closing with work under way: stop it, and wait so no thread outlives the window.
            self._closing = True
            for task in list(self._tasks):
                task.cancel()
                task.wait()
        super().done(result)
