"""The token cache: tokens made from cached boundaries are the very tokens spaCy gives,
an export fills the cache and the next one reads it with the same output, an entry of
another tokenizer is recomputed, and the suggestion runner fills it while it parses."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import spacy

from annotator.export import ExportOptions, export
from annotator.store import Store
from annotator.tokens import (
    fix_tokenizer,
    pack,
    tokenize,
    tokenizer_id,
    tokens_json,
    unpack,
)

from .conftest import Project

HARD = [
    "", " ", "  lead and trail  ", "a  b\n\nc\td", 'He said "no" \\ back\\slash',
    "ctrl\x00nul\x1fend", "👍🏽 👨‍👩‍👧 emoji, Zoe\u0301 Lefe\u0300vre, محمد علي في بغداد",
    "Kyiv — Mr. Smith didn't (don't) say :) at 9 a.m. in the U.S.", "«guillemets» “curly”",
    "line\u2028separator and\u00a0nbsp", "inIraq USmaintains State(ISIS)",
]


# spaCy's tokenizer with the project's rules, its cache off: nothing that tokenize() does
# to the project tokenizer's cache (it primes it, see annotator.tokens) can reach it.
REFERENCE = fix_tokenizer(spacy.blank("en")).tokenizer
REFERENCE.max_cache_size = 0


def spacy_tokens(text: str) -> list[dict[str, object]]:
    return [{"text": t.text, "start": t.idx, "end": t.idx + len(t.text), "id": t.i,
             "ws": bool(t.whitespace_)} for t in REFERENCE(text)]


@pytest.mark.slow
def test_tokens_from_boundaries_equal_spacys_tokens_and_survive_packing() -> None:
    rng = random.Random(7)
    pieces = list(" \n\t\u00a0.,'’\"“”()-—:;!?aAzZ09😀é\u0301ب\\\x00") + [
        "don't", "U.S.", "Mr.", ":)", "a.m.", "  ", "👨‍👩‍👧"]
    texts = HARD + ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
                    for _ in range(2000)]
    for text in texts:
        bounds = tokenize(text)
        encoded = tokens_json(text, bounds)
        assert json.loads(encoded) == spacy_tokens(text), text
        assert encoded == json.dumps(spacy_tokens(text), ensure_ascii=False,
                                     separators=(",", ":"))
        starts, back = unpack(*pack(bounds[0], encoded.encode("utf-8")))
        assert (list(starts), back.decode("utf-8")) == (bounds[0], encoded)
        for tok in json.loads(encoded):
            assert text[tok["start"]:tok["end"]] == tok["text"]


def cached(path: Path) -> dict[int, str]:
    with Store(path) as store:
        return dict(store.conn.execute("SELECT doc_id, tokenizer FROM tokens").fetchall())


def test_export_fills_the_cache_and_the_next_export_reads_it(project: Project,
                                                             tmp_path: Path) -> None:
    first = export(project.store, "jsonl", tmp_path / "a.jsonl")
    assert first.tokenized == first.documents == 4
    assert "tokenized 4 document(s)" in first.summary()
    done = {project.ids[k] for k in ("emoji", "arabic", "combining", "empty")}
    assert cached(project.path) == {d: tokenizer_id() for d in done}
    second = export(project.store, "jsonl", tmp_path / "b.jsonl")
    assert second.tokenized == 0 and "tokenized" not in second.summary()
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    for line in (tmp_path / "b.jsonl").read_text(encoding="utf-8").splitlines():
        task = json.loads(line)
        assert task["tokens"] == spacy_tokens(task["text"])


def test_an_entry_of_another_tokenizer_is_recomputed(project: Project, tmp_path: Path
                                                      ) -> None:
    doc_id = project.ids["emoji"]
    with project.store.write():  # boundaries that are wrong, from "another spaCy"
        project.store.put_tokens([(doc_id, "spacy.blank(en) 0.0.1",
                                   *pack([0], b'[{"text":"x"}]'))])
    summary = export(project.store, "jsonl", tmp_path / "a.jsonl")
    assert summary.tokenized == 4
    assert cached(project.path)[doc_id] == tokenizer_id()
    emoji = json.loads((tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert emoji["tokens"] == spacy_tokens(emoji["text"])


def test_export_without_tokens_neither_reads_nor_writes_the_cache(project: Project,
                                                                  tmp_path: Path) -> None:
    summary = export(project.store, "jsonl", tmp_path / "a.jsonl", ExportOptions(tokens=False))
    assert summary.tokenized == 0 and cached(project.path) == {}
    assert "tokens" not in json.loads(
        (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()[0])
