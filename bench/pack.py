"""The monthly pack's writing time on the demo service, side by side with openpyxl write_only writing the same cells.

    .venv/bin/python bench/pack.py [--org NFT] [--repeat 5]

Target (issue 8): the demo pack in under 2 s. The pack's time is end to end (queries, checklist, writing, audit);
the openpyxl figure writes the same values, sheet by sheet, with no styles, tables or charts: the floor for the
writing part alone. Runs are interleaved and each figure is the median.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

TARGET_SECONDS = 2.0
GENERATED_ON = datetime(2026, 11, 20, 9, 30)


def demo_database(folder: Path):
    from jointlead.services.demo import create_demo_service
    from jointlead.store.database import create_database

    database = create_database(folder / "demo.sqlite")
    create_demo_service(database)
    return database


def the_cells(path: Path) -> list[tuple[str, list[tuple[object, ...]]]]:
    """Every sheet's values as the pack holds them, to write again with openpyxl alone."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    cells = [(sheet.title, [tuple(row) for row in sheet.iter_rows(values_only=True)]) for sheet in book.worksheets]
    book.close()
    return cells


def openpyxl_write_only(cells: list[tuple[str, list[tuple[object, ...]]]], out: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    for title, rows in cells:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", default="NFT")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from jointlead.services.demo import DEMO_TODAY
    from jointlead.services.packs import export_pack

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        database = demo_database(folder)
        try:
            def pack(n: int) -> Path:
                return export_pack(database, args.org, folder / f"pack{n}.xlsx", as_at=7, today=DEMO_TODAY,
                                   generated_on=GENERATED_ON).path

            cells = the_cells(pack(0))  # also warms up imports and SQLite's cache
            jointlead_times, openpyxl_times = [], []
            for n in range(1, args.repeat + 1):
                start = time.perf_counter()
                pack(n)
                jointlead_times.append(time.perf_counter() - start)
                start = time.perf_counter()
                openpyxl_write_only(cells, folder / f"plain{n}.xlsx")
                openpyxl_times.append(time.perf_counter() - start)
        finally:
            database.close()
    ours, plain = statistics.median(jointlead_times), statistics.median(openpyxl_times)
    rows = sum(len(rows) for _, rows in cells)
    print(f"Demo pack for {args.org} ({len(cells)} sheets, {rows:,} rows), median of {args.repeat} on {date.today()}:")
    print(f"  {'jointlead export_pack (end to end)':<40} {ours:8.3f} s   target < {TARGET_SECONDS:.1f} s  "
          f"{'met' if ours < TARGET_SECONDS else 'MISSED'}")
    print(f"  {'openpyxl write_only, same cells':<40} {plain:8.3f} s   ratio {ours / plain:.1f}x")
    return 0 if ours < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
