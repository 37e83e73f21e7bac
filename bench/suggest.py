"""Benchmark: ``annotator suggest`` end to end against bare ``nlp.pipe``.

Run as ``python -m bench.suggest [--docs N] [--batch-size B]``. Generates N news-like
articles (seeded, so every run parses the same texts), then in one process and with one
loaded pipeline times (1) ``nlp.pipe`` over the texts, discarding the docs, and (2)
:func:`annotator.suggest.runner.suggest` over the same texts in a fresh project
database: parse, entity and claim rules, the token cache for export, and a write
transaction every few documents. The two alternate over chunks of 30 documents.
The target is end-to-end throughput >= 0.85 of bare ``nlp.pipe``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_RATIO = 0.85
CHUNK = 30  # documents timed at a time, alternating bare nlp.pipe and suggest
SEED = 20240813

PEOPLE = ["Rohilat Afrin", "Ali al-Hassan", "Maria Lopez", "John Whitaker", "Fatima Zahra",
          "Chen Wei", "Olena Kovalenko", "Samuel Okafor", "Priya Raman", "Lars Eriksson",
          "Amina Yusuf", "Daniel Cohen", "Sofia Rossi", "Hiroshi Tanaka", "Grace Mensah"]
TITLES = ["General", "Minister", "Mayor", "Dr.", "Professor", "Senator", "spokesman",
          "Governor", "chief executive", "analyst"]
ORGS = ["the Syrian Democratic Forces", "the World Health Organization", "Reuters",
        "the Central Bank of Kuwait", "the European Commission", "Amnesty International",
        "the Ministry of Health", "Toyota", "the United Nations", "the IMF",
        "Tasnim News", "the Wall Street Journal", "the Red Cross", "Shell", "the city council"]
PLACES = ["Iraq", "Syria", "Kentucky", "Madrid", "Lagos", "Kyiv", "Phoenix", "Basra",
          "Jakarta", "Nairobi", "Kuwait", "Hamburg", "Manila", "Lima", "Ohio"]
THINGS = ["fighters", "families", "jobs", "patients", "schools", "villages", "homes",
          "flights", "vaccines", "voters", "refugees", "personnel", "factories", "tonnes of grain"]
VERBS_PAST = ["captured", "evacuated", "built", "closed", "treated", "lost", "added", "cut",
              "opened", "detained", "reported", "counted"]
REPORTING = ["said", "told", "warned", "claimed", "stated", "reported", "indicated",
             "estimated", "predicted", "denied"]
DATES = ["on Monday", "last week", "in March", "this year", "by September 2025",
         "in the first half of 2024", "since 2019", "next month", "in 2023", "on 3 May"]
GLUES = [("in ", "in"), ("the ", "the"), (" US", "US"), ("for ", "for")]


def _sentence(rng: random.Random) -> str:
    person, org, place = rng.choice(PEOPLE), rng.choice(ORGS), rng.choice(PLACES)
    n = rng.choice([rng.randint(2, 99), rng.randint(100, 9999),
                    f"{rng.randint(1, 99)},{rng.randint(100, 999)}"])
    thing, verb, date = rng.choice(THINGS), rng.choice(VERBS_PAST), rng.choice(DATES)
    rep = rng.choice(REPORTING)
    kind = rng.randrange(12)
    if kind == 0:
        return (f"{rng.choice(TITLES).capitalize()} {person} {rep} that {org} had {verb} "
                f"{n} {thing} in {place} {date}.")
    if kind == 1:
        return (f"{person}, a {rng.choice(TITLES)} of {org}, told {rng.choice(ORGS)}, "
                f"“We have {verb} {n} {thing} {date}. This is the worst situation we have seen.”")
    if kind == 2:
        return f"According to {org}, {n} {thing} were {verb} in {place} {date}."
    if kind == 3:
        return f"{org.capitalize()} might withdraw from {place} {date}, officials said."
    if kind == 4:
        return (f"The number of {thing} in {place} rose by {rng.randint(2, 60)} percent "
                f"{date} because of the drought.")
    if kind == 5:
        return f"\"We will not accept this,\" {person} said in an interview with {org}."
    if kind == 6:
        return f"Will {org} change its plans for {place} {date}?"
    if kind == 7:
        return f"I think the decision by {org} was a mistake."
    if kind == 8:
        return f"It was reported that about {n} {thing} had been {verb} near {place}."
    if kind == 9:
        return (f"Residents of {place} said prices were higher than at any time {date}, "
                f"and {org} promised help.")
    if kind == 10:
        return (f"{org.capitalize()} {verb} {n} {thing} in {place} {date}, "
                "and the figure is expected to grow.")
    return f"{person} visited {place} {date} to meet representatives of {org}."


def _glue(text: str, rng: random.Random) -> str:
    """Lose a few spaces, as scraped articles do."""
    for plain, glued in GLUES:
        if plain in text and rng.random() < 0.3:
            text = text.replace(plain, glued, 1)
    return text


def generate(n_docs: int, seed: int = SEED) -> list[str]:
    """``n_docs`` varied news-like articles, the same ones for the same seed."""
    rng = random.Random(seed)
    samples = Path(__file__).resolve().parent.parent / "resources" / "samples"
    sample_sentences = []
    for path in sorted(samples.glob("*.txt")):
        body = path.read_text(encoding="utf-8").split("\n", 1)[-1]
        sample_sentences += [s.strip() + "." for s in body.split(". ") if len(s.split()) > 5]
    docs = []
    for i in range(n_docs):
        paragraphs = []
        for _ in range(rng.randint(3, 7)):
            sentences = [_sentence(rng) for _ in range(rng.randint(2, 5))]
            if sample_sentences and rng.random() < 0.4:
                sentences.insert(rng.randrange(len(sentences) + 1), rng.choice(sample_sentences))
            paragraphs.append(_glue(" ".join(sentences), rng))
        outlet = rng.choice(["Shafaq News", "Gulf Markets Review", "Metro Herald", "Wire"])
        text = f"{outlet}/ " + "\n\n".join(paragraphs)
        if rng.random() < 0.3:
            text += ("\n\nDisclaimer: The views expressed in this article are not those of "
                     f"{outlet}.")
        docs.append(f"{text}\n[{i}]")
    return docs


def _words(texts: list[str]) -> int:
    return sum(len(t.split()) for t in texts)


def measure(n_docs: int, batch_size: int = 32) -> dict[str, Any]:
    """Throughputs of bare ``nlp.pipe`` and end-to-end suggest over the same texts."""
    from annotator.store import Store
    from annotator.suggest.runner import load_pipeline, suggest

    texts = generate(n_docs)
    nlp = load_pipeline()
    for _ in nlp.pipe(texts[:20], batch_size=batch_size):  # warm up
        pass
    from annotator.suggest.checkworthy import shipped

    shipped()  # the claim model that suggest uses by default, loaded once beforehand
    bare = e2e = 0.0
    entities = claims = 0
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        with store.write():
            ids = [store.insert_document(text, {}, hashlib.sha256(text.encode()).hexdigest())
                   for text in texts]
        # Alternate the two over chunks of the corpus, so that whatever else the machine
        # does slows both alike rather than one of them.
        for i in range(0, n_docs, CHUNK):
            started = time.perf_counter()
            for _ in nlp.pipe(texts[i:i + CHUNK], batch_size=batch_size):
                pass
            bare += time.perf_counter() - started
            result = suggest(store, nlp, ids[i:i + CHUNK], batch_size=batch_size)
            e2e += result.seconds
            entities += result.entities_added
            claims += result.claims_added
        store.close()
    words = _words(texts)
    return {"docs": n_docs, "words": words, "bare_s": bare, "suggest_s": e2e,
            "entities": entities, "claims": claims}


def run(n_docs: int = 1000) -> list[dict[str, Any]]:
    """Result rows for a benchmark runner (see the module docstring)."""
    m = measure(n_docs)
    rows = []
    for unit, amount in (("docs/s", m["docs"]), ("words/s", m["words"])):
        value, baseline = amount / m["suggest_s"], amount / m["bare_s"]
        ratio = value / baseline
        rows.append({
            "name": f"suggest end-to-end ({unit.split('/')[0]}), vs bare nlp.pipe",
            "value": round(value, 1), "unit": unit, "baseline": round(baseline, 1),
            "ratio": round(ratio, 3), "target": TARGET_RATIO, "higher_is_better": True,
            "meets": ratio >= TARGET_RATIO,
        })
    rows[0]["detail"] = m
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    rows = run(args.docs)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    m = rows[0]["detail"]
    print(f"{m['docs']} documents, {m['words']} words; suggest stored {m['entities']} "
          f"entities and {m['claims']} claims")
    for row in rows:
        print(f"{row['unit']:>8}: suggest {row['value']:>9.1f}   bare nlp.pipe "
              f"{row['baseline']:>9.1f}   ratio {row['ratio']:.3f} (target >= {row['target']}) "
              f"{'OK' if row['meets'] else 'BELOW TARGET'}")


if __name__ == "__main__":
    main()
