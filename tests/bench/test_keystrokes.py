"""The keystroke benchmark: its gold is valid for the sample, and the keyboard-only
path through the real window reaches all of it with no mouse event (bench/keystrokes.py,
with the real pipeline)."""

from __future__ import annotations

import pytest

from annotator.importers import import_paths
from annotator.store import Store
from bench.keystrokes import GOLD, SAMPLE, load_gold, run

pytestmark = pytest.mark.gui


def test_keystrokes_gold_imports_cleanly_and_fits_the_sample(tmp_path) -> None:
    """The gold is a JSONL line our importer reads (entities that do not overlap,
    claims with their attributes), over the text the sample imports to."""
    with Store(tmp_path / "sample.db") as store:
        import_paths(store, [SAMPLE])
        text = store.get_document(1).text
    with Store(tmp_path / "gold.db") as store:
        import_paths(store, [GOLD])
        doc = store.get_document(1)
        assert doc.text == text
        gold = load_gold()
        spans = store.spans(1)
        assert {(s.start, s.end, s.label) for s in spans if s.layer == "entity"} == \
            {(*k, v) for k, v in gold.entities.items()}
        claims = [s for s in spans if s.layer == "claim"]
        assert {(s.start, s.end) for s in claims} == set(gold.claims)
        assert all(s.claim is not None and s.claim.claim_type for s in claims)
    assert (len(gold.entities), len(gold.claims)) == (65, 13)


@pytest.mark.slow
def test_keystrokes_reach_the_gold_without_the_mouse() -> None:
    rows = {r["name"].split(": ")[-1]: r for r in run()}
    assert rows["mouse events"]["value"] == 0
    assert rows["gold spans reached"]["value"] == 78, rows["gold spans reached"]["detail"]
    assert rows["inputs per gold span"]["meets"]
