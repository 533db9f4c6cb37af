"""Typing money into a table: "1234.5", "1,234.50" and "£1,234.50" all mean the same, to the penny."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QLineEdit, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from jointlead.exchange.values import parse_money


def pence_from_text(text: str) -> int:
    """The amount typed, in pence; refused (never rounded) when it is not an amount of money."""
    return parse_money(text.strip())


def plain_pounds(pence: int) -> str:
    """An amount as the editor starts it: no £ or commas, two decimals, so it can be typed over or adjusted."""
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


class MoneyValidator(QValidator):
    """Accepts what parse_money accepts; anything else cannot be committed (it stays in the editor)."""

    def validate(self, text: str, position: int) -> tuple[QValidator.State, str, int]:
        if not text.strip():
            return QValidator.State.Intermediate, text, position
        try:
            pence_from_text(text)
        except ValueError:
            return QValidator.State.Intermediate, text, position
        return QValidator.State.Acceptable, text, position


class MoneyDelegate(QStyledItemDelegate):
    """A line editor for money cells; the model gets the text only when it is a valid amount."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        editor = QLineEdit(parent)
        editor.setValidator(MoneyValidator(editor))
        editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        editor.setAccessibleName("Amount in pounds")
        editor.setToolTip("An amount in pounds, e.g. 1234.50, 1,234.50 or £1,234.50")
        return editor
