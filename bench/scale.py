"""Every performance figure jointlead is judged by, in one table: each bench run in turn, side by side with its
baseline in the same run, then one line per figure with the ratio and whether its target is met (issue 10).

    .venv/bin/python bench/scale.py [--only startup,table_sort,...]

Benches (each also runs on its own; see its docstring): startup (the window with its dashboard against a bare
QMainWindow), import_ledger (50,000 rows against python-calamine and pandas; peak memory at 500,000, with its text
inline and in shared strings as Excel saves it), table_sort (100,000 rows in the model against
QSortFilterProxyModel), budget_queries (the budget summary over 1,000,000 transactions), pack_scale (the pack at
10x the demo against openpyxl write_only), org_chart (1,000 people), crash_safety (50 imports and exports killed
with SIGKILL) and hostile (every kind of bad file, each importer).
The tests prove the rest of what issue 10 asks (migrations, fuzzing, backup and restore, undo and redo, erasure).
Exit status 0 only when every target is met.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from summary import SUMMARY_FILE

HERE = Path(__file__).resolve().parent
BENCHES = {  # name: the arguments it runs with here
    "startup": ["--runs", "5"],
    "import_ledger": ["--repeat", "3", "--shared-strings"],
    "table_sort": ["--repeat", "1"],
    "budget_queries": ["--repeat", "3"],
    "pack_scale": ["--repeat", "3"],
    "org_chart": ["--repeat", "3"],
    "crash_safety": [],
    "hostile": [],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated bench names, e.g. startup,table_sort")
    args = parser.parse_args()
    chosen = args.only.split(",") if args.only else list(BENCHES)
    unknown = [name for name in chosen if name not in BENCHES]
    if unknown:
        parser.error(f"no bench called {', '.join(unknown)}; choose from {', '.join(BENCHES)}")
    with tempfile.TemporaryDirectory() as folder:
        summary = Path(folder) / "summary.jsonl"
        env = {**os.environ, SUMMARY_FILE: str(summary), "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM",
                                                                                          "offscreen")}
        took = {}
        for name in chosen:
            print(f"\n=== {name} ===", flush=True)
            start = time.perf_counter()
            subprocess.run([sys.executable, str(HERE / f"{name}.py"), *BENCHES[name]], env=env, check=False)
            took[name] = time.perf_counter() - start
        figures = [json.loads(line) for line in summary.read_text().splitlines()] if summary.exists() else []

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\n{date.today()}, {platform.node() or 'this machine'}: {os.cpu_count()} CPUs, {platform.machine()}, "
          f"Python {platform.python_version()}, load average {load}; benches took "
          + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in took.items()))
    print(f"| {'Figure':<66} | {'jointlead':>10} | {'against':<24} | {'baseline':>9} | {'ratio':>7} | "
          f"{'target':<24} | met |")
    print(f"|{'-' * 68}|{'-' * 12}|{'-' * 26}|{'-' * 11}|{'-' * 9}|{'-' * 26}|-----|")
    for figure in figures:
        unit, baseline = figure["unit"], figure["baseline"]
        ours = f"{figure['ours']:.3f} {unit}" if unit == "s" else f"{figure['ours']:.0f} {unit}"
        base = "" if baseline is None else f"{baseline:.3f} {unit}"
        ratio = "" if not baseline else f"{figure['ours'] / baseline:.2f}x"
        print(f"| {figure['what']:<66} | {ours:>10} | {figure['against']:<24} | {base:>9} | {ratio:>7} | "
              f"{figure['target']:<24} | {'yes' if figure['met'] else 'NO':<3} |")
    missing = [name for name in chosen if name not in took]
    return 0 if figures and all(f["met"] for f in figures) and not missing else 1


if __name__ == "__main__":
    sys.exit(main())
