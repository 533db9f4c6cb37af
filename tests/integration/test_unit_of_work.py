"""One gesture, one transaction: half-done work is never stored, and every change is attributed."""

from __future__ import annotations

import json
import sqlite3
import threading
import time

import pytest
from sqlalchemy import select

import stored
from jointlead.store import engine
from jointlead.store.errors import DatabaseBusy
from jointlead.store.models import AuditEntry, Organisation
from jointlead.store.uow import UnitOfWork, os_user


def table_counts(database) -> dict[str, int]:
    return {table: stored.scalar(database, f'SELECT count(*) FROM "{table}"')
            for table in stored.tables(database) if table != "alembic_version"}


def test_work_that_is_not_committed_is_rolled_back(empty_db):
    with pytest.raises(RuntimeError), UnitOfWork(empty_db) as uow:
        uow.session.add(Organisation(code="NFT", name="Northshire NHS FT", kind="NHS trust"))
        uow.session.flush()
        uow.audit("add_organisation", "organisation", 1, {"code": (None, "NFT")})
        raise RuntimeError("the laptop went to sleep")
    assert sum(table_counts(empty_db).values()) == 0


def test_a_service_failing_half_way_leaves_no_partial_writes(empty_db, monkeypatch):
    from jointlead.services.demo import create_demo_service

    def fail(*_args, **_kwargs):
        raise OSError("disk full")

    # The demo writes thousands of rows before recording its audit entry; make that last step fail.
    monkeypatch.setattr(UnitOfWork, "audit", fail)
    with pytest.raises(OSError, match="disk full"):
        create_demo_service(empty_db)
    assert sum(table_counts(empty_db).values()) == 0


def test_an_audit_entry_says_who_changed_what_from_what_to_what(empty_db):
    with UnitOfWork(empty_db) as uow:
        uow.audit("rename_organisation", "organisation", 7, {"name": ("Northshire PCT", "Northshire NHS FT")})
        uow.commit()
    with empty_db.session() as session:
        entry = session.query(AuditEntry).one()
    assert (entry.verb, entry.entity, entry.entity_id, entry.os_user) == (
        "rename_organisation", "organisation", 7, os_user())
    assert json.loads(entry.changes_json) == {"name": ["Northshire PCT", "Northshire NHS FT"]}
    assert entry.at is not None


def test_database_errors_never_carry_the_personal_data_being_written(empty_db):
    from sqlalchemy.exc import IntegrityError

    from jointlead.store.models import Person

    with pytest.raises(IntegrityError) as refused, UnitOfWork(empty_db) as uow:
        uow.session.add(Person(full_name="Samira Confidential", wte_hundredths=250))
        uow.session.flush()
    assert "Samira" not in str(refused.value)


def test_one_state_reads_as_it_began_refuses_writes_and_leaves_units_of_work_their_own(empty_db):
    from sqlalchemy import func, select
    from sqlalchemy.exc import DBAPIError

    def organisations() -> int:
        with empty_db.session() as session:
            return session.scalar(select(func.count()).select_from(Organisation))

    with empty_db.one_state():
        assert organisations() == 0  # the state is taken at its first read
        with UnitOfWork(empty_db) as uow:  # someone saves meanwhile, on a session of its own
            uow.session.add(Organisation(code="NFT", name="Northshire NHS FT", kind="NHS trust"))
            uow.commit()
        assert organisations() == 0
        with empty_db.one_state():  # inside another: the outer state holds
            assert organisations() == 0
        with pytest.raises(DBAPIError), empty_db.session() as session:  # a write inside fails, never lost quietly
            session.add(Organisation(code="NCC", name="Northshire County Council", kind="council"))
            session.flush()
    assert organisations() == 1
    assert stored.scalar(empty_db, "SELECT code FROM organisation") == "NFT"


def _another_connection_saving(path, seconds: float) -> threading.Thread:
    """Another connection to the file part-way through saving a council for `seconds`: it holds SQLite's write lock."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO organisation (code, name, kind, colour, version) VALUES ('NCC', 'Northshire County "
                   "Council', 'county council', '#8A1538', 1)")

    def finish() -> None:
        time.sleep(seconds)
        holder.execute("COMMIT")
        holder.close()

    thread = threading.Thread(target=finish)
    thread.start()
    return thread


@pytest.mark.sqlite_only
def test_a_change_waits_for_another_connection_saving_instead_of_failing_at_once(empty_db):
    """A unit of work reads before it writes. Begun as a plain read, SQLite refused its write with 'database is
    locked' once the other connection had saved: what it read might be out of date."""
    saving = _another_connection_saving(empty_db.path, 0.5)
    try:
        with UnitOfWork(empty_db) as uow:
            uow.session.scalars(select(Organisation.code)).all()
            time.sleep(1)  # the other connection saves meanwhile
            uow.session.add(Organisation(code="NFT", name="Northshire NHS FT", kind="NHS trust"))
            uow.commit()
    finally:
        saving.join()
    assert stored.rows(empty_db, "SELECT code FROM organisation ORDER BY id") == [("NCC",), ("NFT",)]


@pytest.mark.sqlite_only
def test_a_change_that_waits_too_long_for_another_saving_says_so_plainly_and_changes_nothing(empty_db, monkeypatch):
    monkeypatch.setattr(engine, "BUSY_WAIT_SECONDS", 0.2)
    saving = _another_connection_saving(empty_db.path, 1.5)
    try:
        with pytest.raises(DatabaseBusy) as refused, UnitOfWork(empty_db) as uow:
            uow.session.add(Organisation(code="NFT", name="Northshire NHS FT", kind="NHS trust"))
            uow.commit()
    finally:
        saving.join()
    assert refused.value.message == ("Another change was still being saved to this database after a few seconds, so "
                                     "this one was not saved.")
    assert stored.rows(empty_db, "SELECT code FROM organisation") == [("NCC",)]  # theirs, not this one
