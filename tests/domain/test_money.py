"""Money in pence: formatting for people and finance, and splits that add up to the penny."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jointlead.domain.money import (
    format_exact,
    format_finance,
    format_money,
    format_pounds,
    split_largest_remainder,
    whole_pounds_adding_up,
)


@pytest.mark.parametrize(("pence", "summary", "detail", "finance"), [
    (0, "£0", "£0.00", "0.00"),
    (123_456_789, "£1,234,568", "£1,234,567.89", "1,234,567.89"),
    (-123_400, "-£1,234", "-£1,234.00", "(1,234.00)"),
    (5, "£0", "£0.05", "0.05"),
    (-49, "£0", "-£0.49", "(0.49)"),
    (50, "£1", "£0.50", "0.50"),
])
def test_money_is_shown_as_managers_and_finance_teams_expect(pence, summary, detail, finance):
    assert format_pounds(pence) == summary
    assert format_money(pence) == detail
    assert format_finance(pence) == finance


@pytest.mark.parametrize(("pence", "words"), [
    (2_500_000, "£25,000"), (2_500_040, "£25,000.40"), (40, "£0.40"), (-40, "-£0.40"), (0, "£0"),
    (-123_400, "-£1,234"), (749_966, "£7,499.66"),
])
def test_an_amount_in_words_is_exact_whole_pounds_only_when_it_is_whole_pounds(pence, words):
    assert format_exact(pence) == words


def test_the_worked_example_splits_an_overspend_pro_rata_to_contributions():
    # NHS £3,000,000 + council £1,000,000; overspend £200,000 → NHS £150,000, council £50,000.
    assert split_largest_remainder(20_000_000, [300_000_000, 100_000_000]) == [15_000_000, 5_000_000]


def test_a_penny_that_cannot_be_split_evenly_goes_to_the_partner_listed_first():
    assert split_largest_remainder(1, [1, 1]) == [1, 0]
    assert split_largest_remainder(-1, [1, 1]) == [-1, 0]
    assert split_largest_remainder(100, [1, 1, 1]) == [34, 33, 33]


@given(st.integers(-10**13, 10**13), st.lists(st.integers(0, 10**11), min_size=1, max_size=8))
def test_parts_always_add_up_to_the_whole_and_stay_within_a_penny_of_the_exact_share(total, weights):
    if sum(weights) == 0:
        return
    parts = split_largest_remainder(total, weights)
    assert sum(parts) == total
    for part, weight in zip(parts, weights, strict=True):
        exact = total * weight / sum(weights)
        assert abs(part - exact) < 1 + 1e-6 * abs(exact)


def test_splitting_refuses_weights_that_say_nothing():
    with pytest.raises(ValueError):
        split_largest_remainder(100, [])
    with pytest.raises(ValueError):
        split_largest_remainder(100, [0, 0])
    with pytest.raises(ValueError):
        split_largest_remainder(100, [3, -1])


def test_whole_pounds_add_up_to_the_total_as_it_is_shown():
    # £44,214.42 and -£16,853.51 are £27,360.91, shown as £27,361: each rounded alone, £44,214 and -£16,854.
    assert whole_pounds_adding_up([4_421_442, -1_685_351]) == [4_421_400, -1_685_300]
    assert format_pounds(sum(whole_pounds_adding_up([4_421_442, -1_685_351]))) == format_pounds(2_736_091)
    assert whole_pounds_adding_up([150, 150]) == [200, 100]  # £3 in all: the first of equals is rounded up
    assert whole_pounds_adding_up([-50, -50]) == [0, -100]  # -£1 in all, as -£1.00 shows
    assert whole_pounds_adding_up([1_234_500]) == [1_234_500] and whole_pounds_adding_up([]) == []
    for parts in ([1, 2, 3, 4], [-149, 251, 99_999], [33_333, 33_333, 33_334], [-1, -1, -1]):
        shown = whole_pounds_adding_up(parts)
        assert all(pence % 100 == 0 and abs(pence - part) < 100 for pence, part in zip(shown, parts, strict=True))
        assert format_pounds(sum(shown)) == format_pounds(sum(parts))
