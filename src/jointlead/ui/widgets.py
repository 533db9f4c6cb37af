"""Building blocks every page uses: page headings, figure tiles, and a searchable table with an empty state."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from jointlead.ui.table_model import Column, RowTableModel
from jointlead.ui.theme import TONES

MAX_COLUMN_WIDTH = 230  # wider text is elided and shown whole in the cell's tooltip


def page_heading(title: str, parent: QWidget) -> tuple[QLabel, QLabel]:
    """A page title and the line under it that says what the page is as at."""
    heading = QLabel(title, parent)
    heading.setObjectName("pageTitle")
    heading.setAccessibleName(title)
    subtitle = QLabel("", parent)
    subtitle.setObjectName("pageSubtitle")
    subtitle.setWordWrap(True)
    return heading, subtitle


def section_title(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("sectionTitle")
    return label


class Tile(QPushButton):
    """A headline figure: title, value and a line of detail. Activating it opens the page behind it."""

    def __init__(self, title: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("tile")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setMinimumSize(210, 104)
        # Tiles in a row share its height, and the row is as tall as the longest wrapped detail needs.
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._title = QLabel(title, self)
        self._title.setObjectName("tileTitle")
        self._title.setWordWrap(True)  # a narrow window wraps a long title rather than cutting it off
        self._value = QLabel("", self)
        self._value.setObjectName("tileValue")
        self._detail = QLabel("", self)
        self._detail.setObjectName("tileDetail")
        self._detail.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 12, 10)
        layout.setSpacing(2)
        for label in (self._title, self._value, self._detail):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            layout.addWidget(label)
        layout.addStretch(1)
        self.set_figure("", "")

    def set_figure(self, value: str, detail: str, tone: str | None = None) -> None:
        self._value.setText(value)
        self._detail.setText(detail)
        self._tone = tone
        colour = TONES[tone][0] if tone else ""
        self._value.setStyleSheet(f"color: {colour};" if colour else "")
        self.setAccessibleName(f"{self._title.text()}: {value}")
        self.setAccessibleDescription(detail)
        self.setToolTip(detail)

    def value_text(self) -> str:
        return self._value.text()

    def detail_text(self) -> str:
        return self._detail.text()

    def tone(self) -> str | None:
        """How the value is coloured: a key of theme.TONES, or None for plain text."""
        return self._tone

    def sizeHint(self):
        return self.layout().sizeHint().expandedTo(self.minimumSize())

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return max(self.layout().totalHeightForWidth(width), self.minimumHeight())


class DataTable(QWidget):
    """A table of frozen rows with a search box, a count, and a plain-words empty state."""

    def __init__(self, name: str, columns: Sequence[Column], empty_text: str, parent: QWidget,
                 *, searchable: bool = True, stretch_column: int | None = None, fit_rows: bool = False,
                 selection: QAbstractItemView.SelectionMode = QAbstractItemView.SelectionMode.SingleSelection,
                 cells: bool = False) -> None:
        super().__init__(parent)
        self._name = name
        self.model = RowTableModel(columns, self)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(f"Search {name}…")
        self.search.setAccessibleName(f"Search {name}")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search)
        self._searchable = searchable
        self.count = QLabel("", self)
        self.count.setObjectName("pageSubtitle")
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setAccessibleName(f"{name.capitalize()} table")
        # Tab and Shift+Tab leave the table for the controls around it; the arrow keys move from cell to cell.
        # (Qt's default moves Tab from cell to cell too, and then nothing after a table is in the keyboard's reach.)
        self.view.setTabKeyNavigation(False)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems if cells
                                       else QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(selection)
        # Cells open for editing only where their column allows it (the model's flags say where).
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(30)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._stretch_column = stretch_column
        # A short table inside a scrolling page shows all its rows rather than scrolling inside the scroll.
        self._fit_rows = fit_rows
        if fit_rows:
            self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.empty = QLabel(empty_text, self)
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setAccessibleName(f"No {name}")
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.view)
        self._stack.addWidget(self.empty)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self._stack, 1)

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.model.set_rows(rows)
        self._fit_columns()
        if self._fit_rows and rows:
            frame = 2 * self.view.frameWidth() + self.view.horizontalScrollBar().sizeHint().height()
            header_height = self.view.horizontalHeader().sizeHint().height()
            self.view.setFixedHeight(header_height + self.view.verticalHeader().length() + frame)
        self._show_state()

    def set_columns(self, columns: Sequence[Column]) -> None:
        self.model.set_columns(columns)
        self._fit_columns()

    def selected_rows(self) -> list[Any]:
        """The rows selected, in the order shown."""
        rows = sorted({index.row() for index in self.view.selectionModel().selectedIndexes()})
        return [self.model.row_at(row) for row in rows]

    def current_row(self) -> Any | None:
        index = self.view.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _fit_columns(self) -> None:
        """Each column as wide as its content and title (not the header's roomier hint), long text capped.

        Capped cells end in an ellipsis and show in full in their tooltip; the stretch column takes what
        is left, so a board-width window shows every column without scrolling sideways.
        """
        header = self.view.horizontalHeader()
        bold = QFont(self.view.font())
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        for column, spec in enumerate(self.model.columns):
            title_width = max(metrics.horizontalAdvance(line) for line in spec.header.split("\n")) + 24
            width = max(self.view.sizeHintForColumn(column), title_width) + 6
            header.resizeSection(column, min(width, spec.max_width or MAX_COLUMN_WIDTH))
        if self._stretch_column is not None:
            header.setSectionResizeMode(self._stretch_column, QHeaderView.ResizeMode.Stretch)

    def _on_search(self, text: str) -> None:
        self.model.set_filter(text)
        self._show_state()

    def set_predicate(self, keep: Callable[[Any], bool] | None) -> None:
        self.model.set_predicate(keep)
        self._show_state()

    def _show_state(self) -> None:
        total, shown = self.model.total_rows, self.model.rowCount()
        self._stack.setCurrentWidget(self.view if total else self.empty)
        # Nothing to search or count in an empty table: the empty state says why instead.
        self.search.setVisible(self._searchable and total > 0)
        self.count.setVisible(total > 0)
        self.count.setText(f"{total} {self._name}" if shown == total else f"{shown} of {total} {self._name} shown")


def button_row(parent: QWidget, buttons: Sequence[tuple[str, Callable[[], object]]]) -> QHBoxLayout:
    """A row of buttons, left-aligned, each running its gesture when pressed."""
    row = QHBoxLayout()
    for text, slot in buttons:
        button = QPushButton(text, parent)
        button.clicked.connect(slot)
        row.addWidget(button)
    row.addStretch(1)
    return row


def filter_combo(label: str, what: str, row: QHBoxLayout, parent: QWidget,
                 changed: Callable[[], object]) -> QComboBox:
    """A labelled drop-down of a filter bar ("Owner: All"), named for screen readers; `changed` runs on a choice."""
    caption = QLabel(f"{label}:", parent)
    combo = QComboBox(parent)
    combo.setAccessibleName(f"Show {what} by {label.lower()}")
    combo.view().setAccessibleName(f"{label} choices")
    # Narrow, whatever the longest choice (its drop-down widens to fit): a filter bar must fit a laptop's window.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(4)
    caption.setBuddy(combo)
    combo.activated.connect(lambda _index: changed())
    row.addWidget(caption)
    row.addWidget(combo)
    return combo


def show_tab(tabs: QTabWidget, name: str) -> None:
    """Switch to the tab called `name`; a tab's count ("Findings (3)") does not stop it matching."""
    for index in range(tabs.count()):
        if tabs.tabText(index).split(" (")[0] == name:
            tabs.setCurrentIndex(index)
            return
    raise ValueError(f"No tab is called {name!r}")  # a programming error: the callers name tabs that exist


def choose_data(combo: QComboBox, value: object) -> None:
    """Choose the entry carrying `value`, or the first ("All") when none does, as if the user had."""
    combo.setCurrentIndex(max(0, combo.findData(value)))


def checklist_html(items: tuple[tuple[str, bool], ...]) -> str:
    """The pack's checklist as the screen shows it: a tick in green or a cross in red before each line."""
    good, bad = TONES["good"][0], TONES["bad"][0]
    rows = "".join(
        f"<tr><td style='color:{good if ok else bad}; font-weight:600; padding-right:8px'>{'✔' if ok else '✘'}"
        f"</td><td>{escape(wording)}</td></tr>" for wording, ok in items)
    return f"<table cellspacing='3'>{rows}</table>"
