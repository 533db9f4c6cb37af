"""The hostile corpus through the command line: each kind of bad file, for each importer, as its own process.

    .venv/bin/python bench/hostile.py [--kind TEXT ...] [--importer ledger|staff|supervision|actions ...]

Each case runs `jointlead import KIND FILE --db DEMO --dry-run` (and, where the dry run accepts the file, the same
without --dry-run, which must refuse it) in a fresh process, timed from start to exit, with its peak memory taken
from os.wait4: the largest resident set of the process and any reading process it started. Python's start-up and
jointlead's imports are inside both figures. The database is a copy of the demo service; its dump must be the same
after every case. Targets (issue 10): every case refused with a plain message, within 5 s and 300 MB.

Prints one line per case (kind, importer, outcome, first 60 characters of the message, seconds, peak MB) and a
summary. The corpus is tests/exchange/hostile.py's CORPUS, the same files tests/reliability/test_hostile_corpus.py
reads in-process.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from summary import record

ROOT = Path(__file__).resolve().parent.parent
SECONDS, MEGABYTES = 5.0, 300.0
NOT_PLAIN = re.compile(r"Traceback|File \"|line \d+, in |\b[A-Z][A-Za-z]*(?:Error|Exception|Warning)\b|"
                       r"\b0x[0-9a-f]{6,}")
WHOSE = {"ledger": ["--partner", "NFT"], "staff": ["--employer", "NFT"]}


@dataclass(frozen=True)
class Outcome:
    kind: str
    importer: str
    verdict: str  # "refused", "accepted" (a failure), or "crashed" (a failure)
    message: str
    seconds: float
    peak_mb: float
    unchanged: bool


def digest(database: Path) -> str:
    connection = sqlite3.connect(database)
    try:
        return hashlib.sha256("\n".join(connection.iterdump()).encode()).hexdigest()
    finally:
        connection.close()


# A small process between this one and jointlead: a forked child counts its parent's memory in its peak until it
# execs, and this script holds openpyxl and the corpus; the launcher holds next to nothing.
LAUNCHER = """
import os, sys, time
started = time.perf_counter()
out, err = (os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC) for name in sys.argv[1:3])
pid = os.fork()
if pid == 0:
    os.dup2(out, 1)
    os.dup2(err, 2)
    os.execv(sys.executable, [sys.executable, "-m", "jointlead", *sys.argv[3:]])
_pid, status, usage = os.wait4(pid, 0)
print(os.waitstatus_to_exitcode(status), time.perf_counter() - started, usage.ru_maxrss / 1024)
"""


def run(arguments: list[str], folder: Path) -> tuple[int, str, str, float, float]:
    """Exit status, stdout, stderr, seconds and peak MB of one jointlead process (and its reading process, if any).

    The peak is ru_maxrss from wait4: the largest resident set of that process or any child it waited for.
    """
    out, err = folder / "stdout.txt", folder / "stderr.txt"
    launched = subprocess.run([sys.executable, "-S", "-c", LAUNCHER, str(out), str(err), *arguments],
                              capture_output=True, text=True, check=True, env={**os.environ, "RUST_BACKTRACE": "0"})
    code, seconds, peak = launched.stdout.split()
    return int(code), out.read_text(errors="replace"), err.read_text(errors="replace"), float(seconds), float(peak)


def message_of(out: str, err: str) -> str:
    """What the user reads: the refusal on stderr, or the first rejected row or problem the preview printed."""
    text = err.strip()
    if text.startswith("jointlead: "):
        return " ".join(text.removeprefix("jointlead: ").split())
    for line in out.splitlines():
        if line.startswith(("rejected: ", "problem: ")):
            return line.split(": ", 1)[1]
    return " ".join((text or out).split())


def one_case(kind, importer: str, database: Path, tracker: Path, folder: Path) -> Outcome:
    path = kind.make(folder, importer, tracker)
    before = digest(database)
    base = ["import", importer, str(path), "--db", str(database), *WHOSE.get(importer, [])]
    code, out, err, seconds, peak = run([*base, "--dry-run"], folder)
    if code == 0:  # a clean dry run (say, no rows at all): the import itself must then refuse
        code, out, err, more, second_peak = run(base, folder)
        seconds, peak = seconds + more, max(peak, second_peak)
    message = message_of(out, err)
    if code == 1 and "something unexpected" not in err and not NOT_PLAIN.search(message):
        verdict = "refused"
    elif code == 0:
        verdict = "accepted"
    else:
        verdict = "crashed" if code != 1 or "something unexpected" in err else "unplain"
    return Outcome(kind.name, importer, verdict, message, seconds, peak, digest(database) == before)


def demo_service(folder: Path) -> tuple[Path, Path]:
    from jointlead.services.action_tracker import export_action_tracker
    from jointlead.services.demo import create_demo_service
    from jointlead.store.database import create_database

    path = folder / "demo.sqlite"
    database = create_database(path)
    try:
        create_demo_service(database)
        tracker = export_action_tracker(database, folder / "tracker.xlsx", organisation="NFT").path
    finally:
        database.close()
    return path, tracker


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", action="append", default=[], help="only kinds whose name holds this text")
    parser.add_argument("--importer", action="append", default=[], help="only this importer (repeatable)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tests"))
    from exchange import hostile

    kinds = [kind for kind in hostile.CORPUS if not args.kind or any(text in kind.name for text in args.kind)]
    with tempfile.TemporaryDirectory(prefix="jointlead-hostile-") as temporary:
        folder = Path(temporary)
        database, tracker = demo_service(folder)
        outcomes: list[Outcome] = []
        print(f"{'kind':<26} {'importer':<11} {'outcome':<8} {'message':<60} {'s':>5} {'MB':>6}")
        for number, kind in enumerate(kinds):
            for importer in kind.importers:
                if args.importer and importer not in args.importer:
                    continue
                case = folder / f"case-{number}-{importer}"
                case.mkdir()
                outcome = one_case(kind, importer, database, tracker, case)
                shutil.rmtree(case)  # the bombs are small on disk, but there are many cases
                outcomes.append(outcome)
                flag = "" if outcome.unchanged else "  DATABASE CHANGED"
                print(f"{kind.name[:26]:<26} {importer:<11} {outcome.verdict:<8} {outcome.message[:60]:<60} "
                      f"{outcome.seconds:>5.2f} {outcome.peak_mb:>6.1f}{flag}", flush=True)
    refused = sum(1 for o in outcomes if o.verdict == "refused" and o.unchanged)
    slowest = max(outcomes, key=lambda o: o.seconds)
    largest = max(outcomes, key=lambda o: o.peak_mb)
    ok = (refused == len(outcomes) and slowest.seconds < SECONDS and largest.peak_mb < MEGABYTES
          and len(kinds) >= 30)
    print(f"\nkinds: {len(kinds)} (target >= 30), cases: {len(outcomes)}, refused with the database unchanged: "
          f"{refused}/{len(outcomes)}, max {slowest.seconds:.2f} s ({slowest.kind}, {slowest.importer}; target < "
          f"{SECONDS:.0f} s), max {largest.peak_mb:.0f} MB ({largest.kind}, {largest.importer}; target < "
          f"{MEGABYTES:.0f} MB): {'PASS' if ok else 'FAIL'}")
    gaps = {kind.name: kind.known_gap for kind in kinds}
    others = [o for o in outcomes if not gaps[o.kind]]
    if others and len(others) < len(outcomes):
        print(f"without the known gaps ({', '.join(sorted({o.kind for o in outcomes if gaps[o.kind]}))}): "
              f"{sum(1 for o in others if o.verdict == 'refused' and o.unchanged)}/{len(others)} refused with the "
              f"database unchanged, max {max(o.seconds for o in others):.2f} s, "
              f"max {max(o.peak_mb for o in others):.0f} MB")
    for outcome in outcomes:
        if outcome.verdict != "refused" or not outcome.unchanged or outcome.seconds >= SECONDS \
                or outcome.peak_mb >= MEGABYTES:
            known = f" (known gap: {gaps[outcome.kind]})" if gaps[outcome.kind] else ""
            print(f"  missed a target: {outcome.kind} / {outcome.importer}: {outcome.verdict}, "
                  f"{outcome.seconds:.1f} s, {outcome.peak_mb:.0f} MB, {outcome.message[:120]}{known}")
    record(f"hostile files: {len(kinds)} kinds, {len(outcomes)} cases refused, database unchanged", refused, "",
           None, f"all {len(outcomes)}", refused == len(outcomes) and len(kinds) >= 30, unit="cases")
    record("hostile files: slowest refusal", slowest.seconds, "", None, f"< {SECONDS:.0f} s", slowest.seconds < SECONDS)
    record("hostile files: most memory", largest.peak_mb, "", None, f"< {MEGABYTES:.0f} MB",
           largest.peak_mb < MEGABYTES, unit="MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
