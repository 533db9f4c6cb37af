"""Proposed lines and dated changes: what is refused, in words a manager understands, and what is only a warning."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jointlead.domain.errors import ValidationError
from jointlead.domain.findings import Severity
from jointlead.domain.professions import is_registered_profession
from jointlead.domain.reporting_lines import (
    Line,
    LineChange,
    LineKind,
    StaffMember,
    check_line,
    line_findings,
    plan_line_change,
    plan_reassignment,
)

M, P = LineKind.MANAGERIAL, LineKind.PROFESSIONAL
START = date(2026, 1, 1)


def person(pid, profession="social worker", start=date(2020, 1, 1), leave=None, employer="NCC"):
    return StaffMember(pid, f"Person {pid}", profession, True, True, start, leave, employer)


TEAM = [person(1, "manager"), person(2), person(3), person(4, "mental health nurse", employer="NFT"),
        person(5, leave=date(2026, 10, 31)), person(6, start=date(2027, 1, 4))]


def refusal(proposed: Line, lines=(), people=TEAM) -> str:
    with pytest.raises(ValidationError) as refused:
        check_line(people, list(lines), proposed)
    return str(refused.value)


def test_no_one_can_be_their_own_line_manager():
    assert refusal(Line(0, M, 2, 2, START)) == "Person 2 cannot be their own line manager. Choose someone else."


def test_a_line_that_closes_a_loop_is_refused_naming_the_day():
    existing = [Line(1, M, 2, 3, START), Line(2, M, 3, 1, START)]
    message = refusal(Line(0, M, 1, 2, START), existing)
    assert message.startswith("On 1 January 2026 Person 2 reports, directly or through others, to Person 1")


def test_a_loop_that_would_only_arise_later_is_refused_too():
    later = [Line(1, M, 2, 3, date(2026, 6, 1))]
    assert "On 1 June 2026 Person 2 reports" in refusal(Line(0, M, 3, 2, START), later)
    # ...but a line that ends before the other begins makes no loop.
    assert check_line(TEAM, later, Line(0, M, 3, 2, START, date(2026, 5, 31))) == ()


def test_loops_are_judged_within_one_kind_of_line():
    professional = [Line(1, P, 2, 3, START)]
    assert check_line(TEAM, professional, Line(0, M, 3, 2, START)) == ()


def test_both_people_must_be_in_post_for_the_whole_line():
    assert "Person 5 left on 31 October 2026" in refusal(Line(0, M, 2, 5, date(2026, 11, 1)))
    assert "Person 6 does not start until 4 January 2027" in refusal(Line(0, M, 2, 6, START))
    assert "Person 5 leaves on 31 October 2026, so a line with them must end by then" in refusal(
        Line(0, M, 2, 5, START))
    assert check_line(TEAM, [], Line(0, M, 2, 5, START, date(2026, 10, 31))) == ()


def test_a_professional_lead_must_share_the_profession_but_a_line_manager_need_not():
    assert refusal(Line(0, P, 2, 4, START)) == (
        "Person 4 is a mental health nurse, so cannot be the professional lead of Person 2, a social worker. "
        "Choose a professional lead who is a social worker.")
    assert check_line(TEAM, [], Line(0, M, 2, 4, START)) == ()


def test_a_profession_typed_in_another_case_or_spacing_is_the_same_profession():
    psw, worker = person(1, "Social Worker"), person(2, " social  worker")
    line = Line(0, P, 2, 1, START)
    assert check_line([psw, worker], [], line) == ()
    assert not [f for f in line_findings([psw, worker], [line], START) if f.code == "lead-other-profession"]
    # One list of registered professions, in any case: the lines' rules and supervision's agree.
    assert is_registered_profession("Social Worker") and is_registered_profession("Nurse ")
    assert not is_registered_profession("support worker")


def test_two_lines_of_a_kind_at_once_are_refused():
    assert "Person 2 already has a managerial line to Person 1 from 1 January 2020" in refusal(
        Line(0, M, 2, 3, START), [Line(1, M, 2, 1, date(2020, 1, 1))])


def test_a_line_cannot_end_before_it_starts():
    assert refusal(Line(0, M, 2, 1, START, date(2025, 12, 31))).startswith("The line would end on 31 December 2025")


def test_over_the_span_of_control_is_a_warning_not_a_refusal():
    lines = [Line(i, M, i, 1, START) for i in (2, 3)]
    warnings = check_line(TEAM, lines, Line(0, M, 4, 1, START), span_of_control=2)
    assert [(w.severity, w.code, w.subject) for w in warnings] == [(Severity.WARNING, "span-of-control", "person 1")]
    assert warnings[0].message == ("Person 1 manages 3 people from 1 January 2026, more than the span of control "
                                   "of 2.")


def test_a_change_from_a_date_ends_the_current_line_the_day_before():
    current = Line(7, M, 2, 1, date(2024, 4, 1))
    change = plan_line_change(TEAM, [current], 2, M, 3, date(2026, 12, 1))
    assert change.ended == Line(7, M, 2, 1, date(2024, 4, 1), date(2026, 11, 30))
    assert change.started == Line(0, M, 2, 3, date(2026, 12, 1), None)
    assert change.warnings == ()


def test_a_change_cannot_rewrite_history():
    current = Line(7, M, 2, 1, date(2024, 4, 1))
    for day in (date(2024, 3, 31), date(2024, 4, 1)):
        with pytest.raises(ValidationError, match="starts on 1 April 2024, so a change can only take effect after"):
            plan_line_change(TEAM, [current], 2, M, 3, day)
    with pytest.raises(ValidationError, match="already Person 2's line manager"):
        plan_line_change(TEAM, [current], 2, M, 1, date(2026, 12, 1))


def test_a_change_keeps_a_planned_end_and_ends_when_either_person_leaves():
    planned = Line(7, M, 2, 1, date(2024, 4, 1), date(2027, 3, 31))
    assert plan_line_change(TEAM, [planned], 2, M, 3, date(2026, 12, 1)).started.effective_to == date(2027, 3, 31)
    to_a_leaver = plan_line_change(TEAM, [Line(7, M, 2, 1, date(2024, 4, 1))], 2, M, 5, date(2026, 6, 1))
    assert to_a_leaver.started.effective_to == date(2026, 10, 31)


def test_a_handover_before_the_old_lead_leaves_does_not_end_on_their_last_day():
    # Person 5 leaves on 31 October; their report moves to Person 1 from 1 June, before they go.
    handed_over = plan_line_change(TEAM, [Line(7, M, 2, 5, START, date(2026, 10, 31))], 2, M, 1, date(2026, 6, 1))
    assert handed_over.ended.effective_to == date(2026, 5, 31)
    assert handed_over.started.effective_to is None
    reassigned = plan_reassignment(TEAM, [Line(7, M, 2, 5, START, date(2026, 10, 31))], 5, 1, M, date(2026, 6, 1))
    assert reassigned.changes[0].started.effective_to is None


def test_someone_with_no_line_simply_gets_one():
    change = plan_line_change(TEAM, [], 2, P, 3, START)
    assert change.ended is None and change.started == Line(0, P, 2, 3, START)


def test_a_change_that_would_make_a_loop_is_refused():
    lines = [Line(1, M, 3, 2, START), Line(2, M, 2, 1, START)]
    with pytest.raises(ValidationError, match="would go round in a loop"):
        plan_line_change(TEAM, lines, 2, M, 3, date(2026, 6, 1))


def test_a_reassignment_moves_every_report_but_the_new_lead_keeps_their_own_line():
    lines = [Line(1, M, 2, 1, START), Line(2, M, 3, 1, START), Line(3, M, 4, 1, START), Line(4, M, 5, 2, START,
                                                                                               date(2026, 10, 31))]
    plan = plan_reassignment(TEAM, lines, 1, 2, M, date(2026, 7, 1), span_of_control=2)
    assert [(c.ended.id, c.ended.effective_to, c.started.person_id, c.started.lead_id) for c in plan.changes] == [
        (2, date(2026, 6, 30), 3, 2), (3, date(2026, 6, 30), 4, 2)]
    assert [w.code for w in plan.warnings] == ["span-of-control"]  # 5, 3 and 4 from 1 July: over a span of 2


def test_a_leavers_reports_are_reassigned_from_the_day_after_their_lines_ended():
    ended = [Line(1, M, 2, 5, START, date(2026, 10, 31)), Line(2, M, 3, 5, START, date(2026, 10, 31)),
             Line(3, M, 4, 5, START, date(2026, 5, 31)), Line(4, M, 4, 1, date(2026, 6, 1))]
    plan = plan_reassignment(TEAM, ended, 5, 1, M, date(2026, 11, 1))
    assert [(c.ended, c.started.person_id) for c in plan.changes] == [(None, 2), (None, 3)]
    with pytest.raises(ValidationError, match="Person 1 has no professional reports on 1 November 2026"):
        plan_reassignment(TEAM, ended, 1, 3, P, date(2026, 11, 1))


def test_a_line_ended_before_the_reassignment_for_another_reason_stays_ended():
    lines = [Line(1, M, 2, 1, START), Line(2, M, 3, 1, START, date(2026, 3, 31))]  # 3's line ended on purpose
    plan = plan_reassignment(TEAM, lines, 1, 4, M, date(2026, 7, 1))
    assert [(c.ended.id, c.started.person_id) for c in plan.changes] == [(1, 2)]
    with pytest.raises(ValidationError, match="Person 1 has no managerial reports on 1 July 2026"):
        plan_reassignment(TEAM, lines[1:], 1, 4, M, date(2026, 7, 1))


# --- The property: whatever is accepted, the lines never go round in a loop --------------------------------------

CAST = [StaffMember(1, "A", "social worker", True, True, None, None),
        StaffMember(2, "B", "social worker", True, True, START + timedelta(days=10), None),
        StaffMember(3, "C", "social worker", True, True, None, START + timedelta(days=40)),
        StaffMember(4, "D", "social worker", True, True, None, None),
        StaffMember(5, "E", "mental health nurse", True, True, None, None),
        StaffMember(6, "F", "social worker", True, True, None, None)]

who = st.integers(1, 6)
day = st.integers(0, 60).map(lambda n: START + timedelta(days=n))
gesture = st.one_of(
    st.tuples(st.just("add"), who, who, st.sampled_from(LineKind), day, st.none() | st.integers(0, 30)),
    st.tuples(st.just("change"), who, who, st.sampled_from(LineKind), day, st.none()),
    st.tuples(st.just("reassign"), who, who, st.sampled_from(LineKind), day, st.none()),
)


def _applied(lines: list[Line], changes, next_id: int) -> tuple[list[Line], int]:
    for change in changes:
        if change.ended is not None:
            lines = [change.ended if ln.id == change.ended.id else ln for ln in lines]
        lines = [*lines, Line(next_id, change.started.kind, change.started.person_id, change.started.lead_id,
                              change.started.effective_from, change.started.effective_to)]
        next_id += 1
    return lines, next_id


def _days_that_matter(lines: list[Line]) -> set[date]:
    days = {START}
    for line in lines:
        days.add(line.effective_from)
        if line.effective_to is not None:
            days.update({line.effective_to, line.effective_to + timedelta(days=1)})
    return days


@settings(max_examples=300, deadline=None)
@given(st.lists(gesture, max_size=30))
def test_no_accepted_change_ever_makes_a_loop_or_breaks_a_rule(gestures):
    lines: list[Line] = []
    next_id = 1
    for verb, a, b, kind, first_day, length in gestures:
        try:
            if verb == "add":
                end = None if length is None else first_day + timedelta(days=length)
                check_line(CAST, lines, Line(0, kind, a, b, first_day, end))
                lines, next_id = _applied(lines, [LineChange(None, Line(0, kind, a, b, first_day, end))], next_id)
            elif verb == "change":
                lines, next_id = _applied(lines, [plan_line_change(CAST, lines, a, kind, b, first_day)], next_id)
            else:
                lines, next_id = _applied(lines, plan_reassignment(CAST, lines, a, b, kind, first_day).changes,
                                          next_id)
        except ValidationError:
            continue
        for on in _days_that_matter(lines):
            errors = [f for f in line_findings(CAST, lines, on) if f.severity == Severity.ERROR]
            assert errors == [], (on, lines)
            for line in lines:
                if line.in_force_on(on):
                    assert CAST[line.person_id - 1].active_on(on) and CAST[line.lead_id - 1].active_on(on)

