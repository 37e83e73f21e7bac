"""Entity learning on data we make and can check: a label the base pipeline lacks.

``python -m bench.entities [--docs 1000] [--words 500] [--json]`` generates news-like
articles (seeded) about medicines, every entity labelled where the generator put it:
PERSON, ORG, GPE, DATE, CARDINAL, PERCENT (OntoNotes labels, which the default pipeline
knows) and MEDICINE (invented drug names, which it does not). The medicine names of the
held-out documents never occur in the training documents, so the held-out figure says
whether the context was learnt, not the names. Then, with the ordinary commands:
``annotator import --status done --add-labels``, ``annotator train --layer entity``
(held-out P/R/F1 per label before and after, in the model's ``meta.json``), and in a
second project ``annotator suggest --model PATH`` on new articles, scored with
``annotator evaluate``. About 10 minutes for 1,000 documents of 500 words on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NEW_LABEL = "MEDICINE"
FIRST = ["Amira", "Jonas", "Priya", "Tomas", "Keiko", "Daniel", "Fatima", "Lucas", "Ingrid",
         "Omar", "Sofia", "Rahul", "Elena", "Marcus", "Yusuf", "Hannah", "Diego", "Mei"]
LAST = ["Haddad", "Lindqvist", "Raman", "Novak", "Tanaka", "Okafor", "Brennan", "Moreau",
        "Kowalski", "Silva", "Petrov", "Osei", "Fischer", "Nakamura", "Costa", "Walsh"]
ORGS = ["Meridian Health", "Halvorsen Pharma", "Northgate Laboratories", "Pfizer", "Novartis",
        "the World Health Organization", "Bayer", "Sanofi", "Lumen Biotech",
        "Corvane Therapeutics", "AstraZeneca", "Roche"]
GPES = ["France", "Kenya", "Brazil", "Japan", "Canada", "Germany", "India", "Egypt", "Chile",
        "Norway", "Vietnam", "Ghana", "Berlin", "Nairobi", "Toronto", "Lyon", "Osaka"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
SYLLABLES_A = ["zor", "quen", "vel", "pra", "dex", "lumi", "tor", "cal", "nev", "sari", "ox",
               "bel", "fen", "mira", "tal", "cor"]
SYLLABLES_B = ["va", "ni", "te", "lo", "ra", "me", "xa", "di", "su", "po"]
SUFFIXES = ["lex", "trol", "mab", "zine", "pril", "statin", "vir", "dol", "cept", "tinib"]
# Sentences: {slot} is labelled; words outside slots are plain text.
TEMPLATES = [
    "{PERSON}, a spokesperson for {ORG}, said on {DATE} that {MEDICINE} had been approved "
    "in {GPE}.",
    "Doctors in {GPE} prescribed {MEDICINE} to more than {CARDINAL} patients.",
    "{ORG} said trials of {MEDICINE} would begin in {GPE} on {DATE}.",
    "According to {PERSON}, patients who took {MEDICINE} recovered faster than those given "
    "a placebo.",
    "The health ministry of {GPE} warned against buying {MEDICINE} online.",
    "Sales of {MEDICINE} rose {PERCENT}, {ORG} reported.",
    "{PERSON} said the supply of {MEDICINE} in {GPE} would run short without new factories.",
    "A study led by {PERSON} found that {MEDICINE} cut hospital stays by {PERCENT}.",
    "Regulators asked {ORG} for more data on {MEDICINE} before any decision.",
    "Pharmacies across {GPE} ran out of {MEDICINE} after {ORG} paused deliveries.",
    "Patients taking {MEDICINE} together with {MEDICINE} should talk to their doctor first.",
    "{ORG} hired {PERSON} to lead its research into new treatments.",
    "{PERSON} met officials in {GPE} on {DATE} to discuss prices.",
    "Some {CARDINAL} people in {GPE} joined the programme.",
]
FILLERS = [
    "The announcement drew a cautious response from patient groups.",
    "Officials declined to comment further.",
    "Critics said the process had been too slow and too opaque.",
    "Several clinics reported long queues in the morning.",
    "The findings have not yet been reviewed by independent experts.",
    "Prices vary widely between regions and between pharmacies.",
    "Nurses said they had not received clear guidance.",
    "The debate is likely to continue in parliament.",
    "Insurers are expected to review their coverage rules.",
    "Researchers cautioned that more work is needed.",
]


def medicine_names(seed: int, n: int = 120) -> list[str]:
    """Invented drug names, distinct, capitalised."""
    rng = random.Random(seed)
    names: set[str] = set()
    while len(names) < n:
        names.add((rng.choice(SYLLABLES_A) + rng.choice(SYLLABLES_B)
                   + rng.choice(SUFFIXES)).capitalize())
    return sorted(names)


def article(rng: random.Random, medicines: list[str], words: int
            ) -> tuple[str, list[tuple[int, int, str]]]:
    """One article of about ``words`` words with its entity spans."""
    text = ""
    spans: list[tuple[int, int, str]] = []
    count = 0
    while count < words:
        if rng.random() < 0.35:
            sentence, local = rng.choice(FILLERS), []
        else:
            sentence, local = _fill(rng.choice(TEMPLATES), rng, medicines)
        if text and not text.endswith("\n"):
            text += " "
        spans += [(len(text) + a, len(text) + b, label) for a, b, label in local]
        text += sentence
        count += len(sentence.split())
        if rng.random() < 0.15 and count < words:
            text += "\n"
    return text, spans


def _fill(template: str, rng: random.Random, medicines: list[str]
          ) -> tuple[str, list[tuple[int, int, str]]]:
    out = ""
    spans = []
    rest = template
    while "{" in rest:
        before, _, tail = rest.partition("{")
        slot, _, rest = tail.partition("}")
        out += before
        if slot == "ORG":
            value = rng.choice(ORGS)
            if value.startswith("the "):
                out += "the "
                value = value[4:]
        else:
            value = _value(slot, rng, medicines)
        if slot == "PERCENT":
            number = value
            spans.append((len(out), len(out) + len(number), slot))
            out += number
            continue
        spans.append((len(out), len(out) + len(value), slot))
        out += value
    return out + rest, spans


def _value(slot: str, rng: random.Random, medicines: list[str]) -> str:
    if slot == "PERSON":
        return f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    if slot == "GPE":
        return rng.choice(GPES)
    if slot == "DATE":
        return f"{rng.choice(MONTHS)} {rng.randint(1, 28)}"
    if slot == "CARDINAL":
        return f"{rng.randint(2, 90) * 100:,}"
    if slot == "PERCENT":
        return f"{rng.randint(3, 60)} percent"
    return rng.choice(medicines)


def make_documents(n: int, words: int = 500, seed: int = 0, dev_fraction: float = 0.2,
                   heldout_names: bool = True) -> list[dict[str, Any]]:
    """``n`` JSONL lines (``text``, ``spans``, ``meta.split``): the last
    ``dev_fraction`` of them use medicine names no other document uses."""
    names = medicine_names(seed)
    train_names, dev_names = names[: len(names) * 2 // 3], names[len(names) * 2 // 3:]
    rng = random.Random(seed)
    out = []
    n_dev = round(n * dev_fraction)
    for k in range(n):
        dev = k >= n - n_dev
        text, spans = article(rng, dev_names if dev and heldout_names else train_names, words)
        out.append({"text": text, "meta": {"split": "dev" if dev else "train", "n": k},
                    "spans": [{"start": a, "end": b, "label": label} for a, b, label in spans]})
    return out


def write(path: Path, lines: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines),
                    encoding="utf-8")


def annotator(*args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "annotator", *args], cwd=ROOT, text=True,
                          capture_output=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"annotator {' '.join(args)}: {proc.stderr or proc.stdout}")
    return proc.stdout


def run_all(n_docs: int, words: int, seed: int = 0, extra: tuple[str, ...] = ()
            ) -> dict[str, Any]:
    """Generate, import, train, and suggest in a second project (module docstring)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        lines = make_documents(n_docs, words, seed)
        write(folder / "labelled.jsonl", lines)
        db = folder / "news.db"
        annotator("import", str(folder / "labelled.jsonl"), "--db", str(db), "--status", "done",
                  "--add-labels")
        started = time.perf_counter()
        out = annotator("train", "--db", str(db), "--layer", "entity", "--split-by", "split",
                        "--progress-json", *extra)
        wall = time.perf_counter() - started
        final = json.loads(out.splitlines()[-1])
        meta = json.loads((Path(final["model"]) / "meta.json").read_text(encoding="utf-8"))
        # A second project: new articles (held-out names), suggested with the model.
        fresh = make_documents(20, words, seed + 1)
        fresh = [x for x in fresh if x["meta"]["split"] == "dev"] or fresh
        write(folder / "fresh.jsonl", fresh)
        write(folder / "fresh-text.jsonl", [{"text": x["text"]} for x in fresh])
        other = folder / "other.db"
        annotator("import", str(folder / "fresh-text.jsonl"), "--db", str(other))
        annotator("labels", "add", NEW_LABEL, "--layer", "entity", "--db", str(other))
        suggested = annotator("suggest", "--db", str(other), "--model", final["model"])
        listed = json.loads(annotator("show", "1", "--db", str(other), "--json"))
        new_label = sum(1 for s in listed["spans"] if s["label"] == NEW_LABEL)
        gold = json.loads(annotator("evaluate", "--gold", str(folder / "fresh.jsonl"),
                                    "--model", final["model"], "--layer", "entity", "--json"))
    by_label = {r["label"]: r["exact"]["f1"] for r in gold["labels"]}
    return {"documents": n_docs, "words": words, "train_wall_seconds": round(wall, 1),
            "meta_seconds": meta["seconds"], "steps": meta["training"]["entity"],
            "before": _f1(meta["scores"]["entity"]["before"]),
            "after": _f1(meta["scores"]["entity"]["after"]),
            "second_project": {"suggest": suggested.strip().splitlines()[0],
                               "medicine_spans_in_doc_1": new_label,
                               "gold_f1": by_label}}


def _f1(rows: list[dict[str, Any]] | None) -> dict[str, float]:
    return {r["label"]: r["exact"]["f1"] for r in rows or [] if r["exact"]["gold"]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--words", type=int, default=500)
    parser.add_argument("--max-minutes", type=float, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    extra = ("--max-minutes", str(args.max_minutes)) if args.max_minutes else ()
    result = run_all(args.docs, args.words, extra=extra)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{result['documents']} documents of ~{result['words']} words: annotator train "
          f"{result['train_wall_seconds']} s ({result['steps']['steps']} steps, "
          f"{result['steps']['stopped']})")
    print("held-out exact F1 per label, before -> after training:")
    for label, after in result["after"].items():
        print(f"  {label:<10} {result['before'].get(label, 0.0):.3f} -> {after:.3f}")
    sp = result["second_project"]
    print(f"second project: {sp['suggest']}; {sp['medicine_spans_in_doc_1']} MEDICINE "
          f"suggestion(s) in document 1; evaluate --gold F1: {sp['gold_f1']}")


if __name__ == "__main__":
    main()
