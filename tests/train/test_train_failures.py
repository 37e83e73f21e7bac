"""``annotator train`` when things go wrong (issue 21, item 11): what a killed run left,
a full disk, the deadline between the two layers, options that cannot be meant, and
``--split-by``. Tiny projects, a step or two of training."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator import trained
from annotator.cli import main
from annotator.importers import import_paths
from annotator.model import Document
from annotator.paths import models_dir
from annotator.store import Store
from annotator.train import TrainError, TrainOptions, train
from annotator.train import data as train_data
from bench.entities import write

from .test_train import ROOT, labelled_lines, leftovers


@pytest.fixture
def project(tmp_path: Path) -> Store:
    lines = labelled_lines()
    for line in lines[:4]:  # the first documents have no check-worthy claim
        line.pop("claims", None)
    write(tmp_path / "labelled.jsonl", lines)
    store = Store(tmp_path / "news.db")
    import_paths(store, [tmp_path / "labelled.jsonl"], status="done", add_labels=True)
    yield store
    store.close()


@pytest.mark.slow
def test_train_removes_what_a_killed_run_left_and_numbers_on(project: Store) -> None:
    folder = models_dir(project.path)
    folder.mkdir()
    killed = folder / ".news-1.k1ll3d.tmp"  # a run killed with SIGKILL: its lock is free
    (killed / "pipeline").mkdir(parents=True)
    (killed / "pipeline" / "weights").write_bytes(b"x" * 50_000)
    (killed / trained.RUN_LOCK).touch()
    running = folder / ".other-1.runn1n.tmp"  # a run in progress holds its lock
    running.mkdir()
    lock = trained.hold_run(running)
    try:
        result = train(project, TrainOptions(layer="entity", max_steps=1))
    finally:
        lock.close()
    assert result.path.name == "news-1"  # the killed run's number is not skipped
    assert leftovers(project.path) == [".other-1.runn1n.tmp", "news-1"]
    assert any("removed 1 temporary folder(s)" in note for note in result.notes)
    assert not (result.path / trained.RUN_LOCK).exists()


@pytest.mark.slow
def test_train_progress_json_ends_with_the_error_on_a_full_disk(project: Store) -> None:
    """A write that fails (EFBIG) under ``RLIMIT_FSIZE`` in a subprocess, SIGXFSZ
    ignored, as a full disk would fail it: the JSON lines end with done false, the
    command with one line and exit 1, and no temporary folder is left."""
    db = project.path
    code = ("import resource, signal, sys\n"
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))\n"
            "from annotator.cli import main\n"
            f"main(['train', '--db', {str(db)!r}, '--layer', 'entity', '--max-steps', '1',"
            " '--progress-json'])\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    last = json.loads(proc.stdout.splitlines()[-1])
    assert last["done"] is False and "too large" in last["error"].lower(), last
    assert proc.stderr.count("\n") == 1 and "train failed" in proc.stderr, proc.stderr
    assert [name for name in leftovers(db) if name.endswith(".tmp")] == []


@pytest.mark.slow
def test_train_max_minutes_keeps_the_entity_model_when_claims_run_out_of_time(
        project: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The deadline passes as the entity layer is saved (a clock that jumps then): the
    claim part has no time, and the finished entity model is written all the same."""
    import time

    import annotator.train.run as run

    jump = [0.0]
    monkeypatch.setattr(run, "time", types.SimpleNamespace(
        monotonic=lambda: time.monotonic() + jump[0]))

    def on_progress(p: run.Progress) -> None:
        if p.stage == "save":
            jump[0] = 3600.0

    result = train(project, TrainOptions(max_minutes=30, max_steps=2), on_progress)
    assert result.meta["layers"] == ["entity"]
    assert (result.path / "pipeline").is_dir() and not (result.path / "checkworthy").exists()
    assert "claim" not in result.meta["examples"]
    assert any("--max-minutes ran out after the entity layer" in n for n in result.notes)


@pytest.mark.parametrize("args", [
    ["--dev-fraction", "nan"], ["--max-minutes", "inf"], ["--max-minutes", "nan"],
    ["--max-minutes", "-1"], ["--seed", "-1"], ["--max-steps", "-2"],
])
def test_train_refuses_numbers_that_cannot_be_meant(project: Store, args: list[str]) -> None:
    result = CliRunner().invoke(main, ["train", "--db", str(project.path), *args])
    assert result.exit_code == 2 and "Invalid value" in result.output, result.output
    assert leftovers(project.path) == []


def test_suggest_refuses_a_min_score_of_nan(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["suggest", "--min-score", "nan", "--db",
                                       str(tmp_path / "p.db")])
    assert result.exit_code == 2 and "not a finite number" in result.output


@pytest.mark.parametrize("name", ["../evil", "a/b", ".hidden", "..", "x\\y", " pad"])
def test_train_name_is_a_plain_name(project: Store, name: str) -> None:
    result = CliRunner().invoke(main, ["train", "--db", str(project.path), "--name", name,
                                       "--max-steps", "1"])
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert "plain name" in result.output
    assert leftovers(project.path) == []
    assert not (project.path.parent / "evil-1").exists()
    with pytest.raises(TrainError, match="plain name"):
        train(project, TrainOptions(name=name))


def test_train_split_by_holds_out_about_the_dev_fraction() -> None:
    """65 documents: a debate of 53 and three of 4 (the case that held out 53 of 65)."""
    sizes = {"big": 53, "a": 4, "b": 4, "c": 4}
    docs = [train_data.Labelled(Document(len(sizes) * 100 + k, "x", {"debate": g}), [])
            for g, n in sizes.items() for k in range(n)]
    for seed in range(12):
        tr, dev = train_data.split(docs, 0.2, seed, split_by="debate")
        assert 8 <= len(dev) <= 18, (seed, len(dev))
        assert {d.doc.meta["debate"] for d in tr}.isdisjoint(
            {d.doc.meta["debate"] for d in dev})
    # documents without the key are groups of one each
    loose = [train_data.Labelled(Document(k, "x", {}), []) for k in range(40)]
    tr, dev = train_data.split(loose + docs[:5], 0.25, 0, split_by="debate")
    assert 9 <= len(dev) <= 13


def test_train_split_by_a_key_no_document_has_is_refused(project: Store) -> None:
    result = CliRunner().invoke(main, ["train", "--db", str(project.path), "--split-by",
                                       "debaet", "--max-steps", "1"])
    assert result.exit_code == 1 and "none of the 12 done document(s) has" in result.output
    assert leftovers(project.path) == []


def test_train_progress_json_ends_with_the_error_when_the_project_cannot_open(
        tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["train", "--db", str(tmp_path / "none.db"),
                                       "--progress-json"])
    assert result.exit_code == 1
    last = json.loads(result.stdout.splitlines()[0])
    assert last["done"] is False and "no such project" in last["error"]


@pytest.mark.parametrize("command", [
    ["export", "--format", "spacy", "--out", "x", "--dev-fraction", "nan"],
    ["split", "p.db", "--annotators", "a,b", "--out", "o", "--overlap", "nan"],
])
def test_other_commands_refuse_nan_fractions(tmp_path: Path, command: list[str]) -> None:
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 2 and "not a finite number" in result.output, result.output
