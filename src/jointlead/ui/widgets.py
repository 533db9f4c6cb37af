"""Building blocks every page uses: page headings, figure tiles, rows of buttons and filters that wrap to the
window, and a searchable table with an empty state."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from html import escape
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSettings, QSignalBlocker, QSize, Qt, Signal
from PySide6.QtGui import QFocusEvent, QFont, QFontMetrics, QKeyEvent, QPainter, QPaintEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from jointlead.ui.table_model import Column, RowTableModel
from jointlead.ui.theme import TONES

MAX_COLUMN_WIDTH = 230  # wider text is elided and shown whole in the cell's tooltip
# A column is fitted to the rows on screen and this many in all: Qt measures each cell it considers, and over
# every row of a service ten times the demo's (1,000 arrangements) recording one supervision session took 2.2 s,
# 1.3 s so. Longer text further down is elided, whole in its tooltip, as text past MAX_COLUMN_WIDTH always is.
FITTED_ROWS = 200
# The column that takes a table's spare width never narrows below this (its text is elided, whole in the tooltip):
# past it, the columns after it scroll sideways rather than the long text shrinking to a few letters.
MIN_STRETCH_WIDTH = 160
TILE_MIN_WIDTH = 180  # four tiles abreast fit a 1024-pixel window beside the navigation


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


def _tile_lines(detail: str) -> str:
    """A tile's detail as shown: each clause ("a; b") starts a line, and a short figure never leaves the word before
    it ("NFT 5", "target 95%"), so a narrow tile breaks between phrases rather than orphaning a number."""
    return re.sub(r" (?=[-+]?[\d.]{1,4}%?(?![\d,]))", "\u00a0", detail.replace("; ", ";\n"))


class _Figure(QLabel):
    """A tile's figure, drawn smaller when the tile is too narrow for it rather than cut short: a clipped
    "£12,785,42" would read as a different number."""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(hint.width() * 2 // 3, hint.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        room, needed = self.contentsRect().width(), _inked_width(self.font(), self.text())
        if needed <= room:
            super().paintEvent(event)
            return
        painter = QPainter(self)  # in the label's font and colour (the style sheet's), made smaller
        font = QFont(self.font())
        size = font.pointSizeF() * room / needed
        font.setPointSizeF(size)
        # Glyphs are fitted to whole pixels, so text does not narrow in proportion to its size: smaller till it fits.
        while size > 1 and _inked_width(font, self.text()) > room:
            size -= 0.25
            font.setPointSizeF(size)
        painter.setFont(font)
        painter.drawText(self.contentsRect(), int(self.alignment()), self.text())


def _inked_width(font: QFont, text: str) -> int:
    """The width `text` takes in `font`, including any glyph's ink past its advance (a bold last "0")."""
    metrics = QFontMetrics(font)
    return max(metrics.horizontalAdvance(text), metrics.boundingRect(text).right() + 1)


class Tile(QPushButton):
    """A headline figure: title, value and a line of detail. Activating it opens the page behind it, as does the
    Alt+letter of a title written with an & ("&Staff")."""

    def __init__(self, title: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("tile")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setMinimumHeight(104)
        # Tiles in a row share its height, and the row is as tall as the longest wrapped detail needs.
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._title = QLabel(title, self)
        self._title.setObjectName("tileTitle")
        self._title.setWordWrap(True)  # a narrow window wraps a long title rather than cutting it off
        self._title.setBuddy(self)  # its Alt+letter clicks the tile, as a button's own would
        self._keyed, self._words = title, title.replace("&", "")
        self._value = _Figure("", self)
        self._value.setObjectName("tileValue")
        self._detail = QLabel("", self)
        self._detail.setObjectName("tileDetail")
        self._detail.setTextFormat(Qt.TextFormat.PlainText)  # its line breaks are lines, and a "<" is a "<"
        self._detail.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 12, 10)
        layout.setSpacing(2)
        for label in (self._title, self._value, self._detail):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            layout.addWidget(label)
        layout.addStretch(1)
        self.set_figure("", "")

    def set_title(self, title: str) -> None:
        """Retitle the tile ("Actual o&utturn" once the year is closed), keeping the Alt+letter its & marks."""
        self._title.setText(title)
        self._keyed, self._words = title, title.replace("&", "")
        self.setAccessibleName(f"{self._words}: {self.value_text()}")

    def keyed_title(self) -> str:
        """The title as given, with the & that marks its Alt+letter."""
        return self._keyed

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # A push button outside a dialog ignores Enter; a tile, like a link, opens with it as with Space.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.click()
            return
        super().keyPressEvent(event)

    def set_figure(self, value: str, detail: str, tone: str | None = None) -> None:
        self._value.setText(value)
        self._detail_words = detail
        self._detail.setText(_tile_lines(detail))
        self._tone = tone
        colour = TONES[tone][0] if tone else ""
        self._value.setStyleSheet(f"color: {colour};" if colour else "")
        self.setAccessibleName(f"{self._words}: {value}")
        self.setAccessibleDescription(detail)
        self.setToolTip(detail)

    def value_text(self) -> str:
        return self._value.text()

    @contextmanager
    def without_letter(self) -> Iterator[None]:
        """The title without its Alt+letter marked, as on paper, which has no keys, for as long as the `with` lasts."""
        shown = self._title.text()
        self._title.setText(self._words)
        try:
            yield
        finally:
            self._title.setText(shown)

    def detail_text(self) -> str:
        return self._detail_words

    def tone(self) -> str | None:
        """How the value is coloured: a key of theme.TONES, or None for plain text."""
        return self._tone

    def minimumSizeHint(self) -> QSize:
        return QSize(max(TILE_MIN_WIDTH, self.layout().minimumSize().width()), self.minimumHeight())

    def sizeHint(self) -> QSize:
        return self.layout().sizeHint().expandedTo(self.minimumSizeHint())

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return max(self.layout().totalHeightForWidth(width), self.minimumHeight())


def _set_vertical_policy(widget: QWidget, policy: QSizePolicy.Policy) -> None:
    sizes = widget.sizePolicy()
    sizes.setVerticalPolicy(policy)
    widget.setSizePolicy(sizes)


def divider(name: str, parent: QWidget) -> QSplitter:
    """A divider between a list and its details, side by side: named, so that where it is left is kept for the next
    start (MainWindow), and neither side can be dragged shut (the details hold the buttons that act on the list)."""
    split = QSplitter(Qt.Orientation.Horizontal, parent)
    split.setObjectName(name)
    split.setChildrenCollapsible(False)
    return split


def string_list(settings: QSettings, key: str) -> list[str]:
    """A list of strings kept in `settings` (none if there is none)."""
    value = settings.value(key, [])
    if isinstance(value, str):  # QSettings hands back a lone string for a one-item list
        value = [value]
    return [str(v) for v in value or []]


class _Table(QTableView):
    """A table view that, given the keyboard's focus with no row chosen, leaves none chosen."""

    def focusInEvent(self, event: QFocusEvent) -> None:
        if self.currentIndex().isValid():
            super().focusInEvent(event)
            return
        # Qt makes the first row current when a table gains focus, unselected: a page would take that row as the
        # one chosen, and one key press more act on someone nobody chose. The arrow keys still start at the top.
        with QSignalBlocker(self.selectionModel()):
            super().focusInEvent(event)
            self.selectionModel().clearCurrentIndex()


class DataTable(QWidget):
    """A table of frozen rows with a search box, a count, and a plain-words empty state.

    Right-clicking its headings (or the Menu key in the table) ticks the columns to show: a narrow window beside a
    detail pane need not scroll sideways to the ones that matter to this manager.
    """

    columns_chosen = Signal()  # a column shown or hidden by the user

    def __init__(self, name: str, columns: Sequence[Column], empty_text: str, parent: QWidget,
                 *, searchable: bool = True, stretch_column: int | None = None,
                 stretch_floor: int = MIN_STRETCH_WIDTH, fit_rows: bool = False,
                 selection: QAbstractItemView.SelectionMode = QAbstractItemView.SelectionMode.SingleSelection,
                 cells: bool = False, foot: Callable[[Any], bool] | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self.model = RowTableModel(columns, self, foot)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(f"Search {name}…")
        self.search.setAccessibleName(f"Search {name}")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search)
        self._searchable = searchable
        self.count = QLabel("", self)
        self.count.setObjectName("pageSubtitle")
        self.view = _Table(self)
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
        header.setResizeContentsPrecision(FITTED_ROWS)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._stretch_column = stretch_column
        self._stretch_floor = self._stretch_floor_at_most = stretch_floor
        # Columns narrower than their text (capped in `_fit_columns`): {column: (cap, whole width)}. They widen to
        # the whole width when the table has room for it, and shrink back to the cap when it has not.
        self._capped: dict[int, tuple[int, int]] = {}
        self._stretch_fitted = stretch_floor  # the stretch column's own width, which comes before theirs
        self._giving_slack = False  # the sections being resized are ours, not the user's
        self._hidden: set[str] = set()  # the names (Column.name) of the columns the user has hidden
        self._absent: set[str] = set()  # the names of the columns with nothing to show here (`set_absent`)
        self._unfitted = False  # rows or columns set while the table was out of sight: fitted when it shows
        for chooser in (header, self.view):
            chooser.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(lambda at: self._choose_columns(header.mapToGlobal(at)))
        self.view.customContextMenuRequested.connect(
            lambda at: self._choose_columns(self.view.viewport().mapToGlobal(at)))
        if stretch_column is not None or fit_rows:
            header.sectionResized.connect(self._on_section_resized)
            self.view.viewport().installEventFilter(self)
        # A short table inside a scrolling page shows all its rows rather than scrolling inside the scroll.
        self._fit_rows = fit_rows
        if fit_rows:
            self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            # Its height is its rows' (`_fit_height`): the stack it shares with the empty states is not to ask for
            # the grid's own taller size hint, nor the table to take height spare around it, either of which left a
            # blank strip under its rows.
            _set_vertical_policy(self.view, QSizePolicy.Policy.Ignored)
            _set_vertical_policy(self, QSizePolicy.Policy.Fixed)
        self.empty = self._state(empty_text)
        self.empty.setAccessibleName(f"No {name}")
        # Rows recorded, but none that the search or the page's filters let through: said, not a blank grid.
        self.none_match = self._state("")
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.view)
        self._stack.addWidget(self.empty)
        self._stack.addWidget(self.none_match)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self._stack, 1)

    def _state(self, text: str) -> QLabel:
        """A plain-words message shown in the table's place."""
        label = QLabel(text, self)
        label.setObjectName("emptyState")
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return label

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.model.set_rows(rows)
        self._fit_columns()
        self._fit_height()
        self._show_state()

    def _fit_height(self) -> None:
        """A table that shows all its rows is as tall as they are, with room for a scroll bar under them only while
        its columns are wider than it is (the bar would otherwise cover the last row): no empty strip printed or
        shown under the rows of a table that fits."""
        if not self._fit_rows or not self.model.total_rows:
            return
        header = self.view.horizontalHeader()
        scrolls = header.length() > self.view.viewport().width()
        bar = self.view.horizontalScrollBar().sizeHint().height() if scrolls else 0
        height = header.sizeHint().height() + self.view.verticalHeader().length() + 2 * self.view.frameWidth() + bar
        if height != self.view.height():
            self.view.setFixedHeight(height)

    def set_columns(self, columns: Sequence[Column]) -> None:
        self.model.set_columns(columns)
        self._fit_columns()

    def column_menu(self) -> QMenu:
        """The columns, each ticked if shown: unticking one hides it. The column naming each row stays, and so does
        the last one shown."""
        menu = QMenu(self)
        menu.addSection("Show columns")
        shown = self.shown_columns()
        offered = [(column, spec) for column, spec in enumerate(self.model.columns) if spec.name not in self._absent]
        for column, spec in offered:
            choice = menu.addAction(spec.header.replace("\n", " "))
            choice.setCheckable(True)
            choice.setChecked(column in shown)
            choice.setEnabled(column != self._stretch_column and shown != [column])
            choice.toggled.connect(lambda on, name=spec.name: self.show_column(name, on))
        if len(shown) < len(offered):
            menu.addSeparator()
            menu.addAction("Show every column", self.show_every_column)
        return menu

    def _choose_columns(self, where: QPoint) -> None:
        menu = self.column_menu()
        menu.exec(where)
        menu.deleteLater()

    def shown_columns(self) -> list[int]:
        """The columns shown, left to right: those the user has not hidden."""
        header = self.view.horizontalHeader()
        return [column for column in range(header.count()) if not header.isSectionHidden(column)]

    def show_column(self, name: str, shown: bool) -> None:
        """Show or hide the column named `name` (Column.name), as the user chose."""
        if shown:
            self._hidden.discard(name)
        else:
            self._hidden.add(name)
        self._hide_chosen()
        self.columns_chosen.emit()

    def show_every_column(self) -> None:
        self._hidden.clear()
        self._hide_chosen()
        self.columns_chosen.emit()

    def set_absent(self, names: Collection[str]) -> None:
        """Hide the columns named (Column.name) as having nothing to show here, as a field the file being imported
        does not hold: hidden whatever the user chooses, and not offered among the columns to show."""
        self._absent = set(names)
        self._hide_chosen()

    def remember_columns(self, settings: QSettings) -> None:
        """Hide the columns hidden when this table was last shown, and keep each choice made from now on."""
        key = f"columns/{self._name}/hidden"
        self._hidden = set(string_list(settings, key))
        self._hide_chosen()
        self.columns_chosen.connect(lambda: settings.setValue(key, sorted(self._hidden)) if self._hidden
                                    else settings.remove(key))

    def _hide_chosen(self) -> None:
        header = self.view.horizontalHeader()
        self._giving_slack = True  # hiding and showing resize the sections: not the user's widths
        try:
            chosen = {spec.name for spec in self.model.columns} & self._hidden
            every = len(chosen) >= len(self.model.columns)  # (settings from another version): never an empty table
            for column, spec in enumerate(self.model.columns):
                hidden = spec.name in self._absent or (spec.name in chosen and column != self._stretch_column
                                                       and not every)
                if hidden == header.isSectionHidden(column):
                    continue
                header.setSectionHidden(column, hidden)
                if hidden and header.sortIndicatorSection() == column:
                    self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # no order by what cannot be seen
                elif not hidden and column in self._capped:
                    header.resizeSection(column, self._capped[column][0])  # back at its cap: _give_slack widens it
        finally:
            self._giving_slack = False
        self._give_slack()

    def selected_rows(self) -> list[Any]:
        """The rows selected, in the order shown."""
        rows = sorted({index.row() for index in self.view.selectionModel().selectedIndexes()})
        return [self.model.row_at(row) for row in rows]

    def current_row(self) -> Any | None:
        index = self.view.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def ask_to_choose(self, title: str, text: str) -> None:
        """Say what to choose first (a button with nothing chosen would otherwise seem to do nothing), and go to
        the table to choose it."""
        QMessageBox.information(self, title, text)
        self.view.setFocus()

    def _fit_columns(self) -> None:
        """Each column as wide as its content and title (not the header's roomier hint), long text capped.

        Capped cells end in an ellipsis and show in full in their tooltip; the stretch column takes what
        is left, so a board-width window shows every column without scrolling sideways.
        """
        if not self.isVisible():
            # Out of sight (another tab, or a page not yet shown): fitted when it shows. Fitting measures up to
            # FITTED_ROWS rows of every column, and a page sets the rows of each of its tabs after every change.
            self._unfitted = True
            self._hide_chosen()  # the columns may be new ones
            return
        self._unfitted = False
        header = self.view.horizontalHeader()
        bold = QFont(self.view.font())
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        self._capped = {}
        for column, spec in enumerate(self.model.columns):
            title_width = max(metrics.horizontalAdvance(line) for line in spec.header.split("\n")) + 24
            whole = max(self.view.sizeHintForColumn(column), title_width) + 6
            width = min(whole, spec.max_width or MAX_COLUMN_WIDTH)
            header.resizeSection(column, width)
            if column == self._stretch_column:
                self._stretch_floor = min(width, self._stretch_floor_at_most)
                self._stretch_fitted = width
            elif whole > width:
                self._capped[column] = (width, whole)
        self._hide_chosen()  # the columns may be new ones

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._unfitted:
            self._fit_columns()
            self._fit_height()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._give_slack()
            self._fit_height()
        return super().eventFilter(watched, event)

    def _on_section_resized(self, column: int, _old: int, _new: int) -> None:
        if self._giving_slack:
            return
        self._capped.pop(column, None)  # the user's width for it stands
        if column != self._stretch_column:
            self._give_slack()
        self._fit_height()

    def _give_slack(self) -> None:
        """The stretch column takes whatever width the others leave, down to its floor, so the columns after it
        stay in view as long as they can. Once it is as wide as its own text wants (capped), other capped columns
        take what room there is to show their text whole, before it takes the rest.

        (Qt's own Stretch mode leaves the column as wide as it last was when nothing is spare, pushing the columns
        after it out of view, and shrinks it to a few letters when a little is.)
        """
        column = self._stretch_column
        header = self.view.horizontalHeader()
        if column is None or column >= header.count():
            return
        capped = {c: widths for c, widths in self._capped.items()
                  if c < header.count() and not header.isSectionHidden(c)}
        self._giving_slack = True
        try:
            at_caps = header.length() - header.sectionSize(column) - sum(
                header.sectionSize(c) - cap for c, (cap, _whole) in capped.items())
            spare = self.view.viewport().width() - at_caps - max(self._stretch_floor, self._stretch_fitted)
            for capped_column, (cap, whole) in capped.items():
                grown = max(0, min(whole - cap, spare))
                header.resizeSection(capped_column, cap + grown)
                spare -= grown
            others = header.length() - header.sectionSize(column)
            header.resizeSection(column, max(self._stretch_floor, self.view.viewport().width() - others))
        finally:
            self._giving_slack = False
        self._fit_height()

    def _on_search(self, text: str) -> None:
        self.model.set_filter(text)
        self._show_state()

    def set_predicate(self, keep: Callable[[Any], bool] | None) -> None:
        self.model.set_predicate(keep)
        self._show_state()

    def _show_state(self) -> None:
        total, shown = self.model.total_rows, self.model.shown_rows
        if total and not shown:
            searched, filtered = self.model.hiding_all()
            what = " and ".join(part for part, used in (("the search", searched), ("the filters chosen", filtered))
                                if used)
            undo = " and ".join(part for part, used in (("clear the search", searched),
                                                         ("choose All in the filters", filtered)) if used)
            self.none_match.setText(f"None of the {total} {self._name} {what and f'match {what}'}."
                                    f"{f' To see them, {undo}.' if undo else ''}")
        self._stack.setCurrentWidget(self.view if shown else self.none_match if total else self.empty)
        # Nothing to search or count in an empty table: the empty state says why instead.
        self.search.setVisible(self._searchable and total > 0)
        self.count.setVisible(total > 0)
        name = one_of(self._name) if total == 1 else self._name
        self.count.setText(f"{total} {name}" if shown == total else f"{shown} of {total} {name} shown")


class FlowLayout(QLayout):
    """Widgets left to right in the order added, wrapping onto another line where the width runs out (after Qt's
    Flow Layout example): a row of buttons or filters never makes a page wider than its window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setContentsMargins(0, 0, 0, 0)
        self.setSpacing(8)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)  # left-aligned at its natural size, however wide the window

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), place=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, place=True)

    def sizeHint(self) -> QSize:
        """All on one line."""
        shown = [item.sizeHint() for item in self._items if not item.isEmpty()]
        margins = self.contentsMargins()
        return QSize(sum(size.width() for size in shown) + self.spacing() * max(len(shown) - 1, 0)
                     + margins.left() + margins.right(),
                     max((size.height() for size in shown), default=0) + margins.top() + margins.bottom())

    def minimumSize(self) -> QSize:
        """One widget to a line."""
        size = QSize(0, 0)
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, place: bool) -> int:
        """The height the widgets take in `rect`'s width; with `place`, put them there too, each centred
        vertically on its line."""
        area = rect.marginsRemoved(self.contentsMargins())
        spacing = self.spacing()
        lines: list[list[tuple[QLayoutItem, QSize]]] = [[]]
        x = area.x()
        for item in self._items:
            if item.isEmpty():  # a hidden widget takes no room
                continue
            # A widget wider than the whole line is squeezed to it, but never below its own minimum.
            size = item.sizeHint().boundedTo(QSize(area.width(), item.sizeHint().height())).expandedTo(
                item.minimumSize())
            if lines[-1] and x + size.width() > area.x() + area.width():
                lines.append([])
                x = area.x()
            lines[-1].append((item, size))
            x += size.width() + spacing
        y = area.y()
        for line in lines:
            height = max((size.height() for _item, size in line), default=0)
            if place:
                x = area.x()
                for item, size in line:
                    item.setGeometry(QRect(QPoint(x, y + (height - size.height()) // 2), size))
                    x += size.width() + spacing
            y += height + spacing
        margins = self.contentsMargins()
        return max(y - spacing - area.y(), 0) + margins.top() + margins.bottom()


def one_of(name: str) -> str:
    """A table's name for its rows ("rows to add", "people needing action") said of one: its first plural word
    made singular ("row to add", "person needing action")."""
    words = name.split(" ")
    for index, word in enumerate(words):
        if word == "people" or word.endswith("s"):
            words[index] = "person" if word == "people" else word[:-1]
            break
    return " ".join(words)


def button_row(parent: QWidget, buttons: Sequence[tuple[str, Callable[[], object]]]) -> FlowLayout:
    """A row of buttons, left-aligned and wrapping onto a second line in a narrow window, each running its gesture
    when pressed."""
    row = FlowLayout()
    for text, slot in buttons:
        button = QPushButton(text, parent)
        button.clicked.connect(slot)
        row.addWidget(button)
    return row


def labelled(text: str, field: QWidget, parent: QWidget) -> QWidget:
    """A caption and the field it names, as one piece: a wrapping row never parts them."""
    pair = QWidget(parent)
    layout = QHBoxLayout(pair)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    caption = QLabel(text, pair)
    caption.setBuddy(field)
    layout.addWidget(caption)
    layout.addWidget(field)
    return pair


def filter_combo(label: str, what: str, row: QLayout, parent: QWidget, changed: Callable[[], object],
                 choices: Sequence[tuple[str, object]] = ()) -> QComboBox:
    """A labelled drop-down of a filter bar ("Owner: All"), named for screen readers; `changed` runs on a choice.

    The bar is a `FlowLayout`, so that in a narrow window its filters wrap onto another line. `choices` are fixed
    ones, each (text, data), the first chosen at the start; a filter filled later starts empty."""
    combo = QComboBox(parent)
    combo.setAccessibleName(f"Show {what} by {label.lower()}")
    combo.view().setAccessibleName(f"{label} choices")
    for text, data in choices:
        combo.addItem(text, data)
    if choices:  # a few fixed words, shown whole ("Open or in progress", not "Open or i")
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    else:  # names filled in later: narrow, however long the longest (the drop-down widens to fit)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(4)
    combo.activated.connect(lambda _index: changed())
    row.addWidget(labelled(f"{label}:", combo, parent))
    return combo


class ShortenedCombo(QComboBox):
    """A drop-down that shortens its chosen text with an ellipsis where the box is too narrow for it (at the end, or
    where `elide` says), rather than cut it off mid-letter, which reads as the whole of it."""

    elide = Qt.TextElideMode.ElideRight

    def text_room(self) -> int:
        """The width the text is drawn in: the style's field for it, less the pixel each side styles leave."""
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        field = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                            QStyle.SubControl.SC_ComboBoxEditField, self)
        return field.width() - 2

    def shown_text(self) -> str:
        """The chosen text as the box shows it: whole, or shortened to fit."""
        return self.fontMetrics().elidedText(self.currentText(), self.elide, self.text_room())

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        option.currentText = self.shown_text()
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)


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


def into_the_table_when_chosen(tabs: QTabWidget) -> None:
    """A view chosen from outside its tabs (its Alt+letter pressed from the page list, a dashboard tile) takes the
    keyboard into its table, as a person choosing a view means to work in it: it had stayed in the page list, a
    dozen Tab presses from the rows. Choosing with the arrows on the tab bar, or from inside the tabs, leaves it be."""

    def chosen(_index: int) -> None:
        focused = QApplication.focusWidget()
        # Not while the page is being built or filled out of sight (its first tab added, an import reloading
        # Budgets behind another page): the keyboard stays where the person is.
        if not tabs.isVisible() or (focused is not None and (focused is tabs or tabs.isAncestorOf(focused))):
            return
        table = tabs.currentWidget().findChild(DataTable) if tabs.currentWidget() is not None else None
        if table is not None and table.view.isVisibleTo(tabs):
            table.view.setFocus(Qt.FocusReason.TabFocusReason)

    tabs.currentChanged.connect(chosen)
