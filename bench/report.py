"""``bench/results.json`` as the Markdown tables of ``docs/benchmarks.md``.

``make docs`` (``python -m tools.gen_docs``) puts them between the page's markers, so
the page shows the figures of the last ``make bench`` / ``make bench-full`` /
``make bench-peers`` run, never figures pasted by hand. ``python -m bench.report`` prints
them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.__main__ import COLUMNS, _fmt, table_cells
from bench.peers import markdown as peers_markdown

RESULTS = Path(__file__).resolve().parent / "results.json"


def _escape(cell: str) -> str:
    return cell.replace("|", "\\|")


def results_table(data: dict[str, Any]) -> str:
    """The run: when, where, how many figures met their targets, and every figure."""
    rows = data.get("results", [])
    targeted = [r for r in rows if r.get("meets") is not None]
    missed = [r for r in targeted if not r["meets"]]
    lines = [f"`make bench{'-full' if data.get('mode') == 'full' else ''}` of "
             f"{data.get('date', '?')} on {data.get('machine', '?')}: "
             f"{len(targeted) - len(missed)} of {len(targeted)} figures with a target meet it"
             + (": not " + ", ".join(f"{r['name']} at {r['n_docs']:,} documents"
                                     for r in missed) if missed else "") + ".", "",
             "| " + " | ".join(COLUMNS) + " |",
             "|" + "|".join("---:" if i in {1, 2, 4, 5} else "---"
                            for i in range(len(COLUMNS))) + "|"]
    lines += ["| " + " | ".join(_escape(c) for c in cells) + " |" for cells in table_cells(rows)]
    # results.json is merged by row (bench.__main__.merge_results): say which are older
    older = sorted({(r.get("module"), r.get("date"), r.get("mode")) for r in rows
                    if r.get("date") not in (None, data.get("date"))},
                   key=lambda x: [str(v) for v in x])
    for module, date, mode in older:
        lines += ["", f"The {module} rows are of an earlier run ({mode}, {date})."]
    for skipped in data.get("skipped", []):
        lines += ["", f"Skipped: {skipped['module']} at {skipped['n_docs']:,} documents "
                      f"({skipped['why']})."]
    return "\n".join(lines)


def growth_table(data: dict[str, Any]) -> str:
    """How each figure grows from the smaller corpus to the ten times larger one."""
    grown = data.get("growth", [])
    if not grown:
        return "(no figure was measured at two sizes in this run)"
    lines = ["| figure | smaller corpus | larger corpus | factor |", "|---|---:|---:|---:|"]
    lines += [f"| {_escape(g['name'])} ({g['unit']}) | {_fmt(g['value_small'])} @ "
              f"{g['n_small']:,} | {_fmt(g['value_large'])} @ {g['n_large']:,} | "
              f"x{g['factor']:.2f} |" for g in grown]
    return "\n".join(lines)


def peers_table(data: dict[str, Any]) -> str:
    """The ``make bench-peers`` section: Annotator beside its peer, median of the runs."""
    peers = data.get("peers")
    if not peers:
        return "(no `make bench-peers` run in bench/results.json)"
    versions = peers.get("versions", {})
    head = (f"`make bench-peers` of {peers.get('date', '?')}, Annotator "
            f"{versions.get('annotator', '?')} against {peers['peer']}, "
            f"{peers.get('n_docs', 0):,} documents ({peers.get('spans_per_doc', '?')} "
            f"entity spans each on average), median of {peers.get('runs', '?')} runs, on "
            f"{peers.get('machine', '?')}.")
    return head + "\n\n" + peers_markdown(peers["results"], peers["peer"])


def render(path: Path = RESULTS) -> dict[str, str]:
    """The generated sections of ``docs/benchmarks.md``, by marker name."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {"bench-results": results_table(data), "bench-growth": growth_table(data),
            "bench-peers": peers_table(data)}


if __name__ == "__main__":
    for name, text in render(Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS).items():
        print(f"## {name}\n\n{text}\n")
