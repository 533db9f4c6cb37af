"""Dashboard: the as-at picture a board sees, for the service or one parent organisation; each tile opens the page
behind it, already filtered to what the tile counts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QWidget

from jointlead.domain.calendar import FinancialYear
from jointlead.domain.findings import Area, Severity
from jointlead.domain.money import format_pounds
from jointlead.domain.risk_share import share_words
from jointlead.ui.budget_words import (
    fill_as_at,
    month_chosen,
    nothing_to_share,
    risk_share_waiting,
    shares_in_pounds,
    variance_percent,
    variance_tone,
)
from jointlead.ui.page import Page, day_text
from jointlead.ui.table_model import RIGHT, Column
from jointlead.ui.widgets import DataTable, FlowLayout, Tile, checklist_html, choose_data, labelled, section_title

if TYPE_CHECKING:
    from jointlead.services.budget_month import BudgetYear
    from jointlead.services.files import Database
    from jointlead.services.picture import Picture

ORGANISATION_COLUMNS = [
    Column("Code", lambda r: r.code),
    Column("Organisation", lambda r: r.name),
    Column("Kind", lambda r: r.kind),
    Column("Team members employed", lambda r: str(r.staff), sort_key=lambda r: r.staff, align=RIGHT),
]


@dataclass(frozen=True)
class TileTarget:
    """Where a tile leads: the page's title, its view (tab), and how else the page narrows to what the tile
    counts (keywords of the page's `show_filtered`)."""

    page: str
    view: str = ""
    options: tuple[tuple[str, object], ...] = ()


# Each tile's title with its Alt+letter (clear of the menus' F, E, V and H, and of Year, As at and For); `tiles` and
# `targets` know them by their words alone.
SECTIONS: tuple[tuple[str, tuple[tuple[str, TileTarget], ...]], ...] = (
    ("Pooled budget", (
        ("Forecast o&utturn", TileTarget("Budgets", "Lines")),
        ("Variance to &date", TileTarget("Budgets", "By month")),
        ("Risk-share e&xposure", TileTarget("Budgets", "Risk share")),
    )),
    ("People and supervision", (
        ("&Staff", TileTarget("People & lines", "People", (("team_members", True),))),
        ("Supervision &compliance", TileTarget("Supervision", "Everyone")),
        ("Supervision &needing action", TileTarget("Supervision", "Needs action")),
        ("Data-&quality findings", TileTarget("People & lines", "Findings")),
    )),
    ("Delivery actions", (
        ("O&pen actions", TileTarget("Actions")),
        ("Overdue ac&tions", TileTarget("Actions", options=(("overdue", True),))),
        ("Due &in the next 14 days", TileTarget("Actions", options=(("due_soon", True),))),
    )),
)
FINDING_TARGETS = {
    Area.PEOPLE: TileTarget("People & lines", "Findings"),
    Area.BUDGET_LINES: TileTarget("Budgets", "Lines"),
    Area.LEDGER: TileTarget("Budgets", "Unmapped rows"),
    Area.ACTIONS: TileTarget("Actions"),
}
COLUMNS = max(len(tiles) for _section, tiles in SECTIONS)
HINT = "Select a tile to open the page behind it."  # said on screen only: a tile on paper opens nothing


class OrganisationLine(NamedTuple):
    """A row of the organisations table as a view state keeps it (the columns read only these)."""

    code: str
    name: str
    kind: str
    staff: int


def _items(combo: QComboBox) -> list[list[Any]]:
    """A drop-down's entries, each [text, data], as JSON keeps them."""
    return [[combo.itemText(index), combo.itemData(index)] for index in range(combo.count())]


def _fill(combo: QComboBox, items: list[list[Any]], current: int) -> None:
    combo.clear()
    for text, data in items:
        combo.addItem(text, data)
    combo.setCurrentIndex(current)


class DashboardPage(Page):
    title = "Dashboard"
    export_kind = "Monthly pack"
    open_filtered = Signal(str, object)  # a page's title, and the filters it opens with (a dict)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.database: Database | None = None
        self.today = date.today()
        self.picture: Picture | None = None
        self._chosen_year: int | None = None  # None: the last closed month's year, as the pack's (workbook_year)
        self._default_year: int | None = None  # that year, as last shown
        self._chosen_as_at: int | None = None  # None: the last closed month, whichever that is
        self._frame: BudgetYear | None = None  # the pool's year the as-at months are offered from

        bar = FlowLayout()
        self.year = QComboBox(self)
        self.year.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.year.setAccessibleName("Budget year")
        self.year.view().setAccessibleName("Financial years the budget can be shown for")
        self.year.setToolTip("The financial year of the budget figures: the year of the last closed month, as the "
                             "pack's. After year end it stays on the year just ended until the new year's first "
                             "month closes.")
        self.year.activated.connect(self._on_year)
        self.as_at = QComboBox(self)
        self.as_at.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.as_at.setAccessibleName("Budget as at month")
        self.as_at.setPlaceholderText("No pooled budget")
        self.as_at.view().setAccessibleName("Months the budget can be as at")
        self.as_at.setToolTip("The month the budget figures are as at. People, supervision and actions are as on "
                              "today.")
        self.as_at.activated.connect(self._on_as_at)
        self.organisation = QComboBox(self)
        self.organisation.setAccessibleName("Show the dashboard for")
        self.organisation.view().setAccessibleName("The whole service or one organisation")
        self.organisation.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.organisation.activated.connect(lambda _index: self._reload())
        self._choices = [labelled(text, combo, self)  # Alt+F is the File menu
                         for text, combo in (("&Year", self.year), ("&As at", self.as_at),
                                             ("F&or", self.organisation))]
        for pair in self._choices:
            bar.addWidget(pair)
        # On paper the drop-downs give way to the words chosen in them (for_paper); hidden, it takes no room.
        self.printed_choices = QLabel("", self)
        self.printed_choices.setObjectName("printedChoices")
        self.printed_choices.setTextFormat(Qt.TextFormat.PlainText)
        self.printed_choices.hide()
        bar.addWidget(self.printed_choices)
        self.body.addLayout(bar)

        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(10)
        self.tiles: dict[str, Tile] = {}
        self.targets: dict[str, TileTarget] = {}
        row = 0
        for section, tiles in SECTIONS:
            grid.addWidget(section_title(section, self), row, 0, 1, COLUMNS)
            for column, (keyed, target) in enumerate(tiles):
                tile, title = Tile(keyed, self), keyed.replace("&", "")
                tile.clicked.connect(lambda _checked=False, title=title: self.open_tile(title))
                grid.addWidget(tile, row + 1, column)
                self.tiles[title] = tile
                self.targets[title] = target
            row += 2
        for column in range(COLUMNS):
            grid.setColumnStretch(column, 1)
        self.body.addLayout(grid)

        self.checklist_title = section_title("Ready for the pack?", self)
        self.body.addWidget(self.checklist_title)
        self.checklist = QLabel("", self)
        self.checklist.setObjectName("checklist")
        self.checklist.setTextFormat(Qt.TextFormat.RichText)
        self.checklist.setWordWrap(True)
        self.checklist.setAccessibleName("What the monthly pack's cover will say is incomplete")
        self.body.addWidget(self.checklist)

        self.organisations_title = section_title("Parent organisations", self)
        self.body.addWidget(self.organisations_title)
        self.organisations = DataTable("organisations", ORGANISATION_COLUMNS,
                                       "No organisations are recorded yet. The parent organisations (for example an "
                                       "NHS trust and a county council) appear here.", self, searchable=False,
                                       stretch_column=1, fit_rows=True)
        # Enter, or a double-click: Qt reports a double-click as activating the row too, so that alone is heard.
        self.organisations.view.activated.connect(self._on_organisation_row)
        self.organisations.setToolTip("Open a row to see the dashboard for that organisation.")
        self.body.addWidget(self.organisations)
        self.body.addStretch(1)
        self._blank = self.view_state()

    # --- choosing ---------------------------------------------------------------------------------
    @property
    def organisation_code(self) -> str | None:
        return self.organisation.currentData()

    def show_for(self, organisation: str | None, as_at: int | None = None) -> None:
        """Show the picture for one organisation (its code) or the service (None), as at a budget month."""
        choose_data(self.organisation, organisation)
        if as_at is not None:
            self._chosen_as_at = as_at
        if self.database is not None:
            self.show_data(self.database, self.today)

    def _on_year(self, _index: int) -> None:
        chosen = self.year.currentData()
        # The year the pack is of stays unchosen, so the page moves on with it when the new year's first month closes.
        self._chosen_year = None if chosen == self._default_year else chosen
        self._chosen_as_at = None  # the year's own last closed month
        if self.database is not None:
            self.show_data(self.database, self.today)

    def _on_as_at(self, _index: int) -> None:
        self._chosen_as_at = (month_chosen(self.as_at, self._frame) if self._frame is not None
                              else self.as_at.currentData())
        self._reload()

    def _on_organisation_row(self, index) -> None:
        self.show_for(self.organisations.model.row_at(index.row()).code)
        # The list opened from is hidden for one organisation: the keys go on from where the service is chosen back.
        self.organisation.setFocus(Qt.FocusReason.OtherFocusReason)

    def open_tile(self, title: str) -> None:
        """Open the page behind a tile, narrowed to what the tile counts: this organisation, this month."""
        target = self.targets[title]
        code = self.organisation_code
        areas = list(self.picture.findings_by_area) if self.picture else []
        if title == "Data-quality findings" and areas:  # where most of the findings are put right
            target = FINDING_TARGETS[areas[0]]
        # The budget is the pool's, whoever looks: its pages narrow by year and month; the others by organisation.
        filters: dict[str, object] = {
            "year": self._chosen_year, "pack_year": self._chosen_year is None, "as_at": self._chosen_as_at,
        } if target.page == "Budgets" else {"organisation": code}
        if target.view:
            filters["view"] = target.view
        filters.update(target.options)
        self.open_filtered.emit(target.page, filters)

    # --- showing ----------------------------------------------------------------------------------
    def show_data(self, database: Database, today: date) -> None:
        if database is not self.database:  # another file: its months and organisations may differ
            self._forget_choices()
        self.database, self.today = database, today
        # The services (and SQLAlchemy under them) load with the first figures, not with the page, which can paint
        # a snapshot (`show_view_state`) before they have loaded.
        from jointlead.services import budget_month, budget_report

        default = budget_report.workbook_year(database, today=today)
        self._default_year = default.start_year if default else None
        periods = None if default is None else budget_report.report_periods(
            database, today, FinancialYear(self._chosen_year) if self._chosen_year else default)
        if periods is not None and self._chosen_year and periods.year not in periods.years:  # no longer recorded
            self._chosen_year = self._chosen_as_at = None
            periods = budget_report.report_periods(database, today, default)
        self.year.clear()
        if periods is not None:
            for each in sorted({*periods.years, periods.year}, key=lambda year: year.start_year):
                self.year.addItem(each.label, each.start_year)
            self.year.setCurrentIndex(self.year.findData(periods.year.start_year))
        self._year_choice_shown()
        self.as_at.clear()
        self._frame = None if periods is None else budget_month.budget_year(database, periods.agreement_id,
                                                                            periods.year)
        if self._frame is not None:
            self._chosen_as_at = fill_as_at(self.as_at, self._frame, self._chosen_as_at)
        self.as_at.setEnabled(periods is not None)
        self._reload()

    def _year_choice_shown(self) -> None:
        """The Year drop-down offers a choice only with two years or more, and is not there at all with none (no
        pooled budget, which the As at drop-down says); on paper (`for_paper`) the words stand for it."""
        self.year.setEnabled(self.year.count() > 1)
        self._choices[0].setHidden(self.year.count() == 0 or not self.printed_choices.isHidden())

    def show_start(self, database: Database, today: date) -> None:
        """The view the page opens with on a database: the whole service, the budget as at the last closed month."""
        self._forget_choices()
        self.show_data(database, today)

    def _forget_choices(self) -> None:
        self._chosen_year, self._chosen_as_at, self._frame = None, None, None
        self.organisation.clear()

    def _reload(self) -> None:
        if self.database is None:
            return
        from jointlead.services.picture import as_at_picture, count

        picture = as_at_picture(self.database, self.today, organisation=self.organisation_code,
                                year=self._frame.year if self._frame else None,
                                as_at=self._chosen_as_at if self.as_at.count() else None, trend_months=1,
                                risk_share_optional=True)
        self.picture = picture
        self.organisation.clear()
        self.organisation.addItem("Whole service", None)
        for row in picture.organisations:
            self.organisation.addItem(f"{row.name} ({row.code})", row.code)
        choose_data(self.organisation, picture.code)
        self.heading.setText(picture.service_name)
        who = f"{picture.organisation.name} ({picture.code})" if picture.organisation else "The whole service"
        position = picture.position
        budget = (f"budget {position.as_at.as_at()}" if position and position.as_at else
                  f"budget at the start of {position.year.label}" if position else
                  "the budget cannot be shown" if picture.budget_problem else "no pooled budget yet")
        self.subtitle.setText(f"{who}: {budget}; people, supervision and actions on {day_text(self.today)}. {HINT}")
        self._show_budget(picture)
        self._show_people(picture)
        self._show_actions(picture)
        self.checklist.setText(checklist_html(picture.checklist))
        whose = f"{picture.code}'s pack" if picture.code else "the packs"
        self.checklist_title.setText(f"Ready for {whose}? " + (
            "Everything is complete." if picture.complete else
            f"{count(sum(not ok for _w, ok in picture.checklist), 'thing is', 'things are')} incomplete."))
        self.organisations_title.setVisible(picture.organisation is None)
        self.organisations.setVisible(picture.organisation is None)
        self.organisations.set_rows(picture.organisations)

    def _show_budget(self, picture: Picture) -> None:
        position = picture.position
        self.tiles["Forecast outturn"].set_title("Actual o&utturn" if picture.final else "Forecast o&utturn")
        if position is None:
            for title in ("Forecast outturn", "Variance to date", "Risk-share exposure"):
                self.tiles[title].set_figure("—", picture.budget_problem or "No pooled budget is recorded yet",
                                             "bad" if picture.budget_problem else None)
            return
        pool = position.pool
        variance = pool.full_year_variance
        # Once M12 is closed the outturn is the actual one, and the words say so.
        self.tiles["Forecast outturn"].set_figure(
            format_pounds(pool.forecast_outturn),
            ("Actual outturn, M12 closed: budget " if picture.final else "Budget ")
            + f"{format_pounds(pool.annual_budget_pence)}; "
            + (f"{format_pounds(abs(variance))} {'over' if variance > 0 else 'under'} for the year" if variance else
               "on budget for the year"),
            variance_tone(variance, pool.annual_budget_pence))
        to_date = pool.ytd_variance
        self.tiles["Variance to date"].set_figure(
            format_pounds(to_date),
            f"{variance_percent(to_date, pool.budget_to_date) or 'No budget'} against budget to date; actual "
            f"{format_pounds(pool.actual_to_date)} of {format_pounds(pool.budget_to_date)}",
            variance_tone(to_date, pool.budget_to_date))
        if position.risk_share is None:
            waiting, _how = risk_share_waiting(position.risk_share_problem, position.year.label)
            self.tiles["Risk-share exposure"].set_figure("—", f"{waiting}: see Budgets", "warn")
            return
        result = position.risk_share
        shares = shares_in_pounds(result)  # whole pounds adding up to the variance shown
        total = result.total_variance_pence
        kind = "overspend" if total > 0 else "underspend"
        # Coloured by the variance's RAG, as the forecast outturn is: it is the same variance, shared.
        shared_tone = variance_tone(total, pool.annual_budget_pence)
        # A pool on budget may still have shares (a fixed-share line over, as much under elsewhere): nothing is to
        # share only when nothing falls on anyone.
        on_budget = "The pool spent its budget" if picture.final else "The pool is forecast on budget"
        if nothing_to_share(result):
            self.tiles["Risk-share exposure"].set_figure(format_pounds(0), f"{on_budget}: nothing to share",
                                                         shared_tone)
        elif picture.share_pence is not None and picture.code is not None:
            share = shares[picture.code]
            words = share_words(result, picture.code, format_pounds(abs(share)))
            outlook = (f"Of the year's {kind} of {format_pounds(abs(total))}," if picture.final and total else
                       f"Of a forecast {kind} of {format_pounds(abs(total))}," if total else f"{on_budget};")
            self.tiles["Risk-share exposure"].set_figure(format_pounds(share), f"{outlook} {words}", shared_tone)
        else:
            outlook = (f"The year's {kind}" if picture.final and total else f"Forecast {kind}" if total else on_budget)
            self.tiles["Risk-share exposure"].set_figure(
                format_pounds(total),
                f"{outlook}: " + "; ".join(share_words(result, code, format_pounds(abs(shares.get(code, 0))),
                                                       why=False) for code in picture.partner_codes),
                shared_tone)

    def _show_people(self, picture: Picture) -> None:
        from jointlead.services.picture import count

        organisations = [o for o in picture.organisations if o.staff]
        detail = (f"Team members {picture.organisation.name} employs" if picture.organisation else
                  "Team members: " + " · ".join(f"{o.code} {o.staff}" for o in organisations) if organisations
                  else "No team members are recorded yet")
        self.tiles["Staff"].set_figure(str(picture.staff), detail)
        report = picture.report
        overall = report.overall
        self.tiles["Supervision compliance"].set_figure(
            overall.percent_text,
            f"{overall.compliant} of {overall.in_scope} arrangements in date; target {report.target_percent}%"
            if overall.in_scope else f"No supervision is needed or arranged yet; target {report.target_percent}%",
            None if overall.fraction is None else "good" if report.meets_target else "bad")
        needing = report.needing_action
        # The figure counts arrangements, and one person can have two: the words say for how many people, and who.
        self.tiles["Supervision needing action"].set_figure(
            str(len(needing)), report.needing_action_words(4) if needing else "Nobody overdue",
            "bad" if needing else "good")
        # The errors and warnings, which need action, as People & lines' Findings tab counts its own (the notes for
        # information only, such as lines across organisations, are listed there and counted nowhere).
        findings = picture.findings
        errors = sum(1 for f in findings if f.severity == Severity.ERROR)
        areas = "; ".join(f"{n} about {area}" for area, n in picture.findings_by_area.items())
        self.tiles["Data-quality findings"].set_figure(
            str(len(findings)), f"Needing action: {areas}" + (f"; {count(errors, 'is an error', 'are errors')}"
                                                             if errors else "") if findings else "Nothing needs action",
            "bad" if errors else "warn" if findings else "good")

    def _show_actions(self, picture: Picture) -> None:
        figures = picture.action_figures
        self.tiles["Open actions"].set_figure(str(figures.still_open), "Open or in progress")
        overdue = figures.overdue
        by_organisation = " · ".join(f"{o.code or 'no owner'} {o.overdue}" for o in figures.by_organisation
                                     if o.overdue)
        references = [a.reference for a in picture.actions if a.overdue]
        listed = ", ".join(references[:6]) + (f" and {len(references) - 6} more" if len(references) > 6 else "")
        self.tiles["Overdue actions"].set_figure(
            str(overdue), "Past their due date" + (
                "" if not overdue else f": {by_organisation}" if picture.organisation is None else f": {listed}"),
            "bad" if overdue else "good")
        due_soon = figures.due_soon
        self.tiles["Due in the next 14 days"].set_figure(
            str(len(due_soon)), "Still open: " + ", ".join(r.reference for r in due_soon[:5])
            + (" …" if len(due_soon) > 5 else "") if due_soon else "Still open", "warn" if due_soon else None)

    # --- on paper ----------------------------------------------------------------------------------------
    def choices_words(self) -> str:
        """What the drop-downs are showing, in words for a board paper, as they show it (the months named as on the
        Budgets page, the year being in the subtitle): "As at M7 Oct (closed) · Whole service"."""
        if not self.as_at.isEnabledTo(self) or self.as_at.currentIndex() < 0:
            as_at = self.as_at.placeholderText()  # "No pooled budget"
        elif self._frame is not None and self.as_at.currentData() == 0:
            as_at = f"As at the start of {self._frame.year.label}"
        else:
            as_at = f"As at {self.as_at.currentText()}"
        return " · ".join(part for part in (as_at, self.organisation.currentText()) if part)

    @contextmanager
    def for_paper(self) -> Iterator[None]:
        """The page as a printout shows it (printing.on_paper), for as long as the `with` lasts: the choices as plain
        words rather than drop-downs, and no hint about clicking tiles, or letters to press for them, which paper
        cannot do. The screen is as it was afterwards."""
        hidden = [pair.isHidden() for pair in self._choices]
        words_hidden = self.printed_choices.isHidden()  # shown already inside another for_paper
        subtitle = self.subtitle.text()
        self.printed_choices.setText(self.choices_words())
        self.printed_choices.show()
        for pair in self._choices:
            pair.hide()
        self.subtitle.setText(subtitle.removesuffix(HINT).rstrip())
        try:
            with ExitStack() as tiles:
                for tile in self.tiles.values():
                    tiles.enter_context(tile.without_letter())
                yield
        finally:
            self.subtitle.setText(subtitle)
            for pair, was_hidden in zip(self._choices, hidden, strict=True):
                pair.setHidden(was_hidden)
            self.printed_choices.setHidden(words_hidden)

    # --- the view as data ---------------------------------------------------------------------------
    def view_state(self) -> dict[str, Any]:
        """What the page shows, as plain data (JSON-able): `show_view_state` paints it again, word for word."""
        model = self.organisations.model
        rows = [model.row_at(row) for row in range(model.rowCount())]  # as shown: the table is never searched
        return {
            "heading": self.heading.text(), "subtitle": self.subtitle.text(),
            "year": _items(self.year), "year_index": self.year.currentIndex(),
            "as_at": _items(self.as_at), "as_at_index": self.as_at.currentIndex(),
            "as_at_enabled": self.as_at.isEnabledTo(self),
            "organisation": _items(self.organisation), "organisation_index": self.organisation.currentIndex(),
            "tiles": {title: [tile.value_text(), tile.detail_text(), tile.tone(), tile.keyed_title()]
                      for title, tile in self.tiles.items()},
            "checklist_title": self.checklist_title.text(), "checklist": self.checklist.text(),
            "organisations_shown": not self.organisations.isHidden(),
            "organisations": [[r.code, r.name, r.kind, r.staff] for r in rows],
        }

    def clear(self) -> None:
        """No figures, as the page was built: for when the database they were to come from cannot be opened."""
        self.show_view_state(self._blank)

    def show_view_state(self, state: dict[str, Any]) -> None:
        """Show a view kept by `view_state`, with no database behind it (`show_data` takes over when one opens)."""
        self.heading.setText(state["heading"])
        self.subtitle.setText(state["subtitle"])
        _fill(self.year, state["year"], state["year_index"])
        self._year_choice_shown()
        _fill(self.as_at, state["as_at"], state["as_at_index"])
        self.as_at.setEnabled(state["as_at_enabled"])
        _fill(self.organisation, state["organisation"], state["organisation_index"])
        for title, (value, detail, tone, keyed) in state["tiles"].items():
            self.tiles[title].set_title(keyed)
            self.tiles[title].set_figure(value, detail, tone)
        self.checklist_title.setText(state["checklist_title"])
        self.checklist.setText(state["checklist"])
        self.organisations_title.setVisible(state["organisations_shown"])
        self.organisations.setVisible(state["organisations_shown"])
        self.organisations.set_rows([OrganisationLine(*row) for row in state["organisations"]])
