"""Migration in: ``python -m bench.migrate memory`` and ``python -m bench.migrate roundtrip``.

``memory``: a Label Studio JSON export of about ``--mb`` megabytes (one array of tasks,
each with its entity regions: the generated articles of :mod:`bench.corpus`, repeated
with a number appended so each text is new) imported by ``annotator import`` in a
process of its own; its peak resident memory (``VmHWM``) against the 300 MB that the
JSONL import keeps.

``roundtrip``: the 205-document corpus (the 5 bundled samples and 200 generated
articles), entities (the generator's names, places, outlets and dates) and claims (each
sentence with "said" or "according to", linked to a person inside it, with type,
check-worthiness, hedging and outlet), all accepted, every document done, exported in
each format and imported back into a new project: the counts on both sides, and what
differs (nothing, or the export's own counted skips).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB = 300.0
SAID = re.compile(r"[^.!?\n]*\b(?:said|according to)\b[^.!?\n]*[.!?]")


# --- memory -------------------------------------------------------------------------


def write_labelstudio(path: Path, megabytes: float, most: int | None = None
                      ) -> tuple[int, int]:
    """A Label Studio JSON list of tasks of about ``megabytes`` (or ``most`` tasks):
    (tasks, regions)."""
    from bench.corpus import articles
    from bench.peers import _entity_pattern, annotate

    pattern = _entity_pattern()
    base = []
    for item in articles(2000):
        text = item["text"]
        base.append((text, annotate(text, pattern)))
    size, tasks, regions = 0, 0, 0
    limit = int(megabytes * 1_000_000)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("[")
        while size < limit and (most is None or tasks < most):
            text, spans = base[tasks % len(base)]
            text = f"{text} [{tasks}]"
            task = {"id": tasks, "data": {"text": text}, "annotations": [{"result": [
                {"id": f"r{k}", "from_name": "label", "to_name": "text", "type": "labels",
                 "value": {"start": s, "end": e, "text": text[s:e], "labels": [label]}}
                for k, (s, e, label) in enumerate(spans)]}]}
            line = ("\n" if not tasks else ",\n") + json.dumps(task, ensure_ascii=False)
            fh.write(line)
            size += len(line.encode("utf-8"))
            tasks += 1
            regions += len(spans)
        fh.write("\n]\n")
    return tasks, regions


def memory(megabytes: float = 200.0, most: int | None = None) -> dict[str, Any]:
    from bench.export import measure

    with tempfile.TemporaryDirectory(prefix="bench-migrate-") as tmp:
        folder = Path(tmp)
        path = folder / "ls.json"
        tasks, regions = write_labelstudio(path, megabytes, most)
        size_mb = path.stat().st_size / 1e6
        code = "from annotator.cli import main; main()"
        seconds, peak = measure(code, ["import", "--db", str(folder / "p.db"), str(path),
                                       "--add-labels"])
        from annotator.store import Store

        store = Store(folder / "p.db")
        docs, spans = store.count_documents(), store.conn.execute(
            "SELECT count(*) FROM spans").fetchone()[0]
        store.close()
    assert (docs, spans) == (tasks, regions), (docs, spans, tasks, regions)
    name = (f"import a {size_mb:.0f} MB Label Studio JSON (one array), peak memory"
            if most is None else
            f"import a Label Studio JSON of {tasks:,} tasks (one array), peak memory")
    return {"name": name,
            "value": round(peak, 1), "unit": "MB", "baseline": None, "ratio": None,
            "target": TARGET_MB, "higher_is_better": False, "meets": peak < TARGET_MB,
            "detail": {"tasks": tasks, "regions": regions, "seconds": round(seconds, 1),
                       "file_mb": round(size_mb, 1)}}


# --- round trip -----------------------------------------------------------------------


def corpus_lines(generated: int = 200) -> list[dict[str, Any]]:
    """The 205 documents (the 5 samples and ``generated`` articles) as our JSONL:
    entities and claims, all accepted, done."""
    from bench.corpus import articles
    from bench.peers import _entity_pattern, annotate

    pattern = _entity_pattern()
    texts = [p.read_text(encoding="utf-8")
             for p in sorted((ROOT / "resources" / "samples").glob("*.txt"))][:5]
    texts += [item["text"] for item in articles(generated)]
    out = []
    for n, text in enumerate(texts):
        spans = annotate(text, pattern, most=10_000)
        claims = []
        for m in SAID.finditer(text):
            start = m.start() + len(m.group()) - len(m.group().lstrip())
            if start >= m.end() or any(s < start < e for s, e, _ in spans):
                continue
            who = next(((s, e, lab) for s, e, lab in spans
                        if start <= s and e <= m.end() and lab == "PERSON"), None)
            claims.append({
                "start": start, "end": m.end(), "claim_type": "reported",
                "checkworthy": ("yes", "no", "unsure")[n % 3], "hedged": n % 2 == 0,
                "via": "Reuters" if n % 4 == 0 else None,
                "claimant": ({"text": text[who[0]:who[1]], "start": who[0], "end": who[1],
                              "label": who[2]} if who else {"text": "author"})})
        out.append({"text": text, "meta": {"n": n}, "answer": "accept",
                    "spans": [{"start": s, "end": e, "label": lab} for s, e, lab in spans],
                    "claims": claims})
    return out


def counts(store: Any) -> Counter[str]:
    """What a project holds: documents by status, spans, claim attributes, links."""
    c: Counter[str] = Counter()
    for doc in store.iter_documents():
        c[f"documents {doc.status}"] += 1
        spans = store.spans(doc.id)
        by_id = {s.id: s for s in spans}
        for s in spans:
            if s.decision != "accepted":
                continue
            c[f"{s.layer} spans"] += 1
            if s.claim is not None:
                for name in ("claim_type", "checkworthy", "hedged", "via"):
                    c[f"claim {name}"] += getattr(s.claim, name) is not None
                target = by_id.get(s.claim.claimant_span_id)
                c["claimant links"] += target is not None
                c["claimant texts"] += s.claim.claimant_text is not None
    return c


ALL_ATTRIBUTES = ("claim_type", "checkworthy", "hedged", "via", "claimant_text",
                  "claimant")


def documents(store: Any, attributes: tuple[str, ...] = ("claim_type", "checkworthy")
              ) -> dict[str, Any]:
    """text -> (status, accepted spans with the claims' ``attributes``; ``claimant``:
    the linked entity's offsets and label)."""
    out = {}
    for doc in store.iter_documents():
        items = []
        spans = store.spans(doc.id)
        by_id = {s.id: s for s in spans}
        for s in spans:
            if s.decision == "accepted":
                attrs: tuple[Any, ...] = ()
                if s.claim is not None:
                    target = by_id.get(s.claim.claimant_span_id)
                    attrs = tuple(((target.start, target.end, target.label) if target else None)
                                  if a == "claimant" else getattr(s.claim, a)
                                  for a in attributes)
                items.append((s.layer, s.start, s.end, s.label, *attrs))
        out[doc.text] = (doc.status, sorted(items, key=str))
    return out


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What differs between two :func:`documents`, one line each (empty: the same)."""
    lines = [f"missing document {t[:40]!r}" for t in before if t not in after]
    lines += [f"extra document {t[:40]!r}" for t in after if t not in before]
    for text in set(before) & set(after):
        if before[text] != after[text]:
            lines.append(f"differs {text[:40]!r}: {before[text]} != {after[text]}"[:400])
    return lines


FORMATS = {  # name: (export format, options, output name)
    "jsonl": ("jsonl", {"layer": "all"}, "out.jsonl"),
    "doccano --layer all": ("doccano", {"layer": "all"}, "out.jsonl"),
    "labelstudio": ("labelstudio", {"layer": "all"}, "out.json"),
    "spacy": ("spacy", {"layer": "all"}, "out"),
    "conll": ("conll", {}, "out.conll"),
}


def roundtrip() -> list[dict[str, Any]]:
    from annotator.export import ExportOptions, export
    from annotator.importers import import_paths
    from annotator.store import Store

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-migrate-") as tmp:
        folder = Path(tmp)
        src = folder / "corpus.jsonl"
        src.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n"
                               for x in corpus_lines()), encoding="utf-8")
        store = Store(folder / "source.db")
        import_paths(store, [src], add_labels=True)
        before = counts(store)
        for name, (fmt, opts, out_name) in FORMATS.items():
            out = folder / name.replace(" ", "_") / out_name
            out.parent.mkdir()
            summary = export(store, fmt, out, ExportOptions(**opts))
            paths = sorted(out.glob("*.spacy")) if fmt == "spacy" else [out]
            other = Store(out.parent / "again.db")
            result = import_paths(other, paths, add_labels=True)
            after = counts(other)
            other.close()
            rows.append({"format": name, "before": dict(before), "after": dict(after),
                         "export_skipped": dict(summary.skipped),
                         "import_left_out": dict(result.left_out),
                         "import_repaired": dict(result.repaired)})
        store.close()
    return rows


def run(n_docs: int) -> list[dict[str, Any]]:
    """The runner's row (:mod:`bench`): peak memory of importing ``n_docs`` Label Studio
    tasks (31,000 make about 200 MB) against the 300 MB target."""
    return [memory(megabytes=1e9, most=n_docs)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["memory", "roundtrip"])
    parser.add_argument("--mb", type=float, default=200.0)
    args = parser.parse_args(argv)
    if args.what == "memory":
        print(json.dumps(memory(args.mb), indent=2))
    else:
        for row in roundtrip():
            print(json.dumps(row, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
