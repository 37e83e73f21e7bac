"""Exports interrupted by a real SIGTERM or SIGINT at random moments leave either nothing
or the complete output, never a temporary file, a staging folder or an empty folder;
and SIGTERM from outside ends the real command with a message and no traceback.

Trials per format: ``RELIABILITY_EXPORT_TRIALS`` (default 24, a few seconds a format)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotator.export import FORMATS
from annotator.importers import content_hash
from annotator.model import Claim, Span
from annotator.store import Store

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
    assert result["interrupted"] >= TRIALS // 8, result  # the signals did land mid-export


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_export_signal_from_outside_ends_the_command_cleanly(project: Path, tmp_path: Path,
                                                             signum: int) -> None:
    """The real command in its own process, signalled once it has started writing."""
    out = tmp_path / "sp"
    proc = subprocess.Popen(
        [sys.executable, "-m", "annotator.cli", "export", "--db", str(project), "--format",
         "spacy", "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".export-") for p in out.glob(".*")) \
            and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=60)
    if proc.returncode == 0:  # finished before the signal: complete output
        assert sorted(p.name for p in out.iterdir()) == ["config.cfg", "dev.spacy",
                                                        "train.spacy"]
        return
    assert proc.returncode == 128 + signum, stderr
    assert "Traceback" not in stderr and "export interrupted" in stderr
    assert not out.exists(), list(out.rglob("*"))


def test_export_interrupts_summary() -> None:
    if RESULTS:
        total = sum(r["trials"] for r in RESULTS.values())
        debris = sum(r["debris"] + r["partial"] for r in RESULTS.values())
        per = ", ".join(f"{k} {r['trials']} ({r['interrupted']} cut mid-export, "
                        f"{r['seconds_per_export']} s each)" for k, r in RESULTS.items())
        sys.stdout.write(f"\nexports interrupted: {total} trials, {debris} debris; {per}\n")
