"""The Supervision page's dialogs: a session in seconds, a group session, arrangements, and a person's past sessions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from jointlead.domain.errors import ValidationError
from jointlead.domain.supervision import SessionStatus, SupervisionType
from jointlead.services import supervision
from jointlead.services.picture import count
from jointlead.store.database import Database
from jointlead.ui.forms import FormDialog, Gesture, chosen_person, typable_person
from jointlead.ui.messages import show_problem
from jointlead.ui.page import day_text
from jointlead.ui.table_model import RIGHT, Column
from jointlead.ui.undo import Editor
from jointlead.ui.widgets import DataTable

People = Sequence[tuple[str, int]]  # (shown as, person id)
TYPES = [(t.value.capitalize(), t.value) for t in SupervisionType]


# What the interval field says at its lowest value (0 days): the arrangement follows the policy's interval.
AS_THE_POLICY_SAYS = "As the policy says"
USUAL_MINUTES = 60  # a session's length offered where the policy sets no minimum
# The sessions a person's list shows, most recent first: a mistake to put right is among the latest, and the list
# says how many more are recorded.
RECENT_SESSIONS = 50
NAME_WIDTH = 200  # a supervisor's name in the list of sessions; longer is elided, whole in the tooltip


def _minutes(parent: QWidget, value: int) -> QSpinBox:
    field = QSpinBox(parent)
    field.setRange(0, 600)
    field.setSingleStep(15)
    field.setSuffix(" minutes")
    field.setSpecialValueText("Not recorded")
    field.setValue(value)
    return field


class SessionDialog(FormDialog):
    """Pick the supervisee; the type and supervisor follow from their arrangements, the date is today: Enter.

    Opened from a row of a supervision table, the dialog starts at that row's person and type (`supervisee_id`,
    `supervision_type`): the row chosen was the supervision held. Opened with no row chosen, nobody is chosen: had
    it started at the first name in the list, one Enter would record a session that person never had.
    """

    ok_text = "&Record"

    def __init__(self, editor: Editor, parent: QWidget, database: Database, supervisees: People,
                 supervisors: People, today: date, supervisee_id: int | None = None,
                 supervision_type: str | None = None) -> None:
        super().__init__(editor, "Record a supervision session",
                         "That supervision happened, when and with whom — never what was discussed.", parent)
        self.database, self.today = database, today
        self.supervisee = self.person_choice("Supervisee", list(supervisees), supervisee_id)
        self.kind = self.choice("Type", TYPES)
        self.supervisor = self.choice("Supervisor", [("The arranged supervisor", None), *supervisors])
        self.on = self.day("Date", today)
        self.duration = _minutes(self, USUAL_MINUTES)
        # The length the form last offered: while the duration still shows it, it follows the arrangement chosen
        # (a social worker's professional supervision is 90 minutes at least); once typed over, it is the user's.
        self._offered_minutes = USUAL_MINUTES
        self.form.addRow("Duration", self.duration)
        self.status = self.choice("It was", [(s.value.capitalize(), s.value) for s in SessionStatus])
        self.supervisee.currentIndexChanged.connect(lambda _index: self._defaults())
        # Who is arranged depends on the type and the day as much as on the person: each change shows them again.
        self.kind.currentIndexChanged.connect(self._arranged_supervisor)
        self.on.dateChanged.connect(self._arranged_supervisor)
        self._defaults(supervision_type if supervisee_id is not None else None)

    def _defaults(self, supervision_type: str | None = None) -> None:
        """The type given, or else that of the supervisee's arrangement due soonest on the day, as the service would
        take it; and the supervisor arranged for it."""
        person = self.supervisee.currentData()
        if person is not None and supervision_type is None:
            supervision_type = supervision.session_defaults(self.database, person,
                                                            self.on.date().toPython()).supervision_type
        if supervision_type:
            self.kind.blockSignals(True)  # the supervisor is shown once, below, not once per change
            self.kind.setCurrentIndex(self.kind.findData(supervision_type))
            self.kind.blockSignals(False)
        self._arranged_supervisor()

    def _arranged_supervisor(self) -> None:
        """Show who is arranged to supervise the supervisee in the type chosen on the session's day, and record them
        by id rather than leave the service to look again: what the form shows is what is recorded."""
        person, kind = self.supervisee.currentData(), self.kind.currentData()
        if person is None:
            self.supervisor.setItemText(0, "The arranged supervisor")
            self.supervisor.setItemData(0, None)
            return
        rows = supervision.person_supervision(self.database, person, self.on.date().toPython()).rows
        # Soonest due first, as session_defaults orders them, should two arrangements of a type overlap.
        arranged = sorted((r for r in rows if r.arrangement_id is not None and r.supervision_type == kind),
                          key=lambda r: r.next_due or date.max)
        self._offer_minutes(arranged[0].min_minutes if arranged else None)
        if not arranged:
            text = f"No {kind} supervision arranged"
        elif arranged[0].supervisor:
            text = f"{arranged[0].supervisor} (arranged)"
        else:
            text = "No supervisor named in the arrangement"
        self.supervisor.setItemText(0, text)
        self.supervisor.setItemData(0, arranged[0].supervisor_id if arranged else None)

    def _offer_minutes(self, minimum: int | None) -> None:
        offered = minimum or USUAL_MINUTES
        if self.duration.value() == self._offered_minutes:
            self.duration.setValue(offered)
        self._offered_minutes = offered

    def gesture(self) -> Gesture:
        # A name typed rather than picked is resolved here, which sets the supervisee shown; their defaults are held
        # back while it is, as they would replace the type and supervisor the form shows before those are read.
        with QSignalBlocker(self.supervisee):
            person = chosen_person(self.supervisee, "who was supervised")
        kind, supervisor = self.kind.currentData(), self.supervisor.currentData()
        on, minutes, status, today = (self.on.date().toPython(), self.duration.value() or None,
                                      self.status.currentData(), self.today)
        return lambda database: supervision.record_session(
            database, person, supervision_type=kind, session_date=on, duration_minutes=minutes, status=status,
            supervisor_id=supervisor, today=today)


class GroupSessionDialog(FormDialog):
    """What the session counts as starts at what the service would take for those ticked on the day (group
    supervision where any has it arranged), and follows the ticks and the date until a type is chosen."""

    ok_text = "&Record"

    def __init__(self, editor: Editor, parent: QWidget, database: Database, supervisees: People,
                 supervisors: People, today: date) -> None:
        super().__init__(editor, "Record a group session",
                         "One session for several supervisees: tick who came, and who was expected but did not "
                         "attend (did-not-attend never counts as held). It counts towards the type in Counts as: "
                         "group supervision, where those ticked have it arranged, or the supervision it stands for, "
                         "such as professional for group clinical supervision.", parent)
        self.database, self.today = database, today
        self.lead = self.person_choice("Led by", list(supervisors))
        self.kind = self.choice("Counts as", TYPES)
        self._kind_chosen = False
        self.kind.activated.connect(self._choose_kind)  # the user's choice alone: never a change made below
        self.on = self.day("Date", today)
        self.duration = _minutes(self, 90)
        self.form.addRow("Duration", self.duration)
        self.attended = self._people("Came", supervisees)
        self.absent = self._people("Did not attend", supervisees)
        for field in (self.attended, self.absent):
            field.itemChanged.connect(self._follow_kind)
        self.on.dateChanged.connect(self._follow_kind)
        self._follow_kind()

    def _choose_kind(self) -> None:
        self._kind_chosen = True

    def _follow_kind(self) -> None:
        if self._kind_chosen:
            return
        everyone = {*self.ticked(self.attended), *self.ticked(self.absent)}
        kind = supervision.group_session_type(self.database, everyone, self.on.date().toPython())
        self.kind.setCurrentIndex(self.kind.findData(kind))

    def _people(self, label: str, supervisees: People) -> QListWidget:
        field = QListWidget(self)
        field.setAccessibleName(label)
        field.setFixedHeight(120)
        for text, person_id in supervisees:
            item = QListWidgetItem(text, field)
            item.setData(Qt.ItemDataRole.UserRole, person_id)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.form.addRow(label, field)
        return field

    @staticmethod
    def ticked(field: QListWidget) -> list[int]:
        return [field.item(i).data(Qt.ItemDataRole.UserRole) for i in range(field.count())
                if field.item(i).checkState() == Qt.CheckState.Checked]

    def gesture(self) -> Gesture:
        absent = self.ticked(self.absent)
        everyone = list(dict.fromkeys([*self.ticked(self.attended), *absent]))
        lead, kind, on, minutes = (chosen_person(self.lead, "who led the session"), self.kind.currentData(),
                                   self.on.date().toPython(), self.duration.value() or None)
        today = self.today
        return lambda database: supervision.record_group_session(
            database, everyone, supervisor_id=lead, session_date=on, duration_minutes=minutes,
            supervision_type=kind, did_not_attend=absent, today=today)


class ArrangementDialog(FormDialog):
    ok_text = "&Arrange"

    def __init__(self, editor: Editor, parent: QWidget, supervisees: People, supervisors: People, today: date,
                 supervisee_id: int | None = None) -> None:
        super().__init__(editor, "Arrange supervision",
                         f"Who supervises whom, of which type, from when. Leave the interval at “{AS_THE_POLICY_SAYS}” "
                         "to follow the policy (including the newly-qualified schedule), or set the days between "
                         "sessions this arrangement needs.", parent)
        self.today = today
        self.supervisee = self.person_choice("Supervisee", list(supervisees), supervisee_id)
        self.kind = self.choice("Type", TYPES)
        self.supervisor = self.person_choice("Supervisor", list(supervisors))
        self.start = self.day("From", today)
        self.interval = QSpinBox(self)
        self.interval.setRange(0, 366)
        self.interval.setSuffix(" days")
        self.interval.setSpecialValueText(AS_THE_POLICY_SAYS)  # the lowest value, 0: no interval of its own
        self.form.addRow("Interval", self.interval)
        self.signed = self.optional_day("Agreement signed", None)

    def gesture(self) -> Gesture:
        person = chosen_person(self.supervisee, "who is to be supervised")
        kind, supervisor = self.kind.currentData(), chosen_person(self.supervisor, "the supervisor")
        start, interval, signed, today = self.start.date().toPython(), self.interval.value() or None, \
            self.day_value(self.signed), self.today
        return lambda database: supervision.add_arrangement(database, person, kind, supervisor, start,
                                                            interval_days=interval, agreement_signed=signed,
                                                            today=today)


class EndArrangementDialog(FormDialog):
    ok_text = "&End it"

    def __init__(self, editor: Editor, parent: QWidget, row: supervision.ComplianceRow, today: date) -> None:
        super().__init__(editor, "End an arrangement",
                         f"{row.supervisee}'s {row.supervision_type} supervision with {row.supervisor or 'nobody'} "
                         "ends on the day chosen (its last day).", parent)
        self.arrangement_id, self.version, self.today = row.arrangement_id, row.version, today
        self.last_day = self.day("Last day", today)

    def gesture(self) -> Gesture:
        arrangement, last_day, seen, today = self.arrangement_id, self.last_day.date().toPython(), self.version, \
            self.today
        return lambda database: supervision.end_arrangement(database, arrangement, last_day, seen_version=seen,
                                                            today=today)


class ChangeSupervisorDialog(FormDialog):
    ok_text = "Change &supervisor"

    def __init__(self, editor: Editor, parent: QWidget, row: supervision.ComplianceRow, supervisors: People,
                 today: date) -> None:
        super().__init__(editor, f"Change {row.supervisee}'s supervisor",
                         f"Their {row.supervision_type} supervision moves to someone else from the date chosen; the "
                         "arrangement until then stays in the record. A new supervisor needs a new signed "
                         "agreement.", parent)
        self.arrangement_id, self.version, self.today = row.arrangement_id, row.version, today
        self.supervisor = self.person_choice("New supervisor", [s for s in supervisors
                                                                 if s[1] not in (row.supervisor_id, row.supervisee_id)])
        self.from_date = self.day("From", today)

    def gesture(self) -> Gesture:
        supervisor = chosen_person(self.supervisor, "the new supervisor")
        arrangement, when, seen, today = self.arrangement_id, self.from_date.date().toPython(), self.version, self.today
        return lambda database: supervision.change_arrangement(database, arrangement, when, supervisor_id=supervisor,
                                                               seen_version=seen, today=today)


def _day_or_not(form: FormDialog, label: str, recorded: date | None, today: date,
                not_after_all: str) -> tuple[QDateEdit, QCheckBox | None]:
    """The day something was done, starting at the day recorded (to correct it) or today; with a day recorded, a
    tick (`not_after_all`) to clear it, for one recorded by mistake."""
    day = form.day(label, recorded or today)
    cleared = None
    if recorded is not None:
        cleared = form.tick(f"{not_after_all} (clear the date recorded)")
        cleared.toggled.connect(lambda ticked: day.setEnabled(not ticked))
    return day, cleared


def _day_chosen(day: QDateEdit, cleared: QCheckBox | None) -> date | None:
    return None if cleared is not None and cleared.isChecked() else day.date().toPython()


class AgreementSignedDialog(FormDialog):
    """The day the written supervision agreement was signed: a new arrangement's, or a new supervisor's (a change of
    supervisor leaves it unsigned); or, for one recorded by mistake, that it is not signed after all."""

    ok_text = "&Record"

    def __init__(self, editor: Editor, parent: QWidget, row: supervision.ComplianceRow, today: date) -> None:
        with_whom = f" with {row.supervisor}" if row.supervisor else ""
        super().__init__(editor, "Supervision agreement signed",
                         f"The day {row.supervisee} and their supervisor signed the written agreement for their "
                         f"{row.supervision_type} supervision{with_whom}.", parent)
        self.arrangement_id, self.version, self.today = row.arrangement_id, row.version, today
        self.signed, self.not_signed = _day_or_not(self, "Signed on", row.agreement_signed, today,
                                                   "Not signed after all")

    def gesture(self) -> Gesture:
        arrangement, signed, seen, today = self.arrangement_id, _day_chosen(self.signed, self.not_signed), \
            self.version, self.today
        return lambda database: supervision.record_agreement_signed(database, arrangement, signed, seen_version=seen,
                                                                    today=today)


class SessionConfirmedDialog(FormDialog):
    """The day the supervisee confirmed that a session took place; or, for one recorded by mistake, that they have
    not confirmed it after all."""

    ok_text = "&Record"

    def __init__(self, editor: Editor, parent: QWidget, supervisee: str, row: supervision.SessionRow,
                 today: date) -> None:
        with_whom = f" with {row.supervisor}" if row.supervisor else ""
        super().__init__(editor, "Supervisee confirmed",
                         f"The day {supervisee} confirmed that their {row.supervision_type} session of "
                         f"{day_text(row.session_date)}{with_whom} took place.", parent)
        self.session_id, self.version, self.today = row.id, row.version, today
        self.confirmed, self.not_confirmed = _day_or_not(self, "Confirmed on", row.supervisee_confirmed, today,
                                                         "Not confirmed after all")

    def gesture(self) -> Gesture:
        session, confirmed, seen, today = self.session_id, _day_chosen(self.confirmed, self.not_confirmed), \
            self.version, self.today
        return lambda database: supervision.record_session_confirmed(database, session, confirmed,
                                                                     seen_version=seen, today=today)


def _length(row: supervision.SessionRow) -> str:
    return f"{row.duration_minutes} min" if row.duration_minutes else ""


SESSION_COLUMNS = [
    Column("Date", lambda s: day_text(s.session_date), sort_key=lambda s: s.session_date),
    Column("Type", lambda s: s.supervision_type.capitalize()),
    Column("Supervisor", lambda s: s.supervisor or "none named", tone=lambda s: None if s.supervisor else "muted",
           max_width=NAME_WIDTH),
    # Only a session held counts: the others are told apart at a glance.
    Column("Status", lambda s: s.status.capitalize(),
           tone=lambda s: None if s.status == SessionStatus.HELD else "warn"),
    Column("Length", _length, sort_key=lambda s: s.duration_minutes, align=RIGHT),
    Column("1:1 or\ngroup", lambda s: "group" if s.group_key else "1:1"),
    Column("Supervisee\nconfirmed", lambda s: day_text(s.supervisee_confirmed) or "no",
           sort_key=lambda s: s.supervisee_confirmed),
    Column("Recorded by", lambda s: s.recorded_by, max_width=NAME_WIDTH),
]


class SessionsDialog(QDialog):
    """A person's sessions, the most recent first, as recorded: when, of what type, with whom and how it went. One
    recorded by mistake is removed here; Edit > Undo puts it back, as for any change."""

    def __init__(self, editor: Editor, parent: QWidget, database: Database, supervisees: People, today: date,
                 supervisee_id: int | None = None) -> None:
        super().__init__(parent)
        self.editor, self.database, self.today = editor, database, today
        self.shown_name = ""  # whose sessions the list shows
        self.setWindowTitle("Supervision sessions recorded")
        self.resize(940, 520)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)  # sized once, above, before showing
        intro = QLabel("Each session recorded for someone, most recent first: that it happened, when and with "
                       "whom — never what was discussed. Here a session recorded by mistake is removed, and the day "
                       "the supervisee confirmed one is recorded.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.supervisee = QComboBox(self)
        for text, person_id in supervisees:
            self.supervisee.addItem(text, person_id)
        typable_person(self.supervisee, "Supervisee")
        self.supervisee.setCurrentIndex(self.supervisee.findData(supervisee_id) if supervisee_id is not None else -1)
        form.addRow("&Supervisee", self.supervisee)
        layout.addLayout(form)
        self.summary = QLabel("", self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = DataTable("sessions", SESSION_COLUMNS, "", self, stretch_column=2)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(self)
        self.confirmed_button = buttons.addButton("Supervisee &confirmed…", QDialogButtonBox.ButtonRole.ActionRole)
        self.confirmed_button.clicked.connect(self.supervisee_confirmed)
        self.remove_button = buttons.addButton("&Remove session…", QDialogButtonBox.ButtonRole.ActionRole)
        self.remove_button.clicked.connect(self.remove_session)
        close = buttons.addButton("Cl&ose", QDialogButtonBox.ButtonRole.RejectRole)
        # Enter in the name finds who was typed, and never closes the list: no button is pressed by Enter.
        for button in (self.confirmed_button, self.remove_button, close):
            button.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.supervisee.currentIndexChanged.connect(lambda _index: self.show_sessions())
        self.supervisee.lineEdit().returnPressed.connect(self._find_typed)
        self.show_sessions()

    def _find_typed(self) -> None:
        """The one person whose name holds what was typed, as the forms find them; refused in words otherwise."""
        try:
            chosen_person(self.supervisee, "whose sessions to see")
        except ValidationError as problem:
            show_problem(self, problem, self.windowTitle())

    def show_sessions(self) -> None:
        """The chosen person's sessions as now recorded, still at the session chosen if it is still there."""
        person = self.supervisee.currentData() if self.supervisee.currentIndex() >= 0 else None
        chosen = self.table.current_row()
        if person is None:
            self.summary.setText("Choose whose sessions to see: type part of their name and pick them from the list.")
            self.table.empty.setText("Nobody is chosen yet.")
            self._show([], None)
            return
        theirs = supervision.person_supervision(self.database, person, self.today, recent=RECENT_SESSIONS)
        self.shown_name = theirs.name
        shown, recorded = len(theirs.sessions), theirs.sessions_recorded
        if not recorded:
            said = f"No sessions are recorded for {theirs.name}."
        elif shown < recorded:
            said = f"{theirs.name} has {recorded:,} sessions recorded: the {shown} most recent are shown."
        else:
            said = f"{count(recorded, 'session is', 'sessions are')} recorded for {theirs.name}."
        self.summary.setText(said)
        self.table.empty.setText("None yet: Record session… on the Supervision page records one.")
        self._show(theirs.sessions, chosen.id if chosen is not None else None)

    def _show(self, sessions: Sequence[supervision.SessionRow], chosen_id: int | None) -> None:
        self.table.set_rows(sessions)
        model = self.table.model
        again = next((r for r in range(model.rowCount()) if model.row_at(r).id == chosen_id), None)
        if again is not None:
            self.table.view.selectRow(again)
        for button in (self.confirmed_button, self.remove_button):  # nothing to choose, so nothing to do
            button.setEnabled(bool(sessions))

    def _chosen(self, title: str, which: str) -> supervision.SessionRow | None:
        """The session chosen in the list; with none, says which to choose and goes to the list."""
        chosen = self.table.current_row()
        if chosen is None:
            self.table.ask_to_choose(title, f"Choose the session {which} first: select its row in the list of "
                                     "sessions.")
        return chosen

    def supervisee_confirmed(self) -> None:
        chosen = self._chosen("Supervisee confirmed", "the supervisee confirmed")
        if chosen is None:
            return
        dialog = SessionConfirmedDialog(self.editor, self, self.shown_name, chosen, self.today)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: self.show_sessions())
        dialog.open()

    def remove_session(self) -> None:
        chosen = self._chosen("Remove session", "recorded by mistake")
        if chosen is None:
            return
        name = self.shown_name
        with_whom = f" with {chosen.supervisor}" if chosen.supervisor else ""
        group = " Only theirs goes from the group session: the others' stay." if chosen.group_key else ""
        answer = QMessageBox.question(
            self, "Remove session",
            f"Remove {name}'s {chosen.supervision_type} session of {day_text(chosen.session_date)}{with_whom}, "
            f"recorded as {chosen.status}?\n\nOnly for a session recorded by mistake: it goes from the record, and "
            f"from compliance, as if never recorded (Edit > Undo puts it back).{group}")
        if answer != QMessageBox.StandardButton.Yes:
            return
        session_id, seen = chosen.id, chosen.version
        if self.editor.run(lambda database: supervision.remove_session(database, session_id, seen_version=seen),
                           "Remove session") or self.editor.reloaded:
            self.show_sessions()
