"""The markers that ``make test-fast`` (``-m "not slow"``) and ``-m gui`` select by do
select something: counted with ``pytest --collect-only``, as a developer would run it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow  # collects the whole suite twice


def _collected(marker: str) -> tuple[int, int]:
    """(selected, all) tests when the suite is collected with ``-m marker``."""
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                           "-p", "no:cacheprovider", "-m", marker], cwd=ROOT,
                          capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    last = done.stdout.strip().splitlines()[-1]
    # "12/345 tests collected (333 deselected) in 4.2s", or "345 tests collected in ..."
    found = re.match(r"(\d+)(?:/(\d+))? tests? collected", last)
    assert found, last
    selected = int(found.group(1))
    return selected, int(found.group(2) or selected)


def test_markers_not_slow_leaves_some_out_and_gui_selects_some() -> None:
    fast, everything = _collected("not slow")
    assert 0 < fast < everything
    gui, _ = _collected("gui")
    assert 0 < gui < everything
