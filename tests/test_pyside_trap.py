"""PySide6 6.12.0 on Python 3.11 aborts after a few thousand Qt calls returning None
("Fatal Python error: none_dealloc"); we pin <6.12 there. This must keep passing."""

from __future__ import annotations

import subprocess
import sys

CODE = """
from PySide6.QtGui import QGuiApplication, QTextCursor, QTextDocument
app = QGuiApplication([])
doc = QTextDocument("x" * 100)
cursor = QTextCursor(doc)
for i in range(200_000):
    cursor.setPosition(i % 100)
print("ok")
"""


def test_pyside_trap_200k_none_returning_calls_do_not_abort() -> None:
    # In a subprocess: the failure mode is an abort that would kill the test runner.
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                            timeout=300, env={"QT_QPA_PLATFORM": "offscreen",
                                              "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"
