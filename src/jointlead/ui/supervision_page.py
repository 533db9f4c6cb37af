"""Supervision: compliance against the target, who needs action, each supervisor's caseload, and the trend."""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from html import escape

from PySide6.QtCharts import QCategoryAxis, QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QMessageBox, QTabWidget, QVBoxLayout, QWidget

from jointlead.domain.supervision import Status
from jointlead.services import overview, supervision
from jointlead.services.files import Database
from jointlead.services.picture import count
from jointlead.ui import supervision_dialogs
from jointlead.ui.page import Page, day_text
from jointlead.ui.table_model import RIGHT, Column
from jointlead.ui.theme import NHS_BLUE, NHS_RED
from jointlead.ui.widgets import (
    DataTable,
    FlowLayout,
    Tile,
    button_row,
    choose_data,
    filter_combo,
    into_the_table_when_chosen,
    section_title,
)

STATUS_TONES = {Status.IN_DATE: "good", Status.DUE_SOON: "warn", Status.OVERDUE: "bad", Status.NEVER_HELD: "bad",
                Status.NOT_IN_PLACE: "bad", Status.PAUSED: "muted"}


# The team, last, takes the width the other columns leave, down to this: at 1280 pixels a long team's name is
# elided (whole in its tooltip) rather than push the table sideways.
TEAM_FLOOR = 90
# What Needs action says with nobody in it: all is well, or nothing is recorded yet to be well or not.
ALL_IN_DATE = "Nobody is overdue and everyone in scope has the supervision they need."
NOTHING_YET = ("Nobody's supervision is recorded yet. Add the team on People & lines, then arrange each person's "
               "supervision here: Arrange…, or Arrange from reporting lines… for everyone at once.")
NAME_WIDTH = 160  # a supervisee's or supervisor's name with their employer; longer is elided, whole in the tooltip
# Each view's tab, by the name a dashboard tile opens it by; Alt+letter chooses it (F, E, V and H are the menus').
TAB_TITLES = {"Needs action": "&Needs action", "Everyone": "Every&one", "By supervisor": "By &supervisor",
              "Breakdowns": "&Breakdowns", "Trend": "&Trend"}
# The trend's height on paper, in on-screen pixels: a landscape A4 sheet holds 675 of them above its footer, and the
# heading, the line under it, the employer, the tiles and the view's name take about 250 at the paper's width, which
# leaves a line or two of the heading's to wrap. Stretched down a tall window, the chart ran onto a second sheet.
PRINTED_TREND_HEIGHT = 400


def caseload_summary(rows: Sequence[supervision.ComplianceRow]) -> str:
    """What the supervisor view's rows come to: each is one arrangement, and one person may have several (managerial
    and professional, often with the same supervisor), so the people and the supervisors are counted too."""
    if not rows:
        return ""
    supervisors = len({r.supervisor_id for r in rows if r.supervisor_id is not None})
    people = len({r.supervisee_id for r in rows})
    unnamed = sum(1 for r in rows if r.supervisor_id is None)
    return (f"{count(supervisors, 'supervisor supervises', 'supervisors supervise')} "
            f"{count(people, 'person', 'people')} through {count(len(rows), 'arrangement', 'arrangements')}: "
            "each row is one arrangement, so someone with managerial and professional supervision is on two rows."
            + (f" {count(unnamed, 'arrangement names', 'arrangements name')} no supervisor." if unnamed else ""))


def _signed(row: supervision.ComplianceRow) -> str:
    """The day the arrangement's written agreement was signed, 'not signed', or nothing with nothing arranged."""
    if row.arrangement_id is None:
        return ""
    return day_text(row.agreement_signed) if row.agreement_signed else "not signed"


ROW_COLUMNS = [
    # The employer beside the name, as for the supervisor: one column fewer, so a laptop's window shows them all.
    Column("Supervisee", lambda r: f"{r.supervisee} ({r.organisation})" if r.organisation else r.supervisee,
           sort_key=lambda r: r.supervisee, max_width=NAME_WIDTH),
    Column("Type", lambda r: r.supervision_type.capitalize()),
    Column("Status", lambda r: r.status.value.capitalize(), tone=lambda r: STATUS_TONES.get(r.status),
           tooltip=lambda r: r.basis),
    Column("Since", lambda r: day_text(r.since), sort_key=lambda r: r.since),
    Column("Supervisor", lambda r: f"{r.supervisor} ({r.supervisor_org})" if r.supervisor
           else (f"none — line: {r.line_lead}" if r.line_lead else "none named"),
           tone=lambda r: None if r.supervisor else "bad", max_width=NAME_WIDTH),
    Column("Last held", lambda r: day_text(r.last_held) or "never", sort_key=lambda r: r.last_held,
           tooltip=lambda r: f"Held by {r.last_held_by}" if r.last_held_by else ""),
    Column("Next due", lambda r: day_text(r.next_due), sort_key=lambda r: r.next_due),
    Column("Agreement\nsigned", lambda r: _signed(r), sort_key=lambda r: r.agreement_signed,
           tone=lambda r: "warn" if r.arrangement_id is not None and r.agreement_signed is None else None,
           tooltip=lambda r: "" if r.arrangement_id is None or r.agreement_signed else
           "No signed written agreement is recorded: Agreement signed… records the day it was signed."),
    Column("Team", lambda r: r.team),
]
TALLY_COLUMNS = [
    Column("By", lambda r: r[0]),
    Column("Group", lambda r: r[1].group),
    Column("In scope", lambda r: str(r[1].in_scope), sort_key=lambda r: r[1].in_scope, align=RIGHT),
    Column("In date", lambda r: str(r[1].compliant), sort_key=lambda r: r[1].compliant, align=RIGHT),
    Column("Overdue or never held", lambda r: str(r[1].overdue + r[1].never_held),
           sort_key=lambda r: r[1].overdue + r[1].never_held, align=RIGHT),
    Column("Not in place", lambda r: str(r[1].not_in_place), sort_key=lambda r: r[1].not_in_place, align=RIGHT),
    Column("Compliance", lambda r: r[1].percent_text, sort_key=lambda r: r[1].fraction, align=RIGHT,
           tone=lambda r: None if r[1].fraction is None else "good" if r[2] else "bad"),
]


class TrendChart(QChartView):
    """Compliance % at each month end against the target line."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAccessibleName("Compliance trend by month")
        self.viewport().setAccessibleName("Compliance trend chart")
        self.setMinimumHeight(200)
        self.chart_ = QChart()
        self.chart_.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart_.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.setChart(self.chart_)
        self.points: list[tuple[str, float]] = []

    def sizeHint(self) -> QSize:
        """As tall as it prints (a window shorter than the page wants is no guide to paper: see printing.py)."""
        return QSize(super().sizeHint().width(), PRINTED_TREND_HEIGHT)

    def show_trend(self, report: supervision.ComplianceReport) -> None:
        chart = self.chart_
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        shown = [m for m in report.trend if m.tally.fraction is not None]
        # As the tiles and tables say it: never up to a target the month did not reach (94.96% is 94.9, not 95.0).
        self.points = [(m.label, float(m.tally.percent_text.removesuffix("%"))) for m in shown]
        # The months by name alone, the years once in the title: "Dec 2025" under each point was cut to "Dec …"
        # on a laptop-width window. A name that would repeat (over a year shown) keeps its year to tell them apart.
        names = [calendar.month_abbr[m.month] for m in shown]
        labels = [name if names.count(name) == 1 else f"{name} {m.year}" for name, m in zip(names, shown, strict=True)]
        span = f", {shown[0].label} to {shown[-1].label}" if len(shown) > 1 else ""
        chart.setTitle(f"Compliance at each month end{span}, against the {report.target_percent}% target")
        compliance, target = QLineSeries(), QLineSeries()
        compliance.setName("Compliance %")
        target.setName(f"Target {report.target_percent}%")
        compliance.setPen(QPen(QColor(NHS_BLUE), 3))
        compliance.setPointsVisible(True)
        dashed = QPen(QColor(NHS_RED), 2)
        dashed.setStyle(Qt.PenStyle.DashLine)
        target.setPen(dashed)
        months = QCategoryAxis()
        months.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        for index, ((_label, value), label) in enumerate(zip(self.points, labels, strict=True)):
            compliance.append(index, value)
            months.append(label, index)
        if self.points:
            target.append(0, report.target_percent)
            target.append(len(self.points) - 1, report.target_percent)
        months.setRange(0, max(len(self.points) - 1, 1))
        scale = QValueAxis()
        scale.setRange(0, 100)
        scale.setLabelFormat("%d%%")
        chart.addAxis(months, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(scale, Qt.AlignmentFlag.AlignLeft)
        for series in (target, compliance):
            chart.addSeries(series)
            series.attachAxis(months)
            series.attachAxis(scale)


class SupervisionPage(Page):
    title = "Supervision"
    export_kind = "Supervision compliance"
    scrolls = False

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.database: Database | None = None
        self.today = date.today()
        filters = FlowLayout()
        self.body.addLayout(filters)
        # Everything on the page (tiles, tables, trend) narrows to the staff one organisation employs. Made first, so
        # Tab reaches it first, as it is first on the page.
        self.organisation = filter_combo("Employer", "supervision", filters, self, self._reload)
        self.organisation.addItem("All", None)
        self.employer_choice = self.organisation.parentWidget()  # the caption and the drop-down, as one piece
        self.employer_names: dict[str, str] = {}  # by code, as the drop-down lists them: for paper to say whose
        # On paper the drop-down gives way to the words chosen in it (for_paper); hidden, it takes no room.
        self.printed_choices = QLabel("", self)
        self.printed_choices.setObjectName("printedChoices")
        self.printed_choices.setTextFormat(Qt.TextFormat.PlainText)
        self.printed_choices.hide()
        filters.addWidget(self.printed_choices)
        tiles = QHBoxLayout()
        self.overall_tile = Tile("Compliance", self)
        self.managerial_tile = Tile("Managerial", self)
        self.professional_tile = Tile("Professional", self)
        self.action_tile = Tile("Needs action", self)
        for tile in (self.overall_tile, self.managerial_tile, self.professional_tile, self.action_tile):
            tiles.addWidget(tile)
        self.action_tile.clicked.connect(lambda: self.tabs.setCurrentIndex(0))
        self.body.addLayout(tiles)
        # Alt+letter presses each button; F, E, V and H are the menus'.
        buttons = button_row(self, (
            ("&Record session…", self.record_session), ("&Group session…", self.group_session),
            ("&Arrange…", self.arrange), ("&Change supervisor…", self.change_supervisor),
            ("Agreement s&igned…", self.agreement_signed), ("En&d arrangement…", self.end_arrangement),
            ("Re&move arrangement…", self.remove_arrangement),
            ("Arrange from reporting &lines…", self.from_lines), ("&Past sessions…", self.past_sessions)))
        self.buttons = [buttons.itemAt(index).widget() for index in range(buttons.count())]
        self.body.addLayout(buttons)
        # On paper the tab bar gives way to the name of the view shown (for_paper); hidden, it takes no room.
        self.printed_view = section_title("", self)
        self.printed_view.hide()
        self.body.addWidget(self.printed_view)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Supervision views")
        self.tabs.tabBar().setAccessibleName("Choose a supervision view")
        into_the_table_when_chosen(self.tabs)
        # Its rows are arrangements, as Everyone's are, and one person can be on two: its count is of arrangements.
        self.needing = DataTable("arrangements needing action", ROW_COLUMNS, ALL_IN_DATE, self,
                                 stretch_column=len(ROW_COLUMNS) - 1, stretch_floor=TEAM_FLOOR)
        self.everyone = DataTable("arrangements", ROW_COLUMNS, "No supervision arrangements are recorded yet. Each "
                                  "person's managerial and professional supervision appears here once arranged.",
                                  self, stretch_column=len(ROW_COLUMNS) - 1, stretch_floor=TEAM_FLOOR)
        # One row to an arrangement, under its supervisor's name: the line above says how many people and supervisors
        # that is, as a person with two arrangements is two rows.
        self.by_supervisor_tab = QWidget(self)
        self.caseloads = QLabel("", self.by_supervisor_tab)
        self.caseloads.setObjectName("pageSubtitle")
        self.caseloads.setWordWrap(True)
        self.caseloads.setContentsMargins(4, 4, 4, 2)  # clear of the tab's frame, as the table's search box is
        self.by_supervisor = DataTable("arrangements by supervisor", [
            Column("Supervisor", lambda r: r[0], max_width=NAME_WIDTH), *[
                Column(c.header, lambda r, c=c: c.text(r[1]), sort_key=(lambda r, c=c: c.sort_key(r[1]))
                       if c.sort_key else None, tone=(lambda r, c=c: c.tone(r[1])) if c.tone else None,
                       max_width=c.max_width)
                for c in ROW_COLUMNS if c.header not in ("Supervisor",)]], "No supervisors are named yet.",
            self.by_supervisor_tab, stretch_column=len(ROW_COLUMNS) - 1, stretch_floor=TEAM_FLOOR)
        by_supervisor = QVBoxLayout(self.by_supervisor_tab)
        by_supervisor.setContentsMargins(0, 0, 0, 0)
        by_supervisor.addWidget(self.caseloads)
        by_supervisor.addWidget(self.by_supervisor, 1)
        self.breakdown = DataTable("groups", TALLY_COLUMNS, "Nothing is in scope yet.", self, stretch_column=1)
        self.trend = TrendChart(self)
        # Enter on a row, or a double-click (which Qt also reports as activating it), records its session.
        for table in (self.needing, self.everyone):
            table.view.activated.connect(lambda _i, t=table: self.record_session(t))
        self.views = {"Needs action": self.needing, "Everyone": self.everyone, "By supervisor": self.by_supervisor_tab,
                      "Breakdowns": self.breakdown, "Trend": self.trend}
        for name, widget in self.views.items():
            self.tabs.addTab(widget, TAB_TITLES[name])
        self.body.addWidget(self.tabs, 1)

    def show_data(self, database: Database, today: date) -> None:
        self.database, self.today = database, today
        chosen = self.organisation.currentData()
        self.organisation.clear()
        self.organisation.addItem("All", None)
        organisations = overview.organisations(database, today)
        for row in organisations:
            self.organisation.addItem(row.code, row.code)
        self.employer_names = {row.code: row.name for row in organisations}
        choose_data(self.organisation, chosen)
        self._reload()

    def show_filtered(self, *, organisation: str | None = None, view: str = "Everyone") -> None:
        """What a dashboard tile opens: one organisation's staff (or everyone's) on a view."""
        choose_data(self.organisation, organisation)
        self._reload()
        self.tabs.setCurrentWidget(self.views[view])

    def _reload(self) -> None:
        database, today, organisation = self.database, self.today, self.organisation.currentData()
        if database is None:
            return
        report = supervision.compliance(database, today, organisation=organisation)
        target = report.target_percent
        overall = report.overall
        whose = f" for {organisation}'s staff" if organisation else ""
        self.subtitle.setText(f"As at {day_text(today)}{whose}: {overall.compliant} of {overall.in_scope} "
                              f"arrangements in date against a target of {target}%; {overall.not_in_place} needed "
                              f"and not in place; {overall.paused} paused for absence.")
        self.overall_tile.set_figure(overall.percent_text, f"Target {target}%",
                                     None if overall.fraction is None else "good" if report.meets_target else "bad")
        by_type = {t.group.casefold(): t for t in report.by_type}
        for tile, kind in ((self.managerial_tile, "managerial"), (self.professional_tile, "professional")):
            tally = by_type.get(kind)
            if tally is None:
                tile.set_figure("—", "None in scope")
            else:
                tile.set_figure(tally.percent_text, f"{tally.compliant} of {tally.in_scope} in date",
                                None if tally.fraction is None else "good" if tally.meets(target) else "bad")
        needing = report.needing_action
        recorded = bool(report.rows)
        # The figure counts arrangements, and one person can have two: the words say for how many people. Who they
        # are is the table's, just below, longest first: a small laptop's window has no room for them here too.
        self.action_tile.set_figure(str(len(needing)), report.needing_action_words() if needing else "Nobody"
                                    if recorded else "Nothing arranged yet",
                                    "bad" if needing else "good" if recorded else None)
        self.needing.empty.setText(ALL_IN_DATE if recorded else NOTHING_YET)
        self.needing.set_rows(needing)
        self.everyone.set_rows(report.rows)
        by_supervisor = [(load.supervisor, row) for load in report.caseloads for row in load.supervisees]
        self.by_supervisor.set_rows(by_supervisor)
        self.caseloads.setText(caseload_summary([row for _supervisor, row in by_supervisor]))
        self.caseloads.setVisible(bool(by_supervisor))
        self.breakdown.set_rows([(by, tally, tally.meets(target)) for by, tallies in (
            ("Type", report.by_type), ("Employer", report.by_organisation), ("Profession", report.by_profession),
            ("Team", report.by_team), ("Supervisor", report.by_supervisor)) for tally in tallies])
        title = TAB_TITLES["Needs action"]
        self.tabs.setTabText(self.tabs.indexOf(self.needing), f"{title} ({len(needing)})" if needing else title)
        self.trend.show_trend(report)

    # --- on paper ---------------------------------------------------------------------------------
    def employer_words(self) -> str:
        """The employer chosen, in words for paper ("Employer: NCC Northshire County Council"); nothing with All."""
        code = self.organisation.currentData()
        return f"Employer: {code} {self.employer_names[code]}" if code else ""

    def filters_in_words(self, table: DataTable) -> str:
        """The employer chosen, for a printed table to say whose arrangements it lists: it narrows every table on the
        page, and a printout of NCC's staff does not read as everyone's."""
        return self.employer_words()

    def printed_parts(self) -> list[tuple[str, DataTable | str]]:
        """The By supervisor view on paper (see ui/printing.py): the line saying how many people and supervisors its
        arrangements are, then the table, as the view shows them; the table alone reads as a count of people.
        Every other view prints as its one table or as a picture."""
        if self.tabs.currentWidget() is not self.by_supervisor_tab:
            return []
        summary = self.caseloads.text()
        return [*([("", f"<p>{escape(summary)}</p>")] if summary else []), ("", self.by_supervisor)]

    @contextmanager
    def for_paper(self) -> Iterator[None]:
        """The page as a printout shows it (printing.on_paper) for as long as the `with` lasts: the employer as words
        rather than a drop-down, no buttons, the view's name rather than the tab bar, and the trend as tall as fits
        one landscape sheet under the figures, not stretched down the window. The screen is as it was afterwards."""
        size, tallest, tabs_tallest = self.size(), self.maximumHeight(), self.tabs.maximumHeight()
        # The frame round the view, measured while the tab bar is still there to take away. In a window too short for
        # the chart's own minimum the view overflows the frame, and no frame is measured then (it is a few pixels).
        frame = max(0, self.tabs.height() - self.tabs.currentWidget().height() - self.tabs.tabBar().height())
        hidden = [(widget, widget.isHidden()) for widget in (
            self.employer_choice, self.printed_choices, self.printed_view, self.tabs.tabBar(), *self.buttons)]
        self.printed_choices.setText(self.employer_words() or "Employer: All")
        self.printed_view.setText(self.tabs.tabText(self.tabs.currentIndex()).replace("&", ""))
        for widget, _was_hidden in hidden:
            widget.setVisible(widget in (self.printed_choices, self.printed_view))
        if self.tabs.currentWidget() is self.trend:  # the tables' views print as tables (printing.table_to_print)
            self.tabs.setMaximumHeight(PRINTED_TREND_HEIGHT + frame)
            # The page, not only the chart, as tall as what it shows: the page is printed as a picture of itself,
            # and the window's height under the chart had printed as a blank sheet. Measured once the controls
            # hidden have given up their room, which Qt otherwise works out only when next asked.
            QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
            self.setMaximumHeight(self.heightForWidth(self.width()) if self.hasHeightForWidth()
                                  else self.sizeHint().height())
        try:
            yield
        finally:
            self.tabs.setMaximumHeight(tabs_tallest)
            self.setMaximumHeight(tallest)
            self.resize(size)
            for widget, was_hidden in hidden:
                widget.setHidden(was_hidden)

    # --- gestures ---------------------------------------------------------------------------------
    def _people(self, *, leavers: bool = False) -> list[tuple[str, int]]:
        """Who can be chosen, by name and employer: those in post today, and `leavers` too."""
        rows = overview.people(self.database, self.today)
        return [(f"{r.name} ({r.employer_code})", r.id) for r in rows if leavers or r.active]

    def _table_shown(self) -> DataTable | None:
        """The table of arrangements on the tab shown, if it shows one."""
        shown = self.tabs.currentWidget()
        return self.by_supervisor if shown is self.by_supervisor_tab else shown if shown in (
            self.needing, self.everyone) else None

    def _chosen_row(self, table: DataTable | None = None) -> supervision.ComplianceRow | None:
        """The arrangement chosen on the table shown (the supervisor view's rows carry it second)."""
        table = table or self._table_shown()
        row = table.current_row() if table is not None else None
        if isinstance(row, tuple):
            row = row[1]
        return row if isinstance(row, supervision.ComplianceRow) else None

    def _open(self, dialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def record_session(self, table: DataTable | None = None) -> None:
        chosen = self._chosen_row(table if isinstance(table, DataTable) else None)
        people = self._people()
        self._open(supervision_dialogs.SessionDialog(self.editor, self, self.database, people, people, self.today,
                                                     *((chosen.supervisee_id, chosen.supervision_type) if chosen
                                                       else ())))

    def group_session(self) -> None:
        people = self._people()
        self._open(supervision_dialogs.GroupSessionDialog(self.editor, self, self.database, people, people,
                                                          self.today))

    def past_sessions(self) -> None:
        """The sessions recorded for the person on the row chosen, or for whoever is chosen in the dialog: a leaver's
        too, whose mistaken session would otherwise stay in the record for good."""
        chosen = self._chosen_row()
        self._open(supervision_dialogs.SessionsDialog(self.editor, self, self.database, self._people(leavers=True),
                                                      self.today, chosen.supervisee_id if chosen else None))

    def arrange(self) -> None:
        chosen = self._chosen_row()
        people = self._people()
        self._open(supervision_dialogs.ArrangementDialog(self.editor, self, people, people, self.today,
                                                         chosen.supervisee_id if chosen else None))

    def _arrangement_chosen(self, title: str, choose: str, nothing_to: str) -> supervision.ComplianceRow | None:
        """The arrangement chosen on the table shown; with none, says what to choose (the button otherwise seems to
        do nothing) and takes the user to a table of arrangements."""
        chosen = self._chosen_row()
        if chosen is not None and chosen.arrangement_id is not None:
            return chosen
        if chosen is None:
            text = f"Choose the arrangement {choose} first: select its row on Needs action, Everyone or By supervisor."
        else:  # a "not in place" row: the need is shown, but nothing is arranged yet
            text = (f"{chosen.supervisee} has no {chosen.supervision_type} supervision arranged, so there is "
                    f"{nothing_to}. Use Arrange… to arrange it.")
        QMessageBox.information(self, title, text)
        table = self._table_shown()
        if table is None:
            table = self.everyone
            self.tabs.setCurrentWidget(table)
        table.view.setFocus()
        return None

    def change_supervisor(self) -> None:
        chosen = self._arrangement_chosen("Change supervisor", "whose supervisor changes", "no supervisor to change")
        if chosen is None:
            return
        self._open(supervision_dialogs.ChangeSupervisorDialog(self.editor, self, chosen, self._people(), self.today))

    def end_arrangement(self) -> None:
        chosen = self._arrangement_chosen("End arrangement", "to end", "nothing to end")
        if chosen is None:
            return
        self._open(supervision_dialogs.EndArrangementDialog(self.editor, self, chosen, self.today))

    def agreement_signed(self) -> None:
        chosen = self._arrangement_chosen("Agreement signed", "whose agreement was signed", "no agreement to sign")
        if chosen is None:
            return
        self._open(supervision_dialogs.AgreementSignedDialog(self.editor, self, chosen, self.today))

    def remove_arrangement(self) -> None:
        chosen = self._arrangement_chosen("Remove arrangement", "made by mistake", "nothing to remove")
        if chosen is None:
            return
        with_whom = f" with {chosen.supervisor}" if chosen.supervisor else ""
        answer = QMessageBox.question(
            self, "Remove arrangement",
            f"Remove {chosen.supervisee}'s {chosen.supervision_type} supervision arrangement{with_whom}?\n\n"
            "Only for an arrangement made by mistake: it goes from the record, and from past months' compliance, "
            "as if never made (Edit > Undo puts it back). Sessions recorded stay. For one that has come to an end, "
            "use End arrangement… instead, which keeps its history.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        arrangement, seen = chosen.arrangement_id, chosen.version
        self.editor.run(lambda database: supervision.remove_arrangement(database, arrangement, seen_version=seen),
                        "Remove arrangement")

    def from_lines(self) -> None:
        plan = supervision.arrangements_from_lines(self.database, self.today, apply=False)
        missing = "".join(f"\n• {m.supervisee} ({m.supervision_type}): {m.reason}"
                          for m in plan.no_suitable_supervisor[:12])
        more = len(plan.no_suitable_supervisor) - 12
        text = (f"{len(plan.created)} arrangements can be made from the reporting lines in force today "
                "(managerial with the line manager, professional with the professional lead).")
        if plan.no_suitable_supervisor:
            text += f"\n\nNo suitable supervisor for:{missing}" + (f"\n…and {more} more" if more > 0 else "")
        if not plan.created:
            QMessageBox.information(self, "Arrange from reporting lines", text)
            return
        answer = QMessageBox.question(self, "Arrange from reporting lines", text + "\n\nMake them now?")
        if answer == QMessageBox.StandardButton.Yes:
            today, planned = self.today, plan.created
            self.editor.run(lambda db: supervision.arrangements_from_lines(db, today, as_previewed=planned).edit,
                            "No arrangements were made")
