"""Ledger import speed and memory, side by side with python-calamine alone and pandas.read_excel, in one run.

    .venv/bin/pip install -r bench/requirements.txt
    .venv/bin/python bench/import_ledger.py [--rows 50000] [--repeat 5] [--memory-rows 500000] [--compare]

Targets (issue 3): jointlead end to end <= 3x calamine alone; >= 5x faster than pandas; < 300 MB for 500,000 rows.

Runs are interleaved (calamine, jointlead, pandas, calamine, ...) and each figure is the median of its runs, so a
machine that gets busier part-way through skews every column alike. jointlead parses a large workbook in a child
process and a small one in-process (ReadLimits in exchange/reading.py): --compare also times the small extract
read in a child process and measures the large one read in-process. Heavy imports stay inside functions: the
reading process is spawned, and spawn imports the main script again.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from summary import record

HEADER = ["Cost Centre", "Subjective", "Period", "Journal Line Ref", "Description", "Value £", "Posting Date"]
AS_SHIPPED = "as shipped"
CHILD = "reading forced into a child process"
IN_PROCESS = "reading forced in-process"


def write_extract(path: Path, rows: int) -> Path:
    """A realistic NFT extract for M8: mapped codes, text and numeric amounts, a title block above the header."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Detail")
    sheet.append(["Northshire NHS Foundation Trust: ledger detail, period 8 2026-27"])
    sheet.append([])
    sheet.append(HEADER)
    centres = ["C41200", "C41210", "C41250", "C41300", "C99999"]
    for n in range(rows):
        amount = f"£{(n * 7919) % 500000 / 100:,.2f}" if n % 3 else round((n * 104729) % 90000 / 100, 2)
        sheet.append([centres[n % 5], f"51{n % 50:02d}", "M8", f"JNL-2026-{n:07d}", f"Posting {n % 997}", amount,
                      "15/11/2026"])
    workbook.save(path)
    return path


def seconds(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def calamine_alone(path: Path) -> None:
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    for _row in workbook.get_sheet_by_name("Detail").iter_rows():
        pass


def pandas_read(path: Path) -> None:
    import pandas

    pandas.read_excel(path, header=2, engine="openpyxl")  # pandas' default engine for .xlsx until pandas 4


def reading_mode(mode: str) -> None:
    """Where the services parse workbooks from now on in this process: by size (as shipped), in a child, or here."""
    import dataclasses

    from jointlead.exchange import reading

    shipped = reading.ReadLimits()
    threshold = {AS_SHIPPED: (shipped.child_from_cells, shipped.child_from_bytes), CHILD: (0, 0),
                 IN_PROCESS: (2**62, 2**62)}[mode]
    reading.DEFAULT_LIMITS = dataclasses.replace(reading.DEFAULT_LIMITS, child_from_cells=threshold[0],
                                                 child_from_bytes=threshold[1])


def jointlead_import(master: Path, path: Path, work: Path) -> None:
    """What `jointlead import ledger` does: preview, then apply, on a fresh copy of the demo database."""
    from jointlead.domain.calendar import FinancialYear
    from jointlead.services.imports import apply_import, preview_ledger_import
    from jointlead.store.database import open_database

    copy = work / "run.sqlite"
    for leftover in work.glob("run.sqlite*"):
        leftover.unlink()
    shutil.copyfile(master, copy)
    database = open_database(copy)
    try:
        preview = preview_ledger_import(database, path, "NFT", year=FinancialYear(2026))
        apply_import(database, preview)
    finally:
        database.close()


_MEMORY_RUN = """
import os, pathlib, resource, sys, threading, time
sys.path.insert(0, sys.argv[1])
import import_ledger


def tree_rss():
    # Resident memory of this process and its children (the reading process), now, in bytes (Linux /proc).
    total, pending = 0, [str(os.getpid())]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/status") as status:
                total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) * 1024
            with open(f"/proc/{pid}/task/{pid}/children") as children:
                pending.extend(children.read().split())
        except (OSError, StopIteration):
            pass
    return total

if __name__ == "__main__":
    import_ledger.reading_mode(sys.argv[5])
    peak, done = [0], threading.Event()
    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss())
            time.sleep(0.01)
    threading.Thread(target=watch, daemon=True).start()
    import_ledger.jointlead_import(pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3]), pathlib.Path(sys.argv[4]))
    done.set()
    # ru_maxrss is in KiB on Linux; RUSAGE_CHILDREN is the largest child waited for: the reading process.
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
          resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024, peak[0])
"""


def peak_memory(master: Path, extract: Path, work: Path, mode: str) -> tuple[float, float, float]:
    """Peak resident MB of a fresh process importing `extract` end to end: (app, reading process, both at once)."""
    script = work / "memory_run.py"
    script.write_text(_MEMORY_RUN)
    out = subprocess.run([sys.executable, str(script), str(Path(__file__).parent), str(master), str(extract),
                          str(work), mode], capture_output=True, text=True, check=True).stdout.split("\n")[-2]
    app, child, together = (int(value) / 2**20 for value in out.split())
    return app, child, together


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--memory-rows", type=int, default=500_000, help="0 to skip the memory run")
    parser.add_argument("--compare", action="store_true",
                        help="also time the extract read in a child process, and measure the large one read here")
    args = parser.parse_args()
    try:
        import pandas  # noqa: F401
        has_pandas = True
    except ImportError:
        has_pandas = False
        print("pandas is not installed: pip install -r bench/requirements.txt to compare with it")
    from jointlead.services.demo import create_demo_service
    from jointlead.store.database import create_database

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        master = work / "demo.sqlite"
        database = create_database(master)
        create_demo_service(database)
        database.close()
        extract = write_extract(work / "extract.xlsx", args.rows)
        modes = [AS_SHIPPED] + ([CHILD] if args.compare else [])
        times: dict[str, list[float]] = {"calamine": [], **{mode: [] for mode in modes}, "pandas": []}
        for _ in range(args.repeat):
            times["calamine"].append(seconds(lambda: calamine_alone(extract)))
            for mode in modes:
                reading_mode(mode)
                times[mode].append(seconds(lambda: jointlead_import(master, extract, work)))
            if has_pandas:
                times["pandas"].append(seconds(lambda: pandas_read(extract)))
        reading_mode(AS_SHIPPED)
        median = {name: statistics.median(values) for name, values in times.items() if values}

        print(f"\nLedger import of {args.rows:,} rows (.xlsx), median of {args.repeat} interleaved runs")
        print(f"  {'python-calamine read alone':<52} {median['calamine']:8.2f} s")
        for mode in modes:
            ours = median[mode]
            print(f"  {f'jointlead preview + apply, {mode}':<52} {ours:8.2f} s")
            print(f"  {'  jointlead / calamine alone':<52} {ours / median['calamine']:8.2f}x   (target <= 3)")
            record(f"ledger import, {args.rows:,} rows ({mode})", ours, "python-calamine read", median["calamine"],
                   "<= 3x", ours / median["calamine"] <= 3)
            if "pandas" in median:
                print(f"  {'  pandas / jointlead':<52} {median['pandas'] / ours:8.2f}x   (target >= 5)")
                record(f"ledger import, {args.rows:,} rows ({mode})", ours, "pandas.read_excel", median["pandas"],
                       "pandas >= 5x", median["pandas"] / ours >= 5)
        if "pandas" in median:
            print(f"  {'pandas.read_excel':<52} {median['pandas']:8.2f} s")
        if args.memory_rows:
            big = write_extract(work / f"memory-{args.memory_rows}.xlsx", args.memory_rows)
            print(f"\nPeak resident memory importing {args.memory_rows:,} rows end to end (target < 300 MB)")
            for mode in [AS_SHIPPED] + ([IN_PROCESS] if args.compare else []):
                app, child, together = peak_memory(master, big, work, mode)
                print(f"  {mode}: app process {app:,.0f} MB", end="")
                print(f", reading process {child:,.0f} MB, both at once {together:,.0f} MB" if child else "")
                record(f"peak memory importing {args.memory_rows:,} rows ({mode})", together or app, "", None,
                       "< 300 MB", (together or app) < 300, unit="MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
