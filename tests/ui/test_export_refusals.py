"""File ▸ Export refuses what ``annotator export`` refuses, in the same words (issue 22.3):
the refusals live in the core (:func:`annotator.export.export`), the Export dialog asks
the core before it closes, and what only the stream finds (every document left out) comes
back from the worker to the window's banner. Each window text is compared with the
command line's, character for character."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.export import ExportOptions
from annotator.store import Store
from annotator.teams import merge, split

from ..test_teams import annotate, make_project


def cli_refusal(db: Path, *args: str) -> str:
    """What ``annotator export --db DB ARGS`` says: one line after ``Error: ``, exit 1."""
    result = CliRunner().invoke(main, ["export", "--db", str(db), *args])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    line = result.stderr.strip()
    assert line.startswith("Error: ") and "\n" not in line, line
    return line.removeprefix("Error: ")


def dialog_refusal(qtbot: Any, store: Store, out: Path, monkeypatch: Any,
                   status: str = "done", annotation_set: str | None = None) -> str:
    """What the Export dialog says when Export is pressed with these choices (it stays
    open: not accepted, nothing to replace asked)."""
    from annotator.gui.export_dialog import ExportDialog
    from PySide6.QtWidgets import QMessageBox

    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))
    monkeypatch.setattr(QMessageBox, "question", lambda *a: pytest.fail("asked to replace"))
    dialog = ExportDialog(out.parent, store.path, store=store)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(out))
    dialog.status.setCurrentIndex(dialog.status.findData(status))
    if annotation_set is not None:
        index = dialog.annotation_set.findData(annotation_set)
        assert index >= 0, annotation_set
        dialog.annotation_set.setCurrentIndex(index)
    dialog._accept()
    assert dialog.result() == 0 and len(warnings) == 1, warnings
    return warnings[0]


def window_refusal(qtbot: Any, window: Any, out: Path, opts: ExportOptions) -> str:
    """What the window's banner says when its export worker is refused, after the
    task bar's name of the task (``Exporting jsonl failed: ``)."""
    with qtbot.waitSignal(window.taskbar.finished, timeout=30_000):
        assert window.files.export_to("jsonl", out, opts) is not None
    assert window.taskbar.last_failed
    shown = str(window.article.banner.message)
    assert shown.startswith("Exporting jsonl failed: "), shown
    return shown.removeprefix("Exporting jsonl failed: ")


def test_export_dialog_nothing_to_export_in_the_cli_words(
        qtbot: Any, project: Store, open_window: Any, tmp_path: Path,
        monkeypatch: Any) -> None:
    """No document is done: before, the dialog closed and the worker wrote an empty
    file, which only the command line refused."""
    out = tmp_path / "out.jsonl"
    said = cli_refusal(project.path, "--out", str(out))
    assert said.startswith("nothing to export: 0 of 3 documents are done; mark documents")
    assert dialog_refusal(qtbot, project, out, monkeypatch) == said
    window = open_window()
    assert window_refusal(qtbot, window, out, ExportOptions()) == said
    assert not out.exists()


def build_team(path: Path, work: Path) -> Store:
    """Three documents, each given to alice and bob, who labelled them all and marked
    them done; merged into ``path``, nobody reviewed: the gold set is empty."""
    with Store(make_project(work / "source.db")) as store:
        split(store, ["alice", "bob"], work / "files", overlap=1.0, copies=2)
    for name in ("alice", "bob"):
        annotate(work / "files" / f"{name}.db", name)
    merge(path, [(work / "files" / f"{n}.db", None) for n in ("alice", "bob")], "lead")
    return Store(path)


@pytest.fixture
def team_project(db_path: Path, tmp_path: Path) -> Store:
    return build_team(db_path, tmp_path)


def test_export_dialog_team_refusals_in_the_cli_words(
        qtbot: Any, team_project: Store, open_window: Any, tmp_path: Path,
        monkeypatch: Any) -> None:
    """A team project: the dialog offers whose labels (auto, gold, each annotator), and
    an unknown set, a gold set with nothing reviewed, and a gold set emptied of every
    document are refused in the command line's words."""
    out = tmp_path / "out.jsonl"
    store = team_project
    # gold, done: nothing reviewed, so nothing is done there (refused before writing)
    said = cli_refusal(store.path, "--out", str(out), "--set", "gold")
    assert "0 of 10 documents are done in the gold set" in said and "annotator review" in said
    assert dialog_refusal(qtbot, store, out, monkeypatch, annotation_set="gold") == said
    # gold, any status: every document's gold set is empty while the annotators' are not
    emptied = cli_refusal(store.path, "--out", str(out), "--set", "gold", "--status", "any")
    assert emptied.startswith("nothing exported: every document was left out")
    window = open_window()
    assert window_refusal(qtbot, window, out, ExportOptions(
        status="any", annotation_set="gold")) == emptied
    # a set nobody has
    unknown = cli_refusal(store.path, "--out", str(out), "--set", "dora")
    assert unknown == ("no annotation set 'dora' in the project (auto, gold, or an "
                       "annotator's: alice, bob)")
    assert window_refusal(qtbot, window, out, ExportOptions(annotation_set="dora")) == unknown
    assert not out.exists()
    store.close()


def test_export_dialog_offers_the_sets_of_a_team_project_only(
        qtbot: Any, project: Store, tmp_path: Path) -> None:
    from annotator.gui.export_dialog import ExportDialog

    team_project = build_team(tmp_path / "team.db", tmp_path)

    solo = ExportDialog(tmp_path, project.path, store=project)
    team = ExportDialog(tmp_path, team_project.path, store=team_project)
    for dialog in (solo, team):
        qtbot.addWidget(dialog)
        dialog.show()
    assert not solo.annotation_set.isVisible()
    assert team.annotation_set.isVisible()
    assert [team.annotation_set.itemData(i) for i in range(team.annotation_set.count())] \
        == ["auto", "gold", "alice", "bob"]
    team.annotation_set.setCurrentIndex(3)
    assert team.options().annotation_set == "bob"
    team.resize(1024, 700)
    shots = Path(os.environ.get("ANNOTATOR_SHOTS", tmp_path))
    team.grab().save(str(shots / "export-dialog-team.png"))
    team_project.close()
