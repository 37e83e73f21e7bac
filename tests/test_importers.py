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
