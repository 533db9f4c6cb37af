"""Reading an HR or payroll staff list (ESR-style or council payroll): one typed row per employee."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from jointlead.exchange.problems import Problem
from jointlead.exchange.tables import Field, RecordKind, SourceRow, TableLayout, read_rows
from jointlead.exchange.values import parse_code, parse_date, parse_text, parse_wte

_name_text = partial(parse_text, max_length=200)

STAFF = RecordKind("staff", (
    Field("employee_number", "Employee number", parse_code, required=True, blank_allowed=True,
          synonyms=("assignment number", "employee no", "payroll number", "assignment no", "payroll no",
                    "staff number", "emp no", "employee id", "staff no", "person number", "esr assignment number")),
    Field("name", "Name", _name_text, synonyms=("full name", "employee name", "staff name", "employee")),
    Field("first_name", "First name", _name_text, synonyms=("forename", "forenames", "given name", "first names")),
    Field("last_name", "Last name", _name_text, synonyms=("surname", "family name")),
    Field("job_title", "Job title", _name_text,
          synonyms=("position title", "post title", "position", "job role", "role", "post", "position name")),
    Field("grade", "Grade", partial(parse_text, max_length=40),
          synonyms=("band", "pay band", "afc band", "grade band", "payscale", "pay scale", "njc grade")),
    Field("wte", "WTE", parse_wte,
          synonyms=("fte", "whole time equivalent", "full time equivalent", "contracted wte", "assignment fte")),
    # Not ESR's "Staff Group" ("Nursing and Midwifery Registered", "Add Prof Scientific and Technic"), its
    # "Occupation" (a workforce code) or a "Professional group" (a board report's staff group): read as professions
    # they would replace the manager's "mental health nurse", which supervision policies name, with an HR category
    # no policy names. Such a column is read only when mapped by hand.
    Field("profession", "Profession", partial(parse_text, max_length=60), synonyms=("discipline",)),
    Field("start_date", "Start date", parse_date,
          synonyms=("date started", "assignment start date", "hire date", "date of appointment")),
    Field("leave_date", "Leave date", parse_date,
          synonyms=("end date", "leaving date", "termination date", "assignment end date")),
    Field("supervisor_number", "Supervisor", parse_code,
          synonyms=("supervisor assignment number", "supervisor employee number", "line manager number",
                    "supervisor no", "manager employee number")),
    # The lines as this service records them, each naming the lead by employee number or by full name. None of
    # these spellings is the HR system's own "supervisor" above, which is kept apart and only compared.
    Field("line_manager", "Line manager", _name_text,
          synonyms=("line manager name", "manager", "manager name", "reports to", "managed by", "line managed by",
                    "managerial line", "managerial lead", "line manager employee number or name")),
    Field("professional_lead", "Professional lead", _name_text,
          synonyms=("professional lead name", "professional line", "professional line manager",
                    "professional manager", "professional supervisor", "prof lead", "clinical lead",
                    "professional lead employee number or name")),
    # The service's own team, by name: not the HR system's organisation or department, whose units are its own.
    Field("team", "Team", _name_text, synonyms=("team name", "service team")),
), one_of=((("name",), ("first_name", "last_name")),))


@dataclass(frozen=True)
class StaffRow:
    sheet: str
    row: int
    employee_number: str | None  # None: a person recorded without one, found by name
    full_name: str
    job_title: str | None
    grade: str | None
    wte_hundredths: int | None
    profession: str | None
    start_date: date | None
    leave_date: date | None
    supervisor_number: str | None
    line_manager: str | None = None  # an employee number or a full name, as written
    professional_lead: str | None = None
    team: str | None = None  # the team's name, as written
    cells: tuple[object, ...] = field(default=(), compare=False, repr=False)  # as the file holds the row


def staff_rows(layout: TableLayout) -> Iterator[StaffRow | SourceRow]:
    for row in read_rows(layout, STAFF):
        if not row.accepted:
            yield row
            continue
        values = row.values
        name = values.get("name") or " ".join(p for p in (values.get("first_name"), values.get("last_name")) if p)
        if not name:
            yield SourceRow(row.sheet, row.row, values, (Problem("No name.", row.sheet, row.row),), row.cells)
            continue
        yield StaffRow(row.sheet, row.row, values.get("employee_number"), name, values.get("job_title"),
                       values.get("grade"), values.get("wte"), values.get("profession"), values.get("start_date"),
                       values.get("leave_date"), values.get("supervisor_number"), values.get("line_manager"),
                       values.get("professional_lead"), values.get("team"), row.cells)
