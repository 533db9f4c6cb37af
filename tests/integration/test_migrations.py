"""Schema revisions: every older database upgrades with a verified backup and loses nothing."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from jointlead.store import migrate
from jointlead.store.backup import integrity_problems
from jointlead.store.database import open_database
from jointlead.store.engine import make_engine
from jointlead.store.errors import DatabaseError, DatabaseFromNewerVersion
from jointlead.store.models import Base

FIXTURES = Path(__file__).parent.parent / "fixtures"
PAST_REVISIONS = [r for r in migrate.KNOWN_REVISIONS if r != migrate.HEAD_REVISION]


def _row_counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        tables = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name <> 'alembic_version'")]
        return {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        connection.close()


def _revision(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        connection.close()


def test_known_revisions_are_exactly_the_scripts_in_migrations():
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    in_order = [s.revision for s in reversed(list(scripts.walk_revisions()))]
    assert tuple(in_order) == migrate.KNOWN_REVISIONS
    assert scripts.get_current_head() == migrate.HEAD_REVISION


def test_there_is_a_fixture_database_for_every_past_revision():
    for revision in PAST_REVISIONS:
        assert (FIXTURES / f"schema-{revision}.sqlite").is_file(), f"no fixture for revision {revision}"


def test_the_migrated_schema_matches_the_models_exactly(empty_db):
    with empty_db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


@pytest.mark.parametrize("revision", PAST_REVISIONS)
def test_an_older_database_upgrades_after_a_verified_backup_and_loses_nothing(revision, tmp_path):
    path = tmp_path / "service.sqlite"
    shutil.copyfile(FIXTURES / f"schema-{revision}.sqlite", path)
    before = _row_counts(path)
    assert sum(before.values()) > 30

    database = open_database(path)
    try:
        assert database.revision == migrate.HEAD_REVISION
        backup = database.upgrade_backup
    finally:
        database.close()

    assert _row_counts(path) == before
    assert backup is not None and backup.parent == tmp_path / "backups"
    assert integrity_problems(backup) == []
    assert _revision(backup) == revision
    assert _row_counts(backup) == before


def test_upgrading_the_person_table_keeps_its_lines_supervision_and_actions(tmp_path):
    # 0002 rebuilds person, the parent of lines, sessions and actions: with foreign keys on, the
    # rebuild's DROP TABLE would cascade-delete them all.
    path = tmp_path / "service.sqlite"
    shutil.copyfile(FIXTURES / "schema-0001.sqlite", path)
    open_database(path).close()
    connection = sqlite3.connect(path)
    lines = connection.execute("SELECT person_id, lead_id, kind FROM reporting_line ORDER BY id").fetchall()
    owner = connection.execute("SELECT owner_id FROM action WHERE reference = 'A-0001'").fetchone()
    connection.close()
    assert lines == [(2, 1, "managerial"), (3, 2, "managerial"), (3, 4, "professional")]
    assert owner == (3,)


def _made_under(path: Path) -> list[tuple[int, int]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT virement.id, virement.delegated_limit_pence FROM virement "
                                  "ORDER BY virement.id").fetchall()
    finally:
        connection.close()


def test_virements_recorded_before_0009_are_given_the_delegated_limit_they_were_made_under(tmp_path):
    path = tmp_path / "service.sqlite"
    shutil.copyfile(FIXTURES / "schema-0008.sqlite", path)
    open_database(path).close()
    assert _made_under(path) == [(1, 2_500_000)]  # the log says nothing of a change: the agreement's limit now

    # The log says the limit was raised from £75 after the virement was made, then lowered to £1.
    shutil.copyfile(FIXTURES / "schema-0008.sqlite", path)
    connection = sqlite3.connect(path)
    connection.executescript("""
        UPDATE agreement SET delegated_limit_pence = 100;
        INSERT INTO audit_entry VALUES (20, '2026-04-20 09:00:00.000000', 'fixture', 'change agreement', 'agreement',
            1, '{"delegated_limit_pence": [5000, 7500]}', NULL);
        INSERT INTO audit_entry VALUES (21, '2026-05-01 09:00:00.000000', 'fixture', 'make virement', 'virement', 1,
            '{"id": [null, 1], "amount_pence": [null, 100]}', NULL);
        INSERT INTO audit_entry VALUES (22, '2026-06-01 09:00:00.000000', 'fixture', 'change agreement', 'agreement',
            1, '{"delegated_limit_pence": [7500, 2500000]}', NULL);
        INSERT INTO audit_entry VALUES (23, '2026-07-01 09:00:00.000000', 'fixture', 'change agreement', 'agreement',
            1, '{"delegated_limit_pence": [2500000, 100]}', NULL);
    """)
    connection.close()
    open_database(path).close()
    assert _made_under(path) == [(1, 7_500)]


def test_a_virement_of_no_agreement_is_refused_as_a_broken_reference_not_a_failed_upgrade(tmp_path):
    path = tmp_path / "broken.sqlite"
    shutil.copyfile(FIXTURES / "schema-0008.sqlite", path)
    connection = sqlite3.connect(path)
    connection.execute("INSERT INTO virement VALUES (2, 99, 2026, 1, 1, 2, 100, 0, 'fixture', 'fixture', "
                       "'2026-05-01', NULL)")
    connection.commit()
    connection.close()
    with pytest.raises(DatabaseError, match="broken references"):
        migrate.upgrade(path)
    assert _revision(path) == "0008"


def test_a_database_from_a_newer_version_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "future.sqlite"
    shutil.copyfile(FIXTURES / "schema-0001.sqlite", path)
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.commit()
    connection.close()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    listing = sorted(p.name for p in tmp_path.iterdir())

    with pytest.raises(DatabaseFromNewerVersion, match="newer version of jointlead") as refused:
        open_database(path)

    assert "has not been changed" in refused.value.advice
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == listing


def test_an_upgrade_that_would_break_references_is_rolled_back(tmp_path):
    path = tmp_path / "broken.sqlite"
    shutil.copyfile(FIXTURES / "schema-0001.sqlite", path)
    connection = sqlite3.connect(path)
    connection.execute("INSERT INTO reporting_line VALUES (99, 'managerial', 3, 404, '2026-01-01', NULL, '')")
    connection.commit()
    connection.close()

    with pytest.raises(DatabaseError, match="broken references"):
        migrate.upgrade(path)

    assert _revision(path) == "0001"
    assert "hr_supervisor_number" not in [r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(person)")]


def test_upgrade_downgrade_and_upgrade_again_works_on_an_empty_database(tmp_path):
    path = tmp_path / "cycle.sqlite"
    migrate.upgrade(path, create=True)
    migrate.downgrade(path, "base")
    assert _row_counts(path) == {}
    migrate.upgrade(path)
    assert _revision(path) == migrate.HEAD_REVISION


@pytest.mark.sqlite_only  # SQLite's settings on each connection; a server enforces both whatever the connection
def test_connections_enforce_foreign_keys_and_durable_journalling(empty_db):
    engine = make_engine(empty_db.path)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    engine.dispose()


def test_the_audit_log_is_asked_about_one_kind_of_record_by_its_index(tmp_path):
    """The log only grows; the roll into next year, action histories and tracker imports ask it about one kind of
    record (and often some of its ids): SQLite's plan uses the index rather than reading every entry."""
    database = open_database(shutil.copyfile(FIXTURES / "schema-0005.sqlite", tmp_path / "old.sqlite"))
    try:
        with database.engine.connect() as connection:
            for where in ("entity = 'action'", "entity = 'line_month' AND entity_id IN (1, 2)"):
                plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN SELECT changes_json FROM audit_entry "
                                                  f"WHERE {where}").all()
                assert any("USING INDEX ix_audit_entry_entity" in step[-1] for step in plan), plan
    finally:
        database.close()


@pytest.mark.sqlite_only
def test_every_table_with_an_id_never_gives_one_again(empty_db):
    """A record's history in the audit log is found by its table and id: SQLite must not give a removed record's id
    to the next one added (AUTOINCREMENT), and a later revision that rebuilds a table must keep it so."""
    connection = sqlite3.connect(empty_db.path)
    try:
        made = dict(connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
    finally:
        connection.close()
    with_ids = [table.name for table in Base.metadata.sorted_tables if "id" in table.c and table.c.id.primary_key]
    assert len(with_ids) == 26
    assert [name for name in with_ids if "PRIMARY KEY AUTOINCREMENT" not in made[name]] == []


def test_an_id_the_audit_log_names_is_not_given_again_after_the_upgrade_to_0010(tmp_path):
    from jointlead.services.actions import quick_add

    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURES / "schema-0009.sqlite", path)  # action 2 was added and removed, as its audit entries say
    database = open_database(path)
    try:
        added = quick_add(database, "Publish the supervision audit", None, date(2027, 1, 20), None,
                          today=date(2026, 11, 23))
    finally:
        database.close()
    assert added.action_id == 3
