"""Supervision: the arrangements in place and when each supervisee last had a session."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QWidget

from jointlead.services import overview
from jointlead.services.files import Database
from jointlead.ui.page import Page, day_text
from jointlead.ui.table_model import RIGHT, Column
from jointlead.ui.widgets import DataTable

COLUMNS = [
    Column("Supervisee", lambda r: r.supervisee),
    Column("Employer", lambda r: r.supervisee_org),
    Column("Type", lambda r: r.supervision_type.capitalize()),
    Column("Supervisor", lambda r: f"{r.supervisor} ({r.supervisor_org})" if r.supervisor else "None named",
           tone=lambda r: None if r.supervisor else "bad"),
    Column("Since", lambda r: day_text(r.start_date), sort_key=lambda r: r.start_date),
    Column("Last held", lambda r: day_text(r.last_held) or "Never", sort_key=lambda r: r.last_held,
           tone=lambda r: None if r.last_held else "bad"),
    Column("Days since", lambda r: "" if r.days_since_last is None else str(r.days_since_last),
           sort_key=lambda r: r.days_since_last, align=RIGHT),
]


class SupervisionPage(Page):
    title = "Supervision"
    scrolls = False

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.table = DataTable("arrangements", COLUMNS,
                               "No supervision arrangements are recorded yet. Each person's managerial and "
                               "professional supervision appears here once arranged.", self, stretch_column=3)
        self.body.addWidget(self.table, 1)

    def show_data(self, database: Database, today: date) -> None:
        figures = overview.overview(database, today)
        self.subtitle.setText(
            f"As at {day_text(today)}: {figures.arrangements} arrangements in place; "
            f"{figures.staff_without_arrangement} team members have none; "
            f"{figures.sessions_held_last_90_days} sessions held in the last 90 days.")
        self.table.set_rows(overview.arrangements(database, today))
