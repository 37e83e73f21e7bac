"""The team commands as a user runs them: split, merge, agreement, stats, export --set."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from annotator.cli import main

from .test_teams import annotate, make_project


def test_cli_teams_split_merge_agreement_export(tmp_path: Path) -> None:
    runner = CliRunner()
    project = make_project(tmp_path / "news.db")
    out = tmp_path / "out"
    result = runner.invoke(main, ["split", str(project), "--annotators", "alice,bob",
                                  "--overlap", "0.4", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "alice 7 (4 shared), bob 7 (4 shared)" in result.output
    annotate(out / "alice.db", "alice")
    annotate(out / "bob.db", "bob", label_for_ali="ORG")
    team = tmp_path / "team.db"
    files = [str(out / "alice.db"), str(out / "bob.db")]
    result = runner.invoke(main, ["merge", *files, "--into", str(team)])
    assert result.exit_code == 0 and "set alice: 7 documents (7 new" in result.output
    again = runner.invoke(main, ["merge", *files, "--into", str(team)])
    assert again.output.count("nothing new") == 2
    data = json.loads(runner.invoke(main, ["agreement", str(team), "--json"]).output)
    pair = data["pairs"][0]
    # 4 shared documents, 2 entities each; the PERSON differs on all 4: 4 of 8 exact
    assert (pair["a"], pair["b"], pair["documents"]) == ("alice", "bob", 4)
    assert pair["labels"]["all"]["f1_exact"] == 0.5
    text = runner.invoke(main, ["agreement", str(team), "--layer", "claim"]).output
    assert "claim agreement on 4 shared document(s)" in text
    assert "Krippendorff's alpha" in text
    refused = runner.invoke(main, ["agreement", str(team), "--label", "NOPE"])
    assert refused.exit_code == 1 and "no entity label 'NOPE'" in refused.output
    stats = runner.invoke(main, ["stats", "--db", str(team)]).output
    assert "shared documents: 4, to review: 4" in stats
    exported = runner.invoke(main, ["export", "--db", str(team), "--out",
                                    str(tmp_path / "x.jsonl"), "--no-tokens"])
    assert exported.exit_code == 0
    assert "exported 6 document(s)" in exported.output and "skipped 4" in exported.output
    unknown = runner.invoke(main, ["export", "--db", str(team), "--set", "dora", "--out",
                                   str(tmp_path / "y.jsonl")])
    assert unknown.exit_code == 1 and "no annotation set 'dora'" in unknown.output


def test_cli_teams_merge_refusal_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"x" * 4096)
    result = CliRunner().invoke(main, ["merge", str(bad), "--into", str(tmp_path / "t.db")])
    assert result.exit_code == 1
    assert "not an SQLite database" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "t.db").exists()
