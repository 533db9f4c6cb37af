"""Undo and redo never remove a record that others now point at: the database would clear or delete their links
without an audit entry, so the undo is refused in plain words and nothing changes."""

from __future__ import annotations

from datetime import date

import pytest

import stored
from jointlead.domain.errors import JointleadError
from jointlead.services import actions
from jointlead.services.edits import undo_edit
from jointlead.services.people import PersonFields, add_person, add_team, added_person_id, edit_person, person_fields

TODAY = date(2026, 11, 20)
CRISIS_TEAM = ["Ann Archer", "Ben Brook", "Cal Craig"]


def _team_of(database, name: str) -> str | None:
    return stored.scalar(database, "SELECT team.name FROM person LEFT JOIN team ON team.id = person.team_id "
                                   "WHERE person.full_name = :name", name=name)


def test_a_team_people_are_in_is_not_un_added_until_they_are_moved_out(empty_db):
    added = add_team(empty_db, "Crisis")
    people = [added_person_id(empty_db, add_person(empty_db, PersonFields(name, team="Crisis")))
              for name in CRISIS_TEAM]
    before = stored.digest(empty_db)  # the audit log included

    with pytest.raises(JointleadError) as refused:
        undo_edit(empty_db, added)
    assert refused.value.message == ("That change cannot be undone: it would remove the team 'Crisis', and 3 people "
                                     "are in it now.")
    assert refused.value.advice == ("Nothing was changed: the team 'Crisis' stays as it is. Once nothing points at it, "
                                    "try again.")
    assert stored.digest(empty_db) == before
    assert [_team_of(empty_db, name) for name in CRISIS_TEAM] == ["Crisis"] * 3

    for person in people:
        edit_person(empty_db, person, PersonFields(**{**vars(person_fields(empty_db, person)), "team": None}))
    undone = undo_edit(empty_db, added)  # nobody is in it now: the team goes, and redo brings it back
    assert stored.rows(empty_db, "SELECT name FROM team") == []
    undo_edit(empty_db, undone)
    assert stored.rows(empty_db, "SELECT name FROM team") == [("Crisis",)]


def test_a_person_others_point_at_is_not_un_added_and_the_words_say_what_points_at_them(empty_db):
    added = add_person(empty_db, PersonFields("Dee Dalton"))
    owner = added_person_id(empty_db, added)
    for title in ("Agree the winter plan", "Review the duty rota"):
        actions.quick_add(empty_db, title, owner, date(2027, 1, 8), today=TODAY)
    before = stored.digest(empty_db)

    with pytest.raises(JointleadError) as refused:
        undo_edit(empty_db, added)
    assert refused.value.message == ("That change cannot be undone: it would remove the person 'Dee Dalton', and "
                                     "2 actions are linked to them now.")
    assert stored.digest(empty_db) == before


def test_redoing_a_removal_is_refused_once_something_points_at_the_record_again(empty_db):
    action = actions.quick_add(empty_db, "Agree the winter plan", None, date(2027, 1, 8), today=TODAY)
    removed = actions.remove_action(empty_db, action.action_id)
    put_back = undo_edit(empty_db, removed)
    actions.add_update(empty_db, action.action_id, "On track", author="Test Author", today=TODAY)
    before = stored.digest(empty_db)

    with pytest.raises(JointleadError) as refused:
        undo_edit(empty_db, put_back)  # Edit > Redo of the removal
    assert refused.value.message == (f"That change cannot be undone: it would remove the action '{action.reference}', "
                                     "and 1 update is linked to it now.")
    assert stored.digest(empty_db) == before
