"""UI fixtures: a real main window on a private settings file, with dialogs captured instead of shown."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import shiboken6

from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from jointlead.ui.application import make_application
from jointlead.ui.main_window import MainWindow

DEMO_TODAY = date(2026, 11, 20)


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every message box the window tries to show, as text, instead of a modal dialog."""
    shown: list[str] = []

    def record(*args, **_kwargs):
        shown.append(" ".join(str(a) for a in args[1:]))
        return QMessageBox.StandardButton.Ok

    for name in ("warning", "critical", "information", "about", "question"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(record))
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(f"{box.text()} {box.informativeText()}") or 0)
    return shown


@pytest.fixture(autouse=True)
def no_dialog_outlives_its_test():
    """Close and delete any dialog or wizard a test leaves open, waiting for work still under way, so none lingers
    into the next test; and delete the windows pytest-qt closed. It only asks Qt to delete them later, which happens
    in an event loop, and a test that runs none would leave its windows alive, hidden, to the end of the run."""
    yield
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and shiboken6.isValid(widget):
            widget.reject()
            shiboken6.delete(widget)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def make_window(qtbot, messages, settings_path):
    make_application()

    def make(today: date = DEMO_TODAY) -> MainWindow:
        window = MainWindow(QSettings(str(settings_path), QSettings.Format.IniFormat), today=lambda: today)
        qtbot.addWidget(window)
        window.show()
        return window

    return make


@pytest.fixture
def window(make_window) -> MainWindow:
    return make_window()
