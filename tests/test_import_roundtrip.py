"""Our own export of every format, imported back: the same documents, spans, claim
attributes, claimant links and statuses (what each format carries), 0 lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from annotator.export import ExportOptions, export
from annotator.importers import import_paths
from annotator.store import Store

from .export.conftest import Project, build


@pytest.fixture
def project(tmp_path: Path):
    p = build(tmp_path / "project.db")
    yield p
    p.store.close()


ALL = ("claim_type", "checkworthy", "hedged", "via")


def snapshot(store: Store, *, claims: bool = True, attributes: tuple[str, ...] = ALL,
             links: bool = True, pending_claimant_as_text: bool = False) -> dict[str, Any]:
    """text -> (status, accepted spans, claim attributes with the claimant's offsets;
    ``pending_claimant_as_text``: a claimant that is not an accepted entity as its text,
    as a format without such entities writes it)."""
    out = {}
    for doc in store.iter_documents():
        spans = [s for s in store.spans(doc.id) if s.decision == "accepted"
                 and (claims or s.layer == "entity")]
        by_id = {s.id: s for s in store.spans(doc.id)}
        items = []
        for s in spans:
            item: tuple[Any, ...] = (s.layer, s.start, s.end, s.label)
            if s.claim is not None:
                c = s.claim
                target = by_id.get(c.claimant_span_id)
                claimant = ((target.start, target.end, target.label) if target
                            else c.claimant_text)
                if target and pending_claimant_as_text and target.decision != "accepted":
                    claimant = doc.text[target.start:target.end]
                item += (*(getattr(c, name) for name in attributes),
                         claimant if links else None)
            items.append(item)
        out[doc.text] = (doc.status, sorted(items, key=str))
    return out


def _reimport(tmp_path: Path, paths: list[Path], fmt: str = "auto") -> tuple[Store, Any]:
    other = Store(tmp_path / "again.db")
    result = import_paths(other, paths, fmt=fmt, add_labels=True)
    return other, result


# format -> (export options, what the format carries: claims, attributes, links, statuses)
CASES: dict[str, tuple[ExportOptions, bool, tuple[str, ...], bool, bool]] = {
    "jsonl": (ExportOptions(status="any", layer="all"), True, ALL, True, True),
    "doccano": (ExportOptions(status="any", layer="all"), True, (), False, True),
    "doccano-entities": (ExportOptions(status="any"), False, (), False, True),
    # every attribute (per-region choices and texts) and the claimant relation; no status
    "labelstudio": (ExportOptions(status="any", layer="all"), True, ALL, True, False),
    "spacy": (ExportOptions(status="done", layer="all", dev_fraction=0.5), True, ALL, True,
              True),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_import_roundtrip_our_export_of_each_format(project: Project, tmp_path: Path,
                                                    case: str) -> None:
    opts, claims, attributes, links, statuses = CASES[case]
    fmt = case.split("-")[0]
    suffix = {"spacy": "", "labelstudio": ".json"}.get(fmt, ".jsonl")
    out = tmp_path / f"out{suffix}"
    summary = export(project.store, fmt, out, opts)
    paths = [out] if fmt != "spacy" else [out / "train.spacy", out / "dev.spacy"]
    other, result = _reimport(tmp_path, paths)
    try:
        before = snapshot(project.store, claims=claims, attributes=attributes, links=links,
                          pending_claimant_as_text=fmt == "labelstudio")
        if opts.status == "done":
            before = {t: v for t, v in before.items() if v[0] == "done"}
        after = snapshot(other, claims=claims, attributes=attributes, links=links)
        assert not result.left_out, result.summary()
        assert result.spans == sum(summary.spans_by_label.values())
        if not statuses:  # Label Studio has no status: annotated is done, cancelled skipped
            before = {t: ("done" if s == "new" else s, v) for t, (s, v) in before.items()}
        assert set(after) == set(before)  # the texts, byte for byte
        missing = 0
        for text, (status, items) in before.items():
            assert after[text][0] == status, text
            kept = {x[:4] for x in after[text][1]}
            assert [x for x in after[text][1] if x not in items] == [], text
            missing += sum(x[:4] not in kept for x in items)
        # what the export left out (spans off token boundaries), and nothing else
        spans_skipped = sum(n for reason, n in summary.skipped.items() if "spans" in reason
                            and "rejected" not in reason)
        assert missing == spans_skipped, summary.skipped
        if fmt == "labelstudio":  # the one claimant written as text, as the export said
            assert sum(summary.adjusted.values()) == 1, summary.adjusted
    finally:
        other.close()


def test_import_roundtrip_conll_gives_the_same_file(project: Project, tmp_path: Path) -> None:
    """CoNLL keeps tokens, not the text: export, import, export gives the same file."""
    first = tmp_path / "a.conll"
    summary = export(project.store, "conll", first, ExportOptions(status="any"))
    other, result = _reimport(tmp_path, [first])
    try:
        assert result.spans == sum(summary.spans_by_label.values()) > 0
        assert set(result.left_out) == set()
        second = tmp_path / "b.conll"
        export(other, "conll", second, ExportOptions(status="any"))
        assert second.read_bytes() == first.read_bytes()
    finally:
        other.close()
