"""The default RAG rule for delivery actions."""

from __future__ import annotations

from datetime import date

from jointlead.domain.actions import ActionStatus, Rag, action_reference, default_rag

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
