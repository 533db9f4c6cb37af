"""Where choosing a file to import starts: the folder last chosen from, else a demo's next month's extracts, else
Downloads, where emailed extracts land."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

from jointlead.paths import demo_extracts

KEY = "import/folder"


class ImportFolder:
    """The import wizard's and the tracker import's starting folder, kept in the window's settings."""

    def __init__(self, settings: QSettings, database_file: Path | None) -> None:
        self.settings, self.database_file = settings, database_file

    def start(self) -> str:
        kept = str(self.settings.value(KEY, "") or "")
        if kept and Path(kept).is_dir():
            return kept
        if self.database_file is not None and (extracts := demo_extracts(self.database_file)).is_dir():
            return str(extracts)
        return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)

    def remember(self, chosen: Path) -> None:
        """The next choice starts in the folder of the file chosen now."""
        self.settings.setValue(KEY, str(chosen.parent))
