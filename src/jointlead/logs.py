"""The rotating log file in the data folder. Log events and counts, never names or other personal data."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from jointlead.paths import data_dir


def log_dir() -> Path:
    return data_dir() / "logs"


def configure_logging() -> Path:
    """Send jointlead's log records to logs/jointlead.log (1 MB × 5 files) and return its path."""
    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "jointlead.log"
    root = logging.getLogger("jointlead")
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    return path
