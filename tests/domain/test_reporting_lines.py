"""Line rules: errors that make reports wrong, and gaps a manager should see."""

from __future__ import annotations

from datetime import date

from jointlead.domain.findings import Severity
from jointlead.domain.reporting_lines import Line, LineKind, StaffMember, line_findings

ON = date(2026, 11, 20)
M, P = LineKind.MANAGERIAL, LineKind.PROFESSIONAL


def person(pid, profession="social worker", registered=True, in_team=True, leave=None, name=None):
    return StaffMember(pid, name or f"Person {pid}", profession, registered, in_team, date(2020, 1, 1), leave)


def codes(findings, severity=None):
    return sorted(f.code for f in findings if severity is None or f.severity == severity)


def test_a_complete_cross_organisation_team_has_no_findings():
    people = [person(1, "manager", registered=False, in_team=False), person(2, "mental health nurse"),
              person(3), person(4, in_team=False)]
    lines = [Line(1, M, 2, 1, date(2020, 1, 1)), Line(2, M, 3, 2, date(2020, 1, 1)),
             Line(3, P, 3, 4, date(2020, 1, 1)), Line(4, P, 2, 2, date(2020, 1, 1))]
    assert codes(line_findings(people, lines[:3], ON)) == ["no-professional-line"]
    assert codes(line_findings(people, lines, ON), Severity.ERROR) == ["self-line"]


def test_a_loop_of_managers_is_an_error_for_everyone_on_it():
    people = [person(1), person(2), person(3)]
    lines = [Line(1, M, 1, 2, date(2020, 1, 1)), Line(2, M, 2, 3, date(2020, 1, 1)),
             Line(3, M, 3, 1, date(2020, 1, 1))]
    found = [f for f in line_findings(people, lines, ON) if f.code == "line-cycle"]
    assert sorted(f.subject for f in found) == ["person 1", "person 2", "person 3"]


def test_a_line_that_ended_before_the_date_does_not_make_a_loop():
    people = [person(1), person(2)]
    lines = [Line(1, M, 1, 2, date(2020, 1, 1), date(2025, 12, 31)), Line(2, M, 2, 1, date(2026, 1, 1))]
    assert "line-cycle" not in codes(line_findings(people, lines, ON))


def test_two_managerial_lines_in_force_at_once_are_an_error_but_a_dated_change_is_not():
    people = [person(1), person(2), person(3)]
    overlapping = [Line(1, M, 3, 1, date(2020, 1, 1)), Line(2, M, 3, 2, date(2026, 6, 1))]
    change = [Line(1, M, 3, 1, date(2020, 1, 1), date(2026, 5, 31)), Line(2, M, 3, 2, date(2026, 6, 1))]
    assert "line-overlap" in codes(line_findings(people, overlapping, ON), Severity.ERROR)
    assert "line-overlap" not in codes(line_findings(people, change, ON))


def test_gaps_are_warnings():
    people = [person(1, "mental health nurse"), person(2), person(3, "support worker", registered=False),
              person(9, "psychologist", in_team=False, leave=date(2026, 10, 31))]
    lines = [Line(1, P, 1, 2, date(2020, 1, 1)), Line(2, M, 2, 9, date(2020, 1, 1))]
    found = line_findings(people, lines, ON)
    assert codes(found, Severity.ERROR) == []
    assert codes(found) == ["lead-left", "lead-other-profession", "no-manager", "no-manager", "no-professional-line"]


def test_a_manager_over_the_span_of_control_is_flagged():
    people = [person(0, "manager", registered=False)] + [person(i) for i in range(1, 5)]
    lines = [Line(i, M, i, 0, date(2020, 1, 1)) for i in range(1, 5)]
    assert "span-of-control" in codes(line_findings(people, lines, ON, span_of_control=3))
    assert "span-of-control" not in codes(line_findings(people, lines, ON, span_of_control=4))
