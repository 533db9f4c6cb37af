"""How the window tells the user what is happening: a busy cursor while it works, a short dialog for a problem,
never a stack trace."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from jointlead.domain.errors import JointleadError


@contextmanager
def waiting() -> Iterator[None]:
    """A busy cursor while a change saves or a database opens. Most take a moment, but on a shared server either can
    wait for the network, and closing a month waits up to five seconds for others' saves to finish. It is lifted
    before any message about the outcome is shown."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


def show_problem(parent: QWidget | None, error: JointleadError, title: str = "jointlead") -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, title, error.message, QMessageBox.StandardButton.Ok, parent)
    box.setInformativeText(error.advice)
    box.exec()


def show_unexpected(parent: QWidget | None, log_path: str) -> None:
    QMessageBox.critical(parent, "jointlead",
                         "Something unexpected went wrong. Your data is safe: nothing half-finished was saved.\n\n"
                         f"The details are in the log file:\n{log_path}")
