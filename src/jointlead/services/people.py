"""People and their dated reporting lines: add and edit people, record leavers, change and reassign lines.

Every write is one user gesture: one transaction, every row audited through `Recorder`, and an `Edit` back for
Edit > Undo. The rules themselves (what is refused, what is only a finding) are in `domain.reporting_lines`;
here they are fed what is recorded. Lines are never overwritten: a change ends the old line the day before and
starts a new one, so "who managed Sam last March?" always has an answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from jointlead.domain.calendar import check_planned, format_day
from jointlead.domain.errors import JointleadError, ValidationError
from jointlead.domain.findings import Finding, Severity
from jointlead.domain.professions import is_registered_profession
from jointlead.domain.reporting_lines import (
    DEFAULT_SPAN_OF_CONTROL,
    ONE_DAY,
    Line,
    LineChange,
    LineKind,
    Reassignment,
    StaffMember,
    line_findings,
    line_notes,
    plan_line_change,
    plan_reassignment,
)
from jointlead.services.edits import Edit, Recorder
from jointlead.store.database import Database
from jointlead.store.errors import ChangedBySomeoneElse, RecordedBySomeoneElse
from jointlead.store.models import (
    AuditEntry,
    Organisation,
    Person,
    ReportingLine,
    Setting,
    SupervisionArrangement,
    Team,
)
from jointlead.store.uow import UnitOfWork

# --- What the rules need, loaded once per gesture ---------------------------------------------------------------

def span_of_control(session: Session) -> int:
    """The service's span of control (the `span_of_control` setting), or the default of 12."""
    value = session.scalar(select(Setting.value).where(Setting.key == "span_of_control"))
    return int(value) if value and value.isdigit() else DEFAULT_SPAN_OF_CONTROL


def staff_and_lines(session: Session) -> tuple[list[StaffMember], list[Line]]:
    """Everyone recorded and every line, as the domain's rules take them."""
    employer = aliased(Organisation)
    people = [
        StaffMember(p.id, p.full_name, p.profession,
                    bool(p.registration_body) or is_registered_profession(p.profession),
                    p.team_id is not None, p.start_date, p.leave_date, code or "", p.employee_number,
                    p.hr_supervisor_number)
        for p, code in session.execute(select(Person, employer.code)
                                       .outerjoin(employer, employer.id == Person.employer_id)
                                       .order_by(Person.id))
    ]
    lines = [Line(ln.id, LineKind(ln.kind), ln.person_id, ln.lead_id, ln.effective_from, ln.effective_to)
             for ln in session.scalars(select(ReportingLine).order_by(ReportingLine.id))]
    return people, lines


def _person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise JointleadError("That person is no longer recorded.", "Refresh the list and choose them again.")
    return person


def _check_seen(record: Recorder, rows: Iterable[ReportingLine | SupervisionArrangement],
                seen: Mapping[int, int] | None) -> None:
    """Refuse a gesture unless each of `rows` was shown to the user (`seen`: version by id) as it is stored now.

    A row missing from `seen` was added by someone else since: it has no version the user saw (versions start at 1),
    so it is refused the same way. None: nothing was shown, nothing is checked.
    """
    if seen is None:
        return
    for row in rows:
        record.check_seen(row, seen.get(row.id, 0))


# --- Teams --------------------------------------------------------------------------------------------------------

TEAM_NAME_LENGTH = Team.__table__.c.name.type.length  # the column's own limit, so the refusal comes first, in words


def name_key(name: str) -> str:
    """A name as two names are compared: case and spacing ignored ("north cmht" is "North  CMHT")."""
    return " ".join(name.casefold().split())


def anyone_recorded(database: Database) -> bool:
    """Whether anyone at all is recorded (a supervision tracker can only be about people who are)."""
    with database.session() as session:
        return session.scalar(select(Person.id).limit(1)) is not None


def team_names(database: Database) -> tuple[str, ...]:
    """Every team recorded, by name: what Add person offers, whether anyone is in it yet or not."""
    with database.session() as session:
        return tuple(sorted(session.scalars(select(Team.name)), key=lambda name: (name_key(name), name)))


def add_team(database: Database, name: str) -> Edit:
    """Record a team (the service's own: its active members are its staff), so people can be placed in it.

    Refused as `record_team` says.
    """
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "add team")
        team = record_team(record, name, "Choose it for the people in it, or give the new team another name.")
        return record.commit(f"add team {team.name}")


def record_team(record: Recorder, name: str, advice: str) -> Team:
    """Add a team as part of a gesture (Add team, or a staff import naming a new one), audited by `record`.

    Refused, with `advice`, when the name is already a team's, whatever its case or spacing; also when someone else
    on a shared database adds it at the same moment, which only the database's unique name can catch. Refused too
    when the name is blank or longer than the record holds.
    """
    name = name.strip()
    if not name:
        raise ValidationError("A team needs a name.", "For example North Locality CMHT.")
    if len(name) > TEAM_NAME_LENGTH:
        raise ValidationError(f"A team's name can be at most {TEAM_NAME_LENGTH} characters; this one has "
                              f"{len(name)}.", "Shorten it.")
    same = next((other for other in record.session.scalars(select(Team.name))
                 if name_key(other) == name_key(name)), None)
    if same is not None:
        raise ValidationError(f"There is already a team called '{same}'.", advice)
    try:
        return record.create(Team(name=name, description=""))
    except RecordedBySomeoneElse as clash:
        raise ValidationError(f"Someone else has just added a team called '{name}'.", advice) from clash


# --- Adding and editing people ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PersonFields:
    """A person as the add and edit dialogs hold them: the employer by its code, the team by its name."""

    full_name: str
    employer: str | None = None  # organisation code, e.g. NFT
    employee_number: str | None = None  # ESR assignment or payroll number: unique per employer
    team: str | None = None  # None: not in the team (a lead or supervisor from outside it)
    job_title: str = ""
    profession: str = ""
    registration_body: str | None = None
    registration_number: str | None = None
    grade: str = ""
    wte_hundredths: int | None = None  # 100 = full time
    start_date: date | None = None
    leave_date: date | None = None
    seconded: bool = False
    career_stage: str = "qualified"
    qualified_date: date | None = None
    hr_supervisor_number: str | None = None  # the HR extract's "supervisor", an employee number at the employer
    # The record's version the edit dialog was filled from (a stale edit is refused); not part of the details.
    version: int | None = field(default=None, compare=False)


# The dates a person's details hold, and how a sentence names each.
PERSON_DAYS = (("start_date", "The start date"), ("leave_date", "The leave date"),
               ("qualified_date", "The date they qualified"))


def _check_days(person: PersonFields, before: Person | None, today: date | None) -> None:
    """Each date typed in must be plausible; one already recorded and left as it was is not questioned again."""
    for name, what in PERSON_DAYS:
        day = getattr(person, name)
        if day is not None and (before is None or day != getattr(before, name)):
            check_planned(day, today or date.today(), what)


def _blank_to_none(text: str | None) -> str | None:
    return (text.strip() or None) if text is not None else None


def check_leave_after_start(name: str, start: date | None, leave: date | None) -> None:
    if start and leave and leave < start:
        raise ValidationError(f"{name} would leave on {format_day(leave)}, before starting on {format_day(start)}.",
                              "Check the dates.")


def check_time_in_post(session: Session, person: Person, start: date | None, leave: date | None) -> None:
    """Refuse new dates for a recorded person that would leave one of their lines outside their time in post: a
    start date after a line or a supervision arrangement begins, or a new leave date with lines or supervision
    running past it (a leaver is recorded with `record_leaver`, which ends those too and says who needs
    reassigning)."""
    check_leave_after_start(person.full_name, start, leave)
    _check_in_post(session, person, start, leave if leave != person.leave_date else None)


def check_still_in_post(session: Session, person_id: int) -> None:
    """Refuse a person's dates as now recorded if any of their lines or supervision falls outside their time in post:
    for an undo, which puts back dates, lines or arrangements each checked when first made, but not against each
    other's changes since (a start date corrected earlier, lines added from then, and the correction undone)."""
    person = session.get(Person, person_id)
    if person is not None:
        _check_in_post(session, person, person.start_date, person.leave_date)


def _check_in_post(session: Session, person: Person, start: date | None, leave: date | None) -> None:
    lines, arrangements = _lines_and_arrangements(session, person.id)
    if start is not None and any(ln.effective_from < start for ln in lines):
        first = min(ln.effective_from for ln in lines)
        raise ValidationError(f"{person.full_name} has a reporting line from {format_day(first)}, before the new "
                              f"start date of {format_day(start)}.", "Check the start date, or end that line first.")
    if start is not None and any(a.start_date < start for a in arrangements):
        first = min(a.start_date for a in arrangements)
        raise ValidationError(f"{person.full_name} has supervision arranged from {format_day(first)}, before the new "
                              f"start date of {format_day(start)}.",
                              "Check the start date, or change that arrangement first.")
    if leave is not None:
        running = any(ln.effective_to is None or ln.effective_to > leave for ln in lines) or any(
            a.end_date is None or a.end_date > leave for a in arrangements)
        if running:
            raise ValidationError(f"{person.full_name} has reporting lines or supervision running past "
                                  f"{format_day(leave)}.",
                                  "Use Record a leaver: it sets the leave date, ends their lines and supervision, "
                                  "and lists who needs reassigning.")


def _columns(session: Session, fields_: PersonFields, person_id: int | None) -> dict[str, object]:
    """Check the fields and turn them into the person's columns (codes and names become ids)."""
    name = fields_.full_name.strip()
    if not name:
        raise ValidationError("A person needs a name.")
    if fields_.wte_hundredths is not None and not 1 <= fields_.wte_hundredths <= 100:
        raise ValidationError("The whole-time equivalent must be between 0.01 and 1.00.", "Full time is 1.00.")
    check_leave_after_start(name, fields_.start_date, fields_.leave_date)
    if _blank_to_none(fields_.registration_number) and not _blank_to_none(fields_.registration_body):
        raise ValidationError("A registration number needs the body that issued it.",
                              "For example NMC, HCPC, GMC or Social Work England.")
    employer_id = None
    if _blank_to_none(fields_.employer):
        code = fields_.employer.strip().upper()
        employer_id = session.scalar(select(Organisation.id).where(Organisation.code == code))
        if employer_id is None:
            raise ValidationError(f"There is no organisation with the code '{code}'.",
                                  "Choose the employer from the list.")
    team_id = None
    if _blank_to_none(fields_.team):
        team_id = session.scalar(select(Team.id).where(Team.name == fields_.team.strip()))
        if team_id is None:
            raise ValidationError(f"There is no team called '{fields_.team.strip()}'.", "Choose a team from the list.")
    number = _blank_to_none(fields_.employee_number)
    if number and employer_id is not None:
        clash = session.scalar(select(Person.full_name).where(Person.employer_id == employer_id,
                                                              Person.employee_number == number,
                                                              Person.id != (person_id or -1)))
        if clash is not None:
            raise ValidationError(f"Employee number {number} is already {clash}'s at {fields_.employer.upper()}.",
                                  "Each person's employee number is unique at their employer: check it.")
    return {
        "full_name": name, "employer_id": employer_id, "employee_number": number, "team_id": team_id,
        "job_title": fields_.job_title.strip(), "profession": fields_.profession.strip(),
        "registration_body": _blank_to_none(fields_.registration_body),
        "registration_number": _blank_to_none(fields_.registration_number), "grade": fields_.grade.strip(),
        "wte_hundredths": fields_.wte_hundredths, "start_date": fields_.start_date,
        "leave_date": fields_.leave_date, "seconded": fields_.seconded,
        "career_stage": fields_.career_stage.strip() or "qualified", "qualified_date": fields_.qualified_date,
        "hr_supervisor_number": _blank_to_none(fields_.hr_supervisor_number),
    }


def add_person(database: Database, person: PersonFields, *, today: date | None = None) -> Edit:
    """Record a new person; their lines are added afterwards with `change_line`. `added_person_id` finds them."""
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "add person")
        _check_days(person, None, today)
        row = record.create(Person(**_columns(uow.session, person, None)))
        return record.commit(f"add {row.full_name}")


def added_person_id(database: Database, edit: Edit) -> int:
    """The id of the person an `add_person` edit created (its first audit entry is the new row)."""
    with database.session() as session:
        person_id = session.scalar(select(AuditEntry.entity_id).where(AuditEntry.id == edit.entries[0],
                                                                      AuditEntry.entity == Person.__tablename__))
    if person_id is None:
        raise JointleadError("That change did not add a person.")
    return person_id


def person_fields(database: Database, person_id: int) -> PersonFields:
    """A person's fields as they are now, to fill the edit dialog."""
    with database.session() as session:
        person = _person(session, person_id)
        employer = session.get(Organisation, person.employer_id) if person.employer_id else None
        team = session.get(Team, person.team_id) if person.team_id else None
        return PersonFields(
            full_name=person.full_name, employer=employer.code if employer else None,
            employee_number=person.employee_number, team=team.name if team else None, job_title=person.job_title,
            profession=person.profession, registration_body=person.registration_body,
            registration_number=person.registration_number, grade=person.grade,
            wte_hundredths=person.wte_hundredths, start_date=person.start_date, leave_date=person.leave_date,
            seconded=person.seconded, career_stage=person.career_stage, qualified_date=person.qualified_date,
            hr_supervisor_number=person.hr_supervisor_number, version=person.version)


def _lines_and_arrangements(session: Session, person_id: int) -> tuple[list[ReportingLine],
                                                                         list[SupervisionArrangement]]:
    lines = session.scalars(select(ReportingLine)
                            .where(or_(ReportingLine.person_id == person_id, ReportingLine.lead_id == person_id))
                            .order_by(ReportingLine.id)).all()
    arrangements = session.scalars(select(SupervisionArrangement)
                                   .where(or_(SupervisionArrangement.supervisee_id == person_id,
                                              SupervisionArrangement.supervisor_id == person_id))
                                   .order_by(SupervisionArrangement.id)).all()
    return list(lines), list(arrangements)


def edit_person(database: Database, person_id: int, person: PersonFields, *, today: date | None = None) -> Edit:
    """Change a person's details.

    Refused when the new dates would leave one of their lines outside their time in post: a start date after a
    line begins, or a leave date with lines or supervision running past it. A leaver is recorded with
    `record_leaver`, which ends those lines too and says who needs reassigning.
    """
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "edit person")
        row = _person(uow.session, person_id)
        _check_days(person, row, today)
        columns = _columns(uow.session, person, person_id)
        check_time_in_post(uow.session, row, columns["start_date"], columns["leave_date"])
        if not record.update(row, seen_version=person.version, **columns):
            raise ValidationError("Nothing was changed.")
        return record.commit(f"edit {row.full_name}")


# --- Leavers ------------------------------------------------------------------------------------------------------

def record_leaver(database: Database, person_id: int, leave_date: date, *, seen_version: int | None = None,
                  seen_lines: Mapping[int, int] | None = None,
                  seen_arrangements: Mapping[int, int] | None = None, today: date | None = None) -> Edit:
    """A person leaves on `leave_date` (their last day): set it, and end on that day every line and supervision
    arrangement they are part of, as the person or as the lead.

    Lines and arrangements that would only have started after they leave never come into force, so they are
    removed (each removal audited, so undo puts them back). `to_reassign` then lists who needs a new lead.

    `seen_version`, `seen_lines` and `seen_arrangements`: what the user was shown (`ToReassign.version`,
    `line_versions` and `arrangement_versions`). If the person, or any line or arrangement this would end or remove,
    has changed since or was added since, someone else got there first and this is refused, before anything is
    written.
    """
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "record leaver")
        person = _person(uow.session, person_id)
        record.check_seen(person, seen_version)
        check_planned(leave_date, today or date.today(), "The leave date")
        if person.start_date is not None and leave_date < person.start_date:
            raise ValidationError(f"{person.full_name} started on {format_day(person.start_date)}, so cannot leave on "
                                  f"{format_day(leave_date)}.", "Check the date.")
        lines, arrangements = _lines_and_arrangements(uow.session, person_id)
        # What this changes: what starts after their last day (removed) or runs past it (ended on it).
        lines = [ln for ln in lines if ln.effective_from > leave_date or ln.effective_to is None
                 or ln.effective_to > leave_date]
        arrangements = [a for a in arrangements if a.start_date > leave_date or a.end_date is None
                        or a.end_date > leave_date]
        _check_seen(record, lines, seen_lines)
        _check_seen(record, arrangements, seen_arrangements)
        record.update(person, leave_date=leave_date)
        for line in lines:
            if line.effective_from > leave_date:
                record.delete(line)
            else:
                record.update(line, effective_to=leave_date)
        for arrangement in arrangements:
            if arrangement.start_date > leave_date:
                record.delete(arrangement)
            else:
                record.update(arrangement, end_date=leave_date)
        if not record.changed:
            raise ValidationError(f"{person.full_name} is already recorded as leaving on {format_day(leave_date)}.",
                                  "Nothing needed changing.")
        return record.commit(f"record {person.full_name} leaving on {format_day(leave_date)}")


@dataclass(frozen=True)
class LineRow:
    """One dated line, with both people named and where each is employed."""

    id: int
    kind: LineKind
    person_id: int
    person_name: str
    person_employer: str
    lead_id: int
    lead_name: str
    lead_employer: str
    effective_from: date
    effective_to: date | None
    note: str
    # The line's version as read: a dialog filled from this row passes it, and a change from an older one is
    # refused (a shared database). Bookkeeping, not data.
    version: int | None = field(default=None, compare=False)

    @property
    def cross_organisation(self) -> bool:
        return bool(self.person_employer and self.lead_employer) and self.person_employer != self.lead_employer

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


def _line_rows(session: Session, *conditions) -> tuple[LineRow, ...]:
    person, lead = aliased(Person), aliased(Person)
    person_org, lead_org = aliased(Organisation), aliased(Organisation)
    rows = session.execute(
        select(ReportingLine.id, ReportingLine.kind, person.id, person.full_name, person_org.code, lead.id,
               lead.full_name, lead_org.code, ReportingLine.effective_from, ReportingLine.effective_to,
               ReportingLine.note, ReportingLine.version)
        .join(person, person.id == ReportingLine.person_id)
        .join(lead, lead.id == ReportingLine.lead_id)
        .outerjoin(person_org, person_org.id == person.employer_id)
        .outerjoin(lead_org, lead_org.id == lead.employer_id)
        .where(*conditions)
        .order_by(ReportingLine.effective_from.desc(), person.full_name, ReportingLine.id))
    return tuple(LineRow(line_id, LineKind(kind), pid, pname, porg or "", lid, lname, lorg or "", start, end,
                         note or "", version)
                 for line_id, kind, pid, pname, porg, lid, lname, lorg, start, end, note, version in rows)


def _in_force(day: date):
    return (ReportingLine.effective_from <= day,
            or_(ReportingLine.effective_to.is_(None), ReportingLine.effective_to >= day))


@dataclass(frozen=True)
class Supervisee:
    arrangement_id: int
    person_id: int
    name: str
    supervision_type: str


@dataclass(frozen=True)
class ToReassign:
    """Who needs a new lead or supervisor when a person leaves: those whose line or supervision with the leaver
    was in force on the last day, and who have nothing of that kind from someone else the day after."""

    person_id: int
    name: str
    leave_date: date
    managerial_reports: tuple[LineRow, ...]
    professional_reports: tuple[LineRow, ...]
    supervisees: tuple[Supervisee, ...]
    # What the Record leaver dialog was shown, for `record_leaver` to refuse a leaver recorded from an out-of-date
    # copy: the person's version, and the version of each line and arrangement they are part of, by id.
    version: int | None = field(default=None, compare=False)
    line_versions: Mapping[int, int] = field(default_factory=dict, compare=False)
    arrangement_versions: Mapping[int, int] = field(default_factory=dict, compare=False)

    @property
    def nobody(self) -> bool:
        return not (self.managerial_reports or self.professional_reports or self.supervisees)


def to_reassign(database: Database, person_id: int, leave_date: date | None = None) -> ToReassign:
    """What needs reassigning when the person leaves on `leave_date` (default: their recorded leave date).

    Works before the leaver is recorded (a preview) as well as after it.
    """
    with database.session() as session:
        person = _person(session, person_id)
        last_day = leave_date or person.leave_date
        if last_day is None:
            raise ValidationError(f"{person.full_name} has no leave date.", "Record them as a leaver first.")
        day_after = last_day + ONE_DAY
        covered = {(ln.person_id, ln.kind) for ln in _line_rows(session, *_in_force(day_after),
                                                                ReportingLine.lead_id != person_id)}
        reports = [row for row in _line_rows(session, *_in_force(last_day), ReportingLine.lead_id == person_id)
                   if (row.person_id, row.kind) not in covered]
        reports.sort(key=lambda row: (row.person_name, row.person_id))
        supervisee = aliased(Person)
        arrangement_in_force = (
            SupervisionArrangement.start_date <= last_day,
            or_(SupervisionArrangement.end_date.is_(None), SupervisionArrangement.end_date >= last_day))
        others = {(a.supervisee_id, a.supervision_type) for a in session.scalars(
            select(SupervisionArrangement).where(
                SupervisionArrangement.start_date <= day_after,
                or_(SupervisionArrangement.end_date.is_(None), SupervisionArrangement.end_date >= day_after),
                SupervisionArrangement.supervisor_id != person_id))}
        supervisees = tuple(
            Supervisee(arrangement_id, supervisee_id, name, kind)
            for arrangement_id, supervisee_id, name, kind in session.execute(
                select(SupervisionArrangement.id, supervisee.id, supervisee.full_name,
                       SupervisionArrangement.supervision_type)
                .join(supervisee, supervisee.id == SupervisionArrangement.supervisee_id)
                .where(SupervisionArrangement.supervisor_id == person_id, *arrangement_in_force)
                .order_by(supervisee.full_name, SupervisionArrangement.supervision_type))
            if (supervisee_id, kind) not in others)
        lines, arrangements = _lines_and_arrangements(session, person_id)
        return ToReassign(person.id, person.full_name, last_day,
                          tuple(r for r in reports if r.kind == LineKind.MANAGERIAL),
                          tuple(r for r in reports if r.kind == LineKind.PROFESSIONAL), supervisees,
                          person.version, {ln.id: ln.version for ln in lines},
                          {a.id: a.version for a in arrangements})


# --- Changing lines -----------------------------------------------------------------------------------------------

def _apply(record: Recorder, change: LineChange, note: str) -> None:
    if change.ended is not None:
        record.update(record.session.get(ReportingLine, change.ended.id), effective_to=change.ended.effective_to)
    new = change.started
    record.create(ReportingLine(kind=str(new.kind), person_id=new.person_id, lead_id=new.lead_id,
                                effective_from=new.effective_from, effective_to=new.effective_to, note=note))


def _plan(session: Session, person_id: int, kind: LineKind, lead_id: int, from_date: date,
          today: date | None) -> LineChange:
    check_planned(from_date, today or date.today(), "The date the line starts")
    _person(session, person_id)
    _person(session, lead_id)
    people, lines = staff_and_lines(session)
    return plan_line_change(people, lines, person_id, LineKind(kind), lead_id, from_date, span_of_control(session))


def preview_line_change(database: Database, person_id: int, kind: LineKind, lead_id: int,
                        from_date: date, *, today: date | None = None) -> tuple[Finding, ...]:
    """What `change_line` would warn about (a lead over the span of control); raises if it would be refused."""
    with database.session() as session:
        return _plan(session, person_id, kind, lead_id, from_date, today).warnings


def change_line(database: Database, person_id: int, kind: LineKind, lead_id: int, from_date: date,
                note: str = "", *, seen_lines: Mapping[int, int] | None = None,
                today: date | None = None) -> Edit:
    """The person's line of `kind` goes to `lead_id` from `from_date`: the current line ends the day before.

    A person with no line of that kind gets one. Refused (with the reason) as `plan_line_change` says: a date on or
    before the current line's start, the same lead, a loop, someone not in post, a lead of another profession.

    `seen_lines`: the person's lines of `kind` as the user was shown them, version by id (`LineRow.version` of
    `PersonPanel.managerial_lines` or `professional_lines`). If any has changed, gone or been added since, someone
    else changed their line first and this is refused.
    """
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "change line")
        if seen_lines is not None:
            stored = uow.session.scalars(select(ReportingLine).where(ReportingLine.person_id == person_id,
                                                                     ReportingLine.kind == str(kind))).all()
            if set(seen_lines) - {line.id for line in stored}:
                raise ChangedBySomeoneElse("This reporting line")  # removed since (an undo, an erasure)
            _check_seen(record, stored, seen_lines)
        change = _plan(uow.session, person_id, kind, lead_id, from_date, today)
        _apply(record, change, note.strip())
        person, lead = uow.session.get(Person, person_id), uow.session.get(Person, lead_id)
        return record.commit(f"{LineKind(kind).lead_words} of {person.full_name} to {lead.full_name} from "
                             f"{format_day(from_date)}")


def end_line(database: Database, line_id: int, last_day: date, *, seen_version: int | None = None,
             today: date | None = None) -> Edit:
    """End a line on `last_day` with no one taking it over (e.g. someone no longer needs a professional line).

    `seen_version`: the line's version as the user was shown it (`LineRow.version`); refused if changed since.
    """
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "end line")
        line = uow.session.get(ReportingLine, line_id)
        if line is None:
            raise ChangedBySomeoneElse("This reporting line")  # removed since (an undo, an erasure)
        record.check_seen(line, seen_version)
        person = uow.session.get(Person, line.person_id)
        check_planned(last_day, today or date.today(), "The line's last day")
        if last_day < line.effective_from:
            raise ValidationError(f"The line starts on {format_day(line.effective_from)}, so cannot end on "
                                  f"{format_day(last_day)}.", "Choose a later day.")
        if line.effective_to is not None and last_day >= line.effective_to:
            raise ValidationError(f"The line already ends on {format_day(line.effective_to)}.",
                                  "Only an earlier end can be recorded: a later one could overlap the next line.")
        record.update(line, effective_to=last_day)
        return record.commit(f"end {person.full_name}'s {line.kind} line on {format_day(last_day)}")


@dataclass(frozen=True)
class PlannedReassignment(Reassignment):
    """A reassignment as previewed, with the version of each line it moves people off, by id: the Reassign dialog
    passes them back, and `reassign_reports` refuses if any has changed since (a shared database)."""

    line_versions: Mapping[int, int] = field(default_factory=dict, compare=False)


def preview_reassignment(database: Database, from_lead_id: int, to_lead_id: int, kind: LineKind,
                         from_date: date, *, today: date | None = None) -> PlannedReassignment:
    """The changes `reassign_reports` would make, with its warnings; raises if it would be refused."""
    with database.session() as session:
        plan, moving = _plan_reassignment(session, from_lead_id, to_lead_id, kind, from_date, today)
        versions = dict(session.execute(select(ReportingLine.id, ReportingLine.version)
                                        .where(ReportingLine.id.in_(moving))).all())
        return PlannedReassignment(plan.changes, plan.warnings, versions)


def _plan_reassignment(session: Session, from_lead_id: int, to_lead_id: int, kind: LineKind,
                       from_date: date, today: date | None) -> tuple[Reassignment, list[int]]:
    """The plan, and the line each report moves off: their latest line of the kind starting by `from_date` (the one
    the plan ends, or for a leaver's report the one that ended on the leaver's last day), as `plan_reassignment`
    finds them."""
    check_planned(from_date, today or date.today(), "The date the reports move")
    _person(session, from_lead_id)
    _person(session, to_lead_id)
    people, lines = staff_and_lines(session)
    plan = plan_reassignment(people, lines, from_lead_id, to_lead_id, LineKind(kind), from_date,
                             span_of_control(session))
    return plan, _moving_off(lines, plan, LineKind(kind), from_date)


def _moving_off(lines: Sequence[Line], plan: Reassignment, kind: LineKind, from_date: date) -> list[int]:
    latest: dict[int, Line] = {}
    for line in sorted(lines, key=lambda ln: ln.effective_from):
        if line.kind == kind and line.effective_from <= from_date:
            latest[line.person_id] = line
    return [latest[change.started.person_id].id for change in plan.changes]


def reassign_reports(database: Database, from_lead_id: int, to_lead_id: int, kind: LineKind, from_date: date,
                     note: str = "", *, seen_lines: Mapping[int, int] | None = None,
                     today: date | None = None) -> Edit:
    """Everyone whose `kind` line is to `from_lead_id` on `from_date` moves to `to_lead_id` from that date: one
    gesture, all or nothing. Each old line ends the day before; the new lead keeps their own line if one of them.

    `seen_lines`: the lines the user was shown moving, version by id (`PlannedReassignment.line_versions`). If one
    this would move has changed since, or was not among them (a report added since), someone else changed the
    lines first and this is refused, before anything is written.
    """
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "reassign reports")
        plan, moving = _plan_reassignment(uow.session, from_lead_id, to_lead_id, kind, from_date, today)
        _check_seen(record, (uow.session.get(ReportingLine, line_id) for line_id in moving), seen_lines)
        for change in plan.changes:
            _apply(record, change, note.strip())
        old, new = uow.session.get(Person, from_lead_id), uow.session.get(Person, to_lead_id)
        return record.commit(f"move {len(plan.changes)} {LineKind(kind)} reports from {old.full_name} to "
                             f"{new.full_name} from {format_day(from_date)}")


# --- Reading: the person panel and the findings --------------------------------------------------------------------

@dataclass(frozen=True)
class PersonRecord:
    """A person's details for display: the employer by code and name, the team by name."""

    id: int
    full_name: str
    employer: str
    employer_name: str
    employee_number: str
    team: str
    job_title: str
    profession: str
    registration_body: str
    registration_number: str
    grade: str
    wte_hundredths: int | None
    start_date: date | None
    leave_date: date | None
    seconded: bool
    career_stage: str
    qualified_date: date | None
    hr_supervisor_number: str
    missing_from_hr_since: date | None
    active: bool  # in post on the panel's date


@dataclass(frozen=True)
class PersonPanel:
    """Everything the person panel shows as at a date."""

    on: date
    person: PersonRecord
    managerial_lines: tuple[LineRow, ...]  # their own lines, newest first, ended ones included
    professional_lines: tuple[LineRow, ...]
    managerial_reports: tuple[LineRow, ...]  # lines to them in force on the date, by name
    professional_reports: tuple[LineRow, ...]
    findings: tuple[Finding, ...]  # about them, information included

    def line_on(self, kind: LineKind) -> LineRow | None:
        """Their line of a kind in force on the panel's date, if any."""
        lines = self.managerial_lines if kind == LineKind.MANAGERIAL else self.professional_lines
        return next((ln for ln in lines if ln.in_force_on(self.on)), None)


def person_panel(database: Database, person_id: int, on: date) -> PersonPanel:
    with database.session() as session:
        person = _person(session, person_id)
        employer = session.get(Organisation, person.employer_id) if person.employer_id else None
        team = session.get(Team, person.team_id) if person.team_id else None
        active = ((person.start_date is None or person.start_date <= on)
                  and (person.leave_date is None or person.leave_date >= on))
        record = PersonRecord(
            person.id, person.full_name, employer.code if employer else "", employer.name if employer else "",
            person.employee_number or "", team.name if team else "", person.job_title, person.profession,
            person.registration_body or "", person.registration_number or "", person.grade, person.wte_hundredths,
            person.start_date, person.leave_date, person.seconded, person.career_stage, person.qualified_date,
            person.hr_supervisor_number or "", person.missing_from_hr_since, active)
        own = _line_rows(session, ReportingLine.person_id == person_id)
        reports = sorted(_line_rows(session, ReportingLine.lead_id == person_id, *_in_force(on)),
                         key=lambda row: (row.person_name, row.person_id))
        people, lines = staff_and_lines(session)
        span = span_of_control(session)
    subject = f"person {person_id}"
    findings = tuple(f for f in [*line_findings(people, lines, on, span), *line_notes(people, lines, on)]
                     if f.subject == subject)
    return PersonPanel(
        on, record,
        tuple(r for r in own if r.kind == LineKind.MANAGERIAL),
        tuple(r for r in own if r.kind == LineKind.PROFESSIONAL),
        tuple(r for r in reports if r.kind == LineKind.MANAGERIAL),
        tuple(r for r in reports if r.kind == LineKind.PROFESSIONAL), findings)


def people_findings(database: Database, on: date, *, information: bool = True) -> tuple[Finding, ...]:
    """The findings about people and lines across the whole service as at a date: errors first, then warnings,
    then (unless `information` is False) what is only information, such as lines across organisations."""
    with database.session() as session:
        people, lines = staff_and_lines(session)
        span = span_of_control(session)
    found = line_findings(people, lines, on, span) + (line_notes(people, lines, on) if information else [])
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFORMATION: 2}
    return tuple(sorted(found, key=lambda f: order[f.severity]))  # stable: the rules' own order within each



@dataclass(frozen=True)
class EmployeeLines:
    """One employee in post on a date, with both lines in force that day and the findings about them."""

    person_id: int
    employee_number: str
    name: str
    job_title: str
    profession: str
    grade: str
    team: str
    start_date: date | None
    seconded: bool
    manager: LineRow | None
    professional: LineRow | None
    hr_supervisor: str  # as the HR extract names them: the person if recorded here, else the employee number
    findings: tuple[Finding, ...]  # errors and warnings, then information


def employees_and_lines(database: Database, organisation_code: str, on: date) -> tuple[EmployeeLines, ...]:
    """Everyone the organisation employs who is in post on the date, by name, with their lines and findings."""
    with database.session() as session:
        code = organisation_code.strip().upper()
        organisation = session.scalar(select(Organisation).where(Organisation.code == code))
        if organisation is None:
            raise JointleadError(f"There is no organisation with the code '{organisation_code}'.",
                                 "Use the code shown on the dashboard, for example NFT.")
        team = aliased(Team)
        employees = session.execute(
            select(Person, team.name)
            .outerjoin(team, team.id == Person.team_id)
            .where(Person.employer_id == organisation.id,
                   or_(Person.start_date.is_(None), Person.start_date <= on),
                   or_(Person.leave_date.is_(None), Person.leave_date >= on))
            .order_by(Person.full_name, Person.employee_number, Person.id)).all()
        employed = select(Person.id).where(Person.employer_id == organisation.id)
        lines = {(row.person_id, row.kind): row
                 for row in _line_rows(session, *_in_force(on), ReportingLine.person_id.in_(employed))}
        names_by_number = dict(session.execute(select(Person.employee_number, Person.full_name)
                                               .where(Person.employer_id == organisation.id,
                                                      Person.employee_number.is_not(None))).all())
        people, all_lines = staff_and_lines(session)
        span = span_of_control(session)
    found: dict[str, list[Finding]] = {}
    for finding in [*line_findings(people, all_lines, on, span), *line_notes(people, all_lines, on)]:
        found.setdefault(finding.subject, []).append(finding)
    return tuple(
        EmployeeLines(person.id, person.employee_number or "", person.full_name, person.job_title,
                      person.profession, person.grade, team_name or "", person.start_date, person.seconded,
                      lines.get((person.id, LineKind.MANAGERIAL)), lines.get((person.id, LineKind.PROFESSIONAL)),
                      names_by_number.get(person.hr_supervisor_number, person.hr_supervisor_number or ""),
                      tuple(found.get(f"person {person.id}", ())))
        for person, team_name in employees)
