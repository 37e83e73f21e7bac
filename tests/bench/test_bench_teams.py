"""Smoke test of the team benchmark on a tiny corpus: it runs and its rows are complete."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_bench_teams_rows_on_a_tiny_corpus() -> None:
    proc = subprocess.run([sys.executable, "-m", "bench.teams", "--docs", "40", "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, check=True)
    rows = json.loads(proc.stdout)
    assert [r["unit"] for r in rows] == ["docs/s", "ms", "ms"]
    merge_row = rows[0]
    assert merge_row["baseline"] > 0 and merge_row["ratio"] == round(
        merge_row["value"] / merge_row["baseline"], 3)
    detail = merge_row["detail"]
    assert detail["corpus_docs"] == 80 and detail["team_docs"] == 80
    assert detail["shared_docs"] == 40
    assert "agreement over 40 shared documents" in rows[1]["name"]
