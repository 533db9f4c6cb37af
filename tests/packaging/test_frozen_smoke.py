"""The frozen build's smoke test (installer/smoke.sh), when asked for: it builds the app, which takes minutes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("JOINTLEAD_FROZEN_SMOKE") != "1",
                    reason="builds the frozen app (minutes): set JOINTLEAD_FROZEN_SMOKE=1, or run installer/smoke.sh")
@pytest.mark.skipif(sys.platform == "win32" or shutil.which("bash") is None, reason="installer/smoke.sh is for bash")
def test_the_frozen_build_passes_its_smoke_test():
    result = subprocess.run(["bash", str(ROOT / "installer" / "smoke.sh")], capture_output=True, text=True,
                            timeout=1800)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert ", 0 failed" in result.stdout.splitlines()[-1]
