"""Delivery actions through the services: every gesture audited and undoable, and the log, detail, meeting and
dashboard reads on the demo service."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from jointlead.domain.actions import ActionStatus, Rag
from jointlead.domain.errors import JointleadError, ValidationError
from jointlead.services import actions
from jointlead.services.demo import DEMO_TODAY
from jointlead.services.edits import undo_edit
from jointlead.store.models import Action, ActionDueChange, ActionUpdate, AuditEntry, Meeting


def _row(database, reference):
    return next(r for r in actions.action_log(database, DEMO_TODAY) if r.reference == reference)


def _owner_id(database, name):
    with database.session() as session:
        return actions.find_owner(session, name).id


# --- gestures -------------------------------------------------------------------------------------------------------

def test_quick_add_issues_the_next_reference_raised_on_the_meeting_day_with_the_owners_organisation(demo_db):
    lucy = _owner_id(demo_db, "Lucy Roberts")
    added = actions.quick_add(demo_db, "Agree winter pressures plan", lucy, date(2026, 12, 18), 3, today=DEMO_TODAY)
    assert added.reference == "A-0041"
    row = _row(demo_db, "A-0041")
    assert (row.owner, row.organisation, row.meeting_id, row.raised, row.original_due, row.status) == (
        "Lucy Roberts", "NFT", 3, date(2026, 11, 12), date(2026, 12, 18), ActionStatus.OPEN)


def test_an_action_put_against_a_meeting_still_to_come_is_raised_today_and_can_be_worked_on(demo_db):
    actions.create_meeting(demo_db, "Joint Management Board", date(2026, 12, 10), today=DEMO_TODAY)
    with demo_db.session() as session:
        board = session.scalar(select(Meeting.id).where(Meeting.meeting_date == date(2026, 12, 10)))
    added = actions.quick_add(demo_db, "Brief the new AMHP lead", None, date(2027, 1, 15), board, today=DEMO_TODAY)
    assert _row(demo_db, added.reference).raised == DEMO_TODAY
    actions.add_update(demo_db, added.action_id, "Lead named.", today=DEMO_TODAY)
    actions.change_status(demo_db, added.action_id, "cancelled", reason="Covered by A-0012.", today=DEMO_TODAY)
    assert _row(demo_db, added.reference).status == ActionStatus.CANCELLED


def test_a_reference_is_never_reused_after_an_action_is_undone_or_removed(demo_db):
    first = actions.quick_add(demo_db, "Mistake", None, date(2026, 12, 18), today=DEMO_TODAY)
    undo_edit(demo_db, first)
    second = actions.quick_add(demo_db, "Another", None, date(2026, 12, 18), today=DEMO_TODAY)
    actions.remove_action(demo_db, second.action_id)
    third = actions.quick_add(demo_db, "Third", None, date(2026, 12, 18), today=DEMO_TODAY)
    assert (first.reference, second.reference, third.reference) == ("A-0041", "A-0042", "A-0043")


def test_removing_an_action_takes_its_updates_and_due_changes_and_undo_puts_them_back(demo_db):
    row = _row(demo_db, "A-0008")  # has an update and a due-date change
    with demo_db.session() as session:
        def counts():
            return (session.scalar(select(func.count()).select_from(ActionUpdate)
                                   .where(ActionUpdate.action_id == row.id)),
                    session.scalar(select(func.count()).select_from(ActionDueChange)
                                   .where(ActionDueChange.action_id == row.id)))
        before = counts()
    removed = actions.remove_action(demo_db, row.id)
    assert all(r.reference != "A-0008" for r in actions.action_log(demo_db, DEMO_TODAY))
    undo_edit(demo_db, removed)
    with demo_db.session() as session:
        assert (session.scalar(select(func.count()).select_from(ActionUpdate).where(ActionUpdate.action_id == row.id)),
                session.scalar(select(func.count()).select_from(ActionDueChange)
                               .where(ActionDueChange.action_id == row.id))) == before
    assert _row(demo_db, "A-0008") == row


def test_completing_sets_the_date_and_evidence_and_undo_reopens_it(demo_db):
    row = _row(demo_db, "A-0011")
    edit = actions.change_status(demo_db, row.id, "complete", evidence="Protocol signed.", today=DEMO_TODAY)
    done = actions.action_detail(demo_db, row.id, DEMO_TODAY)
    assert (done.row.status, done.row.completed_on, done.evidence, done.row.rag) == (
        ActionStatus.COMPLETE, DEMO_TODAY, "Protocol signed.", Rag.BLUE)
    undo_edit(demo_db, edit)
    assert _row(demo_db, "A-0011") == row


def test_an_undo_refused_because_of_a_later_change_names_the_action_and_what_changed(demo_db):
    row = _row(demo_db, "A-0019")
    edit = actions.change_status(demo_db, row.id, "in progress", today=DEMO_TODAY)
    actions.edit_action(demo_db, row.id, priority="high")
    actions.revise_due_date(demo_db, row.id, date(2027, 2, 1), "Moved by the manager", today=DEMO_TODAY)
    actions.change_status(demo_db, row.id, "open", today=DEMO_TODAY)
    with pytest.raises(JointleadError, match="the action 'A-0019' has been changed again since \\(its status\\)"):
        undo_edit(demo_db, edit)


def test_cancelling_keeps_its_reason_as_a_dated_update(demo_db):
    row = _row(demo_db, "A-0019")
    actions.change_status(demo_db, row.id, "cancelled", reason="Superseded by the workforce review.",
                          author="Jo Bloggs", today=DEMO_TODAY)
    detail = actions.action_detail(demo_db, row.id, DEMO_TODAY)
    assert detail.row.status == ActionStatus.CANCELLED
    assert detail.updates[-1].text == "Cancelled: Superseded by the workforce review."
    assert (detail.updates[-1].on, detail.updates[-1].author) == (DEMO_TODAY, "Jo Bloggs")
    with pytest.raises(ValidationError, match="reason"):
        actions.change_status(demo_db, _row(demo_db, "A-0018").id, "cancelled", today=DEMO_TODAY)


def test_revising_the_due_date_keeps_the_original_and_records_each_revision(demo_db):
    row = _row(demo_db, "A-0011")
    actions.revise_due_date(demo_db, row.id, date(2026, 12, 11), "Waiting for the council's legal team.",
                            today=DEMO_TODAY)
    actions.revise_due_date(demo_db, row.id, date(2027, 1, 15), "Christmas.", today=DEMO_TODAY)
    detail = actions.action_detail(demo_db, row.id, DEMO_TODAY)
    assert detail.row.original_due == row.original_due
    assert detail.row.due == date(2027, 1, 15)
    assert [(c.old, c.new, c.reason) for c in detail.due_changes] == [
        (row.due, date(2026, 12, 11), "Waiting for the council's legal team."),
        (date(2026, 12, 11), date(2027, 1, 15), "Christmas.")]
    with pytest.raises(ValidationError, match="reason"):
        actions.revise_due_date(demo_db, row.id, date(2027, 2, 1), "", today=DEMO_TODAY)


def test_updates_are_appended_with_author_and_date_and_shown_on_the_timeline(demo_db):
    row = _row(demo_db, "A-0031")
    actions.add_update(demo_db, row.id, "Kick-off meeting booked.", author="Kwame James", on=DEMO_TODAY,
                       today=DEMO_TODAY)
    detail = actions.action_detail(demo_db, row.id, DEMO_TODAY)
    assert detail.row.latest_update == "Kick-off meeting booked."
    assert (detail.row.latest_update_on, detail.row.latest_update_by) == (DEMO_TODAY, "Kwame James")
    assert detail.timeline[0].text.startswith("Raised at Joint Management Board")
    assert [e.on for e in detail.timeline] == sorted(e.on for e in detail.timeline)


def test_an_override_needs_a_reason_shows_beside_the_usual_rag_and_can_be_removed(demo_db):
    row = _row(demo_db, "A-0011")  # overdue: red
    actions.override_rag(demo_db, row.id, "amber", "Legal review agreed at the board; new date imminent.")
    detail = actions.action_detail(demo_db, row.id, DEMO_TODAY)
    assert (detail.row.rag, detail.row.rag_overridden, detail.usual_rag) == (Rag.AMBER, True, Rag.RED)
    assert detail.rag_override_reason.startswith("Legal review")
    actions.override_rag(demo_db, row.id, None)
    assert _row(demo_db, "A-0011").rag == Rag.RED
    with pytest.raises(ValidationError):
        actions.override_rag(demo_db, row.id, "red", "")


def test_editing_changes_only_what_is_given_and_moves_the_organisation_with_the_owner(demo_db):
    row = _row(demo_db, "A-0030")  # owned by NCC
    nft_owner = _owner_id(demo_db, "Lucy Roberts")
    actions.edit_action(demo_db, row.id, owner_id=nft_owner, priority="high")
    after = _row(demo_db, "A-0030")
    assert (after.owner, after.organisation, after.priority, after.title) == ("Lucy Roberts", "NFT", "high",
                                                                              row.title)
    with pytest.raises(ValidationError, match="Nothing was changed"):
        actions.edit_action(demo_db, row.id, priority="high")


def test_every_gesture_is_one_audited_edit(demo_db):
    row = _row(demo_db, "A-0031")
    with demo_db.session() as session:
        before = session.scalar(select(func.max(AuditEntry.id)))
    edit = actions.revise_due_date(demo_db, row.id, date(2027, 1, 8), "Holidays.", today=DEMO_TODAY)
    with demo_db.session() as session:
        verbs = set(session.scalars(select(AuditEntry.verb).where(AuditEntry.id > before)))
    assert verbs == {"revise action due date"}
    assert len(edit.entries) == 2  # the revision, and the action's revised due date


def test_a_meeting_is_created_once(demo_db):
    actions.create_meeting(demo_db, "Joint Management Board", date(2026, 12, 10))
    with pytest.raises(ValidationError, match="already recorded"):
        actions.create_meeting(demo_db, " joint management  board ", date(2026, 12, 10))
    with demo_db.session() as session:
        assert session.scalar(select(func.count()).select_from(Meeting)) == 4


def test_a_gesture_on_an_action_no_longer_recorded_says_so(demo_db):
    with pytest.raises(JointleadError, match="no longer recorded"):
        actions.add_update(demo_db, 9999, "Hello", today=DEMO_TODAY)


# --- reads ----------------------------------------------------------------------------------------------------------

def test_the_log_filters_by_status_rag_owner_organisation_meeting_overdue_and_search(demo_db):
    everything = actions.action_log(demo_db, DEMO_TODAY)
    assert len(everything) == 40
    overdue = actions.action_log(demo_db, DEMO_TODAY, overdue=True)
    assert overdue and all(r.is_open and r.due < DEMO_TODAY and r.days_overdue > 0 for r in overdue)
    assert {r.reference for r in actions.action_log(demo_db, DEMO_TODAY, rag="red")} >= {r.reference
                                                                                          for r in overdue}
    nft_open = actions.action_log(demo_db, DEMO_TODAY, organisation="nft", status=["open", "in progress"])
    assert nft_open and all(r.organisation == "NFT" and r.is_open for r in nft_open)
    lucy = _owner_id(demo_db, "Lucy Roberts")
    assert {r.owner for r in actions.action_log(demo_db, DEMO_TODAY, owner_id=lucy)} == {"Lucy Roberts"}
    assert {r.meeting_id for r in actions.action_log(demo_db, DEMO_TODAY, meeting_id=3)} == {3}
    assert [r.reference for r in actions.action_log(demo_db, DEMO_TODAY, search="a-0007")] == ["A-0007"]


def test_a_meeting_shows_what_it_agreed_what_to_review_what_changed_and_what_was_carried_over(demo_db):
    view = actions.meeting_view(demo_db, 3, DEMO_TODAY)
    assert (view.meeting.name, view.meeting.on, view.previous.id) == ("Joint Management Board", date(2026, 11, 12), 2)
    assert {r.meeting_id for r in view.agreed} == {3} and len(view.agreed) == view.meeting.agreed == 12
    assert all(r.is_open for r in view.to_review)
    assert len(view.to_review) == len(actions.action_log(demo_db, DEMO_TODAY, status=["open", "in progress"]))
    assert view.changes.since == date(2026, 10, 8)
    assert set(view.changes.new_actions) == {r.reference for r in view.agreed}
    assert view.changes.completed and view.changes.updates
    assert {r.reference for r in view.changed} == set(view.changes.references)
    assert view.carried_over.count > 0
    assert all(_row(demo_db, ref).raised < date(2026, 11, 12) for ref in view.carried_over.references)
    assert sum(n for _, n in view.carried_over.by_meetings) == view.carried_over.count


def test_changed_since_the_last_meeting_includes_status_changes_from_the_audit_log(demo_db):
    actions.create_meeting(demo_db, "Joint Management Board", date(2026, 12, 10))
    with demo_db.session() as session:
        december = session.scalar(select(Meeting.id).where(Meeting.meeting_date == date(2026, 12, 10)))
    row = _row(demo_db, "A-0031")
    actions.change_status(demo_db, row.id, "in progress", today=DEMO_TODAY)
    today = date.today()  # the audit log dates a status change by the clock
    view = actions.meeting_view(demo_db, december, max(today, DEMO_TODAY))
    assert view.previous.on == date(2026, 11, 12)
    if today > date(2026, 11, 12):
        assert [(c.reference, c.new) for c in view.changes.status_changes] == [("A-0031", ActionStatus.IN_PROGRESS)]


def test_the_dashboard_counts_overdue_by_organisation_and_lists_what_falls_due_in_fourteen_days(demo_db):
    figures = actions.action_figures(demo_db, DEMO_TODAY)
    open_rows = actions.action_log(demo_db, DEMO_TODAY, status=["open", "in progress"])
    assert figures.still_open == len(open_rows)
    assert figures.overdue == sum(o.overdue for o in figures.by_organisation) == sum(r.overdue for r in open_rows)
    assert {o.code for o in figures.by_organisation} == {"NFT", "NCC"}
    assert figures.due_soon and all(DEMO_TODAY <= r.due <= date(2026, 12, 4) and r.is_open
                                    for r in figures.due_soon)
    assert [r.due for r in figures.due_soon] == sorted(r.due for r in figures.due_soon)


def test_an_empty_database_has_no_actions_meetings_or_figures(empty_db):
    assert actions.action_log(empty_db, DEMO_TODAY) == ()
    assert actions.meetings(empty_db) == ()
    figures = actions.action_figures(empty_db, DEMO_TODAY)
    assert (figures.still_open, figures.overdue, figures.by_organisation, figures.due_soon) == (0, 0, (), ())
    added = actions.quick_add(empty_db, "First action", None, DEMO_TODAY, today=DEMO_TODAY)
    assert added.reference == "A-0001"
    with empty_db.session() as session:
        assert session.scalar(select(Action.reference)) == "A-0001"


def test_an_action_added_after_one_was_removed_has_a_history_of_its_own(demo_db):
    """SQLite would give the newest removed record's id to the next one added, and the audit log finds a record's
    history by its id: the new action showed the removed one's status changes, and as on a past day, its title."""
    removed = actions.quick_add(demo_db, "Book room for away day", 12, date(2026, 12, 20), 3, today=DEMO_TODAY)
    actions.change_status(demo_db, removed.action_id, "in progress", today=DEMO_TODAY)
    actions.remove_action(demo_db, removed.action_id)
    added = actions.quick_add(demo_db, "Publish supervision audit", 54, date(2027, 1, 20), 3, today=DEMO_TODAY)
    assert added.action_id != removed.action_id
    detail = actions.action_detail(demo_db, added.action_id, DEMO_TODAY)
    assert [event.text for event in detail.timeline if "progress" in event.text.casefold()] == []
    on_the_day = [r for r in actions.action_log(demo_db, DEMO_TODAY, as_on=True) if r.reference == added.reference]
    assert [r.title for r in on_the_day] in ([], ["Publish supervision audit"])
