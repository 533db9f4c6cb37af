"""Reading a supervision tracker: one typed row per session, who was supervised, by whom, what kind, when and how.

What the cells may say (docs/imports.md, "Supervision tracker"):
- Type: managerial ("line management", "management", "1:1", "one to one"), professional ("clinical"),
  safeguarding, group; the word "supervision" before or after any of them is ignored. Anything else ("reflective")
  is refused rather than guessed. A blank type is the type of the supervisee's one arrangement on the day.
- Duration, in minutes: a number (60), "60 mins", "1h30", "1 h 30 m", "1.5 hours", "2 hours", "1:30" or a time
  cell 01:30 (hours and minutes). A fraction of a minute, or a bare decimal ("1.5"), is refused: minutes or hours?
- Status: blank or held ("attended", "yes", "completed"), cancelled by supervisor, cancelled by supervisee,
  did not attend ("DNA", "no show"). "Cancelled" alone is refused: it matters who cancelled.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import partial

from jointlead.domain.supervision import SessionStatus, SupervisionType
from jointlead.exchange.problems import Problem, ValueProblem
from jointlead.exchange.tables import Field, RecordKind, SourceRow, TableLayout, read_rows
from jointlead.exchange.values import is_blank, normalise_header, parse_code, parse_date, parse_text

_TYPES = {
    SupervisionType.MANAGERIAL: ("managerial", "management", "line management", "line manager",
                                 "1 1", "1to1", "1 to 1", "one to one", "121", "one2one"),
    SupervisionType.PROFESSIONAL: ("professional", "clinical", "clinical professional", "professional clinical"),
    SupervisionType.SAFEGUARDING: ("safeguarding", "safeguarding children", "safeguarding adults"),
    SupervisionType.GROUP: ("group", "group reflective", "peer group"),
}
_TYPE_OF = {spelling: kind for kind, spellings in _TYPES.items() for spelling in spellings}

_STATUSES = {
    SessionStatus.HELD: ("held", "attended", "yes", "y", "completed", "complete", "done", "took place", "happened"),
    SessionStatus.CANCELLED_BY_SUPERVISOR: ("cancelled by supervisor", "supervisor cancelled", "cancelled supervisor",
                                            "canceled by supervisor", "supervisor canceled",
                                            "cancelled by the supervisor"),
    SessionStatus.CANCELLED_BY_SUPERVISEE: ("cancelled by supervisee", "supervisee cancelled", "cancelled supervisee",
                                            "canceled by supervisee", "supervisee canceled",
                                            "cancelled by the supervisee", "cancelled by staff",
                                            "staff cancelled"),
    SessionStatus.DID_NOT_ATTEND: ("did not attend", "dna", "d n a", "didn t attend", "no show", "not attended",
                                   "did not attend dna"),
}
_STATUS_OF = {spelling: status for status, spellings in _STATUSES.items() for spelling in spellings}

_HOURS_AND_MINUTES = re.compile(
    r"(?:(?P<hours>\d{1,2}(?:\.\d+)?)\s*(?:h|hr|hrs|hour|hours))?\s*"
    r"(?:(?P<minutes>\d{1,3})\s*(?:m|min|mins|minute|minutes)?)?")
_CLOCK = re.compile(r"(?P<hours>\d{1,2}):(?P<minutes>[0-5]\d)")
LONGEST_SESSION = 600  # minutes, as the Supervision page allows


def _quoted(value: object) -> str:
    text = str(value)
    return f"'{text[:40]}…'" if len(text) > 40 else f"'{text}'"


def _words(value: object) -> str:
    return normalise_header(value).removesuffix(" supervision").removeprefix("supervision ").strip()


def parse_supervision_type(value: object) -> str:
    """One of the types of supervision, from the spellings trackers use."""
    if is_blank(value):
        raise ValueProblem("no type")
    found = _TYPE_OF.get(_words(value))
    if found is None:
        raise ValueProblem(f"{_quoted(value)} is not a type of supervision: write managerial, professional "
                           "(or clinical), safeguarding or group")
    return str(found)


def parse_session_status(value: object) -> str:
    """How the session went: held, cancelled by supervisor or by supervisee, or did not attend."""
    if is_blank(value):
        raise ValueProblem("no status")
    words = normalise_header(value)
    found = _STATUS_OF.get(words)
    if found is None:
        if words in ("cancelled", "canceled", "cancel", "c"):
            raise ValueProblem(f"{_quoted(value)} does not say who cancelled: write cancelled by supervisor or "
                               "cancelled by supervisee")
        raise ValueProblem(f"{_quoted(value)} is not how a session went: write held, cancelled by supervisor, "
                           "cancelled by supervisee or did not attend")
    return str(found)


def _within_range(minutes: int, value: object) -> int:
    if not 1 <= minutes <= LONGEST_SESSION:
        raise ValueProblem(f"{_quoted(value)} is not a length for a session: 1 to {LONGEST_SESSION} minutes")
    return minutes


def parse_minutes(value: object) -> int:
    """A session's length in minutes: 60, "60 mins", "1h30", "1.5 hours", "1:30", or a time cell 01:30."""
    if is_blank(value):
        raise ValueProblem("no duration")
    if isinstance(value, bool):
        raise ValueProblem(f"{_quoted(value)} is not a length of time")
    if isinstance(value, time):
        return _within_range(value.hour * 60 + value.minute, value)
    if isinstance(value, timedelta):
        return _within_range(int(value.total_seconds() // 60), value)
    if isinstance(value, int):
        return _within_range(value, value)
    if isinstance(value, float):
        if not (math.isfinite(value) and value.is_integer()):
            raise ValueProblem(f"{_quoted(value)} is not a whole number of minutes: write 90, or 1.5 hours")
        return _within_range(int(value), value)
    if not isinstance(value, str):
        raise ValueProblem(f"{_quoted(value)} is not a length of time")
    text = " ".join(value.casefold().replace(",", " ").split())
    clock = _CLOCK.fullmatch(text)
    if clock:
        return _within_range(int(clock["hours"]) * 60 + int(clock["minutes"]), value)
    matched = _HOURS_AND_MINUTES.fullmatch(text.replace(" and ", " "))
    if matched is None or not (matched["hours"] or matched["minutes"]):
        raise ValueProblem(f"{_quoted(value)} is not a length of time: write minutes (90), or hours and minutes "
                           "(1h30, 1.5 hours)")
    hours = float(matched["hours"]) if matched["hours"] else 0.0
    total = hours * 60 + (int(matched["minutes"]) if matched["minutes"] else 0)
    if "." in (matched["hours"] or "") and not total.is_integer():
        raise ValueProblem(f"{_quoted(value)} is not a whole number of minutes")
    return _within_range(int(total), value)


_person_text = partial(parse_text, max_length=200)

SUPERVISION = RecordKind("supervision", (
    Field("supervisee_number", "Employee number", parse_code,
          synonyms=("employee no", "assignment number", "payroll number", "staff number", "staff no", "emp no",
                    "employee id", "supervisee employee number", "supervisee number", "supervisee id",
                    "supervisee assignment number", "person number")),
    Field("supervisee", "Supervisee", _person_text,
          synonyms=("supervisee name", "name", "staff name", "employee name", "employee", "staff member",
                    "practitioner", "worker", "member of staff", "full name")),
    Field("supervisor", "Supervisor", _person_text,
          synonyms=("supervisor name", "supervised by", "held by", "supervisor employee number",
                    "supervisor number", "supervisor no", "clinical supervisor")),
    Field("supervision_type", "Type", parse_supervision_type,
          synonyms=("supervision type", "type of supervision", "kind", "session type", "kind of supervision")),
    Field("session_date", "Date", parse_date, required=True,
          synonyms=("session date", "supervision date", "date of supervision", "date held", "held on",
                    "date of session", "session held", "date supervision held")),
    Field("duration", "Duration", parse_minutes,
          synonyms=("duration minutes", "duration mins", "length", "length minutes", "minutes", "mins",
                    "time taken", "session length", "duration of session")),
    Field("status", "Status", parse_session_status,
          synonyms=("outcome", "held", "attendance", "session status", "held or cancelled", "held cancelled",
                    "took place", "held y n", "attended")),
), one_of=((("supervisee_number",), ("supervisee",)),))


@dataclass(frozen=True)
class SupervisionRow:
    """One session read from the tracker; the people are named as written, to be found among those recorded."""

    sheet: str
    row: int
    supervisee_number: str | None
    supervisee: str | None
    supervisor: str | None
    supervision_type: str | None  # None: the type of the supervisee's arrangement
    session_date: date
    duration_minutes: int | None
    status: str
    cells: tuple[object, ...] = field(default=(), compare=False, repr=False)


def supervision_rows(layout: TableLayout) -> Iterator[SupervisionRow | SourceRow]:
    """Each session as a SupervisionRow, or the SourceRow with the problems that stop it being imported."""
    for row in read_rows(layout, SUPERVISION):
        if not row.accepted:
            yield row
            continue
        values = row.values
        if not values.get("supervisee_number") and not values.get("supervisee"):
            yield SourceRow(row.sheet, row.row, values, (Problem("No supervisee.", row.sheet, row.row),), row.cells)
            continue
        yield SupervisionRow(row.sheet, row.row, values.get("supervisee_number"), values.get("supervisee"),
                             values.get("supervisor"), values.get("supervision_type"), values["session_date"],
                             values.get("duration"), values.get("status") or str(SessionStatus.HELD), row.cells)
