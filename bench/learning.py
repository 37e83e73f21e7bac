"""The claim learning curve on ClaimBuster's development file.

Run as ``python -m bench.learning [--sizes 2000,5000,15000] [--timing] [--json]`` (not in
the quick ``make bench``: about 10 minutes, 15 with ``--timing``). For each size, whole
30-sentence documents of the training debates are drawn (seeded) until that many
sentences, imported into a new project with ``annotator import --status done`` and
learnt with ``annotator train --layer claim --split-by debate`` (``bench/claimbuster.py``);
each model is then measured on the held-out debates, which no model learns from, with
the protocol of issue 14 (``bench/quality.py``), beside the rules alone. ``--timing``
also trains on all 22,501 sentences, to time it (that model is measured nowhere: it
learnt from the held-out debates too).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.claimbuster import documents, train_project
from bench.protocol import protocol_documents, split
from bench.quality import measure_many

SIZES = (2000, 5000, 15000)


def curve(sizes: tuple[int, ...] = SIZES, timing: bool = False) -> dict[str, Any]:
    """Train one model per size, measure each on the held-out debates."""
    train_debates, held = split()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        models: dict[str, Any] = {"rules alone": None}
        for n in sizes:
            folder = Path(tmp) / f"n{n}"
            folder.mkdir()
            docs = documents(train_debates, sentences=n)
            started = time.perf_counter()
            model, last = train_project(folder, docs, name=f"curve{n}")
            meta = json.loads((model / "meta.json").read_text(encoding="utf-8"))
            rows.append({"sentences": sum(len(d.sentences) for d in docs),
                         "documents": len(docs),
                         "debates": len({d.debate for d in docs}),
                         "train_seconds": meta["seconds"].get("total"),
                         "wall_seconds": round(time.perf_counter() - started, 1),
                         "threshold": meta["claim"]["threshold"], "model": str(model)})
            models[str(n)] = model
        figures = measure_many(models, debates=held)
        timed = None
        if timing:
            folder = Path(tmp) / "all"
            folder.mkdir()
            everything = protocol_documents()
            started = time.perf_counter()
            model, last = train_project(folder, everything, name="all")
            meta = json.loads((model / "meta.json").read_text(encoding="utf-8"))
            timed = {"sentences": sum(len(d.sentences) for d in everything),
                     "train_seconds": meta["seconds"],
                     "import_and_train_wall_seconds": round(time.perf_counter() - started, 1)}
    for row, n in zip(rows, sizes, strict=True):
        m = figures[str(n)]
        row.update({k: round(m[k], 4) for k in ("P", "R", "F1", "AP")})
        del row["model"]
    rules = figures["rules alone"]
    return {"heldout_debates": held, "heldout_sentences": rules["sentences"],
            "heldout_positives": rules["positives"],
            "rules_alone": {k: round(rules[k], 4) for k in ("P", "R", "F1", "AP")},
            "curve": rows, "timing_all_sentences": timed}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--timing", action="store_true",
                        help="also time training on all 22,501 sentences")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = curve(tuple(int(x) for x in args.sizes.split(",")), args.timing)
    result["seconds"] = round(time.perf_counter() - started, 1)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    r = result["rules_alone"]
    print(f"held-out debates ({result['heldout_sentences']:,} sentences, "
          f"{result['heldout_positives']:,} check-worthy): {', '.join(result['heldout_debates'])}")
    print("| training sentences | documents | debates | train time | P | R | F1 | AP |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(f"| rules alone | | | | {r['P']:.3f} | {r['R']:.3f} | {r['F1']:.3f} | {r['AP']:.3f} |")
    for row in result["curve"]:
        print(f"| {row['sentences']:,} | {row['documents']} | {row['debates']} | "
              f"{row['train_seconds']:.0f} s | {row['P']:.3f} | {row['R']:.3f} | "
              f"{row['F1']:.3f} | {row['AP']:.3f} |")
    if result["timing_all_sentences"]:
        t = result["timing_all_sentences"]
        print(f"all {t['sentences']:,} sentences: annotator train {t['train_seconds']} "
              f"(import and train: {t['import_and_train_wall_seconds']} s)")
    print(f"({result['seconds']:.0f} s in all)")


if __name__ == "__main__":
    main()
