"""Delivery actions' rules: references never reused, due dates revised with reasons, status, RAG overrides, updates,
what changed since a meeting, and carried-over counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jointlead.domain.actions import (
    LONGEST_CHANGED_BY,
    ActionDates,
    ActionEvent,
    ActionStatus,
    EventKind,
    Rag,
    Update,
    action_reference,
    append_update,
    carried_over,
    change_status,
    changes_since,
    check_due,
    check_rag_override,
    check_title,
    check_update,
    current_due,
    effective_rag,
    next_reference,
    reference_number,
    revise_due_date,
)
from jointlead.domain.errors import ValidationError

TODAY = date(2026, 11, 20)
RAISED = date(2026, 10, 8)


# --- references -----------------------------------------------------------------------------------------------------

def test_a_reference_reads_back_as_its_number_and_anything_else_is_not_a_reference():
    assert reference_number("A-0042") == 42
    assert reference_number(" a-42 ") == 42
    assert reference_number("A-12345") == 12345
    assert reference_number("B-0042") is None
    assert reference_number("A-") is None
    assert reference_number("42") is None


def test_the_next_reference_follows_the_highest_ever_issued_not_the_count():
    assert next_reference([]) == "A-0001"
    assert next_reference(["A-0001", "A-0007", "A-0003"]) == "A-0008"


@given(st.sets(st.integers(min_value=1, max_value=50_000), max_size=30), st.data())
def test_a_reference_is_never_reused_whatever_has_been_removed(issued, data):
    references = [action_reference(n) for n in issued]
    still_recorded = data.draw(st.lists(st.sampled_from(references), unique=True) if references else st.just([]))
    new = next_reference(references)  # issued = recorded plus removed: the audit log remembers both
    assert new not in references
    assert new not in still_recorded
    assert reference_number(new) == max(issued, default=0) + 1


# --- due dates ------------------------------------------------------------------------------------------------------

def test_a_revised_due_date_is_recorded_with_its_reason_and_the_original_stays():
    original = date(2026, 11, 6)
    first = revise_due_date(original, date(2026, 12, 4), "Owner on leave.", raised=RAISED, changed_on=TODAY,
                            changed_by="jsmith")
    second = revise_due_date(first.new, date(2027, 1, 8), "Waiting for the board.", raised=RAISED,
                             changed_on=TODAY, changed_by="jsmith")
    assert (first.old, first.new, first.reason) == (original, date(2026, 12, 4), "Owner on leave.")
    assert second.old == first.new
    assert current_due(original, [first, second]) == date(2027, 1, 8)
    assert current_due(original, []) == original


@pytest.mark.parametrize("new, reason, words", [
    (date(2026, 12, 4), "  ", "reason"),
    (date(2026, 11, 6), "Same day.", "already due"),
    (date(2026, 10, 1), "Earlier.", "before the action was raised"),
    (date(2062, 11, 6), "Mistyped.", "more than 5 years after the action was raised"),
    (date(9999, 12, 31), "Never.", "more than 5 years after the action was raised"),
])
def test_a_revision_needs_a_reason_a_different_date_and_not_before_it_was_raised(new, reason, words):
    with pytest.raises(ValidationError, match=words):
        revise_due_date(date(2026, 11, 6), new, reason, raised=RAISED, changed_on=TODAY, changed_by="jsmith")


def test_an_action_may_be_due_up_to_five_years_after_it_was_raised():
    assert check_due(date(2031, 10, 8), RAISED) == date(2031, 10, 8)
    with pytest.raises(ValidationError, match="Check the year"):
        check_due(date(2031, 10, 9), RAISED)
    assert check_due(date(2033, 2, 28), date(2028, 2, 29)) == date(2033, 2, 28)  # from a leap day
    with pytest.raises(ValidationError, match="more than 5 years"):
        check_due(date(2033, 3, 1), date(2028, 2, 29))



def test_who_moved_a_due_date_is_kept_whole_or_the_revision_is_refused_never_cut_short():
    name = "O" * LONGEST_CHANGED_BY
    kept = revise_due_date(date(2026, 11, 6), date(2026, 12, 4), "Leave.", raised=RAISED, changed_on=TODAY,
                           changed_by=name)
    assert kept.changed_by == name
    with pytest.raises(ValidationError, match=f"is {LONGEST_CHANGED_BY + 1} characters long; at most "
                                              f"{LONGEST_CHANGED_BY} fit"):
        revise_due_date(date(2026, 11, 6), date(2026, 12, 4), "Leave.", raised=RAISED, changed_on=TODAY,
                        changed_by=name + "O")


# --- titles ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "kept"), [
    ("Agree rota\tNFT and LA", "Agree rota NFT and LA"),  # two cells of a spreadsheet pasted
    ("Agree the rota \r\n for both\nteams", "Agree the rota for both teams"),  # a cell of several lines
    ("  Agree  the  rota  ", "Agree  the  rota"),  # spaces typed between words are the user's own
])
def test_a_title_is_kept_on_one_line_a_pasted_tab_or_line_break_taken_as_a_space(typed, kept):
    assert check_title(typed) == kept


def test_a_title_with_a_hidden_control_character_is_refused_with_advice():
    with pytest.raises(ValidationError, match="hidden control character") as refused:
        check_title("Agree\x07 the rota")
    assert refused.value.advice == "Retype the title rather than pasting it."

# --- status ---------------------------------------------------------------------------------------------------------

def test_completing_sets_the_completion_date_today_by_default_and_keeps_the_evidence():
    change = change_status(ActionStatus.IN_PROGRESS, ActionStatus.COMPLETE, raised=RAISED, today=TODAY,
                           evidence=" Signed minutes filed. ")
    assert (change.status, change.completed_on, change.evidence) == (ActionStatus.COMPLETE, TODAY,
                                                                     "Signed minutes filed.")


def test_a_completion_date_in_the_future_or_before_it_was_raised_is_refused():
    with pytest.raises(ValidationError, match="future"):
        change_status(ActionStatus.OPEN, ActionStatus.COMPLETE, raised=RAISED, today=TODAY,
                      completed_on=TODAY + timedelta(days=1))
    with pytest.raises(ValidationError, match="before the action was raised"):
        change_status(ActionStatus.OPEN, ActionStatus.COMPLETE, raised=RAISED, today=TODAY,
                      completed_on=RAISED - timedelta(days=1))


def test_cancelling_needs_a_reason_and_reopening_clears_the_completion():
    with pytest.raises(ValidationError, match="reason for cancelling"):
        change_status(ActionStatus.OPEN, ActionStatus.CANCELLED, raised=RAISED, today=TODAY)
    reopened = change_status(ActionStatus.COMPLETE, ActionStatus.IN_PROGRESS, raised=RAISED, today=TODAY)
    assert (reopened.completed_on, reopened.evidence) == (None, "")


def test_a_change_to_the_same_status_is_refused():
    with pytest.raises(ValidationError, match="already open"):
        change_status(ActionStatus.OPEN, ActionStatus.OPEN, raised=RAISED, today=TODAY)


def test_status_labels_read_as_people_write_them():
    assert [s.label for s in ActionStatus] == ["Open", "In progress", "Complete", "Cancelled"]


# --- RAG ------------------------------------------------------------------------------------------------------------

def test_an_override_wins_while_the_action_is_open_but_not_once_it_is_closed():
    overdue = date(2026, 11, 1)
    assert effective_rag(ActionStatus.OPEN, overdue, TODAY) == Rag.RED
    assert effective_rag(ActionStatus.OPEN, overdue, TODAY, Rag.AMBER) == Rag.AMBER
    assert effective_rag(ActionStatus.COMPLETE, overdue, TODAY, Rag.AMBER) == Rag.BLUE
    assert effective_rag(ActionStatus.CANCELLED, overdue, TODAY, Rag.RED) == Rag.GREY


def test_an_override_is_red_amber_or_green_with_a_reason():
    assert check_rag_override("Amber", " Agency supply. ") == (Rag.AMBER, "Agency supply.")
    with pytest.raises(ValidationError, match="reason"):
        check_rag_override(Rag.RED, "")
    with pytest.raises(ValidationError, match="cannot be set by hand"):
        check_rag_override(Rag.BLUE, "Done really.")
    with pytest.raises(ValidationError, match="cannot be set by hand"):
        check_rag_override("purple", "Why not.")


# --- updates --------------------------------------------------------------------------------------------------------

def test_an_update_is_dated_author_and_text_and_not_in_the_future():
    assert check_update(TODAY, " Lucy ", " Draft sent. ", raised=RAISED, today=TODAY) == Update(TODAY, "Lucy",
                                                                                                "Draft sent.")
    with pytest.raises(ValidationError, match="future"):
        check_update(TODAY + timedelta(days=1), "Lucy", "Later.", raised=RAISED, today=TODAY)
    with pytest.raises(ValidationError, match="text"):
        check_update(TODAY, "Lucy", "", raised=RAISED, today=TODAY)


@given(st.lists(st.dates(min_value=RAISED, max_value=TODAY), max_size=8), st.dates(min_value=RAISED, max_value=TODAY))
def test_appending_an_update_keeps_every_earlier_one_exactly(days, day):
    timeline = tuple(Update(d, "Lucy", f"note {i}") for i, d in enumerate(sorted(days)))
    new = Update(day, "Ben", "latest")
    after = append_update(timeline, new)
    assert len(after) == len(timeline) + 1
    assert [u for u in after if u is not new] == list(timeline)
    assert [u.on for u in after] == sorted(u.on for u in after)


# --- what changed since a meeting ------------------------------------------------------------------------------------

MEETING = date(2026, 10, 8)


def _event(ref, day, kind, old="", new="", sequence=0, text=""):
    return ActionEvent(ref, day, kind, old=old, new=new, text=text, sequence=sequence)


def test_changes_since_a_meeting_are_those_after_its_day_by_kind():
    events = [
        _event("A-0001", MEETING, EventKind.RAISED),  # agreed at the meeting itself: not since
        _event("A-0002", date(2026, 10, 9), EventKind.RAISED),
        _event("A-0001", date(2026, 10, 12), EventKind.UPDATE, text="Started."),
        _event("A-0001", date(2026, 10, 7), EventKind.UPDATE, text="Before."),
        _event("A-0003", date(2026, 10, 20), EventKind.DUE_DATE, "2026-11-01", "2026-12-01"),
        _event("A-0003", date(2026, 10, 21), EventKind.STATUS, "open", "in progress", 5),
        _event("A-0004", date(2026, 11, 2), EventKind.COMPLETED),
    ]
    changes = changes_since(events, MEETING)
    assert changes.new_actions == ("A-0002",)
    assert [u.text for u in changes.updates] == ["Started."]
    assert [(e.reference, e.new) for e in changes.due_date_changes] == [("A-0003", "2026-12-01")]
    assert [(c.reference, c.old, c.new) for c in changes.status_changes] == [
        ("A-0003", ActionStatus.OPEN, ActionStatus.IN_PROGRESS)]
    assert changes.completed == ("A-0004",)
    assert changes.references == ("A-0001", "A-0002", "A-0003", "A-0004")


def test_a_status_changed_and_changed_back_is_no_change_and_two_changes_show_first_and_last():
    events = [
        _event("A-0001", date(2026, 10, 10), EventKind.STATUS, "open", "complete", 1),
        _event("A-0001", date(2026, 10, 10), EventKind.STATUS, "complete", "open", 2),  # undone
        _event("A-0002", date(2026, 10, 10), EventKind.STATUS, "open", "in progress", 3),
        _event("A-0002", date(2026, 10, 15), EventKind.STATUS, "in progress", "complete", 4),
    ]
    changes = changes_since(events, MEETING)
    assert [(c.reference, c.old, c.new) for c in changes.status_changes] == [
        ("A-0002", ActionStatus.OPEN, ActionStatus.COMPLETE)]
    assert changes.completed == ("A-0002",)


def test_the_window_can_end_at_a_later_day():
    events = [_event("A-0001", date(2026, 11, 13), EventKind.RAISED)]
    assert changes_since(events, MEETING, up_to=date(2026, 11, 12)).empty
    assert not changes_since(events, MEETING).empty


# --- carried over ---------------------------------------------------------------------------------------------------

def test_carried_over_counts_actions_raised_before_and_open_at_the_meeting():
    meeting = date(2026, 11, 12)
    actions = [
        ActionDates("A-0001", date(2026, 9, 17), date(2026, 10, 1), ActionStatus.OPEN),  # overdue, twice carried
        ActionDates("A-0002", date(2026, 10, 8), date(2026, 12, 1), ActionStatus.IN_PROGRESS),
        ActionDates("A-0003", date(2026, 10, 8), date(2026, 11, 1), ActionStatus.COMPLETE, date(2026, 11, 20)),
        ActionDates("A-0004", date(2026, 10, 8), date(2026, 11, 1), ActionStatus.COMPLETE, date(2026, 11, 1)),
        ActionDates("A-0005", meeting, date(2026, 12, 1), ActionStatus.OPEN),  # agreed there: not carried
        ActionDates("A-0006", date(2026, 10, 8), date(2026, 12, 1), ActionStatus.CANCELLED),
    ]
    carried = carried_over(actions, meeting, [date(2026, 9, 17), date(2026, 10, 8), meeting])
    assert carried.references == ("A-0001", "A-0002", "A-0003")
    assert carried.count == 3
    assert carried.overdue == ("A-0001", "A-0003")
    assert carried.by_meetings == ((1, 2), (2, 1))
