"""One error type for the user (issue 22.3): every refusal is an
:class:`~annotator.errors.AnnotatorError`, which the command line says in one line with
exit 1; anything else is a bug, which keeps its traceback and asks for a report."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.errors import REPORT, AnnotatorError, ExportError
from annotator.session import Session
from annotator.store import Store

from .test_teams import make_project

ROOT = Path(__file__).resolve().parent.parent

#: Where each refusal lived before errors.py; callers import them from there still.
HOMES = [
    ("annotator.store", "StoreError"), ("annotator.store", "ReadOnlyError"),
    ("annotator.store", "ReplacedError"), ("annotator.session", "SessionError"),
    ("annotator.session", "OverlapError"), ("annotator.session", "ConflictError"),
    ("annotator.session", "NeedsReviewError"), ("annotator.session", "StorageError"),
    ("annotator.decide", "DecisionError"), ("annotator.decide", "DecisionsRefused"),
    ("annotator.labels", "LabelError"), ("annotator.importers", "ImportFailed"),
    ("annotator.export", "ExportError"), ("annotator.teams", "TeamError"),
    ("annotator.suggest.runner", "ModelNotFound"), ("annotator.trained", "ModelError"),
    ("annotator.train", "TrainError"), ("annotator.evaluate", "NothingToEvaluate"),
]


@pytest.mark.parametrize(("module", "name"), HOMES)
def test_errors_every_refusal_is_an_annotator_error(module: str, name: str) -> None:
    cls = getattr(importlib.import_module(module), name)
    assert issubclass(cls, AnnotatorError)
    assert getattr(importlib.import_module("annotator.errors"), name) is cls


def test_errors_keep_the_bases_callers_catch() -> None:
    from annotator.errors import LabelError, SessionError, TeamError, UnknownDocument

    assert issubclass(SessionError, ValueError) and issubclass(LabelError, ValueError)
    assert issubclass(UnknownDocument, LookupError)
    from annotator.store import StoreError

    assert issubclass(TeamError, StoreError)


def test_errors_describe_is_one_line_with_the_hint() -> None:
    assert ExportError("no way").describe() == "no way"
    refused = ExportError("nothing to export", hint="mark documents done")
    assert str(refused) == "nothing to export"
    assert refused.describe() == "nothing to export; mark documents done"


def _plugin(tmp_path: Path) -> dict[str, str]:
    """A package with two commands for the ``annotator.commands`` entry point group (as
    the window's ``gui`` is found): ``crash`` has a bug, ``refuse`` refuses. The
    environment that puts it on the path."""
    folder = tmp_path / "plugin"
    (folder / "annotator_test_plugin-0.dist-info").mkdir(parents=True)
    (folder / "annotator_test_plugin-0.dist-info" / "entry_points.txt").write_text(
        "[annotator.commands]\ncrash = annotator_test_plugin:crash\n"
        "refuse = annotator_test_plugin:refuse\n", encoding="utf-8")
    (folder / "annotator_test_plugin.py").write_text(
        "import click\n"
        "from annotator.export import ExportError\n\n\n"
        "@click.command('crash')\n"
        "def crash():\n"
        "    return {}['planted']\n\n\n"
        "@click.command('refuse')\n"
        "def refuse():\n"
        "    raise ExportError('planted refusal; nothing was written')\n", encoding="utf-8")
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(folder), str(ROOT)]))


def test_cli_bug_keeps_its_traceback_and_asks_for_a_report(tmp_path: Path) -> None:
    """Anything that is not a refusal is a bug: Python's traceback, then one line that
    says so and where to report it; exit 1. Before, only the traceback."""
    done = subprocess.run([sys.executable, "-m", "annotator", "crash"], env=_plugin(tmp_path),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.startswith("Traceback (most recent call last):"), done.stderr
    assert "KeyError: 'planted'" in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(REPORT) and "issue tracker" in last, done.stderr


def test_cli_refusal_of_any_command_is_one_line(tmp_path: Path) -> None:
    """A refusal is one line and exit 1 whichever command raised it, a plugin's too.
    Before, only three error classes were recognised (by looking at sys.modules), and
    this one showed a traceback."""
    done = subprocess.run([sys.executable, "-m", "annotator", "refuse"], env=_plugin(tmp_path),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr == "Error: planted refusal; nothing was written\n"


def test_cli_export_refusal_is_one_line_with_its_hint(tmp_path: Path) -> None:
    project = make_project(tmp_path / "news.db")
    result = CliRunner().invoke(main, ["export", "--db", str(project)])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: nothing to export: 0 of 10 documents are done; mark documents done (D in "
        "the window, or `annotator mark done ID ...`), choose another --status (--status "
        "any exports every document), or pass --allow-empty\n")


def test_cli_labels_export_never_overwrites_the_project(tmp_path: Path) -> None:
    """``labels export`` onto the project file (or its -wal) is refused, --force or not,
    as the window's Labels dialog refuses it. Before, it replaced the project."""
    project = make_project(tmp_path / "news.db")
    for target in (project, Path(f"{project}-wal")):
        result = CliRunner().invoke(main, ["labels", "export", str(target), "--force",
                                           "--db", str(project)])
        assert result.exit_code == 1, result.output
        assert "writing there would destroy the project" in result.stderr
        assert "Traceback" not in result.output
    with Store(project) as store:
        assert store.count_documents() == 10
    ok = CliRunner().invoke(main, ["labels", "export", str(tmp_path / "labels.toml"),
                                   "--db", str(project)])
    assert ok.exit_code == 0 and "wrote" in ok.output
    again = CliRunner().invoke(main, ["labels", "export", str(tmp_path / "labels.toml"),
                                      "--db", str(project)])
    assert again.exit_code == 1 and "already exists" in again.stderr


def test_cli_unknown_document_is_refused_by_the_core(tmp_path: Path) -> None:
    """``accept --doc``, ``reject --doc`` and ``show`` refuse an unknown id in the words
    of :meth:`Store.document`; the session refuses it too."""
    from annotator.errors import UnknownDocument

    project = make_project(tmp_path / "news.db")
    said = f"Error: no document 99 in {project}\n"
    for args in (["accept", "--doc", "99"], ["reject", "--doc", "99"], ["show", "99"]):
        result = CliRunner().invoke(main, [*args, "--db", str(project)])
        assert result.exit_code == 1 and result.stderr == said, (args, result.output)
    with Store(project) as store, pytest.raises(UnknownDocument, match="no document 99"):
        Session(store, "ann").accept_all(doc_id=99)
