"""Sorting and filtering a 100,000-row table: in jointlead's model, against Qt's QSortFilterProxyModel over it.

    .venv/bin/python bench/table_sort.py [--rows 100000] [--repeat 3]

The rows are action-log-like records (reference, title, owner, organisation, due date, status). "In the model" is
`RowTableModel.sort` and `set_filter` (the keys and the search text are worked out once, when the rows are set);
the proxy sorts and filters the same unsorted model through `data()` calls, as a QTableView with
`setSortingEnabled` over a QSortFilterProxyModel would. Medians; each proxy run gets a fresh proxy.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from summary import record

from PySide6.QtCore import QSortFilterProxyModel, Qt

from jointlead.ui.application import make_application
from jointlead.ui.table_model import Column, RowTableModel

TARGET_RATIO = 10  # the model must be at least this many times faster than the proxy to be worth its keep


@dataclass(frozen=True)
class Row:
    reference: str
    title: str
    owner: str
    organisation: str
    due: date
    status: str


COLUMNS = [Column("Reference", lambda r: r.reference), Column("Action", lambda r: r.title),
           Column("Owner", lambda r: r.owner), Column("Organisation", lambda r: r.organisation),
           Column("Due", lambda r: f"{r.due:%d %b %Y}", sort_key=lambda r: r.due),
           Column("Status", lambda r: r.status)]
WORDS = ["review", "agree", "north", "south", "team", "plan", "winter", "budget", "staffing", "referral", "pathway",
         "audit", "report", "risk"]


def rows(count: int, seed: int = 7) -> list[Row]:
    pick = random.Random(seed)
    return [Row(f"A-{n:06d}", " ".join(pick.choices(WORDS, k=6)).capitalize(), f"Owner {pick.randrange(400)}",
                pick.choice(("NFT", "NCC")), date(2026, 4, 1) + timedelta(days=pick.randrange(365)),
                pick.choice(("open", "in progress", "complete"))) for n in range(count)]


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    make_application()
    data = rows(args.rows)
    model = RowTableModel(COLUMNS, None)
    model.set_rows(data)

    def model_sort() -> None:
        model.sort(1, Qt.SortOrder.AscendingOrder)
        model.sort(0, Qt.SortOrder.AscendingOrder)  # back, so each run sorts from the same order

    def proxy_sort() -> None:
        plain = RowTableModel(COLUMNS, None)
        plain.set_rows(data)
        proxy = QSortFilterProxyModel()
        proxy.setSourceModel(plain)
        proxy.sort(1, Qt.SortOrder.AscendingOrder)

    def model_filter() -> None:
        model.set_filter("north winter")
        model.set_filter("")

    def proxy_filter() -> None:
        proxy = QSortFilterProxyModel()
        proxy.setSourceModel(model)
        proxy.setFilterKeyColumn(-1)
        proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        proxy.setFilterFixedString("north winter")
        proxy.rowCount()  # the proxy filters when first asked what it holds
        proxy.setFilterFixedString("")
        proxy.rowCount()

    results = {"sort, in the model": median_seconds(model_sort, args.repeat),
               "sort, QSortFilterProxyModel": median_seconds(proxy_sort, args.repeat),
               "filter, in the model": median_seconds(model_filter, args.repeat),
               "filter, QSortFilterProxyModel": median_seconds(proxy_filter, args.repeat)}
    print(f"\nA {args.rows:,}-row table, median of {args.repeat} runs")
    for name, seconds in results.items():
        print(f"  {name:<34} {seconds:8.3f} s")
    ok = True
    for what in ("sort", "filter"):
        ours, theirs = results[f"{what}, in the model"], results[f"{what}, QSortFilterProxyModel"]
        met = theirs / ours >= TARGET_RATIO
        ok &= met
        print(f"  {f'{what}: proxy / model':<34} {theirs / ours:8.1f}x   (target >= {TARGET_RATIO}x)")
        record(f"{what} a {args.rows:,}-row table", ours, "QSortFilterProxyModel", theirs,
               f"proxy >= {TARGET_RATIO}x the model", met)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
