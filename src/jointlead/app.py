"""The composition root for the window: logging, which database to open, then the Qt application."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from jointlead.logs import configure_logging
from jointlead.paths import default_database

if TYPE_CHECKING:
    from jointlead.ui.main_window import MainWindow

log = logging.getLogger(__name__)


def run_gui(database: Path | None = None, demo: bool = False) -> int:
    """Open the window on the database asked for, else the last one used, else offer to create one."""
    log_path = configure_logging()
    log.info("Starting the window")
    from jointlead.exchange.problems import FileRefused
    from jointlead.exchange.safety import check_xml_defences

    try:
        check_xml_defences()
    except FileRefused:
        # Every read and write refuses with the same message when used, so the window can still open the data.
        log.error("defusedxml is missing: workbooks will not be read or written")
    from jointlead.ui.application import run

    def start(window: MainWindow) -> bool:
        if demo:
            return window.open_demo() or window.welcome()
        if database is not None:
            return window.open_path(database) or window.welcome()
        remembered = [Path(p) for p in window.recent_files()] + [default_database()]
        for candidate in remembered:
            if candidate.exists():
                return window.open_path(candidate) or window.welcome()
        return window.welcome()

    return run(start, log_path)
