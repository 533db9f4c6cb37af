"""Rules for dated managerial and professional lines across the organisational boundary.

Three judgements, each as at a date, none of which touches a database:

- `check_line` refuses a line that breaks a rule, with a `ValidationError` a manager understands: no one leads
  themselves; no loop in either kind of line on any day the line would be in force; both people in post for the
  whole of the line; a professional lead of the same profession (`same_profession`: any nurse to a nurse lead);
  one line of each kind at a time.
  `plan_line_change` and `plan_reassignment` build the dated changes (the old line ends the day before, the new one
  starts) and put every new line through `check_line`, so history is kept and never overwritten.
- `line_findings` lists what the recorded lines get wrong or leave out (errors and warnings).
- `line_notes` marks what is worth seeing but is no problem (information): lines across the organisational
  boundary, and an HR extract that cannot name a line manager employed by the other organisation.

A manager over the span of control is a warning, never a refusal: a team often runs over for a while (a vacancy,
a merger of teams), and refusing would leave people with no line recorded at all, which is worse.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from jointlead.domain.calendar import format_day
from jointlead.domain.errors import ValidationError
from jointlead.domain.findings import Finding, Severity
from jointlead.domain.professions import same_profession, same_profession_words, with_article

DEFAULT_SPAN_OF_CONTROL = 12
ONE_DAY = timedelta(days=1)


class LineKind(StrEnum):
    MANAGERIAL = "managerial"
    PROFESSIONAL = "professional"

    @property
    def lead_words(self) -> str:
        """How a person's lead of this kind is named in a sentence."""
        return "line manager" if self is LineKind.MANAGERIAL else "professional lead"


@dataclass(frozen=True)
class StaffMember:
    """What the line rules need to know about a person."""

    id: int
    name: str
    profession: str
    registered: bool
    in_team: bool
    start_date: date | None
    leave_date: date | None
    employer: str = ""
    employee_number: str | None = None
    hr_supervisor_number: str | None = None  # the employer's HR extract's "supervisor", an employee number there

    def active_on(self, day: date) -> bool:
        started = self.start_date is None or self.start_date <= day
        still_here = self.leave_date is None or self.leave_date >= day
        return started and still_here


@dataclass(frozen=True)
class Line:
    id: int
    kind: LineKind
    person_id: int
    lead_id: int
    effective_from: date
    effective_to: date | None = None

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True)
class LineChange:
    """A line changed from a date: the line in force until then ends the day before, and a new one starts."""

    ended: Line | None  # the line that was in force, with its new last day; None when there was none
    started: Line  # id 0: not recorded yet
    warnings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Reassignment:
    """All of one lead's reports of a kind moved to another lead from a date."""

    changes: tuple[LineChange, ...]
    warnings: tuple[Finding, ...] = ()


def lines_in_force(lines: Iterable[Line], day: date) -> list[Line]:
    return [line for line in lines if line.in_force_on(day)]


def is_cross_organisation(person: StaffMember, lead: StaffMember) -> bool:
    """True when the two are employed by different organisations (unknown employers never count)."""
    return bool(person.employer and lead.employer) and person.employer != lead.employer



def _overlaps(a: Line, b: Line) -> bool:
    a_end = a.effective_to or date.max
    b_end = b.effective_to or date.max
    return a.effective_from <= b_end and b.effective_from <= a_end


def _cycle_members(lines: Sequence[Line]) -> set[int]:
    """People who sit on a cycle of leads (A leads B leads A), found by walking each chain upwards."""
    lead_of = {line.person_id: line.lead_id for line in lines}
    on_cycle: set[int] = set()
    for start in lead_of:
        seen: list[int] = []
        current: int | None = start
        while current is not None and current not in seen:
            seen.append(current)
            current = lead_of.get(current)
        if current is not None:
            on_cycle.update(seen[seen.index(current):])
    return on_cycle


def _reaches(lead_of: dict[int, int], start: int, target: int) -> bool:
    """Whether walking up from `start` (start, their lead, their lead's lead…) meets `target`."""
    seen: set[int] = set()
    current: int | None = start
    while current is not None and current not in seen:
        if current == target:
            return True
        seen.add(current)
        current = lead_of.get(current)
    return False


def _days_lines_change(lines: Iterable[Line], start: date, end: date | None) -> list[date]:
    """The start day and every later day (up to `end`) on which some line begins or stops being in force.

    Between two of these days the lines in force are the same, so checking these days checks every day.
    """
    days = {start}
    for line in lines:
        after_end = line.effective_to + ONE_DAY if line.effective_to and line.effective_to < date.max else None
        for day in (line.effective_from, after_end):
            if day is not None and start < day and (end is None or day <= end):
                days.add(day)
    return sorted(days)


def _not_in_post(person: StaffMember, day: date) -> str:
    """Why someone is not in post on a day, as the end of a sentence that starts with their name."""
    if person.start_date is not None and person.start_date > day:
        return f"does not start until {format_day(person.start_date)}"
    return f"left on {format_day(person.leave_date)}" if person.leave_date else "is not in post"


def _in_post(by_id: dict[int, StaffMember], person_id: int, day: date) -> bool:
    person = by_id.get(person_id)
    return person is None or person.active_on(day)


def _span_warning(by_id: dict[int, StaffMember], lines: Iterable[Line], lead_id: int, day: date,
                  span_of_control: int) -> Finding | None:
    count = sum(1 for ln in lines if ln.kind == LineKind.MANAGERIAL and ln.lead_id == lead_id and ln.in_force_on(day)
                and _in_post(by_id, ln.person_id, day))
    if count <= span_of_control:
        return None
    lead = by_id.get(lead_id)
    return Finding(Severity.WARNING, "span-of-control",
                   f"{lead.name if lead else f'person {lead_id}'} manages {count} people from {format_day(day)}, "
                   f"more than the span of control of {span_of_control}.", f"person {lead_id}")


def check_line(
    people: Sequence[StaffMember],
    lines: Sequence[Line],
    proposed: Line,
    span_of_control: int = DEFAULT_SPAN_OF_CONTROL,
) -> tuple[Finding, ...]:
    """Refuse `proposed` if it breaks a rule; otherwise return the warnings it brings (the span of control).

    `lines` are the other lines recorded (not `proposed` itself). Refused, with a `ValidationError`:
    a person as their own lead; a line ending before it starts; either person not in post on the first day, or
    leaving before the line ends (an open line to someone with a leave date is refused: it must end by then);
    a professional lead of another profession (when both professions are known); a second line of the same kind
    in force at the same time as another; and a line that would close a loop of leads on any day it is in force.
    Over the span of control is only a warning, because a refusal would leave people with no line at all.
    """
    by_id = {p.id: p for p in people}
    kind = proposed.kind
    person, lead = by_id.get(proposed.person_id), by_id.get(proposed.lead_id)
    if proposed.person_id == proposed.lead_id:
        who = person.name if person else "Nobody"
        raise ValidationError(f"{who} cannot be their own {kind.lead_words}.", "Choose someone else.")
    if person is None or lead is None:
        raise ValidationError("That line names someone who is not recorded.", "Add the person first, then the line.")
    start, end = proposed.effective_from, proposed.effective_to
    if end is not None and end < start:
        raise ValidationError(f"The line would end on {format_day(end)}, before it starts on {format_day(start)}.",
                              "Check the dates.")
    for who in (person, lead):
        if not who.active_on(start):
            raise ValidationError(f"{who.name} {_not_in_post(who, start)}, so cannot have a line from "
                                  f"{format_day(start)}.",
                                  "A line can only start on a day both people are in post.")
        if who.leave_date is not None and (end is None or end > who.leave_date):
            raise ValidationError(f"{who.name} leaves on {format_day(who.leave_date)}, so a line with them must end by "
                                  "then.", f"End the line on or before {format_day(who.leave_date)}.")
    if (kind == LineKind.PROFESSIONAL and person.profession and lead.profession
            and not same_profession(person.profession, lead.profession)):
        raise ValidationError(f"{lead.name} is {with_article(lead.profession)}, so cannot be the professional lead "
                              f"of {person.name}, {with_article(person.profession)}.",
                              f"Choose a professional lead who is {same_profession_words(person.profession)}.")
    _check_shape(by_id, lines, proposed)
    if kind != LineKind.MANAGERIAL:
        return ()
    warning = _span_warning(by_id, [*lines, proposed], lead.id, start, span_of_control)
    return (warning,) if warning else ()


def check_line_shape(people: Sequence[StaffMember], lines: Sequence[Line], line: Line) -> None:
    """Refuse `line` if, beside the other `lines`, it makes two lines of its kind at once for its person or a loop
    of leads on any day: the rules no record may break (`line_findings` calls them errors). For a line put back by
    an undo, whose other rules were checked when it was first made."""
    _check_shape({p.id: p for p in people}, lines, line)


def _check_shape(by_id: dict[int, StaffMember], lines: Sequence[Line], proposed: Line) -> None:
    kind, start, end = proposed.kind, proposed.effective_from, proposed.effective_to
    person, lead = by_id[proposed.person_id], by_id[proposed.lead_id]
    for other in lines:
        if other.person_id == person.id and other.kind == kind and _overlaps(other, proposed):
            other_lead = by_id.get(other.lead_id)
            until = f" to {format_day(other.effective_to)}" if other.effective_to else ""
            raise ValidationError(
                f"{person.name} already has a {kind} line to {other_lead.name if other_lead else 'someone'} "
                f"from {format_day(other.effective_from)}{until}.",
                "Change the line from a date instead: the earlier line then ends the day before, and its history "
                "is kept.")
    of_kind = [ln for ln in lines if ln.kind == kind and ln.person_id != person.id]
    for day in _days_lines_change(of_kind, start, end):
        lead_of = {ln.person_id: ln.lead_id for ln in of_kind if ln.in_force_on(day)}
        if _reaches(lead_of, lead.id, person.id):
            raise ValidationError(
                f"On {format_day(day)} {lead.name} reports, directly or through others, to {person.name}, so "
                f"{lead.name} cannot be {person.name}'s {kind.lead_words}: the {kind} lines would go round in a loop.",
                f"Change {lead.name}'s own {kind} line first, or choose someone else.")


def _plan_change(people: Sequence[StaffMember], lines: Sequence[Line], person_id: int, kind: LineKind,
                 lead_id: int, from_date: date, span_of_control: int) -> tuple[LineChange, list[Line]]:
    by_id = {p.id: p for p in people}
    person = by_id.get(person_id)
    if person is None:
        raise ValidationError("That person is not recorded.", "Add the person first, then their lines.")
    history = sorted((ln for ln in lines if ln.person_id == person_id and ln.kind == kind),
                     key=lambda ln: ln.effective_from)
    if history and from_date <= history[-1].effective_from:
        latest = history[-1]
        latest_lead = by_id.get(latest.lead_id)
        raise ValidationError(
            f"{person.name}'s {kind} line to {latest_lead.name if latest_lead else 'someone'} starts on "
            f"{format_day(latest.effective_from)}, so a change can only take effect after that.",
            "History is kept, never overwritten: choose a later date, or undo the change that made that line.")
    current = next((ln for ln in history if ln.in_force_on(from_date)), None)
    if current is not None and current.lead_id == lead_id:
        raise ValidationError(f"{by_id[lead_id].name} is already {person.name}'s {kind.lead_words} on "
                              f"{format_day(from_date)}.", "Nothing needs changing.")
    ended = replace(current, effective_to=from_date - ONE_DAY) if current else None
    # The new line keeps any end already planned, and ends when either person leaves. An end that is only the old
    # lead's last day is theirs, not the line's: a handover before a manager goes would otherwise leave her
    # reports with nobody from the day after she leaves.
    old_lead = by_id.get(current.lead_id) if current else None
    end = current.effective_to if current and not (old_lead and current.effective_to == old_lead.leave_date) else None
    for who in (person, by_id.get(lead_id)):
        if who and who.leave_date and who.leave_date >= from_date and (end is None or end > who.leave_date):
            end = who.leave_date
    started = Line(0, kind, person_id, lead_id, from_date, end)
    others = [ended if ln is current else ln for ln in lines]
    warnings = check_line(people, others, started, span_of_control)
    return LineChange(ended, started, warnings), [*others, started]


def plan_line_change(
    people: Sequence[StaffMember],
    lines: Sequence[Line],
    person_id: int,
    kind: LineKind,
    lead_id: int,
    from_date: date,
    span_of_control: int = DEFAULT_SPAN_OF_CONTROL,
) -> LineChange:
    """A person's line of one kind goes to `lead_id` from `from_date`; the line in force then ends the day before.

    Refused: a date on or before the start of the person's latest line of that kind (history is never rewritten),
    the same lead again, and anything `check_line` refuses. The new line keeps an end already planned for the old
    one (not the old lead's leaving), and ends when either person leaves. A person with no line of the kind simply
    gets one.
    """
    change, _after = _plan_change(people, lines, person_id, kind, lead_id, from_date, span_of_control)
    return change


def plan_reassignment(
    people: Sequence[StaffMember],
    lines: Sequence[Line],
    from_lead_id: int,
    to_lead_id: int,
    kind: LineKind,
    from_date: date,
    span_of_control: int = DEFAULT_SPAN_OF_CONTROL,
) -> Reassignment:
    """Everyone whose line of one kind is to `from_lead_id` moves to `to_lead_id` from `from_date`.

    "Everyone" is each person in post on `from_date` whose latest line of the kind (starting by then) is to the old
    lead and is either in force that day or ended on the old lead's last day: so the reports of a leaver, whose lines
    ended when they left, are moved by reassigning from the day after. A line ended for any other reason stays
    ended: it was ended on purpose, and moving its person would start a line nobody asked for. If the new lead is
    one of the reports, they keep their own line (no one can lead themselves). All or nothing: if any one change is
    refused, the whole reassignment is.
    """
    by_id = {p.id: p for p in people}
    if from_lead_id == to_lead_id:
        raise ValidationError("The reports would move to the person they already report to.",
                              "Choose someone else to move them to.")
    old_lead = by_id.get(from_lead_id)
    latest: dict[int, Line] = {}
    for line in sorted(lines, key=lambda ln: ln.effective_from):
        if line.kind == kind and line.effective_from <= from_date:
            latest[line.person_id] = line
    left_on = old_lead.leave_date if old_lead is not None else None
    reports = sorted((person_id for person_id, line in latest.items()
                      if line.lead_id == from_lead_id and person_id != to_lead_id
                      and (line.in_force_on(from_date) or (left_on is not None and line.effective_to == left_on))
                      and person_id in by_id and by_id[person_id].active_on(from_date)),
                     key=lambda pid: (by_id[pid].name, pid))
    if not reports:
        raise ValidationError(f"{old_lead.name if old_lead else 'That person'} has no {kind} reports on "
                              f"{format_day(from_date)}.", "Choose another date or another person.")
    changes: list[LineChange] = []
    working = list(lines)
    for person_id in reports:
        change, working = _plan_change(people, working, person_id, kind, to_lead_id, from_date,
                                       span_of_control=len(working))  # the span is judged once, at the end
        changes.append(change)
    warning = (_span_warning(by_id, working, to_lead_id, from_date, span_of_control)
               if kind == LineKind.MANAGERIAL else None)
    return Reassignment(tuple(changes), (warning,) if warning else ())


def line_findings(
    people: Sequence[StaffMember],
    lines: Sequence[Line],
    on: date,
    span_of_control: int = DEFAULT_SPAN_OF_CONTROL,
) -> list[Finding]:
    """Every rule the recorded lines break, and every gap a manager should see, as at one date.

    Errors: a person as their own lead, a line ending before it starts, two lines of a kind at once, a loop.
    Warnings: a line to someone not in post (left, or not started), a line starting before its person started, a
    line still open after its person left,
    a professional lead of another profession, a team member with no managerial line, a registered team member
    with no professional line, a manager over the span of control, and a team member whose HR extract names
    someone other than the recorded line manager where the HR system could have named them. What is only
    information (lines across organisations) is in `line_notes`.
    """
    by_id = {p.id: p for p in people}
    findings: list[Finding] = []

    def name(person_id: int) -> str:
        person = by_id.get(person_id)
        return person.name if person else f"person {person_id}"

    for line in lines:
        subject = f"person {line.person_id}"
        if line.person_id == line.lead_id:
            findings.append(Finding(Severity.ERROR, "self-line",
                                    f"{name(line.person_id)} is recorded as their own {line.kind} lead.", subject))
        if line.effective_to is not None and line.effective_to < line.effective_from:
            findings.append(Finding(Severity.ERROR, "line-dates",
                                    f"{name(line.person_id)}'s {line.kind} line ends before it starts.", subject))
        person = by_id.get(line.person_id)
        if person is not None and person.start_date is not None and line.effective_from < person.start_date:
            # The org chart as at a day before they started would show them; an HR start date corrected later
            # leaves lines dated from the old one.
            findings.append(Finding(Severity.WARNING, "line-before-start",
                                    f"{person.name}'s {line.kind} line to {name(line.lead_id)} starts on "
                                    f"{format_day(line.effective_from)}, before they started on "
                                    f"{format_day(person.start_date)}.", subject))

    by_person_kind: dict[tuple[int, LineKind], list[Line]] = {}
    for line in lines:
        by_person_kind.setdefault((line.person_id, line.kind), []).append(line)
    for (person_id, kind), history in sorted(by_person_kind.items()):
        ordered = sorted(history, key=lambda ln: ln.effective_from)
        if any(_overlaps(a, b) for a, b in itertools.pairwise(ordered)):
            findings.append(Finding(Severity.ERROR, "line-overlap",
                                    f"{name(person_id)} has two {kind} lines in force at the same time.",
                                    f"person {person_id}"))

    current = lines_in_force(lines, on)
    for kind in LineKind:
        of_kind = [ln for ln in current if ln.kind == kind and ln.person_id != ln.lead_id]
        for person_id in sorted(_cycle_members(of_kind)):
            findings.append(Finding(Severity.ERROR, "line-cycle",
                                    f"{name(person_id)} is in a loop of {kind} lines: a lead reports to their own "
                                    "report.",
                                    f"person {person_id}"))

    for line in current:
        lead = by_id.get(line.lead_id)
        person = by_id.get(line.person_id)
        if person is None:
            continue
        if not person.active_on(on):
            if person.leave_date is not None and person.leave_date < on:
                findings.append(Finding(Severity.WARNING, "line-after-leaving",
                                        f"{person.name} left on {format_day(person.leave_date)}, but their {line.kind} "
                                        f"line to {name(line.lead_id)} is still open.", f"person {person.id}"))
            continue
        if lead is not None and not lead.active_on(on):
            left = lead.leave_date is not None and lead.leave_date < on
            findings.append(Finding(Severity.WARNING, "lead-left" if left else "lead-not-started",
                                    f"{person.name}'s {line.kind} lead, {lead.name}, {_not_in_post(lead, on)}.",
                                    f"person {person.id}"))
        if (line.kind == LineKind.PROFESSIONAL and lead is not None and person.profession
                and lead.profession and not same_profession(lead.profession, person.profession)):
            findings.append(Finding(Severity.WARNING, "lead-other-profession",
                                    f"{person.name} ({person.profession}) has a professional lead of another "
                                    f"profession: {lead.name} ({lead.profession}).", f"person {person.id}"))

    has_line = {(ln.person_id, ln.kind) for ln in current}
    for person in people:
        if not (person.in_team and person.active_on(on)):
            continue
        if (person.id, LineKind.MANAGERIAL) not in has_line:
            findings.append(Finding(Severity.WARNING, "no-manager",
                                    f"{person.name} has no managerial line.", f"person {person.id}"))
        if person.registered and (person.id, LineKind.PROFESSIONAL) not in has_line:
            findings.append(Finding(Severity.WARNING, "no-professional-line",
                                    f"{person.name} is registered but has no professional line.",
                                    f"person {person.id}"))

    # A leaver whose line was never ended is a finding of its own, not a report the manager still has.
    reports = Counter(ln.lead_id for ln in current
                      if ln.kind == LineKind.MANAGERIAL and _in_post(by_id, ln.person_id, on))
    for lead_id, count in sorted(reports.items()):
        if count > span_of_control:
            findings.append(Finding(Severity.WARNING, "span-of-control",
                                    f"{name(lead_id)} manages {count} people, more than the span of control "
                                    f"of {span_of_control}.", f"person {lead_id}"))
    findings.extend(f for f in _hr_comparisons(people, current, on) if f.severity.needs_action)
    return findings


def _hr_comparisons(people: Sequence[StaffMember], current: Sequence[Line], on: date) -> list[Finding]:
    """Where a team member's HR extract names a supervisor other than the line manager recorded here.

    An HR system only holds its own employer's staff, so it cannot name a manager from the other organisation:
    that difference is information. Any other difference means one of the two records is out of date.
    """
    by_id = {p.id: p for p in people}
    by_number = {(p.employer, p.employee_number): p for p in people if p.employee_number}
    manager_of = {ln.person_id: by_id.get(ln.lead_id) for ln in current if ln.kind == LineKind.MANAGERIAL}
    findings: list[Finding] = []
    for person in people:
        number = person.hr_supervisor_number
        if not (number and person.in_team and person.active_on(on)):
            continue
        named = by_number.get((person.employer, number))
        hr_name = named.name if named else f"employee number {number} (not recorded here)"
        manager = manager_of.get(person.id)
        subject = f"person {person.id}"
        if manager is not None and named is not None and manager.id == named.id:
            continue
        if manager is None:
            findings.append(Finding(Severity.WARNING, "hr-supervisor-differs",
                                    f"The HR extract names {hr_name} as {person.name}'s supervisor, but no line "
                                    "manager is recorded here.", subject))
        elif is_cross_organisation(person, manager):
            findings.append(Finding(Severity.INFORMATION, "hr-supervisor-other-employer",
                                    f"{person.employer}'s HR extract names {hr_name} as {person.name}'s supervisor: "
                                    f"their line manager, {manager.name}, is employed by {manager.employer}, so "
                                    f"{person.employer}'s HR system cannot name them.", subject))
        else:
            findings.append(Finding(Severity.WARNING, "hr-supervisor-differs",
                                    f"The HR extract names {hr_name} as {person.name}'s supervisor, but the line "
                                    f"manager recorded here is {manager.name}. One of the two records needs "
                                    "correcting.", subject))
    return findings


def line_notes(people: Sequence[StaffMember], lines: Sequence[Line], on: date) -> list[Finding]:
    """What is worth showing about the lines in force but is not a problem: lines across organisations."""
    by_id = {p.id: p for p in people}
    current = lines_in_force(lines, on)
    notes: list[Finding] = []
    for line in sorted(current, key=lambda ln: (ln.person_id, ln.kind)):
        person, lead = by_id.get(line.person_id), by_id.get(line.lead_id)
        if person is None or lead is None or not person.active_on(on) or not is_cross_organisation(person, lead):
            continue
        notes.append(Finding(Severity.INFORMATION, "cross-organisation",
                             f"{person.name} ({person.employer}) has a {line.kind.lead_words} across the "
                             f"organisational boundary: {lead.name} ({lead.employer}).", f"person {person.id}"))
    notes.extend(f for f in _hr_comparisons(people, current, on) if f.severity == Severity.INFORMATION)
    return notes

