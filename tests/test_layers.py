"""The core never imports Qt or ui/ (DESIGN.md, Layers)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "annotator"


def test_layers_core_sources_do_not_import_qt() -> None:
    pattern = re.compile(r"^\s*(from|import)\s+(PySide6|ui)\b", re.M)
    offenders = [p for p in CORE.rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_layers_importing_core_loads_neither_qt_nor_spacy() -> None:
    code = ("import sys, annotator.cli, annotator.session, annotator.importers;"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6','spacy','ui')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
