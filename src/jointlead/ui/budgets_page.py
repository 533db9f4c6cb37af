"""Budgets: the pooled fund's contributions and lines, budget against actual to the last closed period."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from jointlead.domain.money import format_pounds
from jointlead.domain.rag import Rag, variance_rag
from jointlead.services import overview
from jointlead.services.files import Database
from jointlead.ui.page import Page
from jointlead.ui.table_model import RIGHT, Column
from jointlead.ui.widgets import DataTable, Tile, section_title

RAG_TONES = {Rag.RED: "bad", Rag.AMBER: "warn", Rag.GREEN: "good"}


def variance_tone(variance: int, budget: int) -> str | None:
    return RAG_TONES.get(variance_rag(variance, budget))


def _line_tone(line: overview.BudgetLineRow) -> str | None:
    return variance_tone(line.variance_to_date_pence, line.budget_to_date_pence)


def variance_percent(variance: int, budget: int) -> str:
    return f"{variance / budget:+.1%}" if budget else ""


CONTRIBUTION_COLUMNS = [
    Column("Partner", lambda r: r.partner_code),
    Column("Funding stream", lambda r: r.funding_stream),
    Column("Amount", lambda r: format_pounds(r.amount_pence), sort_key=lambda r: r.amount_pence, align=RIGHT),
    Column("Recurrent", lambda r: "Recurrent" if r.recurrent else "Non-recurrent"),
    Column("Paid", lambda r: r.schedule.capitalize()),
]

LINE_COLUMNS = [
    Column("Code", lambda r: r.code),
    Column("Budget line", lambda r: r.name),
    Column("Category", lambda r: r.category.capitalize()),
    Column("Lead", lambda r: f"{r.responsible_code} (fixed)" if r.share_profile == "fixed" else r.responsible_code,
           tooltip=lambda r: "The responsible partner (lead commissioner)"
           + ("; a fixed share: its variance falls wholly on this partner" if r.share_profile == "fixed" else "")),
    Column("Annual\nbudget", lambda r: format_pounds(r.annual_budget_pence), sort_key=lambda r: r.annual_budget_pence,
           align=RIGHT),
    Column("Budget\nto date", lambda r: format_pounds(r.budget_to_date_pence),
           sort_key=lambda r: r.budget_to_date_pence, align=RIGHT),
    Column("Actual\nto date", lambda r: format_pounds(r.actual_to_date_pence),
           sort_key=lambda r: r.actual_to_date_pence, align=RIGHT),
    Column("Variance\nto date", lambda r: format_pounds(r.variance_to_date_pence),
           sort_key=lambda r: r.variance_to_date_pence, align=RIGHT, tone=_line_tone),
    Column("Variance\n%", lambda r: variance_percent(r.variance_to_date_pence, r.budget_to_date_pence),
           sort_key=lambda r: r.variance_to_date_pence / r.budget_to_date_pence if r.budget_to_date_pence else None,
           align=RIGHT, tone=_line_tone),
    Column("Ledger\ncodes", lambda r: str(r.mappings), sort_key=lambda r: r.mappings, align=RIGHT,
           tone=lambda r: "bad" if not r.mappings else None),
]


class BudgetsPage(Page):
    title = "Budgets"

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.no_pool = QLabel("No pooled budget is recorded in this database yet.\n\nA Section 75 agreement's "
                              "contributions and budget lines appear here, with budget against actual to the last "
                              "closed period.", self)
        self.no_pool.setObjectName("emptyState")
        self.no_pool.setWordWrap(True)
        self.no_pool.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_pool.setMinimumHeight(160)
        self.body.addWidget(self.no_pool)
        self.pool_area = QWidget(self)
        area = QVBoxLayout(self.pool_area)
        area.setContentsMargins(0, 0, 0, 0)
        area.setSpacing(10)
        tiles = QGridLayout()
        tiles.setSpacing(12)
        self.contributions_tile = Tile("Contributions", self)
        self.budget_tile = Tile("Budget to date", self)
        self.actual_tile = Tile("Actual to date", self)
        self.variance_tile = Tile("Variance to date", self)
        for column, tile in enumerate((self.contributions_tile, self.budget_tile, self.actual_tile,
                                       self.variance_tile)):
            tiles.addWidget(tile, 0, column)
        area.addLayout(tiles)
        area.addWidget(section_title("Budget lines", self))
        self.lines = DataTable("budget lines", LINE_COLUMNS, "This agreement has no budget lines yet.", self,
                               stretch_column=1, fit_rows=True)
        area.addWidget(self.lines, 1)
        area.addWidget(section_title("Contributions", self))
        self.contributions = DataTable("contributions", CONTRIBUTION_COLUMNS, "No contributions are recorded yet.",
                                       self, searchable=False, stretch_column=1, fit_rows=True)
        area.addWidget(self.contributions)
        self.body.addWidget(self.pool_area, 1)
        self.body.addStretch(0)

    def show_data(self, database: Database, today: date) -> None:
        pools = overview.pools(database, today)
        pool = pools[0] if pools else None
        self.no_pool.setVisible(pool is None)
        self.pool_area.setVisible(pool is not None)
        if pool is None:
            self.subtitle.setText("No Section 75 agreement is recorded yet.")
            return
        as_at = pool.as_at.as_at() if pool.as_at else f"{pool.year.label}: no period closed yet"
        self.subtitle.setText(f"{pool.title}, hosted by {pool.host_code}. Figures {as_at}.")
        self.contributions_tile.set_figure(format_pounds(pool.contributions_pence), f"Pool for {pool.year.label}")
        self.budget_tile.set_figure(format_pounds(pool.budget_to_date_pence),
                                    f"Annual budget {format_pounds(pool.annual_budget_pence)}")
        self.actual_tile.set_figure(
            format_pounds(pool.actual_to_date_pence),
            f"{pool.unmapped_rows} unmapped ledger rows ({format_pounds(pool.unmapped_pence)}) not included"
            if pool.unmapped_rows else "All ledger rows mapped to lines")
        variance = pool.variance_to_date_pence
        self.variance_tile.set_figure(
            format_pounds(variance),
            f"{'Overspend' if variance > 0 else 'Underspend' if variance < 0 else 'On budget'} "
            f"{variance_percent(variance, pool.budget_to_date_pence)}".strip(),
            variance_tone(variance, pool.budget_to_date_pence))
        to_period = pool.as_at.number if pool.as_at else 0
        year = pool.year.start_year
        self.lines.set_rows(overview.budget_lines(database, pool.agreement_id, year, to_period))
        self.contributions.set_rows(overview.contributions(database, pool.agreement_id, year))
