"""The People page's dialogs: add or edit a person, change a line from a date, record a leaver, move reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtWidgets import QLabel, QWidget

from jointlead.domain.errors import JointleadError, ValidationError
from jointlead.domain.reporting_lines import LineKind
from jointlead.services import people
from jointlead.services.people import PersonFields
from jointlead.store.database import Database
from jointlead.ui.forms import FormDialog, Gesture
from jointlead.ui.theme import TONES
from jointlead.ui.undo import Editor

CAREER_STAGES = ("qualified", "newly qualified", "preceptorship", "ASYE", "student", "unqualified")
KINDS = [("Managerial (line manager)", LineKind.MANAGERIAL), ("Professional (professional lead)",
                                                              LineKind.PROFESSIONAL)]


def _wte_text(hundredths: int | None) -> str:
    return "" if hundredths is None else f"{hundredths / 100:.2f}"


def wte_from_text(text: str) -> int | None:
    """"0.6", "1" or "0.75" as hundredths of full time; blank is None. More than two decimals is refused."""
    cleaned = text.strip()
    if not cleaned:
        return None
    whole, _, fraction = cleaned.partition(".")
    if not (whole or "0").isdigit() or (fraction and not fraction.isdigit()) or len(fraction) > 2:
        raise ValidationError(f"'{cleaned}' is not a whole-time equivalent.", "Write it like 1.00 or 0.60.")
    return int(whole or "0") * 100 + int(fraction.ljust(2, "0") or 0)


class PersonDialog(FormDialog):
    """Add a person, or (given their id) change their details."""

    def __init__(self, editor: Editor, parent: QWidget, organisations: Sequence[str], teams: Sequence[str],
                 person_id: int | None = None, current: PersonFields | None = None) -> None:
        adding = person_id is None
        super().__init__(editor, "Add a person" if adding else f"Edit {current.full_name}",
                         "Someone in the joint team, or a lead or supervisor from outside it. Their lines are "
                         "recorded separately, from a date." if adding else
                         "To record that they are leaving, use Record leaver: it also ends their lines.", parent)
        self.person_id = person_id
        now = current or PersonFields("")
        self.name = self.text("Full name", now.full_name)
        self.employer = self.choice("Employer", [("Not recorded", None), *[(o, o) for o in organisations]],
                                    now.employer)
        self.number = self.text("Employee number", now.employee_number or "", "ESR assignment or payroll number")
        self.team = self.choice("Team", [("Outside the team", None), *[(t, t) for t in teams]], now.team)
        self.job_title = self.text("Job title", now.job_title)
        self.profession = self.text("Profession", now.profession, "e.g. social worker, mental health nurse")
        self.body = self.text("Registration body", now.registration_body or "", "NMC, HCPC, GMC, Social Work England")
        self.registration = self.text("Registration number", now.registration_number or "")
        self.grade = self.text("Grade", now.grade, "AfC band or NJC grade")
        self.wte = self.text("Whole-time equivalent", _wte_text(now.wte_hundredths), "1.00 is full time")
        self.start = self.optional_day("Started", now.start_date)
        self.stage = self.choice("Career stage", [(s.capitalize() if s != "ASYE" else s, s) for s in CAREER_STAGES],
                                 now.career_stage)
        self.qualified = self.optional_day("Qualified", now.qualified_date)
        self.seconded = self.tick("Seconded to the other organisation", now.seconded)
        self.hr_supervisor = self.text("HR extract's supervisor", now.hr_supervisor_number or "",
                                       "their employee number, as the HR system has it")
        self.leave_date = now.leave_date

    def gesture(self) -> Gesture:
        fields = PersonFields(
            full_name=self.name.text(), employer=self.employer.currentData(), employee_number=self.number.text(),
            team=self.team.currentData(), job_title=self.job_title.text(), profession=self.profession.text(),
            registration_body=self.body.text(), registration_number=self.registration.text(),
            grade=self.grade.text(), wte_hundredths=wte_from_text(self.wte.text()),
            start_date=self.day_value(self.start), leave_date=self.leave_date, seconded=self.seconded.isChecked(),
            career_stage=self.stage.currentData(), qualified_date=self.day_value(self.qualified),
            hr_supervisor_number=self.hr_supervisor.text())
        if self.person_id is None:
            return lambda database: people.add_person(database, fields)
        person_id = self.person_id
        return lambda database: people.edit_person(database, person_id, fields)


def _warning_label(parent: QWidget) -> QLabel:
    label = QLabel("", parent)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {TONES['warn'][0]};")
    return label


class ChangeLineDialog(FormDialog):
    ok_text = "Change the line"

    def __init__(self, editor: Editor, parent: QWidget, database: Database, person_id: int, name: str,
                 leads: Sequence[tuple[str, int]], today: date, kind: LineKind = LineKind.MANAGERIAL) -> None:
        super().__init__(editor, f"Change {name}'s line",
                         f"From the date chosen, {name} reports to someone new; the line before ends the day "
                         "before, and stays in the history.", parent)
        self.database, self.person_id = database, person_id
        self.kind = self.choice("Line", KINDS, kind)
        self.lead = self.choice("New lead", list(leads))
        self.from_date = self.day("From", today)
        self.note = self.text("Note", placeholder="optional, e.g. restructure agreed at JMB")
        self.warnings = _warning_label(self)
        self.form.addRow(self.warnings)
        for signal in (self.kind.currentIndexChanged, self.lead.currentIndexChanged, self.from_date.dateChanged):
            signal.connect(self._preview)
        self._preview()

    def _preview(self) -> None:
        """Say before saving what the change would warn about or why it would be refused."""
        try:
            found = people.preview_line_change(self.database, self.person_id, self.kind.currentData(),
                                               self.lead.currentData(), self.from_date.date().toPython())
            self.warnings.setText(" ".join(f.message for f in found))
        except JointleadError as refusal:
            self.warnings.setText(f"{refusal.message} {refusal.advice}".strip())

    def gesture(self) -> Gesture:
        person, kind, lead = self.person_id, self.kind.currentData(), self.lead.currentData()
        when, note = self.from_date.date().toPython(), self.note.text()
        return lambda database: people.change_line(database, person, kind, lead, when, note)


class LeaverDialog(FormDialog):
    ok_text = "Record the leaver"

    def __init__(self, editor: Editor, parent: QWidget, database: Database, person_id: int, name: str,
                 today: date) -> None:
        super().__init__(editor, f"{name} is leaving",
                         "Their lines and supervision arrangements, as the person and as the lead, end on their "
                         "last day. Those who then need someone new are listed here; move them with Reassign "
                         "reports afterwards.", parent)
        self.database, self.person_id = database, person_id
        self.last_day = self.day("Last day", today)
        self.needs = QLabel("", self)
        self.needs.setWordWrap(True)
        self.form.addRow(self.needs)
        self.last_day.dateChanged.connect(self._preview)
        self._preview()

    def _preview(self) -> None:
        found = people.to_reassign(self.database, self.person_id, self.last_day.date().toPython())
        if found.nobody:
            self.needs.setText("Nobody reports to them or is supervised by them: nothing needs reassigning.")
            return
        parts = []
        for title, rows in (("Line-managed", found.managerial_reports),
                            ("Professionally led", found.professional_reports)):
            if rows:
                parts.append(f"{title}: " + ", ".join(r.person_name for r in rows) + ".")
        if found.supervisees:
            parts.append("Supervised: " + ", ".join(f"{s.name} ({s.supervision_type})" for s in found.supervisees)
                         + ".")
        self.needs.setText("Will need someone new — " + " ".join(parts))

    def gesture(self) -> Gesture:
        person, last_day = self.person_id, self.last_day.date().toPython()
        return lambda database: people.record_leaver(database, person, last_day)


class ReassignDialog(FormDialog):
    ok_text = "Move them"

    def __init__(self, editor: Editor, parent: QWidget, database: Database, from_id: int, name: str,
                 leads: Sequence[tuple[str, int]], today: date) -> None:
        super().__init__(editor, f"Reassign {name}'s reports",
                         f"Everyone whose line is to {name} on the date moves to the new lead from then, in one "
                         "step that Edit > Undo can take back.", parent)
        self.database, self.from_id = database, from_id
        self.kind = self.choice("Line", KINDS)
        self.lead = self.choice("New lead", [lead for lead in leads if lead[1] != from_id])
        self.from_date = self.day("From", today)
        self.note = self.text("Note", placeholder="optional")
        self.plan = _warning_label(self)
        self.form.addRow(self.plan)
        for signal in (self.kind.currentIndexChanged, self.lead.currentIndexChanged, self.from_date.dateChanged):
            signal.connect(self._preview)
        self._preview()

    def _preview(self) -> None:
        try:
            plan = people.preview_reassignment(self.database, self.from_id, self.lead.currentData(),
                                               self.kind.currentData(), self.from_date.date().toPython())
        except JointleadError as refusal:
            self.plan.setText(f"{refusal.message} {refusal.advice}".strip())
            return
        moving = f"{len(plan.changes)} {'person moves' if len(plan.changes) == 1 else 'people move'}."
        self.plan.setText(" ".join([moving, *(w.message for w in plan.warnings)]))

    def gesture(self) -> Gesture:
        source, kind, lead = self.from_id, self.kind.currentData(), self.lead.currentData()
        when, note = self.from_date.date().toPython(), self.note.text()
        return lambda database: people.reassign_reports(database, source, lead, kind, when, note)
