"""How good are the suggestions? Model suggestions against what people decided.

Two sources of truth, one report (:class:`Evaluation`), so that the CLI, its ``--json``
and the window's Statistics view show the same figures:

- :func:`evaluate_project`: the project's documents marked done. What the model
  suggested is each model span as it was first stored (the event log keeps its state
  before a person resized, relabelled or deleted it); the truth is the accepted spans,
  whoever made them. A suggestion counts as accepted when a person accepted it (as is or
  edited); one left pending in a done document or rejected or deleted does not.
- :func:`evaluate_gold`: an external labelled JSONL file (our export, or Prodigy's with
  ``spans``), scored against the current suggester run on its texts. A suggestion
  counts as accepted when it overlaps a gold span of its label. No project is opened.

Reported, per layer and label: precision, recall and F1, exact (same offsets and label)
and overlap (a suggestion overlapping a gold span of its label, and the other way
round); for claims, claimant accuracy (of the gold claims that have a claimant and
overlap a suggestion, how many got the same claimant); acceptance rate by score bucket
(is the score calibrated?); the cues of the most-rejected suggestions.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import NothingToEvaluate as NothingToEvaluate
from .model import LAYERS, Span
from .store import Store

if TYPE_CHECKING:
    from spacy.language import Language

    from .suggest.runner import Suggester

BUCKETS = (0.0, 0.2, 0.4, 0.6, 0.8)
TOP_CUES = 10


# --- generic figures ----------------------------------------------------------------


def prf(gold: Sequence[bool], predicted: Sequence[bool]) -> dict[str, float]:
    """Precision, recall and F1 of ``predicted`` against ``gold`` (item by item)."""
    tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g and p)
    fp = sum(1 for g, p in zip(gold, predicted, strict=True) if p and not g)
    fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g and not p)
    p_ = tp / (tp + fp) if tp + fp else 0.0
    r_ = tp / (tp + fn) if tp + fn else 0.0
    return {"P": p_, "R": r_, "F1": _f1(p_, r_)}


def average_precision(gold: Sequence[bool], scores: Sequence[float | None]) -> float:
    """Average precision of the ranking by ``scores``, highest first; ``None`` ranks
    last. Tied scores form one step (as scikit-learn computes it), so the order of
    ties never matters."""
    total = sum(1 for g in gold if g)
    if not total:
        return 0.0
    ranked = sorted(((float("-inf") if s is None else s, g) for s, g in
                     zip(scores, gold, strict=True)), key=lambda x: -x[0])
    ap, hits, seen, i = 0.0, 0, 0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        step = sum(1 for _, g in ranked[i:j] if g)
        hits += step
        seen += j - i
        ap += step / total * hits / seen
        i = j
    return ap


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


# --- report -------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One span to compare: in document ``doc``, ``[start, end)`` with its label."""

    doc: int
    layer: str
    start: int
    end: int
    label: str
    score: float | None = None
    cues: tuple[str, ...] = ()
    claimant: str | None = None

    def overlaps(self, other: Item) -> bool:
        return self.doc == other.doc and self.start < other.end and other.start < self.end


@dataclass
class Scores:
    """Precision, recall and F1 with the counts behind them."""

    precision: float
    recall: float
    f1: float
    predicted: int
    gold: int
    predicted_matched: int
    gold_matched: int


@dataclass
class LabelReport:
    """Figures of one label (``label`` ``"(all)"``: the layer's micro average)."""

    layer: str
    label: str
    exact: Scores
    overlap: Scores


@dataclass
class Bucket:
    """Suggestions of one layer whose score is in ``[low, high)`` (``low`` ``None``:
    unscored) and how many of them were accepted."""

    layer: str
    low: float | None
    high: float | None
    suggested: int
    accepted: int
    rate: float


@dataclass
class Acceptance:
    """Suggestions of one label (as first stored) and how many of them were accepted
    (``label`` ``"(all)"``: the layer's)."""

    layer: str
    label: str
    suggested: int
    accepted: int
    rate: float


@dataclass
class CueReport:
    """How often suggestions carrying ``cue`` were rejected."""

    layer: str
    cue: str
    suggested: int
    rejected: int
    rate: float


@dataclass
class ClaimantReport:
    """Claimant accuracy over the gold claims that have a claimant."""

    with_claimant: int  # gold claims with a claimant
    matched: int  # ... that overlap a suggested claim
    correct: int  # ... whose suggestion named the same claimant
    accuracy: float  # correct / matched
    examples: list[dict[str, str | None]] = field(default_factory=list)  # a few misses


@dataclass
class Evaluation:
    """Everything :func:`format_text` prints; :meth:`as_dict` for JSON."""

    mode: str  # "project" or "gold"
    source: str
    models: list[str]
    documents: int
    layers: list[str]
    labels: list[LabelReport] = field(default_factory=list)
    claimant: ClaimantReport | None = None
    buckets: list[Bucket] = field(default_factory=list)
    cues: list[CueReport] = field(default_factory=list)
    acceptance: list[Acceptance] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def label(self, layer: str, label: str = "(all)") -> LabelReport | None:
        """The figures of one label (``"(all)"``: the layer's micro average)."""
        return next((r for r in self.labels if r.layer == layer and r.label == label), None)


def compare(gold: list[Item], predicted: list[Item], accepted: list[bool], *,
            mode: str, source: str, models: list[str], documents: int,
            layers: Iterable[str]) -> Evaluation:
    """The report for ``predicted`` suggestions against ``gold`` spans; ``accepted[k]``
    says whether suggestion ``k`` was accepted (for the buckets and the cues)."""
    layers = [layer for layer in LAYERS if layer in set(layers)]
    ev = Evaluation(mode, source, models, documents, layers)
    for layer in layers:
        g = [x for x in gold if x.layer == layer]
        p = [x for x in predicted if x.layer == layer]
        labels = sorted({x.label for x in g} | {x.label for x in p})
        for label in labels:
            ev.labels.append(_label_report(layer, label, [x for x in g if x.label == label],
                                           [x for x in p if x.label == label]))
        if labels:
            ev.labels.append(_label_report(layer, "(all)", g, p))
        pairs = [(x, ok) for x, ok in zip(predicted, accepted, strict=True)
                 if x.layer == layer]
        ev.buckets += _buckets(layer, pairs)
        ev.cues += _cues(layer, pairs)
        ev.acceptance += _acceptance(layer, pairs)
    if "claim" in layers:
        ev.claimant = _claimants([x for x in gold if x.layer == "claim"],
                                 [x for x in predicted if x.layer == "claim"])
    return ev


def _label_report(layer: str, label: str, gold: list[Item], pred: list[Item]) -> LabelReport:
    gold_keys = Counter((x.doc, x.start, x.end, x.label) for x in gold)
    exact = 0
    for x in pred:
        key = (x.doc, x.start, x.end, x.label)
        if gold_keys[key] > 0:
            gold_keys[key] -= 1
            exact += 1
    by_doc: dict[tuple[int, str], list[Item]] = defaultdict(list)
    for x in gold:
        by_doc[(x.doc, x.label)].append(x)
    pred_by_doc: dict[tuple[int, str], list[Item]] = defaultdict(list)
    for x in pred:
        pred_by_doc[(x.doc, x.label)].append(x)
    p_hit = sum(1 for x in pred if any(x.overlaps(y) for y in by_doc[(x.doc, x.label)]))
    g_hit = sum(1 for y in gold if any(y.overlaps(x) for x in pred_by_doc[(y.doc, y.label)]))
    return LabelReport(layer, label, _scores(len(pred), len(gold), exact, exact),
                       _scores(len(pred), len(gold), p_hit, g_hit))


def _scores(predicted: int, gold: int, p_hit: int, g_hit: int) -> Scores:
    p = p_hit / predicted if predicted else 0.0
    r = g_hit / gold if gold else 0.0
    return Scores(round(p, 4), round(r, 4), round(_f1(p, r), 4), predicted, gold, p_hit,
                  g_hit)


def _buckets(layer: str, pairs: list[tuple[Item, bool]]) -> list[Bucket]:
    out = []
    edges = [*BUCKETS, 1.0000001]
    unscored = [ok for x, ok in pairs if x.score is None]
    if unscored:
        out.append(Bucket(layer, None, None, len(unscored), sum(unscored),
                          round(sum(unscored) / len(unscored), 4)))
    for low, high in zip(edges, edges[1:], strict=False):
        inside = [ok for x, ok in pairs if x.score is not None and low <= x.score < high]
        if inside:
            out.append(Bucket(layer, low, round(min(high, 1.0), 1), len(inside),
                              sum(inside), round(sum(inside) / len(inside), 4)))
    return out


def _acceptance(layer: str, pairs: list[tuple[Item, bool]]) -> list[Acceptance]:
    by_label: dict[str, list[bool]] = defaultdict(list)
    for x, ok in pairs:
        by_label[x.label].append(ok)
    rows = [(label, by_label[label]) for label in sorted(by_label)]
    if rows:
        rows.append(("(all)", [ok for _, ok in pairs]))
    return [Acceptance(layer, label, len(oks), sum(oks), round(sum(oks) / len(oks), 4))
            for label, oks in rows]


def _cues(layer: str, pairs: list[tuple[Item, bool]]) -> list[CueReport]:
    seen: Counter[str] = Counter()
    rejected: Counter[str] = Counter()
    for x, ok in pairs:
        for cue in set(x.cues):
            seen[cue] += 1
            rejected[cue] += not ok
    rows = [CueReport(layer, cue, seen[cue], rejected[cue], round(rejected[cue] / seen[cue], 4))
            for cue in seen if rejected[cue]]
    rows.sort(key=lambda c: (-c.rejected, -c.rate, c.cue))
    return rows[:TOP_CUES]


def _claimants(gold: list[Item], pred: list[Item]) -> ClaimantReport:
    by_doc: dict[int, list[Item]] = defaultdict(list)
    for x in pred:
        by_doc[x.doc].append(x)
    report = ClaimantReport(0, 0, 0, 0.0)
    for g in gold:
        if not g.claimant:
            continue
        report.with_claimant += 1
        best, most = None, 0
        for x in by_doc[g.doc]:
            inside = min(x.end, g.end) - max(x.start, g.start)
            if inside > most:
                best, most = x, inside
        if best is None:
            continue
        report.matched += 1
        if same_claimant(best.claimant, g.claimant):
            report.correct += 1
        elif len(report.examples) < 10:
            report.examples.append({"gold": g.claimant, "suggested": best.claimant})
    report.accuracy = round(report.correct / report.matched, 4) if report.matched else 0.0
    return report


_ARTICLE = re.compile(r"^(the|a|an)\s+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def normalise_claimant(text: str | None) -> str:
    """Lower case, glued words apart, no leading article or punctuation."""
    if not text:
        return ""
    text = _CAMEL.sub(" ", text)
    text = re.sub(r"[^\w\s'-]", " ", text.lower())
    return _ARTICLE.sub("", " ".join(text.split()))


def same_claimant(a: str | None, b: str | None) -> bool:
    """The same claimant, written alike or one ending the other ("Watanabe", "Kenji
    Watanabe"; "the health ministry", "health ministry")."""
    x, y = normalise_claimant(a), normalise_claimant(b)
    if not x or not y:
        return False
    short, long = sorted((x, y), key=len)
    return short == long or long.endswith(" " + short)


# --- project mode -------------------------------------------------------------------


def evaluate_project(store: Store, layer: str = "all", model: str | None = None
                     ) -> Evaluation:
    """Model suggestions against the decisions on the project's done documents.

    ``model`` keeps only suggestions whose stored model name starts with it (or whose
    claim classifier's does)."""
    layers = LAYERS if layer == "all" else (layer,)
    gold: list[Item] = []
    pred: list[Item] = []
    accepted: list[bool] = []
    models: set[str] = set()
    documents = pending = 0
    for doc in store.iter_documents(status="done"):
        documents += 1
        spans = store.spans(doc.id)
        originals = _original_states(store, doc.id)
        text_of = {s.id: doc.text[s.start:s.end] for s in spans if s.id is not None}
        for span_id, original in originals.items():
            text_of.setdefault(span_id, doc.text[original["start"]:original["end"]])
        for s in spans:
            if s.layer in layers and s.decision == "accepted":
                gold.append(_item(s, doc.id, _claimant(s.claim.as_dict() if s.claim else None,
                                                       text_of)))
        live = {s.id: s for s in spans}
        ids = [s.id for s in spans if s.origin == "model" and s.id is not None]
        ids += [k for k, st in originals.items() if k not in live and st["origin"] == "model"]
        for span_id in ids:
            span = live.get(span_id)
            state: dict[str, Any] | None = originals.get(span_id)
            first = _state_span(state, doc.id) if state else span
            if first is None or first.origin != "model" or first.layer not in layers:
                continue
            if model and not _made_by(first.model or (span.model if span else "") or "",
                                      model):
                continue
            if span is not None:
                first.cues, first.model = span.cues, span.model
            models.add(first.model or "")
            claim = state.get("claim") if state else (
                span.claim.as_dict() if span and span.claim else None)
            pred.append(_item(first, doc.id, _claimant(claim, text_of)))
            accepted.append(span is not None and span.decision == "accepted")
            pending += span is not None and span.decision == "pending"
    ev = compare(gold, pred, accepted, mode="project", source=str(store.path),
                 models=sorted(m for m in models if m), documents=documents, layers=layers)
    if not documents:
        ev.notes.append("no document is marked done: nothing to compare yet")
    if pending:
        ev.notes.append(f"{pending} suggestion(s) left pending in done documents count as "
                        "not accepted")
    return ev


def _made_by(stored: str, model: str) -> bool:
    """Whether a suggestion's stored ``model`` (``"pipeline version"``, or with a claim
    classifier ``"pipeline version + classifier"``) names ``model`` (a prefix of either)."""
    return any(part.startswith(model) for part in (stored, *stored.split(" + ")[1:]))


def _original_states(store: Store, doc_id: int) -> dict[int, dict[str, Any]]:
    """Each span's state before the first decision on it, from the event log."""
    first: dict[int, dict[str, Any]] = {}
    for event in store.events(doc_id):
        span_id = event.get("span_id")
        if span_id is None or span_id in first or not event.get("before"):
            continue
        first[span_id] = json.loads(event["before"])
    return first


def _state_span(state: dict[str, Any], doc_id: int) -> Span:
    return Span(doc_id=doc_id, layer=state["layer"], start=state["start"], end=state["end"],
                label=state["label"], origin=state.get("origin", "model"),
                decision=state.get("decision", "pending"), score=state.get("score"),
                id=state.get("id"))


def _claimant(claim: dict[str, Any] | None, text_of: dict[int, str]) -> str | None:
    if not claim:
        return None
    span_id = claim.get("claimant_span_id")
    if span_id is not None and span_id in text_of:
        return text_of[span_id]
    text = claim.get("claimant_text")
    return text if isinstance(text, str) and text else None


def _item(span: Span, doc: int, claimant: str | None = None) -> Item:
    return Item(doc, span.layer, span.start, span.end, span.label, span.score,
                tuple(span.cues), claimant if span.layer == "claim" else None)


# --- gold mode ----------------------------------------------------------------------


def evaluate_set(store: Store, annotation_set: str, nlp: Language | Suggester,
                 layer: str = "all", batch_size: int = 32) -> Evaluation:
    """The suggester against the labels of a project's done documents in the set
    ``annotation_set`` chooses (``export --set``'s meaning: ``auto``, ``gold`` or an
    annotator's): the chosen set is exported (JSONL, as ``export --set`` writes it, to a
    temporary file) and scored as :func:`evaluate_gold` scores a file. What the choice
    leaves out is counted in the notes."""
    import tempfile

    from .export import ExportOptions, export
    from .export.base import nothing_chosen

    with tempfile.TemporaryDirectory(prefix="annotator-evaluate-") as folder:
        out = Path(folder) / "gold.jsonl"
        summary = export(store, "jsonl", out, ExportOptions(
            annotation_set=annotation_set, tokens=False, allow_empty=True))
        if not summary.documents:
            raise NothingToEvaluate(nothing_chosen(store, annotation_set, summary.skipped,
                                                   "nothing to compare"))
        ev = evaluate_gold(out, nlp, layer, batch_size)
    ev.source = f"{store.path} (--set {annotation_set})"
    ev.notes += [f"left out {n}: {reason}" for reason, n in sorted(summary.skipped.items())]
    return ev


def evaluate_gold(path: Path, nlp: Language | Suggester, layer: str = "all",
                  batch_size: int = 32) -> Evaluation:
    """The suggester (a :class:`~annotator.suggest.runner.Suggester`, or a pipeline
    with the shipped claim model) against a labelled JSONL file.

    Lines answered "reject" or "ignore" are skipped; a layer the file never labels
    (no ``spans`` key, no ``claims`` key) is not scored."""
    from .importers import decode, read_file
    from .suggest.checkworthy import shipped
    from .suggest.claims import suggest_claims
    from .suggest.entities import suggest_entities
    from .suggest.runner import Suggester, pipeline_id

    if not isinstance(nlp, Suggester):
        nlp = Suggester(nlp, shipped(), pipeline_id(nlp))
    suggester = nlp

    path = Path(path)
    raw = decode(path)  # as `import` reads it: UTF-8, or UTF-16/32 with a BOM; else refused
    keys = _label_keys(raw)
    labelled = {"entity": bool(keys & {"spans", "label"}), "claim": "claims" in keys}
    layers = [x for x in (LAYERS if layer == "all" else (layer,)) if labelled[x]]
    records = [r for r in read_file(path, "jsonl") if r.status not in ("skipped", "flagged")]
    gold: list[Item] = []
    for n, record in enumerate(records):
        for index, s in enumerate(record.spans):
            if s.decision != "accepted" or s.layer not in layers:
                continue
            claimant = None
            if s.layer == "claim" and s.claim is not None:
                offsets = record.claimant_offsets.get(index)
                claimant = record.text[offsets[0]:offsets[1]] if offsets else s.claim.claimant_text
            gold.append(Item(n, s.layer, s.start, s.end, s.label, claimant=claimant))
    pred: list[Item] = []
    pipe = suggester.nlp.pipe((r.text for r in records), batch_size=batch_size)
    for n, doc in enumerate(pipe):
        entities = suggest_entities(doc)
        if "entity" in layers:
            pred += [Item(n, "entity", e.start, e.end, e.label, e.score, tuple(e.cues))
                     for e in entities]
        if "claim" in layers:
            for c in suggest_claims(doc, entities, suggester.checkworthiness):
                claimant = c.claimant_text
                if c.claimant_entity is not None:
                    e = entities[c.claimant_entity]
                    claimant = doc.text[e.start:e.end]
                pred.append(Item(n, "claim", c.start, c.end, c.label, c.score, tuple(c.cues),
                                 claimant))
    accepted = [any(x.label == g.label and x.layer == g.layer and x.overlaps(g) for g in gold)
                for x in pred]
    ev = compare(gold, pred, accepted, mode="gold", source=str(path),
                 models=sorted({suggester.name, suggester.claim_model}),
                 documents=len(records), layers=layers)
    missing = [x for x in (LAYERS if layer == "all" else (layer,)) if x not in layers]
    if missing:
        ev.notes.append(f"{path.name} labels no {' or '.join(missing)} spans: not scored")
    return ev


def _label_keys(raw: str) -> set[str]:
    """Which label keys the file's lines carry (``spans``, ``label``, ``claims``)."""
    found: set[str] = set()
    for line in _lines(raw):
        try:
            item = json.loads(line)
        except ValueError:
            continue  # read_jsonl reports it with its line number
        if isinstance(item, dict):
            found |= {k for k in ("spans", "label", "claims") if k in item}
    return found


def _lines(raw: str) -> Iterator[str]:
    for line in raw.splitlines():
        if line.strip():
            yield line


# --- text ---------------------------------------------------------------------------


def format_text(ev: Evaluation) -> str:
    """The report as the CLI prints it."""
    what = "decisions on" if ev.mode == "project" else "gold labels of"
    lines = [f"Suggestions vs {what} {ev.documents} document(s) in {ev.source}"
             + (f" (model {', '.join(ev.models)})" if ev.models else "")]
    if ev.labels:
        head = ("layer", "label", "gold", "suggested", "exact P", "R", "F1", "overlap P", "R",
                "F1")
        rows = [head] + [(r.layer, r.label, str(r.exact.gold), str(r.exact.predicted),
                          *(f"{v:.2f}" for v in (r.exact.precision, r.exact.recall,
                                                 r.exact.f1, r.overlap.precision,
                                                 r.overlap.recall, r.overlap.f1)))
                         for r in ev.labels]
        widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
        lines.append("")
        for k, row in enumerate(rows):
            lines.append("  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                                   for i, (c, w) in enumerate(zip(row, widths, strict=True))
                                   ).rstrip())
            if k == 0:
                lines.append("  ".join("-" * w for w in widths))
    if ev.claimant is not None and ev.claimant.with_claimant:
        c = ev.claimant
        lines += ["", f"claimant accuracy: {c.accuracy:.2f} ({c.correct} of {c.matched} "
                      f"suggested claims; {c.with_claimant - c.matched} claim(s) with a "
                      "claimant had no suggestion)"]
        for ex in c.examples[:5]:
            lines.append(f"  wrong: {ex['suggested'] or '(none)'!r} for {ex['gold']!r}")
    verb = "accepted" if ev.mode == "project" else "matching a gold span"
    for layer in ev.layers:
        buckets = [b for b in ev.buckets if b.layer == layer]
        if buckets:
            lines += ["", f"{layer} suggestions {verb}, by score:"]
            for b in buckets:
                where = "no score" if b.low is None else f"{b.low:.1f}-{b.high:.1f}"
                lines.append(f"  {where:<9} {b.accepted:>6} of {b.suggested:<6} {b.rate:6.0%}")
        accepted = [a for a in ev.acceptance if a.layer == layer]
        if accepted:
            lines += ["", f"{layer} suggestions {verb}, by label:"]
            width = max(len(a.label) for a in accepted)
            for a in accepted:
                lines.append(f"  {a.label:<{width}} {a.accepted:>6} of {a.suggested:<6} "
                             f"{a.rate:6.0%}")
        rejected_cues = [c for c in ev.cues if c.layer == layer]
        if rejected_cues:
            lines += ["", f"most-rejected {layer} cues:"]
            width = max(len(c.cue) for c in rejected_cues)
            for cue in rejected_cues:
                lines.append(f"  {cue.cue:<{width}} {cue.rejected:>6} of {cue.suggested:<6} "
                             f"{cue.rate:6.0%}")
    if ev.notes:
        lines += [""] + [f"note: {n}" for n in ev.notes]
    return "\n".join(lines)
