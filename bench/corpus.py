"""A deterministic, seeded generator of news-like articles for the benchmarks.

``articles(n, seed)`` yields ``{"text": ..., "meta": {...}}`` dicts; the same ``n`` and
``seed`` give the same articles, byte for byte, on every machine and Python version
(only :class:`random.Random` with integer seeds and list choices are used).

What the articles contain, because it is what makes Annotator slow or wrong on real news:
datelines and bylines, reporting verbs with clausal complements, "according to",
attributed quotes with straight (``"``) and curly (``“ ”``, ``‘ ’``) quotation marks,
numbers, percentages and money in several currencies, dates, hedges and predictions,
names with diacritics and in Arabic script, words glued together by a bad scrape
("inIraq", "saidThursday"), emoji (with skin tones and ZWJ sequences, i.e. characters
outside the BMP), questions and boilerplate. About one article in 500 is very long
(100,000 characters); the rest run from a few hundred to several thousand characters.

``write_corpus(folder, n, seed)`` writes the articles as files the importer reads:
half as ``.txt`` files (one article each, some with a ``date ... - Source: ...`` header
line) and half as ``.jsonl`` files of up to 500 articles each. ``python -m bench.corpus
N FOLDER`` does the same from the shell.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SEED = 20240813
LONG_EVERY = 500  # articles i with i % LONG_EVERY == LONG_AT are very long
LONG_AT = 7
LONG_CHARS = 100_000

PEOPLE = [
    "Ali al-Hassan", "Maria López", "John Whitaker", "Fatima Zahra", "Chen Wei",
    "Olena Kovalenko", "Samuel Okafor", "Priya Raman", "Lars Eriksson", "Amina Yusuf",
    "José Álvarez", "Zoë Lefèvre", "Nguyễn Văn An", "Søren Dahl", "Mehmet Yılmaz",
    "Łukasz Wiśniewski", "Renée Dubois", "Björn Åkesson", "Hiroshi Tanaka", "Grace Mensah",
    "محمد علي", "عبد الله الصالح", "فاطمة الزهراء", "Rohilat Afrin", "Nadia Haddad",
]
ROLES = [
    "a spokesman for", "the head of", "a senior official at", "an analyst at",
    "the chief executive of", "a researcher at", "a lawmaker close to", "the director of",
]
ORGS = [
    "the Syrian Democratic Forces", "the World Health Organization", "the Central Bank of Kuwait",
    "the European Commission", "Amnesty International", "the Ministry of Health",
    "the United Nations", "the International Monetary Fund", "the Red Cross",
    "Gulf Petroleum Co.", "the city council", "Meridian Health Institute", "Nordwind Energie AG",
    "the Interior Ministry", "Médecins Sans Frontières",
]
OUTLETS = ["Reuters", "AFP", "Shafaq News", "the Associated Press", "Tasnim News",
           "Al Jazeera", "the Financial Times", "Kuwait Times", "Metro Herald"]
PLACES = ["Iraq", "Syria", "Kentucky", "Madrid", "Lagos", "Kyiv", "Phoenix", "Basra",
          "Jakarta", "Nairobi", "Kuwait", "Hamburg", "Manila", "São Paulo", "Erbil",
          "Zürich", "بغداد", "Deir ez-Zor", "Montréal", "Kraków"]
DATELINES = ["BAGHDAD", "KYIV", "LAGOS", "NAIROBI", "GENEVA", "KUWAIT CITY", "MADRID",
             "ERBIL", "PHOENIX", "BRUSSELS"]
THINGS = ["fighters", "families", "jobs", "patients", "schools", "villages", "homes",
          "flights", "doses of vaccine", "voters", "refugees", "factories", "tonnes of grain",
          "barrels a day", "civilians"]
VERBS_PAST = ["captured", "evacuated", "built", "closed", "treated", "lost", "added", "cut",
              "opened", "detained", "counted", "relocated"]
REPORTING = ["said", "told reporters", "warned", "claimed", "stated", "reported",
             "indicated", "estimated", "added", "noted"]
DAYS = ["on Monday", "on Tuesday", "last week", "in March", "this year", "since 2019",
        "on 3 May", "in the first half of 2024", "late on Thursday", "earlier this month"]
FUTURE = ["by September 2025", "next year", "within six months", "by the end of the decade",
          "before the winter"]
MODALS = ["will", "could", "may", "is expected to", "is likely to", "might"]
HEDGES = ["reportedly", "allegedly", "apparently", "it is believed"]
CURRENCIES = ["$", "€", "£", "KWD ", "IQD ", "¥"]
EMOJI = ["😀", "🔥", "👍🏽", "🇺🇦", "👨‍👩‍👧", "📈", "🙏", "⚠️", "❤️"]
ISSUES = ["inflation", "the ceasefire", "the water shortage", "the referendum",
          "power cuts", "the new data centre", "unemployment", "the vaccine rollout",
          "fuel prices", "the curfew"]
FILLER = [
    "Residents described long queues for fuel and bread.",
    "The situation remained tense as talks continued through the night.",
    "Shops reopened in the old market, though many stayed shuttered.",
    "The weather was expected to turn colder later in the week.",
    "Traffic on the main highway was diverted for several hours.",
    "Local television showed crowds gathering near the main square.",
]
BOILERPLATE = [
    "This article was produced with the support of a regional journalism fund.",
    "Editing by Samuel Okafor and Lars Eriksson.",
    "Subscribe to our newsletter for the latest updates.",
    "All rights reserved. No part of this article may be reproduced without permission.",
]
GLUES = ["in", "the", "said", "for", "of", "to"]


def _number(rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return str(rng.randint(2, 99))
    if kind == 1:
        return f"{rng.randint(1, 99)},{rng.randint(0, 999):03d}"
    if kind == 2:
        return f"{rng.randint(100, 9999)}"
    if kind == 3:
        return f"{rng.randint(1, 9)}.{rng.randint(1, 9)} million"
    if kind == 4:
        return f"nearly {rng.randint(2, 20) * 50}"
    return rng.choice(["two", "three", "dozens of", "hundreds of", "about 40"])


def _percent(rng: random.Random) -> str:
    return rng.choice([f"{rng.randint(1, 60)}.{rng.randint(0, 9)}%",
                       f"{rng.randint(1, 90)} percent", f"{rng.randint(1, 30)}%"])


def _money(rng: random.Random) -> str:
    cur = rng.choice(CURRENCIES)
    return rng.choice([f"{cur}{rng.randint(1, 999)} million",
                       f"{cur}{rng.randint(1, 40)}.{rng.randint(1, 9)} billion",
                       f"{cur}{rng.randint(10, 9999):,}", f"{cur}{rng.randint(1, 99)}m"])


def _quote_marks(rng: random.Random) -> tuple[str, str]:
    return rng.choice([('"', '"'), ("“", "”"), ("“", "”"), ("‘", "’"), ("«", "»")])


def _sentence(rng: random.Random) -> str:
    person, org, place = rng.choice(PEOPLE), rng.choice(ORGS), rng.choice(PLACES)
    rep, day = rng.choice(REPORTING), rng.choice(DAYS)
    kind = rng.randrange(16)
    if kind == 0:
        return (f"{person}, {rng.choice(ROLES)} {org}, {rep} that {_number(rng)} "
                f"{rng.choice(THINGS)} had been {rng.choice(VERBS_PAST)} in {place} {day}.")
    if kind == 1:
        o, c = _quote_marks(rng)
        return (f"{o}We have {rng.choice(VERBS_PAST)} {_number(rng)} {rng.choice(THINGS)} "
                f"{day}. This is the worst situation we have seen,{c} {person} {rep}.")
    if kind == 2:
        o, c = _quote_marks(rng)
        return (f"{person} told {rng.choice(OUTLETS)}: {o}Nobody expected {rng.choice(ISSUES)} "
                f"to last this long.{c}")
    if kind == 3:
        return (f"According to {org}, {rng.choice(ISSUES)} rose {_percent(rng)} {day}, "
                f"the highest level since {rng.randint(1990, 2022)}.")
    if kind == 4:
        return (f"The government {rng.choice(MODALS)} spend {_money(rng)} on "
                f"{rng.choice(ISSUES)} {rng.choice(FUTURE)}, {person} {rep}.")
    if kind == 5:
        return (f"{org} {rng.choice(HEDGES) if rng.random() < 0.5 else ''} "
                f"{rng.choice(VERBS_PAST)} {_number(rng)} {rng.choice(THINGS)} near {place} "
                f"{day}.").replace("  ", " ")
    if kind == 6:
        return (f"Revenue at {org} fell {_percent(rng)} to {_money(rng)} in the "
                f"{rng.choice(['first', 'second', 'third', 'fourth'])} quarter, "
                f"{rng.choice(OUTLETS)} reported.")
    if kind == 7:
        return (f"{rng.choice(ISSUES).capitalize()} led to {_number(rng)} "
                f"{rng.choice(THINGS)} being {rng.choice(VERBS_PAST)}, because of "
                f"delays in {place}.")
    if kind == 8:
        return f"What happens next in {place}?"
    if kind == 9:
        return f"I think {rng.choice(ISSUES)} is the real story here."
    if kind == 10:
        return (f"{person} {rng.choice(MODALS)} visit {place} {rng.choice(FUTURE)} to "
                f"discuss {rng.choice(ISSUES)} with {rng.choice(PEOPLE)}.")
    if kind == 11:
        o, c = _quote_marks(rng)
        return (f"In a statement, {org} said the figures were {o}deeply worrying{c} and "
                f"called for an inquiry into {rng.choice(ISSUES)}.")
    if kind == 12:
        return (f"Some {_number(rng)} people, {_percent(rng)} of them children, have fled "
                f"{place} {day}, the {rng.choice(['UN', 'IOM', 'UNHCR'])} estimated.")
    return rng.choice(FILLER)


def _glue(rng: random.Random, sentence: str) -> str:
    """Drop the space after one small word, as a bad HTML-to-text step does ("inIraq")."""
    for word in rng.sample(GLUES, len(GLUES)):
        i = sentence.find(f" {word} ")
        if i >= 0 and sentence[i + len(word) + 2: i + len(word) + 3].isupper():
            j = i + 1 + len(word)
            return sentence[:j] + sentence[j + 1:]
    # "saidThursday"-style glue where no capital follows a small word
    i = sentence.find(" said ")
    if i >= 0:
        return sentence[:i + 5] + "Thursday " + sentence[i + 6:]
    return sentence


def _paragraph(rng: random.Random, sentences: int) -> str:
    out = []
    for _ in range(sentences):
        s = _sentence(rng)
        s = s[0].upper() + s[1:]  # "The United Nations ..." at the start of a sentence
        if rng.random() < 0.05:
            s = _glue(rng, s)
        if rng.random() < 0.02:
            s = f"{s} {rng.choice(EMOJI)}"
        out.append(s)
    return " ".join(out)


def article(i: int, seed: int = SEED) -> dict[str, Any]:
    """Article number ``i`` of the corpus with this seed: ``{"text", "meta"}``."""
    rng = random.Random(seed * 1_000_003 + i)
    outlet = rng.choice(OUTLETS)
    date = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    long = i % LONG_EVERY == LONG_AT
    paragraphs = [f"{rng.choice(DATELINES)}, {date} ({outlet}) — " + _paragraph(rng, 3)]
    if rng.random() < 0.3:
        paragraphs.insert(0, f"By {rng.choice(PEOPLE)}")
    size = sum(len(p) for p in paragraphs)
    target = LONG_CHARS if long else rng.choice([400, 1200, 2000, 3000, 4000, 6000])
    while size < target:
        p = _paragraph(rng, rng.randint(2, 5))
        paragraphs.append(p)
        size += len(p) + 2
    if rng.random() < 0.25:
        paragraphs.append(rng.choice(BOILERPLATE))
    if rng.random() < 0.1:
        paragraphs[-1] += " " + "".join(rng.sample(EMOJI, 2))
    # Reference number: makes every article unique, as real wire copy is.
    paragraphs.append(f"({outlet} ref. {seed}-{i})")
    text = "\n\n".join(paragraphs)
    if long and len(text) > LONG_CHARS:
        cut = text.rfind(". ", 0, LONG_CHARS - 40) + 1
        text = text[:cut] + f"\n\n({outlet} ref. {seed}-{i})"
    headline = " ".join(_sentence(rng).split()[:9]).rstrip(".,")
    meta = {"title": headline, "source": outlet, "date": date,
            "url": f"https://news.example/{date}/{i}", "id": i}
    return {"text": text, "meta": meta}


def articles(n: int, seed: int = SEED, start: int = 0) -> Iterator[dict[str, Any]]:
    """Articles ``start`` .. ``start + n - 1``; the same arguments give the same articles."""
    for i in range(start, start + n):
        yield article(i, seed)


def write_corpus(folder: Path | str, n: int, seed: int = SEED, jsonl_share: float = 0.5,
                 per_jsonl: int = 500) -> list[Path]:
    """Write ``n`` articles under ``folder`` (``txt/`` and ``jsonl/``); returns the files."""
    folder = Path(folder)
    (folder / "txt").mkdir(parents=True, exist_ok=True)
    (folder / "jsonl").mkdir(parents=True, exist_ok=True)
    n_jsonl = int(n * jsonl_share)
    paths: list[Path] = []
    batch: list[str] = []
    for k, item in enumerate(articles(n, seed)):
        if k < n - n_jsonl:
            path = folder / "txt" / f"article-{k:06d}.txt"
            text = item["text"]
            if k % 3 == 0:  # the header line the importer parses into meta
                meta = item["meta"]
                text = (f"date {meta['date']} {meta['date']} 09:{k % 60:02d}:00 - Source: "
                        f"{meta['source']}\n\n{text}")
            path.write_text(text, encoding="utf-8")
            paths.append(path)
            continue
        batch.append(json.dumps(item, ensure_ascii=False))
        if len(batch) == per_jsonl or k == n - 1:
            path = folder / "jsonl" / f"batch-{len(paths):06d}.jsonl"
            path.write_text("\n".join(batch) + "\n", encoding="utf-8")
            paths.append(path)
            batch = []
    return paths


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m bench.corpus N FOLDER", file=sys.stderr)
        return 2
    paths = write_corpus(Path(argv[1]), int(argv[0]))
    print(f"wrote {int(argv[0])} articles in {len(paths)} files under {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
