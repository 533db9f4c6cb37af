"""Delivery actions: the default RAG rule, references, and where an action stood on a day."""

from __future__ import annotations

from datetime import date

from jointlead.domain.actions import ActionStatus, Rag, Standing, action_reference, default_rag, standing_on

TODAY = date(2026, 11, 20)


def test_complete_is_blue_even_when_late():
    assert default_rag(ActionStatus.COMPLETE, date(2026, 1, 1), TODAY) == Rag.BLUE


def test_overdue_is_red_whether_started_or_not():
    assert default_rag(ActionStatus.OPEN, date(2026, 11, 19), TODAY) == Rag.RED
    assert default_rag(ActionStatus.IN_PROGRESS, date(2026, 11, 19), TODAY) == Rag.RED


def test_due_within_14_days_and_not_started_is_amber_but_started_is_green():
    assert default_rag(ActionStatus.OPEN, date(2026, 12, 4), TODAY) == Rag.AMBER
    assert default_rag(ActionStatus.OPEN, date(2026, 12, 5), TODAY) == Rag.GREEN
    assert default_rag(ActionStatus.IN_PROGRESS, date(2026, 11, 21), TODAY) == Rag.GREEN
    assert default_rag(ActionStatus.OPEN, TODAY, TODAY) == Rag.AMBER


def test_cancelled_actions_are_no_longer_tracked():
    assert default_rag(ActionStatus.CANCELLED, date(2026, 1, 1), TODAY) == Rag.GREY


def test_references_have_four_digits_at_least():
    assert action_reference(42) == "A-0042"
    assert action_reference(12345) == "A-12345"


# --- where an action stood on a day ---------------------------------------------------------------------------------

def test_an_action_stood_on_a_day_as_before_what_was_recorded_after_it():
    day = date(2026, 10, 15)
    now = Standing(ActionStatus.CANCELLED, None, date(2026, 12, 1))
    then = standing_on(day, now, [(date(2026, 10, 1), date(2026, 10, 20)), (date(2026, 11, 2), date(2026, 11, 5)),
                                  (date(2026, 11, 9), date(2026, 11, 20))],
                       [(date(2026, 10, 3), "open", None), (date(2026, 11, 10), "in progress", None)], True)
    assert then == Standing(ActionStatus.IN_PROGRESS, None, date(2026, 11, 5))
    assert standing_on(date(2026, 12, 1), now, [], [(date(2026, 11, 10), "in progress", None)], True) == now


def test_a_completion_counts_from_its_own_date_not_the_day_it_was_recorded():
    day = date(2026, 10, 15)
    recorded_late = Standing(ActionStatus.COMPLETE, date(2026, 10, 12), date(2026, 10, 31))
    assert standing_on(day, recorded_late, [], [(date(2026, 10, 20), "in progress", None)], True) == recorded_late
    done_after = Standing(ActionStatus.COMPLETE, date(2026, 10, 20), date(2026, 10, 31))
    assert standing_on(day, done_after, [], [(date(2026, 10, 20), "open", None)], False).status == ActionStatus.OPEN
    # No change of status recorded (kept before jointlead): in progress if it had an update by then.
    assert standing_on(day, done_after, [], [], True) == Standing(ActionStatus.IN_PROGRESS, None, date(2026, 10, 31))
    assert standing_on(day, done_after, [], [], False).status == ActionStatus.OPEN
    # Complete on the day, reopened since: complete then, with its completion date.
    reopened = Standing(ActionStatus.IN_PROGRESS, None, date(2026, 10, 31))
    assert standing_on(day, reopened, [], [(date(2026, 10, 22), "complete", date(2026, 10, 10))], True) == \
        Standing(ActionStatus.COMPLETE, date(2026, 10, 10), date(2026, 10, 31))


def test_a_rag_override_set_or_cleared_after_the_day_is_taken_back():
    day = date(2026, 10, 15)
    now = Standing(ActionStatus.IN_PROGRESS, None, date(2026, 12, 1), Rag.RED)
    assert standing_on(day, now, [], [], True, [(date(2026, 11, 2), None)]).rag_override is None
    assert standing_on(day, now, [], [], True, [(date(2026, 10, 1), "amber"), (date(2026, 11, 2), "green")]
                       ).rag_override == Rag.GREEN
    cleared = Standing(ActionStatus.IN_PROGRESS, None, date(2026, 12, 1))
    assert standing_on(day, cleared, [], [], True, [(date(2026, 11, 2), "amber")]).rag_override == Rag.AMBER
