"""The Qt binding itself is sound: signals emitted from Python do not corrupt the interpreter."""

from __future__ import annotations

import subprocess
import sys

EMIT_MANY = """
import sys
from PySide6.QtCore import QObject, Signal

class Source(QObject):
    changed = Signal()

source = Source()
before = sys.getrefcount(True)
for _ in range(5000):
    source.changed.emit()
print(sys.getrefcount(True) - before)
"""


def test_emitting_a_signal_from_python_keeps_reference_counts_intact():
    # Run apart: the fault this guards against (PySide6 6.12.0) aborts the whole interpreter.
    result = subprocess.run([sys.executable, "-c", EMIT_MANY], capture_output=True, text=True, timeout=60,
                            env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    assert result.returncode == 0, result.stderr[-500:]
    assert abs(int(result.stdout.strip())) < 50
