"""Rules for dated managerial and professional lines across the organisational boundary."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from jointlead.domain.findings import Finding, Severity

DEFAULT_SPAN_OF_CONTROL = 12


class LineKind(StrEnum):
    MANAGERIAL = "managerial"
    PROFESSIONAL = "professional"


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


def lines_in_force(lines: Iterable[Line], day: date) -> list[Line]:
    return [line for line in lines if line.in_force_on(day)]


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


def line_findings(
    people: Sequence[StaffMember],
    lines: Sequence[Line],
    on: date,
    span_of_control: int = DEFAULT_SPAN_OF_CONTROL,
) -> list[Finding]:
    """Every rule the recorded lines break, and every gap a manager should see, as at one date."""
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
        if person is None or not person.active_on(on):
            continue
        if lead is not None and not lead.active_on(on):
            findings.append(Finding(Severity.WARNING, "lead-left",
                                    f"{person.name}'s {line.kind} lead {lead.name} is not active on {on:%d/%m/%Y}.",
                                    f"person {person.id}"))
        if (line.kind == LineKind.PROFESSIONAL and lead is not None and person.profession
                and lead.profession and lead.profession != person.profession):
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

    reports = Counter(ln.lead_id for ln in current if ln.kind == LineKind.MANAGERIAL)
    for lead_id, count in sorted(reports.items()):
        if count > span_of_control:
            findings.append(Finding(Severity.WARNING, "span-of-control",
                                    f"{name(lead_id)} manages {count} people, more than the span of control "
                                    f"of {span_of_control}.", f"person {lead_id}"))
    return findings
