"""Red, amber, green (and blue for done): the status colours boards read, with the variance thresholds."""

from __future__ import annotations

from enum import StrEnum

# DOMAIN.md defaults, in basis points of budget: green within ±1%, amber within ±3%, red beyond.
GREEN_WITHIN_BASIS_POINTS = 100
AMBER_WITHIN_BASIS_POINTS = 300


class Rag(StrEnum):
    BLUE = "blue"
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    GREY = "grey"  # cancelled: no longer tracked


def variance_rag(variance_pence: int, budget_pence: int, green_within: int = GREEN_WITHIN_BASIS_POINTS,
                 amber_within: int = AMBER_WITHIN_BASIS_POINTS) -> Rag:
    """RAG for a variance against its budget; exact integer arithmetic, so 1.00% is still green."""
    if budget_pence == 0:
        return Rag.GREEN if variance_pence == 0 else Rag.RED
    scaled = abs(variance_pence) * 10_000
    if scaled <= green_within * abs(budget_pence):
        return Rag.GREEN
    if scaled <= amber_within * abs(budget_pence):
        return Rag.AMBER
    return Rag.RED
