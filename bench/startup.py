"""Start-up: the main window with its dashboard data, against a bare PySide6 QMainWindow, side by side (issue 9).

    .venv/bin/python bench/startup.py [--runs 7] [--db PATH] [--frozen dist/jointlead/jointlead]

Each run is a fresh process:
- bare: a tiny script that creates a QApplication and a QMainWindow, shows it, waits for its first paint, says so
  and exits;
- jointlead, no snapshot: `python -m jointlead --db DEMO --exit-when-ready`, which opens the main window, waits
  until the dashboard has painted with its data, says "Ready: ..." and exits (the same Python, so the interpreter's
  own start is in both), with no dashboard snapshot kept: the figures come from the database, as at the first start
  after the file was changed by something other than the window (a command-line import, a restored copy), after
  more than a week away, or on a shared database;
- jointlead, from its snapshot: the same, with the snapshot the run before it kept at close, as at every other
  start, the first of a day included (the snapshot keeps a view for each of the next seven days, each worked out
  for its own day; tests/ui/test_dashboard_snapshot.py proves each matches the database on its day): when the
  window is told which file it opens, it paints the figures from the snapshot and the database opens after (the
  table says in how many runs the snapshot was painted);
- with --frozen, also the frozen build's executable doing the same, with no snapshot.
Two times are taken for each run, from just before the process starts: until it says it has painted ("ready", what
a person waits for: the target is about this one) and until it has exited (which adds tearing down Python and Qt).
The kinds alternate run by run, so a busy machine slows them alike; medians are reported, and the ratio of the
jointlead median to the bare one (issue 9's target: at most 3.5). One warm-up run of each comes first and is not
counted: it writes the byte-code caches a real installation has, and warms the disk cache.

Qt's offscreen platform is used unless QT_QPA_PLATFORM is set (for example to xcb under xvfb-run).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from summary import record

ROOT = Path(__file__).resolve().parent.parent
TARGET = 3.5
SNAPSHOT = "dashboard-snapshot.json"
SNAPSHOT_SAID = "Showing the dashboard from its snapshot"  # what the log says when a start paints it

BARE = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow



class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            app.removeEventFilter(self)
            QTimer.singleShot(0, painted)  # as jointlead's --exit-when-ready does
        return False


def painted():
    print("Painted.", flush=True)
    app.quit()


app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1280, 800)  # the size jointlead's window opens at the first time
first_paint = FirstPaint()
app.installEventFilter(first_paint)
window.show()
sys.exit(app.exec())
"""


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds until the process said it had painted (its first line of output), and until it exited."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first_line = process.stdout.readline()
    ready = time.perf_counter() - started
    rest, errors = process.communicate(timeout=300)
    exited = time.perf_counter() - started
    if process.returncode != 0 or not first_line.startswith(("Painted.", "Ready:")):
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{first_line}{rest}\n{errors}")
    return ready, exited


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each kind (default 7)")
    parser.add_argument("--db", type=Path, help="the database to open (default: a new demo database)")
    parser.add_argument("--frozen", type=Path, metavar="EXE", help="also time this frozen jointlead executable")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="jointlead-startup-"))
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["JOINTLEAD_DATA_DIR"] = str(work / "data")  # settings and logs of its own, the same for every run
    database = args.db
    if database is None:
        database = work / "demo.sqlite"
        subprocess.run([sys.executable, "-m", "jointlead", "demo", "--db", str(database)], env=env, check=True,
                       capture_output=True)

    window = ["--db", str(database), "--exit-when-ready"]
    cold, kept = "jointlead, no snapshot", "jointlead, from its snapshot"
    kinds = {"bare QMainWindow": [sys.executable, "-c", BARE], cold: [sys.executable, "-m", "jointlead", *window],
             kept: [sys.executable, "-m", "jointlead", *window]}
    if args.frozen:
        kinds["frozen jointlead, no snapshot"] = [str(args.frozen.resolve()), *window]
    # A data folder for each kind: the others never find a snapshot, the kept one always finds its last.
    data = {name: work / f"data-{number}" for number, name in enumerate(kinds)}
    for name, command in kinds.items():
        timed(command, {**env, "JOINTLEAD_DATA_DIR": str(data[name])})  # warm-up, not counted
    ready: dict[str, list[float]] = {name: [] for name in kinds}
    exited: dict[str, list[float]] = {name: [] for name in kinds}
    for _run in range(args.runs):
        for name, command in kinds.items():
            if name != kept:
                (data[name] / SNAPSHOT).unlink(missing_ok=True)
            until_ready, until_exit = timed(command, {**env, "JOINTLEAD_DATA_DIR": str(data[name])})
            ready[name].append(until_ready)
            exited[name].append(until_exit)
    log = data[kept] / "logs" / "jointlead.log"
    painted = log.read_text(encoding="utf-8").count(SNAPSHOT_SAID) if log.exists() else 0

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    print(f"Start-up, {args.runs} runs of each, alternating; Python {sys.version.split()[0]}, "
          f"QT_QPA_PLATFORM={env['QT_QPA_PLATFORM']}, {os.cpu_count()} CPUs, load average {load}")
    print(f"{'':42} {'ready: median':>14} {'min':>7} {'max':>7}   {'exited: median':>14}")
    for name in kinds:
        print(f"{name:42} {statistics.median(ready[name]):13.3f}s {min(ready[name]):6.3f}s "
              f"{max(ready[name]):6.3f}s   {statistics.median(exited[name]):13.3f}s")
    print(f"{kept}: the dashboard was painted from it in {painted} of its {args.runs} timed runs")
    bare = "bare QMainWindow"
    for name in kinds:
        if name == bare:
            continue
        ratio = statistics.median(ready[name]) / statistics.median(ready[bare])
        ratio_exited = statistics.median(exited[name]) / statistics.median(exited[bare])
        print(f"ratio {name} / bare: {ratio:.2f}x until ready (target <= {TARGET}x: "
              f"{'met' if ratio <= TARGET else 'NOT met'}), {ratio_exited:.2f}x until exited")
        record(f"start-up to the dashboard painted ({name})", statistics.median(ready[name]), bare,
               statistics.median(ready[bare]), f"<= {TARGET}x", ratio <= TARGET)
    return 0


if __name__ == "__main__":
    sys.exit(main())
