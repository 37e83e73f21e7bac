"""Interrupted exports, in one process: ``python -m tests.reliability._export_worker
DB FMT FOLDER TRIALS SEED`` runs the real ``annotator export`` command (its click
function, with the CLI's own signal handling) TRIALS times into FOLDER/out, each time
sending this process a real SIGTERM or SIGINT (alternately) at a seeded random step of
the export (annotator/testhook.py, armed in this process: after a document is handed to the writer,
between the renames into place; or past the last step), then checks FOLDER:
either nothing or the complete outputs, and no temporary file or staging folder. One
JSON line of results on stdout. (A process per trial would spend a second on imports
for a tenth of a second of export.)"""

from __future__ import annotations

import json
import random
import shutil
import signal
import sys
from pathlib import Path
from typing import Any

import click

from annotator import testhook
from annotator.cli import main

from ._project import stratified


class Interrupted(BaseException):
    """A signal that came while no export ran (before or after the command)."""


def _outside(signum: int, frame: Any) -> None:
    raise Interrupted(signum)


def _run(db: str, fmt: str, out: Path) -> int:
    try:
        main.main(args=["export", "--db", db, "--format", fmt, "--out", str(out)],
                  prog_name="annotator", standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    except (KeyboardInterrupt, click.exceptions.Abort):  # before the command's handling
        return 130
    return 0


def _outputs(fmt: str, out: Path) -> set[str]:
    if fmt == "spacy":
        return {"out", "out/train.spacy", "out/dev.spacy", "out/config.cfg",
                "out/annotator_tokenizer.py"}
    if fmt == "labelstudio":
        return {"out.json", "out.label_config.xml"}
    return {out.name}


def _complete(fmt: str, out: Path, documents: int) -> bool:
    if fmt == "spacy":
        import spacy
        from spacy.tokens import DocBin

        vocab = spacy.blank("en").vocab
        n = sum(len(list(DocBin().from_disk(out / f"{p}.spacy").get_docs(vocab)))
                for p in ("train", "dev"))
        return n == documents and (out / "config.cfg").stat().st_size > 0
    if fmt == "labelstudio":
        return len(json.loads(out.read_text(encoding="utf-8"))) == documents
    if fmt == "conll":
        return out.read_text(encoding="utf-8").count("-DOCSTART-") == documents
    if fmt == "csv":  # a header row; a text may hold line breaks (quoted)
        import csv

        with out.open(encoding="utf-8", newline="") as fh:
            return sum(1 for _ in csv.reader(fh)) - 1 == documents
    return len(out.read_text(encoding="utf-8").splitlines()) == documents


def _clear(folder: Path) -> None:
    for child in folder.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()


def main_(db: str, fmt: str, folder: Path, trials: int, seed: int, documents: int) -> dict:
    rng = random.Random(seed)
    out = folder / ("out.json" if fmt == "labelstudio" else "out")
    signal.signal(signal.SIGTERM, _outside)
    assert _run(db, fmt, out) == 0  # warm: imports, spaCy loaded, tokens cached
    _clear(folder)
    counting = testhook.arm(None, "export")  # the steps of one export: where to stop
    assert _run(db, fmt, out) == 0
    steps = counting.seen
    testhook.disarm()
    results: dict[str, Any] = {"format": fmt, "trials": 0, "interrupted": 0, "completed": 0,
                               "outside": 0, "debris": 0, "partial": 0, "debris_names": [],
                               "steps": steps}
    for trial in range(trials):
        _clear(folder)
        signum = (signal.SIGTERM, signal.SIGINT)[trial % 2]
        # The signal comes at a step of the export (a document handed over, an output put
        # in place) or, one trial in eight, never: seeded, one in each slice of the range.
        testhook.arm(stratified(rng, trial, trials, steps + steps // 7), "export", signum)
        code = None
        try:
            code = _run(db, fmt, out)
        except (Interrupted, KeyboardInterrupt):
            results["outside"] += 1
        finally:
            testhook.disarm()
        results["trials"] += 1
        names = {str(p.relative_to(folder)) for p in folder.rglob("*")}
        if code == 0:
            results["completed"] += 1
        elif code is not None:
            results["interrupted"] += 1
        if not names:
            continue
        extra = names - _outputs(fmt, out)
        if extra or names != _outputs(fmt, out):
            results["debris"] += 1
            results["debris_names"] += sorted(extra or names)[:5]
        elif not _complete(fmt, out, documents):
            results["partial"] += 1
    return results


if __name__ == "__main__":
    db, fmt, folder, trials, seed, documents = sys.argv[1:7]
    sys.stdout.write(json.dumps(main_(db, fmt, Path(folder), int(trials), int(seed),
                                      int(documents))) + "\n")
