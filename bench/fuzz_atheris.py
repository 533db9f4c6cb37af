"""Coverage-guided fuzzing with atheris over the value parsers, header detection and the file reader (issue 10).

    .venv/bin/pip install atheris
    .venv/bin/python bench/fuzz_atheris.py [--runs 20000] [--seed 1] [--target parsers|tables|files|all]

Not part of the test suite: tests/reliability/test_fuzz_importers.py fuzzes the same entry points with hypothesis,
within a test's time. Here atheris mutates inputs towards new branches for as long as asked. Only a refusal may
come out: ValueProblem from a parser, JointleadError (FileRefused among them) from the reader or header detection.
Anything else is a crash; atheris stops, prints the input, and leaves it in crash-* files to replay.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from jointlead.domain.calendar import FinancialYear
    from jointlead.domain.errors import JointleadError
    from jointlead.exchange.action_tracker import TRACKER_KIND, parse_status
    from jointlead.exchange.ledger import ledger_kind, ledger_rows
    from jointlead.exchange.problems import ValueProblem
    from jointlead.exchange.reading import ReadLimits, SourceFile, SourceSheet, open_source
    from jointlead.exchange.staff import STAFF, staff_rows
    from jointlead.exchange.supervision import (
        SUPERVISION,
        parse_minutes,
        parse_session_status,
        parse_supervision_type,
        supervision_rows,
    )
    from jointlead.exchange.tables import find_table, read_rows
    from jointlead.exchange.values import (
        normalise_header,
        parse_code,
        parse_date,
        parse_money,
        parse_period,
        parse_text,
        parse_wte,
    )

YEAR = FinancialYear(2026)
PARSERS = (parse_money, parse_date, lambda v: parse_period(v, YEAR), parse_code, parse_text, parse_wte,
           parse_minutes, parse_supervision_type, parse_session_status, parse_status, normalise_header)
KINDS = ((ledger_kind(YEAR), lambda layout: ledger_rows(layout, YEAR, frozenset())), (STAFF, staff_rows),
         (SUPERVISION, supervision_rows), (TRACKER_KIND, lambda layout: read_rows(layout, TRACKER_KIND)))
HEADERS = sorted({s for kind, _ in KINDS for f in kind.fields for s in (f.label, *f.synonyms)})
# Small limits, so a short input can reach every refusal; no child process, which a fuzzer cannot follow.
LIMITS = ReadLimits(max_rows=200, max_cell_chars=500, max_cells=100_000, child_from_cells=10**9,
                    child_from_bytes=10**9)
# One folder, one file overwritten each run: libFuzzer ends the process without running Python's exit handlers.
FOLDER = Path(tempfile.gettempdir()) / "jointlead-atheris"
FOLDER.mkdir(exist_ok=True)


def _value(fdp: atheris.FuzzedDataProvider) -> object:
    choice = fdp.ConsumeIntInRange(0, 6)
    if choice == 0:
        return None
    if choice == 1:
        return fdp.ConsumeInt(8)
    if choice == 2:
        return fdp.ConsumeRegularFloat() if fdp.ConsumeBool() else fdp.ConsumeFloat()
    if choice == 3:
        return fdp.ConsumeBool()
    if choice == 4:
        return fdp.PickValueInList(HEADERS)
    return fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 40))


class _Rows:
    def __init__(self, rows: list[list[object]]) -> None:
        self._rows = rows

    def rows(self, _name: str):
        return (list(row) for row in self._rows)

    def close(self) -> None:
        pass


def parsers(fdp: atheris.FuzzedDataProvider) -> None:
    parse = PARSERS[fdp.ConsumeIntInRange(0, len(PARSERS) - 1)]
    with contextlib.suppress(ValueProblem):
        parse(_value(fdp))


def tables(fdp: atheris.FuzzedDataProvider) -> None:
    kind, typed = KINDS[fdp.ConsumeIntInRange(0, len(KINDS) - 1)]
    rows = [[_value(fdp) for _ in range(fdp.ConsumeIntInRange(0, 8))] for _ in range(fdp.ConsumeIntInRange(0, 12))]
    source = SourceFile(Path("fuzz.xlsx"), "xlsx", "0" * 64, (SourceSheet("Sheet1", _Rows(rows)),), ())
    with contextlib.suppress(JointleadError):
        for _row in typed(find_table(source, kind)):
            pass


def files(fdp: atheris.FuzzedDataProvider) -> None:
    suffix = fdp.PickValueInList([".xlsx", ".xls", ".csv", ".ods", ".txt"])
    path = FOLDER / f"fuzz{suffix}"
    path.write_bytes(fdp.ConsumeBytes(fdp.remaining_bytes()))
    kind, typed = KINDS[0]
    with contextlib.suppress(JointleadError), open_source(path, LIMITS) as source:
        for _row in typed(find_table(source, kind)):
            pass


TARGETS = {"parsers": parsers, "tables": tables, "files": files}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--target", choices=[*TARGETS, "all"], default="all")
    args, rest = parser.parse_known_args()
    chosen = list(TARGETS.values()) if args.target == "all" else [TARGETS[args.target]]

    def one_input(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        chosen[fdp.ConsumeIntInRange(0, len(chosen) - 1)](fdp)

    atheris.Setup([sys.argv[0], f"-runs={args.runs}", f"-seed={args.seed}", "-max_len=4096", *rest], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
