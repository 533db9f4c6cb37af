"""`jointlead --db PATH --exit-when-ready`: the check IT teams and the frozen smoke test run on an installation."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from jointlead.store.migrate import HEAD_REVISION

SNAPSHOT_SAID = "Showing the dashboard from its snapshot"


def environment(data: Path) -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "JOINTLEAD_DATA_DIR": str(data),
            "PYTHONWARNINGS": "error::DeprecationWarning"}


def jointlead(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jointlead", *args], capture_output=True, text=True,
                          env=environment(data), timeout=120)


def ready_with_snapshot(path: Path, data: Path) -> subprocess.CompletedProcess[str]:
    """--exit-when-ready as it runs when told which file it opens, so the dashboard's snapshot can be used."""
    script = ("import sys; from pathlib import Path; from jointlead.logs import configure_logging; "
              "from jointlead.services import files; from jointlead.ui.application import run_until_ready; "
              "path = Path(sys.argv[1]); "
              "sys.exit(run_until_ready(lambda: files.open_existing(path), configure_logging(), database_path=path))")
    return subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True,
                          env=environment(data), timeout=120)


def todays_view(snapshot: dict) -> dict:
    return snapshot["days"][date.today().isoformat()]


def snapshot_uses(data: Path) -> int:
    return (data / "logs" / "jointlead.log").read_text(encoding="utf-8").count(SNAPSHOT_SAID)


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


def test_the_next_start_paints_the_dashboard_from_its_snapshot_while_the_file_is_untouched(demo_path, tmp_path):
    data = tmp_path / "data"
    first = ready_with_snapshot(demo_path, data)
    assert first.returncode == 0, first.stdout + first.stderr
    assert snapshot_uses(data) == 0  # nothing kept yet: the figures came from the database
    kept = json.loads((data / "dashboard-snapshot.json").read_text(encoding="utf-8"))
    assert kept["path"] == str(demo_path.resolve()) and todays_view(kept)["tiles"]["Staff"][0] == "56"

    second = ready_with_snapshot(demo_path, data)
    assert second.returncode == 0, second.stdout + second.stderr
    assert second.stdout == first.stdout  # the same "Ready" line, from the snapshot this time
    assert snapshot_uses(data) == 1
    assert "warning" not in second.stderr  # the database, once open, showed the same figures


def test_a_changed_file_is_never_shown_from_its_snapshot(demo_path, tmp_path):
    data = tmp_path / "data"
    assert ready_with_snapshot(demo_path, data).returncode == 0
    with sqlite3.connect(demo_path) as connection:  # as a command-line import would, with the window closed
        connection.execute("UPDATE setting SET value = 'Renamed service' WHERE key = 'service_name'")
    connection.close()
    result = ready_with_snapshot(demo_path, data)
    assert result.returncode == 0, result.stdout + result.stderr
    assert snapshot_uses(data) == 0
    kept = json.loads((data / "dashboard-snapshot.json").read_text(encoding="utf-8"))
    assert todays_view(kept)["heading"] == "Renamed service"  # the one kept now is of the file as it is


def test_a_snapshot_it_cannot_read_is_ignored_and_replaced(demo_path, tmp_path):
    """A snapshot kept by a jointlead whose dashboard was laid out otherwise (or damaged) only costs the head start."""
    data = tmp_path / "data"
    assert ready_with_snapshot(demo_path, data).returncode == 0
    snapshot = data / "dashboard-snapshot.json"
    kept = json.loads(snapshot.read_text(encoding="utf-8"))
    damaged = {**kept, "days": {**kept["days"], date.today().isoformat(): {"tiles": {"Staff": "56"}}}}
    snapshot.write_text(json.dumps(damaged), encoding="utf-8")
    result = ready_with_snapshot(demo_path, data)
    assert result.returncode == 0, result.stdout + result.stderr
    assert snapshot_uses(data) == 0
    assert json.loads(snapshot.read_text(encoding="utf-8")) == kept


def test_figures_first_shown_that_the_database_does_not_bear_out_are_replaced_and_said(demo_path, tmp_path):
    data = tmp_path / "data"
    assert ready_with_snapshot(demo_path, data).returncode == 0
    snapshot = data / "dashboard-snapshot.json"
    kept = json.loads(snapshot.read_text(encoding="utf-8"))
    todays_view(kept)["tiles"]["Staff"][0] = "57"  # as if the proof had failed
    snapshot.write_text(json.dumps(kept), encoding="utf-8")
    result = ready_with_snapshot(demo_path, data)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the figures first shown were not the database's" in result.stderr
    assert todays_view(json.loads(snapshot.read_text(encoding="utf-8")))["tiles"]["Staff"][0] == "56"
