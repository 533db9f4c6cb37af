"""A pooled budget line through the year: monthly profiles, forecasts, outturn and variance, virements, period close.

Money is integer pence throughout and every split goes through `split_largest_remainder`, so the parts always add up
to the whole to the penny (the spare pence go to the largest remainders, ties to the earliest month or line).
Months within a financial year are numbered 1 (M1, April) to 12 (M12, March); period close works on `Period`s,
which also carry the year.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from jointlead.domain.calendar import Period, format_day
from jointlead.domain.errors import ValidationError
from jointlead.domain.money import format_exact, split_largest_remainder
from jointlead.domain.rag import AMBER_WITHIN_BASIS_POINTS, GREEN_WITHIN_BASIS_POINTS, Rag, variance_rag

MONTHS = 12


def divide_rounding_half_away_from_zero(numerator: int, denominator: int) -> int:
    """Exact integer division rounded to the nearest whole number, halves away from zero (2.5 → 3, -2.5 → -3)."""
    if denominator == 0:
        raise ZeroDivisionError("cannot divide by zero")
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    quotient, remainder = divmod(abs(numerator), abs(denominator))
    if 2 * remainder >= abs(denominator):
        quotient += 1
    return sign * quotient


def _check_month(number: int, what: str = "period") -> None:
    if not 1 <= number <= MONTHS:
        raise ValueError(f"{what} must be M1 to M12, not M{number}")


# --- Monthly profiles -------------------------------------------------------------------------------------------


def even_profile(annual_pence: int) -> tuple[int, ...]:
    """The annual budget in twelve equal months; the odd pence go to the earliest months."""
    return tuple(split_largest_remainder(annual_pence, [1] * MONTHS))


def custom_profile(annual_pence: int, weights: Sequence[int]) -> tuple[int, ...]:
    """The annual budget split in proportion to twelve monthly weights (e.g. 8, 8, 9, … or percentages).

    Weights must be whole numbers, none negative and not all zero.
    """
    if len(weights) != MONTHS:
        raise ValidationError(f"A custom profile needs a weight for each of the 12 months, not {len(weights)}.")
    if any(w < 0 for w in weights):
        raise ValidationError("A custom profile cannot have a negative month.")
    if sum(weights) == 0:
        raise ValidationError("A custom profile needs at least one month with a weight above zero.")
    return tuple(split_largest_remainder(annual_pence, list(weights)))


def profile_from_last_year(annual_pence: int, last_year_actuals: Sequence[int]) -> tuple[int, ...]:
    """The annual budget spread like last year's spending, month by month.

    Rule: each month's weight is last year's actual for that month, taken with the budget's sign (an income line's
    budget and actuals are credits, so its credits give the shape); a month of the opposite sign (e.g. an accrual
    reversed) counts as zero, so the profile never has a month of the opposite sign to the budget. When last year's
    months add up to zero or the opposite sign overall, or no month has the budget's sign, there is no shape to copy
    and the profile is even instead.
    """
    if len(last_year_actuals) != MONTHS:
        raise ValidationError(f"Last year's actuals need all 12 months, not {len(last_year_actuals)}.")
    sign = -1 if annual_pence < 0 else 1
    weights = [max(actual * sign, 0) for actual in last_year_actuals]
    if sum(last_year_actuals) * sign <= 0 or sum(weights) == 0:
        return even_profile(annual_pence)
    return tuple(split_largest_remainder(annual_pence, weights))


# --- Contribution payments ---------------------------------------------------------------------------------------

SCHEDULE_PERIODS = {
    "monthly": tuple(range(1, MONTHS + 1)),
    "quarterly": (1, 4, 7, 10),
    "4 equal instalments": (1, 4, 7, 10),
    "annual": (1,),
}


def payment_schedule(amount_pence: int, schedule: str) -> tuple[tuple[int, int], ...]:
    """A contribution's instalments as (month, pence), equal to the penny, the odd pence in the earliest months."""
    periods = SCHEDULE_PERIODS.get(schedule)
    if periods is None:
        raise ValidationError(f"'{schedule}' is not a payment schedule jointlead knows.",
                              f"Choose one of: {', '.join(SCHEDULE_PERIODS)}.")
    return tuple(zip(periods, split_largest_remainder(amount_pence, [1] * len(periods)), strict=True))


# --- Forecasts ---------------------------------------------------------------------------------------------------


class ForecastMethod(StrEnum):
    RUN_RATE = "run rate"
    PROFILE = "profile"


def run_rate_forecast(actuals_to_date: Sequence[int], months_remaining: int) -> tuple[int, ...]:
    """Each remaining month at the average of the actuals to date.

    Rule for the pence: the total run-rate amount (actuals to date × months remaining ÷ months elapsed) is rounded to
    the penny, halves away from zero, and that total is split evenly over the remaining months by largest remainder,
    so the earliest remaining months carry the odd pence and the months sum exactly to the rounded total.
    With no actuals yet there is no run rate: that is refused (use the profile until M1 has actuals).
    """
    if months_remaining < 0 or months_remaining > MONTHS:
        raise ValueError(f"months remaining must be 0 to 12, not {months_remaining}")
    if months_remaining == 0:
        return ()
    if not actuals_to_date:
        raise ValidationError("There are no actuals yet, so there is no run rate to forecast from.",
                              "Use the profile-based forecast until the first month has actuals.")
    total = divide_rounding_half_away_from_zero(sum(actuals_to_date) * months_remaining, len(actuals_to_date))
    return tuple(split_largest_remainder(total, [1] * months_remaining))


def profile_forecast(budget_profile: Sequence[int], from_period: int) -> tuple[int, ...]:
    """The remaining months' budget as their forecast: months `from_period` to M12 (13 means nothing remains)."""
    if len(budget_profile) != MONTHS:
        raise ValueError(f"a budget profile has 12 months, not {len(budget_profile)}")
    if not 1 <= from_period <= MONTHS + 1:
        raise ValueError(f"the first forecast month must be M1 to M12 (or 13 for none), not {from_period}")
    return tuple(budget_profile[from_period - 1:])


@dataclass(frozen=True)
class ForecastOverride:
    """A manager's own forecast for one month (M1 = 1), replacing the calculated one; always with a reason."""

    period: int
    pence: int
    comment: str

    def __post_init__(self) -> None:
        _check_month(self.period)
        if not self.comment.strip():
            raise ValidationError(f"The forecast override for M{self.period} needs a comment saying why.")


def apply_overrides(forecast: Sequence[int], from_period: int,
                    overrides: Iterable[ForecastOverride]) -> tuple[int, ...]:
    """The forecast for months `from_period`..M12 with each override replacing exactly its own month.

    An override for a month that already has actuals (before `from_period`), or two overrides for one month, is refused.
    """
    if len(forecast) != MONTHS + 1 - from_period:
        raise ValueError(f"a forecast from M{from_period} has {MONTHS + 1 - from_period} months, not {len(forecast)}")
    months = list(forecast)
    seen: set[int] = set()
    for override in overrides:
        if override.period < from_period:
            raise ValidationError(f"M{override.period} already has actuals, so its forecast cannot be overridden.",
                                  f"Only the remaining months (M{from_period} onwards) take a forecast.")
        if override.period in seen:
            raise ValidationError(f"There are two forecast overrides for M{override.period}: keep one.")
        seen.add(override.period)
        months[override.period - from_period] = override.pence
    return tuple(months)


def month_begun(budget_profile: Sequence[int], actuals_to_date: Sequence[int | None]) -> int:
    """The month a line began in the year: the first with a budget or an actual (13 when it has neither).

    A line added once months had closed was given no budget in them (they were before it began), and nothing was
    spent on it there; a line that has either in a month had begun by then. So its run rate averages its own months,
    not nil months from before it existed, which would forecast an underspend for a line spending its budget.
    """
    if len(budget_profile) != MONTHS:
        raise ValueError(f"a budget profile has 12 months, not {len(budget_profile)}")
    for number, budget in enumerate(budget_profile, start=1):
        actual = actuals_to_date[number - 1] if number <= len(actuals_to_date) else None
        if budget or actual is not None:
            return number
    return MONTHS + 1


def build_forecast(method: ForecastMethod, budget_profile: Sequence[int], actuals_to_date: Sequence[int],
                   overrides: Iterable[ForecastOverride] = (), *, began: int = 1) -> tuple[int, ...]:
    """The forecast for the months after the actuals to date, by `method`, with the manual overrides on top.

    The number of months with actuals fixes where the forecast starts. The run rate averages the months from
    `began` (the month the line began, `month_begun`) to date; before any of them has passed there is nothing to
    average, and the run rate falls back to the profile.
    """
    elapsed = len(actuals_to_date)
    if elapsed > MONTHS:
        raise ValueError(f"a year has 12 months of actuals at most, not {elapsed}")
    if not 1 <= began <= MONTHS + 1:
        raise ValueError(f"a line begins in M1 to M12 (or 13 for not at all), not {began}")
    own = actuals_to_date[began - 1:]
    if method == ForecastMethod.RUN_RATE and own:
        calculated = run_rate_forecast(own, MONTHS - elapsed)
    else:
        calculated = profile_forecast(budget_profile, elapsed + 1)
    return apply_overrides(calculated, elapsed + 1, overrides)


# --- Outturn and variance ----------------------------------------------------------------------------------------


def variance_basis_points(variance_pence: int, budget_pence: int) -> int | None:
    """Variance as basis points of the budget (150 = 1.50%), rounded half away from zero.

    The sign follows the variance (positive = overspend) whatever the budget's sign, so an income line (a negative
    budget) reads the same way. None when the budget is zero: a percentage of nothing means nothing.
    """
    if budget_pence == 0:
        return None
    return divide_rounding_half_away_from_zero(variance_pence * 10_000, abs(budget_pence))


@dataclass(frozen=True)
class LineFigures:
    """One line's year as at a month: budget, actuals to date and forecast for the rest.

    `as_at` is the last month with agreed actuals (0 before M1 has any). `actuals` has all 12 months, None where
    nothing is recorded; within the months to date None counts as nil, after `as_at` actuals are ignored (the
    forecast stands for those months). `forecast` holds exactly the months after `as_at`. The monthly profile must
    add up to the annual budget. Variances are positive for an overspend.
    """

    annual_budget_pence: int
    budget_profile: tuple[int, ...]
    actuals: tuple[int | None, ...]
    forecast: tuple[int, ...]
    as_at: int

    def __post_init__(self) -> None:
        if not 0 <= self.as_at <= MONTHS:
            raise ValueError(f"as at must be M0 to M12, not M{self.as_at}")
        if len(self.budget_profile) != MONTHS or len(self.actuals) != MONTHS:
            raise ValueError("a line has 12 months of budget and 12 of actuals")
        if len(self.forecast) != MONTHS - self.as_at:
            raise ValueError(f"as at M{self.as_at} the forecast has {MONTHS - self.as_at} months, "
                             f"not {len(self.forecast)}")
        if sum(self.budget_profile) != self.annual_budget_pence:
            raise ValidationError(f"The monthly profile adds up to {format_exact(sum(self.budget_profile))}, "
                                  f"not the annual budget of {format_exact(self.annual_budget_pence)}.",
                                  "Re-profile the line after changing its budget.")

    @property
    def budget_to_date(self) -> int:
        return sum(self.budget_profile[: self.as_at])

    @property
    def actual_to_date(self) -> int:
        return sum(a or 0 for a in self.actuals[: self.as_at])

    @property
    def forecast_remaining(self) -> int:
        return sum(self.forecast)

    @property
    def forecast_outturn(self) -> int:
        """Actuals to date plus the forecast for the remaining months."""
        return self.actual_to_date + self.forecast_remaining

    @property
    def outturn_by_month(self) -> tuple[int, ...]:
        """Actual for each month to date, forecast after: the twelve months that make up the outturn."""
        return tuple(a or 0 for a in self.actuals[: self.as_at]) + self.forecast

    @property
    def ytd_variance(self) -> int:
        """Actual to date − profiled budget to date (positive = overspend)."""
        return self.actual_to_date - self.budget_to_date

    @property
    def full_year_variance(self) -> int:
        """Forecast outturn − annual budget (positive = overspend)."""
        return self.forecast_outturn - self.annual_budget_pence

    @property
    def ytd_variance_basis_points(self) -> int | None:
        return variance_basis_points(self.ytd_variance, self.budget_to_date)

    @property
    def full_year_variance_basis_points(self) -> int | None:
        return variance_basis_points(self.full_year_variance, self.annual_budget_pence)

    def ytd_rag(self, green_within: int = GREEN_WITHIN_BASIS_POINTS,
                amber_within: int = AMBER_WITHIN_BASIS_POINTS) -> Rag:
        return variance_rag(self.ytd_variance, self.budget_to_date, green_within, amber_within)

    def full_year_rag(self, green_within: int = GREEN_WITHIN_BASIS_POINTS,
                      amber_within: int = AMBER_WITHIN_BASIS_POINTS) -> Rag:
        return variance_rag(self.full_year_variance, self.annual_budget_pence, green_within, amber_within)


def total_figures(lines: Iterable[LineFigures]) -> LineFigures:
    """Several lines added month by month (for a partner's lines or the whole pool); all must be as at one month.

    A month's actual is None only when it is None on every line.
    """
    lines = list(lines)
    if not lines:
        raise ValueError("there are no lines to add up")
    as_at = lines[0].as_at
    if any(line.as_at != as_at for line in lines):
        raise ValueError("lines as at different months cannot be added up")
    actuals: list[int | None] = []
    for month in range(MONTHS):
        recorded = [line.actuals[month] for line in lines if line.actuals[month] is not None]
        actuals.append(sum(a for a in recorded if a is not None) if recorded else None)
    return LineFigures(
        annual_budget_pence=sum(line.annual_budget_pence for line in lines),
        budget_profile=tuple(sum(line.budget_profile[m] for line in lines) for m in range(MONTHS)),
        actuals=tuple(actuals),
        forecast=tuple(sum(line.forecast[m] for line in lines) for m in range(MONTHS - as_at)),
        as_at=as_at,
    )


# --- Virements ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Virement:
    """Budget moved from one line to another within the pool; `board_approval` records the board's agreement."""

    from_line: Hashable
    to_line: Hashable
    amount_pence: int
    recurrent: bool
    reason: str
    approved_by: str
    approval_date: date
    board_approval: bool = False


def virement_needs_board_approval(amount_pence: int, delegated_limit_pence: int) -> bool:
    """Above the delegated limit the board must approve; exactly at the limit is still delegated."""
    return amount_pence > delegated_limit_pence


def check_virement(budgets: Mapping[Hashable, int], virement: Virement, delegated_limit_pence: int, *,
                   months: str = "") -> None:
    """Refuse a virement that breaks a rule, with the reason in plain words.

    Refused: a nil or negative amount; the same line at both ends; a line not in the pool; no reason or no approver;
    more than the delegated limit without the board's approval; and more than the from-line's budget — a virement may
    take a line down to nil but never below it (so an income line, whose budget is negative, cannot give).
    `months`: the months `budgets` are for, when not the whole year (e.g. "M8 to M12"), for the words.
    """
    if delegated_limit_pence < 0:
        raise ValidationError("The delegated limit for virements cannot be negative.")
    amount = virement.amount_pence
    if amount <= 0:
        raise ValidationError(f"A virement must move more than nothing, not {format_exact(amount)}.")
    if virement.from_line == virement.to_line:
        raise ValidationError(f"A virement moves money between two lines; line {virement.from_line} is at both ends.")
    for line in (virement.from_line, virement.to_line):
        if line not in budgets:
            raise ValidationError(f"Line {line} is not in this pool.")
    if not virement.reason.strip():
        raise ValidationError("A virement needs a reason, for the record.")
    if not virement.approved_by.strip():
        raise ValidationError("A virement needs the name of whoever approved it.")
    if virement_needs_board_approval(amount, delegated_limit_pence) and not virement.board_approval:
        raise ValidationError(f"{format_exact(amount)} is above the delegated limit of "
                              f"{format_exact(delegated_limit_pence)}, so it needs the board's approval.",
                              "Record the board's approval: its minute reference.")
    available = budgets[virement.from_line]
    if amount > available:
        left = f"{format_exact(available)} of budget left in {months}" if months else \
            f"a budget of {format_exact(available)}"
        raise ValidationError(f"Line {virement.from_line} has {left}, so {format_exact(amount)} cannot move out of "
                              "it: no line's budget may go below nil.")


def apply_virement(budgets: Mapping[Hashable, int], virement: Virement,
                   delegated_limit_pence: int) -> dict[Hashable, int]:
    """The line budgets after the virement (a new dict); see `check_virement` for what is refused.

    The pool total never changes.
    """
    check_virement(budgets, virement, delegated_limit_pence)
    moved = dict(budgets)
    moved[virement.from_line] -= virement.amount_pence
    moved[virement.to_line] += virement.amount_pence
    if sum(moved.values()) != sum(budgets.values()):
        raise ArithmeticError("a virement changed the pool total")
    return moved


def spread_virement(amount_pence: int, giving: Sequence[int], taking: Sequence[int]) -> tuple[list[int], list[int]]:
    """The months a virement moves budget in, after it: `amount_pence` off the giving line's months (`giving`, from
    the first the virement applies to) in proportion to their budgets, and onto the taking line's likewise (evenly
    when its months have no budget). The two lines' total never changes."""
    def parts(months: Sequence[int]) -> list[int]:
        weights = [max(month, 0) for month in months]
        return split_largest_remainder(amount_pence, weights if sum(weights) else [1] * len(weights))

    given = [month - part for month, part in zip(giving, parts(giving), strict=True)]
    taken = [month + part for month, part in zip(taking, parts(taking), strict=True)]
    if sum(given) + sum(taken) != sum(giving) + sum(taking):
        raise ArithmeticError("a virement changed the pool total")
    return given, taken


# --- Period close ------------------------------------------------------------------------------------------------


class PeriodState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


def last_reportable_month(closed: Collection[int], latest_actuals: int) -> int:
    """The last month of a year figures can be as at: the later of the last closed and the last with actuals in
    force (0: neither yet). Past it no month has an actual, so figures as at it would take every such month's actual
    as nil and run the forecast on from that."""
    return max(max(closed, default=0), latest_actuals)


def _name(period: Period) -> str:
    return f"{period.label} {period.year.label}"


def period_state(period: Period, closed_periods: Collection[Period]) -> PeriodState:
    return PeriodState.CLOSED if period in closed_periods else PeriodState.OPEN


def check_period_open(period: Period, closed_periods: Collection[Period]) -> None:
    """Refuse any edit or import into a closed period."""
    if period in closed_periods:
        raise ValidationError(f"{_name(period)} is closed: its figures were agreed at month end and are locked.",
                              "Unlock the period, giving a reason, to change it.")


def close_period(period: Period, closed_periods: Collection[Period]) -> frozenset[Period]:
    """The closed periods once `period` is closed too; closing a closed period is refused."""
    if period in closed_periods:
        raise ValidationError(f"{_name(period)} is already closed.")
    return frozenset(closed_periods) | {period}


def check_month_over(period: Period, today: date) -> None:
    """A month's figures are agreed once it is over: closed sooner, a month still being spent would be locked as
    agreed, and the forecast run on from its part-month as though it were a whole one."""
    if today <= period.last_day:
        raise ValidationError(f"{_name(period)} is not over until the end of {format_day(period.last_day)}: its "
                              "figures cannot be agreed yet.",
                              f"Close it from {format_day(period.last_day + timedelta(days=1))}, once the partners' "
                              "ledgers for it are in.")


def check_ledgers_in(period: Period, missing: Sequence[str], closing_without: Collection[str]) -> None:
    """Every partner's ledger for the month is loaded, or the manager has said to close without it: a partner with
    no rows that month has its actuals for it agreed as nil, which a late extract usually is not."""
    unsaid = [code for code in missing if code not in closing_without]
    if unsaid:
        whose = " or ".join(unsaid)
        raise ValidationError(f"No ledger from {whose} is loaded for {_name(period)}: closing now would agree "
                              f"{'its' if len(unsaid) == 1 else 'their'} actuals for the month without it (as "
                              "nil, or as only what was entered by hand).",
                              f"Import {whose}'s extract for {period.label} first, or close without it if nothing "
                              "of the pool's was spent there that month.")


def unlock_period(period: Period, closed_periods: Collection[Period], reason: str) -> frozenset[Period]:
    """The closed periods once `period` is unlocked; unlocking is a recorded act and needs a reason."""
    if period not in closed_periods:
        raise ValidationError(f"{_name(period)} is not closed, so there is nothing to unlock.")
    if not reason.strip():
        raise ValidationError(f"Unlocking {_name(period)} needs a reason, for the record.")
    return frozenset(closed_periods) - {period}
