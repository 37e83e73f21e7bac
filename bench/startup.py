"""Benchmark: how soon the quick commands finish, ``python -m bench.startup [--docs N]``.

Builds a project of N documents (as :mod:`bench.gui` does), then times each command as a
user runs it, from process start to exit: ``list --json --limit 100``, ``show ID --json``,
``stats``, ``mark done ID`` (alternating with ``mark new ID``, so that every run writes),
``--version``, ``--help``; and the floor, the same interpreter's ``python -c "import
sqlite3"``. The script timed is that of a wheel of this tree, installed as a user installs
it (:func:`wheel_script`: pip builds the wheel, installs and byte-compiles it in a venv of
its own and writes the console script); ``--editable`` times the development install's
script instead, ``--script PATH`` any other. The commands and the floor take turns, RUNS
rounds after one untimed round, so a machine whose load drifts moves them alike; each row
is the median, with the p90, the CPU time, the ratio to the floor and the load average
(``os.getloadavg``) before and after. Targets (issue 28 §3): median < 70 ms and p90 < 100
ms each, from a wheel, at 10,000 and 1,000,000 documents; they import neither spaCy nor
numpy nor Qt (issue 18), build no schema in memory and do not import the decisions
(tests/test_startup.py).

``--db PATH`` times an existing project instead, read-only commands only unless
``--mark`` (the document marked is given its status back), e.g. the 1,000,000-document one
of ``bench/scale.py``. With 1,000,000 documents or more, :func:`run` takes that project
from ``BENCH_SCALE_DIR`` when it is there.

The runs printed last on a quiet machine, for the figures of docs/scale.md::

    python -m bench.startup --docs 10000
    python -m bench.startup --db BENCH_SCALE_DIR/project.db --mark
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 70.0
TARGET_P90_MS = 100.0
RUNS = 21
FLOOR = "python -c 'import sqlite3'"


def clean_env() -> dict[str, str]:
    """This process's environment without ``PYTHONPATH`` (``python -m bench`` points it
    at the source tree): with it, pip would see the tree's package as installed already
    and the script would import the tree's modules, not the wheel's."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def command() -> list[str]:
    script = Path(sys.executable).with_name("annotator")
    return [str(script)] if script.exists() else [sys.executable, "-m", "annotator"]


def wheel_script(folder: Path) -> list[str]:
    """The ``annotator`` script of a wheel of this tree installed in a venv of its own in
    ``folder``, as a user installs it: ``pip wheel``, then ``pip install`` (which
    byte-compiles the package and writes pip's console script). The venv reads the
    dependencies from this Python's site-packages (a ``.pth`` file; the quick commands
    import none of them, ``--help`` and ``--version`` need click)."""
    dist, venv = folder / "dist", folder / "venv"
    python = venv / "bin" / "python"

    def pip(*args: str) -> None:
        subprocess.run([sys.executable, *args], stdout=subprocess.DEVNULL, check=True,
                       env=clean_env())

    pip("-m", "pip", "wheel", "-q", "--no-deps", "--wheel-dir", str(dist), str(ROOT))
    pip("-m", "venv", "--without-pip", str(venv))
    pip("-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index",
        *map(str, dist.glob("annotator-*.whl")))
    site = subprocess.run([str(python), "-I", "-c", "import sysconfig;"
                           "print(sysconfig.get_path('purelib'))"], capture_output=True,
                          text=True, check=True).stdout.strip()
    Path(site, "bench_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    found = subprocess.run([str(python), "-c", "import annotator; print(annotator.__file__)"],
                           capture_output=True, text=True, check=True, cwd=folder,
                           env=clean_env()).stdout.strip()
    if not Path(found).is_relative_to(Path(site)):
        raise RuntimeError(f"the wheel's venv imports annotator from {found}, not {site}")
    return [str(venv / "bin" / "annotator")]


def interpreter(script: list[str]) -> str:
    """The Python a console script runs on (its ``#!`` line), else this one."""
    if len(script) == 1:
        with open(script[0], "rb") as f:
            first = f.readline().decode("utf-8", "replace").strip()
        if first.startswith("#!") and " " not in first[2:].strip():
            return first[2:].strip()
    return sys.executable


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def time_commands(runs: dict[str, list[list[str]]], cwd: Path,
                  rounds: int = RUNS) -> dict[str, dict[str, float]]:
    """Median and p90 wall ms and median CPU ms of each label's command lines, taking
    turns (a label with several lines runs them in turn: mark done, mark new), one
    untimed round first."""
    walls: dict[str, list[float]] = {k: [] for k in runs}
    cpus: dict[str, list[float]] = {k: [] for k in runs}
    env = clean_env()
    for k in range(rounds + 1):
        for label, lines in runs.items():
            args = lines[k % len(lines)]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            proc = subprocess.run(args, cwd=cwd, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, check=False, env=env)
            wall = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if proc.returncode:
                raise RuntimeError(f"{' '.join(args)}: {proc.stderr.decode()[-500:]}")
            if k:
                walls[label].append(wall * 1000)
                cpus[label].append((after.ru_utime + after.ru_stime - before.ru_utime
                                    - before.ru_stime) * 1000)
    return {label: {"median": statistics.median(walls[label]), "p90": _p90(walls[label]),
                    "cpu": statistics.median(cpus[label])} for label in runs}


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


def measure(db: Path, doc: str, script: list[str], cwd: Path, write: bool = True,
            install: str = "wheel") -> list[dict[str, Any]]:
    """The rows of the quick commands on the project ``db`` (document ``doc``);
    ``write``: also ``mark`` (it ends with the document as it was)."""
    labels: dict[str, list[list[str]]] = {
        "list --json --limit 100": [["list", "--json", "--limit", "100"]],
        "show ID --json": [["show", doc, "--json"]],
        "stats": [["stats"]]}
    if write:
        labels["mark done ID"] = [["mark", "done", doc], ["mark", "new", doc]]
    labels["--version"] = [["--version"]]
    labels["--help"] = [["--help"]]
    runs = {label: [[*script, *args, *(["--db", str(db)] if not label.startswith("--")
                                        else [])] for args in lines]
            for label, lines in labels.items()}
    runs[FLOOR] = [[interpreter(script), "-c", "import sqlite3"]]
    status = None
    if write:
        from annotator.store import Store

        with Store(db, create=False, readonly=True) as store:
            status = store.document(int(doc)).status
    load_before = os.getloadavg()
    got = time_commands(runs, cwd)
    load_after = os.getloadavg()
    if status is not None:
        subprocess.run([*script, "mark", status, doc, "--db", str(db)], cwd=cwd,
                       stdout=subprocess.DEVNULL, check=True, env=clean_env())
    floor = got.pop(FLOOR)
    rows = []
    for label, fig in got.items():
        # the targets are the quick commands'; --version and --help go through click
        judged = not label.startswith("--")
        meets = fig["median"] < TARGET_MS and fig["p90"] < TARGET_P90_MS if judged else None
        rows.append({"name": f"start-up: annotator {label}", "value": round(fig["median"], 1),
                     "unit": "ms", "baseline": round(floor["median"], 1),
                     "ratio": round(fig["median"] / floor["median"], 2),
                     "target": TARGET_MS if judged else None, "higher_is_better": False,
                     "meets": meets,
                     "detail": {"p90_ms": round(fig["p90"], 1),
                                "target_p90_ms": TARGET_P90_MS if judged else None,
                                "cpu_ms": round(fig["cpu"], 1),
                                "floor": FLOOR, "floor_p90_ms": round(floor["p90"], 1),
                                "floor_cpu_ms": round(floor["cpu"], 1), "runs": RUNS,
                                "load_before": [round(x, 2) for x in load_before],
                                "load_after": [round(x, 2) for x in load_after],
                                "script": script[-1] if len(script) == 1 else " ".join(script),
                                "install": install,
                                "command": " ".join(["annotator", *runs[label][0][len(script):]])
                                }})
    return rows


def run(n_docs: int = 10_000, script: list[str] | None = None,
        install: str = "wheel") -> list[dict[str, Any]]:
    """The rows at ``n_docs`` documents, timing ``script`` if given, else the script of
    the ``install``: ``"wheel"`` (:func:`wheel_script`) or ``"editable"`` (beside this
    Python). From 1,000,000 documents, the project of ``BENCH_SCALE_DIR`` when there."""
    from bench.gui import build_project

    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        folder = Path(tmp)
        if script is None and install == "wheel":
            script = wheel_script(folder)
        elif script is None:
            compiled()
            script = command()
        else:
            install = "given"
        kept = Path(os.environ.get("BENCH_SCALE_DIR", tmp), "project.db")
        if n_docs >= 1_000_000 and kept.exists():
            first, total = _extent(kept)
            return measure(kept, str(first + total // 2), script, folder, install=install)
        db = folder / "p.db"
        build_project(db, n_docs)
        return measure(db, str(n_docs // 2), script, folder, install=install)


def _extent(db: Path) -> tuple[int, int]:
    """The first document id of a project and its number of documents."""
    from annotator.store import Store

    with Store(db, create=False, readonly=True) as store:
        return store.document_rows(limit=1)[0]["id"], store.stats()["documents"]["total"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--script", type=Path, default=None,
                        help="the annotator script to time (default: beside this Python)")
    parser.add_argument("--db", type=Path, default=None,
                        help="an existing project (read-only commands only, unless --mark)")
    parser.add_argument("--mark", action="store_true",
                        help="with --db: time mark too (the document's status is restored)")
    parser.add_argument("--editable", action="store_true",
                        help="time the development install's script, not a wheel's")
    parser.add_argument("--json", action="store_true", help="print JSON rows")
    args = parser.parse_args(argv)
    script = [str(args.script)] if args.script else None
    install = "editable" if args.editable else "wheel"
    if args.db is not None:
        first, total = _extent(args.db)
        with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
            if script is None:
                script = wheel_script(Path(tmp)) if install == "wheel" else command()
            else:
                install = "given"
            rows = measure(args.db, str(first + total // 2), script, Path(tmp),
                           write=args.mark, install=install)
    else:
        rows = run(args.docs, script, install)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    load = rows[0]["detail"]["load_before"] if rows else []
    print(f"floor ({FLOOR}): {rows[0]['baseline']:.1f} ms; load {load}")
    for row in rows:
        d = row["detail"]
        print(f"{row['name']:<42} median {row['value']:>6.1f} ms  p90 {d['p90_ms']:>6.1f}"
              f"  cpu {d['cpu_ms']:>6.1f}  x{row['ratio']:.2f} floor"
              f"  {'' if row['meets'] is None else 'ok' if row['meets'] else 'MISSED'}")
    return 0 if all(r["meets"] is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
