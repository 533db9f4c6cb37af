"""How the budget's figures are worded and coloured wherever they are shown (the Budgets page, the dashboard),
kept apart from the Budgets page so the dashboard can show them without loading that page."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox

from jointlead.domain.budget import ForecastMethod, divide_rounding_half_away_from_zero, variance_basis_points
from jointlead.domain.calendar import MONTH_ABBREVIATIONS, format_day
from jointlead.domain.errors import ValidationError
from jointlead.domain.money import format_pounds, whole_pounds_adding_up
from jointlead.domain.rag import AMBER_WITHIN_BASIS_POINTS, GREEN_WITHIN_BASIS_POINTS, Rag, variance_rag
from jointlead.domain.risk_share import ContributionsNeeded, RiskShareResult
from jointlead.ui.theme import TONES

if TYPE_CHECKING:
    from jointlead.services.budget_month import BudgetYear
    from jointlead.services.budgets import PoolPosition

RAG_TONES = {Rag.RED: "bad", Rag.AMBER: "warn", Rag.GREEN: "good"}
RAG_FILL_TONES = {Rag.RED: "rag:red", Rag.AMBER: "rag:amber", Rag.GREEN: "rag:green"}
# How a line's months to come are forecast, after "a forecast at".
FORECAST_WORDS = {ForecastMethod.RUN_RATE: "the run rate (the average month so far)",
                  ForecastMethod.PROFILE: "the month's budget (the line's profile)"}


GREEN_WITHIN, AMBER_WITHIN = (f"±{basis_points / 100:g}%"
                              for basis_points in (GREEN_WITHIN_BASIS_POINTS, AMBER_WITHIN_BASIS_POINTS))
RAG_WORDS = {Rag.GREEN: f"green (within {GREEN_WITHIN})", Rag.AMBER: f"amber (within {AMBER_WITHIN})",
             Rag.RED: f"red (beyond {AMBER_WITHIN})"}


def month_words(number: int) -> str:
    """Period `number` of the year shown, where it is chosen or heads a column (the As at choice, the months grid,
    the charts' axis, the Unlock dialog's choice): `M7 Oct`, the period boards name (DOMAIN.md) and its month, the
    year being said beside it. In a sentence the period alone is enough, `M7`, with the year where it is not said
    already (`M7 2026-27`)."""
    return f"M{number} {MONTH_ABBREVIATIONS[number - 1]}"


def placed_in_pounds(result: RiskShareResult) -> list[int]:
    """Where the variance falls, in whole pounds (as pence) that add up to it as `format_pounds` shows it
    (`whole_pounds_adding_up`): each partner's share in the agreement's order, then the risk reserve, the pool
    (underspend retained) and the board (unallocated)."""
    return whole_pounds_adding_up([*result.share_by_partner.values(), result.reserve_used_pence,
                                   result.retained_in_pool_pence, result.unallocated_pence])


def shares_in_pounds(result: RiskShareResult) -> dict[str, int]:
    """Each partner's share in whole pounds (as pence), as `placed_in_pounds` places it."""
    return dict(zip(result.share_by_partner, placed_in_pounds(result), strict=False))


def nothing_to_share(result: RiskShareResult) -> bool:
    """Whether the risk share places nothing anywhere: no partner's share, risk reserve, underspend retained or
    unallocated overspend. Not whether the pool's variance is nil: a fixed-share line over and a variable line as
    much under leave the pool on budget and one partner bearing what the other gets back."""
    return not any((*result.share_by_partner.values(), result.reserve_used_pence, result.retained_in_pool_pence,
                    result.unallocated_pence))


def as_it_stood(position: PoolPosition) -> str:
    """What figures as at a month before the last closed one are, said after them (nothing for today's position):
    the budgets and forecasts as they were last reported for that month, when it closed or when a pack for it was
    sent after (`budgets.stood_at`), without the virements made since (`budgets.moved_since`)."""
    if not position.as_it_stood:
        return ""
    count = len(position.left_out)
    since = ("" if not count else ", without the virement made since" if count == 1
             else f", without the {count} virements made since")
    month, point = position.as_at.label, position.stood_at
    when = (f"the {month} {point.sent} for {point.partner} was exported on {format_day(point.on)}"
            if point is not None and point.sent else f"{month} closed")
    return f" The budgets and forecasts are as they stood when {when}{since}."


def variance_tone(variance: int, budget: int) -> str | None:
    return RAG_TONES.get(variance_rag(variance, budget))


def rag_words(variance: int, budget: int) -> str:
    """A variance's RAG in words, as its colour shows it: `amber (within ±3%)`."""
    return RAG_WORDS[variance_rag(variance, budget)]


def variance_key(*, rich: bool, by_month: bool = False) -> str:
    """The key to the variance colours, in words: what the sign says, and what the colour says (its RAG, by size,
    which the sign does not), each colour's word in its own colour on screen (`rich`), plain on paper. `by_month`:
    for the months grid, where the RAG has a column of its own (and each month's heading says whether it is closed,
    open or forecast, as its colour does)."""
    def coloured(rag: Rag) -> str:
        words = RAG_WORDS[rag]
        if not rich:
            return words
        colour = TONES[RAG_TONES[rag]][0]
        return f"<span style='color:{colour}; font-weight:600'>{escape(words)}</span>"

    scale = f"{coloured(Rag.GREEN)}, {coloured(Rag.AMBER)}, {coloured(Rag.RED)}"
    colour = (f"The RAG column gives its size against the budget, in words and colour: {scale}." if by_month else
              f"Its colour is its RAG, by size against the budget: {scale}.")
    return (f"Variance is actual or forecast less budget: positive is an overspend, negative (-£) an underspend. "
            f"{colour}")


def over_under(variance: int, budget: int) -> str:
    """A variance in words, as its colour shows it and more: `+0.8% over`, `-0.4% under` (the amount, `£5,000
    over`, against a nil budget), `on budget`."""
    if not variance:
        return "on budget"
    size = variance_percent(variance, budget) or format_pounds(abs(variance))
    return f"{size} {'over' if variance > 0 else 'under'}"


def risk_share_waiting(problem: ValidationError, year_label: str) -> tuple[str, str]:
    """Why a pool has no risk share, and how to put that right, in words for the Budgets page: the risk share waits
    on each partner's contribution (or on rules that can be followed); every other figure stands without it."""
    if isinstance(problem, ContributionsNeeded):
        return ("The risk share needs each partner's contribution recorded",
                f"The agreement shares the variance by the partners' contributions, and none is recorded for "
                f"{year_label} yet, so who bears it cannot be worked out. To record them: on the Contributions tab, "
                f"press Add contribution… and give each partner's funding for {year_label} (its funding stream, "
                "amount and when it is paid). The risk share is worked out as soon as they are recorded; the budget, "
                "actuals, forecast and variance do not wait for them.")
    return "The risk share cannot be worked out", f"{problem.message} {problem.advice}".strip()


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
    is still offered and not the last closed, else None: the page then follows the last closed month (a month chosen
    while open, then closed, is followed on from when the next one closes, as `month_chosen` would have it)."""
    last_closed = max(frame.closed, default=0)
    newest = frame.last_reportable
    if chosen is not None and (chosen > newest or chosen == last_closed):
        chosen = None
    combo.clear()
    combo.addItem(f"Start of {frame.year.label}", 0)
    for number in range(1, newest + 1):
        state = "closed" if number in frame.closed else "not closed"
        combo.addItem(f"{month_words(number)} ({state})", number)
    combo.setCurrentIndex(combo.findData(last_closed if chosen is None else chosen))
    return chosen


def month_chosen(combo: QComboBox, frame: BudgetYear) -> int | None:
    """The month a person chose to see the figures as at; None when it is the last closed, so that the page moves on
    with it when the next month closes rather than stay on the month chosen."""
    chosen = combo.currentData()
    return None if chosen == max(frame.closed, default=0) else chosen
