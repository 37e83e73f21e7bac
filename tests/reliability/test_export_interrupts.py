"""Exports interrupted by a real SIGTERM or SIGINT at random steps (annotator/testhook.py,
seeded; not wall-clock moments) leave either nothing or the complete output, never a
temporary file, a staging folder or an empty folder; and SIGTERM from outside ends the
real command with a message and no traceback.

Trials per format: ``RELIABILITY_EXPORT_TRIALS`` (default 24, a few seconds a format)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.export import FORMATS
from annotator.importers import content_hash
from annotator.model import Claim, Span
from annotator.store import Store

from ._project import stop_env, stopped

TRIALS = int(os.environ.get("RELIABILITY_EXPORT_TRIALS", "24"))
DOCUMENTS = 150
RESULTS: dict[str, dict] = {}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """150 done documents of ~1,500 characters, three entities and a claim each."""
    path = tmp_path_factory.mktemp("interrupts") / "p.db"
    para = ("Officials in Baghdad said on Monday that 1,200 families had left Mosul since "
            "March, according to the United Nations. ")
    with Store(path) as store, store.write():
        texts = [f"Report {i}. " + para * 12 for i in range(DOCUMENTS)]
        ids = store.insert_documents([(t, {"title": f"r{i}"}, content_hash(t), "done")
                                      for i, t in enumerate(texts)])
        for doc_id, text in zip(ids, texts, strict=True):
            for word, label in (("Baghdad", "GPE"), ("Mosul", "GPE"), ("Monday", "DATE")):
                start = text.index(word)
                store.insert_span(Span(doc_id=doc_id, layer="entity", start=start,
                                       end=start + len(word), label=label, origin="human",
                                       decision="accepted"))
            start = text.index("Officials")
            store.insert_span(Span(doc_id=doc_id, layer="claim", start=start,
                                   end=text.index(". ", start) + 1, label="CLAIM",
                                   origin="human", decision="accepted",
                                   claim=Claim(claim_type="statistic")))
    return path


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
def test_export_interrupted_at_random_leaves_no_debris(project: Path, tmp_path: Path,
                                                       fmt: str) -> None:
    folder = tmp_path / "target"
    folder.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "tests.reliability._export_worker", str(project), fmt,
         str(folder), str(TRIALS), str(FORMATS.index(fmt)), str(DOCUMENTS)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    RESULTS[fmt] = result
    assert result["trials"] == TRIALS
    assert result["debris"] == 0 and result["partial"] == 0, result
    # The signals landed mid-export: a step in each slice of [1, steps + steps / 7].
    assert result["interrupted"] >= TRIALS * 3 // 4, result


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_export_signal_from_outside_ends_the_command_cleanly(project: Path, tmp_path: Path,
                                                             signum: int) -> None:
    """The real command in its own process, signalled once it has written 20 documents
    (it stops itself there: annotator/testhook.py), then let go: it ends with a message,
    no traceback and no output."""
    out = tmp_path / "sp"
    proc = subprocess.Popen(
        [sys.executable, "-m", "annotator.cli", "export", "--db", str(project), "--format",
         "spacy", "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env=stop_env("export:20"))
    assert stopped(proc)
    assert any(p.name.startswith(".export-") for p in out.glob(".*"))  # it is writing
    proc.send_signal(signum)
    proc.send_signal(signal.SIGCONT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signum, stderr
    assert "Traceback" not in stderr and "export interrupted" in stderr
    assert not out.exists(), list(out.rglob("*"))
