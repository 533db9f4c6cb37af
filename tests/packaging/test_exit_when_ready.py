"""`jointlead --db PATH --exit-when-ready`: the check IT teams and the frozen smoke test run on an installation."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from jointlead.store.migrate import HEAD_REVISION


def jointlead(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "JOINTLEAD_DATA_DIR": str(data),
           "PYTHONWARNINGS": "error::DeprecationWarning"}
    return subprocess.run([sys.executable, "-m", "jointlead", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_the_window_opens_shows_the_dashboard_and_exits_0(demo_path, tmp_path):
    started = time.perf_counter()
    result = jointlead("--db", str(demo_path), "--exit-when-ready", data=tmp_path / "data")
    took = time.perf_counter() - started
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == f"Ready: {demo_path.resolve()} (schema {HEAD_REVISION})."
    assert "jointlead:" not in result.stderr and "Traceback" not in result.stderr  # no problem, no warning
    assert took < 60  # not a benchmark (bench/startup.py is): only proof it exits by itself, without a person


def test_a_database_that_cannot_be_opened_exits_1_and_says_why(tmp_path):
    result = jointlead("--db", str(tmp_path / "nowhere.sqlite"), "--exit-when-ready", data=tmp_path / "data")
    assert result.returncode == 1
    assert "There is no database at" in result.stderr
    assert "Traceback" not in result.stderr
    assert "Ready" not in result.stdout


def test_a_file_that_is_not_a_database_exits_1(tmp_path):
    not_a_database = tmp_path / "notes.sqlite"
    not_a_database.write_text("shopping list")
    result = jointlead("--db", str(not_a_database), "--exit-when-ready", data=tmp_path / "data")
    assert result.returncode == 1
    assert "is not a jointlead database" in result.stderr


def test_it_is_for_the_window_only(demo_path, tmp_path):
    result = jointlead("--exit-when-ready", "check", "--db", str(demo_path), data=tmp_path / "data")
    assert result.returncode == 2
    assert "--exit-when-ready is for the window" in result.stderr
