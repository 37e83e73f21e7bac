"""Importers: each format, dedup, header parsing, unicode offsets, error paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.importers import ImportFailed, import_paths
from annotator.store import Store

from .conftest import SHAFAQ

UNICODE = "Salam 😀 from عبد الله and Zoë (Zoe\u0308) — “quoted” 👍🏽 end."


def dump(store: Store) -> list:
    return [list(store.conn.execute(f"SELECT * FROM {t} ORDER BY 1"))
            for t in ("documents", "spans", "claims", "events")]


def test_importers_txt_header_and_dedup(store: Store) -> None:
    result = import_paths(store, [SHAFAQ])
    assert result.imported == 1
    doc = store.get_document(1)
    assert doc is not None
    assert doc.meta["date"] == "2024-08-13" and doc.meta["source"] == "Shafaq News"
    assert doc.meta["time"] == "02:20:04"
    assert doc.text.startswith("Shafaq News/ The Islamic State(ISIS)")
    raw = SHAFAQ.read_text(encoding="utf-8")
    assert raw[doc.meta["body_offset"]:] == doc.text  # body kept byte for byte
    again = import_paths(store, [SHAFAQ.parent])
    assert again.skipped_duplicates >= 1 and "skipped" in again.summary()
    assert store.count_documents() == again.imported + 1


def test_importers_txt_without_header_keeps_text(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"  Leading spaces\r\nand CRLF\r\n\r\n")
    import_paths(store, [path])
    assert store.get_document(1).text == "  Leading spaces\r\nand CRLF\r\n\r\n"  # type: ignore[union-attr]


def test_importers_jsonl_prodigy_doccano_and_claims(store: Store, tmp_path: Path) -> None:
    text = UNICODE
    start = text.index("عبد الله")
    lines = [
        {"text": text, "meta": {"source": "X"}, "url": "http://x",
         "spans": [{"start": start, "end": start + 8, "label": "PERSON"}],
         "_annotator_id": "ann-1", "answer": "accept"},
        {"text": "Zoë met Bob.", "label": [[0, 3, "PERSON"], [8, 11, "PERSON"]]},
        {"text": "Bob said taxes rose.", "spans": [{"start": 0, "end": 3, "label": "PERSON"}],
         "claims": [{"start": 0, "end": 20, "claim_type": "reported", "hedged": False,
                     "checkworthy": "yes", "via": "TV",
                     "claimant": {"text": "Bob", "start": 0, "end": 3, "label": "PERSON"}}]},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
                    encoding="utf-8")
    result = import_paths(store, [path])
    assert result.imported == 3 and result.spans == 5
    first = store.get_document(1)
    assert first is not None and first.status == "done"
    assert first.meta == {"source": "X", "url": "http://x"}
    span = store.spans(1)[0]
    assert first.text[span.start:span.end] == "عبد الله" and span.annotator == "ann-1"
    assert span.origin == "human" and span.decision == "accepted"
    second = store.get_document(2)
    assert second is not None
    assert [second.text[s.start:s.end] for s in store.spans(2)] == ["Zoë", "Bob"]
    claim = store.spans(3, layer="claim")[0].claim
    entity = store.spans(3, layer="entity")[0]
    assert claim is not None and claim.claimant_span_id == entity.id
    assert (claim.claim_type, claim.via, claim.checkworthy, claim.hedged) == (
        "reported", "TV", "yes", False)


def test_importers_csv_with_text_column(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('id,body,source\n1,"First, with comma",A\n2,"Multi\nline 😀",B\n',
                    encoding="utf-8")
    result = import_paths(store, [path], text_field="body")
    assert result.imported == 2
    assert store.get_document(2).text == "Multi\nline 😀"  # type: ignore[union-attr]
    assert store.get_document(1).meta == {"id": "1", "source": "A"}  # type: ignore[union-attr]


def test_importers_folder_recursive(store: Store, tmp_path: Path) -> None:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "a.txt").write_text("One.", encoding="utf-8")
    (tmp_path / "sub" / "b.jsonl").write_text('{"text": "Two."}\n', encoding="utf-8")
    (tmp_path / "sub" / "deeper" / "c.txt").write_text("Three.", encoding="utf-8")
    (tmp_path / "sub" / "notes.md").write_text("ignored", encoding="utf-8")
    assert import_paths(store, [tmp_path]).imported == 3


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("bad.txt", b"ok line\n\xff\xfe\xfa broken", r"bad\.txt:2: not valid UTF-8"),
        ("empty.txt", b"", r"empty\.txt: empty file"),
        ("bad.jsonl", b'{"text": "fine"}\n{"text": oops}\n', r"bad\.jsonl:2: invalid JSON"),
        ("nofield.jsonl", b'{"text": "a"}\n\n{"body": "b"}\n', r"nofield\.jsonl:3: field 'text'"),
        ("nostr.jsonl", b'{"text": 5}\n', r"nostr\.jsonl:1: field 'text' is not a string"),
        ("range.jsonl", b'{"text": "abc", "spans": [{"start": 1, "end": 9, "label": "X"}]}\n',
         r"range\.jsonl:1: .*outside the text"),
        ("rev.jsonl", b'{"text": "abc", "label": [[2, 1, "X"]]}\n',
         r"rev\.jsonl:1: .*start must be before end"),
        ("overlap.jsonl",
         b'{"text": "abcdef", "label": [[0, 3, "X"], [2, 5, "Y"]]}\n',
         r"overlap\.jsonl:1: entity spans overlap"),
        ("nul.txt", b"abc\x00def", r"nul\.txt:1: contains NUL"),
        ("nocol.csv", b"a,b\n1,2\n", r"nocol\.csv:1: no column 'text'"),
        ("emptyrow.csv", b"text\nfine\n\"\"\n", r"emptyrow\.csv:3: empty 'text'"),
    ],
)
def test_importers_errors_name_file_and_line_and_change_nothing(
    store: Store, tmp_path: Path, name: str, content: bytes, match: str
) -> None:
    good = tmp_path / "0-good.txt"
    good.write_text("A good article comes first.", encoding="utf-8")
    (tmp_path / name).write_bytes(content)
    before = dump(store)
    with pytest.raises(ImportFailed, match=match):
        import_paths(store, [tmp_path])  # the good file is read first, then the bad one
    assert dump(store) == before


def test_importers_bom_and_utf16(store: Store, tmp_path: Path) -> None:
    (tmp_path / "bom.txt").write_bytes("\ufeffWith BOM 😀".encode())
    (tmp_path / "u16.txt").write_bytes("UTF-16 عربي 😀".encode("utf-16"))
    import_paths(store, [tmp_path])
    texts = sorted(d.text for d in store.iter_documents())
    assert texts == ["UTF-16 عربي 😀", "With BOM 😀"]


@pytest.mark.parametrize("end", ["\r", "\r\n", "\n"])
def test_importers_txt_header_with_any_line_end(store: Store, tmp_path: Path, end: str) -> None:
    header = "date 2024-08-13 2024-08-13 02:20:04 - Source: Shafaq News"
    body = f"Body line one.{end}Body line two."
    path = tmp_path / "a.txt"
    path.write_bytes(f"{header}{end}{end}{body}".encode())
    import_paths(store, [path])
    doc = store.get_document(1)
    assert doc is not None and doc.text == body
    assert doc.meta["source"] == "Shafaq News" and doc.meta["date"] == "2024-08-13"
    assert doc.meta["body_offset"] == len(header) + 2 * len(end)


@pytest.mark.parametrize("where, item", [
    ("span", {"text": "Paris.", "spans": [{"start": 0, "end": 5, "label": "GP E"}]}),
    ("doccano", {"text": "Paris.", "label": [[0, 5, "GPE\n"]]}),
    ("claim", {"text": "Paris.", "claims": [{"start": 0, "end": 6, "label": "CLA\x00IM"}]}),
    ("claimant", {"text": "Bob said so.", "claims": [{"start": 0, "end": 12, "claimant": {
        "text": "Bob", "start": 0, "end": 3, "label": "PER SON"}}]}),
    ("rejected", {"text": "Paris.", "rejected": [
        {"layer": "entity", "start": 0, "end": 5, "label": "G\tPE"}]}),
])
def test_importers_bad_label_names_refused_with_file_and_line(
        store: Store, tmp_path: Path, where: str, item: dict) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"text": "fine"}) + "\n" + json.dumps(item) + "\n",
                    encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"in\.jsonl:2: .*(whitespace or control)"):
        import_paths(store, [path])
    assert store.count_documents() == 0


def test_importers_warn_about_documents_over_spacy_max_length(store: Store,
                                                              tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"text": "x " * 600_000}) + "\n" + json.dumps({"text": "ok"})
                    + "\n", encoding="utf-8")
    result = import_paths(store, [path])
    assert result.imported == 2 and result.too_long == 1
    assert "warning: 1 document(s) over 1,000,000 characters" in result.summary()


def test_importers_stream_large_files_in_batches(store: Store, tmp_path: Path,
                                                 monkeypatch) -> None:
    """Records go to the store in batches within one file (not all of a file at once),
    duplicates inside and across batches still counted, all in one transaction."""
    import annotator.importers.core as importers

    monkeypatch.setattr(importers, "BATCH", 7)
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"text": f"doc {i % 40}"}) + "\n" for i in range(100)),
                    encoding="utf-8")
    calls = []
    real = store.insert_documents
    monkeypatch.setattr(store, "insert_documents",
                        lambda rows, **kw: calls.append(len(rows)) or real(rows, **kw))
    result = import_paths(store, [path])
    assert result.imported == 40 and result.skipped_duplicates == 60
    assert len(calls) >= 100 // 7 and max(calls) <= 7
    bad = tmp_path / "bad.jsonl"
    bad.write_text(path.read_text(encoding="utf-8").replace("doc 5", "new 5") + "{oops\n",
                   encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"bad\.jsonl:101"):
        import_paths(store, [bad])
    assert store.count_documents() == 40  # the batches before the bad line rolled back


# --- labels the project lacks, --status, Prodigy answers (issue 15) --------------------


def _jsonl(path: Path, lines: list[dict]) -> Path:
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines),
                    encoding="utf-8")
    return path


def test_importers_missing_labels_refused_with_the_commands(store: Store, tmp_path: Path
                                                           ) -> None:
    from annotator.importers import MissingLabels

    path = _jsonl(tmp_path / "in.jsonl", [
        {"text": "Take Zorvalex daily.", "spans": [{"start": 5, "end": 13, "label": "MEDICINE"}]},
        {"text": "Bob said so.", "spans": [{"start": 0, "end": 3, "label": "PERSON"}],
         "claims": [{"start": 0, "end": 12, "label": "RUMOUR"}]},
        {"text": "Take Prenutrin.", "spans": [{"start": 5, "end": 14, "label": "MEDICINE"}]},
    ])
    before = dump(store)
    with pytest.raises(MissingLabels) as info:
        import_paths(store, [path])
    assert info.value.missing == {"MEDICINE": "entity", "RUMOUR": "claim"}
    message = str(info.value)
    assert f"{path}:1:" in message and "MEDICINE (entity), RUMOUR (claim)" in message
    assert "annotator labels add MEDICINE --layer entity" in message
    assert "annotator labels add RUMOUR --layer claim" in message and "--add-labels" in message
    assert dump(store) == before  # nothing imported, no label added


def test_importers_add_labels_in_the_same_transaction(store: Store, tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "in.jsonl", [
        {"text": "Take Zorvalex daily.", "spans": [{"start": 5, "end": 13, "label": "MEDICINE"}],
         "claims": [{"start": 0, "end": 19, "label": "RUMOUR"}]},
    ])
    result = import_paths(store, [path], add_labels=True)
    assert result.labels_added == ["MEDICINE", "RUMOUR"] and "labels added" in result.summary()
    scheme = store.label_scheme()
    assert scheme.get("MEDICINE").layer == "entity"  # type: ignore[union-attr]
    assert scheme.get("RUMOUR").layer == "claim"  # type: ignore[union-attr]
    assert [e["action"] for e in store.events()].count("label_add") == 2
    # a label of the other layer is refused even with --add-labels
    bad = _jsonl(tmp_path / "bad.jsonl", [
        {"text": "Other text.", "claims": [{"start": 0, "end": 5, "label": "MEDICINE"}]}])
    before = dump(store)
    with pytest.raises(ImportFailed, match="MEDICINE is a entity label in the project"):
        import_paths(store, [bad], add_labels=True)
    assert dump(store) == before


def test_importers_add_labels_rolled_back_with_a_failed_import(store: Store, tmp_path: Path
                                                              ) -> None:
    path = _jsonl(tmp_path / "in.jsonl", [
        {"text": "Take Zorvalex daily.", "spans": [{"start": 5, "end": 13, "label": "MEDICINE"}]}])
    (tmp_path / "zz.jsonl").write_text("{not json\n", encoding="utf-8")
    with pytest.raises(ImportFailed):
        import_paths(store, [tmp_path], add_labels=True)
    assert store.label_scheme().get("MEDICINE") is None and store.count_documents() == 0
    assert path.exists()


def test_importers_status_sets_every_imported_document(store: Store, tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "in.jsonl", [
        {"text": "One.", "answer": "ignore"}, {"text": "Two.", "status": "in_progress"},
        {"text": "Three."}])
    import_paths(store, [path], status="done")
    assert [store.get_document(i).status for i in (1, 2, 3)] == ["done"] * 3  # type: ignore[union-attr]
    import_paths(store, [_jsonl(tmp_path / "b.jsonl", [{"text": "Four.", "answer": "accept"}])],
                 status="new")
    assert store.get_document(4).status == "new"  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        import_paths(store, [path], status="flagged")


def test_importers_prodigy_reject_brings_rejected_spans(store: Store, tmp_path: Path) -> None:
    text = "Apple hired Tim Cook in Cupertino."
    path = _jsonl(tmp_path / "teach.jsonl", [
        {"text": text, "spans": [{"start": 0, "end": 5, "label": "ORG"}], "answer": "accept",
         "_annotator_id": "ann"},
        {"text": text, "spans": [{"start": 12, "end": 15, "label": "ORG"}], "answer": "reject",
         "_annotator_id": "ann"},
        {"text": text, "spans": [{"start": 0, "end": 5, "label": "ORG"}], "answer": "accept"},
        {"text": text, "spans": [{"start": 2, "end": 8, "label": "GPE"}], "answer": "accept"},
        {"text": "Other text here.", "spans": [{"start": 0, "end": 5, "label": "ORG"}],
         "answer": "reject"},
    ])
    result = import_paths(store, [path], status="done")
    assert result.imported == 2 and result.merged == 3
    spans = store.spans(1)
    # one accepted ORG (the repeat and the overlapping GPE left out), one rejected ORG
    assert [(s.start, s.end, s.label, s.origin, s.decision) for s in spans] == [
        (0, 5, "ORG", "human", "accepted"), (12, 15, "ORG", "model", "rejected")]
    assert spans[1].annotator == "ann"
    assert [(s.decision, s.origin) for s in store.spans(2)] == [("rejected", "model")]


def test_importers_repeated_text_across_batches_merges_its_labels(
        store: Store, tmp_path: Path, monkeypatch) -> None:
    import annotator.importers.core as importers

    monkeypatch.setattr(importers, "BATCH", 2)
    text = "Apple hired Tim Cook."
    path = _jsonl(tmp_path / "teach.jsonl", [
        {"text": text, "spans": [{"start": 0, "end": 5, "label": "ORG"}], "answer": "accept"},
        {"text": "Filler one."}, {"text": "Filler two."},
        {"text": text, "spans": [{"start": 12, "end": 20, "label": "PERSON"}],
         "answer": "reject"},
    ])
    result = import_paths(store, [path])
    assert result.imported == 3 and result.merged == 1
    assert [(s.label, s.decision) for s in store.spans(1)] == [("ORG", "accepted"),
                                                              ("PERSON", "rejected")]
    # a later import of the same file adds nothing new (its lines repeat what is there)
    again = import_paths(store, [path])
    assert again.imported == 0 and again.merged == 2 and again.skipped_duplicates == 2
    assert len(store.spans(1)) == 2 and not again.left_out


def _same_texts(tmp_path: Path) -> list[Path]:
    """Three files of the same two texts with different labels (MONEY in each), as
    several annotators' exports of one batch would be."""
    text = "The ministry paid $5 million to Acme Corp on Tuesday."
    other = "Acme Corp said it would pay $2 million."
    return [
        _jsonl(tmp_path / "a.jsonl", [
            {"text": text, "spans": [{"start": 18, "end": 28, "label": "MONEY"}]},
            {"text": other, "spans": [{"start": 28, "end": 38, "label": "MONEY"}]}]),
        _jsonl(tmp_path / "b.jsonl", [
            {"text": text, "spans": [{"start": 18, "end": 28, "label": "MONEY"},
                                     {"start": 32, "end": 41, "label": "ORG"}]},
            {"text": other}]),
        _jsonl(tmp_path / "c.jsonl", [
            {"text": text, "spans": [{"start": 45, "end": 52, "label": "DATE"},
                                     {"start": 32, "end": 36, "label": "PERSON"}]},
            {"text": other, "spans": [{"start": 0, "end": 9, "label": "ORG"}]}]),
    ]


def _labels(store: Store) -> list[tuple[object, ...]]:
    return list(store.conn.execute(
        'SELECT doc_id, start, "end", label, decision FROM spans ORDER BY 1, 2, 3, 4'))


def test_importers_same_text_one_command_or_several_gives_the_same_project(
        tmp_path: Path) -> None:
    """Issue 23: one import of several files with the same text merged their labels,
    separate imports skipped them (MONEY 116 against 93). One rule now: a line with the
    text of a document already there adds its new labels, in one command or several."""
    files = _same_texts(tmp_path)
    one = Store(tmp_path / "one.db")
    together = import_paths(one, files)
    several = Store(tmp_path / "several.db")
    apart = [import_paths(several, [f]) for f in files]
    assert _labels(one) == _labels(several)
    assert [row[3] for row in _labels(one)] == ["MONEY", "ORG", "DATE", "ORG", "MONEY"]
    # the same counts, said in the summary: merged, skipped, and what was left out
    assert together.merged == sum(r.merged for r in apart) == 3
    assert together.skipped_duplicates == sum(r.skipped_duplicates for r in apart) == 1
    assert together.left_out == sum((r.left_out for r in apart), type(together.left_out)())
    assert sum(together.left_out.values()) == 1  # PERSON over the ORG, counted
    summary = together.summary()
    assert "3 duplicate(s) of a text" in summary and "merged their new labels" in summary
    assert "skipped 1 duplicate(s) of a text, without labels" in summary
    assert "1 entity of a repeated text overlapping" in summary
    one.close()
    several.close()


def test_importers_our_flagged_export_keeps_its_accepted_spans(store: Store, tmp_path: Path
                                                               ) -> None:
    path = _jsonl(tmp_path / "ours.jsonl", [
        {"text": "Apple rose.", "spans": [{"start": 0, "end": 5, "label": "ORG"}],
         "claims": [], "answer": "reject"}])
    import_paths(store, [path])
    doc = store.get_document(1)
    assert doc is not None and doc.status == "flagged"
    assert [s.decision for s in store.spans(1)] == ["accepted"]
