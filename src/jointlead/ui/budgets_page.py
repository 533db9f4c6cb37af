"""Budgets: the pooled fund's contributions and lines, budget against actual to the last closed period."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from jointlead.domain.money import format_pounds
from jointlead.domain.rag import Rag, variance_rag
from jointlead.services import overview
from jointlead.services.budgets import LinePosition, pool_position
from jointlead.services.files import Database
from jointlead.ui.page import Page
from jointlead.ui.table_model import RIGHT, Column
from jointlead.ui.widgets import DataTable, Tile, section_title

RAG_TONES = {Rag.RED: "bad", Rag.AMBER: "warn", Rag.GREEN: "good"}


def variance_tone(variance: int, budget: int) -> str | None:
    return RAG_TONES.get(variance_rag(variance, budget))


def _ytd_tone(line: LinePosition) -> str | None:
    return variance_tone(line.figures.ytd_variance, line.figures.budget_to_date)


def _year_tone(line: LinePosition) -> str | None:
    return variance_tone(line.figures.full_year_variance, line.figures.annual_budget_pence)


def variance_percent(variance: int, budget: int) -> str:
    return f"{variance / budget:+.1%}" if budget else ""


def _money(header: str, pence: Callable[[LinePosition], int], **options) -> Column:
    return Column(header, lambda r: format_pounds(pence(r)), sort_key=pence, align=RIGHT, **options)


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
    Column("Lead", lambda r: f"{r.responsible_code or 'joint'} (fixed)" if r.share_profile == "fixed"
           else r.responsible_code or "joint",
           tooltip=lambda r: "The responsible partner (lead commissioner)"
           + ("; a fixed share: its variance falls wholly on this partner" if r.share_profile == "fixed" else "")),
    _money("Annual\nbudget", lambda r: r.figures.annual_budget_pence),
    _money("Budget\nto date", lambda r: r.figures.budget_to_date),
    _money("Actual\nto date", lambda r: r.figures.actual_to_date),
    _money("Variance\nto date", lambda r: r.figures.ytd_variance, tone=_ytd_tone,
           tooltip=lambda r: variance_percent(r.figures.ytd_variance, r.figures.budget_to_date)
           + " against the budget to date"),
    _money("Forecast\noutturn", lambda r: r.figures.forecast_outturn,
           tooltip=lambda _r: "Actuals to date plus a run-rate forecast, or the forecast set by hand"),
    _money("Forecast\nvariance", lambda r: r.figures.full_year_variance, tone=_year_tone,
           tooltip=lambda r: variance_percent(r.figures.full_year_variance, r.figures.annual_budget_pence)
           + " against the annual budget"),
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
        self.actual_tile = Tile("Actual to date", self)
        self.outturn_tile = Tile("Forecast outturn", self)
        self.variance_tile = Tile("Forecast variance", self)
        for column, tile in enumerate((self.contributions_tile, self.actual_tile, self.outturn_tile,
                                       self.variance_tile)):
            tiles.addWidget(tile, 0, column)
        area.addLayout(tiles)
        area.addWidget(section_title("Budget lines", self))
        self.lines = DataTable("budget lines", LINE_COLUMNS, "This agreement has no budget lines yet.", self,
                               stretch_column=1, fit_rows=True)
        area.addWidget(self.lines)
        area.addWidget(section_title("Risk share of the forecast variance", self))
        self.risk_share = QLabel("", self)
        self.risk_share.setObjectName("riskShare")
        self.risk_share.setWordWrap(True)
        self.risk_share.setTextFormat(Qt.TextFormat.RichText)
        self.risk_share.setAccessibleName("Risk share, step by step")
        area.addWidget(self.risk_share)
        area.addWidget(section_title("Contributions", self))
        self.contributions = DataTable("contributions", CONTRIBUTION_COLUMNS, "No contributions are recorded yet.",
                                       self, searchable=False, stretch_column=1, fit_rows=True)
        area.addWidget(self.contributions)
        area.addStretch(1)  # spare height goes below the last table, not between the sections
        self.body.addWidget(self.pool_area, 1)
        self.body.addStretch(0)

    def show_data(self, database: Database, today: date) -> None:
        pools = overview.pools(database, today)
        self.no_pool.setVisible(not pools)
        self.pool_area.setVisible(bool(pools))
        if not pools:
            self.subtitle.setText("No Section 75 agreement is recorded yet.")
            return
        summary = pools[0]
        position = pool_position(database, summary.agreement_id, year=summary.year, today=today)
        pool = position.pool
        as_at = position.as_at.as_at() if position.as_at else f"{position.year.label}: no period closed yet"
        self.subtitle.setText(f"{position.title}, hosted by {position.host_code}. Figures {as_at}; the forecast "
                              "runs the year on at the rate so far, except where a month's forecast is set by hand.")
        self.contributions_tile.set_figure(format_pounds(summary.contributions_pence),
                                           f"Pool for {position.year.label}")
        unmapped = (f"; {summary.unmapped_rows} unmapped ledger rows ({format_pounds(summary.unmapped_pence)}) "
                    "not included" if summary.unmapped_rows else "")
        self.actual_tile.set_figure(format_pounds(pool.actual_to_date),
                                    f"Budget to date {format_pounds(pool.budget_to_date)}{unmapped}",
                                    variance_tone(pool.ytd_variance, pool.budget_to_date))
        self.outturn_tile.set_figure(format_pounds(pool.forecast_outturn),
                                     f"Annual budget {format_pounds(pool.annual_budget_pence)}")
        variance = pool.full_year_variance
        self.variance_tile.set_figure(
            format_pounds(variance),
            f"{'Overspend' if variance > 0 else 'Underspend' if variance < 0 else 'On budget'} "
            f"{variance_percent(variance, pool.annual_budget_pence)}".strip(),
            variance_tone(variance, pool.annual_budget_pence))
        self.lines.set_rows(position.lines)
        steps = "".join(f"<p><b>{escape(step.title)}.</b> {escape(step.explanation)}</p>"
                        for step in position.risk_share.steps)
        shares = " · ".join(f"{escape(code)} {escape(format_pounds(pence))}"
                            for code, pence in position.risk_share.share_by_partner.items())
        board = (" <b>Part is unallocated: refer to the board.</b>" if position.risk_share.refer_to_board else "")
        self.risk_share.setText(f"{steps}<p><b>Each partner's share:</b> {shares}.{board}</p>")
        self.contributions.set_rows(overview.contributions(database, position.agreement_id,
                                                           position.year.start_year))
