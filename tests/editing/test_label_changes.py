"""The Labels dialog's changes without Qt (annotator/editing/label_changes.py), on a
real project file: what each says, and a refusal that changes nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from annotator import labels
from annotator.editing.label_changes import (
    export_labels,
    import_labels,
    map_label,
    read_scheme,
    remove_label,
    save_label,
)
from annotator.labels import LabelError
from annotator.model import Label, Span
from annotator.store import Store


def test_label_changes_save_renames_and_updates_together(store: Store) -> None:
    with store.write():
        doc = store.insert_document("Basra and Erbil.", {}, "h")
        store.insert_span(Span(doc, "entity", 0, 5, "GPE"))
    assert save_label(store, None, Label("CITY", "entity", "#123456", "q"), "ann") == \
        "added CITY"
    gpe = store.label_scheme().get("GPE")
    assert gpe is not None
    said = save_label(store, "GPE", replace(gpe, name="PLACE", description="Places",
                                            layer="claim"), "ann")
    assert said == "renamed GPE to PLACE (1 span(s)); PLACE: description changed"
    place = store.label_scheme().get("PLACE")
    assert place is not None and place.layer == "entity"  # a label keeps its layer
    assert save_label(store, "PLACE", place, "ann") == "PLACE: nothing to change"
    rows = read_scheme(store)
    assert rows.counts["PLACE"] == 1 and rows.scheme.get("GPE") is None


def test_label_changes_refusals_change_nothing(store: Store) -> None:
    with store.write():
        doc = store.insert_document("Basra and Erbil.", {}, "h")
        store.insert_span(Span(doc, "entity", 0, 5, "GPE"))
    before = store.label_scheme()
    taken = store.label_scheme().get("PERSON")
    assert taken is not None
    gpe = store.label_scheme().get("GPE")
    assert gpe is not None
    with pytest.raises(LabelError, match="taken by PERSON"):  # the rename is not made either
        save_label(store, "GPE", replace(gpe, name="PLACE", key=taken.key), "ann")
    with pytest.raises(LabelError, match="relabel its spans to"):
        remove_label(store, "GPE", "ann", None)
    with pytest.raises(LabelError, match="no label 'GONE'"):
        save_label(store, "GONE", gpe, "ann")
    assert store.label_scheme() == before
    assert remove_label(store, "GPE", "ann", "LOC") == "removed GPE; 1 span(s) now LOC"


def test_label_changes_map_export_and_import(store: Store, tmp_path: Path) -> None:
    assert map_label(store, "NORP", "ORG", "ann") == "NORP → ORG"
    assert map_label(store, "NORP", None, "ann") == "NORP unmapped"
    out = tmp_path / "labels.toml"
    count = len(store.label_scheme().labels)
    assert export_labels(store, out) == f"wrote {count} label(s) to {out}"
    assert list(tmp_path.glob(".labels.toml.*")) == []  # no temporary file left
    labels.remove(store, "WORK_OF_ART", "ann")
    said = import_labels(store, out, "ann")
    assert said == "imported 1 label(s) from labels.toml: WORK_OF_ART"
    with Store(store.path) as again:
        assert again.label_scheme().get("WORK_OF_ART") is not None
