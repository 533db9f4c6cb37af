"""A budget line's year: profiles, forecasts, outturn and variance, virements and period close."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jointlead.domain.budget import (
    ForecastMethod,
    ForecastOverride,
    LineFigures,
    PeriodState,
    Virement,
    apply_overrides,
    apply_virement,
    build_forecast,
    check_period_open,
    close_period,
    custom_profile,
    divide_rounding_half_away_from_zero,
    even_profile,
    month_begun,
    period_state,
    profile_forecast,
    profile_from_last_year,
    run_rate_forecast,
    spread_virement,
    total_figures,
    unlock_period,
    variance_basis_points,
    virement_needs_board_approval,
)
from jointlead.domain.calendar import FinancialYear
from jointlead.domain.errors import ValidationError
from jointlead.domain.rag import Rag

POUND = 100
YEAR = FinancialYear(2026)
money = st.integers(-10**11, 10**11)


# --- Profiles ----------------------------------------------------------------------------------------------------


def test_an_even_profile_gives_the_odd_pence_to_the_earliest_months():
    assert even_profile(120_000 * POUND) == (10_000 * POUND,) * 12
    assert even_profile(100) == (9, 9, 9, 9, 8, 8, 8, 8, 8, 8, 8, 8)
    assert even_profile(-100) == (-9, -9, -9, -9, -8, -8, -8, -8, -8, -8, -8, -8)


def test_a_custom_profile_follows_its_weights():
    weights = [2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]
    assert custom_profile(1_200, weights) == (200, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 0)


@pytest.mark.parametrize(("weights", "message"), [
    ([1] * 11, "12 months"),
    ([1] * 11 + [-1], "negative"),
    ([0] * 12, "above zero"),
])
def test_a_custom_profile_refuses_weights_that_make_no_sense(weights, message):
    with pytest.raises(ValidationError, match=message):
        custom_profile(1_200, weights)


def test_last_years_shape_is_copied_in_proportion():
    last_year = [100, 100, 200, 100, 100, 100, 100, 100, 100, 100, 100, 0]
    assert profile_from_last_year(2_400, last_year) == (200, 200, 400, 200, 200, 200, 200, 200, 200, 200, 200, 0)


def test_a_month_with_a_net_credit_last_year_counts_as_nil():
    last_year = [100, -50, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100]
    assert profile_from_last_year(1_100, last_year)[1] == 0


def test_an_income_lines_shape_is_copied_from_last_years_credits():
    last_year = [-1_000] * 9 + [-6_000] + [-1_000] * 2  # charges collected, most of them in January
    spread = profile_from_last_year(-17_000, last_year)
    assert spread == (-1_000,) * 9 + (-6_000,) + (-1_000,) * 2
    assert profile_from_last_year(-1_100, [-100, 50] + [-100] * 10)[1] == 0  # a net debit month counts as nil


@pytest.mark.parametrize("last_year", [[0] * 12, [-10] * 12, [50, -100] + [0] * 10])
def test_last_years_shape_falls_back_to_even_when_it_adds_up_to_nothing_or_less(last_year):
    assert profile_from_last_year(1_200, last_year) == even_profile(1_200)


def test_last_year_needs_all_twelve_months():
    with pytest.raises(ValidationError, match="12 months"):
        profile_from_last_year(1_200, [100] * 6)


@given(money, st.lists(st.integers(0, 10**9), min_size=12, max_size=12), st.lists(money, min_size=12, max_size=12))
def test_every_profile_adds_up_to_the_annual_budget(annual, weights, last_year):
    assert sum(even_profile(annual)) == annual
    assert sum(profile_from_last_year(annual, last_year)) == annual
    if sum(weights):
        assert sum(custom_profile(annual, weights)) == annual


# --- Forecasts ---------------------------------------------------------------------------------------------------


def test_the_run_rate_is_the_average_of_the_actuals_to_date():
    assert run_rate_forecast([100, 200, 300], 3) == (200, 200, 200)


def test_the_run_rate_total_is_rounded_half_away_from_zero_then_split_earliest_first():
    # 201 over 2 months is 100.5 a month: 301.5 for 3 months, rounded to 302, split 101, 101, 100.
    assert run_rate_forecast([100, 101], 3) == (101, 101, 100)
    assert run_rate_forecast([-100, -101], 3) == (-101, -101, -100)


def test_the_run_rate_needs_actuals_and_is_empty_when_nothing_remains():
    assert run_rate_forecast([100] * 12, 0) == ()
    with pytest.raises(ValidationError, match="no actuals yet"):
        run_rate_forecast([], 12)


def test_a_profile_forecast_is_the_remaining_months_budget():
    profile = tuple(range(1, 13))
    assert profile_forecast(profile, 10) == (10, 11, 12)
    assert profile_forecast(profile, 13) == ()


def test_an_override_replaces_exactly_its_month():
    forecast = (100, 100, 100)
    override = ForecastOverride(11, 250, "Agency cover for a long-term absence")
    assert apply_overrides(forecast, 10, [override]) == (100, 250, 100)


def test_an_override_needs_a_comment():
    with pytest.raises(ValidationError, match="needs a comment"):
        ForecastOverride(11, 250, "  ")


def test_a_month_with_actuals_cannot_be_overridden_and_a_month_only_once():
    with pytest.raises(ValidationError, match="M3 already has actuals"):
        apply_overrides((100, 100, 100), 10, [ForecastOverride(3, 1, "why")])
    with pytest.raises(ValidationError, match="two forecast overrides for M10"):
        apply_overrides((100, 100, 100), 10, [ForecastOverride(10, 1, "why"), ForecastOverride(10, 2, "why not")])


def test_a_forecast_is_built_by_its_method_with_the_overrides_on_top():
    profile = even_profile(1_200)
    assert build_forecast(ForecastMethod.RUN_RATE, profile, [150] * 9) == (150, 150, 150)
    assert build_forecast(ForecastMethod.PROFILE, profile, [150] * 9) == (100, 100, 100)
    override = ForecastOverride(12, 0, "Contract ends in February")
    assert build_forecast(ForecastMethod.RUN_RATE, profile, [150] * 9, [override]) == (150, 150, 0)


def test_a_run_rate_before_any_actuals_falls_back_to_the_profile():
    assert build_forecast(ForecastMethod.RUN_RATE, even_profile(1_200), []) == (100,) * 12


def test_a_line_added_mid_year_is_forecast_at_the_run_rate_of_its_own_months():
    # Added once M7 had closed: no budget in M1 to M7 (they were before it began), £24,000 a month from M8.
    profile = (0,) * 7 + (24_000 * POUND,) * 5
    actuals = [0] * 7 + [24_000 * POUND]
    began = month_begun(profile, [None] * 7 + [24_000 * POUND])

    assert began == 8
    assert build_forecast(ForecastMethod.RUN_RATE, profile, actuals, began=began) == (24_000 * POUND,) * 4
    # Averaged over M1 to M8 as well it would forecast £3,000 a month: an underspend of £84,000 that is not there.
    assert build_forecast(ForecastMethod.RUN_RATE, profile, actuals) == (3_000 * POUND,) * 4


@pytest.mark.parametrize(("profile", "actuals", "began"), [
    (even_profile(1_200), [None] * 3, 1),
    ((0,) * 3 + (100,) * 9, [None, None, 50], 3),  # spent before its first budgeted month: it had begun
    ((0,) * 3 + (100,) * 9, [None, None, 0], 3),  # postings that net to nil are still postings
    ((0,) * 12, [None, 40], 2),  # no budget at all, but spending
    ((0,) * 8 + (-100,) * 4, [None] * 8, 9),  # an income line's budget is a credit, and still a budget
    ((0,) * 12, [None] * 5, 13),  # neither: not begun
])
def test_a_line_begins_in_its_first_month_with_a_budget_or_an_actual(profile, actuals, began):
    assert month_begun(profile, actuals) == began


def test_a_line_not_begun_by_the_as_at_month_is_forecast_by_its_profile():
    profile = (0,) * 9 + (100,) * 3
    assert build_forecast(ForecastMethod.RUN_RATE, profile, [0] * 8, began=10) == (0, 100, 100, 100)


@given(st.lists(money, min_size=1, max_size=12), st.data())
def test_a_line_that_began_in_m1_is_forecast_as_before(actuals, data):
    profile = even_profile(data.draw(money))
    assert build_forecast(ForecastMethod.RUN_RATE, profile, actuals, began=1) == \
        build_forecast(ForecastMethod.RUN_RATE, profile, actuals)


@given(st.lists(money, max_size=12), st.data())
def test_overrides_replace_exactly_their_months_and_nothing_else(actuals, data):
    profile = even_profile(data.draw(money))
    start = len(actuals) + 1
    months = data.draw(st.lists(st.integers(start, 12), unique=True)) if start <= 12 else []
    overrides = [ForecastOverride(m, data.draw(money), "reason") for m in months]

    plain = build_forecast(ForecastMethod.RUN_RATE, profile, actuals)
    overridden = build_forecast(ForecastMethod.RUN_RATE, profile, actuals, overrides)

    wanted = {o.period: o.pence for o in overrides}
    for offset, (before, after) in enumerate(zip(plain, overridden, strict=True)):
        assert after == wanted.get(start + offset, before)


# --- Outturn and variance ----------------------------------------------------------------------------------------


def figures(actual_each_month: int, as_at: int, annual: int = 120_000 * POUND) -> LineFigures:
    profile = even_profile(annual)
    actuals = [actual_each_month] * as_at + [None] * (12 - as_at)
    forecast = build_forecast(ForecastMethod.RUN_RATE, profile, actuals[:as_at])
    return LineFigures(annual, profile, tuple(actuals), forecast, as_at)


def test_a_line_running_ten_percent_over_is_red_to_date_and_for_the_year():
    line = figures(11_000 * POUND, as_at=6)

    assert line.budget_to_date == 60_000 * POUND
    assert line.actual_to_date == 66_000 * POUND
    assert line.forecast_outturn == 132_000 * POUND
    assert line.ytd_variance == 6_000 * POUND
    assert line.full_year_variance == 12_000 * POUND
    assert line.ytd_variance_basis_points == line.full_year_variance_basis_points == 1_000
    assert line.ytd_rag() == line.full_year_rag() == Rag.RED


def test_small_variances_are_green_and_middling_ones_amber():
    assert figures(10_100 * POUND, as_at=6).full_year_rag() == Rag.GREEN
    assert figures(10_200 * POUND, as_at=6).full_year_rag() == Rag.AMBER
    assert figures(9_700 * POUND, as_at=6).full_year_rag() == Rag.AMBER


def test_an_underspend_is_a_negative_variance():
    line = figures(9_000 * POUND, as_at=3)
    assert line.ytd_variance == -3_000 * POUND
    assert line.ytd_variance_basis_points == -1_000


def test_before_any_month_closes_the_outturn_is_the_forecast_alone():
    line = figures(0, as_at=0)
    assert line.budget_to_date == line.actual_to_date == 0
    assert line.ytd_variance_basis_points is None
    assert line.forecast_outturn == 120_000 * POUND


def test_variance_percentages_round_half_away_from_zero_and_say_nothing_of_a_nil_budget():
    assert variance_basis_points(1, 20_000) == 1  # 0.5 basis points
    assert variance_basis_points(-1, 20_000) == -1
    assert variance_basis_points(1, 20_001) == 0
    assert variance_basis_points(5, 0) is None
    assert variance_basis_points(1_000, -10_000) == 1_000  # less income than budgeted reads as an overspend
    assert divide_rounding_half_away_from_zero(-5, 2) == -3


def test_a_profile_a_few_pence_out_says_so_to_the_penny():
    with pytest.raises(ValidationError, match=r"adds up to £1,199\.60, not the annual budget of £1,200\."):
        LineFigures(1_200 * POUND, (100 * POUND,) * 11 + (100 * POUND - 40,), (None,) * 12, (0,) * 12, 0)


def test_a_profile_that_does_not_add_up_to_the_budget_is_refused():
    with pytest.raises(ValidationError, match="adds up to"):
        LineFigures(1_200, (99,) * 12, (None,) * 12, (100,) * 12, 0)


def test_lines_add_up_month_by_month_into_the_pool():
    pool = total_figures([figures(11_000 * POUND, as_at=6), figures(9_000 * POUND, as_at=6)])
    assert pool.annual_budget_pence == 240_000 * POUND
    assert pool.full_year_variance == 0
    assert pool.actuals[6] is None


@given(st.integers(0, 12), st.lists(st.none() | money, min_size=12, max_size=12), money)
def test_the_forecast_outturn_is_the_actuals_to_date_plus_the_forecast(as_at, actuals, annual):
    profile = even_profile(annual)
    to_date = [a or 0 for a in actuals[:as_at]]
    line = LineFigures(annual, profile, tuple(actuals), build_forecast(ForecastMethod.RUN_RATE, profile, to_date),
                       as_at)
    assert line.forecast_outturn == sum(to_date) + sum(line.forecast)
    assert sum(line.outturn_by_month) == line.forecast_outturn
    assert line.full_year_variance == line.forecast_outturn - annual


# --- Virements ---------------------------------------------------------------------------------------------------

BUDGETS = {"PAY": 500_000 * POUND, "CARE": 300_000 * POUND, "EQUIP": 0}
LIMIT = 50_000 * POUND


def virement(amount_pounds: int, from_line="PAY", to_line="CARE", board=False, reason="Vacancies fund placements",
             approved_by="Pooled fund manager") -> Virement:
    return Virement(from_line, to_line, amount_pounds * POUND, recurrent=False, reason=reason,
                    approved_by=approved_by, approval_date=date(2026, 10, 5), board_approval=board)


def test_a_virement_moves_budget_from_one_line_to_another():
    moved = apply_virement(BUDGETS, virement(20_000), LIMIT)
    assert moved == {"PAY": 480_000 * POUND, "CARE": 320_000 * POUND, "EQUIP": 0}
    assert BUDGETS["PAY"] == 500_000 * POUND  # the input is left alone


def test_above_the_delegated_limit_a_virement_needs_the_boards_approval():
    assert not virement_needs_board_approval(LIMIT, LIMIT)
    assert virement_needs_board_approval(LIMIT + 1, LIMIT)
    with pytest.raises(ValidationError, match="above the delegated limit of £50,000"):
        apply_virement(BUDGETS, virement(60_000), LIMIT)
    assert apply_virement(BUDGETS, virement(60_000, board=True), LIMIT)["CARE"] == 360_000 * POUND


def test_amounts_in_a_refused_virement_are_never_rounded_into_a_contradiction():
    limit = 25_000 * POUND
    move = Virement("PAY", "CARE", limit + 40, False, "r", "JGM", date(2026, 10, 5))
    with pytest.raises(ValidationError) as refused:
        apply_virement(BUDGETS, move, limit)
    assert refused.value.message.startswith("£25,000.40 is above the delegated limit of £25,000, so it needs")
    with pytest.raises(ValidationError, match=r"not -£0\.40"):
        apply_virement(BUDGETS, Virement("PAY", "CARE", -40, False, "r", "JGM", date(2026, 10, 5)), limit)
    small = {"PAY": 10_000 * POUND + 40, "CARE": 0}
    with pytest.raises(ValidationError, match=r"has a budget of £10,000\.40, so £10,000\.41 cannot move"):
        apply_virement(small, Virement("PAY", "CARE", 10_000 * POUND + 41, False, "r", "JGM", date(2026, 10, 5)),
                       limit)


@pytest.mark.parametrize(("bad", "message"), [
    (virement(0), "more than nothing"),
    (virement(-5), "more than nothing"),
    (virement(5, to_line="PAY"), "both ends"),
    (virement(5, to_line="TRAVEL"), "Line TRAVEL is not in this pool"),
    (virement(5, from_line="EQUIP"), "cannot move out of it"),
    (virement(5, reason=" "), "needs a reason"),
    (virement(5, approved_by=""), "whoever approved"),
])
def test_a_virement_that_breaks_a_rule_is_refused_in_plain_words(bad, message):
    with pytest.raises(ValidationError, match=message):
        apply_virement(BUDGETS, bad, LIMIT)


def test_a_virement_may_take_a_line_to_nil_but_not_below():
    assert apply_virement(BUDGETS, virement(300_000, from_line="CARE", to_line="EQUIP", board=True), LIMIT)["CARE"] == 0
    with pytest.raises(ValidationError, match="below nil"):
        apply_virement(BUDGETS, virement(300_001, from_line="CARE", to_line="EQUIP", board=True), LIMIT)


@settings(max_examples=200)
@given(st.dictionaries(st.sampled_from("ABCDE"), money, min_size=2), st.data())
def test_a_virement_never_changes_the_pool_total(budgets, data):
    from_line, to_line = data.draw(st.permutations(sorted(budgets)))[:2]
    amount = data.draw(st.integers(-10, 10**11))
    move = Virement(from_line, to_line, amount, data.draw(st.booleans()), "reason", "manager", date(2026, 5, 1),
                    data.draw(st.booleans()))
    try:
        moved = apply_virement(budgets, move, data.draw(st.integers(0, 10**11)))
    except ValidationError:
        return
    assert sum(moved.values()) == sum(budgets.values())
    assert moved[from_line] >= 0


# --- Period close ------------------------------------------------------------------------------------------------


def test_a_closed_period_takes_no_edits_or_imports():
    m5 = YEAR.period(5)
    closed = close_period(m5, frozenset())
    assert period_state(m5, closed) == PeriodState.CLOSED
    assert period_state(YEAR.period(6), closed) == PeriodState.OPEN
    check_period_open(YEAR.period(6), closed)
    with pytest.raises(ValidationError, match="M5 2026-27 is closed"):
        check_period_open(m5, closed)


def test_unlocking_a_period_needs_a_reason():
    m5 = YEAR.period(5)
    closed = close_period(m5, frozenset())
    with pytest.raises(ValidationError, match="needs a reason"):
        unlock_period(m5, closed, "   ")
    assert unlock_period(m5, closed, "Late invoice from the council ledger") == frozenset()


def test_a_period_is_closed_once_and_unlocked_only_when_closed():
    m5 = YEAR.period(5)
    with pytest.raises(ValidationError, match="already closed"):
        close_period(m5, {m5})
    with pytest.raises(ValidationError, match="not closed"):
        unlock_period(m5, set(), "reason")


def test_a_virement_comes_off_the_giving_months_and_onto_the_taking_months_in_proportion():
    giving, taking = spread_virement(400_000, [200_000, 200_000, 400_000], [100_000, 300_000, 0])
    assert giving == [100_000, 100_000, 200_000]
    assert taking == [200_000, 600_000, 0]
    # A taking line with no budget in its months gets it evenly, to the penny.
    assert spread_virement(100, [50, 50], [0, 0, 0]) == ([0, 0], [34, 33, 33])


@given(st.integers(1, 10**9), st.lists(st.integers(0, 10**8), min_size=1, max_size=12),
       st.lists(st.integers(-10**8, 10**8), min_size=1, max_size=12))
def test_a_spread_virement_moves_exactly_its_amount(amount, giving, taking):
    given_after, taken_after = spread_virement(amount, giving, taking)
    assert sum(giving) - sum(given_after) == amount == sum(taken_after) - sum(taking)
