"""End to end, with the commands a user types: labelled JSONL in (``--status done
--add-labels``), ``train`` a few steps, ``suggest --model latest`` and, in a second
project, ``--model PATH``, then ``evaluate`` (issue 15, must-show)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from bench.entities import NEW_LABEL, make_documents, write

from .test_train import labelled_lines

pytestmark = pytest.mark.slow  # trains a model


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_end_to_end_import_train_suggest_evaluate(tmp_path: Path) -> None:
    labelled = tmp_path / "labelled.jsonl"
    write(labelled, labelled_lines(16, 60))
    first = str(tmp_path / "first.db")
    refused = CliRunner().invoke(main, ["import", str(labelled), "--db", first,
                                        "--status", "done"])
    assert refused.exit_code == 1
    assert f"annotator labels add {NEW_LABEL} --layer entity" in refused.output
    assert "nothing was imported" in refused.output
    out = run("import", str(labelled), "--db", first, "--status", "done", "--add-labels")
    assert "imported 16 document(s)" in out and f"labels added to the project: {NEW_LABEL}" in out
    out = run("train", "--db", first, "--max-steps", "4", "--seed", "0")
    assert "trained entity, claim" in out and "first-1" in out and "held-out" in out
    model = json.loads(run("models", "--db", first, "--json"))["path"]

    # new articles in the first project, suggested with its latest model
    fresh = make_documents(4, 60, seed=7)
    write(tmp_path / "fresh.jsonl", [{"text": x["text"]} for x in fresh])
    run("import", str(tmp_path / "fresh.jsonl"), "--db", first)
    out = run("suggest", "--db", first, "--model", "latest")
    assert "with first-1" in out
    shown = json.loads(run("show", "17", "--db", first, "--json"))
    models = {s["model"] for s in shown["spans"]}
    assert "first-1" in models and all(m.startswith("first-1") for m in models)

    # a second project uses the model by its path, and scores it against gold labels
    second = str(tmp_path / "second.db")
    run("import", str(tmp_path / "fresh.jsonl"), "--db", second)
    run("labels", "add", NEW_LABEL, "--layer", "entity", "--db", second)
    out = run("suggest", "--db", second, "--model", model)
    assert "with first-1" in out
    write(tmp_path / "gold.jsonl", [{"text": x["text"], "spans": x["spans"]} for x in fresh])
    report = json.loads(run("evaluate", "--gold", str(tmp_path / "gold.jsonl"), "--model",
                            model, "--layer", "entity", "--json", "--db", second))
    assert report["models"] == ["first-1"] and report["documents"] == 4
    labels = {r["label"] for r in report["labels"]}
    assert NEW_LABEL in labels and "(all)" in labels
    # and the project evaluation of the first project, after marking its new documents
    run("mark", "done", "17", "18", "--db", first)
    project = json.loads(run("evaluate", "--db", first, "--model", "first-1", "--json"))
    assert project["models"] and all(m.startswith("first-1") for m in project["models"])
