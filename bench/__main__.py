"""The benchmark runner: ``python -m bench`` (quick) or ``python -m bench --full``.

Runs each benchmark module (``bench/importing.py``, ``suggest.py``, ``export.py``,
``search.py``, ``gui.py``, ``quality.py``, ``keystrokes.py``, ``teams.py``,
``startup.py``, ``trust.py``, ``migrate.py``, ``long.py``, ``learning.py``; the
convention is in ``bench/__init__.py``) at two corpus sizes a factor 10 apart
(``quality``, ``keystrokes``, ``long`` and ``learning`` at one), each call in a fresh
subprocess, prints one table of all rows and the cost growth between the two sizes, and
writes ``bench/results.json``::

    {"machine": "...", "mode": "quick", "results": [row, ...], "growth": [...],
     "skipped": [...], "peers": {...}}

(``peers`` is written by ``make bench-peers``, :mod:`bench.peers`, and kept here as it is.)

Every row carries ``n_docs``, the corpus size it was measured at. A module that is
missing, fails or runs out of time is reported as skipped and the run goes on.

The results file is merged, not replaced: a module's rows replace its own rows of
the same size, the other modules' rows stay (each row says the ``mode``, ``machine``
and ``date`` that measured it), so ``--only long`` adds the long-document rows to a
full run's file.

Options: ``--only importing,gui`` runs some modules; ``--sizes importing=50,500`` sets
sizes; ``--out PATH`` writes the results elsewhere; ``--markdown`` also prints the table
as Markdown (for the README).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import json
import os
import platform
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MODULES = ["importing", "suggest", "export", "gui", "search", "quality", "keystrokes", "teams",
           "startup", "trust", "migrate", "long", "learning", "scale", "window_export",
           "cluster"]
# (smaller, larger) corpus sizes, a factor 10 apart
# Export runs at 5,000 and more: below that the interpreter's start (0.13 s, imports)
# is most of an export's time, while the bare loop's start is 0.02 s. --full runs it at
# 100,000 and 1,000,000 (issue 28 §1: memory flat; BENCH_EXPORT_DIR keeps the built
# projects and their filled token caches, bench/export.py).
# Quality (claims against ClaimBuster's labels) runs once: 200 documents of 30 sentences
# spread over the development file, or all 766 with --full.
# migrate: Label Studio tasks in one JSON list (31,000 are about 200 MB: the issue's
# peak-memory figure).
# teams: documents per annotator's file (three files; as many documents shared); the
# issue's figures are at 10,000 in both modes.
# long: one long document, its size in units of 200,000 characters (200,000 and 400,000;
# --full also 2,000,000, which takes minutes and GBs).
# learning: document labels learnt from 50, 200 and 1,000 labelled news articles, against
# a bag-of-words baseline (about 5 minutes; the claim curve is `make bench-learning`).
# scale: one project of 20,000 (quick) or 1,000,000 (full) documents, issue 28 §1.
# startup: a wheel of this tree installed in its own venv (issue 28 §3); at 1,000,000
# documents the project of BENCH_SCALE_DIR when it is there (bench/startup.py).
# window_export: documents annotated in the real window before the export (issue 28 §3).
# cluster: suggest --cluster local:2 against --processes 2 and one process, at the
# issue's 200 bench-corpus articles in both modes (bench/cluster.py; issue 28 §2).
QUICK = {"importing": (2_000, 20_000), "suggest": (30, 300), "export": (5_000, 50_000),
         "gui": (1_000, 10_000), "search": (2_000, 20_000), "quality": (200,),
         "keystrokes": (1,), "teams": (1_000, 10_000), "startup": (1_000, 10_000),
         "trust": (10_000, 100_000), "migrate": (3_100, 31_000), "long": (2,),
         "learning": (1_000,), "scale": (20_000,), "window_export": (100,),
         "cluster": (200,)}
FULL = {"importing": (10_000, 100_000), "suggest": (100, 1_000),
        "export": (100_000, 1_000_000), "gui": (10_000, 100_000),
        "search": (10_000, 100_000), "quality": (766,),
        "keystrokes": (1,), "teams": (1_000, 10_000), "startup": (10_000, 1_000_000),
        "trust": (10_000, 100_000), "migrate": (3_100, 31_000), "long": (10,),
        "learning": (1_000,), "scale": (1_000_000,), "window_export": (300,),
        "cluster": (200,)}
TIMEOUT_S = {"quick": 900, "full": 7200}


# --- machine ------------------------------------------------------------------------


def machine() -> str:
    """CPU model, cores, RAM, Python, SQLite and OS, on one line."""
    cpu = platform.processor() or platform.machine()
    ram = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB RAM"
                break
    except OSError:
        pass
    if not ram:
        try:
            ram = f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.1f} GB RAM"
        except (ValueError, OSError, AttributeError):
            ram = "RAM unknown"
    return (f"{cpu}, {os.cpu_count()} cores, {ram}, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {platform.platform()}")


# --- running one module in a child process ------------------------------------------


def child(name: str, n_docs: int, out: str) -> int:
    """In the child process: run ``bench.<name>.run(n_docs)`` and write its rows as JSON."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    module = importlib.import_module(f"bench.{name}")
    rows = module.run(n_docs)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise TypeError(f"bench.{name}.run returned {type(rows).__name__}, not a list of dicts")
    Path(out).write_text(json.dumps(rows, default=str), encoding="utf-8")
    return 0


def run_module(name: str, n_docs: int, timeout: float) -> tuple[list[dict[str, Any]], str]:
    """Rows of one module at one size, or ``([], why it was skipped)``."""
    if importlib.util.find_spec(f"bench.{name}") is None:
        return [], "module not present"
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        out = Path(tmp) / "rows.json"
        env = dict(os.environ)
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "bench", "--child", name, str(n_docs), str(out)],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
                check=False)
        except subprocess.TimeoutExpired:
            return [], f"timed out after {timeout:.0f} s"
        if proc.returncode != 0 or not out.exists():
            lines = [ln for ln in (proc.stderr or "").strip().splitlines() if ln.strip()]
            last = lines[-1] if lines else f"exit status {proc.returncode}"
            return [], f"failed: {last[:200]}"
        rows = json.loads(out.read_text(encoding="utf-8"))
    for row in rows:
        row["module"] = name
        row["n_docs"] = n_docs
    return rows, ""


# --- cost growth --------------------------------------------------------------------


def _key(row: dict[str, Any]) -> tuple[str, str, str]:
    """Rows of the two sizes match by name with the size written as N."""
    name = re.sub(rf"\b{row['n_docs']:,}\b|\b{row['n_docs']}\b", "N", row["name"])
    return row["module"], name, row["unit"]


def growth(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each figure measured at two or more sizes: the larger over the smaller value,
    for each consecutive pair of sizes (1,000 → 10,000 and 10,000 → 100,000 of a figure
    measured at three).

    A rate (docs/s) that stays at x1.0 means total cost grows linearly with the corpus;
    a time or memory that stays at x1.0 means it does not grow at all."""
    by_key: dict[tuple[str, str, str], dict[int, dict[str, Any]]] = {}
    for row in rows:
        if isinstance(row["value"], int | float) and not isinstance(row["value"], bool):
            # one row per size: a later row of the same size replaces an earlier one
            by_key.setdefault(_key(row), {})[int(row["n_docs"])] = row
    out = []
    for (module, name, unit), by_size in by_key.items():
        sizes = sorted(by_size)
        for small_n, large_n in zip(sizes, sizes[1:], strict=False):
            small, large = by_size[small_n], by_size[large_n]
            if not small["value"]:
                continue
            out.append({"module": module, "name": name, "unit": unit,
                        "n_small": small_n, "value_small": small["value"],
                        "n_large": large_n, "value_large": large["value"],
                        "factor": round(large["value"] / small["value"], 3)})
    return out


# --- printing -----------------------------------------------------------------------


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def target_is_ratio(row: dict[str, Any]) -> bool:
    """Rates against a baseline have a target ratio; times and memory one in their unit."""
    if "target_unit" in row:
        return row["target_unit"] == "ratio"
    return row.get("baseline") is not None and str(row.get("unit", "")).endswith("/s")


def _target(row: dict[str, Any]) -> str:
    target = row.get("target")
    if target is None:
        return "-"
    sign = ">=" if row.get("higher_is_better") else "<="
    what = "ratio" if target_is_ratio(row) else row.get("unit", "")
    return f"{sign} {_fmt(target)} {what}".strip()


COLUMNS = ["name", "docs", "value", "unit", "baseline", "ratio", "target", "meets"]


def table_cells(rows: list[dict[str, Any]]) -> list[list[str]]:
    return [[r["name"], _fmt(r["n_docs"]), _fmt(r["value"]), r["unit"], _fmt(r.get("baseline")),
             _fmt(r.get("ratio")), _target(r),
             "-" if r.get("meets") is None else _fmt(bool(r["meets"]))] for r in rows]


def print_table(rows: list[dict[str, Any]]) -> None:
    cells = [COLUMNS, *table_cells(rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    right = {1, 2, 4, 5}
    for k, line in enumerate(cells):
        print("  ".join(c.rjust(w) if i in right else c.ljust(w)
                        for i, (c, w) in enumerate(zip(line, widths, strict=True))).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))


def markdown(rows: list[dict[str, Any]], grown: list[dict[str, Any]], where: str) -> str:
    lines = [f"Machine: {where}", "", "| " + " | ".join(COLUMNS) + " |",
             "|" + "|".join("---:" if i in {1, 2, 4, 5} else "---"
                            for i in range(len(COLUMNS))) + "|"]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"
              for cells in table_cells(rows)]
    if grown:
        lines += ["", "| cost growth (x10 documents) | small | large | factor |",
                  "|---|---:|---:|---:|"]
        lines += [f"| {g['name']} ({g['unit']}) | {_fmt(g['value_small'])} @ {g['n_small']:,}"
                  f" | {_fmt(g['value_large'])} @ {g['n_large']:,} | x{g['factor']:.2f} |"
                  for g in grown]
    return "\n".join(lines)


# --- results.json -------------------------------------------------------------------


def row_key(row: dict[str, Any]) -> tuple[str, int, str]:
    """A row's identity in ``results.json``: its module, corpus size and name."""
    return str(row.get("module")), int(row.get("n_docs") or 0), str(row["name"])


def merge_results(out: Path, rows: list[dict[str, Any]], skipped: list[dict[str, Any]],
                  mode: str, where: str, ran: list[str]) -> dict[str, Any]:
    """Write ``rows`` into the results file ``out``, merged by :func:`row_key`: the rows
    of modules that did not run (``ran``: the modules this run measured) stay as they
    were, a module that ran replaces its own rows at the sizes it ran at, and growth is
    computed again over the whole. Each row carries the ``mode``, ``machine`` and
    ``date`` of the run that measured it. The ``peers`` section (``make bench-peers``,
    bench/peers.py) is its own run: kept. Returns what was written."""
    date = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    previous: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError, TypeError):
        previous = json.loads(out.read_text(encoding="utf-8"))
    if not isinstance(previous, dict):
        previous = {}
    for row in rows:
        row.setdefault("mode", mode)
        row.setdefault("date", date)
        row.setdefault("machine", where)
    fresh = {(r.get("module"), r.get("n_docs")) for r in rows}
    kept = []
    for row in previous.get("results") or []:
        if not isinstance(row, dict) or "name" not in row:
            continue
        if (row.get("module"), row.get("n_docs")) in fresh:
            continue  # measured again
        row.setdefault("mode", previous.get("mode"))
        row.setdefault("date", previous.get("date"))
        row.setdefault("machine", previous.get("machine"))
        kept.append(row)
    new_keys = {row_key(r) for r in rows}
    merged = [r for r in kept if row_key(r) not in new_keys] + rows
    order = {name: k for k, name in enumerate(MODULES)}
    merged.sort(key=lambda r: (order.get(str(r.get("module")), len(order)),
                               int(r.get("n_docs") or 0)))
    skipped_kept = [s for s in previous.get("skipped") or []
                    if isinstance(s, dict) and s.get("module") not in ran]
    result: dict[str, Any] = {"machine": where, "mode": mode, "date": date,
                              "results": merged, "growth": growth(merged),
                              "skipped": skipped_kept + skipped}
    if "peers" in previous:
        result["peers"] = previous["peers"]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return result


# --- main ---------------------------------------------------------------------------


def parse_sizes(specs: list[str], sizes: dict[str, tuple[int, ...]]) -> dict[str, tuple[int, ...]]:
    sizes = dict(sizes)
    for spec in specs:
        name, _, values = spec.partition("=")
        try:
            sizes[name.strip()] = tuple(int(v.replace("_", "")) for v in values.split(","))
        except ValueError as exc:
            raise SystemExit(f"--sizes {spec!r}: expected NAME=N[,N]") from exc
    return sizes


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        name, n_docs, out = argv[1], int(argv[2]), argv[3]
        try:
            return child(name, n_docs, out)
        except Exception:
            traceback.print_exc()
            return 1
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the large sizes (tens of minutes)")
    parser.add_argument("--only", default="", help="comma-separated modules (default: all)")
    parser.add_argument("--sizes", action="append", default=[], metavar="NAME=N,N",
                        help="corpus sizes for a module, e.g. importing=50,500")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds per module and size (default 900, --full 7200)")
    parser.add_argument("--markdown", action="store_true", help="also print Markdown tables")
    args = parser.parse_args(argv)

    mode = "full" if args.full else "quick"
    sizes = parse_sizes(args.sizes, FULL if args.full else QUICK)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or MODULES
    timeout = args.timeout or TIMEOUT_S[mode]
    where = machine()
    print(f"bench ({mode}) on {where}", flush=True)

    rows: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    started = time.perf_counter()
    for name in names:
        for n_docs in sizes.get(name, (1_000,)):
            t0 = time.perf_counter()
            print(f"  {name} at {n_docs:,} documents ...", end=" ", flush=True)
            got, why = run_module(name, n_docs, timeout)
            if why:
                print(f"skipped ({why})", flush=True)
                skipped.append({"module": name, "n_docs": n_docs, "why": why})
                if why == "module not present":
                    break
                continue
            print(f"{len(got)} figure(s) in {time.perf_counter() - t0:.1f} s", flush=True)
            rows.extend(got)
    total = time.perf_counter() - started

    print()
    print_table(rows)
    grown = growth(rows)
    if grown:
        print("\ncost growth, x10 documents (rates at x1.0: linear cost; times/memory at "
              "x1.0: flat)")
        width = max(len(g["name"]) + len(g["unit"]) + 3 for g in grown)
        for g in grown:
            label = f"{g['name']} ({g['unit']})"
            print(f"  {label:<{width}}  {_fmt(g['value_small']):>10} @ {g['n_small']:>7,}"
                  f"  {_fmt(g['value_large']):>10} @ {g['n_large']:>7,}  x{g['factor']:.2f}")
    for s in skipped:
        print(f"note: skipped {s['module']} at {s['n_docs']:,} documents: {s['why']}")
    if args.markdown:
        print()
        print(markdown(rows, grown, where))

    missed = [r for r in rows if r.get("meets") is False]
    print(f"\n{len(rows)} figures, {len(missed)} below target, {len(skipped)} skipped; "
          f"{total:.0f} s")
    merge_results(args.out, rows, skipped, mode, where, ran=names)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
