"""The Actions page's dialogs: an action's details edited, an update, a new status, a revised due date, a RAG set by
hand, a meeting."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from jointlead.domain.actions import ActionStatus, Priority
from jointlead.domain.errors import ValidationError
from jointlead.domain.rag import Rag
from jointlead.services import actions
from jointlead.services.actions import ActionDetail, ActionLogRow
from jointlead.ui.forms import FormDialog, Gesture, chosen_person
from jointlead.ui.undo import Editor


def _text_box(dialog: FormDialog, label: str, placeholder: str) -> QPlainTextEdit:
    field = QPlainTextEdit(dialog)
    field.setPlaceholderText(placeholder)
    field.setFixedHeight(80)
    field.setTabChangesFocus(True)  # Tab moves on, so the dialog stays keyboard-only
    field.setAccessibleName(label)
    dialog.form.addRow(label, field)
    return field


class EditActionDialog(FormDialog):
    ok_text = "&Save"

    def __init__(self, editor: Editor, parent: QWidget, found: ActionDetail,
                 owners: Sequence[tuple[str, int | None]], meetings: Sequence[tuple[str, int | None]]) -> None:
        row = found.row
        super().__init__(editor, f"Edit {row.reference}",
                         "What the action is, who owns it and where it was agreed. The due date, status and RAG "
                         "have buttons of their own, each with its reason.", parent)
        self.found = found
        self.title = self.text("Title", row.title)
        self.title.setAccessibleName("Title")
        self.detail = _text_box(self, "Detail", "More about what is to be done (optional)")
        self.detail.setPlainText(found.detail)
        self.workstream = self.text("Workstream", row.workstream, placeholder="e.g. Urgent care (optional)")
        self.workstream.setAccessibleName("Workstream")
        owners = list(owners)
        if row.owner_id is not None and all(data != row.owner_id for _text, data in owners):
            # An owner who has since left stays the owner until another is chosen: the choice must hold them.
            owners.append((f"{row.owner} ({row.organisation})" if row.organisation else row.owner, row.owner_id))
        self.owner = self.person_choice("Owner", owners)
        self.owner.setCurrentIndex(max(0, self.owner.findData(row.owner_id)))  # None too: "No owner yet"
        self.owner.setAccessibleName("Owner")
        meetings = list(meetings)
        if row.meeting_id is not None and all(data != row.meeting_id for _text, data in meetings):
            meetings.append((row.meeting, row.meeting_id))
        self.meeting = self.choice("Agreed at", meetings)
        self.meeting.setCurrentIndex(max(0, self.meeting.findData(row.meeting_id)))
        self.meeting.setAccessibleName("Meeting that agreed the action")
        self.priority = self.choice("Priority", [(p.value.capitalize(), p.value) for p in Priority], row.priority)
        self.priority.setAccessibleName("Priority")

    def gesture(self) -> Gesture:
        row, found = self.found.row, self.found
        # Only what was changed is sent: an owner sent unchanged would be given their organisation of today, which
        # is a change nobody asked for if they have moved employer since.
        wanted: dict[str, Any] = {}
        if self.title.text().strip() != row.title:
            wanted["title"] = self.title.text()
        if self.detail.toPlainText().strip() != found.detail:
            wanted["detail"] = self.detail.toPlainText()
        if self.workstream.text().strip() != row.workstream:
            wanted["workstream"] = self.workstream.text()
        owner = chosen_person(self.owner, "the owner")
        if owner != row.owner_id:
            wanted["owner_id"] = owner
        if self.meeting.currentData() != row.meeting_id:
            wanted["meeting_id"] = self.meeting.currentData()
        if self.priority.currentData() != row.priority:
            wanted["priority"] = self.priority.currentData()
        action, seen = row.id, row.version
        return lambda database: actions.edit_action(database, action, seen_version=seen, **wanted)


class UpdateDialog(FormDialog):
    ok_text = "&Add update"

    def __init__(self, editor: Editor, parent: QWidget, row: ActionLogRow, today: date) -> None:
        super().__init__(editor, f"Update on {row.reference}",
                         f"{row.title}. Updates are dated and kept: they are never edited or removed.", parent)
        self.row, self.today = row, today
        # The words first: they are what the dialog is opened for, and the date is nearly always today's. Opening in
        # the date turned "Chased finance 3 times" into a mangled date and an empty update.
        self.words = _text_box(self, "Update", "What has happened since the last update")
        self.on = self.day("Date", today)

    def open(self) -> None:
        super().open()
        self.words.setFocus()  # whatever order the form finds its fields in

    def gesture(self) -> Gesture:
        action, text, on, today = self.row.id, self.words.toPlainText(), self.on.date().toPython(), self.today
        return lambda database: actions.add_update(database, action, text, on=on, today=today)


class StatusDialog(FormDialog):
    ok_text = "Change &status"

    def __init__(self, editor: Editor, parent: QWidget, row: ActionLogRow, today: date) -> None:
        super().__init__(editor, f"Status of {row.reference}",
                         f"{row.title}. Completing records the date and the evidence; cancelling needs a reason.",
                         parent)
        self.row, self.today = row, today
        self.status = self.choice("Status", [(s.label, s.value) for s in ActionStatus
                                             if s.value != row.status.value])
        # None chosen: starting at the first other status, one Enter changed the action's status to it.
        self.status.setCurrentIndex(-1)
        self.status.setPlaceholderText(f"Now {row.status.label.lower()}: choose the new status")
        self.completed_on = self.day("Completed on", today)
        self.evidence = self.text("Evidence", placeholder="where the proof is (kept only when completing)")
        self.reason = self.text("Reason", placeholder="why (needed to cancel; kept as a dated update)")
        self.status.currentIndexChanged.connect(lambda _i: self._fit_fields())
        self.evidence.textChanged.connect(lambda _t: self._fit_fields())
        self._fit_fields()

    def _completing(self) -> bool:
        return self.status.currentData() == ActionStatus.COMPLETE.value

    def _fit_fields(self) -> None:
        """The completion date and evidence are kept only for Complete (any other status clears them), so they are
        open only then. Evidence already typed stays open whatever is chosen, so it can be seen and cleared: saving
        refuses to drop it unseen."""
        completing = self._completing()
        self.completed_on.setEnabled(completing)
        self.evidence.setEnabled(completing or bool(self.evidence.text().strip()))

    def gesture(self) -> Gesture:
        action, status, today, seen = self.row.id, self.status.currentData(), self.today, self.row.version
        if status is None:
            raise ValidationError("Choose the new status.", f"{self.row.reference} is "
                                                            f"{self.row.status.label.lower()} until then.")
        completing = self._completing()
        completed = self.completed_on.date().toPython() if completing else None
        evidence, reason = self.evidence.text(), self.reason.text()
        if evidence.strip() and not completing:
            raise ValidationError(f"Evidence is kept only when an action is marked complete, so for "
                                  f"{self.status.currentText()} it would be lost.",
                                  "Clear the evidence, or put what it says in Reason (kept as a dated update), or "
                                  "choose Complete.")
        return lambda database: actions.change_status(database, action, status, completed_on=completed,
                                                      evidence=evidence, reason=reason, today=today,
                                                      seen_version=seen)


class DueDateDialog(FormDialog):
    ok_text = "&Revise"

    def __init__(self, editor: Editor, parent: QWidget, row: ActionLogRow, today: date) -> None:
        super().__init__(editor, f"Revise {row.reference}'s due date",
                         f"Originally due {row.original_due:%d %b %Y}; that date never changes. Each revision is "
                         "kept with its reason.", parent)
        self.row, self.today = row, today
        self.new_due = self.day("New due date", row.due)
        self.reason = self.text("Reason", placeholder="why it moves")

    def gesture(self) -> Gesture:
        action, due, reason, today = self.row.id, self.new_due.date().toPython(), self.reason.text(), self.today
        seen = self.row.version
        return lambda database: actions.revise_due_date(database, action, due, reason, today=today,
                                                        seen_version=seen)


class RagDialog(FormDialog):
    ok_text = "&Set RAG"

    def __init__(self, editor: Editor, parent: QWidget, row: ActionLogRow) -> None:
        super().__init__(editor, f"RAG of {row.reference}",
                         "The RAG follows the usual rule (complete blue, overdue red, due within 14 days and not "
                         "started amber, otherwise green) unless set here, with a reason.", parent)
        self.row = row
        if not row.is_open:
            closed = QLabel(f"{row.reference} is {row.status.label.lower()}, so its RAG is {row.rag.value} whatever "
                            "is set here: a RAG set by hand counts only while an action is open or in progress.", self)
            closed.setWordWrap(True)
            self.form.addRow(closed)
        self.rag = self.choice("RAG", [("Follow the usual rule", None), *[(r.value.capitalize(), r.value)
                                                                           for r in (Rag.RED, Rag.AMBER, Rag.GREEN)]])
        # The RAG in force chosen, so one Enter changes nothing (it says so) rather than undo a RAG set by hand.
        self.rag.setCurrentIndex(max(0, self.rag.findData(row.rag.value)) if row.rag_overridden else 0)
        self.reason = self.text("Reason", placeholder="why it differs from the rule")

    def gesture(self) -> Gesture:
        action, rag, reason, seen = self.row.id, self.rag.currentData(), self.reason.text(), self.row.version
        if rag is not None and not self.row.is_open:
            # The service would keep it (it counts again if the action is reopened), but nothing visible would
            # change: said before saving, rather than a "Done" that seems to do nothing.
            raise ValidationError(f"{self.row.reference} is {self.row.status.label.lower()}, so its RAG stays "
                                  f"{self.row.rag.value}: a RAG set by hand counts only while an action is open or "
                                  "in progress.", "If it is not finished after all, change its status first "
                                  "(Status…), then set the RAG.")
        return lambda database: actions.override_rag(database, action, rag, reason, seen_version=seen)


class MeetingDialog(FormDialog):
    ok_text = "&Add meeting"

    def __init__(self, editor: Editor, parent: QWidget, today: date) -> None:
        super().__init__(editor, "Add a meeting",
                         "A board or meeting where actions are agreed, e.g. the Joint Management Board.", parent)
        self.today = today
        self.name = self.text("Name", placeholder="e.g. Section 75 Partnership Board")
        self.on = self.day("Date", today)

    def gesture(self) -> Gesture:
        name, on, today = self.name.text(), self.on.date().toPython(), self.today
        return lambda database: actions.create_meeting(database, name, on, today=today)
