"""What every page has: a heading, an "as at" line, a scrolling body, and a refresh from the services."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget

from jointlead.ui.widgets import page_heading

if TYPE_CHECKING:  # the undo module loads the services: a page can be built before they are needed
    from jointlead.ui.undo import Editor


@lru_cache(maxsize=4096)  # a table of a large service shows the same few hundred days thousands of times
def day_text(day: date | None) -> str:
    return day.strftime("%d %b %Y") if day else ""


class Page(QWidget):
    """A page of the main window. Subclasses lay out `self.body` and define `show_data(database, today)`.

    Pages that are one big table do not scroll as a whole (`scrolls = False`): the table scrolls itself.
    """

    title = ""
    scrolls = True
    export_kind = ""  # what File > Export… offers first while the page is shown: the workbook of what it shows
    editor: Editor  # set by the window: how the page makes changes that Edit > Undo can take back

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAccessibleName(f"{self.title} page")
        self.heading, self.subtitle = page_heading(self.title, self)
        content = QWidget(self)
        self.body = QVBoxLayout(content)
        self.body.setContentsMargins(24, 18, 24, 18)
        self.body.setSpacing(10)
        self.body.addWidget(self.heading)
        self.body.addWidget(self.subtitle)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        if self.scrolls:
            scroll = QScrollArea(self)
            scroll.setWidgetResizable(True)
            scroll.setWidget(content)
            scroll.setAccessibleName(f"{self.title} page content")
            outer.addWidget(scroll)
        else:
            outer.addWidget(content)
