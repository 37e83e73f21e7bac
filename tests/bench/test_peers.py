"""The peer benchmark's own parts, without Label Studio (fast, no network)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bench import peers
from bench.corpus import articles

ROOT = Path(__file__).resolve().parents[2]


def test_both_formats_hold_the_same_articles_and_spans(tmp_path: Path) -> None:
    inputs = peers.write_inputs(tmp_path, 12)
    ours = [json.loads(line) for line in inputs.annotated_jsonl.read_text("utf-8").splitlines()]
    theirs = json.loads(inputs.annotated_json.read_text("utf-8"))
    plain = [json.loads(line) for line in inputs.plain_jsonl.read_text("utf-8").splitlines()]
    assert [a["text"] for a in articles(12)] == [d["text"] for d in ours] == [
        t["data"]["text"] for t in theirs] == [d["text"] for d in plain]
    assert json.loads(inputs.plain_json.read_text("utf-8")) == [
        {"data": t["data"]} for t in theirs]
    labels = set(peers.entity_labels())
    config = peers.label_config()
    total = 0
    for doc, task in zip(ours, theirs, strict=True):
        assert doc["answer"] == "accept" and 0 < len(doc["spans"]) <= peers.SPANS_PER_DOC
        regions = task["annotations"][0]["result"]
        assert [(s["start"], s["end"], s["label"]) for s in doc["spans"]] == [
            (r["value"]["start"], r["value"]["end"], r["value"]["labels"][0]) for r in regions]
        ends = [0]
        for span, region in zip(doc["spans"], regions, strict=True):
            assert span["start"] >= ends[-1]  # in order, no overlap
            ends.append(span["end"])
            assert span["label"] in labels and f'value="{span["label"]}"' in config
            assert region["value"]["text"] == doc["text"][span["start"]:span["end"]]
            assert (region["from_name"], region["to_name"], region["type"]) == (
                "label", "text", "labels")
        total += len(doc["spans"])
    assert total == inputs.spans
    assert len(inputs.warmup_jsonl.read_text("utf-8").splitlines()) == 12
    assert inputs.show_index == 6


@pytest.mark.slow
def test_annotator_side_table_and_results_file(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    inputs = peers.write_inputs(tmp_path / "corpus", 120)
    peers.warm_up_annotator(inputs, tmp_path / "warm")
    got = peers.measure_annotator(inputs, tmp_path / "run", calls=1)
    assert set(got) == set(peers.KEYS)
    assert all(v > 0 for v in got.values())
    assert 20 < got["peak_import_annotated"] < 1000  # MB, the import's own process
    assert not any((tmp_path / "run").iterdir())  # its projects are removed

    fake = {key: value * 2 for key, value in got.items()}
    fake["export_first"] = got["export_first"] / 2
    rows = peers.make_rows([got, got, got], [fake, fake, fake], 120, "Label Studio 1.23.9")
    by_op = {r["op"]: r for r in rows}
    assert list(by_op) == peers.KEYS
    assert by_op["import_plain"]["faster_by"] == pytest.approx(2, rel=1e-2)
    assert by_op["import_plain"]["meets"] is True
    assert by_op["export_first"]["faster_by"] == pytest.approx(0.5, rel=1e-2)
    assert by_op["export_first"]["target"] == 2.0 and by_op["export_first"]["meets"] is False
    for row in rows:
        assert row["kind"] == "peer" and row["n_docs"] == 120 and row["higher_is_better"] is False
        assert row["ratio"] == pytest.approx(row["value"] / row["baseline"], rel=1e-2)
        assert len(row["detail"]["annotator_runs"]) == 3

    peers.print_table(rows, "Label Studio 1.23.9")
    printed = capsys.readouterr().out
    assert "0.50×: slower" in printed and "2.00× less" in printed and "2.00×" in printed
    assert "| show one document |" in peers.markdown(rows, "Label Studio 1.23.9")

    results = tmp_path / "results.json"
    results.write_text(json.dumps({"machine": "m", "mode": "full", "results": [{"name": "x"}]}))
    peers.write_results(results, {"peer": "Label Studio 1.23.9", "results": rows})
    data = json.loads(results.read_text())
    assert data["results"] == [{"name": "x"}] and data["machine"] == "m"  # make bench's rows
    assert [r["op"] for r in data["peers"]["results"]] == peers.KEYS


def test_without_label_studio_it_says_so_and_exits_0(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results.json"
    code = peers.main(["--quick", "--no-install", "--cache-dir", str(tmp_path / "cache"),
                       "--out", str(out)])
    assert code == 0
    assert "Label Studio is not available, the peer benchmark is skipped" in capsys.readouterr().out
    assert not out.exists()


def test_listening_sockets_are_read_from_proc() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert f"127.0.0.1:{port}" in peers._listening(os.getpid())
    assert peers._is_loopback("127.0.0.1:80") and peers._is_loopback("::1:80")
    assert not peers._is_loopback("0.0.0.0:80") and not peers._is_loopback(":::80")


def test_make_bench_keeps_the_peer_rows(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    out.write_text(json.dumps({"results": [], "peers": {"peer": "Label Studio 1.23.9"}}))
    proc = subprocess.run([sys.executable, "-m", "bench", "--only", "no_such_module",
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert data["skipped"][0]["module"] == "no_such_module"
    assert data["peers"] == {"peer": "Label Studio 1.23.9"}


def test_peer_fixtures_relation_lines_link_each_claim_to_its_claimant(tmp_path: Path) -> None:
    """The doccano relation import the fixture recorder writes from our JSONL export."""
    from bench.peer_fixtures import relation_lines

    text = "Alice said rain. Bob said sun."
    line = {"text": text, "meta": {"source": "x"},
            "spans": [{"start": 0, "end": 5, "label": "PERSON"},
                      {"start": 17, "end": 20, "label": "PERSON"}],
            "claims": [{"start": 0, "end": 16, "label": "CLAIM",
                        "claimant": {"text": "Alice", "start": 0, "end": 5}},
                       {"start": 17, "end": 30, "label": "CLAIM", "claimant": {"text": "he"}}]}
    src = tmp_path / "ours.jsonl"
    src.write_text(json.dumps(line) + "\n", encoding="utf-8")
    (item,) = [json.loads(x) for x in relation_lines(src).decode("utf-8").splitlines()]
    assert item["text"] == text and item["source"] == "x"
    assert [(e["start_offset"], e["end_offset"], e["label"]) for e in item["entities"]] == [
        (0, 5, "PERSON"), (17, 20, "PERSON"), (0, 16, "CLAIM"), (17, 30, "CLAIM")]
    assert item["relations"] == [{"id": 1, "from_id": 3, "to_id": 1, "type": "claimant"}]
