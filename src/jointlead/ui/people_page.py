"""People & lines: everyone recorded, with the managerial and professional line each has today."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from jointlead.services import overview
from jointlead.services.files import Database
from jointlead.ui.page import Page, day_text
from jointlead.ui.table_model import RIGHT, Column
from jointlead.ui.widgets import DataTable


def _lead(name: str, org: str) -> str:
    return f"{name} ({org})" if name and org else name


def _wte(row: overview.PersonRow) -> str:
    return f"{row.wte_hundredths / 100:.2f}" if row.wte_hundredths else ""


COLUMNS = [
    Column("Name", lambda r: r.name),
    Column("Employer", lambda r: r.employer_code),
    Column("Job title", lambda r: r.job_title),
    Column("Line manager", lambda r: _lead(r.line_manager, r.line_manager_org) or ("None recorded" if r.team else ""),
           tone=lambda r: ("bad" if not r.line_manager and r.team and r.active
                           else "info" if r.managed_across_boundary else None),
           tooltip=lambda r: _lead(r.line_manager, r.line_manager_org)
           + (": managed across the organisational boundary" if r.managed_across_boundary else "")),
    Column("Professional lead", lambda r: _lead(r.professional_lead, r.professional_lead_org)),
    Column("Team", lambda r: r.team or "Outside the team", tone=lambda r: None if r.team else "muted"),
    Column("Profession", lambda r: r.profession),
    Column("Grade", lambda r: r.grade),
    Column("WTE", _wte, sort_key=lambda r: r.wte_hundredths, align=RIGHT),
    Column("Employee no.", lambda r: r.employee_number),
    Column("Status", lambda r: ("Seconded" if r.seconded else "Active") if r.active else "Left",
           tone=lambda r: None if r.active else "muted"),
]


ANY = None
STATUSES = (("Active", lambda r: r.active), ("Left", lambda r: not r.active), ("Everyone", lambda _r: True))
FILTERS = (  # label, what a row is filtered by
    ("Employer", lambda r: r.employer_code),
    ("Profession", lambda r: r.profession),
    ("Team", lambda r: r.team),
    ("Grade", lambda r: r.grade),
)


class PeoplePage(Page):
    title = "People & lines"
    scrolls = False

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        bar = QHBoxLayout()
        self.filters: list[tuple[QComboBox, object]] = []
        for label, value in FILTERS:
            combo = self._combo(label, bar)
            self.filters.append((combo, value))
        self.status = self._combo("Status", bar)
        for text, keep in STATUSES:
            self.status.addItem(text, keep)
        bar.addStretch(1)
        self.body.addLayout(bar)
        self.table = DataTable("people", COLUMNS, "No people are recorded yet. Staff appear here with their "
                               "managerial and professional lines once they are added or imported.", self,
                               stretch_column=4)
        self.body.addWidget(self.table, 1)

    def _combo(self, label: str, bar: QHBoxLayout) -> QComboBox:
        caption = QLabel(f"{label}:", self)
        combo = QComboBox(self)
        combo.setAccessibleName(f"Show people by {label.lower()}")
        combo.view().setAccessibleName(f"{label} choices")
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        caption.setBuddy(combo)
        combo.activated.connect(lambda _i: self._apply_filters())
        bar.addWidget(caption)
        bar.addWidget(combo)
        return combo

    def _fill_filters(self, rows) -> None:
        for combo, value in self.filters:
            chosen = combo.currentData()
            combo.clear()
            combo.addItem("All", ANY)
            for choice in sorted({value(r) for r in rows if value(r)}):
                combo.addItem(choice, choice)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))

    def _apply_filters(self) -> None:
        chosen = [(combo.currentData(), value) for combo, value in self.filters if combo.currentData() is not ANY]
        keep_status = self.status.currentData()
        self.table.set_predicate(lambda r: keep_status(r) and all(value(r) == want for want, value in chosen))

    def show_data(self, database: Database, today: date) -> None:
        rows = overview.people(database, today)
        crossing = sum(1 for r in rows if r.managed_across_boundary and r.active)
        crossing_note = (f" {crossing} people are line-managed across the organisational boundary (shown in blue)."
                         if rows else "")
        self.subtitle.setText(f"Lines as at {day_text(today)}.{crossing_note}")
        self.table.set_rows(rows)
        self._fill_filters(rows)
        self._apply_filters()
