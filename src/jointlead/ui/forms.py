"""The form every editing dialog is built on: labelled fields, and OK runs one service gesture."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from jointlead.domain.errors import ValidationError
from jointlead.services.edits import Edit
from jointlead.store.database import Database
from jointlead.ui.messages import show_problem
from jointlead.ui.money_editing import MoneyValidator, pence_from_text, plain_pounds
from jointlead.ui.undo import Editor

Gesture = Callable[[Database], Edit]
NOT_SET = QDate(1900, 1, 1)
# Every form's Cancel, with its Alt+letter: a dialog has no menu bar to keep letters clear of, but its main button
# (FormDialog.ok_text) must take a letter other than C.
CANCEL = "&Cancel"


def chosen_person(field: QComboBox, who: str) -> object:
    """The person picked in a `FormDialog.person_choice`, or else the one person whose name holds what was typed
    (so 'Hall' and Enter is Emma Hall when nobody else's name holds it); refused in words when it is nobody's, or
    more than one person's, or nothing was typed."""
    index, typed = field.currentIndex(), field.currentText().strip()
    if index >= 0 and field.currentText() == field.itemText(index):
        return field.itemData(index)
    advice = "Type part of their name and pick them from the list."
    if not typed:
        raise ValidationError(f"Choose {who}.", advice)
    matches = [i for i in range(field.count()) if typed.casefold() in field.itemText(i).casefold()]
    if not matches:
        raise ValidationError(f"Nobody recorded is called '{typed}'.", advice)
    if len(matches) > 1:
        names = [field.itemText(i) for i in matches[:5]]
        raise ValidationError(f"{len(matches)} people's names hold '{typed}': {', '.join(names)}"
                              f"{', …' if len(matches) > 5 else ''}.", "Pick one of them from the list.")
    field.setCurrentIndex(matches[0])  # shown, so the form says who it was for
    return field.itemData(matches[0])


def typable_person(field: QComboBox, label: str) -> None:
    """Make a drop-down of people one a person is also found in by typing any part of their name; `chosen_person`
    reads it."""
    field.setEditable(True)
    # A name typed that is nobody's stays typed (and is refused when saved), rather than join the list.
    field.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    field.lineEdit().setAccessibleName(f"{label}: name")
    field.lineEdit().setPlaceholderText("Type part of their name")
    # A list to pick from, matching anywhere in the name; never a name filled in unasked as the user types.
    field.completer().setFilterMode(Qt.MatchFlag.MatchContains)
    field.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)


class _OptionalDay(QDateEdit):
    """A date field whose "Not set" Tab leaves, as it leaves a date once past its year."""

    def focusNextPrevChild(self, forward: bool) -> bool:
        if self.date() == self.minimumDate():
            # "Not set" has no day, month and year for Tab to step through, and Qt kept the focus here for ever:
            # the fields after it, and Save, were out of the keyboard's reach.
            return QWidget.focusNextPrevChild(self, forward)
        return super().focusNextPrevChild(forward)


class FormDialog(QDialog):
    """A titled form whose OK runs one service gesture; a refusal is explained and the form stays open to fix."""

    ok_text = "&Save"  # the main button's words, & before its Alt+letter (see CANCEL)

    def __init__(self, editor: Editor, title: str, intro: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.editor = editor
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        # The minimum is set once, just before showing (see open): a shown window's minimum changing is not
        # something every platform supports.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        if intro:
            label = QLabel(intro, self)
            label.setWordWrap(True)
            label.setMinimumWidth(520)
            layout.addWidget(label)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(self.form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.ok_text)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(CANCEL)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def open(self) -> None:
        self.setMinimumSize(self.sizeHint())
        self._fields_first()
        super().open()

    def _fields_first(self) -> None:
        """Tab runs through the fields, then Save and Cancel, and the dialog opens in its first field: the buttons
        are made before any field (subclasses add fields after this class's __init__), which would otherwise put
        them first, so a keyboard user would land on Save.

        The fields are found as children, not by walking the focus chain: PySide takes a widget returned by its
        nextInFocusChain() (or focusProxy()) to belong to the widget asked, so reaching the dialog again that way
        left it owned by its own field, and Python's garbage collector then destroyed the dialog while it was open.
        """
        buttons = [w for w in self.buttons.buttons() if w.isVisibleTo(self)]
        focusable = [w for w in self.findChildren(QWidget) if w not in buttons
                     and w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isVisibleTo(self) and w.isEnabled()]
        # A field's own parts (a date's or a drop-down's text box) take focus through the field itself.
        fields = [w for w in focusable if not any(part is not self and part in focusable
                                                  for part in _ancestors(w, self))]
        if not fields:
            return
        ordered = sorted(buttons, key=lambda button: self.buttons.layout().indexOf(button))
        previous = fields[-1]
        for button in ordered:
            QWidget.setTabOrder(previous, button)
            previous = button
        fields[0].setFocus(Qt.FocusReason.TabFocusReason)

    # --- fields -----------------------------------------------------------------------------------
    def text(self, label: str, value: str = "", placeholder: str = "") -> QLineEdit:
        field = QLineEdit(value, self)
        field.setPlaceholderText(placeholder)
        self.form.addRow(label, field)
        return field

    def money(self, label: str, pence: int | None = None) -> QLineEdit:
        field = QLineEdit(plain_pounds(pence) if pence is not None else "", self)
        field.setValidator(MoneyValidator(field))
        field.setPlaceholderText("e.g. 1,234.50")
        field.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.form.addRow(label, field)
        return field

    def choice(self, label: str, options: Sequence[tuple[str, object]], current: object = None) -> QComboBox:
        field = QComboBox(self)
        for text, data in options:
            field.addItem(text, data)
        if current is not None:
            field.setCurrentIndex(max(0, field.findData(current)))
        self.form.addRow(label, field)
        return field

    def person_choice(self, label: str, options: Sequence[tuple[str, object]], current: object = None) -> QComboBox:
        """A person found by typing any part of their name (a surname, say), from a list that pops up as they type.
        Nobody is chosen until someone is picked or `current` given: starting at the first name in the list, one
        Enter would record something about a person nobody chose. `chosen_person` reads it."""
        field = self.choice(label, options, current)
        typable_person(field, label)
        if current is None:
            field.setCurrentIndex(-1)
        return field

    def tick(self, label: str, checked: bool = False) -> QCheckBox:
        field = QCheckBox(label, self)
        field.setChecked(checked)
        self.form.addRow("", field)
        return field

    def day(self, label: str, value: date) -> QDateEdit:
        field = QDateEdit(QDate(value.year, value.month, value.day), self)
        field.setCalendarPopup(True)
        field.setDisplayFormat("dd MMM yyyy")
        self.form.addRow(label, field)
        return field

    def optional_day(self, label: str, value: date | None) -> QDateEdit:
        """A date that may be left unset: the earliest date stands for "not set" and says so."""
        field = _OptionalDay(self)
        field.setMinimumDate(NOT_SET)
        field.setSpecialValueText("Not set")
        field.setCalendarPopup(True)
        field.setDisplayFormat("dd MMM yyyy")
        field.setDate(QDate(value.year, value.month, value.day) if value else NOT_SET)
        self.form.addRow(label, field)
        return field

    @staticmethod
    def day_value(field: QDateEdit) -> date | None:
        return None if field.date() == NOT_SET else field.date().toPython()

    @staticmethod
    def pence(field: QLineEdit) -> int:
        return pence_from_text(field.text()) if field.text().strip() else 0

    # --- saving -----------------------------------------------------------------------------------
    def gesture(self) -> Gesture:
        raise NotImplementedError

    def _save(self) -> None:
        try:
            gesture = self.gesture()
        except ValueError as problem:  # an amount that is not money; the validator normally stops this
            show_problem(self, ValidationError(str(problem)), self.windowTitle())
            return
        except ValidationError as problem:  # e.g. a percentage that is not one
            show_problem(self, problem, self.windowTitle())
            return
        if self.editor.run(gesture, self.windowTitle()):
            self.accept()
        elif self.editor.reloaded:  # filled from a record someone else has changed since: open it again to edit
            self.reject()


def _ancestors(widget: QWidget, top: QWidget) -> list[QWidget]:
    """The widgets `widget` lies inside, up to and including `top`."""
    found = []
    parent = widget.parentWidget()
    while parent is not None:
        found.append(parent)
        if parent is top:
            break
        parent = parent.parentWidget()
    return found
