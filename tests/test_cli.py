"""The command line, run as a user would: the installed console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from annotator.cli import main

from .conftest import SHAFAQ


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_cli_import_show_dedup_via_console_script(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    exe = Path(sys.executable).parent / "annotator"
    out = subprocess.run([exe, "import", SHAFAQ, "--db", db], capture_output=True, text=True,
                         check=True).stdout
    assert "imported 1 document" in out
    shown = json.loads(subprocess.run([exe, "show", "1", "--db", db, "--json"],
                                      capture_output=True, text=True, check=True).stdout)
    assert shown["meta"]["date"] == "2024-08-13" and shown["meta"]["source"] == "Shafaq News"
    again = subprocess.run([exe, "import", SHAFAQ, "--db", db], capture_output=True, text=True,
                           check=True).stdout
    assert "imported 0" in again and "skipped 1 duplicate" in again


def test_cli_list_stats_and_env_default(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "env.db"
    monkeypatch.setenv("ANNOTATOR_DB", str(db))
    runner = CliRunner()
    assert runner.invoke(main, ["import", str(SHAFAQ.parent)]).exit_code == 0
    assert db.exists()
    listed = runner.invoke(main, ["list", "--json"])
    rows = [json.loads(line) for line in listed.output.splitlines()]
    assert rows and {"id", "status", "title", "pending", "accepted"} <= rows[0].keys()
    stats = json.loads(runner.invoke(main, ["stats", "--json"]).output)
    assert stats["documents"]["total"] == len(rows)


def test_cli_import_error_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok"}\n{oops\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(bad), "--db", str(tmp_path / "y.db")])
    assert result.exit_code == 1
    assert "bad.jsonl:2: invalid JSON" in result.output and "nothing was imported" in result.output
    assert "Traceback" not in result.output


def test_cli_show_unicode_offsets(tmp_path: Path) -> None:
    src = tmp_path / "u.jsonl"
    text = "😀 Alice met عبد الله in Zoë\u0301 town."
    start = text.index("Alice")
    src.write_text(json.dumps({"text": text, "spans": [
        {"start": start, "end": start + 5, "label": "PERSON"},
        {"start": text.index("عبد"), "end": text.index("عبد") + 8, "label": "PERSON"},
        {"start": text.index("Zoë"), "end": text.index("Zoë") + 4, "label": "GPE"}]},
        ensure_ascii=False) + "\n", encoding="utf-8")
    db = str(tmp_path / "u.db")
    runner = CliRunner()
    runner.invoke(main, ["import", str(src), "--db", db])
    shown = json.loads(runner.invoke(main, ["show", "1", "--db", db, "--json"]).output)
    assert [s["text"] for s in shown["spans"]] == ["Alice", "عبد الله", "Zoë\u0301"]
    for span in shown["spans"]:
        assert shown["text"][span["start"]:span["end"]] == span["text"]


def test_cli_every_command_is_documented_in_the_how_to() -> None:
    # docs/cli.md's "Which command for what"; every option: tests/test_docs.py
    readme = (Path(__file__).resolve().parent.parent / "docs" / "cli.md").read_text("utf-8")
    names = main.list_commands(click.Context(main))  # every command, loaded or not
    assert {"import", "list", "export", "suggest", "gui"} <= set(names)
    for name in names:
        assert f"annotator {name}" in readme, f"docs/cli.md does not document `annotator {name}`"


@pytest.mark.parametrize("module", ["annotator", "annotator.cli"])
def test_cli_as_module_has_every_command(module: str) -> None:
    out = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True,
                         text=True, check=True).stdout
    for command in ("import", "list", "show", "stats", "gui", "suggest", "accept", "export"):
        assert f"  {command} " in out, (command, out)


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_cli_output_piped_into_a_reader_that_stops_ends_quietly(tmp_path: Path) -> None:
    """``annotator list | head -1``: the reader closes the pipe; the command ends without
    a "failed: Broken pipe" line (or a traceback) on stderr."""
    exe = str(Path(sys.executable).with_name("annotator"))
    db = str(tmp_path / "p.db")
    subprocess.run([exe, "import", SHAFAQ, "--db", db], check=True, capture_output=True)
    subprocess.run([exe, "mark", "new", "--all", "--db", db], check=True, capture_output=True)
    script = f"'{exe}' stats --db '{db}' | head -c 1 >/dev/null; '{exe}' show 1 --db '{db}' | true"
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert "Broken pipe" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
