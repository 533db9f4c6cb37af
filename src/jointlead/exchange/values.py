"""Reading one spreadsheet cell as money, a date, a period, a code, text, a WTE or a number, or saying why not."""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import compress, repeat
from operator import is_, not_

from jointlead.domain.calendar import FinancialYear, Period
from jointlead.exchange.problems import ValueProblem

# Cells arrive as python-calamine gives them (str, int, float, bool, date, datetime, time, or None / "" when empty)
# or as CSV text (always str). Every parser takes one such value and returns a typed value or raises ValueProblem
# with a short message that quotes the value; the reader adds the `Sheet!C12` reference.

LARGEST_AMOUNT_PENCE = 10_000_000_000 * 100  # £10 billion: far beyond any pooled budget, so larger is a mistake
LONGEST_CODE = 40
LONGEST_SHOWN = 40  # characters of a value quoted in a message; enough to recognise it, short enough to read
EXCEL_SIGNIFICANT_DIGITS = 15  # Excel keeps and shows 15 significant digits; binary noise lies beyond them
TWO_DIGIT_YEAR_PIVOT = 50  # "26" is 2026 and "85" is 1985: Windows' default window, 1950–2049
LAST_EXCEL_SERIAL = 2_958_465  # 31/12/9999, the last day Excel can hold

_INVISIBLE_EDGES = "\u200b\ufeff"  # zero-width space and byte-order mark: invisible, and not whitespace to Python
_UNICODE_MINUS = "\u2212"  # the true minus sign, as pasted from Word or a web page

# Excel's 1900 date system: serial 1 is 1 January 1900. Serial 60 is 29 February 1900, a day that never existed
# (Lotus 1-2-3 treated 1900 as a leap year and Excel copied it), so from serial 61 on, every serial is one more
# than the count of days since 31 December 1899.
_DAY_BEFORE_SERIAL_1 = date(1899, 12, 31)
_DAY_BEFORE_SERIAL_61 = date(1899, 12, 30)
_FICTIONAL_LEAP_DAY = 60

# Written out rather than taken from `calendar`, whose names follow the machine's locale (Qt sets it on start-up).
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December")  # fmt: skip
_MONTHS = {name.casefold(): number for number, full in enumerate(_MONTH_NAMES, 1) for name in (full, full[:3])}
_MONTHS["sept"] = 9  # as often written in the UK

_PERIODS_RUN = "periods run from M1 (April) to M12 (March)"
_WTE_PRECISION = "is more precise than a whole-time equivalent can be: give it to the hundredth, like 0.85 or 85%"
_LINE_BREAKING = ("Cc", "Zl", "Zp")  # control characters and line/paragraph separators: kept out of messages
_CONTROL_CHARACTER_NAMES = {"\t": "a tab", "\n": "a line break", "\r": "a line break"}

# Money: an optional CR/DR marker before or after, brackets, a trailing minus, then an optional minus and £ in either
# order (a space may follow the £ but never sits among the digits), then digits grouped by commas in threes or not.
_MARKER_BEFORE = re.compile(r"(?P<marker>CR|DR)\s*(?P<rest>.*)", re.IGNORECASE | re.ASCII | re.DOTALL)
_MARKER_AFTER = re.compile(r"(?P<rest>.*?)\s*(?P<marker>CR|DR)", re.IGNORECASE | re.ASCII | re.DOTALL)
_BRACKETS = re.compile(r"\(\s*(?P<rest>.*?)\s*\)", re.DOTALL)
_TRAILING_MINUS = re.compile(r"(?P<rest>.*?)\s*-", re.DOTALL)
_SIGN_AND_POUND = re.compile(r"(?P<minus_first>-)?(?P<pound>£\s*)?(?P<minus_after>-)?(?P<number>[0-9.,]*)")
_AMOUNT = re.compile(r"(?P<pounds>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.(?P<fraction>[0-9]+))?")
_PLAIN_FLOAT_LIMIT = 1e10  # pounds: below the £10 billion limit, so a short-path float needs no further check
_PLAIN_AMOUNT = re.compile(r"(?P<minus>-)?£?(?P<pounds>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<pence>[0-9]{1,2}))?",
                           re.ASCII)
# Lines of such amounts with exactly two decimals, whose digits are the pence once the £, commas and point are gone.
_PLAIN_PENCE = r"-?£?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)\.[0-9]{2}"
_PLAIN_PENCE_LINES = re.compile(rf"{_PLAIN_PENCE}(?:\n{_PLAIN_PENCE})*", re.ASCII)

# Dates: always day first (UK), never month first; four-digit years first are ISO, and so year-month-day.
_TIME_OF_DAY = r"(?:(?:\s+|T)(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:\.[0-9]+)?)?)?"
_DAY_MONTH_YEAR = re.compile(
    r"(?P<day>[0-9]{1,2})(?P<sep>[/.\-])(?P<month>[0-9]{1,2})(?P=sep)(?P<year>[0-9]{4}|[0-9]{2})" + _TIME_OF_DAY,
    re.ASCII,
)
_ISO_DATE = re.compile(
    r"(?P<year>[0-9]{4})(?P<sep>[/.\-])(?P<month>[0-9]{1,2})(?P=sep)(?P<day>[0-9]{1,2})" + _TIME_OF_DAY, re.ASCII
)
_DAY_NAMED_MONTH_YEAR = re.compile(
    r"(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?[\s\-/]+(?P<month_name>[a-z]+)\.?[\s\-/,]+(?P<year>[0-9]{4}|[0-9]{2})"
    + _TIME_OF_DAY,
    re.ASCII | re.IGNORECASE,
)

# Months and periods.
_NAMED_MONTH_YEAR = re.compile(r"(?P<month_name>[a-z]+)\.?[\s\-/']*(?P<year>[0-9]{4}|[0-9]{2})", re.ASCII | re.I)
_YEAR_MONTH = re.compile(r"(?P<year>[0-9]{4})[\-/](?P<month>[0-9]{1,2})", re.ASCII)
_MONTH_NAME = re.compile(r"(?P<month_name>[a-z]+)\.?", re.ASCII | re.IGNORECASE)
_PERIOD_NUMBER = re.compile(r"(?:(?:m|p|period|month)\s*\.?\s*)?(?P<number>[0-9]{1,2})(?:\.0+)?", re.ASCII | re.I)

_WTE = re.compile(r"(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*(?P<percent>%)?", re.ASCII)
_WHOLE_NUMBER = re.compile(r"(?P<minus>-)?(?P<digits>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.0+)?", re.ASCII)

_PUNCTUATION_AND_SYMBOLS = re.compile(r"[^\w\s]|_")  # \w keeps letters and digits of any script


def is_blank(value: object) -> bool:
    """True for an empty cell: None, "", or nothing but spaces (non-breaking and invisible ones included)."""
    return value is None or (isinstance(value, str) and not _trimmed(value))


def parse_money(value: object) -> int:
    """An amount of money in pence, from a number (pounds) or text as finance systems print it.

    Negative: a leading or trailing minus (`-£12`, `£-12`, `1,234.50-`), brackets (`(1,234.50)`) or CR for credit
    (`CR 12.00`, `12.00CR`); DR (debit) marks a positive amount. Exactly one sign marker is allowed.
    Fractions of a penny are refused, never rounded. Trailing zeros are exact (`12.500` is £12.50) and accepted.
    """
    # The usual cells, read in a few steps; everything else takes the long way below, which agrees with these.
    if value.__class__ is float and -_PLAIN_FLOAT_LIMIT < value < _PLAIN_FLOAT_LIMIT:  # NaN is never within
        # The shortest text that reads back as this float: when it has at most two decimals (and so, below the
        # limit, at most 12 significant digits), it is also what Excel shows (see _hundredths_of_float).
        shown = repr(value)
        whole, _, fraction = shown.partition(".")
        if len(fraction) <= 2 and "e" not in shown:
            hundredths = int(fraction.ljust(2, "0"))
            return int(whole) * 100 + (-hundredths if whole[0] == "-" else hundredths)
    elif value.__class__ is str and len(value) <= 20 and (plain := _PLAIN_AMOUNT.fullmatch(value)):
        # `1234.5`, `£1,234.50`, `-£12`
        minus, pounds, pence = plain.groups()
        amount = int(pounds.replace(",", "") if "," in pounds else pounds) * 100 + (int(pence.ljust(2, "0"))
                                                                                    if pence else 0)
        return (-amount if minus else amount) if amount <= LARGEST_AMOUNT_PENCE else _within_money_limit(amount, value)
    if is_blank(value):
        raise ValueProblem("no amount")
    _refuse_dates_times_and_truth(value, "an amount of money")
    if isinstance(value, int):
        return _within_money_limit(value * 100, value)
    if isinstance(value, float):
        return _within_money_limit(_hundredths_of_float(value, "an amount of money", "has fractions of a penny"), value)
    if isinstance(value, Decimal):
        if value.is_finite() and abs(value) > LARGEST_AMOUNT_PENCE:  # before any arithmetic on a vast exponent
            raise _too_much_money(value)
        return _within_money_limit(_hundredths_of_decimal(value, value), value)
    if isinstance(value, str):
        return _within_money_limit(_pence_from_text(_trimmed(value), value), value)
    raise ValueProblem(f"{quoted(value)} is not an amount of money")


# --- Whole columns at once -------------------------------------------------------------------------------------------
# An extract holds hundreds of thousands of cells whose values are all different (amounts, ids, descriptions), so
# they cannot be remembered; these read a column's usual cells in a few passes of C loops instead of a call each.
# Each gives exactly what the parser gives for every cell, or None when any cell needs the parser's own care.


def plain_texts(cells: list[object], longest: int) -> list[object] | None:
    """The cells themselves when every one is text with nothing to trim or refuse, at most `longest` characters long:
    parse_code's value (longest 40) and parse_text's (longest its max_length) for each of them."""
    if not cells:
        return cells
    try:
        # isprintable is false for control, invisible and non-breaking characters, so nothing needs trimming but
        # ordinary spaces, and strip returns a text unchanged as that very text.
        if (max(map(len, cells)) <= longest and all(map(str.isprintable, cells)) and "" not in cells
                and list(map(str.strip, cells)) == cells):
            return cells
    except TypeError:  # a cell that is not text
        pass
    return None


def amounts_in_pence(cells: Sequence[object]) -> list[int] | None:
    """parse_money's pence for every cell, when each is a number cell to the penny or text like £1,234.50."""
    numbers = list(map(is_, map(type, cells), repeat(float)))  # exactly float, as parse_money's short path asks
    if all(numbers):
        return _pence_of_floats(cells)
    if not any(numbers):
        return _pence_of_texts(cells)
    floats = _pence_of_floats(list(compress(cells, numbers)))
    texts = _pence_of_texts(list(compress(cells, map(not_, numbers))))
    if floats is None or texts is None:
        return None
    from_floats, from_texts = iter(floats), iter(texts)
    return [next(from_floats) if number else next(from_texts) for number in numbers]


def _pence_of_floats(values: Sequence[float]) -> list[int] | None:
    # parse_money's short path, a column at a time. Its test, that a float's shortest text has at most two decimals,
    # is the same as the float being the nearest to its hundredths over 100 (an exact division below 2**53). Such a
    # float times 100 is within 0.0003 of those hundredths below £10 billion, so rounding finds them.
    if not values:
        return []
    if not (min(values) > -_PLAIN_FLOAT_LIMIT and max(values) < _PLAIN_FLOAT_LIMIT):
        return None
    try:
        hundredths = list(map(round, map((100.0).__mul__, values)))
    except (ValueError, OverflowError):  # NaN, which min and max can step over
        return None
    return hundredths if list(map(int.__truediv__, hundredths, repeat(100))) == values else None


def _pence_of_texts(texts: Sequence[object]) -> list[int] | None:
    # The whole column is matched and stripped as one text, in C: a regular expression call per cell costs more
    # than the rest of the work.
    if not texts:
        return []
    try:
        if max(map(len, texts)) > 20:
            return None
        lines = "\n".join(texts)
    except TypeError:  # a cell that is neither a float nor text
        return None
    if not _PLAIN_PENCE_LINES.fullmatch(lines):
        return None
    digits = lines.replace("£", "").replace(",", "").replace(".", "").split("\n")
    if len(digits) != len(texts):  # a line break within a cell
        return None
    pence = list(map(int, digits))
    return pence if max(map(abs, pence)) <= LARGEST_AMOUNT_PENCE else None


def parse_debit_credit(debit: object, credit: object) -> int:
    """Pence from a ledger line's debit and credit columns: debit minus credit; one of them may be blank."""
    if is_blank(debit) and is_blank(credit):
        raise ValueProblem("no amount: both the debit and the credit are empty")
    debit_pence = 0 if is_blank(debit) else parse_money(debit)
    credit_pence = 0 if is_blank(credit) else parse_money(credit)
    if debit_pence and credit_pence:
        raise ValueProblem(
            f"debit {quoted(debit)} and credit {quoted(credit)} are both filled in: a line has one or the other"
        )
    return debit_pence - credit_pence


def parse_date(value: object) -> date:
    """A day, from a date cell, an Excel serial number, or text written day first (UK) or as ISO year-month-day.

    Text forms: 15/10/2026, 15/10/26, 15.10.2026, 15-10-2026, 2026-10-15, 15 Oct 2026, 15-Oct-26, 15 October 2026,
    optionally followed by a time of day, which is ignored. Two-digit years fall in 1950–2049.
    A month on its own (Oct-26) is refused: it is not a day.
    """
    if is_blank(value):
        raise ValueProblem("no date")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, time):
        raise ValueProblem(f"{quoted(value)} is a time, not a date")
    if isinstance(value, bool):
        raise ValueProblem(f"{quoted(value)} is not a date")
    if isinstance(value, int | float):
        return _date_from_serial(value)
    if isinstance(value, str):
        text = _trimmed(value)
        day = _date_from_text(text, value)
        if day is not None:
            return day
        if _is_month(text):
            raise ValueProblem(f"{quoted(value)} is a month, not a date: give the day too, like 15/10/2026")
    raise ValueProblem(f"{quoted(value)} is not a date: write it like 15/10/2026")


def parse_period(value: object, year: FinancialYear) -> int:
    """A period number 1–12 of the financial year `year` (M1 is April, M12 is March).

    Accepted: M7, m07, P07, P7, Period 7, 7 (a number is always a period number, never a calendar month), Oct,
    October, Oct-26, Oct 2026, October 2026, 2026-10, or a date (its period). A month or day outside `year` is refused.
    """
    if is_blank(value):
        raise ValueProblem("no period")
    if isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        return _period_in_year(Period.containing(day), year, value)
    if isinstance(value, bool | time):
        raise ValueProblem(f"{quoted(value)} is not a period")
    if isinstance(value, float):
        if not (math.isfinite(value) and value.is_integer()):
            raise ValueProblem(f"{quoted(value)} is not a period: {_PERIODS_RUN}")
        return _period_number(int(value), value)
    if isinstance(value, int):
        return _period_number(value, value)
    if isinstance(value, str):
        text = _trimmed(value)
        if numbered := _PERIOD_NUMBER.fullmatch(text):
            return _period_number(int(numbered["number"]), value)
        month = _month_from_text(text, value)
        if isinstance(month, Period):
            return _period_in_year(month, year, value)
        if isinstance(month, int):
            return (month - 4) % 12 + 1  # a month with no year is always in `year`: April is M1, March M12
        day = _date_from_text(text, value)
        if day is not None:
            return _period_in_year(Period.containing(day), year, value)
    raise ValueProblem(f"{quoted(value)} is not a period: write it like M7, Oct-26 or 7")


def parse_code(value: object) -> str:
    """A ledger, cost-centre or employee code, kept exactly as text (leading zeros included), at most 40 characters."""
    if value.__class__ is str and len(value) <= LONGEST_CODE and value.isprintable() and value.strip() == value != "":
        # Nothing to trim or refuse (printable excludes control and invisible characters): the usual code cell.
        return value
    if is_blank(value):
        raise ValueProblem("no code")
    _refuse_dates_times_and_truth(value, "a code")
    if isinstance(value, float):
        if not (math.isfinite(value) and value.is_integer()):
            raise ValueProblem(f"{quoted(value)} is not a code: codes are whole numbers or text")
        value_as_int = int(value)
    elif isinstance(value, int):
        value_as_int = value
    elif isinstance(value, str):
        text = _trimmed(value)
        _refuse_control_characters(text, value, "a code", allowed="", retype="the code", spaced=False)
        if len(text) > LONGEST_CODE:
            raise ValueProblem(f"{quoted(value)} is {len(text):,} characters long: a code has at most {LONGEST_CODE}")
        return text
    else:
        raise ValueProblem(f"{quoted(value)} is not a code")
    # A number cell keeps only 15 significant digits, so a longer code typed as a number has already lost digits.
    if abs(value_as_int) >= 10**EXCEL_SIGNIFICANT_DIGITS:
        raise ValueProblem(
            f"{quoted(value)} is too long a number to be a code safely: format the column as text and enter it again"
        )
    return str(value_as_int)


def parse_text(value: object, *, max_length: int = 1000, multiline: bool = False) -> str:
    """Free text (a description, name or job title), stripped at both ends and otherwise kept as written.

    Numbers, dates and times become the text a spreadsheet shows (12, 12.5, 15/10/2026, 09:30). Single-line text
    refuses every control character; multiline text allows tabs and line breaks, and writes every line break as \\n.
    """
    if is_blank(value):
        raise ValueProblem("no text")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueProblem(f"{quoted(value)} is not text")
    if isinstance(value, str):
        text = _trimmed(value)
        _refuse_control_characters(text, value, "this column", allowed="\t\n\r" if multiline else "",
                                   retype="the text")
        if multiline:
            # CSV files write line breaks as CRLF and Excel cells as LF: one form, so re-reading changes nothing.
            text = text.replace("\r\n", "\n").replace("\r", "\n")
    elif isinstance(value, bool | int | float | date | time):
        text = _natural_text(value)
    else:
        raise ValueProblem(f"{quoted(value)} is not text")
    if len(text) > max_length:
        raise ValueProblem(f"{quoted(value)} is {len(text):,} characters long: at most {max_length:,} fit here")
    return text


def parse_wte(value: object) -> int:
    """Whole-time equivalent in hundredths (1.00 WTE is 100), from 0.01 to 1.00: `0.8`, `.5`, `1`, or `60%`."""
    if is_blank(value):
        raise ValueProblem("no whole-time equivalent")
    _refuse_dates_times_and_truth(value, "a whole-time equivalent")
    if isinstance(value, int):
        hundredths = value * 100
    elif isinstance(value, float):
        hundredths = _hundredths_of_float(value, "a whole-time equivalent", _WTE_PRECISION)
    elif isinstance(value, str):
        text = _trimmed(value)
        matched = _WTE.fullmatch(text) if len(text) <= 30 else None
        if matched is None:
            raise ValueProblem(f"{quoted(value)} is not a whole-time equivalent: write it like 0.8 or 80%")
        number = Decimal(matched["number"])
        scaled = number if matched["percent"] else number.scaleb(2)
        if scaled != scaled.to_integral_value():
            raise ValueProblem(f"{quoted(value)} {_WTE_PRECISION}")
        hundredths = int(scaled)
    else:
        raise ValueProblem(f"{quoted(value)} is not a whole-time equivalent")
    if not 1 <= hundredths <= 100:
        raise ValueProblem(f"{quoted(value)} is not a whole-time equivalent: it must be from 0.01 to 1.00")
    return hundredths


def parse_whole_number(value: object, minimum: int | None = None, maximum: int | None = None) -> int:
    """A whole number (`12`, `1,234`, `-3`, or 12.0 from a number cell), within `minimum` and `maximum` if given."""
    if is_blank(value):
        raise ValueProblem("no number")
    _refuse_dates_times_and_truth(value, "a whole number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not (math.isfinite(value) and value.is_integer()):
            raise ValueProblem(f"{quoted(value)} is not a whole number")
        number = int(value)
    elif isinstance(value, str):
        text = _trimmed(value).replace(_UNICODE_MINUS, "-")
        matched = _WHOLE_NUMBER.fullmatch(text) if len(text) <= 40 else None
        if matched is None:
            raise ValueProblem(f"{quoted(value)} is not a whole number")
        number = int(matched["digits"].replace(",", ""))
        number = -number if matched["minus"] else number
    else:
        raise ValueProblem(f"{quoted(value)} is not a whole number")
    if minimum is not None and number < minimum:
        raise ValueProblem(f"{quoted(value)} is less than the smallest allowed, {minimum:,}")
    if maximum is not None and number > maximum:
        raise ValueProblem(f"{quoted(value)} is more than the largest allowed, {maximum:,}")
    return number


def normalise_header(value: object) -> str:
    """A column header reduced for matching: lower case, £ and punctuation as spaces, single spaces, no edges.

    " Value £ " → "value", "Cost Ctr." → "cost ctr", "Journal-Line Ref" → "journal line ref". Never refuses anything:
    a header that normalises to "" simply matches nothing.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool | int | float | date | time):
        text = _natural_text(value)  # a header cell can hold a number or date: 2026, or Apr-26 as a date
    else:
        text = quoted(value)[1:-1]
    # NFKC first, so a decomposed é stays one letter and a full-width or non-breaking character becomes the plain one.
    return " ".join(_PUNCTUATION_AND_SYMBOLS.sub(" ", unicodedata.normalize("NFKC", text).casefold()).split())


# --- Money -----------------------------------------------------------------------------------------------------------


def _pence_from_text(text: str, original: object) -> int:
    body = text.replace(_UNICODE_MINUS, "-")
    signs: list[int] = []
    if marker := _MARKER_BEFORE.fullmatch(body) or _MARKER_AFTER.fullmatch(body):
        signs.append(-1 if marker["marker"].casefold() == "cr" else 1)
        body = marker["rest"]
    if trailing := _TRAILING_MINUS.fullmatch(body):
        signs.append(-1)
        body = trailing["rest"]
    if bracketed := _BRACKETS.fullmatch(body):
        signs.append(-1)
        body = bracketed["rest"]
    leading = _SIGN_AND_POUND.fullmatch(body)
    amount = _AMOUNT.fullmatch(leading["number"]) if leading else None
    if leading is None or amount is None or not (amount["pounds"] or amount["fraction"]):
        raise ValueProblem(f"{quoted(original)} is not an amount of money")
    signs.extend(-1 for minus in (leading["minus_first"], leading["minus_after"]) if minus)
    if len(signs) > 1:
        raise ValueProblem(f"{quoted(original)} is marked as negative or positive more than once: its sign is unclear")
    pounds = (amount["pounds"] or "0").replace(",", "").lstrip("0") or "0"
    fraction = (amount["fraction"] or "").rstrip("0")
    if len(fraction) > 2:
        raise ValueProblem(f"{quoted(original)} has fractions of a penny")
    if len(pounds) > len(str(LARGEST_AMOUNT_PENCE // 100)):  # before int(), which refuses thousands of digits
        raise _too_much_money(original)
    pence = int(pounds) * 100 + int(fraction.ljust(2, "0"))
    return -pence if signs == [-1] else pence


def _hundredths_of_float(value: float, what: str, too_precise: str) -> int:
    """Hundredths of a float from a number cell, refusing any digit beyond the second decimal place.

    A number cell holds a binary float, so 0.1 + 0.2 is 0.30000000000000004 and a summed £1,234.56 may be
    1234.5600000000001. Excel keeps and shows 15 significant digits; what lies beyond them is binary noise, not
    money. So the float is first written to 15 significant digits (as Excel shows it) and that decimal must have
    no more than two decimal places: 1234.5600000000001 is £1,234.56, while 1234.565 (and 1234.5649999999999,
    which Excel shows as 1234.565) has fractions of a penny and is refused. Up to £10 billion that leaves at least
    three digits beyond the penny, so a real fraction of a penny down to a thousandth is always caught.
    """
    if not math.isfinite(value):
        raise ValueProblem(f"{quoted(value)} is not {what}")
    shown = format(value, f".{EXCEL_SIGNIFICANT_DIGITS}g")
    whole, _, fraction = shown.partition(".")
    if "e" not in shown and len(fraction) <= 2:  # the usual cell, without going through Decimal
        hundredths = int(fraction.ljust(2, "0")) if fraction else 0
        return int(whole) * 100 + (-hundredths if whole.startswith("-") else hundredths)
    # Below £1 the fifteenth significant digit is finer than the noise: (0.06 + 0.7) - 0.7 shows as
    # 0.0600000000000001. Within a millionth of a penny of a whole penny is noise too; a real fraction of a penny,
    # down to a thousandth, is a thousand times further off.
    scaled = value * 100
    if abs(scaled) < 1e12 and abs(scaled - round(scaled)) < 1e-6:
        return round(scaled)
    return _hundredths_of_decimal(Decimal(format(value, f".{EXCEL_SIGNIFICANT_DIGITS}g")), value, too_precise)


def _hundredths_of_decimal(number: Decimal, original: object, too_precise: str = "has fractions of a penny") -> int:
    if not number.is_finite():
        raise ValueProblem(f"{quoted(original)} is not a number")
    scaled = number.scaleb(2)
    if scaled != scaled.to_integral_value():
        raise ValueProblem(f"{quoted(original)} {too_precise}")
    return int(scaled)


def _within_money_limit(pence: int, original: object) -> int:
    if abs(pence) > LARGEST_AMOUNT_PENCE:
        raise _too_much_money(original)
    return pence


def _too_much_money(original: object) -> ValueProblem:
    return ValueProblem(f"{quoted(original)} is more than £10 billion: check the amount")


# --- Dates, months and periods ---------------------------------------------------------------------------------------


def _date_from_serial(serial: int | float) -> date:
    if (isinstance(serial, float) and not math.isfinite(serial)) or not 1 <= serial < LAST_EXCEL_SERIAL + 1:
        raise ValueProblem(f"{quoted(serial)} is not a date")
    # A time of day is the fraction of the serial; the date is the whole part, without rounding up towards tomorrow.
    days = math.floor(serial)
    if days == _FICTIONAL_LEAP_DAY:
        raise ValueProblem(f"{quoted(serial)} is 29/02/1900 in Excel, a day that never existed")
    start = _DAY_BEFORE_SERIAL_1 if days < _FICTIONAL_LEAP_DAY else _DAY_BEFORE_SERIAL_61
    return start + timedelta(days=days)


def _date_from_text(text: str, original: object) -> date | None:
    """The date written in `text`; None if it is not written like a date at all; refused if it is an impossible one."""
    matched = _DAY_MONTH_YEAR.fullmatch(text) or _ISO_DATE.fullmatch(text)
    if matched:
        month = int(matched["month"])
    else:
        matched = _DAY_NAMED_MONTH_YEAR.fullmatch(text)
        if matched is None or matched["month_name"].casefold() not in _MONTHS:
            return None
        month = _MONTHS[matched["month_name"].casefold()]
    year = _full_year(matched["year"], original)
    day = int(matched["day"])
    if not 1 <= month <= 12:
        raise ValueProblem(
            f"{quoted(original)} is not a real date: there is no month {month} (dates are read day first, 15/10/2026)"
        )
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        raise ValueProblem(
            f"{quoted(original)} is not a real date: {_MONTH_NAMES[month - 1]} {year} has {days_in_month} days"
        )
    if matched["hour"] is not None:
        seconds = int(matched["second"] or 0)
        if int(matched["hour"]) > 23 or int(matched["minute"]) > 59 or seconds > 59:
            raise ValueProblem(f"{quoted(original)} has a time of day that cannot be")
    return date(year, month, day)


def _month_from_text(text: str, original: object) -> Period | int | None:
    """A month written in `text`: a Period when its year is given, the calendar month number when not, else None."""
    if matched := _NAMED_MONTH_YEAR.fullmatch(text):
        month = _MONTHS.get(matched["month_name"].casefold())
        if month is None:
            return None
    elif matched := _YEAR_MONTH.fullmatch(text):
        month = int(matched["month"])
        if not 1 <= month <= 12:
            raise ValueProblem(f"{quoted(original)} is not a month: there is no month {month}")
    elif matched := _MONTH_NAME.fullmatch(text):
        return _MONTHS.get(matched["month_name"].casefold())
    else:
        return None
    return Period.containing(date(_full_year(matched["year"], original), month, 1))


def _is_month(text: str) -> bool:
    try:
        return _month_from_text(text, text) is not None
    except ValueProblem:  # an impossible month is no more a date than a possible one
        return False


def _full_year(digits: str, original: object) -> int:
    if len(digits) == 2:
        two_digits = int(digits)
        return (2000 if two_digits < TWO_DIGIT_YEAR_PIVOT else 1900) + two_digits
    year = int(digits)
    if year < 1900:
        raise ValueProblem(f"{quoted(original)} is not a date this service can use: the year must be 1900 or later")
    return year


def _period_number(number: int, original: object) -> int:
    if not 1 <= number <= 12:
        raise ValueProblem(f"{quoted(original)} is not a period: {_PERIODS_RUN}")
    return number


def _period_in_year(period: Period, year: FinancialYear, original: object) -> int:
    if period.year != year:
        raise ValueProblem(f"{quoted(original)} is not in {year.label}")
    return period.number


# --- Text and how values are shown -----------------------------------------------------------------------------------


def _trimmed(text: str) -> str:
    """`text` without spaces (incl. non-breaking) or invisible characters at either end."""
    stripped = text.strip()
    if not stripped or (stripped[0] not in _INVISIBLE_EDGES and stripped[-1] not in _INVISIBLE_EDGES):
        return stripped  # the usual case, settled in one pass: this runs for every cell of every row
    previous = None
    while text != previous:
        previous = text
        text = text.strip().strip(_INVISIBLE_EDGES)
    return text


_CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f-\x9f]")  # exactly Unicode's category Cc


def _refuse_control_characters(text: str, original: object, what: str, *, allowed: str, retype: str,
                               spaced: bool = True) -> None:
    """Refuse a control character not `allowed`, in a whole sentence: which it is, that `what` cannot hold it, and
    how to put it right (retype `retype` on one line, with a space for it where `spaced`, or rather than pasting)."""
    for found in _CONTROL_CHARACTER.finditer(text):
        character = found.group()
        if character not in allowed:
            name = _CONTROL_CHARACTER_NAMES.get(character)
            if name is None:
                name, advice = "a hidden control character", f"retype {retype} rather than pasting it"
            elif spaced:
                advice = f"retype {retype} on one line, with a space where the {name.removeprefix('a ')} was"
            else:
                advice = f"retype {retype} without it"
            raise ValueProblem(f"{quoted(original)} contains {name}, which {what} cannot hold: {advice}")


def _refuse_dates_times_and_truth(value: object, what: str) -> None:
    """Refuse cells that are clearly something else, saying what they are (Excel turns some codes into dates)."""
    if isinstance(value, datetime | date):
        raise ValueProblem(f"{quoted(value)} is a date, not {what}")
    if isinstance(value, time):
        raise ValueProblem(f"{quoted(value)} is a time, not {what}")
    if isinstance(value, bool):
        raise ValueProblem(f"{quoted(value)} is not {what}")


def _natural_text(value: bool | int | float | date | time) -> str:
    """The text a spreadsheet shows for a value: TRUE, 12, 12.5, 15/10/2026, 15/10/2026 09:30, 09:30."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:  # Python will not write an integer of thousands of digits as text
            return "a number too long to show"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 10**EXCEL_SIGNIFICANT_DIGITS:
            return str(int(value))
        return format(value, f".{EXCEL_SIGNIFICANT_DIGITS}g")
    if isinstance(value, datetime):
        day_text = _natural_text(value.date())
        return day_text if value.time() == time() else f"{day_text} {_natural_text(value.time())}"
    if isinstance(value, date):
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    return value.strftime("%H:%M:%S" if value.second or value.microsecond else "%H:%M")


def quoted(value: object) -> str:
    """A value quoted for a message: as the spreadsheet shows it, one line, cut short if long."""
    if isinstance(value, str):
        text = _trimmed(value)
    elif isinstance(value, bool | int | float | date | time):
        text = _natural_text(value)
    else:
        try:
            text = str(value)
        except Exception:  # a message must never fail because a value cannot describe itself
            text = "this value"
    text = "".join(" " if unicodedata.category(character) in _LINE_BREAKING else character for character in text)
    if len(text) > LONGEST_SHOWN:
        text = text[: LONGEST_SHOWN - 1] + "…"
    return f"'{text}'"
