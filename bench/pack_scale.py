"""The monthly pack at ten times the demo's size, timed side by side with openpyxl write_only writing the same cells.

    .venv/bin/python bench/pack_scale.py [--org NFT] [--repeat 5] [--copies 10] [--ledger-rows 50000] [--profile]

Targets (issue 8):

- for a service ten times the demo's size (600 staff, 50,000 ledger rows, 400 actions), writing the pack takes at
  most 1.5 times as long as openpyxl `write_only` takes to write the same cells;
- the demo's pack in under 2 s.

The scaled service is the demo built `--copies` times over, as one database: each copy has its own teams, staff,
leads, reporting lines, supervision arrangements and sessions, and actions (numbered on from the last copy's), and
the demo's 2,444 ledger rows are split into `--ledger-rows` rows adding up to the same amounts, so the budget's
figures, checklist and charts are the demo's own. It is written the way `jointlead demo` writes the demo: the
demo builder's rows, bulk-inserted in one unit of work.

The pack's time is end to end (queries, checklist, writing, audit entry); "of which writing" is the part from the
pack's `ExportWorkbook` being made to its being saved (every sheet, the cover, styles, tables, charts, the zip). The
openpyxl figure writes the values the pack holds, read back from a pack once before timing, sheet by sheet with no
styles, tables or charts. Runs are interleaved and each figure is the median. `--profile` prints the top of a
cProfile of one scaled pack. The garbage collector stays on, as in the app, and is run before each timed run.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import platform
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from summary import record

SCALE_RATIO_TARGET = 1.5
DEMO_TARGET_SECONDS = 2.0
GENERATED_ON = datetime(2026, 11, 20, 9, 30)
AS_AT = 7

Cells = list[tuple[str, list[tuple[object, ...]]]]


# --- the scaled service ------------------------------------------------------------------------------------------

def _scaled_tables(copies: int, ledger_rows: int) -> dict[Any, list[dict[str, Any]]]:
    """The demo's rows with the staff, supervision and actions `copies` times over and the ledger split finer."""
    from jointlead.domain.actions import action_reference
    from jointlead.domain.money import split_largest_remainder
    from jointlead.services import demo as d

    service = d._DemoService()
    service.build()
    tables = service.tables
    rng = service.rng
    people = list(tables[d.Person])
    teams = list(tables[d.Team])
    lines = list(tables[d.ReportingLine])
    arrangements = list(tables[d.SupervisionArrangement])
    sessions = list(tables[d.SupervisionSession])
    actions = list(tables[d.Action])
    updates = list(tables[d.ActionUpdate])
    due_changes = list(tables[d.ActionDueChange])

    for copy in range(1, copies):
        team_ids = {}
        for team in teams:
            team_ids[team["id"]] = len(tables[d.Team]) + 1
            tables[d.Team].append({**team, "id": team_ids[team["id"]], "name": f"{team['name']} ({copy + 1})"})
        person_ids, numbers = {}, {}
        for person in people:
            person_ids[person["id"]] = len(tables[d.Person]) + 1
            if person["employer_id"] == d.ORGANISATION_IDS["NFT"]:
                number = service._unique(lambda: f"{rng.randint(1_000_000, 39_999_999):08d}")
            else:
                number = service._unique(lambda: f"P{rng.randint(100_000, 199_999)}")
            numbers[person["employee_number"]] = number
            registration = person["registration_number"]
            if registration is not None:
                registration = service._registration_number(person["profession"], person["qualified_date"])
            tables[d.Person].append({
                **person, "id": person_ids[person["id"]], "employee_number": number,
                "registration_number": registration,
                "full_name": service._unique(lambda: f"{rng.choice(d.FIRST_NAMES)} {rng.choice(d.SURNAMES)}"),
                "team_id": team_ids.get(person["team_id"])})
        for person in tables[d.Person][-len(people):]:
            person["hr_supervisor_number"] = numbers.get(person["hr_supervisor_number"])
        for line in lines:
            tables[d.ReportingLine].append({**line, "id": len(tables[d.ReportingLine]) + 1,
                                            "person_id": person_ids[line["person_id"]],
                                            "lead_id": person_ids[line["lead_id"]]})
        for arrangement in arrangements:
            tables[d.SupervisionArrangement].append({
                **arrangement, "id": len(tables[d.SupervisionArrangement]) + 1,
                "supervisee_id": person_ids[arrangement["supervisee_id"]],
                "supervisor_id": person_ids.get(arrangement["supervisor_id"])})
        for session in sessions:
            tables[d.SupervisionSession].append({
                **session, "id": len(tables[d.SupervisionSession]) + 1,
                "supervisee_id": person_ids[session["supervisee_id"]],
                "supervisor_id": person_ids.get(session["supervisor_id"]),
                "group_key": f"{session['group_key']}-{copy + 1}" if session["group_key"] else None})
        action_ids = {}
        for action in actions:
            number = len(tables[d.Action]) + 1
            action_ids[action["id"]] = number
            tables[d.Action].append({**action, "id": number, "reference": action_reference(number),
                                     "owner_id": person_ids.get(action["owner_id"])})
        for update in updates:
            tables[d.ActionUpdate].append({**update, "id": len(tables[d.ActionUpdate]) + 1,
                                           "action_id": action_ids[update["action_id"]]})
        for change in due_changes:
            tables[d.ActionDueChange].append({**change, "id": len(tables[d.ActionDueChange]) + 1,
                                              "action_id": action_ids[change["action_id"]]})
    for setting in tables[d.Setting]:
        if setting["key"] == "next_action_number":
            setting["value"] = str(len(tables[d.Action]) + 1)

    # Each demo ledger row becomes a few rows adding up to its amount: the same totals, many more rows.
    original = tables[d.LedgerTransaction]
    pieces = split_largest_remainder(max(ledger_rows, len(original)), [1] * len(original))
    split = []
    for row, count in zip(original, pieces, strict=True):
        for part, amount in enumerate(split_largest_remainder(row["amount_pence"], [1] * count), start=1):
            ref = f"{row['transaction_ref']}/{part}"
            split.append({**row, "id": len(split) + 1, "amount_pence": amount, "transaction_ref": ref,
                          "fingerprint": hashlib.sha256(f"{row['fingerprint']}|{part}".encode()).hexdigest()})
    tables[d.LedgerTransaction] = split
    return tables


def scaled_database(path: Path, copies: int, ledger_rows: int):
    """A new database holding the scaled service, inserted as `create_demo_service` inserts the demo."""
    from sqlalchemy import insert

    from jointlead.store.database import create_database
    from jointlead.store.uow import UnitOfWork

    database = create_database(path)
    tables = _scaled_tables(copies, ledger_rows)
    with UnitOfWork(database) as uow:
        for model, rows in tables.items():
            uow.session.execute(insert(model), rows)
        uow.audit("create_demo_service", "service", None, {"copies": (0, copies)})
        uow.commit()
    return database


def demo_database(path: Path):
    from jointlead.services.demo import create_demo_service
    from jointlead.store.database import create_database

    database = create_database(path)
    create_demo_service(database)
    return database


# --- the two writers ---------------------------------------------------------------------------------------------

def the_cells(path: Path) -> Cells:
    """Every sheet's values as the pack holds them, to write again with openpyxl alone."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    cells = [(sheet.title, [tuple(row) for row in sheet.iter_rows(values_only=True)]) for sheet in book.worksheets]
    book.close()
    return cells


def openpyxl_write_only(cells: Cells, out: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    for title, rows in cells:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(out)


class _Stopwatch:
    """When the pack's workbook was started and when it was saved: the writing, apart from the queries before it."""

    started = saved = 0.0

    @classmethod
    def workbook(cls):
        from jointlead.exchange.writing import ExportWorkbook

        class TimedWorkbook(ExportWorkbook):
            def __init__(self, *args, **kwargs) -> None:
                cls.started = time.perf_counter()
                super().__init__(*args, **kwargs)

            def save(self, path):
                try:
                    return super().save(path)
                finally:
                    cls.saved = time.perf_counter()

        return TimedWorkbook


def timed(run: Callable[[], object]) -> float:
    gc.collect()  # each run starts with the same garbage to collect: none
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def compare(database, organisation: str, folder: Path, label: str, repeat: int) -> dict[str, Any]:
    """Interleaved runs of the pack and of openpyxl write_only writing its cells; the pack's writing (from its
    workbook's creation to its save) is timed within each pack."""
    from jointlead.services import packs
    from jointlead.services.demo import DEMO_TODAY

    def pack(n: int) -> Path:
        return packs.export_pack(database, organisation, folder / f"{label}-pack{n}.xlsx", as_at=AS_AT,
                                 today=DEMO_TODAY, generated_on=GENERATED_ON).path

    cells = the_cells(pack(0))  # also warms up imports and SQLite's cache
    times: dict[str, list[float]] = {"pack": [], "openpyxl": [], "writing": []}
    plain_workbook, packs.ExportWorkbook = packs.ExportWorkbook, _Stopwatch.workbook()
    try:
        for n in range(1, repeat + 1):
            times["pack"].append(timed(lambda n=n: pack(n)))
            times["writing"].append(_Stopwatch.saved - _Stopwatch.started)
            times["openpyxl"].append(timed(lambda n=n: openpyxl_write_only(cells, folder / f"{label}-plain{n}.xlsx")))
    finally:
        packs.ExportWorkbook = plain_workbook
    medians = {name: statistics.median(values) for name, values in times.items()}
    rows = {title: len(sheet) - 1 for title, sheet in cells}
    return {"medians": medians, "times": times, "rows": rows, "cells": sum(len(r) for _, s in cells for r in s)}


def report(label: str, result: dict[str, Any], repeat: int) -> None:
    medians = result["medians"]
    pack, plain, writing = medians["pack"], medians["openpyxl"], medians["writing"]
    rows = result["rows"]
    print(f"{label}: {len(rows)} sheets, {sum(rows.values()):,} rows under the headers, {result['cells']:,} cells; "
          f"median of {repeat}")
    print("  rows per sheet: " + ", ".join(f"{title} {count:,}" for title, count in rows.items()))
    print(f"  {'jointlead export_pack (end to end)':<44} {pack:8.3f} s   ratio {pack / plain:.2f}x")
    print(f"  {'  of which writing (workbook made, saved)':<44} {writing:8.3f} s   ratio {writing / plain:.2f}x")
    print(f"  {'openpyxl write_only, same cells':<44} {plain:8.3f} s")
    print("  all runs (pack / writing / openpyxl): " + "; ".join(
        f"{a:.3f} / {b:.3f} / {c:.3f}" for a, b, c in zip(*(result["times"][k] for k in ("pack", "writing",
                                                                                        "openpyxl")), strict=True)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", default="NFT")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--ledger-rows", type=int, default=50_000)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one scaled pack")
    args = parser.parse_args()

    import openpyxl

    print(f"{date.today()}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
          f"openpyxl {openpyxl.__version__}, {platform.machine()}")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        start = time.perf_counter()
        scaled = scaled_database(folder / "scaled.sqlite", args.copies, args.ledger_rows)
        built = time.perf_counter() - start
        demo = demo_database(folder / "demo.sqlite")
        try:
            with scaled.session() as session:
                from sqlalchemy import func, select

                from jointlead.store.models import Action, LedgerTransaction, Person
                counts = [session.scalar(select(func.count()).select_from(model))
                          for model in (Person, LedgerTransaction, Action)]
            print(f"Scaled service ({args.copies}x the demo) built in {built:.1f} s: {counts[0]:,} people, "
                  f"{counts[1]:,} ledger rows, {counts[2]:,} actions\n")
            results = {}
            for label, database in (("demo", demo), ("scaled", scaled)):
                results[label] = compare(database, args.org, folder, label, args.repeat)
            if args.profile:
                from jointlead.services.demo import DEMO_TODAY
                from jointlead.services.packs import export_pack

                profile = cProfile.Profile()
                profile.runcall(export_pack, scaled, args.org, folder / "profiled.xlsx", as_at=AS_AT,
                                today=DEMO_TODAY, generated_on=GENERATED_ON)
                pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        finally:
            demo.close()
            scaled.close()

    report(f"Demo pack for {args.org}", results["demo"], args.repeat)
    report(f"Scaled pack for {args.org}", results["scaled"], args.repeat)
    demo_time = results["demo"]["medians"]["pack"]
    medians = results["scaled"]["medians"]
    ratio = medians["pack"] / medians["openpyxl"]
    demo_met, ratio_met = demo_time < DEMO_TARGET_SECONDS, ratio <= SCALE_RATIO_TARGET
    print(f"\nTargets: demo pack {demo_time:.3f} s < {DEMO_TARGET_SECONDS:.1f} s {'met' if demo_met else 'MISSED'}; "
          f"scaled pack {ratio:.2f}x openpyxl write_only <= {SCALE_RATIO_TARGET}x "
          f"{'met' if ratio_met else 'MISSED'}")
    record("demo pack", demo_time, "", None, f"< {DEMO_TARGET_SECONDS:.0f} s", demo_met)
    record(f"{args.copies}x pack, end to end", medians["pack"], "openpyxl write_only", medians["openpyxl"],
           f"<= {SCALE_RATIO_TARGET}x", ratio_met)
    writing_met = medians["writing"] / medians["openpyxl"] <= SCALE_RATIO_TARGET
    record(f"{args.copies}x pack, writing", medians["writing"], "openpyxl write_only", medians["openpyxl"],
           f"<= {SCALE_RATIO_TARGET}x", writing_met)
    return 0 if demo_met and ratio_met else 1


if __name__ == "__main__":
    sys.exit(main())
