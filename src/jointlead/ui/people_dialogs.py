"""The People page's dialogs: add a team, add or edit a person, change a line from a date, record a leaver, move
reports, and erase a person for data protection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtWidgets import QDialogButtonBox, QLabel, QMessageBox, QWidget

from jointlead.domain.errors import JointleadError, ValidationError
from jointlead.domain.reporting_lines import LineKind
from jointlead.domain.words import listed
from jointlead.services import erasure, people
from jointlead.services.people import LineRow, PersonFields
from jointlead.services.picture import count
from jointlead.store.database import Database
from jointlead.ui.forms import FormDialog, Gesture, chosen_person
from jointlead.ui.messages import show_problem
from jointlead.ui.page import day_text
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


class TeamDialog(FormDialog):
    """Add a team, so that people can be placed in it."""

    ok_text = "&Add the team"

    def __init__(self, editor: Editor, parent: QWidget, teams: Sequence[str]) -> None:
        recorded = (f"Teams recorded: {', '.join(teams)}." if teams else "No team is recorded yet.")
        super().__init__(editor, "Add a team",
                         "A team of the joint service. Once added, it is offered when a person is added or edited, "
                         "and its active members are the service's staff. " + recorded, parent)
        self.name = self.text("Name", placeholder="e.g. North Locality CMHT")

    def gesture(self) -> Gesture:
        name = self.name.text()
        return lambda database: people.add_team(database, name)


class PersonDialog(FormDialog):
    """Add a person, or (given their id) change their details."""

    def __init__(self, editor: Editor, parent: QWidget, organisations: Sequence[str], teams: Sequence[str],
                 today: date, person_id: int | None = None, current: PersonFields | None = None) -> None:
        adding = person_id is None
        no_team = "" if teams else (" No team is recorded yet: to place them in one, cancel and use Add team… "
                                    "first.")
        super().__init__(editor, "Add a person" if adding else f"Edit {current.full_name}",
                         "Someone in the joint team, or a lead or supervisor from outside it. Their lines are "
                         "recorded separately, from a date." + no_team if adding else
                         "To record that they are leaving, use Record leaver: it also ends their lines." + no_team,
                         parent)
        self.person_id, self.today = person_id, today
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
        self.version = now.version

    def gesture(self) -> Gesture:
        fields = PersonFields(
            full_name=self.name.text(), employer=self.employer.currentData(), employee_number=self.number.text(),
            team=self.team.currentData(), job_title=self.job_title.text(), profession=self.profession.text(),
            registration_body=self.body.text(), registration_number=self.registration.text(),
            grade=self.grade.text(), wte_hundredths=wte_from_text(self.wte.text()),
            start_date=self.day_value(self.start), leave_date=self.leave_date, seconded=self.seconded.isChecked(),
            career_stage=self.stage.currentData(), qualified_date=self.day_value(self.qualified),
            hr_supervisor_number=self.hr_supervisor.text(), version=self.version)
        today = self.today
        if self.person_id is None:
            return lambda database: people.add_person(database, fields, today=today)
        person_id = self.person_id
        return lambda database: people.edit_person(database, person_id, fields, today=today)


def _warning_label(parent: QWidget) -> QLabel:
    label = QLabel("", parent)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {TONES['warn'][0]};")
    return label


class ChangeLineDialog(FormDialog):
    """Change a person's line from a date. `lines`: their own lines (both kinds) as shown, whose versions go with
    the change, so that it is refused if someone else has changed their line of that kind since."""

    ok_text = "Change the &line"

    def __init__(self, editor: Editor, parent: QWidget, database: Database, person_id: int, name: str,
                 leads: Sequence[tuple[str, int]], today: date, kind: LineKind = LineKind.MANAGERIAL,
                 lines: Sequence[LineRow] | None = None) -> None:
        super().__init__(editor, f"Change {name}'s line",
                         f"From the date chosen, {name} reports to someone new; the line before ends the day "
                         "before, and stays in the history.", parent)
        self.database, self.person_id, self.lines, self.today = database, person_id, lines, today
        self.kind = self.choice("Line", KINDS, kind)
        self.lead = self.person_choice("New lead", list(leads))
        self.from_date = self.day("From", today)
        self.note = self.text("Note", placeholder="optional, e.g. restructure agreed at JMB")
        self.warnings = _warning_label(self)
        self.form.addRow(self.warnings)
        for signal in (self.kind.currentIndexChanged, self.lead.currentIndexChanged, self.from_date.dateChanged):
            signal.connect(self._preview)
        self._preview()

    def _preview(self) -> None:
        """Say before saving what the change would warn about or why it would be refused."""
        if self.lead.currentData() is None:  # nobody picked yet
            self.warnings.setText("")
            return
        try:
            found = people.preview_line_change(self.database, self.person_id, self.kind.currentData(),
                                               self.lead.currentData(), self.from_date.date().toPython(),
                                               today=self.today)
            self.warnings.setText(" ".join(f.message for f in found))
        except JointleadError as refusal:
            self.warnings.setText(f"{refusal.message} {refusal.advice}".strip())

    def gesture(self) -> Gesture:
        lead = chosen_person(self.lead, "the new lead")
        person, kind = self.person_id, self.kind.currentData()
        when, note = self.from_date.date().toPython(), self.note.text()
        seen = None if self.lines is None else {ln.id: ln.version for ln in self.lines if ln.kind == kind}
        today = self.today
        return lambda database: people.change_line(database, person, kind, lead, when, note, seen_lines=seen,
                                                   today=today)


class EndLineDialog(FormDialog):
    """End one of a person's lines with nobody taking it over: for a line no longer needed (a professional line
    when their line manager is now of their own profession), not for a new lead, which Change line records."""

    ok_text = "&End the line"

    def __init__(self, editor: Editor, parent: QWidget, name: str, lines: Sequence[LineRow], today: date) -> None:
        super().__init__(editor, f"End one of {name}'s lines",
                         "The line ends on its last day and nobody takes it over; it stays in the history. For a "
                         "new lead instead, use Change line.", parent)
        self.today = today
        self.versions = {line.id: line.version for line in lines}
        self.line = self.choice("Line", [(_line_words(line), line.id) for line in lines])
        self.last_day = self.day("Last day", today)

    def gesture(self) -> Gesture:
        line, last_day, today = self.line.currentData(), self.last_day.date().toPython(), self.today
        seen = self.versions[line]
        return lambda database: people.end_line(database, line, last_day, seen_version=seen, today=today)


def _line_words(line: LineRow) -> str:
    """'Professional: Priya Shah (NFT), since 01 Apr 2024': a line as the choice of which to end shows it."""
    lead = f"{line.lead_name} ({line.lead_employer})" if line.lead_employer else line.lead_name
    until = f" until {day_text(line.effective_to)}" if line.effective_to else ""
    return f"{line.kind.capitalize()}: {lead}, since {day_text(line.effective_from)}{until}"


class LeaverDialog(FormDialog):
    ok_text = "&Record the leaver"

    def __init__(self, editor: Editor, parent: QWidget, database: Database, person_id: int, name: str,
                 today: date) -> None:
        super().__init__(editor, f"{name} is leaving",
                         "Their lines and supervision arrangements, as the person and as the lead, end on their "
                         "last day. Those who then need someone new are listed here; move them with Reassign "
                         "reports afterwards.", parent)
        self.database, self.person_id, self.today = database, person_id, today
        self.shown: people.ToReassign | None = None  # the preview last shown: what the leaver is recorded from
        self.last_day = self.day("Last day", today)
        self.needs = QLabel("", self)
        self.needs.setWordWrap(True)
        self.form.addRow(self.needs)
        self.last_day.dateChanged.connect(self._preview)
        self._preview()

    def _preview(self) -> None:
        found = self.shown = people.to_reassign(self.database, self.person_id, self.last_day.date().toPython())
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
        person, last_day, shown, today = self.person_id, self.last_day.date().toPython(), self.shown, self.today
        return lambda database: people.record_leaver(database, person, last_day, seen_version=shown.version,
                                                     seen_lines=shown.line_versions,
                                                     seen_arrangements=shown.arrangement_versions, today=today)


class ReassignDialog(FormDialog):
    ok_text = "&Move them"

    def __init__(self, editor: Editor, parent: QWidget, database: Database, from_id: int, name: str,
                 leads: Sequence[tuple[str, int]], today: date) -> None:
        super().__init__(editor, f"Reassign {name}'s reports",
                         f"Everyone whose line is to {name} on the date moves to the new lead from then, in one "
                         "step that Edit > Undo can take back.", parent)
        self.database, self.from_id, self.today = database, from_id, today
        # The lines the preview last showed moving, version by id ({} when it showed a refusal): if someone else
        # changes one before OK, or gives the old lead another report, the move is refused.
        self.moving: dict[int, int] = {}
        self.kind = self.choice("Line", KINDS)
        self.lead = self.person_choice("New lead", [lead for lead in leads if lead[1] != from_id])
        self.from_date = self.day("From", today)
        self.note = self.text("Note", placeholder="optional")
        self.plan = _warning_label(self)
        self.form.addRow(self.plan)
        for signal in (self.kind.currentIndexChanged, self.lead.currentIndexChanged, self.from_date.dateChanged):
            signal.connect(self._preview)
        self._preview()

    def _preview(self) -> None:
        self.moving = {}
        if self.lead.currentData() is None:
            self.plan.setText("Pick the new lead to see who moves.")
            return
        try:
            plan = people.preview_reassignment(self.database, self.from_id, self.lead.currentData(),
                                               self.kind.currentData(), self.from_date.date().toPython(),
                                               today=self.today)
        except JointleadError as refusal:
            self.plan.setText(f"{refusal.message} {refusal.advice}".strip())
            return
        self.moving = dict(plan.line_versions)
        moving = f"{len(plan.changes)} {'person moves' if len(plan.changes) == 1 else 'people move'}."
        self.plan.setText(" ".join([moving, *(w.message for w in plan.warnings)]))

    def gesture(self) -> Gesture:
        lead = chosen_person(self.lead, "the new lead")  # picked from what was typed, its preview taken first
        source, kind = self.from_id, self.kind.currentData()
        when, note, seen, today = self.from_date.date().toPython(), self.note.text(), self.moving, self.today
        return lambda database: people.reassign_reports(database, source, lead, kind, when, note, seen_lines=seen,
                                                        today=today)


def _same_name(typed: str, name: str) -> bool:
    return " ".join(typed.split()).casefold() == " ".join(name.split()).casefold()


class EraseDialog(FormDialog):
    """Erase a person for data protection: says what goes, needs their name typed and a reason. Not undoable."""

    ok_text = "&Erase for good"

    def __init__(self, editor: Editor, parent: QWidget, database: Database, person_id: int, today: date) -> None:
        preview = erasure.erasure_preview(database, person_id, today)
        name = preview.full_name
        super().__init__(editor, f"Erase {name} (data protection)",
                         f"This removes {name} and every trace of them: their record, their reporting lines and "
                         "supervision, the lines of those they lead, and their name and numbers wherever they are "
                         "written, in the audit log too. The audit log keeps only that a person was erased, when "
                         "and why.\n\nIt cannot be undone, and is not on Edit > Undo; earlier changes that involved "
                         "them can no longer be undone either. Workbooks exported before still hold them.", parent)
        self.database, self.person_id, self.today, self.name = database, person_id, today, name
        what = QLabel(_erasure_summary(preview), self)
        what.setWordWrap(True)
        self.form.addRow(what)
        self.typed = self.text("Type their full name", placeholder=name)
        self.reason = self.text("Reason", placeholder="e.g. erasure request ER-7 (not their name)")
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(False)
        self.typed.textChanged.connect(self._confirmable)
        self.reason.textChanged.connect(self._confirmable)

    def _confirmable(self) -> None:
        self.ok.setEnabled(_same_name(self.typed.text(), self.name) and bool(self.reason.text().strip()))

    def _save(self) -> None:
        """Not a gesture for the undo stack: erasure is final, and the stack's older edits may involve them."""
        if not (_same_name(self.typed.text(), self.name) and self.reason.text().strip()):
            return
        try:
            report = erasure.erase_person(self.database, self.person_id, reason=self.reason.text(), today=self.today)
        except JointleadError as error:
            show_problem(self, error, self.windowTitle())
            return
        self.editor.stack.clear()
        self.editor.refresh()
        parent = self.parentWidget()
        self.accept()
        QMessageBox.information(parent, "Person erased", _erasure_done(report))


def _erasure_summary(preview: erasure.ErasurePreview) -> str:
    """What will go and what stays, a paragraph each, the copies that hold them apart so they are not missed."""
    going = [count(n, one, many) for n, one, many in (
        (preview.own_lines, "reporting line", "reporting lines"),
        (preview.arrangements, "supervision arrangement", "supervision arrangements"),
        (preview.sessions, "supervision session", "supervision sessions")) if n]
    paragraphs = [f"Their {listed(going)} go."] if going else []
    if preview.reports:
        paragraphs.append(f"These lose their line to them, and will need a new lead: {listed(preview.reports)}.")
    staying = [count(n, one, many) for n, one, many in (
        (len(preview.supervising), "arrangement", "arrangements"),
        (preview.sessions_given, "session", "sessions")) if n]
    kept = [f"{listed(staying)} they supervise stay, with no supervisor"] if staying else []
    if preview.actions:
        kept.append(f"{count(preview.actions, 'action', 'actions')} they own stay, with no owner")
    if kept:
        paragraphs.append(f"{'; '.join(kept)}.")
    return "\n\n".join([*paragraphs, *preview.copies_notes()])


def _erasure_done(report: erasure.ErasureReport) -> str:
    done = [f"{count(report.rows_removed_total, 'record', 'records')} removed"]
    references = sum(n for _c, n in report.references_cleared)
    if references:
        done.append(f"{count(references, 'reference to them', 'references to them')} cleared")
    places = [count(n, one, many) for n, one, many in (
        (report.text_values_scrubbed, "other value", "other values"),
        (report.audit_entries_scrubbed, "audit entry", "audit entries")) if n]
    words = f" Their name and numbers were taken out of {listed(places)}." if places else ""
    paragraphs = [f"The person was erased: {listed(done)}.{words}"]
    if report.left_without_lead:
        paragraphs.append(f"Now without a lead: {listed(report.left_without_lead)}.")
    paragraphs += report.copies_notes()
    if report.compaction_note():
        paragraphs.append(report.compaction_note())
    paragraphs.append("Edit > Undo has been cleared.")
    return "\n\n".join(paragraphs)
