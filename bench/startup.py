"""Benchmark: how soon the quick commands finish, ``python -m bench.startup [--docs N]``.

Builds a project of N documents (as :mod:`bench.gui` does), then times each command as a
user runs it, the ``annotator`` script beside this Python (an editable install in a
development venv; a wheel install starts faster, without the editable finder), from
process start to exit: ``list --json --limit 100``, ``show ID --json``, ``stats``,
``mark done ID``, ``--version``, ``--help``. Median of 7 runs after one untimed run;
target 100 ms each (issue 18: they import neither spaCy nor numpy nor Qt).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_MS = 100.0
RUNS = 7


def command() -> list[str]:
    script = Path(sys.executable).with_name("annotator")
    return [str(script)] if script.exists() else [sys.executable, "-m", "annotator"]


def time_command(args: list[str], cwd: Path) -> tuple[float, float]:
    """Median wall and CPU milliseconds of ``annotator ARGS`` (one untimed run first)."""
    walls, cpus = [], []
    for k in range(RUNS + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = subprocess.run([*command(), *args], cwd=cwd, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, check=False)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode:
            raise RuntimeError(f"annotator {' '.join(args)}: {proc.stderr.decode()[-500:]}")
        if k:
            walls.append(wall * 1000)
            cpus.append((after.ru_utime + after.ru_stime - before.ru_utime
                         - before.ru_stime) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def compiled() -> None:
    """Byte-compile the package where it is imported from, as pip does when it installs
    a wheel: a development tree with ``PYTHONDONTWRITEBYTECODE`` set (this machine's
    default) otherwise compiles every module of a command at each start (about 15 ms)."""
    import compileall

    import annotator

    root = Path(annotator.__file__).parent
    for folder in (root, root.parent / "ui"):
        if folder.is_dir():
            compileall.compile_dir(str(folder), quiet=1)


def run(n_docs: int = 10_000) -> list[dict[str, Any]]:
    from bench.gui import build_project

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        folder = Path(tmp)
        db = folder / "p.db"
        build_project(db, n_docs)
        compiled()
        doc = str(n_docs // 2)
        for label, args in (
                ("list --json --limit 100", ["list", "--json", "--limit", "100"]),
                ("show ID --json", ["show", doc, "--json"]),
                ("stats", ["stats"]),
                ("mark done ID", ["mark", "done", doc]),
                ("--version", ["--version"]),
                ("--help", ["--help"])):
            db_args = ["--db", str(db)] if not label.startswith("--") else []
            wall, cpu = time_command([*args, *db_args], folder)
            rows.append({"name": f"start-up: annotator {label}", "value": round(wall, 1),
                         "unit": "ms", "baseline": None, "ratio": None, "target": TARGET_MS,
                         "higher_is_better": False, "meets": wall <= TARGET_MS,
                         "detail": {"cpu_ms": round(cpu, 1), "runs": RUNS,
                                    "command": " ".join(command()[-1:] + args)}})
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--json", action="store_true", help="print JSON rows")
    args = parser.parse_args(argv)
    rows = run(args.docs)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        print(f"{row['name']:<44} {row['value']:>7.1f} ms  (cpu {row['detail']['cpu_ms']:.1f} ms)"
              f"  target {row['target']:g} ms  {'ok' if row['meets'] else 'MISSED'}")
    return 0 if all(r["meets"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
