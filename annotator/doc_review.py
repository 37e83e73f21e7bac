"""Review rules for document labels (issue 25): what ``annotator review --take NAME`` and
``--majority`` make of the annotators' document labels in the gold set, beside their
spans (:func:`annotator.teams.review`).

Per category of the scheme, over the sets that marked the document done:

- ``take NAME``: gold's accepted labels of each category become NAME's.
- ``majority`` (``k`` sets, default more than half): an **exclusive** category takes the
  value (a label, or none) that ``k`` sets chose; none reaching ``k`` is a conflict. A
  **multi-label** category takes each label ``k`` sets accepted; a label that neither
  ``k`` sets accepted nor most left out is a conflict. A category (or a multi-label
  category's label) that gold holds already is the reviewer's, left alone.

The writes are :mod:`annotator.editing.doc_labels` operations on the gold set (``""``),
so each is logged as the window's document-label bar logs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .editing import doc_labels as ops
from .model import LabelScheme
from .store import Store

NONE = "(none)"


@dataclass
class DocLabelConflict:
    """What a rule cannot settle in one category: the values and whose they are."""

    category: str
    reason: str
    votes: dict[str, tuple[str, ...]]  # label (or "(none)") -> the sets that chose it
    missing: list[str] = field(default_factory=list)  # multi-label: sets without it


@dataclass
class DocLabelPlan:
    """Gold's accepted labels per category where the rule changes them, and conflicts."""

    gold: dict[str, set[str]] = field(default_factory=dict)
    conflicts: list[DocLabelConflict] = field(default_factory=list)
    #: how many labels the plan accepts into gold
    adds: int = 0

    @property
    def settled(self) -> bool:
        return not (self.gold or self.conflicts)


def plan_doc_labels(store: Store, doc_id: int, sets: list[str], kind: str,
                    name: str | None = None, min_sets: int | None = None,
                    only: str | None = None) -> DocLabelPlan:
    """What a rule (``take`` with ``name``, or ``majority`` with ``min_sets``) does to a
    document's labels (nothing is written). ``only``: a rule narrowed to one label
    (``--label``): a span label leaves document labels alone, a document label limits
    the plan to it."""
    scheme = store.label_scheme()
    plan = DocLabelPlan()
    target = scheme.get(only) if only is not None else None
    if only is not None and (target is None or target.layer != "doc"):
        return plan
    accepted: dict[str, dict[str, set[str]]] = {}  # set -> category -> labels
    for row in store.doc_labels_for([doc_id], None).get(doc_id, []):
        if row.decision == "accepted":
            accepted.setdefault(row.annotation_set, {}).setdefault(
                row.category, set()).add(row.label)
    gold = accepted.get("", {})
    for category in scheme.categories:
        if target is not None and target.category != category.name:
            continue
        have = gold.get(category.name, set())
        chosen = {s: accepted.get(s, {}).get(category.name, set()) for s in sets}
        if kind == "take":
            assert name is not None
            want = set(chosen.get(name, set()))
            if target is not None:
                want = (have - {target.name}) | (want & {target.name})
            if want != have:
                plan.gold[category.name] = want
                plan.adds += len(want - have)
        elif category.exclusive:
            _exclusive(plan, category.name, have, chosen, sets, min_sets, scheme)
        else:
            _multi(plan, category.name, have, chosen, sets, min_sets,
                   target.name if target is not None else None)
    return plan


def _needed(sets: list[str], min_sets: int | None) -> int:
    return min_sets if min_sets is not None else len(sets) // 2 + 1


def _exclusive(plan: DocLabelPlan, category: str, have: set[str],
               chosen: dict[str, set[str]], sets: list[str], min_sets: int | None,
               scheme: LabelScheme) -> None:
    if have:
        return  # the reviewer chose already
    order = [x.name for x in scheme.doc_labels(category)]
    votes: dict[str, list[str]] = {}
    for s in sets:
        mine = chosen[s]
        value = next((x for x in order if x in mine), next(iter(sorted(mine)), NONE))
        votes.setdefault(value, []).append(s)
    k = _needed(sets, min_sets)
    passing = [v for v, who in votes.items() if len(who) >= k]
    if len(passing) == 1:
        if passing[0] != NONE:
            plan.gold[category] = {passing[0]}
            plan.adds += 1
        return
    plan.conflicts.append(DocLabelConflict(
        category, f"{category}: no choice in {k} of {len(sets)} sets"
        if not passing else f"{category}: several choices pass the rule (--min {k})",
        {v: tuple(who) for v, who in sorted(votes.items())}))


def _multi(plan: DocLabelPlan, category: str, have: set[str],
           chosen: dict[str, set[str]], sets: list[str], min_sets: int | None,
           only: str | None) -> None:
    k, most = _needed(sets, min_sets), len(sets) // 2 + 1
    take = set()
    for label in sorted({x for labels in chosen.values() for x in labels}):
        if label in have or (only is not None and label != only):
            continue
        owners = [s for s in sets if label in chosen[s]]
        if len(owners) >= k:
            take.add(label)
        elif len(sets) - len(owners) < most:
            plan.conflicts.append(DocLabelConflict(
                category, f"{category} {label}: in {len(owners)} of {len(sets)} sets (the "
                f"rule needs {k})", {label: tuple(owners)},
                [s for s in sets if s not in owners]))
    if take:
        plan.gold[category] = have | take
        plan.adds += len(take)


def apply_doc_labels(store: Store, doc_id: int, plan: DocLabelPlan, who: str) -> int:
    """Make gold's accepted labels what ``plan`` says (inside the caller's transaction);
    returns how many labels it accepted into gold."""
    taken = 0
    current: dict[str, set[str]] = {}
    for row in store.doc_labels(doc_id, ""):
        if row.decision == "accepted":
            current.setdefault(row.category, set()).add(row.label)
    for category, want in plan.gold.items():
        have = current.get(category, set())
        for label in sorted(have - want):
            ops.remove(store, doc_id, category, label, annotator=who)
        for label in sorted(want - have):
            ops.accept(store, doc_id, category, label, annotator=who)
            taken += 1
    return taken
