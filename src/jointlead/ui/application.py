"""Builds the QApplication, applies the theme, and runs the main window until the user quits."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from jointlead.paths import data_dir
from jointlead.ui.main_window import MainWindow
from jointlead.ui.messages import show_unexpected
from jointlead.ui.theme import STYLESHEET

log = logging.getLogger(__name__)


def open_settings() -> QSettings:
    """Window state and recent files, kept in the data folder beside the database (not the registry)."""
    return QSettings(str(data_dir() / "settings.ini"), QSettings.Format.IniFormat)


def make_application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("jointlead")
    app.setOrganizationName("jointlead")
    # Styled once: setting a style sheet again restyles every widget alive, which grows with each window made.
    if app.style().name().casefold() != "fusion":
        app.setStyle("Fusion")
    if app.styleSheet() != STYLESHEET:
        app.setStyleSheet(STYLESHEET)
    return app


def _unexpected_error_hook(log_path: Path) -> Callable[[type[BaseException], BaseException, TracebackType | None],
                                                       None]:
    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        log.error("Unexpected error", exc_info=(kind, error, trace))
        show_unexpected(QApplication.activeWindow(), str(log_path))

    return hook


def run(start: Callable[[MainWindow], bool], log_path: Path) -> int:
    """Show the window, let `start` open a database (or ask), and run until the window closes."""
    app = make_application()
    sys.excepthook = _unexpected_error_hook(log_path)
    window = MainWindow(open_settings())
    window.show()

    def begin() -> None:
        if not start(window):
            window.close()

    # Open the database once the window is on screen, so the user sees jointlead at once.
    QTimer.singleShot(0, begin)
    return app.exec()
