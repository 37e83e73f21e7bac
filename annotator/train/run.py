"""``annotator train``: a model from the project's done documents.

:func:`train` builds the examples (:mod:`.data`), trains the NER of a base pipeline
(entities), a check-worthiness classifier (claims) and one text classifier per
document-label category (:mod:`.doccat`) with spaCy's machinery
(:mod:`.engine`), measures both on the held-out documents the way ``annotator
evaluate`` reports (per label, exact and overlap P/R/F1; for entities the base pipeline
too, before training), and writes the model folder (:mod:`annotator.trained`): into a
hidden temporary folder, renamed into place at the end, so that an error, Ctrl+C or
SIGTERM leaves nothing half-written.
"""

from __future__ import annotations

import datetime
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import trained
from ..errors import TrainError as TrainError
from ..evaluate import Item, average_precision, compare, prf
from ..paths import models_dir
from ..store import Store
from . import data, doccat
from .engine import Outcome, Step, train_component
from .recipe import DEFAULT as DEFAULT_RECIPE
from .recipe import EntityRecipe

if TYPE_CHECKING:
    from spacy.language import Language

LAYERS = ("entity", "claim")
#: What ``--layer all`` trains: the span layers, and document labels where there are some.
ALL_LAYERS = (*LAYERS, "doc")
NER = "ner"
#: What the NER skips ``data.INCORRECT_KEY`` spans as (the config's name for it).
INCORRECT_KEY = data.INCORRECT_KEY
#: The textcat architecture of the check-worthiness classifier: a bag of words and word
#: pairs, with one token per rule cue (see annotator.suggest.checkworthy).
CLAIM_MODEL: dict[str, Any] = {
    "@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False, "ngram_size": 2,
    "no_output_layer": False, "length": 262144, "nO": None,
}


@dataclass
class TrainOptions:
    """What ``annotator train`` takes (see its ``--help``)."""

    layer: str = "all"
    base: str | None = None  # the pipeline whose NER is fine-tuned and that parses claims
    name: str | None = None  # default: the project file's name without suffix
    dev_fraction: float = 0.2
    seed: int = 0
    max_minutes: float | None = None
    max_steps: int = 0  # per layer; 0: no limit
    max_epochs: int = 0  # per layer; 0: the defaults below
    split_by: str | None = None  # a meta key: its groups stay on one side of the split
    partial: bool = False  # entities: tokens outside judged spans are unknown
    #: Team projects: whose labels (``export --set``'s meaning: gold, auto or a name;
    #: gold, the reviewed documents, as before sets could be chosen).
    annotation_set: str = "gold"
    processes: int = 0  # parsing claims (nlp.pipe n_process); 0: one
    #: How the entity layer is trained (API only; default :data:`.recipe.DEFAULT`).
    entity_recipe: EntityRecipe | None = None


@dataclass
class Progress:
    """One progress report: the stage (``load``, ``parse``, ``entity``, ``claim``,
    ``doc:CATEGORY``, ``evaluate``, ``save``), how far (``step`` of ``total``, ``total``
    ``None`` when unknown), the last training loss and held-out score, seconds since the start.
    ``annotator train --progress-json`` prints these, one JSON object a line."""

    stage: str
    step: int
    total: int | None
    loss: float | None
    score: float | None
    elapsed: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TrainResult:
    """The model written and its ``meta.json``."""

    path: Path
    meta: dict[str, Any]
    notes: list[str] = field(default_factory=list)


ProgressFn = Callable[[Progress], None]


def default_name(db_path: Path) -> str:
    """The run name of a project: its file name without the suffix (``news``), without
    leading dots (a hidden folder is no model)."""
    name = Path(db_path).name
    name = name[:-3] if name.endswith(".db") and len(name) > 3 else name
    return name.lstrip(".") or "model"


def check_options(options: TrainOptions) -> None:
    """Refuse (:class:`TrainError`) options that cannot be meant: a run name that is
    not a plain name (it becomes a folder name), numbers that are not finite or are
    negative."""
    import math

    name = options.name
    if name is not None:
        bad = next((ch for ch in name if not ch.isprintable() or ch in "/\\:"), None)
        if not name or name.startswith(".") or bad is not None or name != name.strip():
            raise TrainError(f"--name {name!r}: a run name is a plain name (no /, \\, "
                             "leading dot, spaces at the ends or control characters), such "
                             "as news or ner-v2")
    for what, value in (("--dev-fraction", options.dev_fraction),
                        ("--max-minutes", options.max_minutes)):
        if value is not None and (not math.isfinite(value) or value < 0):
            raise TrainError(f"{what} {value}: a finite number of at least 0 is needed")
    if options.dev_fraction >= 1:
        raise TrainError(f"--dev-fraction {options.dev_fraction}: below 1 is needed (some "
                         "documents must be left to train on)")
    for what, number in (("--max-steps", options.max_steps),
                         ("--max-epochs", options.max_epochs), ("--seed", options.seed)):
        if number < 0:
            raise TrainError(f"{what} {number}: at least 0 is needed")


def train(store: Store, options: TrainOptions | None = None,
          on_progress: ProgressFn | None = None) -> TrainResult:
    """Train a model from the project's done documents and write it beside the
    project (see the module docstring). ``on_progress`` may raise
    :class:`~annotator.train.engine.Stop` to end training early (the best model so
    far is still written); any other exception ends it with nothing written."""
    import spacy

    options = options or TrainOptions()
    check_options(options)
    started = time.monotonic()
    deadline = started + options.max_minutes * 60 if options.max_minutes else None

    def report(stage: str, step: int = 0, total: int | None = None,
               loss: float | None = None, score: float | None = None) -> None:
        if on_progress is not None:
            on_progress(Progress(stage, step, total, loss, score,
                                 round(time.monotonic() - started, 2)))

    layers = ALL_LAYERS if options.layer == "all" else (options.layer,)
    span_layers = tuple(layer for layer in layers if layer in LAYERS)
    report("load")
    skipped: Counter[str] = Counter()
    sets: Counter[str] = Counter()
    docs = list(data.done_documents(store, options.annotation_set, span_layers,
                                    lambda reason: skipped.update([reason]), sets)
                ) if span_layers else []
    notes: list[str] = []
    labelled: list[tuple[Any, Any]] = []
    cats: list[doccat.Category] = []
    if "doc" in layers:
        doc_skipped: Counter[str] = Counter()
        doc_sets: Counter[str] = Counter()
        labelled = list(doccat.done_documents(store, options.annotation_set,
                                              lambda reason: doc_skipped.update([reason]),
                                              doc_sets))
        cats = doccat.categories(store, labelled)
        if not span_layers:
            skipped, sets = doc_skipped, doc_sets
    trainable = [c for c in cats if c.problem() is None]
    if not docs and not trainable:
        if options.layer == "doc":
            raise TrainError(doccat.refusal(cats) if labelled else
                             f"no done document{_set_words(options.annotation_set)}: "
                             "nothing to learn document labels from")
        from ..export.base import nothing_chosen

        raise TrainError(nothing_chosen(store, options.annotation_set, skipped,
                                        "nothing to learn from"))
    has = {layer: any(d.accepted(layer) for d in docs) for layer in LAYERS}
    has["doc"] = bool(trainable)
    todo = [layer for layer in layers if has[layer]]
    for c in cats:
        problem = c.problem()
        if problem is not None and (c.cats or options.layer == "doc"):
            notes.append(f"document labels of {c.category.name} not trained: {problem}")
    for layer in span_layers:
        if not has[layer]:
            if options.layer != "all":
                raise TrainError(f"no accepted {layer} span in the {len(docs)} done "
                                 f"document(s): nothing to learn the {layer} layer from")
            notes.append(f"{layer} layer not trained: no accepted {layer} span in the done "
                         "documents")
    if not todo:
        raise TrainError("no accepted span in the done documents: nothing to learn from")
    if not docs:  # document labels only: their documents are the ones split
        docs = [data.Labelled(doc, []) for doc, _ in labelled]
    if store.has_annotation_sets():
        notes.append(f"--set {options.annotation_set}: " + ", ".join(
            f"{n} document(s) from {'the gold (reviewed) set' if name == 'gold' else name}"
            for name, n in sorted(sets.items())))
    notes += [f"left out {n} document(s): {reason}" for reason, n in sorted(skipped.items())]
    if options.split_by is not None:
        notes += _check_split_by(docs, options.split_by)
    train_docs, dev_docs = data.split(docs, options.dev_fraction, options.seed,
                                      options.split_by)
    if not dev_docs:
        notes.append("no held-out documents (too few done documents, or --dev-fraction 0): "
                     "scores not measured")
    from thinc.api import fix_random_seed

    fix_random_seed(options.seed)
    base = options.base or _default_model()
    removed, size = trained.remove_stale_runs(store.path)
    if removed:
        notes.append(f"removed {removed} temporary folder(s) that interrupted runs left in "
                     f"{models_dir(store.path)} ({size / 1e6:.1f} MB)")
    name = trained.next_name(store.path, options.name or default_name(store.path))
    meta: dict[str, Any] = {
        "annotator_model": trained.FORMAT, "name": name,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "project": str(store.path), "layers": todo, "base": base,
        "spacy_version": spacy.about.__version__, "annotator_version": _version(),
        "seed": options.seed, "dev_fraction": options.dev_fraction,
        "split_by": options.split_by, "partial": options.partial,
        "done_documents": len(docs),
        "annotation_set": options.annotation_set, "sets": dict(sorted(sets.items())),
        "left_out": dict(sorted(skipped.items())),
        "documents": {"train": len(train_docs), "dev": len(dev_docs)},
        "labels": {}, "examples": {}, "scores": {}, "training": {}, "seconds": {},
        "training_config": _config_summary(),
    }
    folder = models_dir(store.path)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=folder))
    lock = None
    try:
        lock = trained.hold_run(tmp)  # so that the next run can tell it from a killed one
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp's 0700 would stay after the rename
        share = 0.6 if "entity" in todo and "claim" in todo else 1.0
        if "doc" in todo:
            doc_deadline = None if deadline is None else \
                started + (deadline - started) * (0.2 if len(todo) > 1 else 1.0)
            _train_doc_labels(trainable, labelled, options, meta, tmp,
                              doc_deadline, report)
        if "entity" in todo:
            layer_deadline = None if deadline is None else \
                started + (deadline - started) * share
            _train_entities(store, base, train_docs, dev_docs, options, meta, tmp,
                            layer_deadline, report)
        if "claim" in todo:
            try:
                if "entity" in todo and deadline is not None and time.monotonic() >= deadline:
                    raise TrainError("no time was left for it")
                _train_claims(store, base, train_docs, dev_docs, options, meta, tmp,
                              deadline, report)
            except TrainError as exc:
                if "entity" not in todo:
                    raise
                # the entity model is finished: keep it, without the claim layer
                _drop_layer(meta, tmp, "claim")
                late = deadline is not None and time.monotonic() >= deadline
                notes.append("claim layer not trained"
                             + (" (--max-minutes ran out after the entity layer)"
                                if late else "") + f": {exc}")
        meta["seconds"]["total"] = round(time.monotonic() - started, 1)
        meta["notes"] = notes
        report("save")
        _write_json(tmp / trained.META, meta)
        if lock is not None:
            lock.close()
            lock = None
            (tmp / trained.RUN_LOCK).unlink()
        final = _commit(tmp, folder, name, meta)
    except BaseException:
        if lock is not None:
            lock.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return TrainResult(final, meta, notes)


def _set_words(annotation_set: str) -> str:
    return "" if annotation_set == "gold" else f" in --set {annotation_set}"


def _train_doc_labels(cats: list[doccat.Category], labelled: list[tuple[Any, Any]],
                      options: TrainOptions,
                      meta: dict[str, Any], out: Path, deadline: float | None,
                      report: Callable[..., None]) -> None:
    """The document-label classifiers (:mod:`.doccat`); held out: the run's split
    (seed, ``--dev-fraction``, ``--split-by``) drawn over the done documents of the
    set, the same documents as the span layers' when those are the same."""
    from ..suggest.doccat import FOLDER

    t0 = time.monotonic()
    items = [data.Labelled(doc, []) for doc, _ in labelled]
    _, dev = data.split(items, options.dev_fraction, options.seed, options.split_by)
    dev_ids = {d.doc.id or 0 for d in dev}
    texts = {doc.id or 0: doc.text for doc, _ in labelled}
    parts = doccat.train_categories(
        cats, texts, dev_ids, seed=options.seed, max_epochs=options.max_epochs,
        max_steps=options.max_steps, deadline=deadline, out=out / FOLDER,
        name=meta["name"], report=report)
    meta["labels"]["doc"] = [label for c in parts["categories"].values()
                             for label in c["labels"]]
    meta["doc"] = {"categories": parts["categories"]}
    meta["examples"]["doc"] = {name: c["documents"] for name, c in parts["categories"].items()}
    meta["scores"]["doc"] = parts["scores"]
    meta["training"]["doc"] = parts["training"]
    meta["seconds"]["doc"] = round(time.monotonic() - t0, 1)


def _check_split_by(docs: list[data.Labelled], key: str) -> list[str]:
    """Refuse a ``--split-by`` key that no done document has; note those without it."""
    without = sum(1 for d in docs if d.doc.meta.get(key) in (None, ""))
    if without == len(docs):
        keys = sorted({k for d in docs for k in d.doc.meta})
        raise TrainError(f"--split-by {key!r}: none of the {len(docs)} done document(s) has "
                         "this meta key" + (f" (their keys: {', '.join(keys[:12])})"
                                            if keys else " (they have no meta)"))
    if without:
        return [f"--split-by {key}: {without} of {len(docs)} done document(s) have no "
                f"{key}; each of them is a group of its own"]
    return []


def _drop_layer(meta: dict[str, Any], tmp: Path, layer: str) -> None:
    """Leave ``layer`` out of the model being written (what it wrote, and its meta)."""
    from ..suggest.checkworthy import FOLDER

    meta["layers"] = [x for x in meta["layers"] if x != layer]
    for key in ("labels", "examples", "scores", "training", "seconds"):
        meta[key].pop(layer, None)
    meta.pop(layer, None)
    if layer == "claim":
        shutil.rmtree(tmp / FOLDER, ignore_errors=True)


def _default_model() -> str:
    from ..suggest.runner import DEFAULT_MODEL

    return DEFAULT_MODEL


# --- entities ---------------------------------------------------------------------


def _train_entities(store: Store, base: str, train_docs: list[data.Labelled],
                    dev_docs: list[data.Labelled], options: TrainOptions,
                    meta: dict[str, Any], out: Path, deadline: float | None,
                    report: Callable[..., None]) -> None:
    t0 = time.monotonic()
    recipe = options.entity_recipe or DEFAULT_RECIPE
    nlp = _load_for_ner(base, recipe)
    counts = data.EntityCounts()
    train_examples = data.entity_examples(nlp, train_docs, options.partial, counts)
    dev_counts = data.EntityCounts()
    dev_examples = data.entity_examples(nlp, dev_docs, options.partial, dev_counts)
    if not train_examples:
        raise TrainError("no done document short enough to train the NER on")
    ner: Any = nlp.get_pipe(NER)
    before = _entity_scores(store, nlp, dev_docs) if dev_docs and ner.labels else None
    labels = sorted(counts.labels)
    words = sum(len(eg.predicted) for eg in train_examples)
    fresh = recipe.use_fresh(words, labels, list(ner.labels))
    if fresh:
        nlp, ner = _fresh_ner(nlp, labels, train_examples)
    added = [label for label in labels if label not in ner.labels]
    resume = bool(ner.labels)
    for label in added:
        ner.add_label(label)
    epochs = options.max_epochs or 30
    total = options.max_steps or recipe.steps_per_epoch(words) * epochs
    eval_every = recipe.every(words)
    loop_dev = data.sample_words(dev_examples, recipe.eval_words, options.seed)

    def on_step(step: Step) -> None:
        report("entity", step.step, total, step.loss, step.score)

    outcome = train_component(
        nlp, NER, train_examples, loop_dev, score_key="ents_f", resume=resume,
        max_epochs=epochs, max_steps=options.max_steps, eval_every=eval_every,
        patience=eval_every * recipe.patience_evals, dropout=recipe.dropout,
        deadline=deadline, on_step=on_step, config=recipe.training_config(words),
        rehearse=recipe.rehearse and not fresh,
        final_eval=max(1.0, sum(len(eg.predicted) for eg in dev_examples)
                       / max(1, sum(len(eg.predicted) for eg in loop_dev))))
    report("evaluate", 0, None)
    after = _entity_scores(store, nlp, dev_docs) if dev_docs else None
    report("save")
    nlp.meta["name"] = meta["name"]
    nlp.meta["annotator_model"] = meta["name"]
    nlp.to_disk(out / trained.PIPELINE)
    meta["labels"]["entity"] = list(ner.labels)
    meta["added_labels"] = added
    meta["examples"]["entity"] = {
        "train_documents": counts.documents, "dev_documents": dev_counts.documents,
        "spans": counts.spans, "dev_spans": dev_counts.spans, "rejected": counts.rejected,
        "moved_to_tokens": counts.moved + dev_counts.moved,
        "dropped": counts.dropped + dev_counts.dropped,
        "too_long": counts.too_long + dev_counts.too_long, "by_label": counts.labels,
        "words": words, "eval_words": sum(len(eg.predicted) for eg in loop_dev),
    }
    meta["scores"]["entity"] = {"before": before, "after": after,
                                "base": _pipeline_id(base, nlp)}
    meta["training"]["entity"] = {**_outcome_dict(outcome), "recipe": recipe.as_dict(),
                                  "fresh": fresh}
    meta["seconds"]["entity"] = round(time.monotonic() - t0, 1)


def _load_for_ner(base: str, recipe: EntityRecipe = DEFAULT_RECIPE) -> Language:
    """The base pipeline with an NER that reads known-wrong spans (added if it has
    none), and its own tok2vec (not shared with the parser, which stays as it was);
    with the project's tokenizer unless ``recipe`` says otherwise."""
    from ..suggest.loading import load
    from ..suggest.runner import ModelNotFound, load_pipeline
    from ..tokens import fix_tokenizer

    try:
        probe = load_pipeline(base)
        if NER in probe.pipe_names:
            # the known-wrong spans are a setting of the NER's transition system, made
            # when the component is built: so through the config, as `spacy train` would.
            nlp = load(
                base, config={"components": {NER: {"incorrect_spans_key": INCORRECT_KEY}}})
            if recipe.project_tokenizer:
                nlp = fix_tokenizer(nlp)
        else:
            nlp = probe
            nlp.add_pipe(NER, config={"incorrect_spans_key": INCORRECT_KEY})
    except ModelNotFound as exc:
        raise TrainError(str(exc)) from exc
    if "tok2vec" in nlp.pipe_names:
        tok2vec: Any = nlp.get_pipe("tok2vec")
        if NER in getattr(tok2vec, "listening_components", []):
            nlp.replace_listeners("tok2vec", NER, ["model.tok2vec"])
    return nlp


def _fresh_ner(nlp: Language, labels: list[str], examples: list[Any]
               ) -> tuple[Language, Any]:
    """Replace the NER of ``nlp`` with a new one knowing only ``labels``, built as the
    base NER is (its config, with its own tok2vec: :func:`_load_for_ner`) and
    initialised from ``examples``, then given the base NER's tok2vec weights (the base
    pipeline's tok2vec, where the NER listened to it)."""
    old: Any = nlp.get_pipe(NER)
    tok2vec = old.model.get_ref("tok2vec").to_bytes() if old.model.has_ref("tok2vec") \
        else None
    config = {k: v for k, v in nlp.config["components"][NER].items() if k != "factory"}
    config["incorrect_spans_key"] = INCORRECT_KEY
    nlp.remove_pipe(NER)
    ner: Any = nlp.add_pipe(NER, config=config)
    for label in labels:
        ner.add_label(label)
    with nlp.select_pipes(enable=[NER]):
        ner.initialize(lambda: examples[:200], nlp=nlp)
    if tok2vec is not None:
        # after initialising, which draws every weight anew
        ner.model.get_ref("tok2vec").from_bytes(tok2vec)
    return nlp, ner


def _entity_scores(store: Store, nlp: Language, docs: list[data.Labelled]
                   ) -> list[dict[str, Any]]:
    """The NER of ``nlp`` on held-out documents, as ``annotator evaluate`` reports it
    (labels mapped to the project's scheme as suggestions are)."""
    from ..suggest.entities import suggest_entities
    from ..suggest.runner import project_labels

    label_for = project_labels(store)
    gold = [Item(d.doc.id, "entity", s.start, s.end, s.label)
            for d in docs for s in d.accepted("entity")]
    pred: list[Item] = []
    with nlp.select_pipes(enable=[NER]):
        for d, doc in zip(docs, nlp.pipe(d.doc.text for d in docs), strict=True):
            for e in suggest_entities(doc):
                label = label_for.get(e.label)
                if label is not None:
                    pred.append(Item(d.doc.id, "entity", e.start, e.end, label))
    accepted = [any(x.label == g.label and x.overlaps(g) for g in gold) for x in pred]
    ev = compare(gold, pred, accepted, mode="gold", source="held-out", models=[],
                 documents=len(docs), layers=["entity"])
    return [asdict(r) for r in ev.labels]


# --- claims -----------------------------------------------------------------------


def _train_claims(store: Store, base: str, train_docs: list[data.Labelled],
                  dev_docs: list[data.Labelled], options: TrainOptions,
                  meta: dict[str, Any], out: Path, deadline: float | None,
                  report: Callable[..., None]) -> None:
    import spacy
    from spacy.training import Example

    from ..suggest.checkworthy import COMPONENT, FOLDER, LABEL
    from ..suggest.claims import COMBINED_THRESHOLD, MIN_SCORE, combined_score
    from ..suggest.runner import DEFAULT_MODEL, ModelNotFound, load_pipeline

    t0 = time.monotonic()
    try:
        parser = load_pipeline(base)
    except ModelNotFound as exc:
        raise TrainError(str(exc)) from exc
    if "parser" not in parser.pipe_names and "senter" not in parser.pipe_names:
        parser = load_pipeline(DEFAULT_MODEL)  # the rules need a parse
    everything = train_docs + dev_docs
    units = _parse_units(parser, everything, options, deadline, report)
    dev_ids = {d.doc.id for d in dev_docs}
    nlp = spacy.blank("en")
    textcat: Any = nlp.add_pipe("textcat_multilabel", name=COMPONENT,
                                config={"model": CLAIM_MODEL})
    textcat.add_label(LABEL)

    def example(u: data.ClaimUnit) -> Example:
        from spacy.tokens import Doc

        doc = Doc(nlp.vocab, words=u.features or ["[empty]"])
        reference = doc.copy()
        reference.cats = {LABEL: 1.0 if u.positive else 0.0}
        return Example(doc, reference)

    train_units = [u for u in units if u.doc_id not in dev_ids]
    dev_units = [u for u in units if u.doc_id in dev_ids]
    if not any(u.positive for u in train_units):
        raise TrainError("no claim unit of the training documents is covered by an accepted "
                         "claim: nothing to learn check-worthiness from")
    train_examples = [example(u) for u in train_units]
    dev_examples = [example(u) for u in dev_units]
    epochs = options.max_epochs or 6
    words = sum(len(eg.predicted) for eg in train_examples)
    per_epoch = max(1, words // 600)
    total = options.max_steps or per_epoch * epochs
    eval_every = max(10, min(400, per_epoch // 2))

    def on_step(step: Step) -> None:
        report("claim", step.step, total, step.loss, step.score)

    outcome = train_component(
        nlp, COMPONENT, train_examples, dev_examples, score_key="cats_macro_auc",
        resume=False, max_epochs=epochs, max_steps=options.max_steps, eval_every=eval_every,
        patience=eval_every * 4, dropout=0.2, deadline=deadline, on_step=on_step)
    report("evaluate", 0, None)
    probabilities = [float(x) for x in textcat.predict([eg.predicted for eg in dev_examples])
                     [:, 0]] if dev_examples else []
    gold = [u.positive for u in dev_units]
    threshold = _best_threshold(gold, probabilities) if dev_units else 0.5
    report("save")
    nlp.meta["name"] = meta["name"]
    nlp.to_disk(out / FOLDER)
    meta["labels"]["claim"] = [LABEL]
    meta["claim"] = {"threshold": threshold, "parser": _pipeline_id(base, parser)}
    meta["examples"]["claim"] = {
        "train_units": len(train_units), "dev_units": len(dev_units),
        "train_positive": sum(u.positive for u in train_units),
        "dev_positive": sum(gold), "documents_parsed": len({u.doc_id for u in units}),
    }
    scores: dict[str, Any] = {}
    if dev_units:
        # as suggested: the rules and the model together (annotator.suggest.claims)
        combined = [combined_score(p, threshold, u.cues)
                    for p, u in zip(probabilities, dev_units, strict=True)]
        rules = [u.rule_score for u in dev_units]
        scores["checkworthy"] = _rounded({
            **prf(gold, [c >= COMBINED_THRESHOLD for c in combined]),
            "AP": average_precision(gold, combined)})
        scores["model_alone"] = _rounded({**prf(gold, [p >= threshold for p in probabilities]),
                                          "AP": average_precision(gold, probabilities)})
        scores["rules_alone"] = _rounded({**prf(gold, [r >= MIN_SCORE for r in rules]),
                                          "AP": average_precision(gold, rules)})
        scores["labels"] = _claim_labels(dev_docs, dev_units, combined, COMBINED_THRESHOLD)
        scores["labels_rules_alone"] = _claim_labels(dev_docs, dev_units, rules, MIN_SCORE)
    meta["scores"]["claim"] = scores
    meta["training"]["claim"] = _outcome_dict(outcome)
    meta["seconds"]["claim"] = round(time.monotonic() - t0, 1)


def _parse_units(parser: Language, docs: list[data.Labelled], options: TrainOptions,
                 deadline: float | None, report: Callable[..., None]
                 ) -> list[data.ClaimUnit]:
    """The claim units of ``docs``, parsed by ``parser`` (the rules need the parse)."""
    # One process: with two, sending the parsed documents back costs more than the second
    # core saves (measured: 80 debate documents in 16.8 s with one, 21.2 s with two).
    processes = options.processes or 1
    units: list[data.ClaimUnit] = []
    texts = (d.doc.text[:data.MAX_CHARS] for d in docs)
    parsed = parser.pipe(texts, batch_size=16, n_process=processes)
    done = 0
    try:
        for item, doc in zip(docs, parsed, strict=False):
            units.extend(data.claim_units([item], [doc]))
            done += 1
            if done % 10 == 0 or done == len(docs):
                report("parse", done, len(docs))
            if deadline is not None and time.monotonic() >= deadline:
                break
    finally:
        close = getattr(parsed, "close", None)
        if close is not None:
            close()
    return units


def _best_threshold(gold: list[bool], probabilities: list[float]) -> float:
    """The probability from which suggesting gives the best held-out F1."""
    if not any(gold):
        return 0.5
    best, at = -1.0, 0.5
    for k in range(5, 96):
        t = k / 100
        f1 = prf(gold, [p >= t for p in probabilities])["F1"]
        if f1 > best:
            best, at = f1, t
    return at


def _claim_labels(docs: list[data.Labelled], units: list[data.ClaimUnit],
                  scores: list[float], threshold: float) -> list[dict[str, Any]]:
    """Suggested claims (units scoring from ``threshold``) against the accepted claims
    of held-out documents, as ``annotator evaluate`` reports them."""
    gold = [Item(d.doc.id, "claim", s.start, s.end, s.label)
            for d in docs for s in d.accepted("claim")]
    label = gold[0].label if gold else "CLAIM"
    pred = [Item(u.doc_id, "claim", u.start, u.end, label, round(p, 3))
            for u, p in zip(units, scores, strict=True) if p >= threshold]
    accepted = [any(x.overlaps(g) for g in gold) for x in pred]
    ev = compare(gold, pred, accepted, mode="gold", source="held-out", models=[],
                 documents=len(docs), layers=["claim"])
    return [asdict(r) for r in ev.labels]


# --- writing ----------------------------------------------------------------------


def _commit(tmp: Path, folder: Path, name: str, meta: dict[str, Any]) -> Path:
    """Rename the finished temporary folder into place (signals held back)."""
    from ..export.base import signals_deferred

    with signals_deferred():
        final = folder / name
        if final.exists():  # another run took the name meanwhile
            base = name.rsplit("-", 1)[0]
            name = trained.next_name(folder.parent / folder.name[:-len(".models")], base)
            final = folder / name
            meta["name"] = name
            _write_json(tmp / trained.META, meta)
        os.rename(tmp, final)
    return final


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_json(path: Path, value: Any) -> None:
    import json

    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _outcome_dict(outcome: Outcome) -> dict[str, Any]:
    return {"steps": outcome.steps, "epochs": outcome.epochs,
            "best_score": None if outcome.best_score is None else round(outcome.best_score, 4),
            "best_step": outcome.best_step, "stopped": outcome.stopped,
            "seconds": round(outcome.seconds, 1)}


def _rounded(scores: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 4) for k, v in scores.items()}


def _pipeline_id(spec: str, nlp: Language) -> str:
    from ..suggest.runner import pipeline_id

    return pipeline_id(nlp) if nlp.meta.get("name") else spec


def _config_summary() -> dict[str, Any]:
    from .engine import TRAINING_CONFIG

    return {"training": TRAINING_CONFIG, "claim_model": CLAIM_MODEL}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("annotator")
    except PackageNotFoundError:  # pragma: no cover - a source tree without install
        return "0"

