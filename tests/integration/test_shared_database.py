"""What a shared database needs, proved on whichever the run uses (SQLite, or PostgreSQL in the variant): stale
edits refused, the same team or person added at once refused in plain words, whole pooled budgets in pence, and a
copy that holds every row."""

from __future__ import annotations

import json
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from exchange import hostile
from jointlead.domain.errors import JointleadError, ValidationError
from jointlead.domain.reporting_lines import LineKind
from jointlead.services import (
    actions,
    budget_month,
    budget_setup,
    exports,
    imports,
    overview,
    people,
    supervision,
)
from jointlead.services.budgets import agreed_figures, pool_position
from jointlead.services.edits import Recorder, undo_edit
from jointlead.store import uow
from jointlead.store.copying import copy_database
from jointlead.store.database import open_database
from jointlead.store.errors import ChangedBySomeoneElse, DatabaseError, OthersStillSaving, ReadOnlyDatabase
from jointlead.store.models import (
    AuditEntry,
    Base,
    Contribution,
    LineMonth,
    LineYear,
    PeriodClose,
    Person,
    SupervisionArrangement,
)
from jointlead.store.uow import UnitOfWork
from stored import change, digest, scalar

TODAY = date(2026, 11, 20)  # the demo's today
ON_POSTGRESQL = os.environ.get("JOINTLEAD_TEST_DATABASE", "sqlite").lower() == "postgresql"


def _audit_entries(database) -> int:
    with database.session() as session:
        return len(session.scalars(select(AuditEntry.id)).all())


def _first_person(database) -> int:
    with database.session() as session:
        return session.scalar(select(Person.id).where(Person.leave_date.is_(None)).order_by(Person.id))


def test_an_edit_made_from_an_out_of_date_copy_is_refused_and_changes_nothing(demo_db):
    person_id = _first_person(demo_db)
    shown_to_me = people.person_fields(demo_db, person_id)
    shown_to_them = people.person_fields(demo_db, person_id)
    people.edit_person(demo_db, person_id, replace(shown_to_them, job_title="Deputy Director"))
    entries = _audit_entries(demo_db)

    mine = replace(shown_to_me, grade="Band 9")
    with pytest.raises(ChangedBySomeoneElse) as refused:
        people.edit_person(demo_db, person_id, mine)

    assert "changed by someone else — reload" in refused.value.message
    now = people.person_fields(demo_db, person_id)
    assert now.job_title == "Deputy Director" and now.grade == shown_to_me.grade
    assert _audit_entries(demo_db) == entries
    # Made again from what is stored now, the same change goes through.
    people.edit_person(demo_db, person_id, replace(now, grade="Band 9"))
    assert people.person_fields(demo_db, person_id).grade == "Band 9"


def test_an_action_changed_since_the_log_was_read_refuses_a_status_change(demo_db):
    row = next(r for r in actions.action_log(demo_db, TODAY) if r.is_open)
    actions.add_update(demo_db, row.id, "Discussed at the huddle", today=TODAY)  # an update changes no field
    actions.revise_due_date(demo_db, row.id, row.due.replace(day=1), "agreed at the board", today=TODAY,
                            seen_version=row.version)

    with pytest.raises(ChangedBySomeoneElse):
        actions.override_rag(demo_db, row.id, "red", "slipping", seen_version=row.version)
    with pytest.raises(ChangedBySomeoneElse):
        actions.change_status(demo_db, row.id, "complete", evidence="minutes", today=TODAY, seen_version=row.version)
    fresh = next(r for r in actions.action_log(demo_db, TODAY) if r.id == row.id)
    assert fresh.version == row.version + 1 and not fresh.rag_overridden
    actions.override_rag(demo_db, row.id, "red", "slipping", seen_version=fresh.version)


# Each: read what its dialog (or the months grid) is filled from, let someone else save that record first, and give
# back the user's own change made from the out-of-date copy.

def _stale_line_terms(db):
    line = pool_position(db).lines[0]  # the Lines tab's row the Change line dialog is filled from
    terms = budget_setup.LineTerms(line.code, line.name, line.category, line.responsible_code, line.share_profile)
    budget_setup.change_budget_line(db, line.id, replace(terms, name="Their name"), seen_version=line.version)
    return lambda: budget_setup.change_budget_line(db, line.id, replace(terms, name="My name"),
                                                   seen_version=line.version)


def _stale_agreement_terms(db):
    agreement_id, terms, partners = budget_setup.agreement_terms(db)
    budget_setup.change_agreement(db, agreement_id, replace(terms, governing_board="Their board"), partners)
    return lambda: budget_setup.change_agreement(db, agreement_id, replace(terms, risk_reserve_pence=0), partners)


def _stale_partner_share(db):
    """Someone else changed only a partner's cap: the agreement row is as it was, its partner row is not."""
    agreement_id, terms, partners = budget_setup.agreement_terms(db)
    budget_setup.change_agreement(db, agreement_id, replace(terms, governing_board="The board"), partners)
    agreement_id, terms, partners = budget_setup.agreement_terms(db)  # (that also wrote its basis in today's words)
    theirs = (replace(partners[0], cap_basis_points=5_000), *partners[1:])
    budget_setup.change_agreement(db, agreement_id, terms, theirs)
    assert budget_setup.agreement_terms(db)[1].version == terms.version
    return lambda: budget_setup.change_agreement(db, agreement_id, replace(terms, governing_board="My board"),
                                                 (replace(partners[0], cap_basis_points=2_500), *partners[1:]))


def _stale_payment(db):
    agreement_id = budget_setup.agreement_terms(db)[0]
    due = next(i for i in budget_setup.instalments(db, agreement_id, 2026) if i.received_date is None)
    budget_setup.record_payment(db, due.id, TODAY, due.expected_pence, seen_version=due.version)
    return lambda: budget_setup.record_payment(db, due.id, TODAY, due.expected_pence - 100,
                                               seen_version=due.version)


def _stale_month_budget(db):
    line = pool_position(db).lines[0]  # the months grid's row; M12 is open
    budget = line.figures.budget_profile[11]
    budget_month.set_month_budget(db, line.id, 2026, 12, budget + 500, seen_version=line.month_versions[11])
    return lambda: budget_month.set_month_budget(db, line.id, 2026, 12, budget + 900,
                                                 seen_version=line.month_versions[11])


def _stale_forecast(db):
    line = pool_position(db).lines[0]
    budget_month.set_forecast(db, line.id, 2026, 12, 1_000_000, "their reason",
                              seen_version=line.month_versions[11])
    return lambda: budget_month.set_forecast(db, line.id, 2026, 12, 2_000_000, "my reason",
                                             seen_version=line.month_versions[11])


def _arranged(db) -> supervision.ComplianceRow:
    """A Supervision page row with an arrangement in force, not signed today, as its dialogs are filled from."""
    return next(r for r in supervision.compliance(db, TODAY).rows
                if r.arrangement_id is not None and r.agreement_signed != TODAY)


def _stale_supervisor_change(db):
    row = _arranged(db)
    supervision.record_agreement_signed(db, row.arrangement_id, TODAY)
    return lambda: supervision.change_arrangement(db, row.arrangement_id, TODAY,
                                                  interval_days=(row.interval_days or 28) + 7,
                                                  seen_version=row.version)


def _stale_end_of_arrangement(db):
    row = _arranged(db)
    supervision.change_arrangement(db, row.arrangement_id, TODAY, interval_days=(row.interval_days or 28) + 7,
                                   seen_version=row.version)  # ends it yesterday, and a new one starts today
    return lambda: supervision.end_arrangement(db, row.arrangement_id, TODAY + timedelta(days=30),
                                               seen_version=row.version)


def _stale_agreement_signed(db):
    row = _arranged(db)
    supervision.end_arrangement(db, row.arrangement_id, TODAY + timedelta(days=30))
    return lambda: supervision.record_agreement_signed(db, row.arrangement_id, TODAY, seen_version=row.version)


def _stale_removal_of_arrangement(db):
    row = _arranged(db)
    supervision.record_agreement_signed(db, row.arrangement_id, TODAY)
    return lambda: supervision.remove_arrangement(db, row.arrangement_id, seen_version=row.version)


# The People page's: Change line is filled from the person's lines (the panel's), Record leaver from its preview
# of who needs reassigning, Reassign reports from its preview of who moves.

M = LineKind.MANAGERIAL
DECEMBER, NEW_YEAR = date(2026, 12, 1), date(2027, 1, 1)


def _named(db, name: str) -> int:
    with db.session() as session:
        return session.scalar(select(Person.id).where(Person.full_name == name))


def _lines_shown(db, person_id: int) -> dict[int, int]:
    """The person's managerial lines as the Change line dialog holds them: version by id."""
    return {ln.id: ln.version for ln in people.person_panel(db, person_id, TODAY).managerial_lines}


def _stale_line_change(db):
    """Someone else moved Tom's line first: the line my change would end is one I was never shown."""
    tom, shown = _named(db, "Tom Mason"), _lines_shown(db, _named(db, "Tom Mason"))
    people.change_line(db, tom, M, _named(db, "Anna Allen"), DECEMBER, seen_lines=shown)
    return lambda: people.change_line(db, tom, M, _named(db, "Emma Hall"), NEW_YEAR, seen_lines=shown)


def _stale_line_end(db):
    """Someone else gave Tom's current line an end: the same line, at a newer version."""
    tom, shown = _named(db, "Tom Mason"), _lines_shown(db, _named(db, "Tom Mason"))
    people.end_line(db, people.person_panel(db, tom, TODAY).line_on(M).id, NEW_YEAR + timedelta(days=30))
    return lambda: people.change_line(db, tom, M, _named(db, "Anna Allen"), DECEMBER, seen_lines=shown)


def _stale_end_of_line(db):
    """Someone else gave Tom's current line an end first: mine, an earlier end, was chosen from the line before."""
    line = people.person_panel(db, _named(db, "Tom Mason"), TODAY).line_on(M)
    people.end_line(db, line.id, NEW_YEAR + timedelta(days=30))
    return lambda: people.end_line(db, line.id, DECEMBER, seen_version=line.version)


def _stale_line_removed(db):
    """A line I was shown has gone since (as an erasure takes them), though the one my change would end has not."""
    tom = _named(db, "Tom Mason")
    people.change_line(db, tom, M, _named(db, "Anna Allen"), DECEMBER)
    shown = _lines_shown(db, tom)
    earlier = min(shown)
    change(db, "DELETE FROM reporting_line WHERE id = :id", id=earlier)
    return lambda: people.change_line(db, tom, M, _named(db, "Emma Hall"), NEW_YEAR, seen_lines=shown)


def _leaver(db, shown: people.ToReassign):
    return lambda: people.record_leaver(db, shown.person_id, shown.leave_date, seen_version=shown.version,
                                        seen_lines=shown.line_versions,
                                        seen_arrangements=shown.arrangement_versions)


def _stale_leaver(db):
    emma = _named(db, "Emma Hall")
    shown = people.to_reassign(db, emma, NEW_YEAR - timedelta(days=1))
    people.edit_person(db, emma, replace(people.person_fields(db, emma), job_title="Their title"))
    return _leaver(db, shown)


def _stale_leavers_reports(db):
    """Someone else gave her a new report: the leaver would end a line the preview never listed."""
    emma = _named(db, "Emma Hall")
    shown = people.to_reassign(db, emma, NEW_YEAR - timedelta(days=1))
    people.change_line(db, _named(db, "Tom Mason"), M, emma, DECEMBER)
    return _leaver(db, shown)


def _stale_leavers_supervision(db):
    emma = _named(db, "Emma Hall")
    shown = people.to_reassign(db, emma, NEW_YEAR - timedelta(days=1))
    with db.session() as session:
        running = session.scalar(select(SupervisionArrangement.id).where(
            SupervisionArrangement.supervisor_id == emma, SupervisionArrangement.end_date.is_(None)))
    supervision.record_agreement_signed(db, running, TODAY)
    return _leaver(db, shown)


def _stale_reassignment(db):
    """Someone else gave one of the lines being moved an end first."""
    tom, anna = _named(db, "Tom Mason"), _named(db, "Anna Allen")
    shown = people.preview_reassignment(db, tom, anna, M, DECEMBER)
    people.end_line(db, next(iter(shown.line_versions)), NEW_YEAR + timedelta(days=30))
    return lambda: people.reassign_reports(db, tom, anna, M, DECEMBER, seen_lines=shown.line_versions)


@pytest.mark.parametrize("stale_change", [
    _stale_line_terms, _stale_agreement_terms, _stale_partner_share, _stale_payment, _stale_month_budget,
    _stale_forecast, _stale_supervisor_change, _stale_end_of_arrangement, _stale_agreement_signed,
    _stale_removal_of_arrangement, _stale_line_change, _stale_line_end, _stale_end_of_line,
    _stale_line_removed, _stale_leaver, _stale_leavers_reports, _stale_leavers_supervision, _stale_reassignment],
    ids=lambda case: case.__name__[7:])
def test_a_dialog_filled_before_someone_else_saved_is_refused_and_changes_nothing(demo_db, stale_change):
    mine = stale_change(demo_db)
    before = digest(demo_db)
    with pytest.raises(ChangedBySomeoneElse) as refused:
        mine()
    assert "changed by someone else — reload" in refused.value.message
    assert digest(demo_db) == before  # not a value, not an audit entry


def test_people_dialogs_filled_from_what_is_stored_now_go_through(demo_db):
    """The same People gestures made from up-to-date copies are not refused: a leaver, then her reports moved from the
    day after (lines that had ended, which the move leaves as they are), and a change of line."""
    emma, eleanor, tom = _named(demo_db, "Emma Hall"), _named(demo_db, "Eleanor Marshall"), _named(demo_db, "Tom Mason")
    shown = people.to_reassign(demo_db, emma, NEW_YEAR - timedelta(days=1))
    _leaver(demo_db, shown)()
    plan = people.preview_reassignment(demo_db, emma, eleanor, M, NEW_YEAR)
    assert len(plan.line_versions) == len(plan.changes) == len(shown.managerial_reports)
    people.reassign_reports(demo_db, emma, eleanor, M, NEW_YEAR, seen_lines=plan.line_versions)
    assert people.to_reassign(demo_db, emma).managerial_reports == ()
    people.change_line(demo_db, tom, M, _named(demo_db, "Anna Allen"), DECEMBER, seen_lines=_lines_shown(demo_db, tom))
    assert people.person_panel(demo_db, tom, DECEMBER).line_on(M).lead_name == "Anna Allen"


@pytest.mark.skipif(not ON_POSTGRESQL, reason="two people saving at once needs a shared server (PostgreSQL variant)")
def test_two_people_saving_the_same_record_at_once_the_second_is_refused(demo_db):
    """Both read the record before either saves: the version in the second one's UPDATE is no longer there."""
    person_id = _first_person(demo_db)
    with UnitOfWork(demo_db) as first:
        row = first.session.get(Person, person_id)
        assert row is not None
        second = open_database(demo_db.location)  # another laptop, on the same server database
        try:
            fields = people.person_fields(second, person_id)
            people.edit_person(second, person_id, replace(fields, grade="Band 8d"))
        finally:
            second.close()
        with pytest.raises(ChangedBySomeoneElse):
            Recorder(first, "edit person").update(row, grade="Band 7")
    assert people.person_fields(demo_db, person_id).grade == "Band 8d"


def _until_held_up_by_a_lock(database, gesture: Future) -> None:
    """Returns once a connection to the database waits for another's lock (or the gesture has ended without)."""
    deadline = time.monotonic() + 30
    while not gesture.done() and not scalar(database, "SELECT count(*) FROM pg_stat_activity WHERE "
                                                      "datname = current_database() AND wait_event_type = 'Lock'"):
        assert time.monotonic() < deadline, "the gesture never reached the other's uncommitted row"
        time.sleep(0.05)


@pytest.mark.skipif(not ON_POSTGRESQL, reason="two people saving at once needs a shared server (PostgreSQL variant)")
def test_two_people_adding_the_same_team_at_once_the_second_is_told_plainly(demo_db):
    """The first has written the team but not committed it: the second's check cannot see it, and its insert waits
    on the database's unique name until the first commits, then is refused by it."""
    with UnitOfWork(demo_db) as first:
        people.record_team(Recorder(first, "add team"), "Crisis Team", "")
        second = open_database(demo_db.location)  # another laptop, on the same server database
        try:
            with ThreadPoolExecutor(1) as other_laptop:
                adding = other_laptop.submit(people.add_team, second, "Crisis Team")
                _until_held_up_by_a_lock(demo_db, adding)
                first.commit()
                with pytest.raises(ValidationError) as refused:
                    adding.result(timeout=30)
        finally:
            second.close()
    assert (refused.value.message, refused.value.advice) == (
        "Someone else has just added a team called 'Crisis Team'.",
        "Choose it for the people in it, or give the new team another name.")
    assert people.team_names(demo_db).count("Crisis Team") == 1


@pytest.mark.skipif(not ON_POSTGRESQL, reason="two people saving at once needs a shared server (PostgreSQL variant)")
def test_a_journal_saved_while_its_month_is_being_closed_waits_for_the_close_and_is_then_refused(demo_db):
    """The close has written its record but not committed it: the journal, having checked the month open, would
    otherwise write into a month closed without it."""
    line = pool_position(demo_db).lines[0]
    with UnitOfWork(demo_db, closes=True) as first:  # M8 being closed on one laptop
        Recorder(first, "close period").create(PeriodClose(agreement_id=1, year=2026, period=8, closed_on=DECEMBER,
                                                           closed_by="someone"))
        second = open_database(demo_db.location)  # another laptop, on the same server database
        try:
            with ThreadPoolExecutor(1) as other_laptop:
                journal = other_laptop.submit(budget_month.adjust_actual, second, line.id, 2026, 8, 12_345_600,
                                              "Late journal")
                _until_held_up_by_a_lock(demo_db, journal)
                first.commit()
                with pytest.raises(ValidationError, match="M8 2026-27 is closed"):
                    journal.result(timeout=30)
        finally:
            second.close()
    assert scalar(demo_db, "SELECT COUNT(*) FROM audit_entry WHERE verb = 'adjust actual'") == 0


def _told_to_wait(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Set once a close has asked for the months lock and been told to ask again (store/uow.py): it asks rather
    than queues, so the server never shows it waiting."""
    told = threading.Event()

    def wait(seconds: float) -> None:
        told.set()
        time.sleep(seconds)

    monkeypatch.setattr(uow, "time", SimpleNamespace(monotonic=time.monotonic, sleep=wait))
    return told


def _until_told_to_wait(told: threading.Event, gesture: Future) -> None:
    """Returns once the close has been told to wait (or has ended without)."""
    deadline = time.monotonic() + 30
    while not told.is_set() and not gesture.done():
        assert time.monotonic() < deadline, "the close never asked for the months lock"
        time.sleep(0.02)


def _add_to_month_budget(uow: UnitOfWork, line_id: int, period: int, pence: int) -> None:
    """What Set month budget writes, in a change not yet committed."""
    month = uow.session.scalar(select(LineMonth).where(LineMonth.budget_line_id == line_id, LineMonth.year == 2026,
                                                       LineMonth.period == period))
    year = uow.session.scalar(select(LineYear).where(LineYear.budget_line_id == line_id, LineYear.year == 2026))
    record = Recorder(uow, "set month budget")
    record.update(month, budget_pence=month.budget_pence + pence)
    record.update(year, annual_budget_pence=year.annual_budget_pence + pence, profile="custom")


@pytest.mark.skipif(not ON_POSTGRESQL, reason="two people saving at once needs a shared server (PostgreSQL variant)")
def test_a_redo_of_a_close_waits_for_a_change_to_the_month_under_way_and_is_then_refused(demo_db, monkeypatch):
    """One manager undid M8's close; another is saving a change to M8: the first one's Redo would otherwise check
    the figures without it, and close the month with the change landing after."""
    december = date(2026, 12, 7)
    undone = undo_edit(demo_db, budget_month.close_period(demo_db, None, 2026, 8, today=december,
                                                          closing_without=("NFT", "NCC")))
    with UnitOfWork(demo_db) as first:
        _add_to_month_budget(first, pool_position(demo_db).lines[0].id, 8, 500)
        second = open_database(demo_db.location)  # another laptop, on the same server database
        try:
            with ThreadPoolExecutor(1) as other_laptop:
                told = _told_to_wait(monkeypatch)
                redo = other_laptop.submit(undo_edit, second, undone)
                _until_told_to_wait(told, redo)
                first.commit()
                with pytest.raises(JointleadError, match="have changed since the month was closed"):
                    redo.result(timeout=30)
        finally:
            second.close()
    assert pool_position(demo_db).as_at.number == 7


@pytest.mark.skipif(not ON_POSTGRESQL, reason="two people saving at once needs a shared server (PostgreSQL variant)")
def test_a_month_closed_while_a_change_to_it_is_being_saved_waits_for_it_and_keeps_it(demo_db, monkeypatch):
    """The change has been written but not committed: the close, reading the month's figures, would otherwise agree
    them without it, and the change then land in the closed month."""
    line = pool_position(demo_db).lines[0]
    with UnitOfWork(demo_db) as first:  # M8's budget being changed on one laptop
        _add_to_month_budget(first, line.id, 8, 500)
        second = open_database(demo_db.location)  # another laptop, on the same server database
        try:
            with ThreadPoolExecutor(1) as other_laptop:
                told = _told_to_wait(monkeypatch)
                closing = other_laptop.submit(budget_month.close_period, second, None, 2026, 8,
                                              today=date(2026, 12, 7), closing_without=("NFT", "NCC"))
                _until_told_to_wait(told, closing)
                first.commit()
                closing.result(timeout=30)
        finally:
            second.close()
    with demo_db.session() as session:
        kept = json.loads(session.scalar(select(PeriodClose.snapshot_json).where(PeriodClose.period == 8)))
        assert kept == agreed_figures(session, 1, 2026, 8)
    assert kept["lines"][line.code]["budget_to_date"] == sum(line.figures.budget_profile[:8]) + 500


@pytest.mark.skipif(not ON_POSTGRESQL, reason="two people saving at once needs a shared server (PostgreSQL variant)")
def test_a_close_behind_a_long_save_is_refused_in_words_and_no_one_else_waits_for_it(demo_db, monkeypatch):
    """An import on one laptop takes longer than a close waits; the close is refused, and a third laptop's save made
    meanwhile is not held up behind it."""
    monkeypatch.setattr(uow, "CLOSE_WAIT_SECONDS", 0.5)
    line = pool_position(demo_db).lines[0]
    before = digest(demo_db)
    with UnitOfWork(demo_db) as first:  # the long import, not yet committed
        _add_to_month_budget(first, line.id, 8, 500)
        second = open_database(demo_db.location)
        try:
            with ThreadPoolExecutor(1) as other_laptop:
                closing = other_laptop.submit(budget_month.close_period, second, None, 2026, 8,
                                              today=date(2026, 12, 7), closing_without=("NFT", "NCC"))
                budget_month.adjust_actual(demo_db, line.id, 2026, 9, 100, "Late journal")  # not held up
                with pytest.raises(OthersStillSaving) as refused:
                    closing.result(timeout=30)
        finally:
            second.close()
    assert refused.value.message.startswith("Someone else is saving changes to the shared database just now")
    assert scalar(demo_db, "SELECT COUNT(*) FROM period_close WHERE period = 8") == 0
    assert digest(demo_db) != before  # the journal went in


@pytest.mark.skipif(not ON_POSTGRESQL, reason="an account that may only read is a shared server's (PostgreSQL variant)")
def test_an_account_that_may_only_read_opens_it_read_only_and_a_change_is_refused_in_words(demo_db, postgresql,
                                                                                            tmp_path):
    name = demo_db.server.database
    postgresql.admin("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'reader') THEN "
                     "CREATE ROLE reader LOGIN; END IF; END $$")
    postgresql.admin("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader", dbname=name)
    reader = open_database(demo_db.location.replace("postgres@", "reader@", 1))
    try:
        assert reader.read_only
        exports.export_staff(reader, "NFT", tmp_path / "staff.xlsx")  # reading goes on; the export is not recorded
        for database in (reader, replace(reader, read_only=False)):  # the second: rights taken away since opening
            with pytest.raises(ReadOnlyDatabase) as refused:  # was: psycopg's InternalError, as a crash
                people.add_team(database, "Crisis Team")
            assert (refused.value.message, refused.value.advice) == (
                "Your account on the shared database may read it but not change it, so the change was not saved.",
                "Ask whoever looks after the database server to let your account change it "
                "(docs/shared-server.md).")
        postgresql.admin("REVOKE SELECT ON team FROM reader", dbname=name)
        with pytest.raises(DBAPIError):  # a read refused is not said to be a change that was not saved
            people.team_names(reader)
    finally:
        reader.close()
    assert "Crisis Team" not in people.team_names(demo_db)


@pytest.mark.skipif(not ON_POSTGRESQL, reason="two people saving at once needs a shared server (PostgreSQL variant)")
def test_a_person_someone_else_adds_between_a_staff_imports_preview_and_its_apply_is_told_plainly(demo_db, tmp_path):
    """The preview found employee number N9999 not recorded; before the import is applied, someone on another laptop
    records it. The import finds them recorded before writing anything: said plainly, and nothing is imported."""
    staff = hostile.write_xlsx(tmp_path / "esr.xlsx", {"ESR": [
        ["Assignment Number", "Full Name", "Staff Group"], ["N9999", "Nadia Fernandes", "nurse"]]})
    found = imports.preview_staff_import(demo_db, staff, "NFT", today=TODAY)
    assert [row.detail for row in found.added] and not found.rejected
    second = open_database(demo_db.location)  # another laptop, on the same server database
    try:
        people.add_person(second, people.PersonFields("Nadia Fernandes", "NFT", "N9999"))
    finally:
        second.close()
    before = digest(demo_db)

    with pytest.raises(JointleadError) as refused:
        imports.apply_import(demo_db, found)

    assert refused.value.message == ("Nadia Fernandes was recorded by someone else after the staff list was "
                                     "previewed, so nothing was imported.")
    assert refused.value.advice.startswith("Preview the import again")
    assert "N9999" not in refused.value.message + refused.value.advice
    assert digest(demo_db) == before


def test_a_pooled_budget_of_tens_of_millions_is_held_and_summed_to_the_penny(demo_db):
    """£30 million is more pence than a 32-bit integer holds; PostgreSQL keeps money as bigint."""
    big = 3_000_000_001  # £30,000,000.01
    with UnitOfWork(demo_db) as uow:
        contribution = uow.session.scalars(select(Contribution).order_by(Contribution.id)).first()
        agreement_id, year = contribution.agreement_id, contribution.year
        others = sum(c.amount_pence for c in uow.session.scalars(select(Contribution).where(
            Contribution.agreement_id == agreement_id, Contribution.year == year, Contribution.id != contribution.id)))
        uow.session.execute(update(Contribution).where(Contribution.id == contribution.id).values(amount_pence=big))
        uow.commit()
    pool = next(p for p in overview.pools(demo_db, TODAY)
                if p.agreement_id == agreement_id and p.year.start_year == year)
    assert pool.contributions_pence == big + others
    assert type(pool.contributions_pence) is int


def _typed_contents(database) -> dict[str, list[tuple]]:
    """Every table as the models read it (dates as dates), in key order: comparable across SQLite and PostgreSQL."""
    with database.engine.connect() as connection:
        return {table.name: [tuple(row) for row in connection.execute(
            select(table).order_by(*table.primary_key.columns))] for table in Base.metadata.sorted_tables}


def test_a_copy_holds_every_row_and_a_copy_back_is_the_same(demo_db, empty_target, tmp_path):
    report = copy_database(demo_db, empty_target)
    original = _typed_contents(demo_db)
    assert report.rows == {name: len(rows) for name, rows in original.items()}
    copied = open_database(empty_target)
    try:
        assert _typed_contents(copied) == original
        # The copy carries on numbering after the rows it was given: the next record added gets a new id.
        fields = people.PersonFields(full_name="Dana Newman", employer="NCC", employee_number="P900001")
        added = people.added_person_id(copied, people.add_person(copied, fields))
        assert added > max(row[0] for row in original["person"])
        back = copy_database(copied, tmp_path / "back.sqlite")
    finally:
        copied.close()
    assert back.ledger_pence == report.ledger_pence
    returned = open_database(tmp_path / "back.sqlite")
    try:
        contents = _typed_contents(returned)
    finally:
        returned.close()
    assert {name: rows for name, rows in contents.items() if name not in ("person", "audit_entry")} == {
        name: rows for name, rows in original.items() if name not in ("person", "audit_entry")}
    assert len(contents["person"]) == len(original["person"]) + 1


def test_copying_into_a_database_that_already_holds_one_is_refused(demo_db, empty_target):
    copy_database(demo_db, empty_target)
    with pytest.raises(DatabaseError) as refused:
        copy_database(demo_db, empty_target)
    assert "nothing was copied" in refused.value.message


@pytest.mark.skipif(not ON_POSTGRESQL, reason="about opening a server database (PostgreSQL variant)")
def test_a_server_database_that_cannot_be_used_is_explained_and_left_as_it_was(empty_db):
    from sqlalchemy import make_url, text

    missing = make_url(empty_db.location).set(database="no_such_database").render_as_string(hide_password=False)
    with pytest.raises(DatabaseError) as refused:
        open_database(missing)
    assert "could not be used" in refused.value.message and "no_such_database" in refused.value.message

    with empty_db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(DatabaseError) as newer:
        open_database(empty_db.location)
    assert "newer version of jointlead" in newer.value.message
    with empty_db.engine.begin() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0099"
        connection.execute(text("DROP TABLE alembic_version"))
    with pytest.raises(DatabaseError) as foreign:
        open_database(empty_db.location)
    assert "not a jointlead database" in foreign.value.message


@pytest.mark.skipif(not ON_POSTGRESQL, reason="a lost connection needs a shared server (PostgreSQL variant)")
def test_a_connection_lost_part_way_is_said_plainly_and_the_next_gesture_connects_again(demo_db):
    from sqlalchemy import text

    from jointlead.store.errors import ServerStoppedAnswering

    name = overview.service_name(demo_db)
    with pytest.raises(ServerStoppedAnswering) as lost, demo_db.session() as session:
        backend = session.scalar(text("SELECT pg_backend_pid()"))
        with demo_db.engine.connect() as other:  # as the server's administrator, or a restart, would
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        session.scalar(select(Person.full_name).limit(1))
    assert "was lost: what you were doing was not saved" in lost.value.message
    assert "password" not in lost.value.message
    assert overview.service_name(demo_db) == name  # the pool has let the dead connection go
