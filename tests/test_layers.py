"""Importing the core loads neither Qt nor spaCy (the import-linter contracts in
pyproject.toml, run by `make lint`, keep the static layers)."""

from __future__ import annotations

import subprocess
import sys


def test_layers_importing_core_loads_neither_qt_nor_spacy() -> None:
    code = ("import sys, annotator.cli, annotator.session, annotator.importers,"
            " annotator.train, annotator.train.loop, annotator.trained,"
            " annotator.suggest.checkworthy;"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in"
            " ('PySide6', 'spacy', 'ui', 'numpy', 'sqlite_utils')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
