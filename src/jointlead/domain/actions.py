"""Delivery actions: status and the default RAG rule."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from jointlead.domain.rag import Rag

DUE_SOON = timedelta(days=14)


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in progress"
    COMPLETE = "complete"
    CANCELLED = "cancelled"


def action_reference(number: int) -> str:
    """`A-0042`: four digits at least, so references sort as text until there are ten thousand."""
    return f"A-{number:04d}"


def default_rag(status: ActionStatus, due: date, today: date) -> Rag:
    """Complete is blue; overdue red; due within 14 days and not started amber; otherwise green."""
    if status == ActionStatus.COMPLETE:
        return Rag.BLUE
    if status == ActionStatus.CANCELLED:
        return Rag.GREY
    if due < today:
        return Rag.RED
    if status == ActionStatus.OPEN and due - today <= DUE_SOON:
        return Rag.AMBER
    return Rag.GREEN
