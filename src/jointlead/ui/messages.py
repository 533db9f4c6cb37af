"""How the window tells the user about problems: a short dialog, never a stack trace."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from jointlead.domain.errors import JointleadError


def show_problem(parent: QWidget | None, error: JointleadError, title: str = "jointlead") -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, title, error.message, QMessageBox.StandardButton.Ok, parent)
    box.setInformativeText(error.advice)
    box.exec()


def show_unexpected(parent: QWidget | None, log_path: str) -> None:
    QMessageBox.critical(parent, "jointlead",
                         "Something unexpected went wrong. Your data is safe: nothing half-finished was saved.\n\n"
                         f"The details are in the log file:\n{log_path}")
