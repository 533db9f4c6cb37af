"""Crash safety (issue 10): kill -9 the import and export processes at random points and prove nothing half-happens.

    .venv/bin/python bench/crash_safety.py [--imports 35] [--exports 15] [--rows 40000] [--seed 10]

Each trial runs the real command line (`python -m jointlead import ledger ...`, `... export pack|budget ...`) in a
session of its own, on a fresh copy of a database, and sends SIGKILL at a seeded random point: by turns uniformly over
the command's run time (its fastest of two uninterrupted runs, on other copies), and uniformly over its write phase,
timed from when the trial sees writing begin (frames in the WAL, or the workbook's temporary file), since most of a
run is starting up and reading. Mostly the whole process group is killed,
reading process included; every third import trial kills only the main process, as a task manager would, and the
reading process must then end by itself. After each kill:

- a byte copy of what the process left (the file, its -wal and -shm) passes `PRAGMA integrity_check` and
  `PRAGMA foreign_key_check`, opened with plain sqlite3;
- an import is all or nothing: the row count of every table, the ledger's total and the rows in force equal either
  the database before the import or the database after an uninterrupted import (so the import batch, its rows, its
  audit entry and the saved mapping arrive together or not at all);
- an export changed nothing but, possibly, its one audit entry, and then the file that entry names is at the
  destination with the very sha256 it records; the destination holds nothing, the earlier export it replaced
  (byte for byte), or a complete workbook with every sheet; a temporary file left beside it is counted;
- jointlead itself opens the database the process left (recovering a hot WAL) and sees the same state.

The ledger extract is as wide as real ones (26 columns), so at 40,000 rows it declares over a million cells and is
parsed in the reading process (ReadLimits in exchange/reading.py). Exits 1 on any integrity failure, partial
outcome, damaged export, refused database or orphaned process.

tests/reliability/test_crash_safety.py runs a few trials of the same functions, smaller, in the normal suite.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from summary import record

PARTNER = "NFT"
YEAR = "2026-27"
CORE_HEADER = ["Cost Centre", "Subjective", "Period", "Journal Line Ref", "Description", "Value £", "Posting Date"]
# What a finance system puts beside the columns jointlead reads; none of them is a synonym of a field it reads.
EXTRA_HEADER = ["Supplier Code", "Purchase Order", "Invoice Number", "Entered By", "Approved By", "Batch Source",
                *(f"Analysis Code {n}" for n in range(1, 14))]
ORPHAN_GRACE_S = 10.0  # how long a reading process may outlive a killed app before it counts as orphaned


# --- inputs -----------------------------------------------------------------------------------------------------


def write_extract(path: Path, rows: int, extra_columns: int = len(EXTRA_HEADER)) -> Path:
    """An NFT ledger extract for M8 2026-27, a title block above the header and `extra_columns` columns not read."""
    import openpyxl

    extra = EXTRA_HEADER[:extra_columns]
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Detail")
    sheet.append(["Northshire NHS Foundation Trust: ledger detail, period 8 2026-27"])
    sheet.append([])
    sheet.append(CORE_HEADER + extra)
    centres = ["C41200", "C41210", "C41250", "C41300", "C99999"]
    padding = [f"SUP{n:04d}" for n in range(len(extra))]
    for n in range(rows):
        amount = f"£{(n * 7919) % 500000 / 100:,.2f}" if n % 3 else round((n * 104729) % 90000 / 100, 2)
        sheet.append([centres[n % 5], f"51{n % 50:02d}", "M8", f"JNL-2026-{n:07d}", f"Posting {n % 997}", amount,
                      "15/11/2026", *padding])
    workbook.save(path)
    return path


def command(*arguments: object) -> list[str]:
    return [sys.executable, "-m", "jointlead", *(str(argument) for argument in arguments)]


def environment(folder: Path) -> dict[str, str]:
    """The command's environment: its own data folder and temporary folder, so anything it leaves can be counted."""
    (folder / "tmp").mkdir(parents=True, exist_ok=True)
    return {**os.environ, "JOINTLEAD_DATA_DIR": str(folder / "data"), "TMPDIR": str(folder / "tmp"),
            "QT_QPA_PLATFORM": "offscreen"}


def make_demo(path: Path) -> Path:
    subprocess.run(command("demo", "--db", path), check=True, capture_output=True, env=environment(path.parent))
    return path


# --- what a database holds --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """Enough of a database to tell 'before', 'after' and anything in between apart, without timestamps."""

    counts: tuple[tuple[str, int], ...]  # every table's row count
    ledger_pence: int
    ledger_in_force: int

    def count(self, table: str) -> int:
        return dict(self.counts)[table]

    def without(self, table: str) -> State:
        return State(tuple(pair for pair in self.counts if pair[0] != table), self.ledger_pence, self.ledger_in_force)


def _connect(path: Path) -> sqlite3.Connection:
    # A plain read-write connection, as any SQLite tool would open it: a hot WAL is recovered, never ignored.
    return sqlite3.connect(f"file:{path}?mode=rw", uri=True)


def read_state(path: Path) -> State:
    connection = _connect(path)
    try:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        counts = tuple((table, connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
                       for table in tables)
        pence, in_force = connection.execute(
            "SELECT coalesce(sum(amount_pence), 0), count(*) FROM ledger_transaction "
            "WHERE removed_by_batch_id IS NULL").fetchone()
    finally:
        connection.close()
    return State(counts, pence, in_force)


def integrity_problems(path: Path) -> list[str]:
    try:
        connection = _connect(path)
        try:
            problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            problems = [] if problems == ["ok"] else problems
            problems += [f"broken reference: {row}" for row in connection.execute("PRAGMA foreign_key_check")]
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        return [str(error)]
    return problems


def last_audit(path: Path) -> tuple[str, str, dict]:
    connection = _connect(path)
    try:
        verb, entity, changes = connection.execute(
            "SELECT verb, entity, changes_json FROM audit_entry ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        connection.close()
    return verb, entity, json.loads(changes)


def copy_as_left(database: Path, folder: Path) -> Path:
    """A byte copy of the database file with its -wal and -shm, exactly as the killed process left them."""
    folder.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        source = database.with_name(database.name + suffix)
        if source.exists():
            shutil.copyfile(source, folder / source.name)
    return folder / database.name


def app_opens(database: Path) -> str | None:
    """Why jointlead refuses the database the process left (None when it opens it), as a user reopening it would."""
    from jointlead.services.files import open_existing

    try:
        open_existing(database).close()
    except Exception as error:  # any refusal is the finding
        return f"{type(error).__name__}: {error}"
    return None


# --- running and killing ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One command to kill, and the state it starts from and (uninterrupted) ends in."""

    kind: str  # "import" or "export"
    name: str  # what the table calls it, e.g. "import ledger", "export pack"
    arguments: tuple[str, ...]  # after `jointlead`, with {db} and {out} to fill in
    base: Path  # the database each trial copies, closed cleanly (a single file)
    before: State
    after: State  # after an uninterrupted run
    seconds: float  # the fastest uninterrupted run
    writing_from: float  # when, in that run, it began to write (to the WAL, or the workbook's temporary file)
    sheets: tuple[str, ...] = ()  # an export's sheets, from the uninterrupted run
    reference_output: Path | None = None  # an export from the uninterrupted run, to stand in as last month's


def _run(job_arguments: Sequence[str], db: Path, out: Path, folder: Path) -> subprocess.Popen:
    argv = command(*(argument.format(db=db, out=out) for argument in job_arguments))
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment(folder),
                            start_new_session=True)


def prepare(kind: str, name: str, arguments: Sequence[str], base: Path, work: Path, runs: int = 2) -> Job:
    """Run the job uninterrupted `runs` times on copies of `base`: its run time, and the state and file it makes."""
    times: list[float] = []
    writing: list[float] = []
    after = None
    sheets: tuple[str, ...] = ()
    output = None
    for run in range(runs):
        folder = work / f"{name.replace(' ', '-')}-reference-{run}"
        folder.mkdir(parents=True)
        db, out = folder / "db.sqlite", folder / "out.xlsx"
        shutil.copyfile(base, db)
        started = time.perf_counter()
        process = _run(arguments, db, out, folder)
        began = None
        while process.poll() is None:
            if began is None and _writing(kind, db, out):
                began = time.perf_counter() - started
            time.sleep(0.002)
        times.append(time.perf_counter() - started)
        writing.append(times[-1] if began is None else min(began, times[-1]))
        error = process.stderr.read() if process.stderr else b""
        if process.returncode != 0:
            raise RuntimeError(f"{name} failed uninterrupted: {error.decode(errors='replace')}")
        after = read_state(db)
        if kind == "export":
            sheets = _sheets(out)
            output = out
    assert after is not None
    fastest = times.index(min(times))
    return Job(kind, name, tuple(arguments), base, read_state(base), after, times[fastest], writing[fastest],
               sheets, output)


def _sheets(path: Path) -> tuple[str, ...]:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return tuple(workbook.sheetnames)
    finally:
        workbook.close()


def _writing(kind: str, db: Path, out: Path) -> bool:
    """Whether the job has begun to write: frames in the database's WAL, or the workbook's temporary file."""
    if kind == "import":
        try:
            return db.with_name(db.name + "-wal").stat().st_size > 0
        except FileNotFoundError:  # not yet made, or removed as the command closed the database
            return False
    return any(out.parent.glob(f".{out.name}.*.tmp"))


@dataclass
class Trial:
    job: str
    delay: float
    from_writing: bool  # the delay ran from when writing began, not from the start
    killed: bool = False  # False when the command finished before the delay ran out
    whole_group: bool = True
    reader_alive: bool = False  # the reading process was running when the kill came
    writing: bool = False  # the kill came with frames in the WAL (import) or the workbook half-saved (export)
    outcome: str = ""  # "none", "whole", or "partial"
    failures: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)  # temporary files the process could not clean up


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [int(child) for child in children.read().split()]
    except OSError:
        return []


def _is_reader(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return b"spawn_main" in cmdline.read()
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def run_trial(job: Job, delay: float, folder: Path, *, from_writing: bool = False, whole_group: bool = True,
              previous_output: bool = False) -> Trial:
    """Start the job on a fresh copy of its database, SIGKILL it `delay` seconds after it starts (or, `from_writing`,
    after it is seen to begin writing), and judge what it left. `whole_group`: kill the reading process too."""
    folder.mkdir(parents=True)
    db, out = folder / "db.sqlite", folder / "out.xlsx"
    shutil.copyfile(job.base, db)
    if previous_output and job.reference_output is not None:
        shutil.copyfile(job.reference_output, out)
    previous = out.read_bytes() if out.exists() else None
    trial = Trial(job.name, delay, from_writing, whole_group=whole_group)
    process = _run(job.arguments, db, out, folder)
    # Timed from an event the trial sees, the write phase is hit however busy the machine is.
    while from_writing and process.poll() is None and not _writing(job.kind, db, out):
        time.sleep(0.002)
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        children = _children(process.pid)  # the reading process, and multiprocessing's resource tracker
        trial.reader_alive = any(_alive(pid) and _is_reader(pid) for pid in children)
        trial.writing = _writing(job.kind, db, out)
        if whole_group:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()
        trial.killed = process.returncode == -signal.SIGKILL
        deadline = time.monotonic() + ORPHAN_GRACE_S
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        if any(_alive(pid) for pid in children):
            trial.failures.append(f"a child process outlived the app by {ORPHAN_GRACE_S:.0f} s")
        with _suppress_missing():
            os.killpg(process.pid, signal.SIGKILL)  # nothing of the trial outlives it
    if process.stderr is not None:
        error = process.stderr.read().decode(errors="replace")
        process.stderr.close()
        if process.returncode not in (0, -signal.SIGKILL):
            trial.failures.append(f"exit code {process.returncode}: {error.strip()[-300:]}")
    judge(job, trial, db, out, previous, folder)
    return trial


class _suppress_missing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> bool:
        return kind is not None and issubclass(kind, ProcessLookupError)


def judge(job: Job, trial: Trial, db: Path, out: Path, previous: bytes | None, folder: Path) -> None:
    """Add to `trial` what is wrong with the database `db` and the file `out` a killed `job` left (`previous`: what
    was at `out` before it started)."""
    left = copy_as_left(db, folder / "as-left")
    problems = integrity_problems(left)
    trial.failures += [f"integrity: {problem}" for problem in problems]
    if problems:
        trial.outcome = "partial"
        return
    state = read_state(left)
    if job.kind == "import":
        trial.outcome = "none" if state == job.before else "whole" if state == job.after else "partial"
        if trial.outcome == "partial":
            trial.failures.append(f"neither before nor after the import: {_difference(job.before, state)}")
    else:
        trial.outcome = _judge_export(job, trial, state, left, out, previous)
    refused = app_opens(db)
    if refused:
        trial.failures.append(f"jointlead refused the database it left: {refused}")
    elif read_state(db) != state:
        trial.failures.append("jointlead saw a different state from plain sqlite3")
    trial.leftovers = sorted(str(path.relative_to(folder)) for path in (folder / "tmp").rglob("*") if path.is_file())
    trial.leftovers += sorted(path.name for path in folder.glob(f".{out.name}.*.tmp"))


def _judge_export(job: Job, trial: Trial, state: State, left: Path, out: Path, previous: bytes | None) -> str:
    audits = state.count("audit_entry") - job.before.count("audit_entry")
    if state.without("audit_entry") != job.before.without("audit_entry") or audits not in (0, 1):
        trial.failures.append(f"the export changed the database: {_difference(job.before, state)}")
        return "partial"
    written = out.read_bytes() if out.exists() else None
    if audits == 1:
        verb, entity, changes = last_audit(left)
        if entity != "export" or changes.get("file", [None, None])[1] != out.name:
            trial.failures.append(f"an unexpected audit entry: {verb} {entity} {changes}")
        elif written is None or hashlib.sha256(written).hexdigest() != changes["sha256"][1]:
            trial.failures.append("the audit entry records an export that is not at the destination")
    if written is None:
        if previous is not None:
            trial.failures.append("the earlier export at the destination was lost")
        return "none"
    if written == previous:
        return "whole" if audits else "none"
    try:
        with zipfile.ZipFile(out) as archive:
            damaged = archive.testzip()
        sheets = _sheets(out)
    except Exception as error:  # any failure to read it back is the finding
        trial.failures.append(f"a damaged workbook at the destination: {type(error).__name__}: {error}")
        return "partial"
    if damaged or sheets != job.sheets:
        trial.failures.append(f"an incomplete workbook at the destination: member {damaged}, sheets {sheets}")
        return "partial"
    return "whole"


def _difference(expected: State, found: State) -> str:
    counts = [f"{table} {dict(expected.counts).get(table)} -> {count}" for table, count in found.counts
              if dict(expected.counts).get(table) != count]
    return ", ".join(counts) or f"ledger {expected.ledger_pence} -> {found.ledger_pence} pence"


def delays(seed: int, trials: int, job: Job) -> list[tuple[bool, float]]:
    """(from_writing, seconds) for each trial, the same for the same seed: by turns uniform over a whole uninterrupted
    run, and uniform over the part of it that writes, timed from when writing is seen to begin (most of a run is
    starting up and reading, where a kill proves little)."""
    generator = random.Random(seed)
    return [(True, generator.uniform(0.0, job.seconds - job.writing_from)) if number % 2
            else (False, generator.uniform(0.0, job.seconds)) for number in range(trials)]


# --- the bench --------------------------------------------------------------------------------------------------


def jobs(work: Path, rows: int, extra_columns: int = len(EXTRA_HEADER),
         exports: Sequence[str] = ("pack", "budget")) -> list[Job]:
    """The ledger import into the demo database, and the exports from the database that import makes."""
    demo = make_demo(work / "demo.sqlite")
    extract = write_extract(work / "ledger extract.xlsx", rows, extra_columns)
    ledger = prepare("import", "import ledger", ("import", "ledger", str(extract), "--db", "{db}", "--partner",
                                                PARTNER, "--fy", YEAR, "--accept-valid"), demo, work)
    imported = work / "imported.sqlite"
    shutil.copyfile(work / "import-ledger-reference-0" / "db.sqlite", imported)
    return [ledger, *(prepare("export", f"export {kind}", ("export", kind, "--db", "{db}", "--org", PARTNER,
                                                              "--out", "{out}"), imported, work)
                      for kind in exports)]


def run_trials(job: Job, count: int, seed: int, work: Path, *, main_only_every: int = 0) -> list[Trial]:
    trials = []
    for number, (from_writing, delay) in enumerate(delays(seed, count, job)):
        whole_group = not (main_only_every and number % main_only_every == main_only_every - 1)
        trials.append(run_trial(job, delay, work / f"{job.name.replace(' ', '-')}-{number}", from_writing=from_writing,
                                whole_group=whole_group, previous_output=number // 2 % 2 == 1))
    return trials


def _integrity_failed(trial: Trial) -> bool:
    return any(failure.startswith("integrity") for failure in trial.failures)


def report(trials: Sequence[Trial], jobs_run: Sequence[Job], elapsed: float) -> int:
    """Print the table and the figures; 1 if any trial failed."""
    print(f"\n{'':<15}{'trials':>7}{'killed':>7}{'writing':>8}{'reader':>7}{'none':>6}{'whole':>6}{'integrity':>10}"
          f"{'partial':>8}{'other':>6}{'temp left':>10}{'run s':>7}{'writes at':>10}")
    for job in jobs_run:
        mine = [trial for trial in trials if trial.job == job.name]
        killed = [trial for trial in mine if trial.killed]
        other = [trial for trial in mine if trial.failures and trial.outcome != "partial"
                 and not _integrity_failed(trial)]
        print(f"{job.name:<15}{len(mine):>7}{len(killed):>7}{sum(t.writing for t in killed):>8}"
              f"{sum(t.reader_alive for t in killed):>7}{sum(t.outcome == 'none' for t in killed):>6}"
              f"{sum(t.outcome == 'whole' for t in killed):>6}{sum(map(_integrity_failed, mine)):>10}"
              f"{sum(t.outcome == 'partial' for t in mine):>8}{len(other):>6}{sum(bool(t.leftovers) for t in mine):>10}"
              f"{job.seconds:>7.2f}{job.writing_from:>10.2f}")
    print("  killed: SIGKILL arrived before the command finished; writing: with frames in the WAL (import) or the "
          "workbook half-saved (export);\n  reader: with the reading process running; none/whole: the import or "
          "export left no trace / all of itself; temp left: temporary files not cleaned up")
    killed = [trial for trial in trials if trial.killed]
    failed = [trial for trial in trials if trial.failures]
    imports = [trial for trial in killed if trial.job.startswith("import")]
    exports = [trial for trial in killed if trial.job.startswith("export")]
    print(f"\nCrash safety: {len(trials)} trials, {len(killed)} killed with SIGKILL "
          f"({sum(not t.whole_group for t in killed)} killing only the main process), in {elapsed:.0f} s.")
    print(f"  imports killed: {len(imports)}: {sum(t.outcome == 'none' for t in imports)} before the commit held "
          f"none of it ({sum(t.writing and t.outcome == 'none' for t in imports)} of them mid-write), "
          f"{sum(t.outcome == 'whole' for t in imports)} after it held the whole import")
    print(f"  exports killed: {len(exports)}: {sum(t.outcome == 'none' for t in exports)} left no new file and no "
          f"audit entry ({sum(t.writing for t in exports)} killed mid-save), "
          f"{sum(t.outcome == 'whole' for t in exports)} a complete workbook")
    print(f"  integrity_check failures: {sum(map(_integrity_failed, trials))} (must be 0); partial outcomes: "
          f"{sum(t.outcome == 'partial' for t in trials)} (must be 0); trials with any failure: {len(failed)} "
          "(must be 0)")
    left = [trial for trial in trials if trial.leftovers]
    if left:
        kinds = sorted({_pattern(name) for trial in left for name in trial.leftovers})
        print(f"  note: {len(left)} trials left temporary files ({', '.join(kinds)}); none at the destination")
    for trial in failed:
        print(f"  FAILED {trial.job} killed {_when(trial)}: {'; '.join(trial.failures)}")
    record(f"crash safety: {len(trials)} SIGKILL trials, any failure", len(failed), "", None,
           "0 (sound, whole or none)", not failed, unit="trials")
    return 1 if failed else 0


def _when(trial: Trial) -> str:
    return f"{trial.delay:.2f} s after {'it began to write' if trial.from_writing else 'it started'}"


def _pattern(name: str) -> str:
    """A leftover's kind: tmp/jointlead.abc123.xml -> tmp/jointlead.*.xml."""
    folder, _, file = name.rpartition("/")
    parts = file.split(".")
    if len(parts) > 2:
        parts[-2] = "*"
    return (f"{folder}/" if folder else "") + ".".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--imports", type=int, default=35, help="import trials")
    parser.add_argument("--exports", type=int, default=15, help="export trials, shared between pack and budget")
    parser.add_argument("--rows", type=int, default=40_000, help="rows in the ledger extract")
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="jointlead-crash-") as temporary:
        work = args.keep or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        prepared = jobs(work, args.rows)
        ledger, *exports = prepared
        added = ledger.after.count("ledger_transaction") - ledger.before.count("ledger_transaction")
        print(f"Uninterrupted, fastest of 2: import of {args.rows:,} rows x {len(CORE_HEADER) + len(EXTRA_HEADER)} "
              f"columns {ledger.seconds:.2f} s (+{added:,} ledger rows); "
              + ", ".join(f"{job.name} {job.seconds:.2f} s" for job in exports))
        trials = run_trials(ledger, args.imports, args.seed, work, main_only_every=3)
        for index, job in enumerate(exports):
            share = args.exports // len(exports) + (index < args.exports % len(exports))
            trials += run_trials(job, share, args.seed + 1 + index, work)
        return report(trials, prepared, time.perf_counter() - started)


if __name__ == "__main__":
    sys.exit(main())
