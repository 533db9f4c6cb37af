"""Line rules: errors that make reports wrong, and gaps a manager should see."""

from __future__ import annotations

from datetime import date

from jointlead.domain.findings import Severity
from jointlead.domain.reporting_lines import Line, LineKind, StaffMember, line_findings, line_notes

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


def test_a_line_starting_before_its_person_started_is_a_warning_naming_both_days():
    people = [person(1, "manager", registered=False, in_team=False), person(2, name="Sam Social")]
    lines = [Line(1, M, 2, 1, date(2019, 9, 1)), Line(2, P, 2, 1, date(2020, 1, 1))]
    found = [(f.severity, f.subject, f.message) for f in line_findings(people, lines, ON)
             if f.code == "line-before-start"]
    assert found == [(Severity.WARNING, "person 2", "Sam Social's managerial line to Person 1 starts on "
                                                    "1 September 2019, before they started on 1 January 2020.")]


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


def test_the_findings_for_a_hand_built_team_are_exactly_these():
    """Two employers, one of every gap, as at 20 November 2026 with a span of control of 2."""
    def member(pid, name, profession, employer, number, *, registered=True, in_team=True, leave=None, hr=None):
        return StaffMember(pid, name, profession, registered, in_team, date(2020, 1, 1), leave, employer, number, hr)

    people = [
        member(1, "Jo Head", "manager", "NFT", "N001", registered=False, in_team=False),
        member(2, "Sam Social", "social worker", "NCC", "C002", hr="C004"),
        member(3, "Tess Nurse", "mental health nurse", "NFT", "N003", hr="N001"),
        member(4, "Pat Principal", "social worker", "NCC", "C004", in_team=False),
        member(5, "Lee Lead", "mental health nurse", "NFT", "N005", hr="N001"),
        member(6, "Ola Therapist", "occupational therapist", "NFT", "N006", hr="N001"),
        member(7, "Ned Support", "support worker", "NCC", "C007", registered=False, hr="C004"),
        member(8, "Val Social", "social worker", "NCC", "C008"),
        member(9, "Kim Gone", "social worker", "NCC", "C009", leave=date(2026, 10, 31)),
        member(10, "Amy Admin", "administrator", "NFT", "N010", registered=False, hr="N999"),
    ]
    since = date(2024, 4, 1)
    lines = [
        Line(1, M, 2, 3, since), Line(2, P, 2, 4, since),  # Sam: managed across the boundary by Tess
        Line(3, M, 3, 1, since), Line(4, P, 3, 5, since),
        Line(5, M, 5, 1, since),  # Lee: a registered nurse with no professional line
        Line(6, M, 6, 3, since), Line(7, P, 6, 3, since),  # Ola: an OT whose professional lead is a nurse
        Line(8, M, 8, 9, since), Line(9, P, 8, 4, since),  # Val: managed by Kim, who has left
        Line(10, M, 9, 3, since),  # Kim: left, but her line was never ended (and Tess's span does not count her)
        Line(11, M, 10, 1, since),  # Amy: Jo is her third report, over a span of 2
        Line(12, M, 4, 3, since, date(2025, 3, 31)),  # long ended: plays no part
    ]
    found = [(f.severity, f.code, f.subject, f.message) for f in line_findings(people, lines, ON, span_of_control=2)]
    W, INFO = Severity.WARNING, Severity.INFORMATION
    assert found == [
        (W, "lead-other-profession", "person 6", "Ola Therapist (occupational therapist) has a professional lead "
                                                 "of another profession: Tess Nurse (mental health nurse)."),
        (W, "lead-left", "person 8", "Val Social's managerial lead, Kim Gone, left on 31 October 2026."),
        (W, "line-after-leaving", "person 9", "Kim Gone left on 31 October 2026, but their managerial line to "
                                              "Tess Nurse is still open."),
        (W, "no-professional-line", "person 5", "Lee Lead is registered but has no professional line."),
        (W, "no-manager", "person 7", "Ned Support has no managerial line."),
        (W, "span-of-control", "person 1", "Jo Head manages 3 people, more than the span of control of 2."),
        (W, "hr-supervisor-differs", "person 6", "The HR extract names Jo Head as Ola Therapist's supervisor, but "
                                                 "the line manager recorded here is Tess Nurse. One of the two "
                                                 "records needs correcting."),
        (W, "hr-supervisor-differs", "person 7", "The HR extract names Pat Principal as Ned Support's supervisor, "
                                                 "but no line manager is recorded here."),
        (W, "hr-supervisor-differs", "person 10", "The HR extract names employee number N999 (not recorded here) "
                                                  "as Amy Admin's supervisor, but the line manager recorded here is "
                                                  "Jo Head. One of the two records needs correcting."),
    ]
    notes = [(f.severity, f.code, f.subject, f.message) for f in line_notes(people, lines, ON)]
    assert notes == [
        (INFO, "cross-organisation", "person 2", "Sam Social (NCC) has a line manager across the organisational "
                                              "boundary: Tess Nurse (NFT)."),
        (INFO, "hr-supervisor-other-employer", "person 2", "NCC's HR extract names Pat Principal as Sam Social's "
                                                        "supervisor: their line manager, Tess Nurse, is employed by "
                                                        "NFT, so NCC's HR system cannot name them."),
    ]
