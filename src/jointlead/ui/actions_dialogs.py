"""The Actions page's dialogs: an update, a new status, a revised due date, a RAG set by hand, a meeting."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QPlainTextEdit, QWidget

from jointlead.domain.actions import ActionStatus
from jointlead.domain.rag import Rag
from jointlead.services import actions
from jointlead.services.actions import ActionLogRow
from jointlead.ui.forms import FormDialog, Gesture
from jointlead.ui.undo import Editor


def _text_box(dialog: FormDialog, label: str, placeholder: str) -> QPlainTextEdit:
    field = QPlainTextEdit(dialog)
    field.setPlaceholderText(placeholder)
    field.setFixedHeight(80)
    field.setTabChangesFocus(True)  # Tab moves on, so the dialog stays keyboard-only
    field.setAccessibleName(label)
    dialog.form.addRow(label, field)
    return field


class UpdateDialog(FormDialog):
    ok_text = "Add update"

    def __init__(self, editor: Editor, parent: QWidget, row: ActionLogRow, today: date) -> None:
        super().__init__(editor, f"Update on {row.reference}",
                         f"{row.title}. Updates are dated and kept: they are never edited or removed.", parent)
        self.row, self.today = row, today
        self.on = self.day("Date", today)
        self.words = _text_box(self, "Update", "What has happened since the last update")

    def gesture(self) -> Gesture:
        action, text, on, today = self.row.id, self.words.toPlainText(), self.on.date().toPython(), self.today
        return lambda database: actions.add_update(database, action, text, on=on, today=today)


class StatusDialog(FormDialog):
    ok_text = "Change status"

    def __init__(self, editor: Editor, parent: QWidget, row: ActionLogRow, today: date) -> None:
        super().__init__(editor, f"Status of {row.reference}",
                         f"{row.title}. Completing records the date and the evidence; cancelling needs a reason.",
                         parent)
        self.row, self.today = row, today
        self.status = self.choice("Status", [(s.label, s.value) for s in ActionStatus
                                             if s.value != row.status.value])
        self.completed_on = self.day("Completed on", today)
        self.evidence = self.text("Evidence", placeholder="for a completed action: where the proof is")
        self.reason = self.text("Reason", placeholder="why (needed to cancel)")

    def gesture(self) -> Gesture:
        action, status, today, seen = self.row.id, self.status.currentData(), self.today, self.row.version
        completed = self.completed_on.date().toPython() if status == ActionStatus.COMPLETE.value else None
        evidence, reason = self.evidence.text(), self.reason.text()
        return lambda database: actions.change_status(database, action, status, completed_on=completed,
                                                      evidence=evidence, reason=reason, today=today,
                                                      seen_version=seen)


class DueDateDialog(FormDialog):
    ok_text = "Revise"

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
    ok_text = "Set RAG"

    def __init__(self, editor: Editor, parent: QWidget, row: ActionLogRow) -> None:
        super().__init__(editor, f"RAG of {row.reference}",
                         "The RAG follows the usual rule (complete blue, overdue red, due within 14 days and not "
                         "started amber, otherwise green) unless set here, with a reason.", parent)
        self.row = row
        self.rag = self.choice("RAG", [("Follow the usual rule", None), *[(r.value.capitalize(), r.value)
                                                                           for r in (Rag.RED, Rag.AMBER, Rag.GREEN)]])
        self.reason = self.text("Reason", placeholder="why it differs from the rule")

    def gesture(self) -> Gesture:
        action, rag, reason, seen = self.row.id, self.rag.currentData(), self.reason.text(), self.row.version
        return lambda database: actions.override_rag(database, action, rag, reason, seen_version=seen)


class MeetingDialog(FormDialog):
    ok_text = "Add meeting"

    def __init__(self, editor: Editor, parent: QWidget, today: date) -> None:
        super().__init__(editor, "Add a meeting",
                         "A board or meeting where actions are agreed, e.g. the Joint Management Board.", parent)
        self.today = today
        self.name = self.text("Name", placeholder="e.g. Section 75 Partnership Board")
        self.on = self.day("Date", today)

    def gesture(self) -> Gesture:
        name, on, today = self.name.text(), self.on.date().toPython(), self.today
        return lambda database: actions.create_meeting(database, name, on, today=today)
