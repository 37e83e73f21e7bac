"""Articles for tests/team_round.sh, with planted entities at known offsets.

``python tests/team_round/articles.py OUT`` writes, from a fixed seed:

- ``OUT/round1.jsonl`` (60 articles) and ``OUT/round2.jsonl`` (30): ``text`` and ``meta``
  (``key``: ``art-001`` ..., and a ``title`` that starts with it), no labels: what a lead
  imports;
- ``OUT/truth.jsonl``: one ``annotator decide`` line per planted entity (an ``add``,
  naming its document by ``meta.key``), then a ``mark done`` line per article: what a
  careful annotator decides;
- ``OUT/unseen.jsonl`` (30 articles never trained on) as text only, and
  ``OUT/unseen_gold.jsonl``, the same with their planted ``spans``.

Planted labels: PERSON, ORG, GPE, MONEY and a label no shipped model knows, VESSEL (ship
names after "the tanker", "the freighter", ...). Standard library only: the round is
driven from the shell, without importing Annotator.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

SEED = 23
PEOPLE = ["Maria Lopez", "John Whitaker", "Fatima Zahra", "Chen Wei", "Samuel Okafor",
          "Priya Raman", "Lars Eriksson", "Amina Yusuf", "Grace Mensah", "Hiroshi Tanaka",
          "Olena Kovalenko", "Nadia Haddad"]
ORGS = ["World Health Organization", "Red Cross", "United Nations", "European Commission",
        "International Monetary Fund", "Amnesty International", "World Food Programme"]
PLACES = ["Iraq", "Syria", "Madrid", "Lagos", "Kenya", "Jakarta", "Nairobi", "Hamburg",
          "Manila", "Brazil", "Egypt", "Peru"]
SHIP_FIRST = ["Nordic", "Ocean", "Silver", "Eastern", "Golden", "Pacific", "Arctic", "Coral",
              "Crimson", "Iron", "Northern", "Southern", "Royal", "Atlantic", "Jade", "Amber"]
SHIP_SECOND = ["Star", "Spirit", "Dawn", "Voyager", "Pride", "Glory", "Horizon", "Wave",
               "Falcon", "Breeze", "Trader", "Express"]
SHIPS = ["tanker", "freighter", "cargo ship", "container ship", "bulk carrier"]
FILLER = ["Residents described the situation as difficult.",
          "Prices rose sharply over the summer.",
          "The talks are expected to continue next month.",
          "Officials declined to give further details.",
          "Local schools reopened after a long closure."]


def _money(rng: random.Random) -> str:
    return f"${rng.randint(2, 90)}.{rng.randint(1, 9)} million"


def _sentence(rng: random.Random, kind: str) -> list[tuple[str, str | None]]:
    """One sentence as (piece, label) pairs: a labelled piece is a planted entity."""
    person, org, place = rng.choice(PEOPLE), rng.choice(ORGS), rng.choice(PLACES)
    ship = f"{rng.choice(SHIP_FIRST)} {rng.choice(SHIP_SECOND)}"
    if kind == "quote":
        return [(person, "PERSON"), (", a spokesperson for the ", None), (org, "ORG"),
                (", said on Monday that aid would reach ", None), (place, "GPE"),
                (" within days.", None)]
    if kind == "money":
        return [("The government pledged ", None), (_money(rng), "MONEY"),
                (" to rebuild schools, according to officials in ", None), (place, "GPE"),
                (".", None)]
    if kind == "ship":
        return [("Port officials said the ", None), (rng.choice(SHIPS), None), (" ", None),
                (ship, "VESSEL"), (" had docked in ", None), (place, "GPE"),
                (" after a long delay.", None)]
    if kind == "crew":
        return [("Crew members aboard the ", None), (rng.choice(SHIPS), None), (" ", None),
                (ship, "VESSEL"), (" reported calm seas.", None)]
    if kind == "told":
        return [(person, "PERSON"), (" told reporters that the ", None), (org, "ORG"),
                (" would publish its findings next week.", None)]
    return [(rng.choice(FILLER), None)]


def article(rng: random.Random, key: str) -> dict[str, Any]:
    kinds = ["quote", "money", "told", "filler"]
    if rng.random() < 0.7:
        kinds.append(rng.choice(["ship", "crew"]))
    if rng.random() < 0.3:
        kinds.append("ship")
    rng.shuffle(kinds)
    text, spans = "", []
    for i, kind in enumerate(kinds):
        if i:
            text += " "
        for piece, label in _sentence(rng, kind):
            if label is not None:
                spans.append({"start": len(text), "end": len(text) + len(piece),
                              "label": label})
            text += piece
    return {"text": text, "meta": {"key": key, "title": f"{key} {text[:50]}"}, "spans": spans}


def write(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    batches = {"round1": 60, "round2": 30, "unseen": 30}
    n = 0
    made: dict[str, list[dict[str, Any]]] = {}
    for name, count in batches.items():
        made[name] = []
        for _ in range(count):
            n += 1
            made[name].append(article(rng, f"art-{n:03d}"))

    def dump(path: Path, rows: list[dict[str, Any]]) -> None:
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")

    for name in ("round1", "round2", "unseen"):
        dump(out / f"{name}.jsonl", [{"text": a["text"], "meta": a["meta"]}
                                     for a in made[name]])
    dump(out / "unseen_gold.jsonl", made["unseen"])
    truth = []
    for a in made["round1"] + made["round2"]:
        ref = {"key": a["meta"]["key"]}
        truth += [{"do": "add", "meta": ref, **s} for s in a["spans"]]
        truth.append({"do": "mark", "meta": ref, "status": "done"})
    dump(out / "truth.jsonl", truth)


if __name__ == "__main__":
    write(Path(sys.argv[1]))
