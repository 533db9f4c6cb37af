"""The composition root for the window: logging, which database to open, then the Qt application."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from jointlead.logs import configure_logging
from jointlead.paths import dashboard_snapshot, default_database, demo_database

if TYPE_CHECKING:
    from jointlead.ui.main_window import MainWindow

log = logging.getLogger(__name__)


def load_before_qt() -> None:
    """With no snapshot of the figures to show before the database opens, load what opening it and filling the
    dashboard need before Qt: PySide6's import hook reads the source of every module imported after it, and these
    took 30 ms longer to load after it (measured on --exit-when-ready with the same imports moved first)."""
    if not dashboard_snapshot().exists():
        import jointlead.services.budget_month
        import jointlead.services.files
        import jointlead.services.picture  # noqa: F401


def run_gui(database: Path | str | None = None, demo: bool = False) -> int:
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
    load_before_qt()
    from jointlead.ui.application import run

    def choose(window: MainWindow) -> Path | str | None:
        if demo:
            return demo_database()
        if database is not None:
            return database
        remembered = [Path(p) for p in window.recent_files()] + [default_database()]
        return next((candidate for candidate in remembered if candidate.exists()), None)

    return run(choose, log_path, demo=demo)
