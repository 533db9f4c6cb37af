"""Ledger import speed and memory, side by side with python-calamine alone and pandas.read_excel, in one run.

    .venv/bin/pip install -r bench/requirements.txt
    .venv/bin/python bench/import_ledger.py [--rows 50000] [--repeat 5] [--memory-rows 500000] [--compare]

Targets (issue 3): jointlead end to end <= 3x calamine alone; >= 5x faster than pandas; < 300 MB for 500,000 rows.

Runs are interleaved (calamine, jointlead, pandas, calamine, ...) and each figure is the median of its runs, so a
machine that gets busier part-way through skews every column alike. jointlead's run is what `jointlead import
ledger` does: open the database, preview, apply; the fresh copy of the database it imports into is made before the
clock starts. jointlead parses a small workbook in-process, and a large or untrusted one in a child process, a slice
of its sheet at a time (ReadLimits in exchange/reading.py): --compare also times the extract read in a child process.

Peak memory is the resident memory of a fresh process importing the large extract and of every process it starts
(the reading process, and multiprocessing's resource tracker), sampled together every 10 ms. That extract is always
read in a child process: it is over 32 MB of XML, and a sheet declaring no area that reaches row 500,003 may only
be parsed there. Heavy imports stay inside functions: the reading process is spawned, and spawn imports the main
script again.
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


def as_excel_saves(path: Path) -> Path:
    """The extract with its text in one shared-strings table, as Excel saves every workbook (openpyxl's write_only
    writes each text inline in its cell): 500,000 rows give a table of over a million strings (every journal
    reference is its own), which every slice of a sheet read in slices parses again."""
    import re
    import zipfile

    strings: dict[str, int] = {}

    def shared(match: re.Match[str]) -> str:
        return f'<c r="{match[1]}" t="s"><v>{strings.setdefault(match[2], len(strings))}</v></c>'

    with zipfile.ZipFile(path) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(r'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t>([^<]*)</t></is></c>', shared,
                          parts[sheet].decode()).encode()
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    parts["xl/sharedStrings.xml"] = (f'<sst xmlns="{main}" count="{len(strings)}" uniqueCount="{len(strings)}">'
                                     + "".join(f"<si><t>{text}</t></si>" for text in strings) + "</sst>").encode()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>'))
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(b"</Relationships>", (
        b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        b'Target="sharedStrings.xml" Id="rIdShared"/></Relationships>'))
    saved = path.with_name(f"{path.stem}-shared{path.suffix}")
    with zipfile.ZipFile(saved, "w", zipfile.ZIP_DEFLATED) as book:
        for name, content in parts.items():
            book.writestr(name, content)
    return saved


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
    """Where the services parse workbooks from now on in this process: by size (as shipped), or in a child."""
    import dataclasses

    from jointlead.exchange import reading

    shipped = reading.ReadLimits()
    threshold = {AS_SHIPPED: (shipped.child_from_cells, shipped.child_from_bytes), CHILD: (0, 0)}[mode]
    reading.DEFAULT_LIMITS = dataclasses.replace(reading.DEFAULT_LIMITS, child_from_cells=threshold[0],
                                                 child_from_bytes=threshold[1])


def fresh_copy(master: Path, work: Path) -> Path:
    """A copy of the demo database to import into, made before the clock starts: the command has no copy to make."""
    copy = work / "run.sqlite"
    for leftover in work.glob("run.sqlite*"):
        leftover.unlink()
    shutil.copyfile(master, copy)
    return copy


def jointlead_import(database_path: Path, path: Path) -> None:
    """What `jointlead import ledger` does: open the database, preview, then apply."""
    from jointlead.domain.calendar import FinancialYear
    from jointlead.services.imports import apply_import, preview_ledger_import
    from jointlead.store.database import open_database

    database = open_database(database_path)
    try:
        preview = preview_ledger_import(database, path, "NFT", year=FinancialYear(2026))
        apply_import(database, preview)
    finally:
        database.close()


_MEMORY_RUN = """
import os, pathlib, sys, threading, time
sys.path.insert(0, sys.argv[1])
import import_ledger


def status(pid, field):
    # A field of /proc/PID/status in bytes, or 0 once the process is gone (Linux).
    try:
        with open(f"/proc/{pid}/status") as lines:
            return next(int(line.split()[1]) for line in lines if line.startswith(field + ":")) * 1024
    except (OSError, StopIteration):
        return 0


def tree():
    # This process and every process it started (the reading process, multiprocessing's resource tracker), by pid.
    pids, pending = [], [str(os.getpid())]
    while pending:
        pid = pending.pop()
        pids.append(pid)
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as children:
                pending.extend(children.read().split())
        except OSError:
            pass
    return pids

if __name__ == "__main__":
    import_ledger.reading_mode(sys.argv[5])
    copy = import_ledger.fresh_copy(pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[4]))
    me, total, peaks, done = str(os.getpid()), [0], {}, threading.Event()
    def watch():
        while not done.is_set():
            now = {pid: status(pid, "VmRSS") for pid in tree()}
            total[0] = max(total[0], sum(now.values()))
            for pid, rss in now.items():
                peaks[pid] = max(peaks.get(pid, 0), rss)
            time.sleep(0.01)
    threading.Thread(target=watch, daemon=True).start()
    import_ledger.jointlead_import(copy, pathlib.Path(sys.argv[3]))
    done.set()
    # VmHWM is this process's own peak. Not ru_maxrss: Linux carries that over from the parent across fork and exec,
    # so it reported the bench's own size after its pandas runs (200 MB) as this process's.
    print(status("self", "VmHWM"), max((rss for pid, rss in peaks.items() if pid != me), default=0), total[0])
"""


def peak_memory(master: Path, extract: Path, work: Path, mode: str) -> tuple[float, float, float]:
    """Peak resident MB of a fresh process importing `extract` end to end: (app, reading process, all at once)."""
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
    parser.add_argument("--compare", action="store_true", help="also time the extract read in a child process")
    parser.add_argument("--shared-strings", action="store_true",
                        help="also measure the memory run's extract saved as Excel saves it (as_excel_saves)")
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
                copy = fresh_copy(master, work)
                times[mode].append(seconds(lambda copy=copy: jointlead_import(copy, extract)))
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
            extracts = {AS_SHIPPED: big, **({"text in shared strings, as Excel saves": as_excel_saves(big)}
                                            if args.shared_strings else {})}
            print(f"\nPeak resident memory importing {args.memory_rows:,} rows end to end (target < 300 MB)")
            for kind, extract in extracts.items():
                started = time.perf_counter()
                app, child, together = peak_memory(master, extract, work, AS_SHIPPED)
                took = time.perf_counter() - started
                print(f"  {kind}: app process {app:,.0f} MB", end="")
                print(f", reading process {child:,.0f} MB, all its processes at once {together:,.0f} MB" if child
                      else "", end="")
                print(f"; {took:.1f} s in all")
                record(f"peak memory importing {args.memory_rows:,} rows ({kind})", together or app, "", None,
                       "< 300 MB", (together or app) < 300, unit="MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
