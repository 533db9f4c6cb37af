"""Ledger import speed and memory, side by side with python-calamine alone and pandas.read_excel, in one run.

    .venv/bin/pip install -r bench/requirements.txt
    .venv/bin/python bench/import_ledger.py [--rows 50000] [--repeat 3] [--memory-rows 500000]

Targets (issue 3): jointlead end to end <= 3x calamine alone; >= 5x faster than pandas; < 300 MB for 500,000 rows.
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

import openpyxl
import python_calamine

from jointlead.domain.calendar import FinancialYear
from jointlead.services.demo import create_demo_service
from jointlead.services.imports import apply_import, preview_ledger_import
from jointlead.store.database import create_database, open_database

HEADER = ["Cost Centre", "Subjective", "Period", "Journal Line Ref", "Description", "Value £", "Posting Date"]


def write_extract(path: Path, rows: int) -> Path:
    """A realistic NFT extract for M8: mapped codes, text and numeric amounts, a title block above the header."""
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


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def calamine_alone(path: Path) -> None:
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    for _row in workbook.get_sheet_by_name("Detail").iter_rows():
        pass


def jointlead_import(master: Path, path: Path, work: Path) -> None:
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


def peak_memory_mb(master: Path, rows: int, work: Path) -> float:
    """Peak resident memory of a fresh process that imports `rows` rows end to end."""
    extract = write_extract(work / f"memory-{rows}.xlsx", rows)
    code = ("import resource, sys, pathlib\n"
            "sys.path.insert(0, str(pathlib.Path(sys.argv[1])))\n"
            "from import_ledger import jointlead_import\n"
            "jointlead_import(pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3]), pathlib.Path(sys.argv[4]))\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")
    out = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), str(master), str(extract),
                          str(work)], capture_output=True, text=True, check=True).stdout
    return int(out.strip().splitlines()[-1]) / 1024  # ru_maxrss is in KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory-rows", type=int, default=500_000, help="0 to skip the memory run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        master = work / "demo.sqlite"
        database = create_database(master)
        create_demo_service(database)
        database.close()
        extract = write_extract(work / "extract.xlsx", args.rows)
        results = {"python-calamine read alone": median_seconds(lambda: calamine_alone(extract), args.repeat),
                   "jointlead import (preview + apply)": median_seconds(
                       lambda: jointlead_import(master, extract, work), args.repeat)}
        try:
            import pandas

            results["pandas.read_excel"] = median_seconds(lambda: pandas.read_excel(extract, header=2),
                                                          args.repeat)
        except ImportError:
            print("pandas is not installed: pip install -r bench/requirements.txt to compare with it")
        print(f"\nLedger import of {args.rows:,} rows (.xlsx), median of {args.repeat} runs")
        for name, seconds in results.items():
            print(f"  {name:<38} {seconds:8.2f} s")
        ours = results["jointlead import (preview + apply)"]
        ratio = ours / results["python-calamine read alone"]
        print(f"  jointlead / calamine alone             {ratio:8.2f}x   (target <= 3)")
        if "pandas.read_excel" in results:
            print(f"  pandas / jointlead                     {results['pandas.read_excel'] / ours:8.2f}x   "
                  "(target >= 5)")
        if args.memory_rows:
            peak = peak_memory_mb(master, args.memory_rows, work)
            print(f"  peak memory, {args.memory_rows:,} rows end to end   {peak:8.0f} MB   (target < 300)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
