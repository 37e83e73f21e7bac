"""The runner's cost growth over results merged from runs at different sizes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.__main__ import growth, merge_results


def _row(n_docs: int, value: float, name: str = "agreement over {n} shared documents"
         ) -> dict[str, Any]:
    return {"module": "teams", "n_docs": n_docs, "name": name.format(n=f"{n_docs:,}"),
            "value": value, "unit": "ms", "baseline": None, "ratio": None, "target": None,
            "higher_is_better": False, "meets": None}


def test_growth_keeps_each_consecutive_pair_of_three_sizes() -> None:
    rows = [_row(100_000, 40_000.0), _row(1_000, 400.0), _row(10_000, 4_000.0),
            _row(1_000, 10.0, "merge vs import"), _row(10_000, 12.0, "merge vs import")]
    grown = growth(rows)
    agreement = [(g["n_small"], g["n_large"], g["factor"]) for g in grown
                 if g["name"] == "agreement over N shared documents"]
    assert agreement == [(1_000, 10_000, 10.0), (10_000, 100_000, 10.0)]
    assert [(g["n_small"], g["n_large"]) for g in grown if g["name"] == "merge vs import"] \
        == [(1_000, 10_000)]


def test_a_run_at_the_third_size_keeps_the_growth_of_the_first_two(tmp_path: Path) -> None:
    """The quick and full runs' rows merged with a later run at 100,000 alone (as
    ``--only teams --sizes teams=100000`` does): growth 1k → 10k stays, 10k → 100k
    comes."""
    out = tmp_path / "results.json"
    merge_results(out, [_row(1_000, 400.0), _row(10_000, 4_000.0)], [], "full", "here",
                  ["teams"])
    merge_results(out, [_row(100_000, 48_000.0)], [], "full", "here", ["teams"])
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [(g["n_small"], g["n_large"], g["factor"]) for g in data["growth"]] == [
        (1_000, 10_000, 10.0), (10_000, 100_000, 12.0)]
