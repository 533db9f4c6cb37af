"""Dashboard: the service's headline figures as at today; each tile opens the page behind it."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QWidget

from jointlead.domain.money import format_pounds
from jointlead.services import actions, overview, supervision
from jointlead.services.check import data_quality
from jointlead.services.files import Database
from jointlead.ui.budgets_page import variance_percent, variance_tone
from jointlead.ui.page import Page, day_text
from jointlead.ui.table_model import RIGHT, Column
from jointlead.ui.widgets import DataTable, Tile, section_title

ORGANISATION_COLUMNS = [
    Column("Code", lambda r: r.code),
    Column("Organisation", lambda r: r.name),
    Column("Kind", lambda r: r.kind),
    Column("Team members employed", lambda r: str(r.staff), sort_key=lambda r: r.staff, align=RIGHT),
]


class DashboardPage(Page):
    title = "Dashboard"
    open_page = Signal(str)  # the title of the page a tile leads to
    open_overdue_actions = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        grid = QGridLayout()
        grid.setSpacing(12)
        self.tiles: dict[str, Tile] = {}
        layout = [
            ("Staff", "People & lines"), ("Pooled fund variance", "Budgets"), ("Data quality", "People & lines"),
            ("Supervision compliance", "Supervision"), ("Supervision needing action", "Supervision"),
            ("Sessions held, last 90 days", "Supervision"),
            ("Open actions", "Actions"), ("Overdue actions", "Actions"), ("Due in the next 14 days", "Actions"),
        ]
        for position, (title, page) in enumerate(layout):
            tile = Tile(title, self)
            if title == "Overdue actions":  # opens the log already filtered to what the tile counts
                tile.clicked.connect(self.open_overdue_actions.emit)
            else:
                tile.clicked.connect(lambda _checked=False, page=page: self.open_page.emit(page))
            grid.addWidget(tile, position // 3, position % 3)
            self.tiles[title] = tile
        self.body.addLayout(grid)
        self.body.addWidget(section_title("Parent organisations", self))
        self.organisations = DataTable("organisations", ORGANISATION_COLUMNS,
                                       "No organisations are recorded yet. The parent organisations (for example an "
                                       "NHS trust and a county council) appear here.", self, searchable=False,
                                       stretch_column=1, fit_rows=True)
        self.body.addWidget(self.organisations)
        self.body.addStretch(1)

    def show_data(self, database: Database, today: date) -> None:
        figures = overview.overview(database, today)
        self.heading.setText(figures.service_name)
        pool = figures.pools[0] if figures.pools else None
        as_at = pool.as_at.as_at() if pool and pool.as_at else f"as at {day_text(today)}"
        self.subtitle.setText(f"Dashboard {as_at}. Select a tile to open the page behind it.")
        by_org = " · ".join(f"{o.code} {o.staff}" for o in figures.organisations if o.staff)
        teams = f"In {figures.teams} team{'' if figures.teams == 1 else 's'}"
        self.tiles["Staff"].set_figure(str(figures.staff), f"{teams}: {by_org}" if by_org else teams)
        if pool is None:
            self.tiles["Pooled fund variance"].set_figure("—", "No pooled budget recorded yet")
        else:
            variance = pool.variance_to_date_pence
            self.tiles["Pooled fund variance"].set_figure(
                format_pounds(variance),
                f"{variance_percent(variance, pool.budget_to_date_pence)} against budget to date; "
                f"actual {format_pounds(pool.actual_to_date_pence)}",
                variance_tone(variance, pool.budget_to_date_pence))
        quality = data_quality(database, today)
        self.tiles["Data quality"].set_figure(
            str(len(quality.findings)), f"{len(quality.errors)} errors, {len(quality.warnings)} warnings to review",
            "bad" if quality.errors else "warn" if quality.warnings else "good")
        report = supervision.compliance(database, today, trend_months=1)
        overall = report.overall
        self.tiles["Supervision compliance"].set_figure(
            "—" if overall.fraction is None else f"{overall.fraction:.0%}",
            f"{overall.compliant} of {overall.in_scope} arrangements in date; target {report.target_percent}%",
            None if overall.fraction is None else "good" if report.meets_target else "bad")
        needing = report.needing_action
        people = list(dict.fromkeys(r.supervisee for r in needing))
        names = ", ".join(people[:4]) + (f" and {len(people) - 4} more" if len(people) > 4 else "")
        self.tiles["Supervision needing action"].set_figure(
            str(len(needing)), f"Longest first: {names}" if needing else "Nobody overdue",
            "bad" if needing else "good")
        self.tiles["Sessions held, last 90 days"].set_figure(str(figures.sessions_held_last_90_days),
                                                             "Managerial and professional")
        figures_for_actions = actions.action_figures(database, today)
        self.tiles["Open actions"].set_figure(str(figures_for_actions.still_open), "Open or in progress")
        overdue = figures_for_actions.overdue
        by_organisation = " · ".join(f"{o.code or 'no owner'} {o.overdue}"
                                     for o in figures_for_actions.by_organisation if o.overdue)
        self.tiles["Overdue actions"].set_figure(str(overdue), f"Past their due date: {by_organisation}" if overdue
                                                 else "Past their due date", "bad" if overdue else "good")
        due_soon = figures_for_actions.due_soon
        self.tiles["Due in the next 14 days"].set_figure(
            str(len(due_soon)), "Still open: " + ", ".join(r.reference for r in due_soon[:5])
            + (" …" if len(due_soon) > 5 else "") if due_soon else "Still open", "warn" if due_soon else None)
        self.organisations.set_rows(figures.organisations)
