"""Hostile and messy input, as files generated here: each one is either refused with an
:class:`ImportFailed` naming the file and line, leaving the database exactly as it was,
or imported with the text kept exactly and every span's offsets right
(``text[start:end]`` is what the file meant). Any other exception is a crash.
"""

from __future__ import annotations

import codecs
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from annotator.importers import ImportFailed, import_paths
from annotator.store import Store

from ._project import dump

MB20 = 20 * 1024 * 1024


def jl(*items: Any) -> bytes:
    return "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items).encode()


def spans_of(text: str, *pieces: tuple[str, str]) -> list[dict[str, Any]]:
    """Prodigy spans for each (substring, label), offsets in code points."""
    out = []
    for piece, label in pieces:
        start = text.index(piece)
        out.append({"start": start, "end": start + len(piece), "label": label})
    return out


def doc(text: str, *pieces: tuple[str, str]) -> dict[str, Any]:
    return {"text": text, "spans": spans_of(text, *pieces)}


@dataclass
class Case:
    name: str
    content: bytes | Callable[[], bytes]
    line: int | None = None  # expected ImportFailed line (None: no line)
    error: str | None = None  # substring of the message; None means "imports"
    texts: tuple[str, ...] = ()  # expected document texts, exactly
    spans: tuple[tuple[str, str], ...] = ()  # expected (span text, label)
    add_labels: bool = True  # labels the project lacks are added (--add-labels)

    @property
    def fails(self) -> bool:
        return self.error is not None


HTML = "<b>x</b><img src=x onerror=alert(1)><script>alert('x')</script> & &amp; said Ali"
RTL = "قال علي إن \u202eالهجوم\u202c وقع في بغداد؛ שלום עליכם"
ZWJ = "The 👩\u200d👩\u200d👧 family and 🏳️\u200d🌈 flag near Erbil"
COMBINING = "Zoe\u0308 met Rene\u0301e in Lie\u0300ge (not NFC)"
SKIN = "👍🏽 General Rohilat Afrin 👋🏿 told 🧑🏻\u200d🔬 reporters"
CRLF_TEXT = "First line\r\nSecond line with Baghdad\r\nThird"
BIDI = "\u2066Alice\u2069 and \u200fBob\u200e"


def _random_bytes() -> bytes:
    return random.Random(7).randbytes(4096)


CASES = [
    # encodings
    Case("invalid_utf8.txt", b"Good first line\nbad \xff\xfe byte here\n", 2, "not valid UTF-8"),
    Case("latin1.jsonl", '{"text": "café"}\n'.encode("latin-1"), 1, "not valid UTF-8"),
    Case("utf8_bom.txt", codecs.BOM_UTF8 + "Zoë said so.".encode(), texts=("Zoë said so.",)),
    Case("utf8_bom.jsonl", codecs.BOM_UTF8 + jl(doc("Ali in Baghdad", ("Baghdad", "GPE"))),
         texts=("Ali in Baghdad",), spans=(("Baghdad", "GPE"),)),
    Case("utf16le_bom.txt", "Ünïcödé 😀 text".encode("utf-16"), texts=("Ünïcödé 😀 text",)),
    Case("utf16be_bom.jsonl", codecs.BOM_UTF16_BE + jl(doc(SKIN, ("Rohilat Afrin", "PERSON")))
         .decode().encode("utf-16-be"), texts=(SKIN,), spans=(("Rohilat Afrin", "PERSON"),)),
    Case("utf16_no_bom.txt", "plain words".encode("utf-16-le"), 1, "NUL"),
    Case("utf32_bom.txt", "😀 wide".encode("utf-32"), texts=("😀 wide",)),
    Case("utf16_odd_bytes.txt", codecs.BOM_UTF16_LE + b"a\x00b", 1, "not valid UTF-16"),
    Case("bom_mid_jsonl.jsonl", jl({"text": "a"}) + codecs.BOM_UTF8 + jl({"text": "b"}), 2,
         "BOM"),
    # line ends
    Case("crlf.jsonl", jl(doc(CRLF_TEXT, ("Baghdad", "GPE"))).replace(b"\n", b"\r\n"),
         texts=(CRLF_TEXT,), spans=(("Baghdad", "GPE"),)),
    Case("crlf.txt", CRLF_TEXT.encode(), texts=(CRLF_TEXT,)),
    Case("lone_cr.txt", b"one\rtwo\rthree Baghdad", texts=("one\rtwo\rthree Baghdad",)),
    Case("lone_cr.jsonl", jl({"text": "a\rb"}, {"text": "c"}).replace(b"\n", b"\r"),
         texts=("a\rb", "c")),
    Case("lone_cr_bad_line.jsonl", b'{"text": "a"}\r{"text": \r{"text": "c"}\r', 2,
         "invalid JSON"),
    Case("unicode_line_seps.jsonl", jl({"text": "a\u2028b\u2029c\x85d\x0be\x0cf"}),
         texts=("a\u2028b\u2029c\x85d\x0be\x0cf",)),
    # NUL, empty, binary, huge
    Case("nul.txt", b"abc\x00def", 1, "NUL"),
    Case("nul_line3.txt", b"one\ntwo\nthree\x00\n", 3, "NUL"),
    Case("nul_escaped.jsonl", jl({"text": "ok"}, {"text": "a\x00b"}), 2, "NUL"),
    Case("empty.txt", b"", None, "empty"),
    Case("whitespace.jsonl", b" \n\r\n\t\n", None, "empty"),
    Case("bom_only.txt", codecs.BOM_UTF8 + b"  \n", None, "empty"),
    Case("binary.txt", _random_bytes, 1, "not valid"),
    Case("binary.bin", _random_bytes, None, "unknown file type"),
    Case("png_as.jsonl", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 1, "not valid"),
    Case("huge_one_line.txt", lambda: b"Baghdad " * (MB20 // 8), texts=("Baghdad " * (MB20 // 8),)),
    Case("huge_one_line.jsonl", lambda: jl({"text": "x" * MB20 + " Ali",
                                            "spans": [{"start": MB20 + 1, "end": MB20 + 4,
                                                       "label": "PERSON"}]}),
         texts=("x" * MB20 + " Ali",), spans=(("Ali", "PERSON"),)),
    # JSONL structure
    Case("bad_middle.jsonl", jl({"text": "first"}) + b'{"text": "oops",\n' + jl({"text": "c"}),
         2, "invalid JSON"),
    Case("missing_text.jsonl", jl({"text": "fine"}, {"meta": {"title": "t"}}), 2, "missing"),
    Case("null_text.jsonl", jl({"text": None}), 1, "missing"),
    Case("number_text.jsonl", jl({"text": "ok"}, {"text": 42}), 2, "not a string"),
    Case("list_text.jsonl", jl({"text": ["a", "b"]}), 1, "not a string"),
    Case("array_line.jsonl", b"[1, 2]\n", 1, "JSON object"),
    Case("deep_nesting.jsonl", b'{"text": "a", "m": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n",
         1, "invalid JSON"),
    Case("long_number.jsonl", b'{"text": "a", "n": 1' + b"0" * 5000 + b"}\n", 1, "invalid JSON"),
    Case("nan_offset.jsonl",
         b'{"text": "abc", "spans": [{"start": NaN, "end": 1, "label": "X"}]}\n', 1, "integers"),
    Case("lone_surrogate.jsonl", b'{"text": "ok"}\n{"text": "a \\ud83d b"}\n', 2, "surrogate"),
    Case("surrogate_label.jsonl",
         b'{"text": "abc", "spans": [{"start": 0, "end": 1, "label": "\\udc00"}]}\n', 1,
         "surrogate"),
    Case("paired_surrogates.jsonl", b'{"text": "\\ud83d\\ude00 Ali", "spans": '
         b'[{"start": 2, "end": 5, "label": "PERSON"}]}\n',
         texts=("😀 Ali",), spans=(("Ali", "PERSON"),)),
    # spans
    Case("span_out_of_range.jsonl", jl({"text": "short", "spans": [
        {"start": 2, "end": 99, "label": "X"}]}), 1, "outside the text"),
    Case("span_negative.jsonl", jl({"text": "short", "spans": [
        {"start": -1, "end": 2, "label": "X"}]}), 1, "outside the text"),
    Case("span_reversed.jsonl", jl({"text": "ok"}, {"text": "short", "spans": [
        {"start": 4, "end": 1, "label": "X"}]}), 2, "start must be before end"),
    Case("span_empty.jsonl", jl({"text": "short", "spans": [
        {"start": 1, "end": 1, "label": "X"}]}), 1, "start must be before end"),
    Case("span_overlap.jsonl", jl({"text": "New York City", "spans": [
        {"start": 0, "end": 8, "label": "GPE"}, {"start": 4, "end": 13, "label": "GPE"}]}),
         1, "overlap"),
    Case("span_duplicate.jsonl", jl({"text": "Baghdad", "spans": [
        {"start": 0, "end": 7, "label": "GPE"}, {"start": 0, "end": 7, "label": "GPE"}]}),
         1, "overlap"),
    Case("span_string_offsets.jsonl", jl({"text": "abc", "spans": [
        {"start": "0", "end": "1", "label": "X"}]}), 1, "integers"),
    Case("span_float_offsets.jsonl", jl({"text": "abc", "spans": [
        {"start": 0.0, "end": 1.5, "label": "X"}]}), 1, "integers"),
    Case("span_bool_end.jsonl", jl({"text": "abc", "spans": [
        {"start": 0, "end": True, "label": "X"}]}), 1, "integers"),
    Case("span_no_label.jsonl", jl({"text": "abc", "spans": [{"start": 0, "end": 1}]}), 1,
         "needs start, end and label"),
    Case("span_label_not_string.jsonl", jl({"text": "abc", "spans": [
        {"start": 0, "end": 1, "label": 7}]}), 1, "label must be a string"),
    Case("doccano_bad_triple.jsonl", jl({"text": "abc", "label": [[0, 1]]}), 1, "doccano"),
    Case("labels_not_in_scheme.jsonl", jl(doc("The AK-47 rifle", ("AK-47", "WEAPON"))),
         texts=("The AK-47 rifle",), spans=(("AK-47", "WEAPON"),)),
    Case("labels_not_in_scheme_refused.jsonl", jl(doc("The AK-47 rifle",
                                                      ("AK-47", "WEAPON"))), 1,
         "labels not in the project: WEAPON (entity)", add_labels=False),
    Case("doccano.jsonl", jl({"text": "Ali in Erbil", "label": [[7, 12, "GPE"], [0, 3, "PER"]]}),
         texts=("Ali in Erbil",), spans=(("Ali", "PER"), ("Erbil", "GPE"))),
    Case("claim_via_object.jsonl", jl({"text": "Ali said so", "claims": [
        {"start": 0, "end": 11, "via": {"outlet": "x"}}]}), 1, "'via' must be a string"),
    Case("claim_claimant_list.jsonl", jl({"text": "Ali said so", "claims": [
        {"start": 0, "end": 11, "claimant": {"start": [0], "end": 3}}]}), 1, "integers"),
    Case("answer_list.jsonl", jl({"text": "Ali", "answer": ["accept"]}), texts=("Ali",)),
    # hostile and tricky text, imported exactly
    Case("html_script.jsonl", jl(doc(HTML, ("Ali", "PERSON"), ("<script>", "ORG"))),
         texts=(HTML,), spans=(("<script>", "ORG"), ("Ali", "PERSON"))),
    Case("html_script.txt", HTML.encode(), texts=(HTML,)),
    Case("rtl.jsonl", jl(doc(RTL, ("علي", "PERSON"), ("بغداد", "GPE"), ("שלום", "MISC"))),
         texts=(RTL,), spans=(("علي", "PERSON"), ("بغداد", "GPE"), ("שלום", "MISC"))),
    Case("bidi_controls.jsonl", jl(doc(BIDI, ("Alice", "PERSON"), ("Bob", "PERSON"))),
         texts=(BIDI,), spans=(("Alice", "PERSON"), ("Bob", "PERSON"))),
    Case("zwj.jsonl", jl(doc(ZWJ, ("👩\u200d👩\u200d👧", "MISC"), ("Erbil", "GPE"))),
         texts=(ZWJ,), spans=(("👩\u200d👩\u200d👧", "MISC"), ("Erbil", "GPE"))),
    Case("combining.jsonl", jl(doc(COMBINING, ("Rene\u0301e", "PERSON"), ("Lie\u0300ge", "GPE"))),
         texts=(COMBINING,), spans=(("Rene\u0301e", "PERSON"), ("Lie\u0300ge", "GPE"))),
    Case("skin_tones.jsonl", jl(doc(SKIN, ("Rohilat Afrin", "PERSON"), ("👋🏿", "MISC"))),
         texts=(SKIN,), spans=(("Rohilat Afrin", "PERSON"), ("👋🏿", "MISC"))),
    Case("skin_tones.txt", SKIN.encode(), texts=(SKIN,)),
    # CSV
    Case("csv_bom.csv", codecs.BOM_UTF8 + "text,source\nZoë in Erbil,X\n".encode(),
         texts=("Zoë in Erbil",)),
    Case("csv_utf16.csv", "text,source\r\n👍🏽 Ali,X\r\n".encode("utf-16"), texts=("👍🏽 Ali",)),
    Case("csv_crlf_multiline.csv", b'text,id\r\n"line one\r\nline two, with ""quotes""",1\r\n',
         texts=('line one\r\nline two, with "quotes"',)),
    Case("csv_lone_cr.csv", b"text,id\rfirst,1\rsecond,2\r", texts=("first", "second")),
    Case("csv_no_text_column.csv", b"body,id\nabc,1\n", 1, "no column 'text'"),
    Case("csv_empty_text.csv", b"text,id\nabc,1\n,2\n", 3, "empty 'text'"),
    Case("csv_unclosed_quote.csv", b'text,id\nok,1\n"never closed,2\nmore,3\n', 3, "bad CSV"),
    Case("csv_nul.csv", b"text\nab\x00c\n", 2, "NUL"),
    Case("csv_latin1.csv", "text\ncafé\n".encode("latin-1"), 2, "not valid UTF-8"),
    Case("csv_ragged.csv", b"text,id\nabc,1,extra,more\ndef\n", texts=("abc", "def")),
    Case("csv_html.csv", f'text\n"{HTML.replace(chr(34), chr(34) * 2)}"\n'.encode(),
         texts=(HTML,)),
    Case("csv_huge_field.csv", lambda: b"text\n" + b"y" * MB20 + b"\n", texts=("y" * MB20,)),
    Case("csv_header_only.csv", b"text,id\n", texts=()),
]
RESULTS: dict[str, int] = {"tried": 0, "refused": 0, "imported": 0, "crashes": 0}


@pytest.fixture
def project(tmp_path: Path) -> Store:
    """A project that already holds a document, so "unchanged" means something."""
    store = Store(tmp_path / "project.db")
    existing = tmp_path / "existing.jsonl"
    existing.write_bytes(jl(doc("Already here: Alice in Mosul.", ("Mosul", "GPE"))))
    import_paths(store, [existing])
    yield store
    store.close()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_hostile_input_refused_cleanly_or_imported_exactly(
    case: Case, project: Store, tmp_path: Path
) -> None:
    path = tmp_path / "in" / case.name
    path.parent.mkdir()
    path.write_bytes(case.content() if callable(case.content) else case.content)
    before = dump(project.path)
    RESULTS["tried"] += 1
    try:
        result = import_paths(project, [path], add_labels=case.add_labels)
    except ImportFailed as exc:
        RESULTS["refused"] += 1
        assert case.fails, f"refused a good file: {exc}"
        assert exc.path == path and str(path) in str(exc)
        assert exc.line == case.line, str(exc)
        assert case.error in str(exc)
        assert dump(project.path) == before, "a refused import changed the database"
        return
    except Exception:
        RESULTS["crashes"] += 1
        raise
    RESULTS["imported"] += 1
    assert not case.fails, f"imported a file that should be refused: {result.summary()}"
    docs = [project.get_document(i) for i in result.doc_ids]
    assert [d.text for d in docs if d] == list(case.texts)
    got = sorted((d.text[s.start:s.end], s.label) for d in docs if d
                 for s in project.spans(d.id, "entity"))
    assert got == sorted(case.spans)
    assert project.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


REFUSED = [c for c in CASES if c.fails]


@pytest.mark.parametrize("case", REFUSED, ids=[c.name for c in REFUSED])
def test_hostile_input_cli_says_file_and_line(case: Case, tmp_path: Path) -> None:
    """``annotator import`` turns the refusal into one line (no traceback), exit code 1."""
    from click.testing import CliRunner

    from annotator.cli import main

    path = tmp_path / case.name
    path.write_bytes(case.content() if callable(case.content) else case.content)
    db = tmp_path / "p.db"
    result = CliRunner().invoke(main, ["import", str(path), "--db", str(db)])
    assert result.exit_code == 1, result.output
    where = f"{path}:{case.line}:" if case.line else f"{path}:"
    assert where in result.output and "nothing was imported" in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, ImportFailed)


def test_hostile_input_folder_with_one_bad_file_imports_nothing(
    project: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "batch"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("A good article about Erbil.", encoding="utf-8")
    (folder / "sub" / "b.jsonl").write_bytes(jl({"text": "fine"}) + b"{broken\n")
    (folder / "z.csv").write_text("text\nlast one\n", encoding="utf-8")
    before = dump(project.path)
    with pytest.raises(ImportFailed) as info:
        import_paths(project, [folder])
    assert info.value.path == folder / "sub" / "b.jsonl" and info.value.line == 2
    assert dump(project.path) == before


def test_hostile_input_txt_header_offsets_with_crlf(project: Store, tmp_path: Path) -> None:
    raw = "date 2024-08-13 02:20:04 - Source: Shafaq News\r\n\r\nBody about Kirkuk.\r\n"
    path = tmp_path / "header.txt"
    path.write_bytes(raw.encode())
    result = import_paths(project, [path])
    stored = project.get_document(result.doc_ids[0])
    assert stored is not None
    assert raw[stored.meta["body_offset"]:] == stored.text
    assert stored.meta["source"] == "Shafaq News"


def test_hostile_input_summary() -> None:
    """Runs last in this module: the figures for the README."""
    if RESULTS["tried"] < len(CASES):
        pytest.skip("the corpus did not run in this session")
    print(f"\nhostile input: {RESULTS['tried']} files, {RESULTS['refused']} refused cleanly, "
          f"{RESULTS['imported']} imported exactly, {RESULTS['crashes']} crashes")
    assert RESULTS["crashes"] == 0


SEARCHES = ["²", "①", "١٢", "1", "%", "_", "\\", "'", '"', "' OR 1=1 --", "😀", "👍🏽",
            "بغداد", "\u200d", "e\u0301", "<b>", "a" * 10_000, " ", "[", "*"]


@pytest.mark.parametrize("search", SEARCHES, ids=[repr(s)[:20] for s in SEARCHES])
def test_hostile_input_search_box_strings(project: Store, search: str) -> None:
    """Whatever is typed into the document list's search box (or ``list --search``)
    lists documents; it never raises."""
    rows = project.document_rows(search=search, limit=1000)
    assert project.count_rows(search=search) == len(rows)
    for row in rows:
        doc = project.get_document(row["id"])
        assert doc is not None
        assert search in doc.title or search in doc.text or str(doc.id) == search
