"""Budgets: the pooled fund as at a month — lines, months, risk share, charts, unmapped rows and the year end."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLayout,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from jointlead.domain.budget import MONTHS, ForecastMethod, LineFigures, check_month_over
from jointlead.domain.calendar import FinancialYear
from jointlead.domain.errors import JointleadError, ValidationError
from jointlead.domain.money import format_exact, format_money, format_pounds
from jointlead.domain.risk_share import share_words
from jointlead.domain.words import listed
from jointlead.services import budget_month, budget_report, budget_setup, overview, reconciliation
from jointlead.services.budget_month import BudgetYear
from jointlead.services.budget_report import months_in_words
from jointlead.services.budgets import LineFiguresProblem, LinePosition, PoolPosition, pool_position
from jointlead.services.files import Database
from jointlead.ui import budget_dialogs
from jointlead.ui.budget_charts import BudgetCharts
from jointlead.ui.budget_words import (
    FORECAST_WORDS,
    RAG_FILL_TONES,
    as_it_stood,
    fill_as_at,
    month_chosen,
    month_words,
    nothing_to_share,
    over_under,
    rag_words,
    risk_share_waiting,
    shares_in_pounds,
    variance_key,
    variance_percent,
    variance_tone,
)
from jointlead.ui.messages import show_problem
from jointlead.ui.money_editing import MoneyDelegate, pence_from_text, plain_pounds
from jointlead.ui.page import Page, day_text
from jointlead.ui.table_model import RIGHT, Column
from jointlead.ui.widgets import DataTable, FlowLayout, Tile, into_the_table_when_chosen, section_title


def _ytd_tone(line: LinePosition) -> str | None:
    return variance_tone(line.figures.ytd_variance, line.figures.budget_to_date)


def _year_tone(line: LinePosition) -> str | None:
    return variance_tone(line.figures.full_year_variance, line.figures.annual_budget_pence)


def _variance_tip(variance: int, budget: int, against: str) -> str:
    """A variance's percentage and RAG in words, for its tooltip: what its colour says."""
    percent = variance_percent(variance, budget)
    return f"{percent} against the {against}: {rag_words(variance, budget)}" if percent else \
        f"No {against}: {rag_words(variance, budget)}"


def _no_codes(row: object) -> bool:
    """A line no ledger codes feed (no actual can reach it); never the whole pool's row."""
    return not isinstance(row, GridRow) and not row.mappings


NO_POOL = ("No pooled budget is recorded in this database yet.\n\nSet up the Section 75 agreement: its two partners, "
           "who hosts the pool and how any over- or underspend is shared. Then add contributions and budget lines, "
           "and import each partner's ledger.")


def _money(header: str, pence: Callable[[object], int], **options) -> Column:
    return Column(header, lambda r: format_pounds(pence(r)), sort_key=pence, align=RIGHT, **options)


CONTRIBUTION_COLUMNS = [
    Column("Partner", lambda r: r.partner_code),
    Column("Funding stream", lambda r: r.funding_stream),
    Column("Amount", lambda r: format_pounds(r.amount_pence), sort_key=lambda r: r.amount_pence, align=RIGHT),
    Column("Recurrent", lambda r: "Recurrent" if r.recurrent else "Non-recurrent"),
    Column("Paid", lambda r: r.schedule.capitalize()),
]

# The Lines table's columns to date; `_line_columns` adds the outturn and its variance, forecast or actual.
LINE_COLUMNS = [
    Column("Code", lambda r: r.code),
    # A line's ledger codes are counted on Ledger codes…: here only a line with none says so, in words, which leaves
    # the line's name the room to show whole in a 1280-pixel window.
    Column("Budget line", lambda r: f"{r.name} (no ledger codes)" if _no_codes(r) else r.name,
           tone=lambda r: "bad" if _no_codes(r) else None,
           tooltip=lambda r: r.name if isinstance(r, GridRow) else f"{r.name} ({r.category})"
           + ("; no ledger codes feed it, so no actual can reach it: add them with Ledger codes…"
              if _no_codes(r) else "")),
    Column("Lead", lambda r: "" if isinstance(r, GridRow) else f"{r.responsible_code or 'joint'} (fixed)"
           if r.share_profile == "fixed" else r.responsible_code or "joint",
           tooltip=lambda r: "" if isinstance(r, GridRow) else "The responsible partner (lead commissioner)"
           + ("; a fixed share: its variance falls wholly on this partner" if r.share_profile == "fixed" else "")),
    _money("Annual\nbudget", lambda r: r.figures.annual_budget_pence),
    _money("Budget\nto date", lambda r: r.figures.budget_to_date),
    _money("Actual\nto date", lambda r: r.figures.actual_to_date),
    _money("Variance\nto date", lambda r: r.figures.ytd_variance, tone=_ytd_tone,
           tooltip=lambda r: _variance_tip(r.figures.ytd_variance, r.figures.budget_to_date, "budget to date")),
]


def _line_columns(final: bool) -> list[Column]:
    """The Lines table's columns; once the year is `final` (as at M12, every month closed) its outturn and variance
    are the actual ones, and headed so. The columns keep their names (`key`), so one hidden stays hidden."""
    return [
        *LINE_COLUMNS,
        _money("Actual\noutturn" if final else "Forecast\noutturn", lambda r: r.figures.forecast_outturn,
               key="Forecast\noutturn",
               tooltip=lambda r: "The year's actuals, every month closed" if final else
               "Each line's actuals to date plus its forecast" if isinstance(r, GridRow) else
               f"Actuals to date plus a forecast at {FORECAST_WORDS[r.forecast_method]}, or the forecast set by hand"),
        _money("Full-year\nvariance" if final else "Forecast\nvariance", lambda r: r.figures.full_year_variance,
               tone=_year_tone, key="Forecast\nvariance",
               tooltip=lambda r: _variance_tip(r.figures.full_year_variance, r.figures.annual_budget_pence,
                                               "annual budget")),
    ]


def _pence(header: str, pence: Callable[[object], int], **options) -> Column:
    """Money to the penny, where pence matter: what partners actually pay each other."""
    return Column(header, lambda r: format_money(pence(r)), sort_key=pence, align=RIGHT, **options)


UNMAPPED_COLUMNS = [
    Column("Partner", lambda r: r.organisation_code),
    # A row in a closed month looks like the closed months of the grid: grey, and locked.
    Column("Month", lambda r: f"M{r.period} (closed)" if r.closed else f"M{r.period}", sort_key=lambda r: r.period,
           tone=lambda r: "rag:grey" if r.closed else None,
           tooltip=lambda r: f"M{r.period} is closed: its figures were agreed at month end and are locked, so this "
           f"row cannot be assigned until M{r.period} is unlocked." if r.closed else ""),
    Column("Posted", lambda r: r.posting_date.strftime("%d %b %Y") if r.posting_date else "",
           sort_key=lambda r: r.posting_date),
    Column("Cost\ncentre", lambda r: r.cost_centre),
    Column("Subjective", lambda r: r.subjective),
    Column("Description", lambda r: r.description, max_width=320),
    _pence("Amount", lambda r: r.amount_pence),
    # The row first, and narrower than the description: the file is mostly the partner and month again.
    Column("Source", lambda r: f"row {r.source_row} of {r.source_file} ({r.source_sheet})" if r.source_row
           else r.source_file, max_width=190),
]

# Capped so that at 1280 x 800 every column is in sight beside a reason of some length (each is whole in its tooltip).
VIREMENT_COLUMNS = [
    Column("Approved", lambda r: r.approval_date.strftime("%d %b %Y"), sort_key=lambda r: r.approval_date),
    Column("From", lambda r: f"{r.from_code} {r.from_name}", max_width=150),
    Column("To", lambda r: f"{r.to_code} {r.to_name}", max_width=150),
    _money("Amount", lambda r: r.amount_pence),
    Column("From\nmonth", lambda r: f"M{r.from_period}", sort_key=lambda r: r.from_period),
    Column("Recurrent", lambda r: "Recurrent" if r.recurrent else "This year"),
    Column("Reason", lambda r: r.reason, max_width=260),
    Column("Approved by", lambda r: r.approved_by + (f" (board {r.board_approval})" if r.board_approval else ""),
           max_width=170),
]

INSTALMENT_COLUMNS = [
    Column("Due", lambda r: r.expected_date.strftime("%d %b %Y"), sort_key=lambda r: r.expected_date),
    Column("Partner", lambda r: r.partner_code),
    Column("Funding stream", lambda r: r.funding_stream),
    _pence("Expected", lambda r: r.expected_pence),
    Column("Received", lambda r: r.received_date.strftime("%d %b %Y") if r.received_date else "not yet",
           sort_key=lambda r: r.received_date, tone=lambda r: None if r.received_date else "muted"),
    _pence("Amount received", lambda r: r.received_pence or 0,
           tone=lambda r: "bad" if r.received_date and r.received_pence != r.expected_pence else None,
           tooltip=lambda r: "Not what was expected" if r.received_date and r.received_pence != r.expected_pence
           else ""),
]

def _year_end_columns(final: bool) -> list[Column]:
    """The partners' settlement, as the workbooks' Year-end settlement sheet has it: the year's own once M12 is
    closed, otherwise a forecast of it, which takes each instalment not yet due as paid when due (what is overdue
    stays in the balance, and is said above the table). Each row adds up across: due, less paid and not yet due,
    plus the share, is the balance."""
    when = "" if final else " at the year end, at the forecast outturn, with each instalment paid when due"
    return [
        Column("Partner", lambda r: f"{r.code} (host)" if r.is_host else r.code, tooltip=lambda r: r.name),
        _pence("Contribution\ndue", lambda r: r.due_pence),
        _pence("Paid", lambda r: r.paid_pence),
        _pence("Not yet\ndue", lambda r: r.not_yet_due_pence,
               tooltip=lambda _r: "Nil at the year end: every instalment still unpaid is counted" if final else
               "Instalments not expected yet: taken as paid when they fall due"),
        _pence("Share of\nvariance", lambda r: r.share_pence),
        _pence("Balance", lambda r: r.balance_pence,
               tooltip=lambda _r: f"What the partner owes the pool{when}; negative when the pool owes the partner"),
        Column("Settlement" if final else "Forecast settlement\nat year end", lambda r: r.words, max_width=420),
    ]


@dataclass(frozen=True)
class GridRow:
    """A row of the months grid: a line, or the whole pool (line None) at the foot (of the Lines table too)."""

    line: LinePosition | None
    code: str
    name: str
    figures: LineFigures


BUDGET, ACTUAL = "budget", "actual"

# What a manager can do about an unmapped row in a closed month (DOMAIN.md, period close): unlocking is a recorded act
# with a reason; otherwise the month stays as agreed and only later months' rows can be put on a line.
CLOSED_MONTH_ADVICE = ("To assign a row in a closed month, unlock the month (Unlock…, giving a reason), assign the "
                       "row, then close the month again. To leave the month as agreed instead, give a line the row's "
                       "ledger codes (Lines > Ledger codes…): later months' rows with those codes will land on it.")
NO_LIMIT = (1 << 24) - 1  # Qt's largest widget size (QWIDGETSIZE_MAX): a widget's maximum when none is set
# Words whose letter stays when they are said again with more: "Close &M8…", "Unmapped ro&ws (14)".
CLOSE_MONTH = "Close &month…"
UNMAPPED = "Unmapped ro&ws"
LEDGER_ROWS = "Led&ger rows…"


def _wrap_words(table: DataTable) -> None:
    """Words in `table` wider than their column (the year end's settlement, beside six columns of figures, in a narrow
    window or on paper) wrap onto more lines in a taller row, rather than end in "…"; and the table asks for no more
    height than its rows take, so no gap opens under it."""
    view = table.view
    view.setWordWrap(True)
    view.setStyleSheet("QTableView::item { padding-top: 3px; padding-bottom: 3px; }")  # wrapped lines clear the rules
    rows = view.verticalHeader()
    rows.setMinimumSectionSize(rows.defaultSectionSize())  # a row of one line as tall as in any other table
    rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    # Measured again as soon as a column's width changes: the table fits its height to the rows straight after.
    view.horizontalHeader().sectionResized.connect(lambda *_: view.resizeRowsToContents())
    view.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)


def _plain(words: str) -> str:
    """Words as they read, without the & that marks their Alt+letter."""
    return words.replace("&", "")


class BudgetsPage(Page):
    title = "Budgets"
    export_kind = "Budget monitoring workbook"

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.database: Database | None = None
        self.today = date.today()
        self.position: PoolPosition | None = None
        self.frame: BudgetYear | None = None
        self._chosen_as_at: int | None = None
        self._chosen_year: int | None = None  # None: the year the pool is in (overview.pool_year)
        # Opened from a dashboard tile on the year the pack is of: the page follows that year as it moves on.
        self._follows_pack_year = False

        self.no_pool = QWidget(self)
        empty = QVBoxLayout(self.no_pool)
        message = QLabel(NO_POOL, self.no_pool)
        self.no_pool_message = message
        message.setObjectName("emptyState")
        message.setWordWrap(True)
        message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        message.setMinimumHeight(140)
        empty.addWidget(message)
        self.set_up_button = QPushButton("&Set up a pooled budget…", self.no_pool)
        self.set_up_button.clicked.connect(self.set_up_agreement)
        empty.addWidget(self.set_up_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.repair_button = QPushButton("", self.no_pool)
        self.repair_button.setAccessibleName("Spread the difference over the line's open months")
        self.repair_button.clicked.connect(self.complete_profile)
        self.repair_button.hide()
        empty.addWidget(self.repair_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self._problem: LineFiguresProblem | None = None
        empty.addStretch(1)
        self.body.addWidget(self.no_pool, 1)  # takes the room the figures would, so the heading stays at the top

        self.pool_area = QWidget(self)
        area = QVBoxLayout(self.pool_area)
        area.setContentsMargins(0, 0, 0, 0)
        area.setSpacing(10)
        area.addLayout(self._build_toolbar())
        tiles = QHBoxLayout()
        tiles.setSpacing(12)
        self.contributions_tile = Tile("Contributions", self)
        self.actual_tile = Tile("Actual to date", self)
        # Forecast until the year is final: the tiles' words say which (`_show_summary`), their titles hold for both.
        self.outturn_tile = Tile("Outturn", self)
        self.variance_tile = Tile("Full-year variance", self)
        for tile in (self.contributions_tile, self.actual_tile, self.outturn_tile, self.variance_tile):
            tiles.addWidget(tile)
        self.contributions_tile.clicked.connect(lambda: self.tabs.setCurrentWidget(self.contributions_tab))
        self.actual_tile.clicked.connect(lambda: self.tabs.setCurrentWidget(self.months_tab))
        self.outturn_tile.clicked.connect(lambda: self.tabs.setCurrentWidget(self.lines_tab))
        self.variance_tile.clicked.connect(lambda: self.tabs.setCurrentWidget(self.risk_tab))
        area.addLayout(tiles)
        # On paper the tab bar gives way to the name of the view shown (for_paper); hidden, it takes no room.
        self.printed_view = section_title("", self)
        self.printed_view.hide()
        area.addWidget(self.printed_view)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Budget views")
        self.tabs.tabBar().setAccessibleName("Choose a budget view")
        into_the_table_when_chosen(self.tabs)
        self._build_tabs()
        area.addWidget(self.tabs, 1)
        self.body.addWidget(self.pool_area, 1)
        # Takes the room below the figures on paper only, where the view is as tall as what it shows.
        self.body.addStretch(0)

    # --- building ---------------------------------------------------------------------------------
    def _button(self, text: str, slot: Callable[[], object], layout: QLayout) -> QPushButton:
        button = QPushButton(text, self)
        button.clicked.connect(slot)
        layout.addWidget(button)
        return button

    def _build_toolbar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.year_choice = QComboBox(self)
        self.year_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.year_choice.setAccessibleName("Financial year")
        self.year_choice.view().setAccessibleName("Years of the pooled budget")
        self.year_choice.setToolTip("The financial year shown. The pool moves on to the next year once M12 has "
                                    "closed and the next year has budgets; earlier years stay here to look back "
                                    "on, settle at year end, or unlock.")
        self.year_choice.activated.connect(self._on_year)
        year_label = QLabel("&Year", self)
        year_label.setBuddy(self.year_choice)
        bar.addWidget(year_label)
        bar.addWidget(self.year_choice)
        bar.addSpacing(12)
        label = QLabel("As at", self)
        self.as_at = QComboBox(self)
        self.as_at.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.as_at.setAccessibleName("As at month")
        self.as_at.view().setAccessibleName("Months to show the figures as at")
        self.as_at.setToolTip("The month the figures are as at: actuals to it, forecast after. Months not yet "
                              "closed are provisional.")
        label.setBuddy(self.as_at)
        self.as_at.activated.connect(self._on_as_at)
        bar.addWidget(label)
        bar.addWidget(self.as_at)
        self._choices = (year_label, self.year_choice, label, self.as_at)
        # On paper the drop-downs give way to the words chosen in them (for_paper); hidden, it takes no room.
        self.printed_choices = QLabel("", self)
        self.printed_choices.setObjectName("printedChoices")
        self.printed_choices.setTextFormat(Qt.TextFormat.PlainText)
        self.printed_choices.hide()
        bar.addWidget(self.printed_choices)
        bar.addStretch(1)
        # Alt+letter presses each button and opens each view (F, E, V and H are the menus'): the letters are the
        # page's own, whatever view is shown beside them.
        self.virement_button = self._button("Vireme&nt…", self.virement, bar)
        self.close_button = self._button(CLOSE_MONTH, self.close_month, bar)
        self.unlock_button = self._button("&Unlock…", self.unlock_month, bar)
        return bar

    def _tab(self, name: str, *widgets: QWidget, buttons: tuple[tuple[str, Callable[[], object]], ...] = ()
             ) -> QWidget:
        tab = QWidget(self)
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(4, 10, 4, 8)  # narrow at the sides: the tables' columns need the room
        tab.buttons = []  # in the order shown, for the page to relabel (the year's "Start 2027-28…")
        if buttons:
            # Above what they act on, as on the Supervision page: below a table they were out of sight at
            # 1280 x 800 until the page was scrolled, and Assign to a line… is the Unmapped rows tab's one gesture.
            row = FlowLayout()  # wraps in a narrow window rather than widen the page past it
            for text, slot in buttons:
                tab.buttons.append(self._button(text, slot, row))
            layout.addLayout(row)
        for widget in widgets:
            # A table that scrolls itself takes the tab's height; everything else keeps its own.
            grows = isinstance(widget, DataTable | BudgetCharts) and not getattr(widget, "_fit_rows", False)
            layout.addWidget(widget, 1 if grows else 0)
        layout.addStretch(0 if any(layout.stretch(i) for i in range(layout.count())) else 1)
        self.tabs.addTab(tab, name)
        self.views[_plain(name)] = tab
        return tab

    def _key(self, *, by_month: bool = False) -> QLabel:
        """The key to the variance colours, in words, over a table that shows them (where it is read first)."""
        key = QLabel(variance_key(rich=True, by_month=by_month), self)
        key.setObjectName("pageSubtitle")
        key.setWordWrap(True)
        key.setTextFormat(Qt.TextFormat.RichText)
        key.setAccessibleName("Key to the variance colours")
        return key

    def _build_tabs(self) -> None:
        self.views: dict[str, QWidget] = {}  # each view by its name, for a dashboard tile to open
        self._final = False  # the figures shown are the year's actual outturn (`reconciliation.outturn_is_final`)
        self.lines = DataTable("budget lines", _line_columns(final=False), "This agreement has no budget lines yet: "
                               "add one.", self,
                               stretch_column=1, fit_rows=True, foot=lambda row: isinstance(row, GridRow))
        self.lines.view.doubleClicked.connect(lambda _index: self.show_ledger_rows())
        # The cumulative chart follows the line chosen; a bar clicked on the variance chart chooses its line.
        self.lines.view.selectionModel().currentRowChanged.connect(self._on_line_chosen)
        self.lines_key = self._key()
        self.lines_tab = self._tab("&Lines", self.lines_key, self.lines, buttons=(
            ("&Add line…", self.add_line), ("Change l&ine…", self.change_line), ("Ledger code&s…", self.map_codes),
            ("Re-&profile…", self.reprofile),
            (LEDGER_ROWS, self.show_ledger_rows), ("Start next year…", self.start_next_year)))

        self.measure = QComboBox(self)
        self.measure.addItem("Actual to date, then forecast", ACTUAL)
        self.measure.addItem("Budget profile", BUDGET)
        self.measure.setAccessibleName("Months show")
        self.measure.view().setAccessibleName("What the month columns show")
        self.measure.activated.connect(lambda _i: self._show_months())
        measure_row = QWidget(self)
        row = QHBoxLayout(measure_row)
        row.setContentsMargins(0, 0, 0, 0)
        measure_label = QLabel("Months &show", self)
        measure_label.setBuddy(self.measure)
        row.addWidget(measure_label)
        row.addWidget(self.measure)
        self.months_hint = QLabel("", self)
        self.months_hint.setObjectName("pageSubtitle")
        self.months_hint.setWordWrap(True)
        row.addWidget(self.months_hint, 1)
        # Not searched: a search would hide the whole pool's row at the foot, and the grid shows every line anyway.
        self.months = DataTable("lines", [], "This agreement has no budget lines yet.", self, searchable=False,
                                fit_rows=True, cells=True, foot=lambda row: row.line is None)
        self.months.view.setItemDelegate(MoneyDelegate(self.months.view))
        self.months.model.edited.connect(self._on_month_edited)
        self.months.view.doubleClicked.connect(self._on_month_double_clicked)
        self.months_key = self._key(by_month=True)
        self.months_tab = self._tab("&By month", measure_row, self.months_key, self.months,
                                    buttons=((LEDGER_ROWS, self.show_ledger_rows),))

        self.risk_share = QLabel("", self)
        self.risk_share.setObjectName("riskShare")
        self.risk_share.setWordWrap(True)
        self.risk_share.setTextFormat(Qt.TextFormat.RichText)
        self.risk_share.setAccessibleName("Risk share, step by step")
        self.risk_tab = self._tab("&Risk share", self.risk_share,
                                  buttons=(("&Agreement and rules…", self.change_agreement),))

        self.charts = BudgetCharts(self)
        self.charts.setMinimumHeight(420)
        self.charts.line_activated.connect(self._choose_line)
        self.charts_tab = self._tab("&Charts", self.charts)

        self.unmapped = DataTable("unmapped rows", UNMAPPED_COLUMNS, "Every ledger row is on a budget line.", self,
                                  stretch_column=5, selection=QAbstractItemView.SelectionMode.ExtendedSelection)
        self.unmapped.setMinimumHeight(360)
        self.unmapped_note = QLabel("", self)
        self.unmapped_note.setWordWrap(True)
        self.unmapped_tab = self._tab(UNMAPPED, self.unmapped_note, self.unmapped,
                                      buttons=(("&Assign to a line…", self.assign),))

        self.contributions = DataTable("contributions", CONTRIBUTION_COLUMNS, "No contributions are recorded yet.",
                                       self, searchable=False, stretch_column=1, fit_rows=True)
        self.instalments = DataTable("instalments", INSTALMENT_COLUMNS, "No instalments are expected: add a "
                                     "contribution.", self, stretch_column=2)
        self.instalments.setMinimumHeight(260)
        self.instalments.view.doubleClicked.connect(lambda _index: self.record_payment())
        self.contributions_tab = self._tab("C&ontributions", self.contributions, self.instalments,
                                           buttons=(("&Add contribution…", self.add_contribution),
                                                    ("&Instalment received…", self.record_payment)))

        self.virements = DataTable("virements", VIREMENT_COLUMNS, "No budget has been moved between lines this year.",
                                   self, searchable=False, stretch_column=6, fit_rows=True)
        # The same gesture as the Virement… above, which keeps its own letter: one letter for two buttons in sight
        # would only move between them.
        self.virements_tab = self._tab("Viremen&ts", self.virements, buttons=(("V&irement…", self.virement),))

        self.year_end_summary = QLabel("", self)
        self.year_end_summary.setWordWrap(True)
        self.year_end_summary.setTextFormat(Qt.TextFormat.RichText)
        self.year_end = DataTable("partners", _year_end_columns(final=False), "No partners are recorded.", self,
                                  searchable=False, stretch_column=6, fit_rows=True)
        _wrap_words(self.year_end)
        self.next_year_title = section_title("Next year", self)
        self.next_year_state = QLabel("", self)
        self.next_year_state.setWordWrap(True)
        self.year_end_tab = self._tab("Year en&d", self.year_end_summary, self.year_end, self.next_year_title,
                                      self.next_year_state, buttons=(("Start next year…", self.start_next_year),))
        # The year after the one shown is started from it, on the Year end tab and beside the lines.
        self.start_year_buttons = (self.year_end_tab.buttons[0], self.lines_tab.buttons[-1])

    # --- showing ----------------------------------------------------------------------------------
    def _show_no_pool(self, problem: JointleadError | None) -> None:
        """The page without figures: no pool yet (offer to set one up), or figures that cannot be worked out."""
        self.position = self.frame = None
        self.no_pool.setVisible(True)
        self.pool_area.setVisible(False)
        self.set_up_button.setVisible(problem is None)
        # A line whose months do not add up can be put right here: the difference spread over its open months.
        self._problem = problem if isinstance(problem, LineFiguresProblem) else None
        self.repair_button.setVisible(self._problem is not None)
        if self._problem is not None:
            self.repair_button.setText(f"&Spread the difference over {self._problem.line_code}'s open months")
        self.no_pool_message.setText(NO_POOL if problem is None else
                                     f"The pooled budget's figures cannot be worked out.\n\n{problem.message}\n\n"
                                     f"{problem.advice}".strip())
        self.subtitle.setText("No Section 75 agreement is recorded yet." if problem is None else
                              "The pooled budget's figures cannot be shown until this is put right.")

    def show_data(self, database: Database, today: date) -> None:
        self.database, self.today = database, today
        pools = overview.pools(database, today)
        if not pools:
            self._show_no_pool(None)
            return
        summary = pools[0]
        years = overview.pool_years(database, summary.agreement_id)
        if self._follows_pack_year:
            pack_year = budget_report.workbook_year(database, summary.agreement_id, today)
            self._chosen_year = pack_year.start_year if pack_year else None
        if self._chosen_year in {y.start_year for y in years} - {summary.year.start_year}:
            summary = overview.pools(database, today, FinancialYear(self._chosen_year))[0]
        else:
            self._chosen_year = None
        self._fill_years(years, current=pools[0].year, shown=summary.year)
        self.frame = budget_month.budget_year(database, summary.agreement_id, summary.year)
        frame = self.frame
        self._chosen_as_at = fill_as_at(self.as_at, frame, self._chosen_as_at)
        try:
            # Without contributions yet, every figure but the risk share is still shown, and the risk share says
            # what it waits on.
            position = pool_position(database, summary.agreement_id, year=summary.year, as_at=self._chosen_as_at,
                                     today=today, risk_share_optional=True)
        except JointleadError as problem:
            self._show_no_pool(problem)
            return
        self.no_pool.setVisible(False)
        self.pool_area.setVisible(True)
        self.position = position
        unmapped = budget_report.unmapped_rows(database, position.agreement_id, position.year)
        # As at M12 with every month closed the outturn is the actual one: the page says so, not "forecast".
        final = reconciliation.outturn_is_final(frame.closed, position.as_at.number if position.as_at else 0)
        self._show_summary(position, summary, unmapped, final)
        if final != self._final:  # headed afresh only when it changes: new columns forget the order chosen
            self._final = final
            self.lines.set_columns(_line_columns(final))
        self.lines.set_rows([*position.lines, self._whole_pool(position)] if position.lines else [])
        self._show_months()
        self._show_risk_share(position)
        self.charts.show_position(position, final=final)
        # Those that can be assigned first (by partner and month, as kept): on day 5 they are the ones to act on,
        # and the closed months' rows listed above them hid them below the fold.
        self.unmapped.set_rows(sorted(unmapped, key=lambda row: row.closed))
        self.tabs.setTabText(self.tabs.indexOf(self.unmapped_tab),
                             f"{UNMAPPED} ({len(unmapped)})" if unmapped else UNMAPPED)
        locked = sum(r.closed for r in unmapped)
        self.unmapped_note.setVisible(bool(locked))
        self.unmapped_note.setText(f"Rows in closed months ({locked} here) cannot be assigned: a closed month's "
                                   f"figures were agreed at month end and are locked. {CLOSED_MONTH_ADVICE}")
        self.contributions.set_rows(overview.contributions(database, position.agreement_id,
                                                           position.year.start_year))
        self.instalments.set_rows(budget_setup.instalments(database, position.agreement_id,
                                                           position.year.start_year))
        self.virements.set_rows(budget_report.virement_log(database, position.agreement_id, position.year,
                                                           leaving_out=position.left_out or ()))
        self._show_year_end(database, position.year)
        first_open = frame.first_open
        self.close_button.setText(f"Close &M{first_open}…" if first_open <= MONTHS else CLOSE_MONTH)
        self.close_button.setEnabled(first_open <= MONTHS)
        # Left enabled before the month is over: pressed, it says from when it can be closed.
        last_day = frame.year.period(first_open).last_day if first_open <= MONTHS else None
        self.close_button.setToolTip(f"M{first_open} can be closed from {day_text(last_day + timedelta(days=1))}."
                                     if last_day and self.today <= last_day else "")
        self.unlock_button.setEnabled(bool(frame.closed))

    def _show_summary(self, position: PoolPosition, summary, unmapped: Sequence[budget_report.LedgerRow],
                      final: bool) -> None:
        """The tiles and subtitle as at the month chosen (`final`: the year's actual outturn); `unmapped`: the year's
        unmapped rows, all of which the Unmapped rows tab lists (a later month's can be assigned before it closes)."""
        pool = position.pool
        chosen = position.as_at.number if position.as_at else 0
        if not chosen:
            as_at = f"at the start of {position.year.label}, before any actuals"
        else:
            period = position.year.period(chosen)
            provisional = "" if chosen in self.frame.closed else " (not closed: provisional)"
            as_at = f"as at {period.label} {position.year.label}{provisional}"
        by_profile = [line.code for line in position.lines if line.forecast_method == ForecastMethod.PROFILE]
        besides = f"on {listed(by_profile)}, forecast by their budget profile, and " if by_profile else ""
        outlook = ("the actual outturn for the year, every month closed" if final else
                   f"the forecast runs the year on at the rate so far, except {besides}where a month's forecast is "
                   "set by hand")
        self.subtitle.setText(f"{position.title}, hosted by {position.host_code}. Figures {as_at}; {outlook}."
                              f"{as_it_stood(position)}")
        self.contributions_tile.set_figure(format_pounds(summary.contributions_pence),
                                           f"Pool for {position.year.label}")
        # Those of the months the actual to date adds up, as the pack's checklist counts them; when the tab lists
        # more (of later months), the words say which months these are.
        left_out = [r for r in unmapped if r.period <= chosen]
        of = ("" if len(left_out) == len(unmapped) else " of M1" if chosen == 1 else f" of M1 to M{chosen}")
        unmapped_words = (f"; {len(left_out)} unmapped ledger {'row' if len(left_out) == 1 else 'rows'}{of} "
                          f"({format_pounds(sum(r.amount_pence for r in left_out))}) not included"
                          if left_out else "")
        # The colour is the RAG; the words say it too, with the size and direction.
        self.actual_tile.set_figure(format_pounds(pool.actual_to_date),
                                    f"Budget to date {format_pounds(pool.budget_to_date)} "
                                    f"({over_under(pool.ytd_variance, pool.budget_to_date)}){unmapped_words}",
                                    variance_tone(pool.ytd_variance, pool.budget_to_date))
        year = position.year.label
        self.outturn_tile.set_figure(format_pounds(pool.forecast_outturn),
                                     f"{f'Actual for {year}, M12 closed' if final else f'Forecast for {year}'}; "
                                     f"annual budget {format_pounds(pool.annual_budget_pence)}")
        variance = pool.full_year_variance
        result = position.risk_share
        if result is None:
            shared = "; not shared yet: see Risk share" if variance else ""
        else:
            # Said whenever anything falls anywhere: a pool on budget may still have one partner's fixed-share line
            # over and as much returned to the other.
            # In words, which way each goes, as the dashboard's Risk-share exposure says it (it read "shared NFT
            # £56,242 · NCC -£15,406", the sign left to be read); in whole pounds that add up, as tiles show them.
            shared = "" if nothing_to_share(result) else "; " + "; ".join(
                share_words(result, code, format_pounds(abs(pence)), why=False)
                for code, pence in shares_in_pounds(result).items())
        kind = "Overspend" if variance > 0 else "Underspend" if variance < 0 else "On budget"
        words = (kind, variance_percent(variance, pool.annual_budget_pence),
                 "for the year, M12 closed" if final else "forecast for the year")
        self.variance_tile.set_figure(format_pounds(variance), " ".join(w for w in words if w) + shared,
                                      variance_tone(variance, pool.annual_budget_pence))

    def _show_risk_share(self, position: PoolPosition) -> None:
        if position.risk_share is None:
            headline, how = risk_share_waiting(position.risk_share_problem, position.year.label)
            self.risk_share.setText(f"<p><b>{escape(headline)}.</b></p><p>{escape(how)}</p>")
            return
        steps = "".join(f"<p><b>{escape(step.title)}.</b> {escape(step.explanation)}</p>"
                        for step in position.risk_share.steps)
        # In words, which way each goes and what it is made of, as the pack's cover says it ("NCC -£15,406.22" left
        # the sign to be read); to the penny, as the steps above it are: whole pounds would read as them rounded.
        said = (share_words(position.risk_share, code, format_money(abs(pence)))
                for code, pence in position.risk_share.share_by_partner.items())
        shares = " ".join(escape(f"{words[:1].upper()}{words[1:]}.") for words in said)
        board = (" <b>Part is unallocated: refer to the board.</b>" if position.risk_share.refer_to_board else "")
        # Shared by contributions, a partner with none recorded bears nothing: said, in case it is not yet recorded.
        unrecorded = [code for code in position.risk_share.share_by_partner
                      if not position.contributions_by_partner.get(code)]
        missing = (f"<p>{escape(listed(unrecorded))} {'has' if len(unrecorded) == 1 else 'have'} no contribution "
                   f"recorded for {escape(position.year.label)}: where the rules share by contributions, "
                   f"{'it bears' if len(unrecorded) == 1 else 'they bear'} nothing. Record "
                   f"{'it' if len(unrecorded) == 1 else 'them'} on the Contributions tab (Add contribution…).</p>"
                   if unrecorded else "")
        self.risk_share.setText(f"{steps}<p><b>Each partner's share.</b> {shares}{board}</p>{missing}")

    def _show_year_end(self, database: Database, year: FinancialYear) -> None:
        self._show_next_year(database, year)
        try:
            result = reconciliation.year_end_reconciliation(database, self.position.agreement_id, year,
                                                            today=self.today)
        except ValidationError as waiting:  # the settlement is each partner's share of the variance: it waits too
            headline, how = risk_share_waiting(waiting, year.label)
            self.year_end_summary.setText(f"<p><b>Who pays whom at the year end waits on the risk share. "
                                          f"{escape(headline)}.</b></p><p>{escape(how)}</p>")
            self.year_end.setVisible(False)
            return
        self.year_end.setVisible(True)
        notes = []
        partners = result.reconciliation.partners
        not_due = [(p.code, p.not_yet_due_pence) for p in partners if p.not_yet_due_pence]
        if not_due:
            notes.append("Instalments not yet due (" + ", ".join(
                f"{escape(code)} {escape(format_money(pence))}" for code, pence in not_due)
                + ") are taken as paid when they fall due, so they are left out of the balances.")
        overdue = [(p.code, p.overdue_pence) for p in partners if p.overdue_pence > 0]
        if overdue and not result.final:
            notes.append("<b>Overdue now:</b> " + ", ".join(
                f"{escape(code)} {escape(format_money(pence))}" for code, pence in overdue)
                + ", expected by today and not received. Each stays in its partner's balance until it is paid.")
        if result.reconciliation.unallocated_pence:
            notes.append(f"{escape(format_money(result.reconciliation.unallocated_pence))} is unallocated: refer to "
                         "the board.")
        if result.reconciliation.carried_forward_pence:
            notes.append(escape(self._carried_forward_words(database, year, result.reconciliation
                                                            .carried_forward_pence, result.final)))
        self.year_end_summary.setText(f"<p>{escape(result.status)}</p><p><b>{escape(result.settlement_words)}"
                                      "</b></p>" + "".join(f"<p>{note}</p>" for note in notes))
        self.year_end.set_columns(_year_end_columns(result.final))
        self.year_end.set_rows(result.reconciliation.partners)

    def _carried_forward_words(self, database: Database, year: FinancialYear, retained: int, final: bool) -> str:
        """Where the underspend `year` retains in the pool is: in next year's funding, or to be, and how."""
        following = FinancialYear(year.start_year + 1).label
        held = budget_setup.underspend_carried(database, self.position.agreement_id, year)
        amount, start = format_money(retained), f"Start {following}… below"
        if not final:
            return (f"On this forecast, {amount} would be retained in the pool: closing M12 carries what it retains "
                    f"then into {following}'s funding" + (f", once {following} is started ({start})."
                                                          if held is None else "."))
        if held is None:
            return (f"{amount} is retained in the pool, carried forward into {following}'s funding when "
                    f"{following} is started ({start}).")
        carried = sum(pence for _code, pence in held)
        if carried == retained:
            return f"{amount} is retained in the pool, carried forward into {following}'s funding."
        if not carried:
            return (f"{amount} is retained in the pool but is not yet in {following}'s funding: start {following} "
                    f"again ({start}) to carry it forward.")
        return (f"{amount} is retained in the pool, but {following}'s funding holds {format_money(carried)} of it as "
                f"carried forward: unlock M12 and close it again, which sets it to {amount}.")

    def _show_next_year(self, database: Database, year: FinancialYear) -> None:
        following = FinancialYear(year.start_year + 1)
        for button in self.start_year_buttons:
            button.setText(f"Start &{following.label}…")  # Alt+2, on the Lines and Year end views alike
            button.setToolTip(f"Carry {year.label}'s budgets (without its non-recurrent virements) and recurrent "
                              f"contributions into {following.label}, after a preview")
        self.next_year_title.setText(f"Next year: {following.label}")
        totals = budget_setup.year_totals(database, self.position.agreement_id, following.start_year)
        if not totals.lines and not totals.contributions_pence:
            self.next_year_state.setText(f"{following.label} is not started yet. Start it from {year.label} to "
                                         "carry each line's recurrent budget and the recurrent contributions into it.")
        else:
            self.next_year_state.setText(
                f"{following.label} is started: {totals.lines} budget line{'s' if totals.lines != 1 else ''} "
                f"totalling {format_pounds(totals.lines_pence)}, and contributions of "
                f"{format_pounds(totals.contributions_pence)}.")

    # --- the months grid --------------------------------------------------------------------------
    def _month_columns(self) -> list[Column]:
        frame, position = self.frame, self.position
        as_at = position.as_at.number if position.as_at else 0
        budget = self.measure.currentData() == BUDGET
        columns = [Column("Code", lambda r: r.code), Column("Budget line", lambda r: r.name, max_width=200)]
        for number in range(1, MONTHS + 1):
            closed = number in frame.closed
            period = frame.year.period(number)
            forecast = not budget and number > as_at
            header = f"{month_words(number)}\n" + (
                "closed" if closed else "forecast" if forecast else "open")

            def pence(row: GridRow, m: int = number - 1, forecast: bool = forecast) -> int:
                if budget:
                    return row.figures.budget_profile[m]
                return row.figures.outturn_by_month[m]

            def editable(row: GridRow, closed: bool = closed or position.as_it_stood) -> bool:
                return row.line is not None and not closed

            tip = ("Closed: agreed at month end and locked" if closed else
                   "Budget for the month (type to change)" if budget else
                   "Actual from the ledgers (type to enter an adjustment); double-click for the ledger rows")

            def tooltip(row: GridRow, tip: str = tip, forecast: bool = forecast and not closed) -> str:
                if not forecast:
                    return tip
                if row.line is None:
                    return "Forecast: each line's, added up"
                return f"Forecast: {FORECAST_WORDS[row.line.forecast_method]}, or set by hand (type to set)"

            # Hidden by the user as "M8", whether it shows open, closed or forecast.
            columns.append(Column(header, lambda r, f=pence: format_pounds(f(r)), sort_key=pence, align=RIGHT,
                                  tone=lambda _r, c=closed, f=forecast: "rag:grey" if c else "info" if f else None,
                                  tooltip=tooltip, editable=editable, key=period.label,
                                  edit_text=lambda r, f=pence: plain_pounds(f(r))))
        columns += [
            _money("Actual\nto date", lambda r: r.figures.actual_to_date),
            _money("Actual\noutturn" if self._final else "Forecast\noutturn", lambda r: r.figures.forecast_outturn,
                   key="Forecast\noutturn"),
            _money("Variance", lambda r: r.figures.full_year_variance),
            Column("RAG", lambda r: r.figures.full_year_rag().value.capitalize(),
                   tone=lambda r: RAG_FILL_TONES.get(r.figures.full_year_rag())),
        ]
        return columns

    @staticmethod
    def _whole_pool(position: PoolPosition) -> GridRow:
        """The row under the lines that totals them (kept at the foot of the Lines and By month tables)."""
        return GridRow(None, "", "Whole pool", position.pool)

    def _show_months(self) -> None:
        position = self.position
        if position is None:
            return
        rows = [GridRow(line, line.code, line.name, line.figures) for line in position.lines]
        if rows:
            rows.append(self._whole_pool(position))
        self.months.set_columns(self._month_columns())
        self.months.set_rows(rows)
        budget = self.measure.currentData() == BUDGET
        if position.as_it_stood:
            last = self.frame.open_from - 1
            self.months_hint.setText(f"The months as they stood when {position.as_at.label} closed, to look back on: "
                                     f"to change an open month, show the figures as at {month_words(last)}, the "
                                     "last month closed.")
            return
        self.months_hint.setText("Type over an open month's budget to change it; the annual budget moves with it."
                                 if budget else "Type over an open month to enter an adjustment or set its "
                                 "forecast by hand. Closed months are grey and locked.")

    def _on_month_edited(self, row: GridRow, column: int, text: str) -> None:
        number = column - 1  # the code and name columns come first: column 2 is M1
        pence = pence_from_text(text)
        line, year = row.line, self.frame.year.start_year
        as_at = self.position.as_at.number if self.position.as_at else 0
        # The month as the grid showed it: if someone else has changed it since, the change is refused.
        seen = line.month_versions[number - 1] if line.month_versions else None
        if self.measure.currentData() == BUDGET:
            self.editor.run(lambda db: budget_month.set_month_budget(db, line.id, year, number, pence,
                                                                     seen_version=seen),
                            "The budget was not changed")
        elif number > as_at:
            comment, ok = QInputDialog.getText(self, f"Forecast for {line.code} M{number}",
                                               f"Why is M{number}'s forecast {format_exact(pence)}?")
            if ok:
                self.editor.run(lambda db: budget_month.set_forecast(db, line.id, year, number, pence, comment,
                                                                     seen_version=seen),
                                "The forecast was not set")
        else:
            reason, ok = QInputDialog.getText(self, f"Actual for {line.code} M{number}",
                                              f"An adjusting posting brings M{number} to {format_exact(pence)}. "
                                              "Why?")
            if ok:
                self.editor.run(lambda db: budget_month.adjust_actual(db, line.id, year, number, pence, reason),
                                "The actual was not changed")

    def _on_month_double_clicked(self, index) -> None:
        if not index.flags() & Qt.ItemFlag.ItemIsEditable:
            self.show_ledger_rows()

    def _on_line_chosen(self, current, _previous) -> None:
        if self.position is not None and current.isValid():
            row = self.lines.model.row_at(current.row())
            self.charts.show_line(None if isinstance(row, GridRow) else row.id)  # the whole pool's row: the pool

    def _choose_line(self, line_id: int) -> None:
        for row in range(self.lines.model.rowCount()):
            if getattr(self.lines.model.row_at(row), "id", None) == line_id:
                self.lines.view.selectRow(row)

    def complete_profile(self) -> None:
        problem = self._problem
        if problem is not None:
            self.editor.run(lambda database: budget_month.complete_profile(database, problem.line_id, problem.year),
                            f"Line {problem.line_code}'s months were not changed")

    def _fill_years(self, years: tuple[FinancialYear, ...], *, current: FinancialYear, shown: FinancialYear) -> None:
        self.year_choice.clear()
        for year in sorted({*years, current}, key=lambda y: y.start_year):
            self.year_choice.addItem(f"{year.label} (current)" if year == current else year.label, year.start_year)
        self.year_choice.setCurrentIndex(self.year_choice.findData(shown.start_year))
        self.year_choice.setEnabled(self.year_choice.count() > 1)

    def show_as_at(self, year: int, as_at: int) -> None:
        """Show the figures of `year` (its start year) as at month `as_at` from the next time they are read, on the
        view shown: after a ledger extract for a month still open is imported, that month is the one to check."""
        self._chosen_year, self._follows_pack_year, self._chosen_as_at = year, False, as_at

    def show_filtered(self, *, year: int | None = None, as_at: int | None = None, view: str = "Lines",
                      pack_year: bool = False) -> None:
        """What a dashboard tile opens: the figures of its year (its start year; None: the current year; with
        `pack_year`, the year the pack is of, followed as it moves on) as at its month, on the view it names."""
        self._chosen_year, self._follows_pack_year = year, pack_year
        self._chosen_as_at = as_at
        if self.database is not None:
            self.show_data(self.database, self.today)
        self.tabs.setCurrentWidget(self.views[view])

    # --- on paper ---------------------------------------------------------------------------------
    @property
    def table(self) -> DataTable | None:
        """The table the view shown is (printed whole, and searched by Ctrl+F), or None for a view that is more than
        a table: the risk share in words, the charts, contributions with their instalments (see `printed_parts`),
        the year end."""
        if not self.pool_area.isVisibleTo(self):
            return None
        return {self.lines_tab: self.lines, self.months_tab: self.months, self.unmapped_tab: self.unmapped,
                self.virements_tab: self.virements}.get(self.tabs.currentWidget())

    def printed_parts(self) -> list[tuple[str, DataTable]]:
        """The Contributions view on paper (see ui/printing.py): what each partner contributes, then every instalment
        it is paid in, each table whole under its name. Either alone is half the picture: the contributions say
        what is owed, the instalments what has been paid and when the rest is due."""
        if not self.pool_area.isVisibleTo(self) or self.tabs.currentWidget() is not self.contributions_tab:
            return []
        return [("Contributions", self.contributions), ("Instalments", self.instalments)]

    def filters_in_words(self, table: DataTable) -> str:
        """What the By month grid's months show, for its printout ("Months show: Budget profile"): the same
        columns hold the actuals and forecast, or the budget. (The year and month chosen are in the page's
        subtitle.)"""
        return f"Months show: {self.measure.currentText()}" if table is self.months else ""

    def choices_words(self) -> str:
        """The year and month the figures are for, in words for paper: "Year 2026-27 (current) · As at M7 Oct
        (closed)"."""
        year, as_at = self.year_choice.currentText(), self.as_at.currentText()
        return " · ".join(words for words in (year and f"Year {year}", as_at and f"As at {as_at}") if words)

    @contextmanager
    def for_paper(self) -> Iterator[None]:
        """The page as a printout shows it (printing.on_paper) for as long as the `with` lasts: the year and month as
        words rather than drop-downs, no buttons, the view's name rather than the tab bar (the charts' own tabs too:
        "Charts: Variance by line"), and the view only as tall as what it shows (a stretched view printed an empty
        frame onto a second sheet). The screen is as it was afterwards.

        (A tab bar drawn into the printout's picture also paints its chosen tab a second time, a tab's height lower,
        where nothing clips it as the screen does: over the start of the chart's title.)"""
        view = self.tabs.currentWidget()
        chrome = self.tabs.height() - view.height() - self.tabs.tabBar().height()  # the frame round the view
        hidden = [(widget, widget.isHidden()) for widget in (
            *self._choices, self.printed_choices, self.printed_view, self.tabs.tabBar(), self.charts.tabs.tabBar(),
            self.virement_button, self.close_button, self.unlock_button, *view.buttons)]
        self.printed_choices.setText(self.choices_words())
        name = _plain(self.tabs.tabText(self.tabs.currentIndex()))
        self.printed_view.setText(f"{name}: {self.charts.chart_name()}" if view is self.charts_tab else name)
        # A view printed as its table leaves its key behind: the key goes under the page's heading instead.
        subtitle = self.subtitle.text()
        if view in (self.lines_tab, self.months_tab):
            self.subtitle.setText(f"{subtitle} {variance_key(rich=False, by_month=view is self.months_tab)}")
        for widget, _was_hidden in hidden:
            widget.setVisible(widget in (self.printed_choices, self.printed_view))
        # A view of words (the risk share) is as tall as they are at its width, not at the width Qt would guess. The
        # charts, which take whatever room they are given, are as short as they read well: at their on-screen size
        # on a sheet of paper, their heading and the chart then fit on one sheet, with the tiles too where they can.
        if view is self.charts_tab:
            height = view.minimumSizeHint().height()
        else:
            height = view.heightForWidth(view.width()) if view.hasHeightForWidth() else view.sizeHint().height()
        self.tabs.setMaximumHeight(max(height, view.minimumSizeHint().height()) + chrome)
        self.body.setStretchFactor(self.pool_area, 0)
        self.body.setStretch(self.body.count() - 1, 1)
        try:
            yield
        finally:
            self.subtitle.setText(subtitle)
            self.body.setStretch(self.body.count() - 1, 0)
            self.body.setStretchFactor(self.pool_area, 1)
            self.tabs.setMaximumHeight(NO_LIMIT)
            for widget, was_hidden in hidden:
                widget.setHidden(was_hidden)

    # --- gestures ---------------------------------------------------------------------------------
    def _on_year(self, _index: int) -> None:
        self._chosen_year, self._follows_pack_year = self.year_choice.currentData(), False
        self._chosen_as_at = None  # the year's own last closed month
        if self.database is not None:
            self.show_data(self.database, self.today)

    def _on_as_at(self, _index: int) -> None:
        self._chosen_as_at = month_chosen(self.as_at, self.frame)
        if self.database is not None:
            self.show_data(self.database, self.today)

    def _selected_line(self, title: str) -> LinePosition | None:
        """The budget line chosen on the tab shown (Lines, or By month); with none, says to choose one first."""
        table = self.months if self.tabs.currentWidget() is self.months_tab else self.lines
        row = table.current_row()
        line = row.line if isinstance(row, GridRow) else row  # the whole pool's row, at the foot, is no line
        if line is None:
            table.ask_to_choose(title, "Choose a budget line first: select its row in the list of lines.")
        return line

    def _open(self, dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def set_up_agreement(self) -> None:
        self._open(budget_dialogs.AgreementDialog(self.editor, self, self.today))

    def change_agreement(self) -> None:
        current = budget_setup.agreement_terms(self.database, self.frame.agreement_id)
        self._open(budget_dialogs.AgreementDialog(self.editor, self, self.today, current))

    def record_payment(self) -> None:
        instalment = self.instalments.current_row()
        if instalment is None:
            self.instalments.ask_to_choose("Instalment received", "Choose the instalment first: select its row in "
                                           "the list of instalments.")
            return
        self._open(budget_dialogs.PaymentDialog(self.editor, self, instalment, self.today))

    def add_line(self) -> None:
        self._open(budget_dialogs.LineDialog(self.editor, self, self.frame))

    def add_contribution(self) -> None:
        self._open(budget_dialogs.ContributionDialog(self.editor, self, self.frame))

    def change_line(self) -> None:
        line = self._selected_line("Change line")
        if line is None:
            return
        self._open(budget_dialogs.LineDialog(self.editor, self, self.frame, line))

    def map_codes(self) -> None:
        line = self._selected_line("Ledger codes")
        if line is None:
            return
        database = self.database
        self._open(budget_dialogs.MappingDialog(self.editor, self, self.frame, line,
                                                lambda: budget_setup.ledger_mappings(database, line.id)))

    def start_next_year(self) -> None:
        frame = self.frame
        try:
            plan = budget_setup.roll_forward_preview(self.database, frame.agreement_id, frame.year.start_year)
        except JointleadError as problem:
            show_problem(self, problem, f"{FinancialYear(frame.year.start_year + 1).label} was not started")
            return
        self._open(budget_dialogs.RollForwardDialog(self.editor, self, plan))

    def reprofile(self) -> None:
        line = self._selected_line("Re-profile")
        if line is None:
            return
        year = self.frame.year.start_year
        if self.frame.open_from > MONTHS:  # nothing to spread over: the service says so, in its words
            self.editor.run(lambda db: budget_month.reprofile_line(db, line.id, year, budget_month.PROFILES[0]),
                            "The line was not re-profiled")
            return
        choices = [p.capitalize() for p in budget_month.PROFILES]
        first = f"M{self.frame.open_from}"  # what the service spreads over: the open months after the last closed
        chosen, ok = QInputDialog.getItem(self, f"Re-profile {line.code}",
                                          f"Spread what is left of {line.code}'s budget over {first} to M12:",
                                          choices, 0, False)
        if ok:
            profile = budget_month.PROFILES[choices.index(chosen)]
            self.editor.run(lambda db: budget_month.reprofile_line(db, line.id, year, profile),
                            "The line was not re-profiled")

    def virement(self) -> None:
        if len(self.position.lines) < 2:
            return
        if self.frame.open_from > MONTHS:  # said now, not once the form is filled in ("M13 to M12")
            show_problem(self, budget_month.every_month_closed(self.frame.year.start_year, "no budget can move"),
                         "Virement")
            return
        self._open(budget_dialogs.VirementDialog(self.editor, self, self.frame, self.position.lines, self.today))

    def close_month(self) -> None:
        frame = self.frame
        period = frame.year.period(frame.first_open)
        try:  # said before the checklist is gone through, not after
            check_month_over(period, self.today)
        except ValidationError as not_over:
            show_problem(self, not_over, f"Close {period.label}")
            return
        checklist = [*budget_report.budget_checklist(self.database, frame.agreement_id, frame.year,
                                                     frame.first_open, closing=True),
                     *self._unmapped_in(period.number)]
        missing = budget_report.ledgers_not_loaded(self.database, frame.agreement_id, frame.year, frame.first_open)
        if period.number == MONTHS:
            # Closing M12 moves the pool on to next year (once started), but the manager wants the settlement of the
            # year just closed next: it stays on screen, chosen. Not closed after all, it is the pool's year still,
            # and the page follows the pool's year again (show_data forgets a choice of the current year).
            self._chosen_year, self._follows_pack_year = frame.year.start_year, False
        self._open(budget_dialogs.CloseDialog(self.editor, self, frame, checklist, missing, self.today))

    def _unmapped_in(self, number: int) -> list[budget_report.ChecklistItem]:
        """The unmapped rows in the month about to close, which can be assigned now and not once it is closed."""
        rows = [r for r in budget_report.unmapped_rows(self.database, self.frame.agreement_id, self.frame.year)
                if r.period == number]
        if not rows:
            return []
        one = len(rows) == 1
        return [budget_report.ChecklistItem(False, (
            f"{len(rows)} of those rows ({format_money(sum(r.amount_pence for r in rows))} net) "
            f"{'is' if one else 'are'} in M{number}: assign {'it' if one else 'them'} first on the Unmapped rows "
            f"tab, as closing M{number} locks {'it' if one else 'them'} unassigned until it is unlocked."))]

    def unlock_month(self) -> None:
        self._open(budget_dialogs.UnlockDialog(self.editor, self, self.frame, self.today))

    def assign(self) -> None:
        chosen = self.unmapped.selected_rows()
        self.unmapped.view.setFocus()
        if not chosen:
            QMessageBox.information(self, "Assign to a line", "Choose the ledger rows to assign first: select them "
                                    "in the list (Ctrl+click or Shift+click to choose several).")
            return
        # Only rows in open months can be assigned (the service refuses the rest): those in closed months are left.
        rows = [r for r in chosen if not r.closed]
        left = len(chosen) - len(rows)
        leaving = ""
        if left:
            months = {r.period for r in chosen if r.closed}
            closed = f"{months_in_words(months)}, which {'is' if len(months) == 1 else 'are'} closed"
            if not rows:
                QMessageBox.information(self, "Assign to a line", (
                    f"The {'row' if left == 1 else 'rows'} chosen {'is' if left == 1 else 'are'} in {closed}, so "
                    f"{'it' if left == 1 else 'they'} cannot be assigned: a closed month's figures were agreed at "
                    f"month end and are locked.\n\n{CLOSED_MONTH_ADVICE}"))
                return
            leaving = (f"{left} of the rows chosen {'is' if left == 1 else 'are'} left unassigned: "
                       f"{'it is' if left == 1 else 'they are'} in {closed} and locked.")
        suggestion = budget_report.suggested_line(self.database, self.frame.agreement_id, rows)
        self._open(budget_dialogs.AssignDialog(self.editor, self, self.position.lines, rows, suggestion, leaving))

    def show_ledger_rows(self) -> None:
        from jointlead.ui.ledger_rows_dialog import LedgerRowsDialog

        if self.database is None:
            return
        line = self._selected_line("Ledger rows")
        if line is None:
            return
        column = self.months.view.currentIndex().column()
        on_a_month = self.tabs.currentWidget() is self.months_tab and 2 <= column <= MONTHS + 1
        period = column - 1 if on_a_month else None  # otherwise every month to date
        self._open(LedgerRowsDialog(self.database, self.position, line, period, self))
