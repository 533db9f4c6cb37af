"""Actions: the delivery action log — filters, quick add by keyboard, each action's history, and the meetings."""

from __future__ import annotations

from datetime import date
from html import escape

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from jointlead.domain.actions import ActionStatus
from jointlead.domain.errors import JointleadError, ValidationError
from jointlead.domain.rag import Rag
from jointlead.services import actions, overview
from jointlead.services.actions import ActionLogRow
from jointlead.services.files import Database
from jointlead.ui import actions_dialogs
from jointlead.ui.forms import chosen_person, typable_person
from jointlead.ui.messages import show_problem
from jointlead.ui.page import Page, day_text
from jointlead.ui.table_model import CENTRE, RIGHT, Column
from jointlead.ui.widgets import DataTable, FlowLayout, button_row, divider, filter_combo, into_the_table_when_chosen

RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2, Rag.BLUE: 3, Rag.GREY: 4}
PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}
ANY = None

COLUMNS = [
    Column("Ref", lambda r: r.reference),
    Column("RAG", lambda r: r.rag.value.capitalize() + (" *" if r.rag_overridden else ""),
           sort_key=lambda r: RAG_ORDER[r.rag], align=CENTRE, tone=lambda r: f"rag:{r.rag.value}",
           tooltip=lambda r: "Set by hand, with a reason (see the action)" if r.rag_overridden else r.rag.value),
    Column("Action", lambda r: r.title),
    # Due and Status before Owner: with the history panel open, a laptop-width window shows them without scrolling.
    Column("Due", lambda r: day_text(r.due), sort_key=lambda r: r.due,
           tone=lambda r: "bad" if r.overdue else "info" if r.revised else None,
           tooltip=lambda r: (f"{r.days_overdue} days overdue. " if r.overdue else "")
           + (f"Revised: originally due {day_text(r.original_due)}" if r.revised else "")),
    Column("Status", lambda r: r.status.label),
    # Capped, so that on a laptop the room goes to the action's title (a long name is whole in its tooltip).
    Column("Owner", lambda r: f"{r.owner} ({r.organisation})" if r.owner else "No owner",
           tone=lambda r: None if r.owner else "bad", max_width=150),
    Column("Priority", lambda r: r.priority.capitalize(), sort_key=lambda r: PRIORITY_ORDER.get(r.priority, 9)),
    Column("Latest update", lambda r: r.latest_update, max_width=260,
           tooltip=lambda r: f"{day_text(r.latest_update_on)}, {r.latest_update_by}: {r.latest_update}"
           if r.latest_update else "No updates yet"),
    Column("Agreed at", lambda r: r.meeting, max_width=170),
]
MEETING_COLUMNS = [
    Column("Meeting", lambda r: r.name),
    Column("Date", lambda r: day_text(r.on), sort_key=lambda r: r.on),
    # Headings on two lines: narrow columns, so the counts stay in sight beside a long meeting name in a small window.
    Column("Actions\nagreed", lambda r: str(r.agreed), sort_key=lambda r: r.agreed, align=RIGHT),
    Column("Still\nopen", lambda r: str(r.still_open), sort_key=lambda r: r.still_open, align=RIGHT),
]
# The action's title keeps at least this width however many columns follow it: at 1280 pixels wide it shows about
# 30 characters with Due, Status and Owner still in view, and at 1024 Due and Status still fit beside the history.
TITLE_FLOOR = 200
NOTHING_CHOSEN = "<p><i>Choose an action to see its history.</i></p>"
NO_MEETING_CHOSEN = "<p><i>Choose a meeting to see what it agreed and what changed since the last one.</i></p>"
# The filters' choices that leave no action out: a printout of the log names every other choice.
ALL, EVERYTHING, ANY_DAY = "All", "Everything", "Any day"
STATUS_FILTERS = [("Open or in progress", lambda r: r.is_open), (EVERYTHING, lambda _r: True),
                  *[(s.label, lambda r, s=s: r.status == s) for s in ActionStatus]]


def _action_html(found: actions.ActionDetail) -> str:
    row = found.row
    rag = row.rag.value.capitalize()
    if row.rag_overridden:
        rag += (f" (set by hand: {escape(found.rag_override_reason)}; the rule gives "
                f"{found.usual_rag.value})")
    due = day_text(row.due) + (f" (originally {day_text(row.original_due)})" if row.revised else "")
    timeline = "".join(f"<li><b>{day_text(entry.on)}</b> {escape(entry.text)}"
                       f"{' — ' + escape(entry.by) if entry.by else ''}</li>" for entry in reversed(found.timeline))
    moves = "".join(f"<li>{day_text(c.changed_on)}: {day_text(c.old)} → {day_text(c.new)} — {escape(c.reason)}"
                    f" ({escape(c.changed_by)})</li>" for c in found.due_changes)
    return (f"<h2>{escape(row.reference)} {escape(row.title)}</h2>"
            f"<p><b>{escape(row.status.label)}</b> · RAG {rag} · due {due} · "
            f"{escape(row.owner or 'no owner')}{' (' + escape(row.organisation) + ')' if row.organisation else ''}"
            f"{' · agreed at ' + escape(row.meeting) if row.meeting else ''} · {escape(row.priority)} priority</p>"
            + (f"<p>{escape(found.detail)}</p>" if found.detail else "")
            + (f"<p>Evidence: {escape(found.evidence)}</p>" if found.evidence else "")
            + f"<h3>History</h3><ul>{timeline}</ul>"
            + (f"<h3>Due date revisions</h3><ul>{moves}</ul>" if moves else ""))


def _meeting_html(view: actions.MeetingView, today: date) -> str:
    changes = view.changes
    since = f"since {escape(view.previous.name)} on {day_text(view.previous.on)}" if view.previous else "so far"
    def listed(rows) -> str:
        return "".join(f"<li>{escape(r.reference)} {escape(r.title)} — {escape(r.status.label)}, due "
                       f"{day_text(r.due)}{' (overdue)' if r.overdue else ''}</li>" for r in rows) \
            or "<li><i>None.</i></li>"

    changed = listed(view.changed)
    return (f"<h2>{escape(view.meeting.name)}, {day_text(view.meeting.on)}</h2>"
            f"<p>{len(view.agreed)} actions agreed here; {len(view.to_review)} open actions to review; "
            f"{view.carried_over.count} carried over from earlier meetings ({len(view.carried_over.overdue)} of them "
            f"overdue). Each action's status and due date are as on {day_text(today)}.</p>"
            f"<h3>Changed {since}</h3><p>{len(changes.new_actions)} new, {len(changes.completed)} completed, "
            f"{len(changes.status_changes)} status changes, {len(changes.due_date_changes)} due dates moved, "
            f"{len(changes.updates)} updates.</p><ul>{changed}</ul>"
            f"<h3>Agreed at this meeting</h3><ul>{listed(view.agreed)}</ul>"
            f"<h3>Open actions to review</h3><ul>{listed(view.to_review)}</ul>")


class ActionsPage(Page):
    title = "Actions"
    export_kind = "Action tracker"
    scrolls = False

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.database: Database | None = None
        self.today = date.today()
        self._rows: tuple[ActionLogRow, ...] = ()
        # The meeting the summary is of (the row last chosen in the list of meetings), chosen again once the list is
        # read again (see _choose_meeting_again).
        self._meeting_shown: int | None = None
        # The action the history panel shows, which Update…, Status… and the other buttons act on: the row last
        # chosen in the table, kept while the list no longer shows it (see _show_panel).
        self._shown: int | None = None
        self._owners: list[tuple[str, int | None]] = []
        self._meeting_choices: list[tuple[str, int | None]] = []
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Action views")
        self.tabs.tabBar().setAccessibleName("Choose an action view")
        into_the_table_when_chosen(self.tabs)
        # Alt+letter reaches each tab and button (the menus have F, E, V and H; each tab's buttons are seen apart).
        self.tabs.addTab(self._build_log(), "Action &log")
        self.meetings_tab = self._build_meetings()
        self.tabs.addTab(self.meetings_tab, "&Meetings")
        self.body.addWidget(self.tabs, 1)

    # --- building ---------------------------------------------------------------------------------
    def _build_log(self) -> QWidget:
        tab = QWidget(self)
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(8, 8, 8, 8)
        quick = QHBoxLayout()
        self.new_title = QLineEdit(tab)
        self.new_title.setPlaceholderText("New action's title (Enter adds it)")
        self.new_title.setMinimumWidth(180)  # the row fits a 1024-pixel window; a wider one gives most to the title
        self.new_title.setAccessibleName("New action title")
        self.new_title.returnPressed.connect(self.quick_add)
        self.new_owner = QComboBox(tab)
        typable_person(self.new_owner, "New action owner")
        self.new_owner.setAccessibleName("New action owner")
        self.new_owner.view().setAccessibleName("Owners to choose from")
        self.new_due = QDateEdit(tab)
        self.new_due.setCalendarPopup(True)
        self.new_due.setDisplayFormat("dd MMM yyyy")
        self.new_due.setAccessibleName("New action due date")
        for editor in self.new_due.findChildren(QLineEdit):
            editor.setAccessibleName("New action due date")
        self.new_meeting = QComboBox(tab)
        self.new_meeting.setAccessibleName("Meeting that agreed the new action")
        self.new_meeting.view().setAccessibleName("Meetings to choose from")
        for combo in (self.new_owner, self.new_meeting):
            # "No owner yet" shows whole, however long the longest name (whole in the drop-down).
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(10)
        add = QPushButton("&Add action", tab)
        add.clicked.connect(self.quick_add)
        for widget, stretch in ((self.new_title, 3), (self.new_owner, 1), (self.new_due, 0), (self.new_meeting, 1),
                                (add, 0)):
            quick.addWidget(widget, stretch)
        layout.addLayout(quick)

        filters = FlowLayout()
        self.status = filter_combo("Status", "actions", filters, tab, self._apply_filters, STATUS_FILTERS)
        self.rag = filter_combo("RAG", "actions", filters, tab, self._apply_filters)
        self.owner = filter_combo("Owner", "actions", filters, tab, self._apply_filters)
        self.organisation = filter_combo("Organisation", "actions", filters, tab, self._apply_filters)
        self.meeting = filter_combo("Meeting", "actions", filters, tab, self._apply_filters)
        self.due = filter_combo("Due", "actions", filters, tab, self._apply_filters, [
            (ANY_DAY, lambda _r: True), ("Overdue", lambda r: r.overdue),
            ("In the next 14 days", lambda r: actions.is_due_soon(r, self.today))])
        self.filters = (("Status", self.status), ("RAG", self.rag), ("Owner", self.owner),
                        ("Organisation", self.organisation), ("Meeting", self.meeting), ("Due", self.due))
        layout.addLayout(filters)

        split = divider("action log divider", tab)
        self.table = DataTable("actions", COLUMNS, "No actions are recorded yet. Actions agreed at boards and "
                               "meetings appear here with their owners and due dates.", tab, stretch_column=2,
                               stretch_floor=TITLE_FLOOR)
        self.table.view.selectionModel().currentRowChanged.connect(lambda *_: self._show_action())
        # Searching lays the list out again, which loses the row chosen: chosen again if it still shows.
        self.table.search.textChanged.connect(lambda _text: self._choose_again())
        side = QWidget(tab)
        # A third of the width, up to a comfortable reading width: the table takes the rest of a wide window.
        side.setMaximumWidth(440)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(8, 0, 0, 0)
        side_layout.addLayout(button_row(side, (
            ("&Update…", self.add_update), ("&Status…", self.change_status), ("&Due date…", self.revise_due),
            ("&RAG…", self.set_rag), ("Ed&it…", self.edit_action), ("Rem&ove…", self.remove_action))))
        # Short words, so the six buttons take two rows at 1366 pixels wide and three at 1024, leaving the history
        # room; the action they act on is the one named just below them, and the accessible names say it in full.
        for button in side.findChildren(QPushButton):
            verb = button.text().replace("&", "").rstrip("…")
            if verb in ("Edit", "Remove"):
                button.setAccessibleName(f"{verb} action…")
                button.setToolTip("Change the action's title, detail, workstream, owner, meeting or priority"
                                  if verb == "Edit" else "Remove an action entered by mistake (asks first)")
        self.detail = QLabel(NOTHING_CHOSEN, side)
        self.detail.setAccessibleName("Action history")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        scroll = QScrollArea(side)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.detail)
        scroll.setAccessibleName("Action detail")
        side_layout.addWidget(scroll, 1)
        split.addWidget(self.table)
        split.addWidget(side)
        split.setSizes([700, 300])  # the history beside the table takes about 30% of the width
        layout.addWidget(split, 1)
        return tab

    def _build_meetings(self) -> QWidget:
        tab = QWidget(self)
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(button_row(tab, (("&Add meeting…", self.add_meeting),)))
        split = divider("meetings divider", tab)
        self.meetings = DataTable("meetings", MEETING_COLUMNS, "No meetings are recorded yet.", tab,
                                  stretch_column=0)
        self.meetings.view.selectionModel().currentRowChanged.connect(lambda *_: self._show_meeting())
        self.meeting_detail = QLabel(NO_MEETING_CHOSEN, tab)
        self.meeting_detail.setAccessibleName("Meeting summary")
        self.meeting_detail.setWordWrap(True)
        self.meeting_detail.setTextFormat(Qt.TextFormat.RichText)
        self.meeting_detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll = QScrollArea(tab)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.meeting_detail)
        scroll.setAccessibleName("Meeting detail")
        # As on the action log: the table first, the summary up to a comfortable reading width beside it. The table
        # needs little room for a few meetings and four short columns, and the summary's lists of actions, read line
        # by line, wrap less in the room it leaves.
        scroll.setMaximumWidth(440)
        split.addWidget(self.meetings)
        split.addWidget(scroll)
        split.setSizes([600, 400])
        layout.addWidget(split, 1)
        return tab

    # --- showing ----------------------------------------------------------------------------------
    def show_data(self, database: Database, today: date) -> None:
        first = self.database is not database
        if first:
            self._shown = self._meeting_shown = None
        self.database, self.today = database, today
        self._rows = actions.action_log(database, today)
        still_open = [r for r in self._rows if r.is_open]
        overdue = sum(1 for r in still_open if r.overdue)
        self.subtitle.setText(f"As at {day_text(today)}: {len(still_open)} open, {overdue} overdue. RAG: red "
                              "overdue, amber due within 14 days and not started, green on track, blue complete; "
                              "* set by hand. Due dates in blue have been revised.")
        self.table.set_rows(self._rows)
        self._fill_filters()
        self._apply_filters()  # and shows the chosen action as it is now
        meetings = actions.meetings(database)
        self.meetings.set_rows(meetings)
        self._choose_meeting_again()
        self._meeting_choices = [("No meeting", None), *[(f"{m.name}, {day_text(m.on)}", m.id) for m in meetings]]
        self._fill(self.new_meeting, self._meeting_choices)
        people = [r for r in overview.people(database, today) if r.active]
        self._owners = [("No owner yet", None), *[(f"{p.name} ({p.employer_code})", p.id) for p in people]]
        self._fill(self.new_owner, self._owners)
        if first:
            due = today.replace(day=min(today.day, 28))
            self.new_due.setDate(QDate(due.year, due.month, due.day).addDays(28))

    @staticmethod
    def _fill(combo: QComboBox, choices: list[tuple[str, object]]) -> None:
        chosen = combo.currentData()
        combo.clear()
        for text, data in choices:
            combo.addItem(text, data)
        combo.setCurrentIndex(max(0, combo.findData(chosen)))

    def _fill_filters(self) -> None:
        rows = self._rows
        self._fill(self.rag, [(ALL, ANY), *[(r.value.capitalize(), r) for r in RAG_ORDER
                                            if any(row.rag == r for row in rows)]])
        self._fill(self.owner, [(ALL, ANY), *sorted({(r.owner, r.owner_id) for r in rows if r.owner_id})])
        self._fill(self.organisation, [(ALL, ANY), *[(code, code) for code in
                                                     sorted({r.organisation for r in rows if r.organisation})]])
        # Each meeting by its date too: a board meets under the same name every month.
        meetings = sorted({(r.meeting_date, r.meeting, r.meeting_id) for r in rows if r.meeting_id}, reverse=True)
        self._fill(self.meeting, [(ALL, ANY), *[(f"{name}, {day_text(on)}", key) for on, name, key in meetings]])

    def _apply_filters(self) -> None:
        keep_status = self.status.currentData() or (lambda _r: True)
        wanted = [(self.rag.currentData(), lambda r: r.rag), (self.owner.currentData(), lambda r: r.owner_id),
                  (self.organisation.currentData(), lambda r: r.organisation),
                  (self.meeting.currentData(), lambda r: r.meeting_id)]
        chosen = [(want, value) for want, value in wanted if want is not ANY]
        keep_due = self.due.currentData()
        self.table.set_predicate(lambda r: keep_status(r) and keep_due(r)
                                 and all(value(r) == want for want, value in chosen))
        self._choose_again()

    def _choose_again(self) -> None:
        """After the list is laid out again (new data, a filter, a search), the action chosen is chosen again if the
        list still shows it; the panel shows it as it is now either way."""
        if self._shown is not None and self._row_index(self._shown) is not None:
            self.select_action(self._shown)
        else:
            self._show_panel()

    def _show_action(self) -> None:
        row = self.table.current_row()
        if row is not None:
            self._shown = row.id
        self._show_panel()

    def _shown_row(self) -> ActionLogRow | None:
        return next((r for r in self._rows if r.id == self._shown), None)

    def _show_panel(self) -> None:
        """The chosen action as it is now. One the list no longer shows (just marked complete under "Open or in
        progress", or filtered out) stays in the panel, saying so, and the buttons still act on it: a manager who has
        just completed an action expects to see it completed, and to be able to take that back with Status…, not
        to find the panel describing a state it is no longer in. One no longer recorded empties the panel."""
        row = self._shown_row()
        found = None
        if row is not None and self.database is not None:
            try:
                found = actions.action_detail(self.database, row.id, self.today)
            except JointleadError:  # removed since the list was read
                found = None
        if found is None:
            self._shown = None
            self.detail.setText(NOTHING_CHOSEN)
            return
        current = self.table.current_row()
        listed = current is not None and current.id == row.id
        note = "" if listed else "<p><i>Not in the list as filtered now; the buttons above still act on it.</i></p>"
        self.detail.setText(note + _action_html(found))

    def _show_meeting(self) -> None:
        row = self.meetings.current_row()
        if row is not None and self.database is not None:
            self._meeting_shown = row.id
            self.meeting_detail.setText(_meeting_html(actions.meeting_view(self.database, row.id, self.today),
                                                      self.today))

    def _choose_meeting_again(self) -> None:
        """After the meetings are read again (any change made anywhere), the meeting chosen is chosen again and its
        summary shows it as it is now: it had kept the figures from before, beside a list with nothing chosen, and
        printed them. A meeting no longer recorded empties the summary."""
        index = next((index for index in range(self.meetings.model.rowCount())
                      if self.meetings.model.row_at(index).id == self._meeting_shown), None)
        if index is None:
            self._meeting_shown = None
            self.meeting_detail.setText(NO_MEETING_CHOSEN)
            return
        self.meetings.view.selectRow(index)
        self._show_meeting()

    def _row_index(self, action_id: int) -> int | None:
        return next((index for index in range(self.table.model.rowCount())
                     if self.table.model.row_at(index).id == action_id), None)

    def select_action(self, action_id: int) -> None:
        index = self._row_index(action_id)
        if index is not None:
            self.table.view.selectRow(index)
            self._show_action()

    def show_filtered(self, *, overdue: bool = False, due_soon: bool = False, organisation: str | None = None) -> None:
        """What a dashboard tile opens: the open actions, those overdue or due in the next 14 days, or one
        organisation's; and only those, so that the list holds what the tile counted (no filter or search left
        from before)."""
        self.status.setCurrentIndex(0)
        self.due.setCurrentIndex(1 if overdue else 2 if due_soon else 0)
        for combo in (self.rag, self.owner, self.meeting):
            combo.setCurrentIndex(0)
        self.organisation.setCurrentIndex(max(0, self.organisation.findData(organisation)))
        self.table.search.clear()
        self._apply_filters()

    # --- on paper ---------------------------------------------------------------------------------
    def filters_in_words(self, table: DataTable) -> str:
        """The filters chosen for the action log, for its printout to say which actions it lists ("Status: Open or
        in progress · Organisation: NCC · Due: Overdue"): every filter but those that leave nothing out."""
        if table is not self.table:
            return ""
        return " · ".join(f"{label}: {combo.currentText()}" for label, combo in self.filters
                          if combo.currentText() not in (ALL, EVERYTHING, ANY_DAY, ""))

    def printed_parts(self) -> list[tuple[str, DataTable | str]]:
        """The Meetings view on paper (see ui/printing.py): the meetings, then the summary of the one chosen, what
        it agreed and what is open to review at it, which is what a manager takes into the meeting (the list
        alone is a few dates). The action log prints as its table: the history beside it is one action's."""
        if self.tabs.currentWidget() is not self.meetings_tab:
            return []
        summary = self.meeting_detail.text()
        return [("", self.meetings), *([("", summary)] if summary != NO_MEETING_CHOSEN else [])]

    # --- gestures ---------------------------------------------------------------------------------
    def quick_add(self) -> None:
        try:
            owner = chosen_person(self.new_owner, "the owner")
        except ValidationError as problem:  # a name typed that is nobody's, or several people's
            show_problem(self, problem, "The action was not added")
            self.new_owner.setFocus()
            return
        title, meeting = self.new_title.text(), self.new_meeting.currentData()
        due, today = self.new_due.date().toPython(), self.today
        added: list[int] = []

        def add(database):
            edit = actions.quick_add(database, title, owner, due, meeting, today=today)
            added.append(edit.action_id)
            return edit

        if self.editor.run(add, "The action was not added"):
            self.new_title.clear()
            self.select_action(added[0])
            self.new_title.setFocus()

    def _chosen(self, title: str) -> ActionLogRow | None:
        """The action the panel shows, as last read; with none, says what to choose (the button otherwise seems to
        do nothing) and takes the user to the list."""
        row = self._shown_row()
        if row is None:
            QMessageBox.information(self, title, "Choose an action first: select its row in the action log.")
            self.table.view.setFocus()
        return row

    def _open(self, dialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def add_update(self) -> None:
        if row := self._chosen("Update"):
            self._open(actions_dialogs.UpdateDialog(self.editor, self, row, self.today))

    def change_status(self) -> None:
        if row := self._chosen("Status"):
            self._open(actions_dialogs.StatusDialog(self.editor, self, row, self.today))

    def revise_due(self) -> None:
        if row := self._chosen("Due date"):
            self._open(actions_dialogs.DueDateDialog(self.editor, self, row, self.today))

    def set_rag(self) -> None:
        if row := self._chosen("RAG"):
            self._open(actions_dialogs.RagDialog(self.editor, self, row))

    def edit_action(self) -> None:
        if (row := self._chosen("Edit action")) is None or self.database is None:
            return
        try:  # the detail is not in the list's rows; read with the version the dialog will be filled from
            found = actions.action_detail(self.database, row.id, self.today)
        except JointleadError as error:
            show_problem(self, error, "Edit action")
            self.editor.refresh()
            return
        self._open(actions_dialogs.EditActionDialog(self.editor, self, found, self._owners, self._meeting_choices))

    def remove_action(self) -> None:
        if (row := self._chosen("Remove action")) is None:
            return
        history = f" and its {row.updates} update{'s' if row.updates != 1 else ''}" if row.updates else ""
        answer = QMessageBox.question(
            self, "Remove action",
            f"Remove {row.reference} ({row.title}){history}?\n\n"
            "Only for an action entered by mistake: it goes from the record with its history, as if never added "
            "(Edit > Undo puts it back), and its reference is never issued again. For one no longer needed, "
            "choose Status… and Cancelled instead, which keeps it on the record with the reason.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        action, seen = row.id, row.version
        self.editor.run(lambda database: actions.remove_action(database, action, seen_version=seen), "Remove action")

    def add_meeting(self) -> None:
        self._open(actions_dialogs.MeetingDialog(self.editor, self, self.today))
