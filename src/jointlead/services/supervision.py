"""Supervision: compliance on any day, by type, organisation, profession, team and supervisor; and the edits.

The read side loads plain rows (people, pauses, arrangements, sessions, policies) and hands them to
`domain.supervision`, which holds every rule; nothing here decides a status. The write side is one gesture per
function: one transaction, every row audited through `Recorder`, and an `Edit` back for Edit > Undo.
jointlead records *that* supervision happened, never what was said: there is nowhere to put it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from jointlead.domain.calendar import check_happened, check_planned, format_day, out_of_post
from jointlead.domain.errors import JointleadError, ValidationError
from jointlead.domain.professions import same_profession, same_profession_words, with_article
from jointlead.domain.supervision import (
    DEFAULT_RULES,
    DEFAULT_TARGET_PERCENT,
    ONE_DAY,
    Arrangement,
    ArrangementStatus,
    MonthFigure,
    Pause,
    PolicyRule,
    SessionStatus,
    Status,
    Supervisee,
    SupervisionType,
    Tally,
    assess,
    monthly_trend,
    tally,
    tally_by,
)
from jointlead.domain.supervision import Session as HeldOrNot
from jointlead.services.edits import Edit, Recorder
from jointlead.store.database import Database
from jointlead.store.errors import ChangedBySomeoneElse
from jointlead.store.models import (
    Absence,
    Organisation,
    Person,
    ReportingLine,
    Setting,
    SupervisionArrangement,
    SupervisionPolicy,
    SupervisionSession,
    Team,
)
from jointlead.store.uow import UnitOfWork, os_user

TARGET_SETTING = "supervision_target_percent"
TYPES = tuple(t.value for t in SupervisionType)
STATUSES = tuple(s.value for s in SessionStatus)
TREND_MONTHS = 12
MAX_INTERVAL_DAYS = 366
NO_SUPERVISOR = "No supervisor named"
NO_ARRANGEMENT = "No arrangement in place"



# --- loading what the rules need ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Person:
    id: int
    name: str
    employee_number: str
    organisation: str
    team: str
    profession: str


@dataclass(frozen=True)
class _Records:
    """Everything recorded about supervision, as plain values: the domain's inputs plus names to show."""

    supervisees: tuple[Supervisee, ...]
    people: dict[int, _Person]
    arrangements: tuple[Arrangement, ...]
    sessions: tuple[HeldOrNot, ...]
    rules: tuple[PolicyRule, ...]
    versions: dict[int, int]  # each arrangement's version (store.models.Versioned), for the rows dialogs open from

    def name(self, person_id: int | None) -> str:
        person = self.people.get(person_id) if person_id is not None else None
        return person.name if person else ""

    def organisation(self, person_id: int | None) -> str:
        person = self.people.get(person_id) if person_id is not None else None
        return person.organisation if person else ""

    def supervisor_labels(self) -> dict[int, str]:
        """Each supervisor's name, told apart from a namesake's by their organisation (and their employee number,
        when the organisation is the same too): two Sam Joneses' supervisees are never counted as one caseload.
        Told apart among every supervisor arranged, so one organisation's figures name them as the whole service's
        do."""
        ids = {a.supervisor_id for a in self.arrangements if a.supervisor_id is not None}
        people = [self.people[i] for i in ids if i in self.people]
        names = Counter(p.name.casefold() for p in people)
        places = Counter((p.name.casefold(), p.organisation) for p in people)
        labels = {}
        for person in people:
            label = person.name
            if names[label.casefold()] > 1:
                told_apart = [person.organisation or "no employer"]
                if places[(label.casefold(), person.organisation)] > 1:
                    told_apart.append(person.employee_number or f"record {person.id}")
                label = f"{label} ({', '.join(told_apart)})"
            labels[person.id] = label
        return labels


def _rules(session: Session) -> tuple[PolicyRule, ...]:
    """The policies recorded, before DOMAIN.md's defaults: a recorded rule wins a tie with the same default."""
    rows = session.execute(
        select(Organisation.code, SupervisionPolicy.profession, SupervisionPolicy.career_stage,
               SupervisionPolicy.supervision_type, SupervisionPolicy.interval_days, SupervisionPolicy.min_minutes)
        .outerjoin(Organisation, Organisation.id == SupervisionPolicy.organisation_id)
        .order_by(SupervisionPolicy.id))
    recorded = tuple(PolicyRule(kind, interval, minutes, organisation=code, profession=profession or None,
                                career_stage=stage or None)
                     for code, profession, stage, kind, interval, minutes in rows)
    return recorded + DEFAULT_RULES


def _load(session: Session, *, up_to: date | None = None) -> _Records:
    pauses: dict[int, list[Pause]] = defaultdict(list)
    for person_id, kind, start, end in session.execute(
            select(Absence.person_id, Absence.kind, Absence.start_date, Absence.end_date).order_by(Absence.start_date)):
        pauses[person_id].append(Pause(start, end, kind))
    employer = aliased(Organisation)
    supervisees, people = [], {}
    for row in session.execute(
            select(Person.id, Person.full_name, Person.employee_number, employer.code, Team.name, Person.profession,
                   Person.career_stage, Person.qualified_date, Person.start_date, Person.leave_date,
                   Person.registration_body, Person.wte_hundredths)
            .outerjoin(employer, employer.id == Person.employer_id)
            .outerjoin(Team, Team.id == Person.team_id)):
        (person_id, name, number, organisation, team, profession, stage, qualified, start, leave, body, wte) = row
        people[person_id] = _Person(person_id, name, number or "", organisation or "", team or "", profession or "")
        supervisees.append(Supervisee(person_id, name, organisation or "", profession or "", team or "",
                                      stage or "qualified", qualified, start, leave, bool(body), wte,
                                      tuple(pauses.get(person_id, ()))))
    arranged = session.execute(
        select(SupervisionArrangement.id, SupervisionArrangement.supervisee_id,
               SupervisionArrangement.supervision_type, SupervisionArrangement.supervisor_id,
               SupervisionArrangement.start_date, SupervisionArrangement.end_date,
               SupervisionArrangement.interval_days, SupervisionArrangement.agreement_signed,
               SupervisionArrangement.version)
        .order_by(SupervisionArrangement.id)).all()
    arrangements = tuple(Arrangement(*row[:-1]) for row in arranged)
    versions = {row[0]: row[-1] for row in arranged}
    query = (select(SupervisionSession.supervisee_id, SupervisionSession.supervision_type,
                    SupervisionSession.session_date, SupervisionSession.status, SupervisionSession.supervisor_id,
                    SupervisionSession.duration_minutes, SupervisionSession.group_key)
             .where(SupervisionSession.status == SessionStatus.HELD.value))
    if up_to is not None:
        query = query.where(SupervisionSession.session_date <= up_to)
    sessions = tuple(HeldOrNot(*row) for row in session.execute(query))
    return _Records(tuple(supervisees), people, arrangements, sessions, _rules(session), versions)


def _line_leads(session: Session, day: date) -> dict[tuple[int, str], int]:
    """Each person's lead of each kind in force on the day: (person id, kind) -> lead id."""
    rows = session.execute(
        select(ReportingLine.person_id, ReportingLine.kind, ReportingLine.lead_id)
        .where(ReportingLine.effective_from <= day,
               or_(ReportingLine.effective_to.is_(None), ReportingLine.effective_to >= day)))
    return {(person_id, kind): lead_id for person_id, kind, lead_id in rows}


# --- the read side ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ComplianceRow:
    """One arrangement on a day, or one type of supervision someone needs and has no arrangement for."""

    arrangement_id: int | None  # None: not in place
    supervisee_id: int
    supervisee: str
    employee_number: str
    organisation: str  # the supervisee's employer
    team: str
    profession: str
    supervision_type: str
    supervisor_id: int | None
    supervisor: str  # "" when none is named (and always for "not in place")
    supervisor_org: str
    status: Status
    since: date | None  # when the status began: overdue since, not in place since, paused since...
    last_held: date | None
    last_held_by: str  # who held it: the arranged supervisor, cover, or a group's lead
    next_due: date | None
    interval_days: int | None
    basis: str  # why that interval, in words
    min_minutes: int | None  # the shortest session the policy asks for, if it sets one
    agreement_signed: date | None
    line_lead: str  # for "not in place": the lead the reporting line names, who would be the natural supervisor
    # The arrangement's version a dialog opened from this row was shown (a change from an older one is refused);
    # bookkeeping, not data. None for "not in place".
    version: int | None = field(default=None, compare=False)

    @property
    def compliant(self) -> bool:
        return self.status.compliant

    @property
    def needs_action(self) -> bool:
        return self.status.needs_action


@dataclass(frozen=True)
class ComplianceReport:
    """Supervision compliance on one day, for the whole service or one employing organisation."""

    day: date
    organisation: str | None
    target_percent: int
    rows: tuple[ComplianceRow, ...]
    overall: Tally
    by_type: tuple[Tally, ...]
    by_organisation: tuple[Tally, ...]
    by_profession: tuple[Tally, ...]
    by_team: tuple[Tally, ...]
    by_supervisor: tuple[Tally, ...]
    trend: tuple[MonthFigure, ...]
    caseloads: tuple[Caseload, ...]  # each supervisor's supervisees in scope, as `supervisor_view` gives them

    @property
    def meets_target(self) -> bool | None:
        return self.overall.meets(self.target_percent)

    @property
    def needing_action(self) -> tuple[ComplianceRow, ...]:
        """Overdue, never held and not in place: longest-standing first."""
        return tuple(sorted((r for r in self.rows if r.needs_action), key=_longest_standing))

    def needing_action_words(self, names: int = 0) -> str:
        """What needs action comes to, for the Supervision page's tile and the dashboard's to say under its figure: the
        arrangements, and the people they are for, who are fewer when someone's managerial and professional
        supervision both need action ("58 arrangements for 44 people"; "13 people" where each has one), then the first
        `names` of those people, longest waiting first (": James Fletcher, Owen Morgan and 42 more"); "" when nothing
        needs action."""
        rows = self.needing_action
        if not rows:
            return ""
        people = list(dict.fromkeys((r.supervisee_id, r.supervisee) for r in rows))  # namesakes counted apart
        arrangements = f"{len(rows):,} arrangement{'' if len(rows) == 1 else 's'}"
        if len(people) == 1:
            return f"{arrangements} for {people[0][1]}"
        # Where each is one person's, the arrangements are as many as the people, and the people are what matter.
        counted = f"{arrangements} for {len(people):,} people" if len(people) < len(rows) else f"{len(people):,} people"
        if not names:
            return counted
        listed = ", ".join(name for _id, name in people[:names])
        more = f" and {len(people) - names:,} more" if len(people) > names else ""
        return f"{counted}: {listed}{more}"


def _longest_standing(row: ComplianceRow) -> tuple[Any, ...]:
    return row.since or date.min, row.supervisee.casefold(), row.supervision_type


def _row(records: _Records, entry: ArrangementStatus, signed: dict[int, date | None],
         leads: dict[tuple[int, str], int]) -> ComplianceRow:
    person = records.people[entry.supervisee_id]
    line_lead = ""
    if entry.status == Status.NOT_IN_PLACE:
        line_lead = records.name(leads.get((entry.supervisee_id, entry.supervision_type)))
    return ComplianceRow(
        entry.arrangement_id, person.id, person.name, person.employee_number, person.organisation, person.team,
        person.profession, entry.supervision_type, entry.supervisor_id, records.name(entry.supervisor_id),
        records.organisation(entry.supervisor_id), entry.status, entry.since, entry.last_held,
        records.name(entry.last_held_by), entry.next_due, entry.interval_days, entry.basis, entry.min_minutes,
        signed.get(entry.arrangement_id) if entry.arrangement_id else None, line_lead,
        records.versions.get(entry.arrangement_id) if entry.arrangement_id else None)


def _order(row: ComplianceRow) -> tuple[Any, ...]:
    return row.supervisee.casefold(), row.supervisee_id, row.supervision_type, row.arrangement_id or 0


def _scope(records: _Records, organisation: str | None) -> tuple[Supervisee, ...]:
    if organisation is None:
        return records.supervisees
    code = organisation.strip().upper()
    return tuple(s for s in records.supervisees if s.organisation == code)


def _rows(records: _Records, session: Session, day: date, organisation: str | None) -> tuple[ComplianceRow, ...]:
    statuses = assess(_scope(records, organisation), records.arrangements, records.sessions, records.rules, day)
    signed = {a.id: a.agreement_signed for a in records.arrangements}
    leads = _line_leads(session, day)
    return tuple(sorted((_row(records, s, signed, leads) for s in statuses), key=_order))


def compliance_target(database: Database) -> int:
    """The compliance target in percent (the `supervision_target_percent` setting), default 95."""
    with database.session() as session:
        return _target(session)


def _target(session: Session) -> int:
    value = session.scalar(select(Setting.value).where(Setting.key == TARGET_SETTING))
    return int(value) if value and value.isdigit() and 1 <= int(value) <= 100 else DEFAULT_TARGET_PERCENT


def compliance(database: Database, day: date, *, organisation: str | None = None,
               trend_months: int = TREND_MONTHS) -> ComplianceReport:
    """Every arrangement's status on the day with the figures against the target: overall, by type, employing
    organisation, profession, team and supervisor, and the trend as at each of the last `trend_months` month ends.

    `organisation` (a code) narrows everything to the people that organisation employs.
    """
    with database.session() as session:
        records = _load(session, up_to=day)
        rows = _rows(records, session, day, organisation)
        target = _target(session)
    scope = _scope(records, organisation)
    trend = monthly_trend(scope, records.arrangements, records.sessions, records.rules, day, trend_months)
    return ComplianceReport(
        day=day, organisation=organisation.strip().upper() if organisation else None, target_percent=target,
        rows=rows, overall=tally(rows, "All"),
        by_type=tally_by(rows, lambda r: r.supervision_type),
        by_organisation=tally_by(rows, lambda r: r.organisation or "No employer recorded"),
        by_profession=tally_by(rows, lambda r: r.profession or "No profession recorded"),
        by_team=tally_by(rows, lambda r: r.team or "Not in a team"),
        by_supervisor=_by_supervisor(records, rows),
        trend=trend, caseloads=_caseloads_of(records, rows))


def _by_supervisor(records: _Records, rows: Sequence[ComplianceRow]) -> tuple[Tally, ...]:
    """A tally for each supervisor (namesakes apart), one for the arrangements in force naming none, and one for the
    supervision needed with no arrangement at all, which no supervisor has yet."""
    labels = records.supervisor_labels()

    def group(row: ComplianceRow) -> str:
        if row.arrangement_id is None:
            return NO_ARRANGEMENT
        return labels.get(row.supervisor_id, NO_SUPERVISOR) if row.supervisor_id is not None else NO_SUPERVISOR

    return tally_by(rows, group)


def needing_action(database: Database, day: date, *, organisation: str | None = None) -> tuple[ComplianceRow, ...]:
    """Who is overdue, never held or has no arrangement in place, with who supervises them and since when."""
    with database.session() as session:
        records = _load(session, up_to=day)
        rows = _rows(records, session, day, organisation)
    return tuple(sorted((r for r in rows if r.needs_action), key=_longest_standing))


@dataclass(frozen=True)
class Caseload:
    """One supervisor's supervisees on a day, the soonest due first."""

    supervisor_id: int | None
    supervisor: str
    organisation: str
    supervisees: tuple[ComplianceRow, ...]
    tally: Tally


def supervisor_view(database: Database, day: date) -> tuple[Caseload, ...]:
    """Each supervisor's supervisees and when each is due, supervisors by name; arrangements with no supervisor
    named come last, together."""
    with database.session() as session:
        records = _load(session, up_to=day)
        rows = _rows(records, session, day, None)
    return _caseloads_of(records, rows)


def _caseloads_of(records: _Records, rows: Sequence[ComplianceRow]) -> tuple[Caseload, ...]:
    by_supervisor: dict[int | None, list[ComplianceRow]] = defaultdict(list)
    for row in rows:
        if row.arrangement_id is not None:
            by_supervisor[row.supervisor_id].append(row)
    caseloads = []
    labels = records.supervisor_labels()
    for supervisor_id, members in by_supervisor.items():
        members.sort(key=lambda r: (r.status == Status.PAUSED, r.next_due or date.max, r.supervisee))
        name = labels.get(supervisor_id, NO_SUPERVISOR) if supervisor_id is not None else NO_SUPERVISOR
        caseloads.append(Caseload(supervisor_id, name, records.organisation(supervisor_id), tuple(members),
                                  tally(members, name)))
    return tuple(sorted(caseloads, key=lambda c: (c.supervisor_id is None, c.supervisor.casefold())))


@dataclass(frozen=True)
class SessionRow:
    """A session as recorded: when, what type, by whom, how long, and whether it happened. Never its content."""

    id: int
    session_date: date
    supervision_type: str
    supervisor: str
    status: str
    duration_minutes: int | None
    group_key: str | None
    supervisee_confirmed: date | None
    recorded_by: str
    # The version shown, for a removal to be refused if the session has changed since (as ComplianceRow.version).
    version: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class PersonSupervision:
    """A person's supervision: each arrangement's status, and their sessions."""

    person_id: int
    name: str
    in_post: bool
    paused: Pause | None
    rows: tuple[ComplianceRow, ...]
    sessions: tuple[SessionRow, ...]  # the most recent first, up to `recent` of them
    sessions_recorded: int  # up to the day, however many `sessions` holds

    @property
    def headline(self) -> str:
        """One line for the panel: the worst status among their arrangements, in words."""
        if not self.in_post:
            return "Not in post on this day."
        if self.paused is not None:
            return f"Paused: {self.paused.kind} since {format_day(self.paused.start)}."
        if not self.rows:
            return "No supervision needed or arranged."
        worst = [r for r in self.rows if r.needs_action]
        if not worst:
            due = min(r.next_due for r in self.rows if r.next_due)
            return f"All supervision in date; next due {format_day(due)}."
        return "; ".join(f"{r.supervision_type.capitalize()} {r.status.value}" for r in worst) + "."


def person_supervision(database: Database, person_id: int, day: date, *, recent: int = 10) -> PersonSupervision:
    with database.session() as session:
        records = _load(session, up_to=day)
        person = next((s for s in records.supervisees if s.id == person_id), None)
        if person is None:
            raise JointleadError("That person is not recorded.", "Choose someone from the People page.")
        statuses = assess([person], records.arrangements, records.sessions, records.rules, day)
        signed = {a.id: a.agreement_signed for a in records.arrangements}
        leads = _line_leads(session, day)
        supervisor = aliased(Person)
        theirs = (SupervisionSession.supervisee_id == person_id, SupervisionSession.session_date <= day)
        sessions = tuple(SessionRow(*row[:3], row[3] or "", *row[4:]) for row in session.execute(
            select(SupervisionSession.id, SupervisionSession.session_date, SupervisionSession.supervision_type,
                   supervisor.full_name, SupervisionSession.status, SupervisionSession.duration_minutes,
                   SupervisionSession.group_key, SupervisionSession.supervisee_confirmed,
                   SupervisionSession.recorded_by, SupervisionSession.version)
            .outerjoin(supervisor, supervisor.id == SupervisionSession.supervisor_id)
            .where(*theirs)
            .order_by(SupervisionSession.session_date.desc(), SupervisionSession.id.desc()).limit(recent)))
        recorded = session.scalar(select(func.count()).select_from(SupervisionSession).where(*theirs))
    rows = tuple(sorted((_row(records, s, signed, leads) for s in statuses), key=_order))
    return PersonSupervision(person_id, person.name, person.active_on(day), person.paused_on(day), rows, sessions,
                             recorded)


@dataclass(frozen=True)
class SessionDefaults:
    """What the quick session form starts with for a supervisee on a day."""

    supervisee_id: int
    types: tuple[str, ...]  # the types of their arrangements in force, the soonest due first
    supervision_type: str | None
    supervisor_id: int | None
    supervisor: str


def _defaults(session: Session, supervisee_id: int, day: date) -> SessionDefaults:
    records = _load(session, up_to=day)
    person = next((s for s in records.supervisees if s.id == supervisee_id), None)
    if person is None:
        raise JointleadError("That person is not recorded.", "Choose the supervisee again.")
    entries = [s for s in assess([person], records.arrangements, records.sessions, records.rules, day)
               if s.arrangement_id is not None]
    entries.sort(key=lambda s: (s.next_due or date.max, s.supervision_type))
    types = tuple(dict.fromkeys(s.supervision_type for s in entries))
    first = entries[0] if entries else None
    return SessionDefaults(supervisee_id, types, first.supervision_type if first else None,
                           first.supervisor_id if first else None, records.name(first.supervisor_id) if first else "")


def session_defaults(database: Database, supervisee_id: int, day: date) -> SessionDefaults:
    """The type of their arrangement due soonest, and its arranged supervisor."""
    with database.session() as session:
        return _defaults(session, supervisee_id, day)


# --- the write side -------------------------------------------------------------------------------------------

def set_compliance_target(database: Database, percent: int) -> int:
    """Set the target (1 to 100%); returns the previous one, which is what undo sets back.

    A setting is keyed by name rather than id, so this is audited directly rather than through `Recorder`.
    """
    if not 1 <= percent <= 100:
        raise ValidationError(f"{percent}% is not a target.", "Give a whole percentage from 1 to 100, e.g. 95.")
    with UnitOfWork(database) as uow:
        previous = _target(uow.session)
        row = uow.session.get(Setting, TARGET_SETTING)
        if row is None:
            uow.session.add(Setting(key=TARGET_SETTING, value=str(percent)))
        else:
            row.value = str(percent)
        uow.audit("set compliance target", "setting", None, {TARGET_SETTING: (previous, percent)})
        uow.commit()
    return previous


def _person(session: Session, person_id: int | None, role: str = "person") -> Person:
    person = session.get(Person, person_id) if person_id is not None else None
    if person is None:
        raise JointleadError(f"That {role} is not recorded.", "Choose them again from the list.")
    return person


def _in_post(person: Person, day: date) -> bool:
    return (person.start_date is None or person.start_date <= day) and (person.leave_date is None
                                                                        or day <= person.leave_date)


def _check_type(supervision_type: str) -> str:
    kind = supervision_type.strip().casefold()
    if kind not in TYPES:
        raise ValidationError(f"'{supervision_type}' is not a type of supervision.",
                              f"Choose one of: {', '.join(TYPES)}.")
    return kind


def _check_minutes(duration_minutes: int | None) -> None:
    if duration_minutes is not None and not 1 <= duration_minutes <= 600:
        raise ValidationError(f"{duration_minutes} minutes is not a length for a session.",
                              "Give the length in minutes, e.g. 60, or leave it blank.")


def _check_session_day(status: str, session_date: date, today: date) -> None:
    """A session is recorded once its day has come, however it went, as a supervision tracker's import has it: before
    then a held one has not happened, and a cancelled or missed one is a plan that may yet change again."""
    if session_date <= today:
        return
    if status == SessionStatus.HELD:
        raise ValidationError(f"A session on {format_day(session_date)} has not happened yet.",
                              "Record it on the day it is held.")
    raise ValidationError(f"A session on {format_day(session_date)} is in the future, so cannot be recorded as "
                          f"{status} yet.", "Record it on or after the day it was to be held.")


def record_session(database: Database, supervisee_id: int, *, supervision_type: str | None = None,
                   session_date: date | None = None, duration_minutes: int | None = None,
                   status: str = SessionStatus.HELD, supervisor_id: int | None = None,
                   today: date | None = None) -> Edit:
    """Record one session: the type defaults to that of their arrangement due soonest, the date to today, and the
    supervisor to the one arranged for the type (give another for cover)."""
    today = today or date.today()
    session_date = session_date or today
    if status not in STATUSES:
        raise ValidationError(f"'{status}' is not how a session went.", f"Choose one of: {', '.join(STATUSES)}.")
    _check_minutes(duration_minutes)
    _check_session_day(status, session_date, today)
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "record supervision session")
        person = _person(uow.session, supervisee_id, "supervisee")
        if not _in_post(person, session_date):
            raise ValidationError(f"{person.full_name} was not in post on {format_day(session_date)}.",
                                  "Check the date.")
        defaults = _defaults(uow.session, supervisee_id, session_date)
        if supervision_type is None:
            if defaults.supervision_type is None:
                raise ValidationError(f"{person.full_name} has no supervision arranged on {format_day(session_date)}.",
                                      "Choose the type of supervision, or add an arrangement first.")
            kind = defaults.supervision_type
        else:
            kind = _check_type(supervision_type)
        if supervisor_id is None:
            supervisor_id = _arranged_supervisor(uow.session, supervisee_id, kind, session_date)
        if supervisor_id is not None:
            if supervisor_id == supervisee_id:
                raise ValidationError("Nobody supervises themselves.", "Choose who held the session.")
            _check_session_supervisor(uow.session, supervisor_id, session_date)
        _refuse_repeat(uow.session, person, kind, session_date, status)
        record.create(SupervisionSession(supervisee_id=supervisee_id, supervisor_id=supervisor_id,
                                         supervision_type=kind, session_date=session_date,
                                         duration_minutes=duration_minutes, status=str(status),
                                         recorded_by=os_user()))
        return record.commit(f"record {person.full_name}'s {kind} supervision on {format_day(session_date)}")


def _check_session_supervisor(session: Session, supervisor_id: int, day: date) -> None:
    """Whoever held a session was in post that day: a session credited to someone who had left (or not yet
    started) is a mistyped date or name."""
    supervisor = _person(session, supervisor_id, "supervisor")
    if not _in_post(supervisor, day):
        when = out_of_post(supervisor.start_date, supervisor.leave_date, day)
        raise ValidationError(f"{supervisor.full_name} {when}, so cannot have held a session on {format_day(day)}.",
                              "Check the date, or choose who held it.")


def _refuse_repeat(session: Session, person: Person, kind: str, day: date, status: str) -> None:
    """One session of a type a day, as it went, for each supervisee: recording it again would count it twice."""
    repeated = session.scalar(
        select(SupervisionSession.id).where(
            SupervisionSession.supervisee_id == person.id, SupervisionSession.supervision_type == kind,
            SupervisionSession.session_date == day, SupervisionSession.status == status))
    if repeated is not None:
        raise ValidationError(f"{person.full_name}'s {kind} session on {format_day(day)} is already recorded as "
                              f"{status}.", "Nothing was added.")


def _arranged_supervisor(session: Session, supervisee_id: int, kind: str, day: date) -> int | None:
    return session.scalar(
        select(SupervisionArrangement.supervisor_id)
        .where(SupervisionArrangement.supervisee_id == supervisee_id, SupervisionArrangement.supervision_type == kind,
               _arrangement_in_force(day))
        .order_by(SupervisionArrangement.start_date.desc()).limit(1))


def _arrangement_in_force(day: date):
    return and_(SupervisionArrangement.start_date <= day,
                or_(SupervisionArrangement.end_date.is_(None), SupervisionArrangement.end_date >= day))


_GROUP_KEY = re.compile(r"G-(\d+)")


def _next_group_key(session: Session) -> str:
    keys = session.scalars(select(SupervisionSession.group_key).where(SupervisionSession.group_key.is_not(None))
                           .distinct())
    numbers = [int(m[1]) for key in keys if (m := _GROUP_KEY.fullmatch(key))]
    return f"G-{max(numbers, default=0) + 1:04d}"


def _group_session_type(session: Session, supervisee_ids: Collection[int], day: date) -> str:
    grouped = session.scalar(
        select(SupervisionArrangement.id)
        .where(SupervisionArrangement.supervisee_id.in_(list(supervisee_ids)),
               SupervisionArrangement.supervision_type == SupervisionType.GROUP.value, _arrangement_in_force(day))
        .limit(1))
    return (SupervisionType.GROUP if grouped is not None else SupervisionType.PROFESSIONAL).value


def group_session_type(database: Database, supervisee_ids: Collection[int], day: date) -> str:
    """What a group session for these supervisees on the day counts as unless told: group supervision when any of
    them has group supervision arranged then (the arrangement it meets), otherwise professional (group clinical
    supervision standing for it)."""
    with database.session() as session:
        return _group_session_type(session, supervisee_ids, day)


def record_group_session(database: Database, supervisee_ids: Sequence[int], *, supervisor_id: int | None,
                         session_date: date | None = None, duration_minutes: int | None = None,
                         supervision_type: str | None = None,
                         did_not_attend: Collection[int] = (), today: date | None = None) -> Edit:
    """One group session for several supervisees at once: one row each, sharing a group key, in one gesture.

    Those in `did_not_attend` get a "did not attend" row, which never counts as held. The session is recorded as
    the type given, and counts towards that type; with none given, as `group_session_type` says.
    """
    today = today or date.today()
    session_date = session_date or today
    ids = list(dict.fromkeys(supervisee_ids))
    if len(ids) < 2:
        raise ValidationError("A group session needs at least two supervisees.", "Record a single session instead.")
    if set(did_not_attend) - set(ids):
        raise ValidationError("Someone marked as not attending is not in the group.", "Check the names.")
    if len(set(did_not_attend)) == len(ids):
        raise ValidationError("Nobody attended, so no group session was held.",
                              "Record it as cancelled for each supervisee instead.")
    kind = _check_type(supervision_type) if supervision_type is not None else None
    _check_minutes(duration_minutes)
    _check_session_day(SessionStatus.HELD, session_date, today)
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "record group supervision")
        kind = kind or _group_session_type(uow.session, ids, session_date)
        if supervisor_id is not None:
            _check_session_supervisor(uow.session, supervisor_id, session_date)
        people = [_person(uow.session, person_id, "supervisee") for person_id in ids]
        for person in people:
            if person.id == supervisor_id:
                raise ValidationError(f"{person.full_name} leads the group, so cannot also be supervised in it.")
            if not _in_post(person, session_date):
                raise ValidationError(f"{person.full_name} was not in post on {format_day(session_date)}.",
                                      "Take them out of the group.")
            _refuse_repeat(uow.session, person, kind, session_date, SessionStatus.DID_NOT_ATTEND.value
                           if person.id in did_not_attend else SessionStatus.HELD.value)
        group_key = _next_group_key(uow.session)
        for person in people:
            attended = person.id not in did_not_attend
            record.create(SupervisionSession(
                supervisee_id=person.id, supervisor_id=supervisor_id, supervision_type=kind,
                session_date=session_date, group_key=group_key,
                duration_minutes=duration_minutes if attended else None,
                status=SessionStatus.HELD.value if attended else SessionStatus.DID_NOT_ATTEND.value,
                recorded_by=os_user()))
        counted = "" if kind == SupervisionType.GROUP else f", counted as {kind}"
        return record.commit(f"record group supervision for {len(people)} people on {format_day(session_date)}"
                             f"{counted}")


def _session(session: Session, session_id: int) -> SupervisionSession:
    row = session.get(SupervisionSession, session_id)
    if row is None:
        raise JointleadError("That session is no longer recorded.", "Nothing was changed.")
    return row


def record_session_confirmed(database: Database, session_id: int, confirmed_on: date | None, *,
                             seen_version: int | None = None, today: date | None = None) -> Edit:
    """The day the supervisee confirmed that a session held took place (None: not confirmed, for one recorded by
    mistake). `seen_version` as for `remove_session`."""
    if confirmed_on is not None:
        check_happened(confirmed_on, today or date.today(), "The date the supervisee confirmed the session")
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "record supervisee confirmation")
        row = _session(uow.session, session_id)
        record.check_seen(row, seen_version)
        held = format_day(row.session_date)
        if confirmed_on is not None and row.status != SessionStatus.HELD:
            raise ValidationError(f"The session of {held} is recorded as {row.status}: only a session held is "
                                  "confirmed.", "Choose the session that was held.")
        if confirmed_on is not None and confirmed_on < row.session_date:
            raise ValidationError(f"The session was held on {held}, after {format_day(confirmed_on)}.",
                                  "Give the day the supervisee confirmed it, on or after the session.")
        said = f"confirmed on {format_day(confirmed_on)}" if confirmed_on else "not confirmed"
        if not record.update(row, supervisee_confirmed=confirmed_on):
            raise ValidationError(f"The session is already recorded as {said}.", "Nothing was changed.")
        person = _person(uow.session, row.supervisee_id)
        return record.commit(f"record {person.full_name}'s {row.supervision_type} session of {held} as {said}")


def remove_session(database: Database, session_id: int, *, seen_version: int | None = None) -> Edit:
    """Take out a session recorded by mistake (one row, even of a group). `seen_version`: the session's version the
    user was shown (`SessionRow.version`); if it has changed since, someone else changed it first and this is
    refused."""
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "remove supervision session")
        row = _session(uow.session, session_id)
        record.check_seen(row, seen_version)
        person = _person(uow.session, row.supervisee_id)
        record.delete(row)
        return record.commit(f"remove {person.full_name}'s {row.supervision_type} session of "
                             f"{format_day(row.session_date)}")


def _same_profession(supervisee: Person, supervisor: Person) -> bool:
    """Professional supervision is with a supervisor of the same profession (where both are recorded)."""
    return not (supervisee.profession and supervisor.profession) or same_profession(supervisee.profession,
                                                                                       supervisor.profession)


def _last_day(end: date | None, start: date, people: Sequence[Person | None], *, typed: bool) -> date | None:
    """An arrangement's last day: it ends when either person on it leaves, as a reporting line does. A last day
    `typed` later than that is refused; one carried over (none, or a change's old last day) is brought forward."""
    for who in people:
        if who is None or who.leave_date is None or who.leave_date < start or (end is not None and
                                                                                 end <= who.leave_date):
            continue
        if typed and end is not None:
            raise ValidationError(f"{who.full_name} leaves on {format_day(who.leave_date)}, so the arrangement must "
                                  "end by then.", f"End it on or before {format_day(who.leave_date)}.")
        end = who.leave_date
    return end


def _check_arrangement(session: Session, supervisee: Person, kind: str, supervisor_id: int | None, start: date,
                       end: date | None, interval_days: int | None, exclude: Collection[int] = (), *,
                       typed: bool = True) -> date | None:
    """Refuse an arrangement that breaks a rule; return its last day (see `_last_day`, and `typed` there)."""
    if end is not None and end < start:
        raise ValidationError(f"The arrangement would end on {format_day(end)}, before it starts on "
                              f"{format_day(start)}.",
                              "Check the dates.")
    if interval_days is not None and not 1 <= interval_days <= MAX_INTERVAL_DAYS:
        raise ValidationError(f"Every {interval_days} days is not an interval for supervision.",
                              "Give a number of days from 1 to 366, or leave it blank to follow the policy.")
    if supervisee.start_date is not None and start < supervisee.start_date:
        raise ValidationError(f"{supervisee.full_name} starts on {format_day(supervisee.start_date)}, after "
                              f"{format_day(start)}.", "Start the arrangement when they start.")
    if supervisee.leave_date is not None and start > supervisee.leave_date:
        raise ValidationError(f"{supervisee.full_name} leaves on {format_day(supervisee.leave_date)}.",
                              "Check the date.")
    supervisor = _person(session, supervisor_id, "supervisor") if supervisor_id is not None else None
    if supervisor is not None:
        if supervisor.id == supervisee.id:
            raise ValidationError("Nobody supervises themselves.", "Choose another supervisor.")
        if not _in_post(supervisor, start):
            raise ValidationError(f"{supervisor.full_name} is not in post on {format_day(start)}.",
                                  "Choose a supervisor who is.")
        if kind == SupervisionType.PROFESSIONAL.value and not _same_profession(supervisee, supervisor):
            raise ValidationError(
                f"{supervisor.full_name} is {with_article(supervisor.profession)}, so cannot give "
                f"{supervisee.full_name} ({with_article(supervisee.profession)}) professional "
                "supervision: it is with someone of the same profession.",
                f"Choose a supervisor who is {same_profession_words(supervisee.profession)}.")
    end = _last_day(end, start, (supervisee, supervisor), typed=typed)
    overlapping = session.scalar(
        select(SupervisionArrangement.id).where(
            SupervisionArrangement.supervisee_id == supervisee.id, SupervisionArrangement.supervision_type == kind,
            SupervisionArrangement.id.not_in(list(exclude)),
            or_(SupervisionArrangement.end_date.is_(None), SupervisionArrangement.end_date >= start),
            *([SupervisionArrangement.start_date <= end] if end is not None else [])))
    if overlapping is not None:
        raise ValidationError(f"{supervisee.full_name} already has {kind} supervision arranged then.",
                              "Change that arrangement from a date instead, or end it first.")
    return end


def add_arrangement(database: Database, supervisee_id: int, supervision_type: str, supervisor_id: int | None,
                    start_date: date, *, interval_days: int | None = None, agreement_signed: date | None = None,
                    end_date: date | None = None, today: date | None = None) -> Edit:
    """Arrange supervision of one type for a person. One arrangement of a type at a time; `interval_days`
    overrides the policy (leave it None to follow it, including the newly-qualified schedule)."""
    kind = _check_type(supervision_type)
    today = today or date.today()
    check_planned(start_date, today, "The date the arrangement starts")
    if end_date is not None:
        check_planned(end_date, today, "The arrangement's last day")
    if agreement_signed is not None:
        check_happened(agreement_signed, today, "The date the agreement was signed")
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "add supervision arrangement")
        supervisee = _person(uow.session, supervisee_id, "supervisee")
        end_date = _check_arrangement(uow.session, supervisee, kind, supervisor_id, start_date, end_date,
                                      interval_days)
        record.create(SupervisionArrangement(
            supervisee_id=supervisee_id, supervision_type=kind, supervisor_id=supervisor_id,
            interval_days=interval_days, start_date=start_date, end_date=end_date, agreement_signed=agreement_signed))
        return record.commit(f"arrange {kind} supervision for {supervisee.full_name}")


def _arrangement(session: Session, arrangement_id: int) -> SupervisionArrangement:
    row = session.get(SupervisionArrangement, arrangement_id)
    if row is None:
        raise JointleadError("That arrangement is no longer recorded.", "Refresh the list and try again.")
    return row


def end_arrangement(database: Database, arrangement_id: int, end_date: date, *,
                    seen_version: int | None = None, today: date | None = None) -> Edit:
    """End an arrangement on `end_date`, its last day.

    `seen_version` here and in `change_arrangement`: the arrangement's version the user was shown
    (`ComplianceRow.version`); if it has changed since, someone else changed it first and this is refused.
    """
    check_planned(end_date, today or date.today(), "The arrangement's last day")
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "end supervision arrangement")
        row = _arrangement(uow.session, arrangement_id)
        record.check_seen(row, seen_version)
        if end_date < row.start_date:
            raise ValidationError(f"The arrangement started on {format_day(row.start_date)}, after "
                                  f"{format_day(end_date)}.",
                                  "If it was made by mistake, remove it instead (Remove arrangement…).")
        if row.end_date == end_date:
            raise ValidationError(f"The arrangement already ends on {format_day(end_date)}.", "Nothing was changed.")
        person = _person(uow.session, row.supervisee_id)
        if row.end_date is not None and end_date > row.end_date:  # running on longer: into the next one, past a leaver?
            _check_arrangement(uow.session, person, row.supervision_type, row.supervisor_id, row.start_date, end_date,
                               row.interval_days, exclude=(row.id,))
        record.update(row, end_date=end_date)
        return record.commit(f"end {person.full_name}'s {row.supervision_type} supervision on {format_day(end_date)}")


_KEEP: Any = object()


def change_arrangement(database: Database, arrangement_id: int, effective_from: date, *,
                       supervisor_id: int | None = _KEEP, interval_days: int | None = _KEEP,
                       seen_version: int | None = None, today: date | None = None) -> Edit:
    """Change the supervisor or interval from a date: the arrangement ends the day before and a new one starts,
    so who supervised whom, when, is kept. From the arrangement's own start, it is corrected in place instead.

    A change of supervisor needs a new written agreement, so the new arrangement starts unsigned; a change of
    interval alone keeps the agreement's date.
    """
    check_planned(effective_from, today or date.today(), "The date the change takes effect")
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "change supervision arrangement")
        row = _arrangement(uow.session, arrangement_id)
        record.check_seen(row, seen_version)
        supervisee = _person(uow.session, row.supervisee_id, "supervisee")
        new_supervisor = row.supervisor_id if supervisor_id is _KEEP else supervisor_id
        new_interval = row.interval_days if interval_days is _KEEP else interval_days
        if (new_supervisor, new_interval) == (row.supervisor_id, row.interval_days):
            raise ValidationError("Nothing was changed.", "")
        if effective_from < row.start_date or (row.end_date is not None and effective_from > row.end_date):
            raise ValidationError(f"{format_day(effective_from)} is outside the arrangement "
                                  f"({format_day(row.start_date)} to "
                                  f"{format_day(row.end_date) if row.end_date else 'now'}).", "Check the date.")
        # The new arrangement keeps a last day already planned, but not the old supervisor's leaving: a handover
        # before they go would otherwise leave the supervisee with no supervision from the day after.
        old_supervisor = _person(uow.session, row.supervisor_id) if row.supervisor_id is not None else None
        planned = None if old_supervisor is not None and row.end_date == old_supervisor.leave_date else row.end_date
        end = _check_arrangement(uow.session, supervisee, row.supervision_type, new_supervisor, effective_from,
                                 planned, new_interval, exclude=(row.id,), typed=False)
        signed = row.agreement_signed if new_supervisor == row.supervisor_id else None
        if effective_from == row.start_date:
            record.update(row, supervisor_id=new_supervisor, interval_days=new_interval, agreement_signed=signed,
                          end_date=end)
        else:
            record.update(row, end_date=effective_from - ONE_DAY)
            record.create(SupervisionArrangement(
                supervisee_id=row.supervisee_id, supervision_type=row.supervision_type, supervisor_id=new_supervisor,
                interval_days=new_interval, start_date=effective_from, end_date=end, agreement_signed=signed))
        return record.commit(f"change {supervisee.full_name}'s {row.supervision_type} supervision from "
                             f"{format_day(effective_from)}")


def record_agreement_signed(database: Database, arrangement_id: int, signed_on: date | None, *,
                            seen_version: int | None = None, today: date | None = None) -> Edit:
    """The date the written supervision agreement was signed (None: not signed). `seen_version` as for
    `end_arrangement`."""
    if signed_on is not None:
        check_happened(signed_on, today or date.today(), "The date the agreement was signed")
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "record supervision agreement")
        row = _arrangement(uow.session, arrangement_id)
        record.check_seen(row, seen_version)
        if not record.update(row, agreement_signed=signed_on):
            already = f"signed on {format_day(signed_on)}" if signed_on else "not signed"
            raise ValidationError(f"The agreement is already recorded as {already}.", "Nothing was changed.")
        person = _person(uow.session, row.supervisee_id)
        said = f"signed on {format_day(signed_on)}" if signed_on else "not signed"
        return record.commit(f"record {person.full_name}'s {row.supervision_type} supervision agreement {said}")


def remove_arrangement(database: Database, arrangement_id: int, *, seen_version: int | None = None) -> Edit:
    """Take out an arrangement made by mistake; sessions recorded stay (they belong to the person, not to it).
    `seen_version` as for `end_arrangement`."""
    with UnitOfWork(database) as uow:
        record = Recorder(uow, "remove supervision arrangement")
        row = _arrangement(uow.session, arrangement_id)
        record.check_seen(row, seen_version)
        person = _person(uow.session, row.supervisee_id)
        record.delete(row)
        return record.commit(f"remove {person.full_name}'s {row.supervision_type} supervision arrangement")


# --- bulk creation from reporting lines ---------------------------------------------------------------------------

@dataclass(frozen=True)
class PlannedArrangement:
    supervisee_id: int
    supervisee: str
    team: str
    supervision_type: str
    supervisor_id: int
    supervisor: str
    start_date: date


@dataclass(frozen=True)
class NoSuitableSupervisor:
    supervisee_id: int
    supervisee: str
    team: str
    supervision_type: str
    reason: str


@dataclass(frozen=True)
class ArrangementsFromLines:
    edit: Edit | None  # None when nothing was made (or only planned)
    created: tuple[PlannedArrangement, ...]
    no_suitable_supervisor: tuple[NoSuitableSupervisor, ...]


_KIND_OF_LINE = {SupervisionType.MANAGERIAL: "managerial", SupervisionType.PROFESSIONAL: "professional"}
_LEAD_WORDS = {SupervisionType.MANAGERIAL: "line manager", SupervisionType.PROFESSIONAL: "professional lead"}


def _suitable(person: Person, lead: Person | None, kind: SupervisionType, day: date) -> str:
    """Why the lead cannot supervise, or "" when they can."""
    words = _LEAD_WORDS[kind]
    if lead is None:
        return f"No {words} is recorded on {format_day(day)}."
    if not _in_post(lead, day):
        return f"Their {words}, {lead.full_name}, is not in post."
    if kind == SupervisionType.PROFESSIONAL and not _same_profession(person, lead):
        return (f"Their professional lead, {lead.full_name}, is {with_article(lead.profession)}, not "
                f"{same_profession_words(person.profession)}.")
    return ""


def arrangements_from_lines(database: Database, day: date, *, apply: bool = True,
                            as_previewed: Sequence[PlannedArrangement] | None = None) -> ArrangementsFromLines:
    """For each team member in post, each type they need and have no arrangement for (from `day` on): managerial
    supervision with their line manager, professional with their professional lead of the same profession, both
    as the lines stand on `day`, starting that day. Says who has no suitable supervisor, and why.

    With `apply=False` nothing is written: the plan is returned for a preview. `as_previewed`, the plan the manager
    agreed to, refuses to make any other (on a shared database, someone else may have changed lines or arrangements
    since the preview).
    """
    with UnitOfWork(database) as uow:
        session = uow.session
        records = _load(session, up_to=day)
        leads = _line_leads(session, day)
        arranged = {(a.supervisee_id, a.supervision_type) for a in records.arrangements
                    if a.end_date is None or a.end_date >= day}
        planned: list[PlannedArrangement] = []
        missing: list[NoSuitableSupervisor] = []
        for supervisee in sorted(records.supervisees, key=lambda s: (s.name.casefold(), s.id)):
            if not supervisee.active_on(day):
                continue
            for kind in supervisee.required_types():
                if (supervisee.id, kind.value) in arranged:
                    continue
                person = session.get(Person, supervisee.id)
                lead_id = leads.get((supervisee.id, _KIND_OF_LINE[kind]))
                lead = session.get(Person, lead_id) if lead_id is not None else None
                reason = _suitable(person, lead, kind, day)
                if reason:
                    missing.append(NoSuitableSupervisor(supervisee.id, supervisee.name, supervisee.team, kind.value,
                                                        reason))
                else:
                    planned.append(PlannedArrangement(supervisee.id, supervisee.name, supervisee.team, kind.value,
                                                      lead.id, lead.full_name, day))
        edit = None
        if apply and as_previewed is not None and tuple(planned) != tuple(as_previewed):
            raise ChangedBySomeoneElse("What can be arranged from the reporting lines")
        if apply and planned:
            record = Recorder(uow, "create supervision arrangements from reporting lines")
            for plan in planned:
                people = (session.get(Person, plan.supervisee_id), session.get(Person, plan.supervisor_id))
                record.create(SupervisionArrangement(supervisee_id=plan.supervisee_id,
                                                     supervision_type=plan.supervision_type,
                                                     supervisor_id=plan.supervisor_id, start_date=plan.start_date,
                                                     end_date=_last_day(None, plan.start_date, people, typed=False)))
            edit = record.commit(f"arrange supervision for {len(planned)} from reporting lines")
    return ArrangementsFromLines(edit, tuple(planned), tuple(missing))

