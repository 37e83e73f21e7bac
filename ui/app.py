"""Start the GUI: ``run(argv)`` is what ``python main.py`` and ``annotator gui`` call."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from annotator.model import check_plain_name
from annotator.paths import default_db_path
from annotator.session import (
    SessionError,
    login_name,
    named_annotator,
    save_name,
    saved_name,
)
from annotator.store import Store, StoreError, storage_reason

from .window import MainWindow

ORGANIZATION = "annotator"
APPLICATION = "Annotator"


def annotator_name(store: Store, override: str | None, ask: bool = True,
                   settings: QSettings | None = None) -> str:
    """``--annotator`` if given, else the name saved in this project for this login
    (:func:`~annotator.session.saved_name`), else asked once (default: the name this
    account last gave, else the login name) and saved in the project. A setting per
    project, not per machine: one name shared by every project of the account logged
    decisions under a name given for another project."""
    if override:
        save_name(store, override)
        return override
    saved = saved_name(store)
    if saved:
        return saved
    old = settings.value("annotator") if settings is not None else None
    name = old if isinstance(old, str) and check_plain_name(old) is None else login_name()
    prompt = "Your name in this project is recorded on every decision you make:"
    while ask:
        answer, ok = QInputDialog.getText(None, "Who is annotating?", prompt, text=name)
        if not ok or not answer.strip():
            break
        reason = check_plain_name(answer.strip())
        if reason is None:
            name = answer.strip()
            break
        prompt = f"{reason}. Your name is recorded on every decision you make:"
    save_name(store, name)
    if settings is not None:  # the default of the next project's question
        settings.setValue("annotator", name)
    return name


def build_window(db_path: Path, annotator: str | None = None,
                 settings: QSettings | None = None, auto_suggest: bool = True,
                 ask: bool = False, readonly: bool = False) -> MainWindow:
    """The main window on ``db_path`` (created if new), as ``annotator`` if given, else
    as :func:`named_annotator` says ($ANNOTATOR_NAME, a split file's annotator: no
    question asked), else as :func:`annotator_name` (the name saved in the project, or
    asked): :func:`annotator.session.decider`'s rule. A project that cannot be written
    opens read-only, as ``readonly`` asks for; the window says so and offers nothing that
    would write. A QApplication must exist."""
    settings = settings or QSettings(ORGANIZATION, APPLICATION)
    store = Store(db_path, readonly=readonly)
    name = None if annotator else _named(store)
    # $ANNOTATOR_NAME or a split file's annotator is used, not saved: it belongs to this
    # shell or this file, not to every project on the account
    name = name or annotator_name(store, annotator, ask=ask, settings=settings)
    return MainWindow(store, name, settings, auto_suggest=auto_suggest)


def _named(store: Store) -> str | None:
    """:func:`named_annotator`, or ``None`` if what it names is not a plain name (the
    saved name or the question then decide, as without it)."""
    try:
        return named_annotator(store)
    except SessionError:
        return None


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="annotator gui", description=__doc__)
    parser.add_argument("--db", type=Path, default=None,
                        help="project database (default: the default project)")
    parser.add_argument("--annotator", default=None, help="who is annotating")
    parser.add_argument("--read-only", action="store_true",
                        help="open the project for reading (and exporting) only")
    return parser.parse_args(argv)


def seed_default(db_path: Path) -> str | None:
    """Put the sample articles into the default project if it has no documents; why
    not, if that failed (the window then opens on what there is, or says why not)."""
    from annotator.samples import seed_if_empty

    try:
        with Store(db_path) as store:
            if not store.readonly:
                seed_if_empty(store)
    except StoreError as exc:
        return exc.describe()
    except (sqlite3.Error, OSError) as exc:
        reason = storage_reason(exc)
        if reason is None:
            raise
        return f"the sample articles were not added: {reason}"
    return None


def run(argv: list[str]) -> int:
    """Open the window; returns the exit code."""
    args = parse_args(argv)
    reason = check_plain_name(args.annotator) if args.annotator is not None else None
    if reason:  # names are plain (they reach set names and file names through merge)
        print(f"--annotator {args.annotator!r}: {reason}", file=sys.stderr)
        return 1
    if QApplication.instance() is None:
        from .platform_check import problem

        missing = problem()  # Qt would abort with its own message
        if missing:
            print(missing, file=sys.stderr)
            return 1
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "annotator"])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    db_path = args.db or default_db_path()
    seeding = seed_default(db_path) if args.db is None and not args.read_only else None
    try:
        window = build_window(db_path, args.annotator, ask=True, readonly=args.read_only)
    except StoreError as exc:
        QMessageBox.critical(None, "Cannot open project", exc.describe())
        return 1
    if seeding:
        window.statusBar().showMessage(seeding, 15_000)
    window.show()
    return int(app.exec())
