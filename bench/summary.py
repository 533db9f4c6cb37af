"""One line per headline figure, for `bench/scale.py` to gather into a single table across every bench it runs.

Each bench calls `record(...)` once per figure it is judged by. Run on its own, a bench records nothing; under
`bench/scale.py` the figures are appended as JSON lines to the file named by `JOINTLEAD_BENCH_SUMMARY`.
"""

from __future__ import annotations

import json
import os

SUMMARY_FILE = "JOINTLEAD_BENCH_SUMMARY"


def record(what: str, ours: float, against: str, baseline: float | None, target: str, met: bool,
           unit: str = "s") -> None:
    """`ours` (seconds or MB) measured beside `baseline` (the same unit, or None when the target is absolute)."""
    path = os.environ.get(SUMMARY_FILE)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps({"what": what, "ours": ours, "against": against, "baseline": baseline,
                              "target": target, "met": met, "unit": unit}) + "\n")
