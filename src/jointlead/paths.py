"""Where jointlead keeps its files (the per-user *local*, never roaming, application data folder) and finds its own."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "jointlead"


def data_dir() -> Path:
    """The folder for the database, backups and logs; `JOINTLEAD_DATA_DIR` overrides it (tests, IT)."""
    override = os.environ.get("JOINTLEAD_DATA_DIR")
    if override:
        return Path(override)
    if sys.platform == "win32":
        # Local, not Roaming: a roaming profile would copy the database across the network at logon.
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / APP_NAME


def default_database() -> Path:
    return data_dir() / "jointlead.sqlite"


def demo_database() -> Path:
    return data_dir() / "demo.sqlite"


def demo_extracts(database: Path) -> Path:
    """Where a demo database's next month's ledger extracts are written: a folder beside it, named after it."""
    return database.with_name(f"{database.stem} extracts")


def dashboard_snapshot() -> Path:
    """The dashboard as jointlead last closed, shown at the next start while the database opens."""
    return data_dir() / "dashboard-snapshot.json"


def shipped(folder: str, marker: str) -> Path | None:
    """A folder jointlead ships beside its code (migrations, resources), wherever it runs from: the frozen app, an
    installed wheel (mapped into the package by pyproject.toml) or a source checkout; None if none of them holds
    `marker`."""
    candidates = []
    if getattr(sys, "frozen", False):
        candidates.append(Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / folder)
    package = Path(__file__).resolve().parent
    candidates += [package / folder, package.parent.parent / folder]  # a wheel; a checkout's <repo>/src/jointlead
    return next((candidate for candidate in candidates if (candidate / marker).is_file()), None)
