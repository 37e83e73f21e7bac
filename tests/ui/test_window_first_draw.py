"""The window draws its first document before it imports anything that document does not
need (issue 28 §1: process start to the first document drawn; the figures are in
docs/scale.md and bench/scale_window.py, not here): the exporters, the team review, the
training process, the suggesting process's machinery (``multiprocessing``), the claim
rules, the dialogs, the charts and spaCy load on first use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui

#: loaded on first use, never to draw the first document
LAZY = ("annotator.export", "annotator.teams", "annotator.suggest.claims",
        "annotator.suggest.service", "annotator.train", "multiprocessing",
        "annotator.gui.export_dialog", "annotator.gui.labels_dialog",
        "annotator.gui.dialogs", "annotator.gui.training", "annotator.gui.statistics",
        "annotator.gui.charts", "annotator.gui.plotting", "annotator.gui.cheatsheet",
        "annotator.gui.quality_view", "spacy", "pyqtgraph", "numpy")

#: a fresh interpreter (other tests' imports must not count): the real window, shown,
#: until its article has painted the first document; then what is imported
FIRST_DRAWN = r"""
import json, sys
from PySide6.QtCore import QEvent, QObject, QSettings
from PySide6.QtWidgets import QApplication
app = QApplication([])
from annotator.gui.app import build_window
db, ini = sys.argv[1:3]

class Painted(QObject):
    drawn = None
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and window.doc is not None:
            Painted.drawn = window.doc.id
        return False

window = build_window(db, "tester", QSettings(ini, QSettings.Format.IniFormat),
                      auto_suggest=False)
painted = Painted()
window.article.viewport().installEventFilter(painted)
window.resize(1024, 700)
window.show()
while Painted.drawn is None:
    app.processEvents()
print(json.dumps({"drawn": Painted.drawn, "modules": sorted(sys.modules)}))
window.close()
"""


@pytest.mark.slow  # a fresh interpreter with Qt: over 0.6 s (make test-fast leaves it out)
def test_window_first_draw_imports_nothing_the_first_document_does_not_need(
        project, db_path: Path, tmp_path: Path):
    out = subprocess.run([sys.executable, "-c", FIRST_DRAWN, str(db_path),
                          str(tmp_path / "s.ini")], capture_output=True, text=True,
                         check=True, timeout=120, cwd=Path(__file__).resolve().parents[2],
                         env={"QT_QPA_PLATFORM": "offscreen", "PATH": "",
                              "PYTHONPATH": ":".join(p for p in sys.path if p)})
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["drawn"] == 1
    loaded = sorted(m for m in got["modules"]
                    if any(m == lazy or m.startswith(lazy + ".") for lazy in LAZY))
    assert loaded == [], f"imported before the first document was drawn: {loaded}"
