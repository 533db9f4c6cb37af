"""Dates typed into a dialog are checked against today: a mistyped year is refused, and so is a date in the future
for something that has already happened, in plain words, with nothing changed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

import stored
from jointlead.domain.errors import ValidationError
from jointlead.domain.reporting_lines import LineKind
from jointlead.services.actions import create_meeting
from jointlead.services.budget_month import make_virement
from jointlead.services.budget_setup import record_payment
from jointlead.services.demo import DEMO_TODAY
from jointlead.services.people import (
    PersonFields,
    add_person,
    change_line,
    edit_person,
    end_line,
    person_fields,
    preview_line_change,
    preview_reassignment,
    reassign_reports,
    record_leaver,
)
from jointlead.services.supervision import (
    add_arrangement,
    change_arrangement,
    end_arrangement,
    record_agreement_signed,
)

TODAY = DEMO_TODAY
MISTYPED = TODAY.replace(year=TODAY.year + 36)  # 2062 for 2026
TOMORROW = TODAY + timedelta(days=1)
CHECK_THE_YEAR = "years from today."
IN_THE_FUTURE = "is in the future."


def first(database, table: str) -> int:
    return stored.scalar(database, f'SELECT min(id) FROM "{table}"')


def person(database, name: str) -> int:
    return stored.scalar(database, "SELECT id FROM person WHERE full_name = :name", name=name)


def cases(db):
    """Every gesture that takes a date from a dialog, given a date it must refuse, and how its refusal ends."""
    tom, kim = person(db, "Tom Mason"), first(db, "person")
    line, arrangement = first(db, "reporting_line"), first(db, "supervision_arrangement")
    payment, budget_line = first(db, "contribution_payment"), first(db, "budget_line")
    tom_now = person_fields(db, tom)
    return {
        "a new person's start": (lambda: add_person(db, PersonFields("Ann Other", start_date=MISTYPED), today=TODAY),
                                 CHECK_THE_YEAR),
        "a changed qualified date": (lambda: edit_person(db, tom, PersonFields(
            **{**tom_now.__dict__, "qualified_date": MISTYPED}), today=TODAY), CHECK_THE_YEAR),
        "a leaver's last day": (lambda: record_leaver(db, tom, MISTYPED, today=TODAY), CHECK_THE_YEAR),
        "a line's preview": (lambda: preview_line_change(db, tom, LineKind.MANAGERIAL, kim, MISTYPED, today=TODAY),
                             CHECK_THE_YEAR),
        "a line from a date": (lambda: change_line(db, tom, LineKind.MANAGERIAL, kim, MISTYPED, today=TODAY),
                               CHECK_THE_YEAR),
        "a line's last day": (lambda: end_line(db, line, MISTYPED, today=TODAY), CHECK_THE_YEAR),
        "a reassignment's preview": (lambda: preview_reassignment(db, kim, tom, LineKind.MANAGERIAL, MISTYPED,
                                                                  today=TODAY), CHECK_THE_YEAR),
        "a reassignment": (lambda: reassign_reports(db, kim, tom, LineKind.MANAGERIAL, MISTYPED, today=TODAY),
                           CHECK_THE_YEAR),
        "an arrangement's start": (lambda: add_arrangement(db, tom, "managerial", kim, MISTYPED, today=TODAY),
                                   CHECK_THE_YEAR),
        "an arrangement signed tomorrow": (lambda: add_arrangement(db, tom, "managerial", kim, TODAY,
                                                                   agreement_signed=TOMORROW, today=TODAY),
                                           IN_THE_FUTURE),
        "an arrangement's last day": (lambda: end_arrangement(db, arrangement, MISTYPED, today=TODAY), CHECK_THE_YEAR),
        "a change of supervisor": (lambda: change_arrangement(db, arrangement, MISTYPED, supervisor_id=tom,
                                                              today=TODAY), CHECK_THE_YEAR),
        "an agreement signed tomorrow": (lambda: record_agreement_signed(db, arrangement, TOMORROW, today=TODAY),
                                         IN_THE_FUTURE),
        "an instalment received tomorrow": (lambda: record_payment(db, payment, TOMORROW, 100, today=TODAY),
                                            IN_THE_FUTURE),
        "a virement approved tomorrow": (lambda: make_virement(
            db, None, 2026, budget_line, budget_line + 1, 100, reason="Demand", approved_by="JMB",
            approval_date=TOMORROW, today=TODAY), IN_THE_FUTURE),
        "a meeting": (lambda: create_meeting(db, "Joint Management Board", MISTYPED, today=TODAY), CHECK_THE_YEAR),
    }


def test_every_date_a_dialog_gives_is_checked_and_a_refusal_changes_nothing(demo_db):
    before = stored.digest(demo_db)
    for gesture, (attempt, ending) in cases(demo_db).items():
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert refused.value.message.endswith(ending), gesture
        assert refused.value.advice in ("Check the year.", "Record it once it has happened, dated today or earlier."), \
            gesture
    assert stored.digest(demo_db) == before


def test_a_date_already_recorded_is_not_questioned_when_something_else_changes(demo_db):
    """A start date imported years ahead (before this check existed) does not block correcting a name."""
    tom = person(demo_db, "Tom Mason")
    stored.change(demo_db, "UPDATE person SET qualified_date = :day WHERE id = :id", day=MISTYPED, id=tom)
    now = person_fields(demo_db, tom)
    edit_person(demo_db, tom, PersonFields(**{**now.__dict__, "job_title": "Team leader"}), today=TODAY)
    assert person_fields(demo_db, tom).job_title == "Team leader"


def test_planned_dates_within_two_years_and_past_events_today_are_accepted(demo_db):
    soon = date(TODAY.year + 2, TODAY.month, TODAY.day)
    add_person(demo_db, PersonFields("Ann Other", start_date=soon), today=TODAY)
    create_meeting(demo_db, "Joint Management Board", soon, today=TODAY)
    record_payment(demo_db, first(demo_db, "contribution_payment"), TODAY, 100, today=TODAY)
