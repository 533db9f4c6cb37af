"""Crash safety, a few trials in the normal suite: SIGKILL the real import and export commands at seeded random
points and prove the database is sound and holds all of the import or none of it.

bench/crash_safety.py holds the trial logic and runs 50 trials on a larger extract; this runs the same functions on
a small one, and proves the judge can fail.
"""

from __future__ import annotations

import contextlib
import importlib
import shutil
import sqlite3
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def crash():
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(BENCH))
        return importlib.import_module("crash_safety")


@pytest.fixture(scope="module")
def jobs(crash, tmp_path_factory):
    """The ledger import (2,000 rows, read in-process) and the budget export from the database it makes."""
    return crash.jobs(tmp_path_factory.mktemp("crash"), rows=2_000, extra_columns=3, exports=("budget",))


def _failures(trials) -> list[str]:
    return [f"{trial.job} killed at {trial.delay:.2f} s: {failure}" for trial in trials for failure in trial.failures]


def test_an_import_killed_at_random_points_leaves_all_of_it_or_none(crash, jobs, tmp_path):
    ledger = jobs[0]
    assert ledger.after.count("ledger_transaction") == ledger.before.count("ledger_transaction") + 2_000
    assert ledger.after.count("import_batch") == ledger.before.count("import_batch") + 1

    trials = crash.run_trials(ledger, 4, seed=10, work=tmp_path, main_only_every=3)

    assert _failures(trials) == []
    assert {trial.outcome for trial in trials} <= {"none", "whole"}
    assert any(trial.killed for trial in trials)


def test_an_export_killed_at_random_points_leaves_the_database_and_the_destination_sound(crash, jobs, tmp_path):
    budget = jobs[1]

    trials = crash.run_trials(budget, 2, seed=11, work=tmp_path)

    assert _failures(trials) == []
    assert any(trial.killed for trial in trials)


def _drop_ledger_rows(db: Path, out: Path) -> None:
    with contextlib.closing(sqlite3.connect(db)) as connection, connection:
        connection.execute("DELETE FROM ledger_transaction WHERE id IN "
                           "(SELECT id FROM ledger_transaction ORDER BY id DESC LIMIT 10)")


def _scribble_on_the_ledger(db: Path, out: Path) -> None:
    with contextlib.closing(sqlite3.connect(db)) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'ledger_transaction'").fetchone()[0]
    with open(db, "r+b") as file:
        file.seek((root - 1) * page_size + 100)
        file.write(bytes(range(7, 250)) * 8)


def _half_a_workbook(db: Path, out: Path) -> None:
    out.write_bytes(out.read_bytes()[: out.stat().st_size // 2])


@pytest.mark.parametrize(("job", "doctor", "found"), [
    (0, _drop_ledger_rows, "neither before nor after the import"),
    (0, _scribble_on_the_ledger, "integrity"),
    (1, _half_a_workbook, "a damaged workbook at the destination"),
])
def test_the_judge_sees_a_partial_import_a_damaged_database_and_a_damaged_workbook(crash, jobs, tmp_path, job, doctor,
                                                                                   found):
    chosen = jobs[job]
    db, out = tmp_path / "db.sqlite", tmp_path / "out.xlsx"
    shutil.copyfile(jobs[1].base, db)  # the database after a whole import (and, for the export, before it)
    shutil.copyfile(jobs[1].reference_output, out)
    doctor(db, out)
    (tmp_path / "tmp").mkdir()
    trial = crash.Trial(chosen.name, 0.0, from_writing=False)

    crash.judge(chosen, trial, db, out, None, tmp_path)

    assert trial.outcome == "partial"
    assert any(failure.startswith(found) for failure in trial.failures), trial.failures
