"""How the budget's figures are worded and coloured wherever they are shown (the Budgets page, the dashboard),
kept apart from the Budgets page so the dashboard can show them without loading that page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox

from jointlead.domain.budget import ForecastMethod, divide_rounding_half_away_from_zero, variance_basis_points
from jointlead.domain.rag import Rag, variance_rag

if TYPE_CHECKING:
    from jointlead.services.budget_month import BudgetYear

RAG_TONES = {Rag.RED: "bad", Rag.AMBER: "warn", Rag.GREEN: "good"}
RAG_FILL_TONES = {Rag.RED: "rag:red", Rag.AMBER: "rag:amber", Rag.GREEN: "rag:green"}
# How a line's months to come are forecast, after "a forecast at".
FORECAST_WORDS = {ForecastMethod.RUN_RATE: "the run rate (the average month so far)",
                  ForecastMethod.PROFILE: "the month's budget (the line's profile)"}


def variance_tone(variance: int, budget: int) -> str | None:
    return RAG_TONES.get(variance_rag(variance, budget))


def variance_percent(variance: int, budget: int) -> str:
    """A variance as a percentage of its budget to one place, `+2.5%`: positive is an overspend whatever the budget's
    sign (an income line's budget is negative), as `variance_basis_points` works it out for the exports and charts,
    so the page and the workbook say the same. Nothing for a nil budget."""
    basis_points = variance_basis_points(variance, budget)
    if basis_points is None:
        return ""
    tenths = divide_rounding_half_away_from_zero(basis_points, 10)  # as a workbook's 0.0% shows the basis points
    return f"{'-' if tenths < 0 else '+'}{abs(tenths) // 10}.{abs(tenths) % 10}%"


def fill_as_at(combo: QComboBox, frame: BudgetYear, chosen: int | None) -> int | None:
    """Offer the months a pool's figures can be as at: the start of the year, then each month up to the last closed
    or the last with actuals, whichever is later, and show `chosen` (None: the last closed). Returns `chosen` if it
    is still offered, else None: the page then follows the last closed month."""
    last_closed = max(frame.closed, default=0)
    newest = frame.last_reportable
    if chosen is not None and chosen > newest:
        chosen = None
    combo.clear()
    combo.addItem(f"Start of {frame.year.label}", 0)
    for number in range(1, newest + 1):
        period = frame.year.period(number)
        state = "closed" if number in frame.closed else "not closed"
        combo.addItem(f"{period.label} {period.month_name[:3]} ({state})", number)
    combo.setCurrentIndex(combo.findData(last_closed if chosen is None else chosen))
    return chosen


def month_chosen(combo: QComboBox, frame: BudgetYear) -> int | None:
    """The month a person chose to see the figures as at; None when it is the last closed, so that the page moves on
    with it when the next month closes rather than stay on the month chosen."""
    chosen = combo.currentData()
    return None if chosen == max(frame.closed, default=0) else chosen
