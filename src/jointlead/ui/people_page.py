"""People & lines: everyone recorded, with the managerial and professional line each has today."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    QMessageBox,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from jointlead.domain.findings import Finding, Severity
from jointlead.services import org_structure, overview, people, supervision
from jointlead.services.files import Database
from jointlead.services.picture import count
from jointlead.ui import people_dialogs
from jointlead.ui.org_chart import OrgChart
from jointlead.ui.page import Page, day_text
from jointlead.ui.table_model import RIGHT, Column
from jointlead.ui.widgets import (
    DataTable,
    FlowLayout,
    button_row,
    choose_data,
    divider,
    filter_combo,
    labelled,
)


def _lead(name: str, org: str) -> str:
    return f"{name} ({org})" if name and org else name


def _wte(row: overview.PersonRow) -> str:
    return f"{row.wte_hundredths / 100:.2f}" if row.wte_hundredths else ""


# A job title wider than this is elided (whole in its tooltip): at 1280 x 800, beside the person's details, the table
# then shows the name, employer, job title, line manager and professional lead without scrolling sideways.
JOB_TITLE_WIDTH = 140
PANEL_WIDTH = 300  # the person's details beside the table, as the page first opens: their text wraps to it

COLUMNS = [
    Column("Name", lambda r: r.name),
    Column("Employer", lambda r: r.employer_code),
    Column("Job title", lambda r: r.job_title, max_width=JOB_TITLE_WIDTH),
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
STATUSES = (("Active", lambda r: r.active), ("Active team members", lambda r: r.active and bool(r.team)),
            ("Left", lambda r: not r.active), ("Everyone", lambda _r: True))
FILTERS = (  # label, what a row is filtered by
    ("Employer", lambda r: r.employer_code),
    ("Profession", lambda r: r.profession),
    ("Team", lambda r: r.team),
    ("Grade", lambda r: r.grade),
)


SEVERITY_TONES = {Severity.ERROR: "bad", Severity.WARNING: "warn", Severity.INFORMATION: "muted"}
FINDING_COLUMNS = [
    Column("", lambda r: r.severity.value.capitalize(), tone=lambda r: SEVERITY_TONES.get(r.severity)),
    Column("Finding", lambda r: r.message),
]


def _person_link(person_id: int, name: str) -> str:
    return f'<a href="person:{person_id}">{escape(name)}</a>'


def _line_history(lines: Sequence[people.LineRow], on: date) -> str:
    if not lines:
        return "<p><i>None recorded.</i></p>"
    rows = []
    for line in lines:
        across = " <b>· across organisations</b>" if line.cross_organisation else ""
        current = " (current)" if line.in_force_on(on) else ""
        period = f"{day_text(line.effective_from)} – {day_text(line.effective_to) or 'now'}"
        note = f"<br><small>{escape(line.note)}</small>" if line.note else ""
        rows.append(f"<tr><td>{_person_link(line.lead_id, line.lead_name)} ({escape(line.lead_employer)}){across}"
                    f"{current}{note}</td><td style='padding-left:12px'>{period}</td></tr>")
    return f"<table>{''.join(rows)}</table>"


class PersonPanel(QLabel):
    """One person as at the page's date: who they are, both lines with their history, their reports, findings.

    Names are links: following one opens that person.
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAccessibleName("Person")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.setContentsMargins(12, 4, 8, 8)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.setText("<p><i>Choose a person to see both their lines, their history and their reports.</i></p>")

    def show_panel(self, panel: people.PersonPanel, supervised: supervision.PersonSupervision) -> None:
        person, on = panel.person, panel.on
        facts = [person.job_title, person.grade, f"{person.employer_name} ({person.employer})" if person.employer
                 else "", person.team or "outside the team", person.profession,
                 f"WTE {person.wte_hundredths / 100:.2f}" if person.wte_hundredths else "",
                 "seconded" if person.seconded else "",
                 f"left {day_text(person.leave_date)}" if person.leave_date else ""]
        reports = "".join(
            f"<li>{_person_link(r.person_id, r.person_name)} — {r.kind.value}"
            f"{' · across organisations' if r.cross_organisation else ''}, since {day_text(r.effective_from)}</li>"
            for r in panel.managerial_reports + panel.professional_reports) or "<li><i>Nobody on this date.</i></li>"
        findings = "".join(f"<li>{escape(f.message)}</li>" for f in panel.findings) or "<li><i>None.</i></li>"
        arranged = "".join(
            f"<li>{escape(r.supervision_type.capitalize())}: <b>{escape(r.status.value)}</b>"
            f"{' with ' + escape(r.supervisor) if r.supervisor else ''}"
            f"{'; last held ' + day_text(r.last_held) if r.last_held else ''}"
            f"{'; next due ' + day_text(r.next_due) if r.next_due else ''}</li>" for r in supervised.rows)
        self.setText(
            f"<h2>{escape(person.full_name)}{'' if person.active else ' (left)'}</h2>"
            f"<p>{escape(' · '.join(f for f in facts if f))}</p>"
            f"<h3>Managerial line</h3>{_line_history(panel.managerial_lines, on)}"
            f"<h3>Professional line</h3>{_line_history(panel.professional_lines, on)}"
            f"<h3>Their reports on {day_text(on)}</h3><ul>{reports}</ul>"
            f"<h3>Supervision</h3><p>{escape(supervised.headline)}</p><ul>{arranged}</ul>"
            f"<h3>Findings</h3><ul>{findings}</ul>")


# What Findings says with none: every line is in order, or there are no people yet to have lines.
LINES_IN_ORDER = "Nothing to look at: every line is in order."
NOBODY_YET = ("No people are recorded yet, so there are no lines to check. Add the team with Add person…, or import "
              "a staff list (File > Import…).")
FINDINGS = "F&indings"  # the tab's title, with the number needing action after it


def findings_summary(shown: Sequence[Finding], total: int) -> str:
    """What the findings shown come to: how many need action (the tab's number, and what the dashboard counts) and
    how many are only for information (not counted anywhere), so the numbers on screen add up."""
    if not shown:
        return ""
    needing = sum(1 for f in shown if f.severity.needs_action)
    noted = len(shown) - needing
    which = f"Of the {len(shown)} shown, " if len(shown) < total else ""
    acting = (f"{count(needing, 'needs', 'need')} action (errors and warnings, which the dashboard counts among its "
              "data-quality findings)") if needing else "none needs action"
    knowing = (f"; {count(noted, 'is', 'are')} for information only, such as lines across organisations, and not "
               "counted") if noted else ""
    sentence = f"{which}{acting}{knowing}."
    return sentence[0].upper() + sentence[1:]


class PeoplePage(Page):
    title = "People & lines"
    export_kind = "People and lines"
    scrolls = False

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.database: Database | None = None
        self.today = date.today()
        bar = FlowLayout()
        self.as_at = QDateEdit(self)
        self.as_at.setCalendarPopup(True)
        self.as_at.setDisplayFormat("dd MMM yyyy")
        self.as_at.setAccessibleName("Show people and lines as at")
        for editor in self.as_at.findChildren(QLineEdit):
            editor.setAccessibleName("As at date")
        self.as_at.dateChanged.connect(lambda _d: self._reload(chart_day=self.day))
        bar.addWidget(labelled("As at", self.as_at, self))
        self.filters: list[tuple[QComboBox, object]] = []
        for label, value in FILTERS:
            combo = filter_combo(label, "people", bar, self, self._apply_filters)
            self.filters.append((combo, value))
        self.status = filter_combo("Status", "people", bar, self, self._apply_filters, STATUSES)
        # The table's filters and gestures, in one box: the org chart has its own date, team and employer, and on a
        # laptop's screen the chart needs the height these take (at 1024 x 640 it had been left 120 pixels).
        self.table_controls = QWidget(self)
        controls = QVBoxLayout(self.table_controls)
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addLayout(bar)
        self.body.addWidget(self.table_controls)
        # Alt+letter presses each button; F, E, V and H are the menus'.
        controls.addLayout(button_row(self, (
            ("Add &team…", self.add_team), ("&Add person…", self.add_person), ("E&dit…", self.edit_person),
            ("&Change line…", self.change_line), ("E&nd line…", self.end_line),
            ("Record &leaver…", self.record_leaver), ("&Reassign reports…", self.reassign),
            ("Era&se for data protection…", self.erase_person))))

        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("People views")
        self.tabs.tabBar().setAccessibleName("Choose a people view")
        people_tab = divider("people divider", self)
        self.table = DataTable("people", COLUMNS, "No people are recorded yet. Staff appear here with their "
                               "managerial and professional lines once they are added or imported.", self,
                               stretch_column=4)
        self.table.view.selectionModel().currentRowChanged.connect(lambda *_: self._show_person())
        # Enter on a row, or a double-click (which Qt also reports as activating it), edits the person.
        self.table.view.activated.connect(lambda _i: self.edit_person())
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setAccessibleName("Person details")
        self.panel = PersonPanel(self)
        self.panel.linkActivated.connect(lambda link: self.open_person(int(link.partition(":")[2])))
        scroll.setWidget(self.panel)
        people_tab.addWidget(self.table)
        people_tab.addWidget(scroll)
        people_tab.setSizes([1000 - PANEL_WIDTH, PANEL_WIDTH])  # the table takes whatever the window has past that
        # A wider window widens the table, whose columns need it, not the panel, whose text wraps.
        people_tab.setStretchFactor(0, 1)
        people_tab.setStretchFactor(1, 0)
        self.tabs.addTab(people_tab, "&People")
        self.chart = OrgChart(self)
        self.chart.person_activated.connect(self.open_person)
        self.chart.filters_changed.connect(self._on_chart_filters)
        self.tabs.addTab(self.chart, "&Org chart")
        findings_tab = QWidget(self)
        self.findings_summary = QLabel("", findings_tab)
        self.findings_summary.setObjectName("pageSubtitle")
        self.findings_summary.setWordWrap(True)
        self.findings_summary.setContentsMargins(4, 4, 4, 2)  # clear of the tab's frame, as the table's search box is
        self.findings = DataTable("findings", [Column("Person", lambda r: r[1]), *[
            Column(c.header, lambda r, c=c: c.text(r[0]), tone=(lambda r, c=c: c.tone(r[0])) if c.tone else None)
            for c in FINDING_COLUMNS]], LINES_IN_ORDER, findings_tab, stretch_column=2)
        self.findings.view.activated.connect(self._open_finding)  # Enter, or a double-click
        self.findings.search.textChanged.connect(lambda _text: self._count_findings())
        findings_layout = QVBoxLayout(findings_tab)
        findings_layout.setContentsMargins(0, 0, 0, 0)
        findings_layout.addWidget(self.findings_summary)
        findings_layout.addWidget(self.findings, 1)
        self.tabs.addTab(findings_tab, FINDINGS)
        self.views = {"People": people_tab, "Org chart": self.chart, "Findings": findings_tab}  # by name, for tiles
        self.tabs.currentChanged.connect(lambda _index: self.table_controls.setVisible(
            self.tabs.currentWidget() is not self.chart))
        self.body.addWidget(self.tabs, 1)
        self._names: dict[int, str] = {}
        self._rows: dict[int, overview.PersonRow] = {}

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
        # The filters narrow the findings to the people they keep; a finding about no one person stays.
        rows = self._rows

        def about_kept(found) -> bool:
            person = rows.get(_person_id(found[0]))
            return person is None or all(value(person) == want for want, value in chosen)

        self.findings.set_predicate(about_kept)
        self._count_findings()

    def filters_in_words(self, table: DataTable) -> str:
        """The filters chosen, for a printout of the people or their findings to say whom it lists ("Status: Active ·
        Team: Hospital Discharge"); the status narrows the people only."""
        if table not in (self.table, self.findings):
            return ""
        status = self.status.currentText()
        words = [f"Status: {status}"] if table is self.table and status != "Everyone" else []
        words += [f"{label}: {combo.currentText()}" for (label, _value), (combo, _same) in
                  zip(FILTERS, self.filters, strict=True) if combo.currentData() is not ANY]
        return " · ".join(words)

    def _count_findings(self) -> None:
        """The Findings tab's number: the findings shown (those about the people the filters keep) that need action,
        as the dashboard counts them; the line above them says what the rest are."""
        model = self.findings.model
        shown = [model.row_at(row)[0] for row in range(model.rowCount())]
        needing = sum(1 for f in shown if f.severity.needs_action)
        self.tabs.setTabText(self.tabs.indexOf(self.views["Findings"]), f"{FINDINGS} ({needing})" if needing
                             else FINDINGS)
        self.findings_summary.setText(findings_summary(shown, model.total_rows))
        self.findings_summary.setVisible(bool(shown))

    def show_filtered(self, *, organisation: str | None = None, view: str = "People",
                      team_members: bool = False) -> None:
        """What a dashboard tile opens: the people in post (one organisation's, or everyone's; everyone in post or
        only the service's team members) on a view."""
        for combo, _value in self.filters:
            choose_data(combo, organisation if combo.accessibleName().endswith("by employer") else ANY)
        self.status.setCurrentIndex(self.status.findText("Active team members" if team_members else "Active"))
        self.table.search.clear()
        self.findings.search.clear()
        self._apply_filters()
        self.tabs.setCurrentWidget(self.views[view])

    # --- showing ----------------------------------------------------------------------------------
    @property
    def day(self) -> date:
        return self.as_at.date().toPython()

    def show_data(self, database: Database, today: date) -> None:
        first = self.database is not database
        self.database, self.today = database, today
        self.chart.source = database.name
        if first:
            self.as_at.blockSignals(True)
            self.as_at.setDate(QDate(today.year, today.month, today.day))
            self.as_at.blockSignals(False)
        self._reload(chart_day=self.day if first else None)

    def _reload(self, chart_day: date | None = None) -> None:
        """Show the people, findings and chart as at the page's date; the chart as at `chart_day` if given, else at
        the date it shows: one chosen for it (a board's) stays through any change made meanwhile."""
        database, day = self.database, self.day
        if database is None:
            return
        chosen = self._current_id()
        rows = overview.people(database, day)
        self._names = {r.id: r.name for r in rows}
        self._rows = {r.id: r for r in rows}
        crossing = sum(1 for r in rows if r.managed_across_boundary and r.active)
        crossing_note = (f" {crossing} people are line-managed across the organisational boundary (blue in the "
                         "table, orange in the org chart)." if rows else "")
        self.subtitle.setText(f"Lines as at {day_text(day)}.{crossing_note}")
        self.table.set_rows(rows)
        self._fill_filters(rows)
        self._apply_filters()
        found = [(f, self._names.get(_person_id(f), "")) for f in people.people_findings(database, day)]
        self.findings.empty.setText(LINES_IN_ORDER if rows else NOBODY_YET)
        self.findings.set_rows(found)
        self._count_findings()
        shown, team, organisation = self.chart.filters()
        chart_day = chart_day or (shown if self.chart.structure is not None else day)
        self.chart.show_structure(org_structure.structure_as_at(database, chart_day, team=team,
                                                                organisation=organisation))
        if chosen is not None:
            self.open_person(chosen, switch=False)

    def _current_id(self) -> int | None:
        row = self.table.current_row()
        return row.id if row is not None else None

    def _show_person(self) -> None:
        person_id = self._current_id()
        if person_id is None or self.database is None:
            return
        self.panel.show_panel(people.person_panel(self.database, person_id, self.day),
                              supervision.person_supervision(self.database, person_id, self.day))

    def open_person(self, person_id: int, switch: bool = True) -> None:
        """Select the person in the table (clearing filters that hide them) and show their panel."""
        for _attempt in range(2):
            for row in range(self.table.model.rowCount()):
                if self.table.model.row_at(row).id == person_id:
                    self.table.view.selectRow(row)
                    self._show_person()
                    if switch:  # the keys go on from the person opened, not from a panel or tab now out of sight
                        self.tabs.setCurrentIndex(0)
                        self.table.view.setFocus(Qt.FocusReason.OtherFocusReason)
                    return
            for combo, _value in self.filters:
                combo.setCurrentIndex(0)
            self.status.setCurrentIndex(self.status.findText("Everyone"))
            self.table.search.clear()
            self._apply_filters()

    def _open_finding(self, index) -> None:
        person_id = _person_id(self.findings.model.row_at(index.row())[0])
        if person_id is not None:
            self.open_person(person_id)

    def _on_chart_filters(self, day: date, team: str | None, organisation: str | None) -> None:
        if self.database is not None:
            self.chart.show_structure(org_structure.structure_as_at(self.database, day, team=team,
                                                                    organisation=organisation))

    # --- gestures ---------------------------------------------------------------------------------
    def _open(self, dialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _leads(self) -> list[tuple[str, int]]:
        rows = overview.people(self.database, self.day)
        return [(f"{r.name} ({r.job_title}, {r.employer_code})" if r.job_title else r.name, r.id)
                for r in rows if r.active]

    def _chosen(self, title: str) -> tuple[int, str] | None:
        person_id = self._current_id()
        if person_id is None:
            self.tabs.setCurrentIndex(0)
            self.table.ask_to_choose(title, "Choose a person first: select their row in the list of people.")
            return None
        return person_id, self._names.get(person_id, "")

    def _choices(self) -> tuple[list[str], list[str]]:
        """The employers and teams a person can be given: every one recorded, whether anyone is in it yet or not."""
        organisations = sorted({o.code for o in overview.organisations(self.database, self.day)})
        return organisations, list(people.team_names(self.database))

    def add_team(self) -> None:
        if self.database is not None:
            self._open(people_dialogs.TeamDialog(self.editor, self, people.team_names(self.database)))

    def add_person(self) -> None:
        organisations, teams = self._choices()
        self._open(people_dialogs.PersonDialog(self.editor, self, organisations, teams, self.today))

    def edit_person(self) -> None:
        chosen = self._chosen("Edit person")
        if chosen:
            organisations, teams = self._choices()
            self._open(people_dialogs.PersonDialog(self.editor, self, organisations, teams, self.today, chosen[0],
                                                   people.person_fields(self.database, chosen[0])))

    def change_line(self) -> None:
        chosen = self._chosen("Change line")
        if chosen:
            # Their lines as they are now: the change is refused if someone else changes them before OK.
            shown = people.person_panel(self.database, chosen[0], self.day)
            self._open(people_dialogs.ChangeLineDialog(self.editor, self, self.database, *chosen, self._leads(),
                                                       self.day,
                                                       lines=shown.managerial_lines + shown.professional_lines))

    def end_line(self) -> None:
        chosen = self._chosen("End line")
        if not chosen:
            return
        shown = people.person_panel(self.database, chosen[0], self.day)
        # The lines still to end on the day shown: in force then, or starting later.
        lines = [line for line in shown.managerial_lines + shown.professional_lines
                 if line.effective_to is None or line.effective_to >= self.day]
        if not lines:
            QMessageBox.information(self, "End line", f"{chosen[1]} has no line in force on {day_text(self.day)} "
                                    "or starting later, so there is none to end.")
            return
        self._open(people_dialogs.EndLineDialog(self.editor, self, chosen[1], lines, self.day))

    def record_leaver(self) -> None:
        chosen = self._chosen("Record leaver")
        if chosen:
            self._open(people_dialogs.LeaverDialog(self.editor, self, self.database, *chosen, self.day))

    def reassign(self) -> None:
        chosen = self._chosen("Reassign reports")
        if chosen:
            self._open(people_dialogs.ReassignDialog(self.editor, self, self.database, *chosen, self._leads(),
                                                     self.day))

    def erase_person(self) -> None:
        """Erase the chosen person for good (data protection): their name must be typed to confirm."""
        chosen = self._chosen("Erase for data protection")
        if chosen:
            self._open(people_dialogs.EraseDialog(self.editor, self, self.database, chosen[0], self.today))


def _person_id(finding: Finding) -> int | None:
    kind, _, number = finding.subject.partition(" ")
    return int(number) if kind == "person" and number.isdigit() else None
