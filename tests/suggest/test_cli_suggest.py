"""The ``suggest`` and ``accept`` commands."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.store import Store


def _project(path) -> None:
    with Store(path) as store, store.write():
        store.insert_document("The ministry said 300 families were evacuated from Basra.",
                              {}, "h1")
        store.insert_document("Toyota will open a factory in Kentucky next year.", {}, "h2")


def test_cli_suggest_missing_model_is_one_line(tmp_path):
    db = tmp_path / "p.db"
    _project(db)
    result = CliRunner().invoke(main, ["suggest", "--model", "no_such_model", "--db", str(db)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "install" in result.output


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_cli_accept_logs_each_decision(tmp_path, nlp):
    db = tmp_path / "p.db"
    _project(db)
    runner = CliRunner()
    result = runner.invoke(main, ["suggest", "--doc", "1", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "1 document(s)" in result.output
    result = runner.invoke(main, ["accept", "--layer", "claim", "--min-score", "0.5",
                                  "--annotator", "ann", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "accepted 1 suggestion(s) as ann" in result.output
    with Store(db) as store:
        [claim] = store.spans(1, "claim")
        assert (claim.decision, claim.annotator) == ("accepted", "ann")
        assert [e["action"] for e in store.events(1)] == ["accept_all"]
        assert store.spans(2) == []  # --doc 1 only
