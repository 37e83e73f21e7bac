"""Memory stays bounded: an export of one huge document under an address-space limit, and
an import of a file of many tiny lines, each measured in a subprocess of its own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.export import ExportOptions, export
from annotator.export import base as export_base
from annotator.importers import content_hash
from annotator.model import Span
from annotator.store import Store

ROOT = Path(__file__).resolve().parents[2]
HUGE_CHARS = 20_000_000  # 4 million tokens: tokenising it takes more than 1.5 GB
PARA = "Officials in Baghdad said on Monday that 1,200 families had left Mosul since March. "


def _huge_project(path: Path, chars: int) -> Path:
    text = (PARA * (chars // len(PARA) + 1))[:chars]
    with Store(path) as store, store.write():
        (doc_id,) = store.insert_documents([(text, {"title": "huge"}, content_hash(text),
                                             "done")])
        for at in range(0, len(text) - len(PARA), len(PARA) * 1000):
            start = at + PARA.index("Baghdad")
            store.insert_span(Span(doc_id=doc_id, layer="entity", start=start, end=start + 7,
                                   label="GPE", origin="human", decision="accepted"))
    return path


EXPORT_UNDER_LIMIT = r'''
import json, resource, sys
from pathlib import Path
from annotator.export import export
from annotator.store import Store
import annotator.export.jsonl, annotator.tokens, spacy  # all code in the address space

def vm(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024

store = Store(sys.argv[1], readonly=True)
doc_bytes = int(sys.argv[3])
limit = vm("VmSize:") + 10 * doc_bytes  # the process as it is, and ten documents more
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
summary = export(store, "jsonl", Path(sys.argv[2]))
print(json.dumps({"summary": summary.summary(), "extra_mb": (vm("VmPeak:") - limit
      + 10 * doc_bytes) / 1e6}))
'''


@pytest.mark.slow
def test_memory_export_of_a_huge_document_stays_within_ten_documents(tmp_path: Path) -> None:
    """A 20 MB document exported with tokens by default, under ``RLIMIT_AS`` = the
    process's address space plus ten times the document: it is written without tokens,
    counted, with a warning (tokenising it would need gigabytes)."""
    db = _huge_project(tmp_path / "huge.db", HUGE_CHARS)
    out = tmp_path / "e.jsonl"
    done = subprocess.run([sys.executable, "-c", EXPORT_UNDER_LIMIT, str(db), str(out),
                           str(HUGE_CHARS)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert "warning: 1 document(s) over 1,000,000 characters written without tokens" \
        in result["summary"]
    with out.open(encoding="utf-8") as fh:
        item = json.loads(fh.readline())
    assert "tokens" not in item and len(item["text"]) == HUGE_CHARS
    assert item["spans"] and all("token_start" not in s for s in item["spans"])
    assert all(item["text"][s["start"]:s["end"]] == "Baghdad" for s in item["spans"])


@pytest.mark.slow  # over 0.4 s (make test-fast leaves it out)
def test_memory_token_formats_leave_out_huge_documents_counted(tmp_path: Path,
                                                               monkeypatch) -> None:
    monkeypatch.setattr(export_base, "MAX_TOKENIZED_CHARS", 5_000)
    db = _huge_project(tmp_path / "big.db", 10_000)
    with Store(db) as store:
        text = "A short one about Basra."
        with store.write():
            store.insert_documents([(text, {}, content_hash(text), "done")])
        for fmt in ("spacy", "conll"):
            out = tmp_path / fmt
            summary = export(store, fmt, out, ExportOptions())
            assert summary.documents == 1, summary.summary()
            reasons = dict(summary.skipped)
            assert reasons["documents over 1,000,000 characters (too long to tokenise)"] == 1
            assert reasons["spans of documents over 1,000,000 characters (too long to "
                           "tokenise)"] == 1
        summary = export(store, "jsonl", tmp_path / "e.jsonl")
        assert summary.untokenized == 1 and summary.documents == 2


IMPORT_PEAK = r'''
import sys
from annotator.cli import main
try:
    main(["import", sys.argv[1], "--db", sys.argv[2]])
except SystemExit:
    pass
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        print("VmHWM_KB", line.split()[1])
'''


@pytest.mark.slow
def test_memory_import_of_many_tiny_lines_is_flat(tmp_path: Path) -> None:
    """200,000 tiny JSONL lines (4.4 MB): the import's peak resident memory (the child's
    own VmHWM) stays under 100 MB, where keeping every record of the file (as before)
    took 1.17 GB for 1,000,000 lines, 230 MB for this file. Measured by hand: 1,000,000
    lines (22.9 MB) peak at 40 MB."""
    lines = 200_000
    src = tmp_path / "tiny.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        for i in range(lines):
            fh.write(f'{{"text": "doc {i}"}}\n')
    done = subprocess.run([sys.executable, "-c", IMPORT_PEAK, str(src),
                           str(tmp_path / "p.db")], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert f"imported {lines} document(s)" in done.stdout, done.stdout + done.stderr
    peak_mb = int(done.stdout.split("VmHWM_KB")[1].split()[0]) / 1024
    assert peak_mb < 100, f"peak {peak_mb:.0f} MB"
    sys.stdout.write(f"\nimport of {lines:,} tiny lines: peak {peak_mb:.0f} MB\n")
