"""Entity learning to CoNLL-2003 quality (issue 27): ``python -m bench.learning --conll``.

CoNLL-2003's training file is imported into a new project with ``annotator import
--format conll`` (its documents are done), learnt with ``annotator train --layer entity
--max-minutes M`` (the default recipe; a named ``--variant`` trains through the same API,
:attr:`annotator.train.TrainOptions.entity_recipe`, in a child process too), and the
model is scored on the validation file: the validation documents as our importer
rebuilds them, suggested as ``annotator suggest`` does (the project's tokenizer,
:func:`~annotator.suggest.entities.suggest_entities`), compared span by span (exact
offsets and label) with ``annotator evaluate``'s machinery; entity-level P/R/F1 overall
and per label. The baseline, measured in the same run: the base pipeline zero-shot, its
OntoNotes labels mapped to CoNLL's (:data:`ZERO_SHOT`).

The data is read from ``../shared/data/conll2003/`` (or ``$CONLL2003_DIR``), never
copied into the repository; without it the bench says so and skips.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from annotator.train.recipe import BEFORE

ROOT = Path(__file__).resolve().parent.parent
#: ``$CONLL2003_DIR``, else ``../shared/data/conll2003`` beside the checkout (or beside its
#: parent folder, for a git worktree in ``wt/NAME``).
DATA = Path(os.environ.get("CONLL2003_DIR") or next(
    (d for d in (ROOT.parent / "shared" / "data" / "conll2003",
                 ROOT.parent.parent / "shared" / "data" / "conll2003") if d.is_dir()),
    ROOT.parent / "shared" / "data" / "conll2003"))
TRAIN_FILE = "conll2003_train.txt"
VALID_FILE = "conll2003_valid.txt"
LABELS = ("PER", "ORG", "LOC", "MISC")
#: The base pipeline's OntoNotes labels as CoNLL's (the others, numbers and dates, are
#: no CoNLL entity). Applied to every model scored, so a trained model's stray base
#: label counts as its CoNLL type.
ZERO_SHOT = {"PERSON": "PER", "PER": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC",
             "NORP": "MISC", "EVENT": "MISC", "PRODUCT": "MISC", "WORK_OF_ART": "MISC",
             "LAW": "MISC", "LANGUAGE": "MISC", "FAC": "LOC", "MISC": "MISC"}

#: The variants tried (docs/learning.md, "CoNLL-2003"): a recipe
#: (:class:`annotator.train.recipe.EntityRecipe`) each. ``before``: what ``annotator
#: train`` used before issue 27; ``default``: what it uses now (1,000-word batches, the
#: evaluations during training on an 8,000-word sample, ten evaluations of patience, and
#: on CoNLL a new NER on the base tok2vec); ``fine-tuned``: the same with the base NER
#: fine-tuned.
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "before": asdict(BEFORE),
    "sampled-eval": {**asdict(BEFORE), "eval_words": 8000},
    "lr2": {"learn_rate": 0.002},
    "dropout2": {"dropout": 0.2},
    "fresh": {"fresh": True},
    "fine-tuned": {"fresh": False},
    "rehearse": {"rehearse": True, "fresh": False},
    "base-tokenizer": {"project_tokenizer": False},
}


def data_dir() -> Path | None:
    """The CoNLL-2003 folder, if it holds both files."""
    return DATA if (DATA / TRAIN_FILE).is_file() and (DATA / VALID_FILE).is_file() else None


def _annotator() -> list[str]:
    return [sys.executable, "-m", "annotator.cli"]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def train_conll(folder: Path, minutes: float, variant: str = "default",
                dev_fraction: float | None = None, cpu_clock: bool = False) -> dict[str, Any]:
    """Import CoNLL train into a new project in ``folder`` and train its entity layer;
    the ``done`` line of ``--progress-json`` with wall and CPU seconds added.
    ``cpu_clock``: ``--max-minutes`` counts the training process's CPU time, not the wall
    clock's (a variant's figure then does not depend on a shared machine's load)."""
    db = folder / "conll.db"
    subprocess.run([*_annotator(), "import", "--db", str(db), "--format", "conll",
                    "--add-labels", str(DATA / TRAIN_FILE)], check=True, env=_env(),
                   stdout=subprocess.DEVNULL)
    extra = [] if dev_fraction is None else ["--dev-fraction", str(dev_fraction)]
    if variant == "default" and not cpu_clock:
        cmd = [*_annotator(), "train", "--db", str(db), "--layer", "entity", "--max-minutes",
               str(minutes), "--progress-json", *extra]
    else:
        cmd = [sys.executable, "-m", "bench.conll", "--train", str(db), variant, str(minutes),
               *extra, *(["--cpu-clock"] if cpu_clock else [])]
    cpu0, wall0 = _children_cpu(), time.perf_counter()
    out = subprocess.run(cmd, check=True, env=_env(), capture_output=True, text=True).stdout
    wall, cpu = time.perf_counter() - wall0, _children_cpu() - cpu0
    done = json.loads(out.strip().splitlines()[-1])
    if not done.get("done"):
        raise SystemExit(f"annotator train failed: {done.get('error')}")
    return {**done, "wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1)}


def _train_variant(db: str, variant: str, minutes: str, *extra: str) -> None:
    """The child process of a named variant: ``annotator train --layer entity`` through
    the API with the variant's recipe, printing the command's final JSON line."""
    if "--cpu-clock" in extra:
        # the training's deadline and timings read this process's CPU time
        time.monotonic = time.process_time
    from annotator.cli.train import _headline, _per_label, _training
    from annotator.store import Store
    from annotator.train import TrainOptions, train
    from annotator.train.recipe import DEFAULT

    changes = dict(VARIANTS[variant])
    dev_fraction = float(extra[1]) if extra[:1] == ("--dev-fraction",) else 0.2
    store = Store(Path(db), readonly=True)
    try:
        result = train(store, TrainOptions(layer="entity", max_minutes=float(minutes),
                                           dev_fraction=dev_fraction,
                                           entity_recipe=DEFAULT.with_(**changes)))
    finally:
        store.close()
    print(json.dumps({"done": True, "model": str(result.path), "name": result.meta["name"],
                      "seconds": result.meta["seconds"].get("total"),
                      "scores": _headline(result.meta), "per_label": _per_label(result.meta),
                      "training": _training(result.meta)}))


def validation_docs() -> list[tuple[str, list[tuple[int, int, str]]]]:
    """The validation documents as ``annotator import`` rebuilds them: text and spans."""
    from annotator.importers.conll import read_conll

    return [(r.text, [(s.start, s.end, s.label) for s in r.spans])
            for r in read_conll(DATA / VALID_FILE)]


def score(pipeline: str, docs: list[tuple[str, list[tuple[int, int, str]]]]
          ) -> dict[str, Any]:
    """Entity-level P/R/F1 (exact span and label) of ``pipeline`` (a model folder's
    pipeline or a package) on ``docs``, overall and per CoNLL label, its labels mapped
    by :data:`ZERO_SHOT`; and the seconds it took."""
    from annotator.evaluate import Item, compare
    from annotator.suggest.entities import suggest_entities
    from annotator.suggest.runner import load_pipeline

    started = time.perf_counter()
    nlp = load_pipeline(pipeline)
    enabled = [p for p in ("tok2vec", "ner") if p in nlp.pipe_names]
    gold = [Item(i, "entity", a, b, label) for i, (_, spans) in enumerate(docs)
            for a, b, label in spans]
    pred: list[Item] = []
    with nlp.select_pipes(enable=enabled):
        for i, doc in enumerate(nlp.pipe((text for text, _ in docs), batch_size=16)):
            for e in suggest_entities(doc):
                label = ZERO_SHOT.get(e.label)
                if label is not None:
                    pred.append(Item(i, "entity", e.start, e.end, label))
    accepted = [False] * len(pred)
    ev = compare(gold, pred, accepted, mode="gold", source="validation", models=[],
                 documents=len(docs), layers=["entity"])
    rows = {r.label: {"P": round(r.exact.precision, 4), "R": round(r.exact.recall, 4),
                      "F1": round(r.exact.f1, 4)} for r in ev.labels}
    return {"overall": rows["(all)"], "labels": {k: rows[k] for k in LABELS if k in rows},
            "seconds": round(time.perf_counter() - started, 1)}


def conll(minutes: float = 10.0, variant: str = "default",
          dev_fraction: float | None = None, cpu_clock: bool = False,
          zero_shot: bool = True) -> dict[str, Any] | None:
    """Train on CoNLL train, score on validation, beside the base pipeline zero-shot
    (``zero_shot`` False: not measured, to save a minute when screening variants;
    ``None`` without the data)."""
    from annotator.suggest.runner import DEFAULT_MODEL
    from annotator.trained import PIPELINE

    if data_dir() is None:
        return None
    docs = validation_docs()
    baseline = score(DEFAULT_MODEL, docs) if zero_shot else None
    with tempfile.TemporaryDirectory() as tmp:
        trained = train_conll(Path(tmp), minutes, variant, dev_fraction, cpu_clock)
        after = score(str(Path(trained["model"]) / PIPELINE), docs)
        meta = json.loads((Path(trained["model"]) / "meta.json").read_text(encoding="utf-8"))
    training = meta["training"]["entity"]
    return {"variant": variant, "recipe": training.get("recipe"), "minutes": minutes,
            "clock": "cpu" if cpu_clock else "wall",
            "dev_fraction": meta["dev_fraction"], "base": meta["base"],
            "validation": {"documents": len(docs),
                           "entities": sum(len(s) for _, s in docs)},
            "f1": after["overall"]["F1"], "after": after, "zero_shot": baseline,
            "steps": training["steps"], "epochs": training["epochs"],
            "stopped": training["stopped"], "best_step": training["best_step"],
            "train_seconds": meta["seconds"].get("total"),
            "wall_seconds": trained["wall_seconds"], "cpu_seconds": trained["cpu_seconds"],
            "held_out": trained["scores"]}


def row(result: dict[str, Any]) -> dict[str, Any]:
    """The bench runner's row: validation F1 against the zero-shot base pipeline."""
    base = result["zero_shot"]["overall"]["F1"] if result["zero_shot"] else None
    return {"name": f"CoNLL-2003 validation entity F1 after annotator train --layer entity "
                    f"--max-minutes {result['minutes']:g} ({result['variant']}), vs the base "
                    "pipeline zero-shot (labels mapped)",
            "value": result["f1"], "unit": "F1", "baseline": base,
            "ratio": round(result["f1"] / base, 3) if base else None, "target": 0.86,
            "higher_is_better": True, "meets": result["f1"] >= 0.86, "detail": result}


def print_result(result: dict[str, Any]) -> None:
    """The figures in brief, and the per-label table."""
    a, z = result["after"], result["zero_shot"] or {"overall": {"F1": 0.0}, "labels": {}}
    print(f"CoNLL-2003 validation ({result['validation']['documents']} documents, "
          f"{result['validation']['entities']:,} entities), variant {result['variant']}, "
          f"--max-minutes {result['minutes']:g} ({result['clock']} clock), --dev-fraction "
          f"{result['dev_fraction']}")
    ratio = f"{result['f1'] / z['overall']['F1']:.3f}" if z["overall"]["F1"] else "-"
    print(f"F1 {result['f1']:.4f} (zero-shot {z['overall']['F1']:.4f}, ratio "
          f"{ratio}); {result['steps']} steps, "
          f"{result['epochs']} epoch(s), stopped: {result['stopped']} (best step "
          f"{result['best_step']}); train {result['train_seconds']} s, wall "
          f"{result['wall_seconds']} s, CPU {result['cpu_seconds']} s")
    print("| label | P | R | F1 | zero-shot F1 |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label in (*LABELS, "(all)"):
        r = a["overall"] if label == "(all)" else a["labels"].get(label)
        zr = z["overall"] if label == "(all)" else z["labels"].get(label)
        if r is not None:
            print(f"| {label} | {r['P']:.4f} | {r['R']:.4f} | {r['F1']:.4f} | "
                  f"{zr['F1'] if zr else 0:.4f} |")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--train"]:
        _train_variant(*sys.argv[2:])
