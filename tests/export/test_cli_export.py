"""``annotator export`` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from annotator.cli import main

from .conftest import Project


def test_cli_export_writes_summary_and_refuses_overwrite(project: Project,
                                                         tmp_path: Path) -> None:
    project.store.close()
    out = tmp_path / "x.jsonl"
    args = ["export", "--db", str(project.path), "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "exported 4 document(s)" in result.output and "PERSON 4" in result.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1 and "already exists" in again.output
    forced = CliRunner().invoke(main, [*args, "--force", "--status", "any", "--layer", "entity",
                                       "--no-tokens"])
    assert forced.exit_code == 0, forced.output
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(items) == 6 and all("tokens" not in i and i["claims"] == [] for i in items)


def test_cli_export_spacy_and_labelstudio(project: Project, tmp_path: Path) -> None:
    project.store.close()
    runner = CliRunner()
    result = runner.invoke(main, ["export", "--db", str(project.path), "--format", "spacy",
                                  "--out", str(tmp_path / "sp"), "--dev-fraction", "0.5",
                                  "--seed", "3", "--align", "expand"])
    assert result.exit_code == 0, result.output
    assert "[train" in result.output and (tmp_path / "sp" / "config.cfg").exists()
    result = runner.invoke(main, ["export", "--db", str(project.path), "--format",
                                  "labelstudio", "--out", str(tmp_path / "ls.json")])
    assert result.exit_code == 0 and (tmp_path / "ls.label_config.xml").exists()
