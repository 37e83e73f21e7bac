"""ClaimBuster's development file as Annotator data, and the shipped claim model.

The file (``crowdsourced.csv``; F. Arslan, N. Hassan, C. Li, M. Tremayne, "A Benchmark
Dataset of Check-worthy Factual Claims", ICWSM 2020, doi 10.5281/zenodo.3609356) holds
22,501 sentences of 33 US presidential debates, each labelled by trained crowd coders:
Verdict 1 is a check-worthy factual sentence. :func:`bench.protocol.split` sets
:data:`~bench.protocol.HELDOUT_DEBATES` debates aside, chosen once with a seeded shuffle, for every
measurement (``bench/quality.py``, ``bench/learning.py``); models learn from the others.

``python -m bench.claimbuster jsonl OUT.jsonl [--sentences N] [--all-debates]`` writes
the training debates as JSONL documents of 30 sentences (each debate's sentences in
``Line_number`` order, joined with one space: the protocol of issue 14), each Verdict 1
sentence an accepted claim marked check-worthy, ``meta.debate`` the debate. With
``--sentences N`` whole documents are drawn at random (seeded) until N sentences.

``python -m bench.claimbuster build`` (``make checkworthy-model``) rebuilds the shipped
model with the ordinary commands: ``annotator import --status done --add-labels``, then
``annotator train --layer claim --split-by debate --seed 0``, in a temporary project;
the model goes to ``resources/models/checkworthy/`` with its provenance in
``meta.json``: the data and its licence, the held-out debates and the figures measured
on them (``bench/quality.py``), rules alone and with the model.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.protocol import PER_DOC, ProtocolDoc, data_path, protocol_documents, split

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "resources" / "models" / "checkworthy"
SEED = 0
CITATION = ("F. Arslan, N. Hassan, C. Li, M. Tremayne, \"A Benchmark Dataset of "
            "Check-worthy Factual Claims\", ICWSM 2020; dataset on Zenodo, "
            "doi 10.5281/zenodo.3609356")
LICENCE = ("ClaimBuster dataset, published Open Access on Zenodo (doi 10.5281/zenodo.3609356) "
           "for the research community; its terms are those stated on that record (not "
           "verified here: no network). This model is derived from its labels: cite the "
           "paper and credit the dataset wherever the model is used or redistributed")


def documents(debates: list[str] | None = None, sentences: int | None = None,
              seed: int = SEED) -> list[ProtocolDoc]:
    """The protocol documents of ``debates`` (default: the training debates); with
    ``sentences``, whole documents drawn at random until that many sentences."""
    docs = protocol_documents()
    wanted = set(debates if debates is not None else split(docs)[0])
    chosen = [d for d in docs if d.debate in wanted]
    if sentences is not None:
        rng = random.Random(seed)
        order = chosen[:]
        rng.shuffle(order)
        picked, total = [], 0
        for d in order:
            if total >= sentences:
                break
            picked.append(d)
            total += len(d.sentences)
        keep = {id(d) for d in picked}
        chosen = [d for d in chosen if id(d) in keep]
    return chosen


def as_jsonl_line(doc: ProtocolDoc, n: int) -> dict[str, Any]:
    """One document as Annotator JSONL: Verdict 1 sentences as check-worthy claims."""
    claims = [{"start": a, "end": b, "label": "CLAIM", "checkworthy": "yes"}
              for (a, b), v in zip(doc.sentences, doc.verdicts, strict=True) if v == 1]
    return {"text": doc.text, "meta": {"debate": doc.debate, "part": n,
                                       "source": "ClaimBuster crowdsourced.csv"},
            "claims": claims}


def write_jsonl(path: Path, docs: list[ProtocolDoc]) -> int:
    """Write ``docs`` (see :func:`as_jsonl_line`); returns the number of sentences."""
    parts: dict[str, int] = {}
    with open(path, "w", encoding="utf-8") as fh:
        for d in docs:
            parts[d.debate] = parts.get(d.debate, 0) + 1
            fh.write(json.dumps(as_jsonl_line(d, parts[d.debate]), ensure_ascii=False) + "\n")
    return sum(len(d.sentences) for d in docs)


def annotator(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run an ``annotator`` command as a user would (this interpreter's package)."""
    return subprocess.run([sys.executable, "-m", "annotator", *args], cwd=ROOT, text=True,
                          capture_output=True, check=check)


def train_project(folder: Path, docs: list[ProtocolDoc], *, name: str = "claimbuster",
                  seed: int = SEED, extra: tuple[str, ...] = ()) -> tuple[Path, dict[str, Any]]:
    """Import ``docs`` into a new project in ``folder`` and train the claim layer there
    with the ordinary commands; returns (model folder, the final progress line)."""
    data = folder / "claimbuster.jsonl"
    write_jsonl(data, docs)
    db = folder / f"{name}.db"
    annotator("import", str(data), "--db", str(db), "--status", "done", "--add-labels")
    proc = annotator("train", "--db", str(db), "--layer", "claim", "--name", name,
                     "--split-by", "debate", "--seed", str(seed), "--progress-json", *extra,
                     check=False)
    lines = [json.loads(x) for x in proc.stdout.splitlines() if x.startswith("{")]
    if proc.returncode != 0 or not lines or not lines[-1].get("done"):
        raise RuntimeError(f"annotator train failed: {proc.stderr or proc.stdout}")
    return Path(lines[-1]["model"]), lines[-1]


def build(out: Path = SHIPPED) -> dict[str, Any]:
    """Rebuild the shipped model (see the module docstring); returns its meta."""
    from bench.quality import measure

    train_debates, held = split()
    docs = documents(train_debates)
    with tempfile.TemporaryDirectory() as tmp:
        model, last = train_project(Path(tmp), docs)
        meta = json.loads((model / "meta.json").read_text(encoding="utf-8"))
        rules = measure(debates=held, model=None)
        learned = measure(debates=held, model=model)
        file = data_path()
        meta["project"] = None
        meta["provenance"] = {
            "data": "ClaimBuster crowdsourced.csv (22,501 US presidential debate sentences, "
                    "1960-2016, labelled by trained crowd coders)",
            "data_sha256": hashlib.sha256(file.read_bytes()).hexdigest(),
            "citation": CITATION, "licence": LICENCE,
            "training_debates": train_debates, "training_sentences": sum(
                len(d.sentences) for d in docs),
            "heldout_debates": held,
            "heldout_protocol": "issue 14: each debate's sentences joined 30 to a document; "
                                "a sentence is suggested when a claim covers half of it or "
                                "half of the claim lies in it (bench/quality.py)",
            "heldout": {"rules_alone": _figures(rules), "with_model": _figures(learned)},
            "rebuild": "make checkworthy-model (python -m bench.claimbuster build)",
        }
        meta["name"] = "claimbuster"
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(model, out)
        # the classifier alone ships: the parsing pipeline is the installed default
        (out / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    print(json.dumps({"model": str(out), "train_seconds": last.get("seconds"),
                      "heldout": meta["provenance"]["heldout"]}, indent=2))
    return meta


def _figures(m: dict[str, Any]) -> dict[str, Any]:
    return {k: round(m[k], 4) if isinstance(m[k], float) else m[k]
            for k in ("P", "R", "F1", "AP", "sentences", "positives", "documents")}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    j = sub.add_parser("jsonl", help="write the training debates as Annotator JSONL")
    j.add_argument("out", type=Path)
    j.add_argument("--sentences", type=int, default=None)
    j.add_argument("--all-debates", action="store_true")
    sub.add_parser("build", help="rebuild resources/models/checkworthy")
    args = parser.parse_args(argv)
    if args.command == "jsonl":
        debates = sorted({d.debate for d in protocol_documents()}) if args.all_debates else None
        n = write_jsonl(args.out, documents(debates, args.sentences))
        print(f"{n} sentences in documents of {PER_DOC} written to {args.out}")
    else:
        build()


if __name__ == "__main__":
    main()
