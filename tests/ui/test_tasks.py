"""File > Import and File > Export run in a worker thread on the real project; the
database and the output files are checked, not only the status bar."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from annotator.gui.export_dialog import report_lines
from PySide6.QtCore import Qt

from annotator.session import Session
from annotator.store import Store

from .conftest import TEXT


def run_task(qtbot: Any, window: Any, start: Any) -> str:
    """Start a task with ``start()`` and wait for the task bar's ``finished``; returns
    its message, which the status bar then shows."""
    with qtbot.waitSignal(window.taskbar.finished, timeout=20_000) as finished:
        assert start() is not None
    kind, message = finished.args
    shown = window.article.banner.message if window.taskbar.last_failed \
        else window.statusBar().currentMessage()
    if kind == "export" and not window.taskbar.last_failed:
        # the status bar has the first line; the report every line (issue 21.1)
        assert shown == message.splitlines()[0]
        assert window.files.export_report.text.toPlainText().splitlines() == \
            report_lines(message)
    else:
        assert shown == message
    assert not window.taskbar.busy
    return str(message)


def test_import_in_a_worker_adds_documents_and_refreshes_the_list(
        qtbot: Any, project: Store, open_window: Any, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Ali met 👍🏽 Zoe\u0301 in بغداد on Monday.", encoding="utf-8")
    (folder / "b.jsonl").write_text(
        json.dumps({"text": "Basra port reopened.", "spans": [
            {"start": 0, "end": 5, "label": "GPE"}]}) + "\n", encoding="utf-8")
    window = open_window()
    rows = window.doc_model.rowCount()
    message = run_task(qtbot, window, lambda: window.files.import_files([folder]))
    assert message == "imported 2 document(s) from 2 file(s), 1 labelled span(s)"
    with Store(project.path) as store:
        assert store.count_documents() == 5
        [basra] = [d for d in store.iter_documents() if d.text.startswith("Basra")]
        [span] = store.spans(basra.id)
        assert (span.start, span.end, span.label, span.decision) == (0, 5, "GPE", "accepted")
    assert window.doc_model.rowCount() == rows + 2


def test_import_of_a_bad_file_in_a_worker_writes_nothing_and_says_where(
        qtbot: Any, project: Store, open_window: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\n{"text": \n', encoding="utf-8")
    window = open_window()
    message = run_task(qtbot, window, lambda: window.files.import_files([bad]))
    assert "failed" in message and "bad.jsonl:2" in message
    with Store(project.path) as store:
        assert store.count_documents() == 3


def test_export_in_a_worker_writes_the_done_documents(
        qtbot: Any, project: Store, open_window: Any, tmp_path: Path) -> None:
    session = Session(project, "tester")
    [person] = [s for s in project.spans(1) if s.label == "PERSON"]
    assert person.id is not None
    session.accept(person.id)
    session.set_status(1, "done")
    window = open_window()
    out = tmp_path / "out.jsonl"
    message = run_task(qtbot, window, lambda: window.files.export_to("jsonl", out))
    assert "exported 1 document(s), 1 span(s)" in message
    [line] = out.read_text(encoding="utf-8").splitlines()
    task = json.loads(line)
    assert task["text"] == TEXT and task["answer"] == "accept"
    assert [(s["text"], s["label"]) for s in task["spans"]] == [("Rohilat Afrin", "PERSON")]
    assert "".join(t["text"] + (" " if t["ws"] else "") for t in task["tokens"]) == TEXT
    # An existing file is refused unless the user agreed to replace it.
    out.write_text("keep me", encoding="utf-8")
    message = run_task(qtbot, window, lambda: window.files.export_to("jsonl", out))
    assert "failed" in message and "already exists" in message
    assert out.read_text(encoding="utf-8") == "keep me"
    message = run_task(qtbot, window, lambda: window.files.export_to("jsonl", out, force=True))
    assert out.read_text(encoding="utf-8").splitlines() == [line]


def test_export_dialog_options_reach_the_export(qtbot: Any, project: Store, open_window: Any,
                                                tmp_path: Path, monkeypatch: Any) -> None:
    from annotator.gui.export_dialog import ExportDialog
    from PySide6.QtWidgets import QMessageBox

    window = open_window()
    dialog = ExportDialog(tmp_path, window.store.path, window)
    qtbot.addWidget(dialog)
    assert dialog.path.text() == str(tmp_path / "export.jsonl")
    dialog.format.setCurrentIndex(dialog.format.findData("doccano"))
    assert dialog.path.text() == str(tmp_path / "doccano.jsonl")
    assert not dialog.tokens.isEnabled()
    dialog.status.setCurrentIndex(dialog.status.findData("any"))
    dialog.layer.setCurrentIndex(dialog.layer.findData("entity"))
    out = tmp_path / "doccano.jsonl"
    out.write_text("old", encoding="utf-8")
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog._accept()
    options = dialog.options()
    assert dialog.force and options.status == "any" and options.layer == "entity"
    message = run_task(qtbot, window, lambda: window.files.export_to(
        dialog.fmt, dialog.out, options, force=dialog.force))
    assert "exported 3 document(s), 0 span(s)" in message  # suggestions are not labels
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["label"] for line in lines] == [[], [], []]
    assert lines[0]["text"] == TEXT


def project_files(path: Path) -> list[Path]:
    return [Path(f"{path}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")]


def test_export_refuses_the_open_project_and_its_sqlite_files(
        qtbot: Any, project: Store, open_window: Any, tmp_path: Path, monkeypatch: Any) -> None:
    """File ▸ Export onto the project (by name, a symlink, a dangling symlink, a hard
    link, or a -wal/-shm/-journal name) is refused with a message, before any question
    about replacing it; the project keeps working."""
    from annotator.gui.export_dialog import ExportDialog, refusal
    from PySide6.QtWidgets import QMessageBox

    window = open_window()
    path = window.store.path
    (tmp_path / "links").mkdir()
    link = tmp_path / "links" / "export.jsonl"
    link.symlink_to(path)
    dangling = tmp_path / "links" / "journal.jsonl"
    dangling.symlink_to(Path(f"{path}-journal"))  # no journal exists: the link dangles
    hard = tmp_path / "links" / "hard.jsonl"
    os.link(path, hard)
    roundabout = tmp_path / "links" / ".." / path.name
    outs = [*project_files(path), link, dangling, hard, roundabout]
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))
    monkeypatch.setattr(QMessageBox, "question", lambda *a: pytest.fail("asked to replace"))
    for out in outs:
        assert refusal(out, path) is not None, out
        dialog = ExportDialog(tmp_path, path, window)
        qtbot.addWidget(dialog)
        dialog.path.setText(str(out))
        dialog._accept()
        assert dialog.result() == 0 and not dialog.force  # not accepted
        assert warnings.pop() == refusal(out, path)
        assert window.files.export_to("jsonl", out, force=True) is None  # the window's own check
        assert window.article.banner.message == refusal(out, path)
        assert not window.taskbar.busy
    assert f"{path} is the project {path} itself" in str(refusal(path, path))
    assert refusal(tmp_path / "export.jsonl", path) is None
    assert refusal(tmp_path / "links", path) is None
    # The project is whole and still takes decisions.
    qtbot.keyClick(window.article, Qt.Key.Key_A)
    with Store(project.path) as store:
        assert store.count_documents() == 3
        assert any(s.decision == "accepted" for s in store.spans(1))


@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)])
@pytest.mark.slow  # over 0.4 s (make test-fast leaves it out)
def test_export_report_shows_every_line_skipped_first(
        qtbot: Any, project: Store, open_window: Any, tmp_path: Path,
        size: tuple[int, int]) -> None:
    """Issue 21.1: the summary went to the status bar on one line, its skipped part cut
    off at 1024 and 1366 px. Now a report shows every line, what was skipped first."""
    session = Session(project, "tester")
    start = TEXT.index("Afrin")
    session.add(1, "entity", start, start + 3, "PERSON")  # "Afr": inside a token
    session.set_status(1, "done")
    window = open_window()
    window.resize(*size)
    out = tmp_path / "deep" / ("a-long-folder-name-" * 4) / "corpus"
    message = run_task(qtbot, window, lambda: window.files.export_to("spacy", out))
    report = window.files.export_report
    qtbot.waitExposed(report)
    lines = report.text.toPlainText().splitlines()
    assert lines[0] == "skipped 1: entity spans not on token boundaries (align=strict)"
    assert lines[1].startswith("exported 1 document(s)")
    assert any(line.startswith("train with: python -m spacy train") and "--code" in line
               for line in lines)
    assert sorted(lines) == sorted(line.strip() for line in message.splitlines())
    assert "left out" in report.headline.text()
    # never cut off: the text wraps within the report, which fits the screen
    assert report.text.horizontalScrollBar().maximum() == 0
    assert report.width() <= size[0]
    shots = Path(os.environ.get("ANNOTATOR_SHOTS", tmp_path))
    window.grab().save(str(shots / f"export-window-{size[0]}x{size[1]}.png"))
    report.grab().save(str(shots / f"export-report-{size[0]}x{size[1]}.png"))
