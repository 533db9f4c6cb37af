"""The one table model: column specs, presentation computed once, sorting and filtering in the model.

A QSortFilterProxyModel calls data() millions of times on large tables; here sort keys and the
search text are precomputed in set_rows(), so sorting is one list sort and filtering one scan.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from jointlead.ui.theme import RAG_FILLS, TONES

SortRole = Qt.ItemDataRole.UserRole + 1
RowRole = Qt.ItemDataRole.UserRole + 2

LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTRE = Qt.AlignmentFlag.AlignCenter


@dataclass(frozen=True)
class Column:
    """How one column shows a row: its text, what it sorts by, alignment and an optional colour tone."""

    header: str
    text: Callable[[Any], str]
    sort_key: Callable[[Any], Any] | None = None  # defaults to the text
    align: Qt.AlignmentFlag = LEFT
    tone: Callable[[Any], str | None] | None = None  # a key of TONES, or "rag:<colour>" for a filled cell
    tooltip: Callable[[Any], str] | None = None  # defaults to the cell's own text
    max_width: int | None = None  # pixels; longer text is elided (and readable in the tooltip)
    editable: Callable[[Any], bool] | None = None  # whether this row's cell may be edited here
    edit_text: Callable[[Any], str] | None = None  # what the editor starts with (defaults to the cell's text)
    key: str | None = None  # what a column hidden by the user is remembered by, if not its heading (which may change)

    @property
    def name(self) -> str:
        """The column's lasting name: its key, or else its heading."""
        return self.key or self.header


def _orderable(value: Any) -> tuple[bool, Any]:
    # Blanks sort last in ascending order, and None never meets a comparison with a value.
    return (value is None or value == "", "" if value is None else value)


class RowTableModel(QAbstractTableModel):
    """Frozen rows shown through Column specs; `set_rows()` replaces them all at once.

    An edited cell is not written here: `edited` hands the row, column and typed text to whoever owns the
    service that makes the change, and the rows come back fresh from the database afterwards.
    """

    edited = Signal(object, int, str)

    def __init__(self, columns: Sequence[Column], parent: QObject,
                 foot: Callable[[Any], bool] | None = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._foot = foot  # rows kept at the foot however the table is sorted, e.g. a total
        self._rows: list[Any] = []
        self._text: list[list[str]] = []
        self._keys: list[list[tuple[bool, Any]]] = []
        self._haystack: list[str] = []
        self._visible: list[int] = []
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._filter: list[str] = []
        self._keep: Callable[[Any], bool] | None = None

    # --- feeding ---------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._text = [[c.text(r) for c in self._columns] for r in self._rows]
        self._keys = [[_orderable(c.sort_key(r) if c.sort_key else t) for c, t in zip(self._columns, texts,
                                                                                      strict=True)]
                      for r, texts in zip(self._rows, self._text, strict=True)]
        self._haystack = [" ".join(texts).casefold() for texts in self._text]
        self._recompute()
        self.endResetModel()

    def set_columns(self, columns: Sequence[Column]) -> None:
        """New columns (e.g. headers that show which months are closed); the rows are laid out again."""
        self._columns = list(columns)
        self._sort = None
        self.set_rows(self._rows)

    def set_filter(self, text: str) -> None:
        """Show only rows whose text contains every word typed, in any column, ignoring case."""
        self.beginResetModel()
        self._filter = text.casefold().split()
        self._recompute()
        self.endResetModel()

    def set_predicate(self, keep: Callable[[Any], bool] | None) -> None:
        """Show only rows `keep` accepts (as well as matching the search), e.g. the choices of a filter bar."""
        self.beginResetModel()
        self._keep = keep
        self._recompute()
        self.endResetModel()

    def hiding_all(self) -> tuple[bool, bool]:
        """With rows but none shown: whether the search, and whether the page's filters, play a part in that (each
        hides every row alone, or neither does and only the two together do)."""
        body = self._body()
        by_search = any(all(word in self._haystack[i] for word in self._filter) for i in body)
        by_filters = self._keep is None or any(self._keep(self._rows[i]) for i in body)
        if by_search and by_filters:
            return bool(self._filter), self._keep is not None
        return not by_search, not by_filters

    def _recompute(self) -> None:
        keep = self._keep
        body = self._body()
        order = [i for i in body if all(word in self._haystack[i] for word in self._filter)
                 and (keep is None or keep(self._rows[i]))]
        if self._sort is not None:
            column, direction = self._sort
            order.sort(key=lambda i: self._keys[i][column], reverse=direction == Qt.SortOrder.DescendingOrder)
        # The foot is the rows' total: shown under all of them, and not under some, which it would not add up to.
        if len(order) == len(body):
            order += [i for i in range(len(self._rows)) if self._foot is not None and self._foot(self._rows[i])]
        self._visible = order

    def _body(self) -> list[int]:
        """The rows that are not at the foot (all of them, if the table has no foot)."""
        foot = self._foot
        return [i for i, row in enumerate(self._rows) if foot is None or not foot(row)]

    # --- reading ---------------------------------------------------------------------------------
    @property
    def columns(self) -> list[Column]:
        return list(self._columns)

    @property
    def total_rows(self) -> int:
        """How many rows there are, not counting the foot (a total is not one of the things counted)."""
        return len(self._body())

    @property
    def shown_rows(self) -> int:
        """How many of `total_rows` the search and filters let show."""
        foot = self._foot
        return sum(1 for i in self._visible if foot is None or not foot(self._rows[i]))

    def row_at(self, visible_row: int) -> Any:
        return self._rows[self._visible[visible_row]]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return self._columns[section].header
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(self._columns[section].align)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._visible)):
            return None
        source = self._visible[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text[source][index.column()]
        if role == Qt.ItemDataRole.EditRole:
            return column.edit_text(self._rows[source]) if column.edit_text else self._text[source][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align)
        if role == SortRole:
            return self._keys[source][index.column()][1]
        if role == RowRole:
            return self._rows[source]
        if role == Qt.ItemDataRole.FontRole and self._foot is not None and self._foot(self._rows[source]):
            bold = QFont()  # the application's font, which the view's cells use, in bold: a total reads as one
            bold.setBold(True)
            return bold
        if role == Qt.ItemDataRole.ToolTipRole:
            # Text cut short by a narrow column can always be read whole by hovering.
            return column.tooltip(self._rows[source]) if column.tooltip else self._text[source][index.column()]
        if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole) and column.tone is not None:
            tone = column.tone(self._rows[source])
            if tone is None:
                return None
            text, fill = RAG_FILLS[tone[4:]] if tone.startswith("rag:") else (TONES[tone][0], None)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(text))
            return QBrush(QColor(fill)) if fill else None
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.row() < len(self._visible):
            column = self._columns[index.column()]
            if column.editable is not None and column.editable(self._rows[self._visible[index.row()]]):
                flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        editable = index.isValid() and bool(self.flags(index) & Qt.ItemFlag.ItemIsEditable)
        if role != Qt.ItemDataRole.EditRole or not editable:
            return False
        self.edited.emit(self.row_at(index.row()), index.column(), str(value))
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column; column -1 restores the order the rows came in (the service's order)."""
        if column >= len(self._columns):
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        sources = [self._visible[index.row()] for index in persistent]
        self._sort = (column, order) if column >= 0 else None
        self._recompute()
        # Sorting never hides a row, so every selected or current cell keeps its place in the new order.
        position = {source: row for row, source in enumerate(self._visible)}
        self.changePersistentIndexList(
            persistent, [self.index(position[s], i.column()) for s, i in zip(sources, persistent, strict=True)])
        self.layoutChanged.emit()
