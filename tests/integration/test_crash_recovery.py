"""A database a crash left with committed changes still in its -wal: jointlead reads through the -wal, so what it
decides before opening (the schema revision, the backup before an upgrade) is about the data as committed."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from jointlead.store.backup import backup_database, integrity_problems
from jointlead.store.database import DatabaseFromNewerVersion, open_database
from jointlead.store.migrate import stored_revision

pytestmark = pytest.mark.sqlite_only  # the -wal file a crash leaves behind is SQLite's

# Commits a change in WAL mode and is killed before SQLite can copy it into the main file (a checkpoint).
COMMIT_THEN_DIE = """
import os, signal, sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
connection.execute("PRAGMA journal_mode=WAL")
connection.execute("PRAGMA wal_autocheckpoint=0")
connection.execute(sys.argv[2])
connection.commit()
os.kill(os.getpid(), signal.SIGKILL)
"""


def crash_after(path: Path, statement: str) -> None:
    run = subprocess.run([sys.executable, "-c", COMMIT_THEN_DIE, str(path), statement], check=False)
    assert run.returncode == -signal.SIGKILL
    assert path.with_name(path.name + "-wal").stat().st_size > 0


@pytest.fixture
def closed_db(empty_db) -> Path:
    path = empty_db.path
    empty_db.close()
    return path


def test_a_newer_schema_committed_before_a_crash_is_still_refused(closed_db):
    crash_after(closed_db, "UPDATE alembic_version SET version_num = '0099'")
    assert stored_revision(closed_db) == "0099"
    with pytest.raises(DatabaseFromNewerVersion):
        open_database(closed_db)


def test_checks_and_copies_see_what_was_committed_before_a_crash(closed_db, tmp_path):
    crash_after(closed_db, "CREATE TABLE committed_before_the_crash (x)")
    assert integrity_problems(closed_db) == []
    copy = backup_database(closed_db, tmp_path / "copy.sqlite")
    tables = {row[0] for row in sqlite3.connect(copy).execute("SELECT name FROM sqlite_master")}
    assert "committed_before_the_crash" in tables
