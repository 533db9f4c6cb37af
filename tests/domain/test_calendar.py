"""The financial calendar: April to March, M1 to M12, written 2026-27."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jointlead.domain.calendar import (
    FARTHEST_AHEAD_YEARS,
    FinancialYear,
    Period,
    check_happened,
    check_planned,
    format_day,
    years_after,
)
from jointlead.domain.errors import ValidationError


def test_the_year_runs_from_april_to_march():
    year = FinancialYear(2026)
    assert year.label == "2026-27"
    assert (year.first_day, year.last_day) == (date(2026, 4, 1), date(2027, 3, 31))
    assert FinancialYear.containing(date(2027, 3, 31)) == year
    assert FinancialYear.containing(date(2027, 4, 1)) == FinancialYear(2027)


def test_m1_is_april_m7_is_october_and_m12_is_march():
    year = FinancialYear(2026)
    assert year.period(1).first_day == date(2026, 4, 1)
    assert year.period(7).month_name == "Oct-26"
    assert year.period(12).last_day == date(2027, 3, 31)
    assert year.period(11).last_day == date(2027, 2, 28)
    assert year.period(7).as_at() == "as at M7 2026-27"


def test_financial_years_are_read_as_written():
    assert FinancialYear.parse("2026-27") == FinancialYear(2026)
    assert FinancialYear.parse(" 1999/00 ") == FinancialYear(1999)
    for bad in ("2026", "2026-28", "26-27", "twenty"):
        with pytest.raises(ValueError, match="financial year"):
            FinancialYear.parse(bad)


def test_there_is_no_thirteenth_period_and_whoever_asks_for_one_is_told_so_in_words():
    # A refusal the user can act on (shown in a dialog, or printed by a command), not an error from deep inside.
    for number in (13, 0):
        with pytest.raises(ValidationError) as refused:
            Period(FinancialYear(2026), number)
        assert (refused.value.message, refused.value.advice) == (
            f"There is no M{number}: the months are M1 (April) to M12 (March).", "Choose a month from M1 to M12.")
    with pytest.raises(ValidationError, match="There is no M13"):
        FinancialYear(2026).period(13)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_every_day_falls_in_exactly_the_period_that_contains_it(day):
    period = Period.containing(day)
    assert period.first_day <= day <= period.last_day
    assert period.year.first_day <= day <= period.year.last_day


def test_a_day_in_a_sentence_has_no_leading_zero():
    assert format_day(date(2026, 11, 3)) == "3 November 2026"


def test_a_year_after_29_february_is_28_february():
    assert years_after(date(2028, 2, 29), 2) == date(2030, 2, 28)
    assert years_after(date(2026, 11, 22), 2) == date(2028, 11, 22)


def test_something_that_happened_may_be_today_but_not_tomorrow():
    today = date(2026, 11, 22)
    assert check_happened(today, today, "The approval date") == today
    with pytest.raises(ValidationError) as refused:
        check_happened(date(2026, 11, 23), today, "The approval date")
    assert refused.value.message == "The approval date, 23 November 2026, is in the future."


def test_a_planned_day_may_be_two_years_ahead_but_a_mistyped_year_is_refused():
    today = date(2026, 11, 22)
    assert check_planned(date(2028, 11, 22), today, "The start date") == date(2028, 11, 22)
    assert check_planned(date(1990, 1, 1), today, "The start date") == date(1990, 1, 1)
    with pytest.raises(ValidationError) as refused:
        check_planned(date(2062, 11, 22), today, "The start date")
    assert (refused.value.message, refused.value.advice) == (
        f"The start date, 22 November 2062, is more than {FARTHEST_AHEAD_YEARS} years from today.", "Check the year.")
