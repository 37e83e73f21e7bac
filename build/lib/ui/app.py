"""Start the GUI: ``run(argv)`` is what ``python main.py`` and ``annotator gui`` call."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from annotator.paths import default_db_path
from annotator.session import login_name
from annotator.store import Store, StoreError

from .window import MainWindow

ORGANIZATION = "annotator"
APPLICATION = "Annotator"


def annotator_name(settings: QSettings, override: str | None, ask: bool = True) -> str:
    """``--annotator`` if given, else the saved name, else asked once (default: the OS
    user) and saved."""
    if override:
        settings.setValue("annotator", override)
        return override
    saved = settings.value("annotator")
    if isinstance(saved, str) and saved.strip():
        return saved
    name = login_name()
    if ask:
        answer, ok = QInputDialog.getText(
            None, "Who is annotating?",
            "Your name is recorded on every decision you make:", text=name)
        if ok and answer.strip():
            name = answer.strip()
    settings.setValue("annotator", name)
    return name


def build_window(db_path: Path, annotator: str | None = None,
                 settings: QSettings | None = None, auto_suggest: bool = True,
                 ask: bool = False) -> MainWindow:
    """The main window on ``db_path`` (created, and seeded with the samples when it is
    the default project). A QApplication must exist."""
    settings = settings or QSettings(ORGANIZATION, APPLICATION)
    store = Store(db_path)
    name = annotator_name(settings, annotator, ask=ask)
    return MainWindow(store, name, settings, auto_suggest=auto_suggest)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="annotator gui", description=__doc__)
    parser.add_argument("--db", type=Path, default=None,
                        help="project database (default: the default project)")
    parser.add_argument("--annotator", default=None, help="who is annotating")
    return parser.parse_args(argv)


def run(argv: list[str]) -> int:
    """Open the window; returns the exit code."""
    args = parse_args(argv)
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "annotator"])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    db_path = args.db or default_db_path()
    if args.db is None:
        from annotator.samples import seed_if_empty

        with Store(db_path) as store:
            seed_if_empty(store)
    try:
        window = build_window(db_path, args.annotator, ask=True)
    except StoreError as exc:
        QMessageBox.critical(None, "Cannot open project", str(exc))
        return 1
    window.show()
    return int(app.exec())
