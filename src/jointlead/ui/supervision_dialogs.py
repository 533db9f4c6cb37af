"""The Supervision page's dialogs: record a session in seconds, a group session, and arrangements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QSpinBox, QWidget

from jointlead.domain.supervision import SessionStatus, SupervisionType
from jointlead.services import supervision
from jointlead.store.database import Database
from jointlead.ui.forms import FormDialog, Gesture, chosen_person
from jointlead.ui.undo import Editor

People = Sequence[tuple[str, int]]  # (shown as, person id)
TYPES = [(t.value.capitalize(), t.value) for t in SupervisionType]


# What the interval field says at its lowest value (0 days): the arrangement follows the policy's interval.
AS_THE_POLICY_SAYS = "As the policy says"
USUAL_MINUTES = 60  # a session's length offered where the policy sets no minimum


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
        person = chosen_person(self.supervisee, "who was supervised")  # their type and supervisor follow, shown
        kind, supervisor = self.kind.currentData(), self.supervisor.currentData()
        on, minutes, status, today = (self.on.date().toPython(), self.duration.value() or None,
                                      self.status.currentData(), self.today)
        return lambda database: supervision.record_session(
            database, person, supervision_type=kind, session_date=on, duration_minutes=minutes, status=status,
            supervisor_id=supervisor, today=today)


class GroupSessionDialog(FormDialog):
    ok_text = "&Record"

    def __init__(self, editor: Editor, parent: QWidget, supervisees: People, supervisors: People,
                 today: date) -> None:
        super().__init__(editor, "Record a group session",
                         "One session for several supervisees: tick who came, and who was expected but did not "
                         "attend (did-not-attend never counts as held).", parent)
        self.today = today
        self.lead = self.person_choice("Led by", list(supervisors))
        self.kind = self.choice("Counts as", [t for t in TYPES if t[1] != SupervisionType.GROUP])
        self.on = self.day("Date", today)
        self.duration = _minutes(self, 90)
        self.form.addRow("Duration", self.duration)
        self.attended = self._people("Came", supervisees)
        self.absent = self._people("Did not attend", supervisees)

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
        self.signed = self.day("Signed on", row.agreement_signed or today)
        self.not_signed = None
        if row.agreement_signed is not None:
            self.not_signed = self.tick("Not signed after all (clear the date recorded)")
            self.not_signed.toggled.connect(lambda ticked: self.signed.setEnabled(not ticked))

    def gesture(self) -> Gesture:
        cleared = self.not_signed is not None and self.not_signed.isChecked()
        arrangement, signed, seen, today = self.arrangement_id, None if cleared else self.signed.date().toPython(), \
            self.version, self.today
        return lambda database: supervision.record_agreement_signed(database, arrangement, signed, seen_version=seen,
                                                                    today=today)
