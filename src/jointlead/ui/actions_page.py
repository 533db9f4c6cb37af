"""Actions: the delivery action log with owners, due dates, status and RAG."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QWidget

from jointlead.domain.actions import Rag
from jointlead.services import overview
from jointlead.services.files import Database
from jointlead.ui.page import Page, day_text
from jointlead.ui.table_model import CENTRE, Column
from jointlead.ui.widgets import DataTable

RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2, Rag.BLUE: 3, Rag.GREY: 4}
PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}

COLUMNS = [
    Column("Ref", lambda r: r.reference),
    Column("RAG", lambda r: r.rag.value.capitalize(), sort_key=lambda r: RAG_ORDER[r.rag], align=CENTRE,
           tone=lambda r: f"rag:{r.rag.value}"),
    Column("Action", lambda r: r.title),
    Column("Owner", lambda r: f"{r.owner} ({r.owner_org})" if r.owner else "No owner",
           tone=lambda r: None if r.owner else "bad"),
    Column("Due", lambda r: day_text(r.due), sort_key=lambda r: r.due,
           tone=lambda r: "info" if r.due != r.original_due else None,
           tooltip=lambda r: (f"Revised: originally due {day_text(r.original_due)}" if r.due != r.original_due
                              else day_text(r.due))),
    Column("Status", lambda r: r.status.capitalize()),
    Column("Priority", lambda r: r.priority.capitalize(), sort_key=lambda r: PRIORITY_ORDER.get(r.priority, 9)),
    Column("Agreed at", lambda r: r.meeting, max_width=170),
]


class ActionsPage(Page):
    title = "Actions"
    scrolls = False

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.table = DataTable("actions", COLUMNS, "No actions are recorded yet. Actions agreed at boards and "
                               "meetings appear here with their owners and due dates.", self, stretch_column=2)
        self.body.addWidget(self.table, 1)

    def show_data(self, database: Database, today: date) -> None:
        rows = overview.actions(database, today)
        overdue = sum(1 for r in rows if r.rag == Rag.RED)
        still_open = sum(1 for r in rows if r.status in overview.OPEN_STATUSES)
        self.subtitle.setText(f"As at {day_text(today)}: {still_open} open, {overdue} overdue. "
                              "RAG: red overdue, amber due within 14 days and not started, green on track, "
                              "blue complete. Due dates in blue have been revised.")
        self.table.set_rows(rows)
