"""The org chart's read side on the demo service: who was here on a day, the lines in force, and the filters."""

from __future__ import annotations

from datetime import date

from jointlead.services.org_structure import structure_as_at
from jointlead.store.models import Person, ReportingLine
from jointlead.store.uow import UnitOfWork

DEMO_TODAY = date(2026, 11, 20)


def ids(structure, name: str) -> int:
    return next(p.id for p in (*structure.people, *structure.outside) if p.name == name)


def lines_of(structure, name: str) -> dict[str, int]:
    person = ids(structure, name)
    return {line.kind: line.lead_id for line in structure.lines if line.person_id == person}


def test_the_structure_today_has_everyone_active_and_only_the_lines_in_force(demo_db):
    structure = structure_as_at(demo_db, DEMO_TODAY)
    names = {p.name for p in structure.people}
    assert len(structure.people) == 66  # 68 people, two of whom left in 2026
    assert "James Carter" not in names and "Yasmin Pearson" not in names
    assert "Sam Ward" in names  # started on 2 November 2026
    assert structure.outside == ()
    # Sophie Richards moved from the South team's clinical lead to the North's on 1 July 2026.
    assert lines_of(structure, "Sophie Richards") == {"managerial": ids(structure, "Emma Hall"),
                                                     "professional": ids(structure, "Emma Hall")}
    everyone = {p.id for p in structure.people}
    assert all(line.person_id in everyone and line.lead_id in everyone for line in structure.lines)
    assert len({(line.person_id, line.kind) for line in structure.lines}) == len(structure.lines)


def test_an_earlier_date_shows_the_old_manager_and_the_people_who_have_since_left(demo_db):
    structure = structure_as_at(demo_db, date(2026, 3, 31))
    names = {p.name for p in structure.people}
    assert {"James Carter", "Yasmin Pearson"} <= names
    assert "Sam Ward" not in names and "Amara Ward" not in names  # not yet started
    assert lines_of(structure, "Sophie Richards")["managerial"] == ids(structure, "Emily Mitchell")


def test_a_line_is_in_force_on_its_first_and_last_days(demo_db):
    last_day = structure_as_at(demo_db, date(2026, 6, 30))
    first_day = structure_as_at(demo_db, date(2026, 7, 1))
    assert lines_of(last_day, "Sophie Richards")["managerial"] == ids(last_day, "Emily Mitchell")
    assert lines_of(first_day, "Sophie Richards")["managerial"] == ids(first_day, "Emma Hall")


def test_cross_organisation_means_the_two_ends_have_different_employers(demo_db):
    structure = structure_as_at(demo_db, DEMO_TODAY)
    employer = {p.id: p.employer_code for p in structure.people}
    for line in structure.lines:
        assert line.cross_organisation == (employer[line.person_id] != employer[line.lead_id])
    # Tom Mason, a council social worker, is managed by Eleanor Marshall of the trust.
    tom = ids(structure, "Tom Mason")
    crossing = {(line.person_id, line.kind) for line in structure.lines if line.cross_organisation}
    assert (tom, "managerial") in crossing and (tom, "professional") not in crossing


def test_each_person_carries_their_employer_colour_grade_and_team(demo_db):
    structure = structure_as_at(demo_db, DEMO_TODAY)
    colours = {o.code: o.colour for o in structure.organisations}
    assert set(colours) == {"NFT", "NCC"}
    for person in structure.people:
        assert person.employer_colour == colours[person.employer_code]
    tom = structure.person(ids(structure, "Tom Mason"))
    assert (tom.job_title, tom.grade, tom.team, tom.profession) == (
        "Senior Social Worker", "Grade 11", "North Locality CMHT", "social worker")
    assert structure.teams == ("Early Intervention in Psychosis", "North Locality CMHT", "South Locality CMHT")


def test_a_team_filter_keeps_the_team_and_shows_their_leads_outside_it_as_context(demo_db):
    structure = structure_as_at(demo_db, DEMO_TODAY, team="North Locality CMHT")
    assert structure.team == "North Locality CMHT"
    assert {p.team for p in structure.people} == {"North Locality CMHT"}
    assert len(structure.people) == 22
    outside = {p.name for p in structure.outside}
    # The team manager's manager, and professional leads such as the Principal Social Worker.
    assert {"Jasmine Richards", "Paul Allen", "Lucy Robinson"} <= outside
    assert all(p.team != "North Locality CMHT" for p in structure.outside)
    kept = {p.id for p in structure.people}
    context = {p.id for p in structure.outside}
    for line in structure.lines:
        assert line.person_id in kept and line.lead_id in kept | context
    # Every lead outside the team is there because a line in the team points at them.
    assert context == {line.lead_id for line in structure.lines} - kept


def test_an_organisation_filter_keeps_that_employers_people(demo_db):
    structure = structure_as_at(demo_db, DEMO_TODAY, organisation="NCC")
    assert {p.employer_code for p in structure.people} == {"NCC"}
    assert {p.employer_code for p in structure.outside} == {"NFT"}  # their NHS managers, as context
    assert all(line.cross_organisation == (line.lead_id in {p.id for p in structure.outside})
               for line in structure.lines)


def test_both_filters_together_and_a_filter_that_matches_no_one(demo_db):
    both = structure_as_at(demo_db, DEMO_TODAY, team="South Locality CMHT", organisation="NCC")
    assert both.people and all(p.team == "South Locality CMHT" and p.employer_code == "NCC" for p in both.people)
    nobody = structure_as_at(demo_db, DEMO_TODAY, team="No such team")
    assert nobody.people == () and nobody.lines == () and nobody.outside == ()


def test_a_line_to_someone_who_has_left_is_not_drawn(demo_db):
    with UnitOfWork(demo_db) as uow:
        leaver = uow.session.query(Person).filter_by(full_name="Tom Mason").one()
        leaver.leave_date = date(2026, 10, 31)  # left, but his reports' lines were not reassigned
        uow.commit()
    structure = structure_as_at(demo_db, DEMO_TODAY)
    assert "Tom Mason" not in {p.name for p in structure.people}
    assert "managerial" not in lines_of(structure, "Fiona Shaw")


def test_an_empty_database_has_an_empty_structure(empty_db):
    structure = structure_as_at(empty_db, DEMO_TODAY)
    assert structure.people == () and structure.lines == () and structure.as_at == DEMO_TODAY


def test_overlapping_lines_of_one_kind_show_the_latest(demo_db):
    structure = structure_as_at(demo_db, DEMO_TODAY)
    fiona, emma = ids(structure, "Fiona Shaw"), ids(structure, "Emma Hall")
    with UnitOfWork(demo_db) as uow:
        uow.session.add(ReportingLine(kind="managerial", person_id=fiona, lead_id=emma,
                                      effective_from=date(2026, 10, 1)))
        uow.commit()
    assert lines_of(structure_as_at(demo_db, DEMO_TODAY), "Fiona Shaw")["managerial"] == emma
