"""Reading cells: every form finance and HR systems write, every refusal said plainly, and nothing else escapes."""

from __future__ import annotations

import contextlib
import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jointlead.domain.calendar import MONTH_ABBREVIATIONS, FinancialYear, Period
from jointlead.domain.money import format_finance, format_money
from jointlead.exchange.problems import ValueProblem
from jointlead.exchange.values import (
    amounts_in_pence,
    is_blank,
    normalise_header,
    parse_code,
    parse_date,
    parse_debit_credit,
    parse_money,
    parse_period,
    parse_text,
    parse_whole_number,
    parse_wte,
    plain_texts,
)

YEAR = FinancialYear(2026)
UNCLEAR_SIGN = "is marked as negative or positive more than once: its sign is unclear"
CODE_TOO_LONG_A_NUMBER = "is too long a number to be a code safely: format the column as text and enter it again"
WTE_TOO_PRECISE = "is more precise than a whole-time equivalent can be: give it to the hundredth, like 0.85 or 85%"
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")  # fmt: skip


def excel_serial(day: date) -> int:
    """The serial Excel stores for a day from 1 March 1900 on (it counts a 29 February 1900 that never was)."""
    return (day - date(1899, 12, 30)).days


def refused(parse, *args, **kwargs) -> str:
    with pytest.raises(ValueProblem) as problem:
        parse(*args, **kwargs)
    return str(problem.value)


# --- Blank cells -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "   ", "\t", "\xa0", " \u200b "])
def test_an_empty_or_spaces_only_cell_is_blank(value):
    assert is_blank(value)


@pytest.mark.parametrize("value", ["0", 0, 0.0, False, "x", date(2026, 10, 15), "-"])
def test_a_cell_with_anything_in_it_is_not_blank(value):
    assert not is_blank(value)


# --- Money -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "pence"), [
    ("£1,234.50", 123_450),
    (" £1,234.50 ", 123_450),
    ("\xa0£1,234.50\xa0", 123_450),
    ("£ 1,234.50", 123_450),
    ("1234.5", 123_450),
    ("1234", 123_400),
    ("1,234", 123_400),
    ("1,234,567.89", 123_456_789),
    (".5", 50),
    ("0.07", 7),
    ("12.500", 1_250),
    ("DR 12.00", 1_200),
    ("12.00 DR", 1_200),
    ("0.00", 0),
    (1234, 123_400),
    (-12, -1_200),
    (1234.5, 123_450),
    (0.07, 7),
    (Decimal("12.34"), 1_234),
])
def test_amounts_are_read_in_every_form_finance_systems_print(value, pence):
    assert parse_money(value) == pence


@pytest.mark.parametrize("value", ["1,234.50-", "1,234.50 -", "£1,234.50-"])
def test_trailing_minus_means_a_negative_amount(value):
    assert parse_money(value) == -123_450


@pytest.mark.parametrize("value", ["(1,234.50)", "(£1,234.50)", "( 1,234.50 )"])
def test_brackets_mean_a_negative_amount(value):
    assert parse_money(value) == -123_450


@pytest.mark.parametrize("value", ["-£12", "£-12", "-12", "\u221212"])
def test_a_leading_minus_before_or_after_the_pound_sign_means_a_negative_amount(value):
    assert parse_money(value) == -1_200


@pytest.mark.parametrize("value", ["CR 12.00", "12.00 CR", "12.00CR", "cr12", "£12.00 CR"])
def test_a_credit_is_a_negative_amount(value):
    assert parse_money(value) == -1_200


@pytest.mark.parametrize("value", [
    1234.56 + 0.000_000_000_000_2,
    math.nextafter(1234.56, math.inf),
    math.nextafter(1234.56, -math.inf),
])
def test_float_noise_from_spreadsheet_arithmetic_is_not_a_fraction_of_a_penny(value):
    assert parse_money(value) == 123_456


def test_sums_of_tenths_that_floats_cannot_hold_exactly_are_read_as_written():
    assert parse_money(0.1 + 0.2) == 30
    assert parse_money(sum([0.1] * 10)) == 100
    assert parse_money(-(0.1 + 0.2)) == -30


@pytest.mark.parametrize(("value", "shown"), [
    (1234.565, "1234.565"),
    (math.nextafter(1234.565, 0), "1234.565"),
    (1234.56499, "1234.56499"),
    (0.001, "0.001"),
    (9_999_999_999.995, "9999999999.995"),
    ("1234.565", "1234.565"),
    ("£0.001", "£0.001"),
    (Decimal("12.345"), "12.345"),
])
def test_fractions_of_a_penny_are_refused_never_rounded(value, shown):
    assert refused(parse_money, value) == f"'{shown}' has fractions of a penny"


@pytest.mark.parametrize(("value", "shown"), [
    ("12,34.5x", "12,34.5x"),
    ("1 234.50", "1 234.50"),
    ("1,23", "1,23"),
    ("12.", "12."),
    (".", "."),
    ("£", "£"),
    ("CR", "CR"),
    ("- 12", "- 12"),
    ("£(12)", "£(12)"),
    ("-(12)", "-(12)"),
    ("1.2E+5", "1.2E+5"),
    ("twelve", "twelve"),
    ("\u0663", "\u0663"),  # an Arabic-Indic three: a digit, but not one a ledger prints
    (True, "TRUE"),
    (False, "FALSE"),
    (float("nan"), "nan"),
    (float("inf"), "inf"),
    (time(9, 30), "09:30"),
    (timedelta(days=1), "1 day, 0:00:00"),
])
def test_what_is_not_an_amount_of_money_is_refused_quoting_the_value(value, shown):
    assert f"'{shown}'" in refused(parse_money, value)


def test_a_date_is_not_an_amount_of_money():
    assert refused(parse_money, date(2026, 10, 15)) == "'15/10/2026' is a date, not an amount of money"


@pytest.mark.parametrize("value", ["(12.00)-", "-12-", "(12) CR", "-12 DR", "CR 12-", "-£-12"])
def test_an_amount_marked_negative_twice_is_refused_as_unclear(value):
    assert refused(parse_money, value) == f"'{value}' {UNCLEAR_SIGN}"


@pytest.mark.parametrize("value", [None, "", "   "])
def test_an_empty_cell_has_no_amount(value):
    assert refused(parse_money, value) == "no amount"


@pytest.mark.parametrize("value", ["£10,000,000,000.01", "20000000000", 20_000_000_000, 1e300, -2e10,
                                   "1" * 5000, Decimal("1e999999")])  # fmt: skip
def test_absurd_amounts_over_ten_billion_pounds_are_refused(value):
    assert "is more than £10 billion" in refused(parse_money, value)


def test_ten_billion_pounds_is_the_largest_amount():
    assert parse_money("£10,000,000,000.00") == 1_000_000_000_000
    assert parse_money(-10_000_000_000) == -1_000_000_000_000


pence_amounts = st.integers(-1_000_000_000_000, 1_000_000_000_000)


def finance_ways_of_writing(pence: int) -> list[object]:
    pounds, remainder = divmod(abs(pence), 100)
    grouped, plain = f"{pounds:,}.{remainder:02d}", f"{pounds}.{remainder:02d}"
    minus = "-" if pence < 0 else ""
    return [
        format_money(pence),  # £1,234.56 and -£1,234.56
        format_finance(pence),  # 1,234.56 and (1,234.56)
        grouped + minus,  # 1,234.56-
        minus + plain,  # 1234.56
        f"£{minus}{grouped}",  # £-1,234.56
        f"{plain} {'CR' if pence < 0 else 'DR'}",
        f"{'CR' if pence < 0 else 'DR'} {grouped}",
        pence / 100,  # a number cell
    ]


@given(pence_amounts)
def test_any_amount_written_as_finance_systems_do_reads_back_to_the_same_pence(pence):
    for written in finance_ways_of_writing(pence):
        assert parse_money(written) == pence, written


@given(pence_amounts, st.sampled_from([0.1, 0.2, 0.3, 0.7]))
def test_adding_and_taking_away_a_float_leaves_only_noise_that_is_ignored(pence, tenth):
    noisy = (pence / 100 + tenth) - tenth
    assert parse_money(noisy) == pence


@given(st.integers(-10**10, 10**10).filter(lambda n: n % 10), st.integers(3, 6))
def test_any_text_amount_with_a_digit_beyond_the_penny_is_refused(digits, places):
    # The last digit is never 0, so the amount always has `places` (3 or more) decimal places that matter.
    sign = "-" if digits < 0 else ""
    text = f"{sign}{abs(digits) // 10**places}.{abs(digits) % 10**places:0{places}d}"
    assert refused(parse_money, text) == f"'{text}' has fractions of a penny"


@given(st.integers(-999_999_999_999, 999_999_999_999), st.integers(1, 9))
def test_any_float_a_thousandth_of_a_penny_or_more_away_from_a_whole_penny_is_refused(pence, thousandths):
    value = (pence * 1000 + thousandths * (1 if pence >= 0 else -1)) / 100_000
    assert "has fractions of a penny" in refused(parse_money, value)


# --- Debit and credit columns ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("debit", "credit", "pence"), [
    ("1,234.50", "", 123_450),
    ("", "1,234.50", -123_450),
    (None, 12.5, -1_250),
    (12.5, None, 1_250),
    ("12.00", "0.00", 1_200),
    ("0", "3", -300),
    ("(5.00)", "", -500),  # a reversed debit
])
def test_a_ledger_line_is_its_debit_minus_its_credit(debit, credit, pence):
    assert parse_debit_credit(debit, credit) == pence


def test_a_line_with_both_a_debit_and_a_credit_is_refused():
    assert refused(parse_debit_credit, "12.00", "3.00") == (
        "debit '12.00' and credit '3.00' are both filled in: a line has one or the other"
    )


def test_a_line_with_neither_a_debit_nor_a_credit_has_no_amount():
    assert "no amount" in refused(parse_debit_credit, None, " ")


def test_a_bad_credit_is_refused_quoting_it():
    assert refused(parse_debit_credit, "", "12x") == "'12x' is not an amount of money"


@given(pence_amounts)
def test_any_amount_in_either_column_reads_back_with_credits_negative(pence):
    written = format_finance(abs(pence))
    assert parse_debit_credit(written, "") == abs(pence)
    assert parse_debit_credit("", written) == -abs(pence)


# --- Dates -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    "15/10/2026", "15/10/26", "15.10.2026", "15-10-2026", "15.10.26", "2026-10-15", "2026/10/15",
    "15 Oct 2026", "15-Oct-2026", "15-Oct-26", "15 October 2026", "15 october 2026", "15-OCT-2026", "15th October 2026",
    " 15/10/2026 ", "15/10/2026 09:30", "15/10/2026 00:00:00", "2026-10-15T09:30:00", "2026-10-15 09:30:00.123",
    46310, 46310.0, 46310.75, 46310.999999, date(2026, 10, 15), datetime(2026, 10, 15, 23, 59),
])  # fmt: skip
def test_dates_are_read_in_every_form_spreadsheets_hold(value):
    assert parse_date(value) == date(2026, 10, 15)


@pytest.mark.parametrize(("value", "day"), [
    ("5/3/2026", date(2026, 3, 5)),
    ("1/2/26", date(2026, 2, 1)),
    ("01/04/49", date(2049, 4, 1)),
    ("01/04/50", date(1950, 4, 1)),
    ("1 Sept 2026", date(2026, 9, 1)),
    ("29/02/2028", date(2028, 2, 29)),
])
def test_dates_are_always_read_day_first_as_in_the_uk(value, day):
    assert parse_date(value) == day


@pytest.mark.parametrize(("serial", "day"), [
    (1, date(1900, 1, 1)),
    (59, date(1900, 2, 28)),
    (61, date(1900, 3, 1)),
    (44927, date(2023, 1, 1)),
    (2_958_465, date(9999, 12, 31)),
])
def test_excel_serial_numbers_count_days_as_excel_does(serial, day):
    assert parse_date(serial) == day
    assert parse_date(float(serial)) == day


def test_excel_serial_60_is_the_29th_of_february_1900_that_never_was():
    assert refused(parse_date, 60) == "'60' is 29/02/1900 in Excel, a day that never existed"


@pytest.mark.parametrize(("value", "message"), [
    ("31/02/2026", "'31/02/2026' is not a real date: February 2026 has 28 days"),
    ("29/02/2027", "'29/02/2027' is not a real date: February 2027 has 28 days"),
    ("31 Apr 2026", "'31 Apr 2026' is not a real date: April 2026 has 30 days"),
    ("0/10/2026", "'0/10/2026' is not a real date: October 2026 has 31 days"),
    ("10/15/2026", "'10/15/2026' is not a real date: there is no month 15 (dates are read day first, 15/10/2026)"),
    ("Oct-26", "'Oct-26' is a month, not a date: give the day too, like 15/10/2026"),
    ("October 2026", "'October 2026' is a month, not a date: give the day too, like 15/10/2026"),
    ("2026-10", "'2026-10' is a month, not a date: give the day too, like 15/10/2026"),
    ("15/10/0026", "'15/10/0026' is not a date this service can use: the year must be 1900 or later"),
    ("15/10/2026 25:00", "'15/10/2026 25:00' has a time of day that cannot be"),
    (time(9, 30), "'09:30' is a time, not a date"),
])
def test_impossible_dates_and_months_are_refused_saying_why(value, message):
    assert refused(parse_date, value) == message


@pytest.mark.parametrize(("value", "shown"), [
    (0, "0"), (-1, "-1"), (0.5, "0.5"), (2_958_466, "2958466"), (float("nan"), "nan"), (True, "TRUE"),
    ("45000", "45000"), ("15/10-2026", "15/10-2026"), ("15 Foo 2026", "15 Foo 2026"), ("2026-13", "2026-13"),
    ("tomorrow", "tomorrow"), ("15/10", "15/10"), (10**400, "1" + "0" * 38 + "…"),
])  # fmt: skip
def test_what_is_not_a_date_is_refused_quoting_the_value(value, shown):
    assert f"'{shown}' is not a date" in refused(parse_date, value)


def test_an_empty_cell_has_no_date():
    assert refused(parse_date, " ") == "no date"


days_1901_to_2099 = st.dates(min_value=date(1901, 1, 1), max_value=date(2099, 12, 31))


@given(days_1901_to_2099, st.times())
def test_any_day_written_in_any_accepted_form_reads_back_to_the_same_day(day, moment):
    month_abbreviation = MONTH_NAMES[day.month - 1][:3]
    for written in (
        f"{day.day:02d}/{day.month:02d}/{day.year}",
        f"{day.day}/{day.month}/{day.year}",
        f"{day.day:02d}.{day.month:02d}.{day.year}",
        f"{day.day:02d}-{day.month:02d}-{day.year}",
        day.isoformat(),
        f"{day.day:02d}-{month_abbreviation}-{day.year}",
        f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}",
        f"{day.isoformat()}T{moment.isoformat()}",
        excel_serial(day),
        excel_serial(day) + (moment.hour * 3600 + moment.minute * 60 + moment.second) / 86_400,
        day,
        datetime.combine(day, moment),
    ):
        assert parse_date(written) == day, written


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2049, 12, 31)))
def test_two_digit_years_are_read_as_1950_to_2049(day):
    assert parse_date(f"{day.day:02d}/{day.month:02d}/{day.year % 100:02d}") == day
    assert parse_date(f"{day.day}-{MONTH_NAMES[day.month - 1][:3]}-{day.year % 100:02d}") == day


@given(days_1901_to_2099.filter(lambda day: day.day > 12))
def test_a_day_written_month_first_is_never_mistaken_for_another_day(day):
    assert "there is no month" in refused(parse_date, f"{day.month:02d}/{day.day:02d}/{day.year}")


# --- Periods ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    "M7", "m07", "P07", "P7", "p 7", "Period 7", "period 07", "Month 7", "7", "07", "7.0", 7, 7.0,
    "Oct", "October", "OCT", "Oct-26", "Oct 26", "Oct 2026", "October 2026", "2026-10", "15/10/2026",
    date(2026, 10, 1), date(2026, 10, 31), datetime(2026, 10, 15, 12, 0),
])  # fmt: skip
def test_october_is_period_7_however_it_is_written(value):
    assert parse_period(value, YEAR) == 7


def test_a_number_is_a_period_number_never_a_calendar_month():
    assert parse_period("1", YEAR) == 1  # M1 is April, not January
    assert parse_period("Jan", YEAR) == 10


@pytest.mark.parametrize(("value", "message"), [
    ("Oct-25", "'Oct-25' is not in 2026-27"),
    ("Apr-27", "'Apr-27' is not in 2026-27"),
    ("March 2026", "'March 2026' is not in 2026-27"),
    ("2027-04", "'2027-04' is not in 2026-27"),
    (date(2026, 3, 31), "'31/03/2026' is not in 2026-27"),
    ("01/04/2027", "'01/04/2027' is not in 2026-27"),
])
def test_a_month_outside_the_financial_year_is_refused(value, message):
    assert refused(parse_period, value, YEAR) == message


@pytest.mark.parametrize("value", ["13", "M0", "P14", "0", 13, 0, -1, 7.5, "M13", "Period 0"])
def test_there_are_only_periods_m1_to_m12(value):
    assert "periods run from M1 (April) to M12 (March)" in refused(parse_period, value, YEAR)


@pytest.mark.parametrize(("value", "shown"), [
    ("Q3", "Q3"), ("M", "M"), ("Octember", "Octember"), ("2026-13", "2026-13"), ("7th", "7th"), (True, "TRUE"),
    (time(7), "07:00"), (float("nan"), "nan"), ("M007", "M007"),
])  # fmt: skip
def test_what_is_not_a_period_is_refused_quoting_the_value(value, shown):
    assert f"'{shown}'" in refused(parse_period, value, YEAR)


def test_an_empty_cell_has_no_period():
    assert refused(parse_period, None, YEAR) == "no period"


@given(st.integers(1950, 2048), st.integers(1, 12))
def test_any_period_written_in_any_style_reads_back_to_the_same_period(start_year, number):
    year = FinancialYear(start_year)
    period = Period(year, number)
    month = period.calendar_month
    for written in (
        f"M{number}", f"m{number:02d}", f"P{number:02d}", f"P{number}", f"Period {number}", str(number), number,
        float(number), MONTH_ABBREVIATIONS[number - 1], MONTH_NAMES[month - 1], period.month_name,
        f"{MONTH_NAMES[month - 1]} {period.calendar_year}", f"{MONTH_ABBREVIATIONS[number - 1]} {period.calendar_year}",
        f"{period.calendar_year}-{month:02d}", period.first_day, period.last_day,
        datetime.combine(period.last_day, time(23, 59)), period.first_day.strftime("%d/%m/%Y"),
    ):  # fmt: skip
        assert parse_period(written, year) == number, written


@given(st.integers(1950, 2048), days_1901_to_2099)
def test_any_day_belongs_to_the_year_that_contains_it_and_to_no_other(start_year, day):
    year = FinancialYear(start_year)
    if year.first_day <= day <= year.last_day:
        assert parse_period(day, year) == Period.containing(day).number
    else:
        assert refused(parse_period, day, year).endswith(f"is not in {year.label}")


# --- Codes -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "code"), [
    ("00123", "00123"),
    (" 00123 ", "00123"),
    ("\xa000123\xa0", "00123"),
    ("\ufeffA100", "A100"),
    ("12345678-2", "12345678-2"),
    ("CC 4010", "CC 4010"),
    ("123.0", "123.0"),  # text is kept as written
    (123, "123"),
    (123.0, "123"),
    (0, "0"),
    (999_999_999_999_999, "999999999999999"),
    ("x" * 40, "x" * 40),
])
def test_codes_are_kept_exactly_as_text_with_their_leading_zeros(value, code):
    assert parse_code(value) == code


@pytest.mark.parametrize(("value", "message"), [
    ("A\t1", "'A 1' contains a tab, which a code cannot hold: retype the code without it"),
    ("A\n1", "'A 1' contains a line break, which a code cannot hold: retype the code without it"),
    ("A\r1", "'A 1' contains a line break, which a code cannot hold: retype the code without it"),
    ("A\x001", "'A 1' contains a hidden control character, which a code cannot hold: retype the "
                "code rather than pasting it"),
    ("A\x7f1", "'A 1' contains a hidden control character, which a code cannot hold: retype the "
                "code rather than pasting it"),
    (123.5, "'123.5' is not a code: codes are whole numbers or text"),
    (float("inf"), "'inf' is not a code: codes are whole numbers or text"),
    ("x" * 41, "'" + "x" * 39 + "…' is 41 characters long: a code has at most 40"),
    (date(2026, 1, 10), "'10/01/2026' is a date, not a code"),
    (True, "'TRUE' is not a code"),
    (1e16, f"'1e+16' {CODE_TOO_LONG_A_NUMBER}"),
    (10**15, f"'1000000000000000' {CODE_TOO_LONG_A_NUMBER}"),
    (None, "no code"),
    ("\xa0", "no code"),
])  # fmt: skip
def test_what_cannot_be_a_code_is_refused_saying_why(value, message):
    assert refused(parse_code, value) == message


@given(st.integers(1, 10), st.text("0123456789", max_size=20))
def test_codes_with_leading_zeros_read_back_unchanged(zeros, digits):
    code = "0" * zeros + digits
    assert parse_code(code) == code
    assert parse_code(f" {code}\xa0") == code


@given(st.integers(0, 10**15 - 1))
def test_any_code_held_as_a_number_reads_back_as_its_digits(number):
    assert parse_code(number) == str(number)
    assert parse_code(float(number)) == str(number)


@given(st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=40).map(str.strip))
def test_any_code_of_printable_characters_reads_back_unchanged(code):
    if code and code[0] not in "\u200b\ufeff" and code[-1] not in "\u200b\ufeff":
        assert parse_code(code) == code


# --- Text ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "text"), [
    ("  Community Mental Health Nurse  ", "Community Mental Health Nurse"),
    ("Two  spaces stay", "Two  spaces stay"),
    ("Zoë O'Brien-Ngata", "Zoë O'Brien-Ngata"),
    (12, "12"),
    (12.0, "12"),
    (12.5, "12.5"),
    (0.1 + 0.2, "0.3"),
    (True, "TRUE"),
    (date(2026, 10, 15), "15/10/2026"),
    (datetime(2026, 10, 15), "15/10/2026"),
    (datetime(2026, 10, 15, 9, 30), "15/10/2026 09:30"),
    (time(9, 30, 15), "09:30:15"),
])
def test_free_text_is_kept_as_written_and_numbers_become_the_text_a_spreadsheet_shows(value, text):
    assert parse_text(value) == text


def test_single_line_text_refuses_tabs_and_line_breaks_in_a_whole_sentence_with_advice():
    assert refused(parse_text, "One\ntwo") == ("'One two' contains a line break, which this column cannot hold: retype "
                                               "the text on one line, with a space where the line break was")
    assert refused(parse_text, "a\tb") == ("'a b' contains a tab, which this column cannot hold: retype the text on "
                                          "one line, with a space where the tab was")
    assert refused(parse_text, "bell\x07 ring") == ("'bell  ring' contains a hidden control character, which this "
                                                   "column cannot hold: retype the text rather than pasting it")


def test_multiline_text_keeps_tabs_and_writes_every_line_break_the_same_way():
    assert parse_text("one\r\ntwo\rthree\nfour\tfive", multiline=True) == "one\ntwo\nthree\nfour\tfive"
    assert "hidden control character" in refused(parse_text, "bell\x07", multiline=True)


def test_text_longer_than_allowed_is_refused_giving_its_length():
    assert parse_text("x" * 1000) == "x" * 1000
    assert refused(parse_text, "x" * 1234).endswith("is 1,234 characters long: at most 1,000 fit here")
    assert refused(parse_text, "Senior practitioner", max_length=10) == (
        "'Senior practitioner' is 19 characters long: at most 10 fit here"
    )


@pytest.mark.parametrize(("value", "message"), [
    (None, "no text"), ("  ", "no text"), (float("nan"), "'nan' is not text"),
    (timedelta(1), "'1 day, 0:00:00' is not text"),
])  # fmt: skip
def test_what_is_not_text_is_refused(value, message):
    assert refused(parse_text, value) == message


printable_text = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=300)


@given(printable_text.map(str.strip))
def test_any_printable_single_line_text_reads_back_unchanged(text):
    if text and text[0] not in "\u200b\ufeff" and text[-1] not in "\u200b\ufeff":
        assert parse_text(text) == text


@given(st.lists(printable_text.map(str.strip).filter(lambda line: line and line[0] not in "\u200b\ufeff"),
                min_size=1, max_size=5))  # fmt: skip
def test_any_lines_of_text_read_back_as_the_same_lines(lines):
    text = "\n".join(lines)
    if text[-1] not in "\u200b\ufeff":
        assert parse_text(text, multiline=True) == text
        assert parse_text(text.replace("\n", "\r\n"), multiline=True) == text


@given(st.integers(-(10**15) + 1, 10**15 - 1))
def test_any_whole_number_becomes_its_digits_as_text(number):
    assert parse_text(number) == str(number)
    assert parse_text(float(number)) == str(number)


# --- Whole-time equivalent -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "hundredths"), [
    ("1", 100), ("1.0", 100), ("1.00", 100), ("0.8", 80), (".5", 50), ("0.01", 1), ("60%", 60), ("60 %", 60),
    ("100%", 100), ("1%", 1), (0.6, 60), (1, 100), (1.0, 100), (0.01, 1), (0.1 + 0.2, 30), (" 0.75 ", 75),
])  # fmt: skip
def test_whole_time_equivalents_are_read_as_hundredths(value, hundredths):
    assert parse_wte(value) == hundredths


@pytest.mark.parametrize(("value", "message"), [
    (0, "'0' is not a whole-time equivalent: it must be from 0.01 to 1.00"),
    ("0.00", "'0.00' is not a whole-time equivalent: it must be from 0.01 to 1.00"),
    ("1.01", "'1.01' is not a whole-time equivalent: it must be from 0.01 to 1.00"),
    ("37.5", "'37.5' is not a whole-time equivalent: it must be from 0.01 to 1.00"),
    ("120%", "'120%' is not a whole-time equivalent: it must be from 0.01 to 1.00"),
    (2, "'2' is not a whole-time equivalent: it must be from 0.01 to 1.00"),
    (-0.5, "'-0.5' is not a whole-time equivalent: it must be from 0.01 to 1.00"),
    ("0.805", f"'0.805' {WTE_TOO_PRECISE}"),
    (0.805, f"'0.805' {WTE_TOO_PRECISE}"),
    ("60.5%", f"'60.5%' {WTE_TOO_PRECISE}"),
    ("full time", "'full time' is not a whole-time equivalent: write it like 0.8 or 80%"),
    ("-0.5", "'-0.5' is not a whole-time equivalent: write it like 0.8 or 80%"),
    (True, "'TRUE' is not a whole-time equivalent"),
    (float("nan"), "'nan' is not a whole-time equivalent"),
    ("", "no whole-time equivalent"),
])  # fmt: skip
def test_what_is_not_a_whole_time_equivalent_is_refused_saying_why(value, message):
    assert refused(parse_wte, value) == message


@given(st.integers(1, 100))
def test_any_whole_time_equivalent_written_any_way_reads_back_to_the_same_hundredths(hundredths):
    for written in (f"{hundredths / 100:.2f}", f"{hundredths / 100:g}", f"{hundredths}%", hundredths / 100,
                    str(Decimal(hundredths) / 100)):  # fmt: skip
        assert parse_wte(written) == hundredths, written


# --- Whole numbers ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "number"), [
    ("12", 12), (" 12 ", 12), ("1,234", 1234), ("-3", -3), ("\u22123", -3), ("12.00", 12), (12, 12), (12.0, 12),
    (-0.0, 0),
])  # fmt: skip
def test_whole_numbers_are_read_from_text_and_number_cells(value, number):
    assert parse_whole_number(value) == number


@pytest.mark.parametrize(("value", "message"), [
    ("12.5", "'12.5' is not a whole number"),
    (12.5, "'12.5' is not a whole number"),
    ("1 234", "'1 234' is not a whole number"),
    ("12,34", "'12,34' is not a whole number"),
    ("twelve", "'twelve' is not a whole number"),
    (True, "'TRUE' is not a whole number"),
    (date(2026, 10, 15), "'15/10/2026' is a date, not a whole number"),
    (float("inf"), "'inf' is not a whole number"),
    ("", "no number"),
])
def test_what_is_not_a_whole_number_is_refused(value, message):
    assert refused(parse_whole_number, value) == message


def test_whole_numbers_outside_the_allowed_range_are_refused_giving_the_limit():
    assert parse_whole_number("12", minimum=1, maximum=12) == 12
    assert refused(parse_whole_number, "13", maximum=12) == "'13' is more than the largest allowed, 12"
    assert refused(parse_whole_number, "0", minimum=1) == "'0' is less than the smallest allowed, 1"
    assert refused(parse_whole_number, 5000, maximum=1000) == "'5000' is more than the largest allowed, 1,000"


@given(st.integers(-(10**18), 10**18))
def test_any_whole_number_written_any_way_reads_back_to_the_same_number(number):
    written_ways: list[object] = [number, str(number), f"{number:,}", f"{number}.0"]
    if abs(number) <= 2**53:
        written_ways.append(float(number))
    for written in written_ways:
        assert parse_whole_number(written) == number, written


@given(st.integers(-1000, 1000), st.integers(-1000, 1000), st.integers(-1000, 1000))
def test_a_whole_number_is_accepted_exactly_when_it_is_within_the_limits(number, minimum, maximum):
    try:
        parse_whole_number(number, minimum=minimum, maximum=maximum)
        accepted = True
    except ValueProblem:
        accepted = False
    assert accepted == (minimum <= number <= maximum)


# --- Column headers --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("header", "normalised"), [
    (" Value £ ", "value"),
    ("Cost Ctr.", "cost ctr"),
    ("Trans. No", "trans no"),
    ("Journal-Line Ref", "journal line ref"),
    ("COST_CENTRE", "cost centre"),
    ("Cost\nCentre", "cost centre"),
    ("Cost\xa0Centre", "cost centre"),
    ("Amount (£)", "amount"),
    ("Variance %", "variance"),
    ("Straße", "strasse"),
    ("Cafe\u0301", "café"),
    (2026, "2026"),
    (None, ""),
    ("", ""),
    ("£ - .", ""),
])
def test_headers_are_matched_ignoring_case_punctuation_and_spacing(header, normalised):
    assert normalise_header(header) == normalised


@given(st.text())
def test_a_normalised_header_is_single_spaced_and_normalising_it_again_changes_nothing(header):
    normalised = normalise_header(header)
    assert normalised == normalised.strip()
    assert "  " not in normalised
    assert normalise_header(normalised) == normalised


header_words = st.lists(st.sampled_from(["Cost", "centre", "Code", "No", "Ref"]), min_size=1, max_size=4)
header_separators = st.lists(
    st.sampled_from([" ", "  ", ".", "-", "_", " / ", "£", "\xa0", "\n"]), min_size=5, max_size=5
)


@given(header_words, header_separators)
def test_headers_written_with_any_punctuation_and_case_match_each_other(words, separators):
    written = "".join(word.upper() + separator for word, separator in zip(words, separators, strict=False))
    assert normalise_header(written) == " ".join(word.casefold() for word in words)


# --- Nothing but ValueProblem ever escapes ---------------------------------------------------------------------------

cell_values = st.one_of(
    st.text(),
    st.text(alphabet="0123456789£$,.-+()%/: CRDMPOctSep\xa0\t\n"),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.decimals(allow_nan=True, allow_infinity=True),
)

PARSERS = {
    "money": parse_money,
    "date": parse_date,
    "period": lambda value: parse_period(value, YEAR),
    "code": parse_code,
    "text": parse_text,
    "multiline text": lambda value: parse_text(value, multiline=True, max_length=20),
    "wte": parse_wte,
    "whole number": parse_whole_number,
    "bounded whole number": lambda value: parse_whole_number(value, minimum=0, maximum=100),
    "debit": lambda value: parse_debit_credit(value, ""),
    "credit": lambda value: parse_debit_credit(None, value),
}
RESULT_TYPES = {
    "money": int, "date": date, "period": int, "code": str, "text": str, "multiline text": str, "wte": int,
    "whole number": int, "bounded whole number": int, "debit": int, "credit": int,
}  # fmt: skip


@settings(max_examples=200)
@given(cell_values)
def test_any_cell_value_is_either_read_or_refused_with_a_one_line_message(value):
    for kind, parse in PARSERS.items():
        try:
            result = parse(value)
        except ValueProblem as problem:
            message = str(problem)
            assert message and "\n" not in message and "\r" not in message, (kind, message)
        else:
            assert type(result) is RESULT_TYPES[kind], (kind, result)


@settings(max_examples=200)
@given(cell_values, cell_values)
def test_any_pair_of_debit_and_credit_values_is_either_read_or_refused(debit, credit):
    with contextlib.suppress(ValueProblem):
        assert isinstance(parse_debit_credit(debit, credit), int)


@settings(max_examples=200)
@given(cell_values)
def test_any_cell_value_is_a_blank_or_not_and_normalises_to_a_header(value):
    assert isinstance(is_blank(value), bool)
    assert isinstance(normalise_header(value), str)


# The common cells take a short path (parse_money, parse_code, _hundredths_of_float); a leading space sends the same
# text down the general one, which must agree with it on every value, accepted or refused.

def _outcome(parse, value):
    try:
        return parse(value)
    except ValueProblem as problem:
        return str(problem)  # quotes the value trimmed, so both paths say the same


@given(st.from_regex(r"-?£?([0-9]{1,3}(,[0-9]{3})*|[0-9]{1,14})(\.[0-9]{0,3})?", fullmatch=True))
def test_a_plain_amount_reads_the_same_by_the_short_path_as_by_the_general_one(text):
    assert _outcome(parse_money, text) == _outcome(parse_money, f" {text}")


@given(st.text(min_size=1, max_size=45))
def test_a_code_reads_the_same_by_the_short_path_as_by_the_general_one(text):
    if text.strip() == text and not text.startswith(("\u200b", "\ufeff")) and not text.endswith(("\u200b", "\ufeff")):
        assert _outcome(parse_code, text) == _outcome(parse_code, f" {text}")


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e10, max_value=1e10)
       | st.integers(-10**12, 10**12).map(lambda pence: pence / 100))
def test_a_number_cell_reads_as_the_decimal_excel_shows(number):
    shown = Decimal(format(number, ".15g")).scaleb(2)
    if abs(number * 100 - round(number * 100)) < 1e-6:  # within a millionth of a penny: binary noise, a whole penny
        assert parse_money(number) == round(number * 100)
    elif shown == shown.to_integral_value():
        assert parse_money(number) == int(shown)
    else:
        with pytest.raises(ValueProblem, match="fractions of a penny"):
            parse_money(number)


# --- Whole columns at once -------------------------------------------------------------------------------------------
# A column of an extract's amounts, ids or descriptions is read in bulk; whatever it gives must be exactly what the
# parser gives each cell, and a column of the usual cells must be read that way.

amount_cells = (st.integers(-10**12, 10**12).map(lambda pence: pence / 100)
                | st.floats(min_value=-2e10, max_value=2e10) | st.sampled_from([math.nan, math.inf, -0.0, 1e-7])
                | pence_amounts.flatmap(lambda pence: st.sampled_from(finance_ways_of_writing(pence)))
                | st.from_regex(r"-?£?([0-9]{1,3}(,[0-9]{3})*|[0-9]{1,14})(\.[0-9]{0,3})?\n?", fullmatch=True)
                | st.sampled_from([None, "", " 12.00", True, 12, date(2026, 10, 15)]))


@settings(max_examples=300)
@given(st.lists(amount_cells, max_size=12))
def test_amounts_read_in_bulk_are_what_each_cell_reads_as(cells):
    pence = amounts_in_pence(cells)
    if pence is not None:
        assert pence == [parse_money(cell) for cell in cells]


below_the_limit = st.integers(-10**12 + 1, 10**12 - 1)  # £10 billion itself takes the long way


@given(st.lists(below_the_limit.map(lambda pence: pence / 100) | below_the_limit.map(format_money)
                | below_the_limit.map(lambda pence: f"{pence / 100:.2f}"), max_size=12))
def test_a_column_of_number_cells_and_amounts_to_the_penny_is_read_in_bulk(cells):
    assert amounts_in_pence(cells) == [parse_money(cell) for cell in cells]


text_cells = st.text(max_size=45) | st.sampled_from([None, 12, 12.5, True, date(2026, 10, 15), "x" * 1001])


@settings(max_examples=300)
@given(st.lists(text_cells, max_size=8))
def test_codes_and_descriptions_read_in_bulk_are_what_each_cell_reads_as(cells):
    for parse, longest in ((parse_code, 40), (partial(parse_text, max_length=1000, multiline=True), 1000)):
        read = plain_texts(cells, longest)
        if read is not None:
            assert read == [parse(cell) for cell in cells]


def test_a_column_of_plain_codes_is_read_in_bulk_and_anything_else_one_by_one():
    codes = ["C41200", "JNL-2026-0000001", "00123", "Zoë's Café"]
    assert plain_texts(codes, 40) == codes
    for odd in (" C41200", "C41200\t", "", None, 41200.0, "x" * 41, "A\u200bB"):
        assert plain_texts([*codes, odd], 40) is None
