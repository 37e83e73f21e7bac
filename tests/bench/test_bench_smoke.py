"""Smoke test of the benchmarks: the corpus is deterministic, the runner runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.corpus import LONG_AT, article, articles, write_corpus

ROOT = Path(__file__).resolve().parents[2]


def test_corpus_is_deterministic_and_news_like(tmp_path: Path) -> None:
    first = list(articles(60, seed=1))
    assert first == list(articles(60, seed=1))
    assert first != list(articles(60, seed=2))
    assert article(5, seed=1) == first[5]  # article i does not depend on the ones before
    text = "".join(a["text"] for a in first)
    for needed in ("“", "”", '"', "%", "said", "according to"):
        assert needed in text.lower() or needed in text, needed
    assert any("\u0600" <= ch <= "\u06ff" for ch in text)  # Arabic script
    assert any(ord(ch) > 0xFFFF for ch in text)  # emoji outside the BMP
    assert len(first[LONG_AT]["text"]) > 90_000  # a very long document
    assert len({a["text"] for a in first}) == len(first)  # no accidental duplicates

    a, b = tmp_path / "a", tmp_path / "b"
    paths_a, paths_b = write_corpus(a, 30, seed=3), write_corpus(b, 30, seed=3)
    assert [p.relative_to(a) for p in paths_a] == [p.relative_to(b) for p in paths_b]
    assert all(x.read_bytes() == y.read_bytes() for x, y in zip(paths_a, paths_b, strict=True))
    assert {p.suffix for p in paths_a} == {".txt", ".jsonl"}


@pytest.mark.slow
def test_runner_on_a_tiny_corpus(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "importing,export,no_such_module",
         "--sizes", "importing=20,200", "--sizes", "export=20,200", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "skipped no_such_module" in proc.stdout
    assert "import .txt/.jsonl" in proc.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["machine"] and data["skipped"][0]["module"] == "no_such_module"
    assert [r["n_docs"] for r in data["results"] if r["module"] == "importing"] == [20, 200]
    export = [r for r in data["results"] if r["module"] == "export"]
    assert {r["n_docs"] for r in export} == {20, 200} and len(export) == 12
    keys = {"name", "value", "unit", "baseline", "ratio", "target", "higher_is_better", "meets"}
    for row in data["results"]:
        assert keys <= row.keys()
        assert row["value"] > 0 and row["baseline"] > 0
    assert data["growth"][0]["n_small"] == 20


@pytest.mark.slow
def test_startup_rows_on_a_tiny_project(monkeypatch) -> None:
    from bench import startup

    monkeypatch.setattr(startup, "RUNS", 1)
    rows = startup.run(20)
    assert [r["name"].split("annotator ", 1)[1] for r in rows] == [
        "list --json --limit 100", "show ID --json", "stats", "mark done ID", "--version",
        "--help"]
    assert all(r["value"] > 0 and r["unit"] == "ms" for r in rows)
    assert all(r["target"] == startup.TARGET_MS
               and r["detail"]["target_p90_ms"] == startup.TARGET_P90_MS for r in rows[:4])
    assert all(r["target"] is None and r["meets"] is None for r in rows[4:])  # click's
    # a wheel of this tree, installed in its own venv with pip's console script
    assert {r["detail"]["install"] for r in rows} == {"wheel"}
    script = Path(rows[0]["detail"]["script"])
    assert script.parts[-3:] == ("venv", "bin", "annotator")
