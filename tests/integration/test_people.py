"""People and dated lines through the services, on the demo service: each gesture audited, refused cleanly, undoable."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

import stored
from jointlead.domain.errors import JointleadError, ValidationError
from jointlead.domain.findings import Severity
from jointlead.domain.reporting_lines import LineKind
from jointlead.services.check import data_quality
from jointlead.services.edits import undo_edit
from jointlead.services.people import (
    TEAM_NAME_LENGTH,
    PersonFields,
    add_person,
    add_team,
    added_person_id,
    change_line,
    edit_person,
    end_line,
    people_findings,
    person_fields,
    person_panel,
    preview_line_change,
    preview_reassignment,
    reassign_reports,
    record_leaver,
    team_names,
    to_reassign,
)
from jointlead.store.models import AuditEntry, Person, Setting

M, P = LineKind.MANAGERIAL, LineKind.PROFESSIONAL
TODAY = date(2026, 11, 20)  # the demo's today
TABLES = ("person", "reporting_line", "supervision_arrangement")


def snapshot(database) -> dict[str, list[tuple]]:
    """Every row of the tables people gestures touch, exactly as stored."""
    return {table: stored.contents(database, table) for table in TABLES}


def audit_count(database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry))


def person_id(database, name: str) -> int:
    with database.session() as session:
        found = session.scalar(select(Person.id).where(Person.full_name == name))
    assert found is not None, f"the demo has no {name}"
    return found


def manager_on(database, name: str, day: date) -> str | None:
    line = person_panel(database, person_id(database, name), day).line_on(M)
    return line.lead_name if line else None


# --- adding and editing people ------------------------------------------------------------------------------------

NEW_STARTER = PersonFields(full_name="Dana Newman", employer="NCC", employee_number="P900001",
                           team="North Locality CMHT", job_title="Social Worker", profession="social worker",
                           registration_body="Social Work England", registration_number="SW900001",
                           grade="Grade 10", wte_hundredths=100, start_date=date(2026, 12, 1),
                           career_stage="newly qualified", hr_supervisor_number="P900002")


def test_adding_a_person_is_audited_and_undone_exactly(demo_db):
    before, audited = snapshot(demo_db), audit_count(demo_db)
    edit = add_person(demo_db, NEW_STARTER)
    new_id = added_person_id(demo_db, edit)
    assert person_fields(demo_db, new_id) == NEW_STARTER
    assert audit_count(demo_db) == audited + len(edit.entries) == audited + 1
    undo = undo_edit(demo_db, edit)
    assert snapshot(demo_db) == before
    assert audit_count(demo_db) == audited + 1 + len(undo.entries)


def test_a_new_starter_gets_lines_from_their_first_day_and_the_panel_shows_them(demo_db):
    dana = added_person_id(demo_db, add_person(demo_db, NEW_STARTER))
    tom, paul = person_id(demo_db, "Tom Mason"), person_id(demo_db, "Paul Allen")
    with pytest.raises(ValidationError, match="Dana Newman does not start until 1 December 2026"):
        change_line(demo_db, dana, M, tom, TODAY)
    change_line(demo_db, dana, M, tom, date(2026, 12, 1))
    change_line(demo_db, dana, P, paul, date(2026, 12, 1))
    panel = person_panel(demo_db, dana, date(2026, 12, 1))
    assert panel.person.employer == "NCC" and panel.person.team == "North Locality CMHT" and panel.person.active
    assert [(ln.lead_name, ln.effective_from, ln.effective_to) for ln in panel.managerial_lines] == [
        ("Tom Mason", date(2026, 12, 1), None)]
    assert panel.line_on(P).lead_name == "Paul Allen"
    assert "Dana Newman" in [r.person_name for r in person_panel(demo_db, tom, date(2026, 12, 1)).managerial_reports]
    assert "Dana Newman" not in [r.person_name for r in person_panel(demo_db, tom, TODAY).managerial_reports]


def test_people_are_refused_in_plain_words(demo_db):
    tom = person_id(demo_db, "Tom Mason")
    taken = person_fields(demo_db, tom).employee_number
    cases = [
        (PersonFields(full_name=" "), "A person needs a name."),
        (PersonFields(full_name="X", employer="ZZZ"), "There is no organisation with the code 'ZZZ'."),
        (PersonFields(full_name="X", team="Nowhere"), "There is no team called 'Nowhere'."),
        (PersonFields(full_name="X", wte_hundredths=0), "The whole-time equivalent must be between 0.01 and 1.00."),
        (PersonFields(full_name="X", employer="NCC", employee_number=taken),
         f"Employee number {taken} is already Tom Mason's at NCC."),
        (PersonFields(full_name="X", start_date=TODAY, leave_date=TODAY - timedelta(days=1)),
         "X would leave on 19 November 2026, before starting on 20 November 2026."),
    ]
    before = snapshot(demo_db)
    for fields, message in cases:
        with pytest.raises(ValidationError) as refused:
            add_person(demo_db, fields)
        assert refused.value.message == message
    assert snapshot(demo_db) == before


def test_editing_a_person_is_undone_exactly_and_a_leave_date_goes_through_record_a_leaver(demo_db):
    tom = person_id(demo_db, "Tom Mason")
    before = snapshot(demo_db)
    fields = person_fields(demo_db, tom)
    edit = edit_person(demo_db, tom, PersonFields(**{**fields.__dict__, "job_title": "Deputy Team Manager",
                                                     "grade": "Grade 11"}))
    assert person_panel(demo_db, tom, TODAY).person.job_title == "Deputy Team Manager"
    with pytest.raises(ValidationError, match="Nothing was changed"):
        edit_person(demo_db, tom, person_fields(demo_db, tom))
    with pytest.raises(ValidationError, match="Use Record a leaver"):
        edit_person(demo_db, tom, PersonFields(**{**fields.__dict__, "leave_date": date(2026, 12, 31)}))
    undo_edit(demo_db, edit)
    assert snapshot(demo_db) == before


def test_an_undo_that_would_put_back_a_line_making_a_loop_is_refused_and_changes_nothing(demo_db):
    ann, ben, cat = (added_person_id(demo_db, add_person(demo_db, PersonFields(
        full_name=name, employer="NFT", profession="manager", start_date=date(2020, 1, 1)), today=TODAY))
        for name in ("Ann Able", "Ben Baker", "Cat Cole"))
    change_line(demo_db, ben, M, ann, date(2026, 1, 1), today=TODAY)  # Ann manages Ben
    moved = change_line(demo_db, ben, M, cat, date(2026, 12, 1), today=TODAY)  # Ben moves to Cat from 1 December
    change_line(demo_db, ann, M, ben, date(2026, 12, 1), today=TODAY)  # and then manages Ann
    before = snapshot(demo_db)
    with pytest.raises(JointleadError, match=r"cannot be undone: the lines it would put back break a rule\. On 1 "
                                             r"December 2026 Ann Able reports, directly or through others, to Ben"):
        undo_edit(demo_db, moved)  # Ben back under Ann, who is under Ben
    assert snapshot(demo_db) == before


def test_an_undo_that_would_leave_lines_and_supervision_before_the_start_date_is_refused_and_changes_nothing(
        demo_db):
    """Ann's start corrected to a year earlier, a line and supervision from then, and the correction undone: her
    line and her supervision would begin before she started."""
    from jointlead.services.supervision import add_arrangement

    fields = PersonFields(full_name="Ann Able", employer="NFT", profession="mental health nurse",
                          start_date=date(2027, 1, 1))
    ann = added_person_id(demo_db, add_person(demo_db, fields, today=TODAY))
    corrected = edit_person(demo_db, ann, PersonFields(**{**fields.__dict__, "start_date": date(2026, 1, 1),
                                                          "version": person_fields(demo_db, ann).version}),
                            today=TODAY)
    manager = person_id(demo_db, "Tom Mason")
    change_line(demo_db, ann, M, manager, date(2026, 6, 1), today=TODAY)
    add_arrangement(demo_db, ann, "managerial", manager, date(2026, 6, 1), today=TODAY)
    before = snapshot(demo_db)
    with pytest.raises(JointleadError, match="cannot be undone: Ann Able has a reporting line from 1 June 2026, "
                                             "before the new start date of 1 January 2027"):
        undo_edit(demo_db, corrected)
    assert snapshot(demo_db) == before


def test_a_start_date_is_not_moved_after_their_supervision_began(demo_db):
    from jointlead.services.supervision import add_arrangement

    fields = PersonFields(full_name="Nell Newcomer", employer="NFT", profession="support worker",
                          start_date=date(2026, 11, 2))
    newcomer = added_person_id(demo_db, add_person(demo_db, fields, today=TODAY))
    add_arrangement(demo_db, newcomer, "managerial", person_id(demo_db, "Tom Mason"), date(2026, 11, 2), today=TODAY)
    before = snapshot(demo_db)
    with pytest.raises(ValidationError, match="has supervision arranged from 2 November 2026, before the new start"):
        edit_person(demo_db, newcomer, PersonFields(**{**fields.__dict__, "start_date": date(2026, 11, 9)}),
                    today=TODAY)
    assert snapshot(demo_db) == before


# --- teams ----------------------------------------------------------------------------------------------------------

def test_a_first_team_is_added_audited_offered_to_a_new_person_and_undone_exactly(empty_db):
    assert team_names(empty_db) == ()
    before, audited = stored.contents(empty_db, "team"), audit_count(empty_db)
    edit = add_team(empty_db, "  North Locality CMHT \t")
    assert team_names(empty_db) == ("North Locality CMHT",)  # trimmed
    assert audit_count(empty_db) == audited + len(edit.entries) == audited + 1
    assert stored.rows(empty_db, "SELECT verb, entity FROM audit_entry WHERE id = :id", id=edit.entries[0]) == [
        ("add team", "team")]
    assert edit.description == "add team North Locality CMHT"

    # The team is there to be chosen: a person can be placed in it (undone first, as Edit > Undo would).
    placed = add_person(empty_db, PersonFields("Dana Newman", team="North Locality CMHT"))
    assert person_fields(empty_db, added_person_id(empty_db, placed)).team == "North Locality CMHT"
    undo_edit(empty_db, placed)

    undo = undo_edit(empty_db, edit)
    assert stored.contents(empty_db, "team") == before and team_names(empty_db) == ()
    redo = undo_edit(empty_db, undo)  # undoing the undo puts the very same team back
    assert team_names(empty_db) == ("North Locality CMHT",)
    undo_edit(empty_db, redo)
    assert stored.contents(empty_db, "team") == before


def test_teams_are_refused_in_plain_words_and_a_refusal_changes_nothing(demo_db):
    assert "North Locality CMHT" in team_names(demo_db)
    cases = [
        ("", "A team needs a name."),
        ("   ", "A team needs a name."),
        ("T" * (TEAM_NAME_LENGTH + 1), f"A team's name can be at most {TEAM_NAME_LENGTH} characters; this one has "
                                       f"{TEAM_NAME_LENGTH + 1}."),
        ("North Locality CMHT", "There is already a team called 'North Locality CMHT'."),
        (" north locality  cmht ", "There is already a team called 'North Locality CMHT'."),
    ]
    before = stored.digest(demo_db)
    for name, message in cases:
        with pytest.raises(ValidationError) as refused:
            add_team(demo_db, name)
        assert refused.value.message == message
        assert refused.value.advice
    assert stored.digest(demo_db) == before
    add_team(demo_db, "T" * TEAM_NAME_LENGTH)  # as long as the record holds is allowed
    assert "T" * TEAM_NAME_LENGTH in team_names(demo_db)


# --- changing lines from a date -----------------------------------------------------------------------------------

def test_a_change_from_a_date_keeps_the_history_and_shows_both_structures_by_date(demo_db):
    tom, anna = person_id(demo_db, "Tom Mason"), person_id(demo_db, "Anna Allen")
    before, audited = snapshot(demo_db), audit_count(demo_db)
    edit = change_line(demo_db, tom, M, anna, date(2026, 12, 1), note="Moved to the council's line")
    assert audit_count(demo_db) == audited + 2  # the old line ended, the new one started
    assert manager_on(demo_db, "Tom Mason", date(2026, 11, 30)) == "Eleanor Marshall"
    assert manager_on(demo_db, "Tom Mason", date(2026, 12, 1)) == "Anna Allen"
    history = person_panel(demo_db, tom, TODAY).managerial_lines
    assert [(ln.lead_name, ln.effective_to, ln.cross_organisation) for ln in history] == [
        ("Anna Allen", None, False), ("Eleanor Marshall", date(2026, 11, 30), True)]
    assert history[0].note == "Moved to the council's line"
    eleanor = person_id(demo_db, "Eleanor Marshall")
    assert "Tom Mason" in [r.person_name for r in person_panel(demo_db, eleanor, TODAY).managerial_reports]
    assert "Tom Mason" not in [r.person_name
                               for r in person_panel(demo_db, eleanor, date(2026, 12, 1)).managerial_reports]
    undo_edit(demo_db, edit)
    assert snapshot(demo_db) == before


def test_a_change_that_breaks_a_rule_is_refused_and_changes_nothing(demo_db):
    tom, eleanor = person_id(demo_db, "Tom Mason"), person_id(demo_db, "Eleanor Marshall")
    emma_hall = person_id(demo_db, "Emma Hall")
    started = person_panel(demo_db, tom, TODAY).line_on(M).effective_from
    before, audited = snapshot(demo_db), audit_count(demo_db)
    with pytest.raises(ValidationError, match="would go round in a loop"):
        change_line(demo_db, eleanor, M, tom, date(2026, 12, 1))
    with pytest.raises(ValidationError, match="so a change can only take effect after that"):
        change_line(demo_db, tom, M, emma_hall, started)
    with pytest.raises(ValidationError, match="cannot be the professional lead of Tom Mason, a social worker"):
        change_line(demo_db, tom, P, emma_hall, date(2026, 12, 1))
    with pytest.raises(ValidationError, match="already Tom Mason's line manager"):
        change_line(demo_db, tom, M, eleanor, date(2026, 12, 1))
    with pytest.raises(ValidationError, match="cannot be their own line manager"):
        preview_line_change(demo_db, tom, M, tom, date(2026, 12, 1))
    assert snapshot(demo_db) == before and audit_count(demo_db) == audited


def test_over_the_span_of_control_is_warned_of_but_allowed(demo_db):
    tom, emma_hall = person_id(demo_db, "Tom Mason"), person_id(demo_db, "Emma Hall")  # she manages 9 already
    with demo_db.session() as session:
        session.merge(Setting(key="span_of_control", value="9"))
        session.commit()
    warnings = preview_line_change(demo_db, tom, M, emma_hall, date(2026, 12, 1))
    assert [(w.code, w.subject) for w in warnings] == [("span-of-control", f"person {emma_hall}")]
    change_line(demo_db, tom, M, emma_hall, date(2026, 12, 1))
    assert "span-of-control" in [f.code for f in people_findings(demo_db, date(2026, 12, 1))]


def test_a_line_can_be_ended_with_no_one_taking_it_over(demo_db):
    tom = person_id(demo_db, "Tom Mason")
    line = person_panel(demo_db, tom, TODAY).line_on(P)
    before = snapshot(demo_db)
    edit = end_line(demo_db, line.id, date(2026, 12, 31))
    assert person_panel(demo_db, tom, date(2027, 1, 1)).line_on(P) is None
    assert "no-professional-line" in [f.code for f in person_panel(demo_db, tom, date(2027, 1, 1)).findings]
    with pytest.raises(ValidationError, match="already ends on 31 December 2026"):
        end_line(demo_db, line.id, date(2027, 2, 1))
    undo_edit(demo_db, edit)
    assert snapshot(demo_db) == before


# --- leavers and bulk reassignment --------------------------------------------------------------------------------

def test_a_leaver_ends_their_lines_and_arrangements_and_lists_who_needs_reassigning(demo_db):
    emma = person_id(demo_db, "Emma Hall")
    last_day = date(2026, 12, 31)
    panel = person_panel(demo_db, emma, last_day)
    preview = to_reassign(demo_db, emma, last_day)  # before it is recorded: the same list, as a preview
    before, audited = snapshot(demo_db), audit_count(demo_db)

    edit = record_leaver(demo_db, emma, last_day)

    assert audit_count(demo_db) == audited + len(edit.entries)
    after = to_reassign(demo_db, emma)

    def who(listed):
        return ([r.person_id for r in listed.managerial_reports], [r.person_id for r in listed.professional_reports],
                listed.supervisees)
    assert who(after) == who(preview)
    assert {r.effective_to for r in after.managerial_reports + after.professional_reports} == {last_day}
    assert [r.person_name for r in after.managerial_reports] == [r.person_name for r in panel.managerial_reports]
    assert [r.person_name for r in after.professional_reports] == [r.person_name
                                                                   for r in panel.professional_reports]
    assert len(after.managerial_reports) == 9 and len(after.professional_reports) == 6
    assert after.supervisees and not after.nobody
    assert str(stored.scalar(demo_db, "SELECT leave_date FROM person WHERE id = :id", id=emma)) == "2026-12-31"
    open_lines = stored.scalar(
        demo_db, "SELECT count(*) FROM reporting_line WHERE (person_id = :id OR lead_id = :id) "
        "AND (effective_to IS NULL OR effective_to > '2026-12-31')", id=emma)
    open_arrangements = stored.scalar(
        demo_db, "SELECT count(*) FROM supervision_arrangement WHERE (supervisee_id = :id OR supervisor_id = :id) "
        "AND (end_date IS NULL OR end_date > '2026-12-31')", id=emma)
    assert open_lines == 0 and open_arrangements == 0
    # Her reports keep her as their manager to the end of her last day, and have none the day after.
    report = after.managerial_reports[0].person_id
    assert person_panel(demo_db, report, last_day).line_on(M).lead_name == "Emma Hall"
    assert person_panel(demo_db, report, last_day + timedelta(days=1)).line_on(M) is None
    no_manager = {f.subject for f in people_findings(demo_db, last_day + timedelta(days=1)) if f.code == "no-manager"}
    assert {f"person {r.person_id}" for r in after.managerial_reports} <= no_manager
    with pytest.raises(ValidationError, match="already recorded as leaving on 31 December 2026"):
        record_leaver(demo_db, emma, last_day)

    undo_edit(demo_db, edit)
    assert snapshot(demo_db) == before


def test_a_leavers_reports_all_move_to_a_new_manager_in_one_gesture(demo_db):
    emma, eleanor = person_id(demo_db, "Emma Hall"), person_id(demo_db, "Eleanor Marshall")
    lucy = person_id(demo_db, "Lucy Robinson")
    last_day, first_day = date(2026, 12, 31), date(2027, 1, 1)
    before = snapshot(demo_db)
    leaver = record_leaver(demo_db, emma, last_day)
    waiting = to_reassign(demo_db, emma)

    plan = preview_reassignment(demo_db, emma, eleanor, M, first_day)
    assert [w.code for w in plan.warnings] == ["span-of-control"]  # 6 + 9 reports: over 12, allowed
    audited = audit_count(demo_db)
    moved = reassign_reports(demo_db, emma, eleanor, M, first_day)
    assert len(moved.entries) == len(waiting.managerial_reports)  # a new line each; the old ones had ended already
    assert audit_count(demo_db) == audited + len(moved.entries)
    professional = reassign_reports(demo_db, emma, lucy, P, first_day)
    for report in waiting.managerial_reports:
        assert person_panel(demo_db, report.person_id, first_day).line_on(M).lead_name == "Eleanor Marshall"
        assert person_panel(demo_db, report.person_id, last_day).line_on(M).lead_name == "Emma Hall"
    for report in waiting.professional_reports:
        assert person_panel(demo_db, report.person_id, first_day).line_on(P).lead_name == "Lucy Robinson"
    assert to_reassign(demo_db, emma).managerial_reports == ()
    findings = people_findings(demo_db, first_day)
    moved_subjects = {f"person {r.person_id}" for r in waiting.managerial_reports}
    assert not [f for f in findings if f.code == "no-manager" and f.subject in moved_subjects]
    assert f"person {eleanor}" in {f.subject for f in findings if f.code == "span-of-control"}

    # Undone newest first, the service is exactly as it was before the leaver.
    for edit in (professional, moved, leaver):
        undo_edit(demo_db, edit)
    assert snapshot(demo_db) == before


def test_a_reassignment_while_the_manager_is_still_in_post_ends_each_line_the_day_before(demo_db):
    tom, anna = person_id(demo_db, "Tom Mason"), person_id(demo_db, "Anna Allen")
    before = snapshot(demo_db)
    reports = person_panel(demo_db, tom, TODAY).managerial_reports
    edit = reassign_reports(demo_db, tom, anna, M, date(2026, 12, 1))
    assert len(edit.entries) == 2 * len(reports)
    assert person_panel(demo_db, tom, date(2026, 12, 1)).managerial_reports == ()
    moved = person_panel(demo_db, anna, date(2026, 12, 1)).managerial_reports
    assert {r.person_name for r in reports} <= {r.person_name for r in moved}
    with pytest.raises(ValidationError, match="has no managerial reports on 1 December 2026"):
        reassign_reports(demo_db, tom, anna, M, date(2026, 12, 1))
    undo_edit(demo_db, edit)
    assert snapshot(demo_db) == before


# --- reading ------------------------------------------------------------------------------------------------------

def test_the_demo_findings_have_no_errors_and_mark_lines_across_organisations(demo_db):
    findings = people_findings(demo_db, TODAY)
    assert [f for f in findings if f.severity == Severity.ERROR] == []
    tom = person_id(demo_db, "Tom Mason")
    notes = [f for f in findings if f.subject == f"person {tom}" and f.severity == Severity.INFORMATION]
    assert [f.code for f in notes] == ["cross-organisation", "hr-supervisor-other-employer"]
    assert {f.code for f in findings if f.severity == Severity.WARNING} >= {
        "no-manager", "no-professional-line", "lead-other-profession", "hr-supervisor-differs"}
    # The dashboard's count is of problems only: information is shown beside the person, not counted.
    quality = data_quality(demo_db, TODAY)
    assert all(f.severity != Severity.INFORMATION for f in quality.findings)
    assert people_findings(demo_db, TODAY, information=False) == tuple(
        f for f in findings if f.severity != Severity.INFORMATION)


def test_the_person_panel_shows_both_lines_with_their_history(demo_db):
    changed = stored.scalar(demo_db, "SELECT person_id FROM reporting_line WHERE kind = 'managerial' "
                                     "GROUP BY person_id HAVING count(*) > 1 ORDER BY person_id")
    panel = person_panel(demo_db, changed, TODAY)
    assert len(panel.managerial_lines) >= 2
    newest, older = panel.managerial_lines[0], panel.managerial_lines[1]
    assert older.effective_to == newest.effective_from - timedelta(days=1)
    assert panel.line_on(M) == newest
    assert person_panel(demo_db, changed, older.effective_to).line_on(M) == older


def test_a_person_no_longer_recorded_is_a_plain_error(demo_db):
    with pytest.raises(JointleadError, match="no longer recorded"):
        person_panel(demo_db, 99_999, TODAY)
