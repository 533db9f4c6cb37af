"""Driving the window as a user does, shared by the UI tests: the import wizard's first page, dialogs' OK."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget, QWizard

from jointlead.ui.import_wizard import ImportWizard

NEXT = QWizard.WizardButton.NextButton


def open_wizard(window, qtbot) -> ImportWizard:
    window.import_action.trigger()
    wizard = window.findChild(ImportWizard)
    assert wizard is not None and wizard.isVisible()
    return wizard


def choose_file(wizard: ImportWizard, qtbot, path: Path, *, organisation: str = "NFT", year: str = "2026-27",
                kind: int = 0) -> None:
    page = wizard.choose_page
    page.kind_buttons.button(kind).setChecked(True)
    page.organisation.setCurrentIndex(page.organisation.findData(organisation))
    page.year.setEditText(year)
    page.path.setText(str(path))
    assert wizard.button(NEXT).isEnabled()
    qtbot.mouseClick(wizard.button(NEXT), Qt.MouseButton.LeftButton)


def only(parent: QWidget, kind: type[QDialog]) -> QDialog:
    """The one dialog of a kind open over `parent`."""
    found = [d for d in parent.findChildren(kind) if d.isVisible()]
    assert len(found) == 1, f"expected one open {kind.__name__}"
    return found[0]


def save(dialog: QDialog, qtbot) -> None:
    """Press the dialog's OK (whatever it says: Save, Record, Close the month…)."""
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
