"""The financial calendar: years run 1 April to 31 March, written 2026-27, with periods M1 (April) to M12."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from jointlead.domain.errors import ValidationError

MONTH_ABBREVIATIONS = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")


@dataclass(frozen=True, order=True)
class FinancialYear:
    """A financial year, named by the calendar year in which it starts (2026 is 2026-27)."""

    start_year: int

    @classmethod
    def containing(cls, day: date) -> FinancialYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @classmethod
    def parse(cls, text: str) -> FinancialYear:
        """Read `2026-27` (or `2026/27`); anything else is refused."""
        cleaned = text.strip().replace("/", "-")
        head, sep, tail = cleaned.partition("-")
        if not (sep and head.isdigit() and tail.isdigit() and len(head) == 4 and len(tail) == 2):
            raise ValueError(f"'{text}' is not a financial year: write it like 2026-27")
        year = cls(int(head))
        if year.label != cleaned:
            raise ValueError(f"'{text}' is not a financial year: the second year must follow the first")
        return year

    @property
    def label(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def first_day(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def last_day(self) -> date:
        return date(self.start_year + 1, 3, 31)

    def period(self, number: int) -> Period:
        return Period(self, number)

    def periods(self) -> list[Period]:
        return [Period(self, n) for n in range(1, 13)]

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, order=True)
class Period:
    """One month of a financial year: M1 is April, M12 is March."""

    year: FinancialYear
    number: int

    def __post_init__(self) -> None:
        # A month typed or read by a person (a command's --as-at, a workbook's cell) may reach here unchecked: what
        # they see is this message, never a traceback.
        if not 1 <= self.number <= 12:
            raise ValidationError(f"There is no M{self.number}: the months are M1 (April) to M12 (March).",
                                  "Choose a month from M1 to M12.")

    @classmethod
    def containing(cls, day: date) -> Period:
        year = FinancialYear.containing(day)
        return cls(year, (day.month - 4) % 12 + 1)

    @property
    def calendar_year(self) -> int:
        return self.year.start_year + (1 if self.number >= 10 else 0)

    @property
    def calendar_month(self) -> int:
        return (self.number + 2) % 12 + 1

    @property
    def first_day(self) -> date:
        return date(self.calendar_year, self.calendar_month, 1)

    @property
    def last_day(self) -> date:
        days = calendar.monthrange(self.calendar_year, self.calendar_month)[1]
        return date(self.calendar_year, self.calendar_month, days)

    @property
    def label(self) -> str:
        return f"M{self.number}"

    @property
    def month_name(self) -> str:
        return f"{MONTH_ABBREVIATIONS[self.number - 1]}-{self.calendar_year % 100:02d}"

    def as_at(self) -> str:
        """The phrase boards use: `as at M7 2026-27`."""
        return f"as at {self.label} {self.year.label}"


# A day planned further ahead than this (a start, a leave date, a line or an arrangement from) is taken for a mistyped
# year: 2062 for 2026 would leave a leaver never leaving, or a line never in force, with nothing to say so.
FARTHEST_AHEAD_YEARS = 2


def format_day(day: date) -> str:
    """'3 November 2026', as a manager writes a date in a sentence."""
    return f"{day.day} {day:%B %Y}"  # "%-d" is not portable to Windows


def out_of_post(start_date: date | None, leave_date: date | None, day: date) -> str:
    """Why someone with these dates was not in post on `day`, as words to follow their name: "left on 30 June
    2026" or "started on 1 September 2026"."""
    if leave_date is not None and leave_date < day:
        return f"left on {format_day(leave_date)}"
    return f"started on {format_day(start_date)}" if start_date is not None else "was not in post"


def years_after(day: date, years: int) -> date:
    """The same day `years` later (28 February for 29 February in a year that has none)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def check_happened(day: date, today: date, what: str) -> date:
    """`what` (for example "The date the instalment was received") is something that has happened: not after today."""
    if day > today:
        raise ValidationError(f"{what}, {format_day(day)}, is in the future.",
                              "Record it once it has happened, dated today or earlier.")
    return day


def check_planned(day: date, today: date, what: str) -> date:
    """`what` may lie ahead, but not more than FARTHEST_AHEAD_YEARS after today."""
    if day > years_after(today, FARTHEST_AHEAD_YEARS):
        raise ValidationError(f"{what}, {format_day(day)}, is more than {FARTHEST_AHEAD_YEARS} years from today.",
                              "Check the year.")
    return day
