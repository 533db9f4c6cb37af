"""The `jointlead` command as scripts use it: exit codes, messages, and what it leaves on disk."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from jointlead.store.backup import integrity_problems


def jointlead(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jointlead", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONWARNINGS": "error::DeprecationWarning"}, timeout=120)


def test_demo_then_check_succeeds(tmp_path):
    demo = tmp_path / "d.sqlite"
    created = jointlead("demo", "--db", str(demo))
    assert created.returncode == 0, created.stderr
    assert "Created the demo service" in created.stdout
    checked = jointlead("check", "--db", str(demo))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip().endswith("warnings.")
    assert " 0 errors" in checked.stdout or checked.stdout.splitlines()[-1].startswith("0 errors")


def test_demo_refuses_to_overwrite_an_existing_file(tmp_path):
    existing = tmp_path / "d.sqlite"
    existing.write_bytes(b"precious")
    result = jointlead("demo", "--db", str(existing))
    assert result.returncode == 1
    assert "already exists" in result.stderr
    assert existing.read_bytes() == b"precious"


def test_check_exits_1_when_the_data_breaks_a_rule(demo_path):
    connection = sqlite3.connect(demo_path)
    a, b = (r[0] for r in connection.execute("SELECT id FROM person ORDER BY id LIMIT 2"))
    connection.execute("UPDATE reporting_line SET effective_to = '2000-01-01' WHERE kind = 'managerial' "
                       "AND person_id IN (?, ?)", (a, b))
    connection.executemany("INSERT INTO reporting_line (kind, person_id, lead_id, effective_from, note) "
                           "VALUES ('managerial', ?, ?, '2001-01-01', '')", [(a, b), (b, a)])
    connection.commit()
    connection.close()
    result = jointlead("check", "--db", str(demo_path))
    assert result.returncode == 1
    assert "error:" in result.stdout and "loop of managerial lines" in result.stdout


def test_check_explains_a_missing_database(tmp_path):
    result = jointlead("check", "--db", str(tmp_path / "nowhere.sqlite"))
    assert result.returncode == 1
    assert "There is no database at" in result.stderr
    assert "Traceback" not in result.stderr


def test_backup_writes_a_verified_copy(demo_path, tmp_path):
    out = tmp_path / "copies" / "copy.sqlite"
    result = jointlead("backup", "--db", str(demo_path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert integrity_problems(out) == []
    count = "SELECT count(*) FROM ledger_transaction"
    assert sqlite3.connect(out).execute(count).fetchone() == sqlite3.connect(demo_path).execute(count).fetchone()


def test_usage_errors_exit_2():
    assert jointlead("check").returncode == 2
    assert jointlead("frobnicate").returncode == 2


def test_version_and_help():
    assert jointlead("--version").stdout.startswith("jointlead ")
    assert "check" in jointlead("--help").stdout


def test_help_loads_neither_alembic_nor_openpyxl_nor_qt():
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "jointlead", "--help"],
                            capture_output=True, text=True, timeout=60)
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in result.stderr.splitlines()
                if line.startswith("import time:")}
    assert result.returncode == 0
    assert "jointlead" in imported
    assert not imported & {"alembic", "openpyxl", "PySide6", "sqlalchemy", "python_calamine"}
