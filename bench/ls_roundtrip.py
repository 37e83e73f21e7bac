"""Our Label Studio export loaded into a real Label Studio server, counted:
``python -m bench.ls_roundtrip`` (not in CI; uses the Label Studio of ``make bench-peers``,
installed into its own venv, bound to 127.0.0.1 only).

The bundled samples and one article of emoji, Arabic and combining accents are imported,
suggested, every suggestion accepted and every document marked done, then exported with
``annotator export --format labelstudio``. A project with the exported label config is
made in Label Studio, the tasks imported through its API and read back one by one: the
tasks, annotations and results that arrived against those written, per label, the
regions whose ``text`` is not ``data.text[start:end]`` in Label Studio, their origins, the
claims' attributes (claimant relations, claimant text, via, hedged, type,
check-worthiness) and whose labels they are (``data.annotated_by``), and Label Studio's own
export of the project; then the way back: that export imported by ``annotator import``
into a new project, compared document by document (text, status, spans, labels, every
claim attribute and claimant link). Exits 1 when anything differs, 0 otherwise (also
when Label Studio is not installed: it says so).

``--generated N``: the corpus is instead the 5 samples and ``N`` generated articles of
:func:`bench.migrate.corpus_lines` (entities and claims, all accepted, done), imported
with ``--add-labels``; ``--generated 200`` is issue 24's 205-document round trip.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from .peers import LabelStudio, Unavailable, cache_dir, ensure_label_studio

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ("👍🏽 Officials in Baghdad said on Monday that 1,500 families 👨‍👩‍👧 had returned, "
           "according to محمد علي of the United Nations. “We counted 300 homes,” said "
           "Zoé Lefèvre.\n")


def annotator(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "annotator", *args], check=True,
                   capture_output=True, text=True)


def results(tasks: list[dict[str, Any]]) -> Counter[str]:
    """Results per label (regions) or per control (claim attributes); not relations."""
    out: Counter[str] = Counter()
    for task in tasks:
        for annotation in task["annotations"]:
            for r in annotation["result"]:
                if r["type"] == "relation":
                    continue  # counted by carried()
                out[r["value"]["labels"][0] if r["type"] == "labels"
                    else f"({r['from_name']})"] += 1
    return out


def carried(tasks: list[dict[str, Any]]) -> Counter[str]:
    """The claims' attributes and the annotator: claimant relations (whose ends are both
    regions of the annotation), per-region results by control, and tasks that name
    their annotator."""
    out: Counter[str] = Counter()
    for task in tasks:
        if task["data"].get("annotated_by"):
            out["annotator"] += 1
        for annotation in task["annotations"]:
            ids = {r["id"] for r in annotation["result"] if r["type"] == "labels"}
            for r in annotation["result"]:
                if r["type"] == "relation":
                    whole = r["from_id"] in ids and r["to_id"] in ids
                    out[f"relation {r.get('labels')}{'' if whole else ' (dangling)'}"] += 1
                elif r["type"] != "labels":
                    out[r["from_name"]] += 1
    return out


def make_source(folder: Path, generated: int | None) -> str:
    """The project to export: the samples and the hostile article, suggested, accepted
    and done; or, with ``generated``, :func:`bench.migrate.corpus_lines`."""
    db = str(folder / "p.db")
    if generated is not None:
        from bench.migrate import corpus_lines

        src = folder / "corpus.jsonl"
        src.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n"
                               for x in corpus_lines(generated)), encoding="utf-8")
        annotator("import", "--db", db, "--add-labels", str(src))
        return db
    (folder / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    samples = sorted(str(p) for p in (ROOT / "resources" / "samples").glob("*.txt"))
    annotator("import", "--db", db, *samples, str(folder / "hostile.txt"))
    annotator("suggest", "--db", db)
    annotator("accept", "--db", db)
    annotator("mark", "done", "--all", "--db", db)
    return db


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=int, metavar="N",
                        help="the 5 samples and N generated articles instead")
    args = parser.parse_args(argv)
    try:
        installed = ensure_label_studio(cache_dir(), install=True)
    except Unavailable as exc:
        print(f"Label Studio is not available ({exc}); nothing measured")
        return 0
    with tempfile.TemporaryDirectory(prefix="ls-roundtrip-") as tmp:
        folder = Path(tmp)
        db, out = make_source(folder, args.generated), folder / "ls.json"
        annotator("export", "--db", db, "--format", "labelstudio", "--out", str(out))
        written = json.loads(out.read_text(encoding="utf-8"))
        config = out.with_suffix(".label_config.xml").read_text(encoding="utf-8")
        with LabelStudio(installed, folder / "ls") as ls:
            print(f"Label Studio {installed.version} on 127.0.0.1:{ls.port}")
            project = ls.api("POST", "/api/projects", {"title": "annotator export",
                                                       "label_config": config},
                             expect=201)["id"]
            status, data = ls.request("POST", f"/api/projects/{project}/import", out)
            if status != 201:
                print(f"import refused: {status} {data[:500]!r}")
                return 1
            listed = ls.api("GET", f"/api/tasks?project={project}&page=1&page_size=1000")
            ids = [t["id"] for t in (listed["tasks"] if isinstance(listed, dict) else listed)]
            arrived = [ls.api("GET", f"/api/tasks/{i}") for i in ids]
            misplaced = sum(
                1 for t in arrived for a in t["annotations"] for r in a["result"]
                if r["type"] == "labels"
                and t["data"]["text"][r["value"]["start"]:r["value"]["end"]] != r["value"]["text"])
            origins = Counter(r.get("origin") for t in arrived for a in t["annotations"]
                              for r in a["result"])
            ls.timed_export(project, folder / "back.json")
            back = json.loads((folder / "back.json").read_text(encoding="utf-8"))
        # the way back: Label Studio's own export imported into a new project
        from annotator.store import Store
        from bench.migrate import ALL_ATTRIBUTES, counts, differences, documents

        (folder / "back.label_config.xml").write_text(config, encoding="utf-8")
        annotator("import", "--db", str(folder / "back.db"), str(folder / "back.json"))
        stores = [Store(folder / "p.db"), Store(folder / "back.db")]
        diff = differences(*(documents(x, ALL_ATTRIBUTES) for x in stores))
        spans_back = [x.conn.execute("SELECT count(*) FROM spans WHERE decision = 'accepted'")
                      .fetchone()[0] for x in stores]
        projects = [counts(x) for x in stores]
        for x in stores:
            x.close()
    want, got = results(written), results(arrived)
    want_attrs, got_attrs, back_attrs = carried(written), carried(arrived), carried(back)
    print(f"tasks: {len(arrived)} of {len(written)} arrived; results: {sum(got.values())} of "
          f"{sum(want.values())}; per label equal: {got == want}")
    for label in sorted(want.keys() | got.keys()):
        print(f"  {label}: written {want[label]}, arrived {got[label]}")
    print(f"regions whose text is not data.text[start:end]: {misplaced}; origins: "
          f"{dict(origins)}")
    print(f"Label Studio's own export: {len(back)} tasks, {sum(results(back).values())} results")
    for key in sorted(want_attrs.keys() | got_attrs.keys() | back_attrs.keys()):
        print(f"  {key}: written {want_attrs[key]}, arrived {got_attrs[key]}, "
              f"in its export {back_attrs[key]}")
    print(f"imported back with `annotator import`: {spans_back[1]} of {spans_back[0]} "
          f"accepted spans; documents that differ (text, status, spans, labels, claim "
          f"attributes, claimant links): {len(diff)}")
    for key in sorted(projects[0].keys() | projects[1].keys()):
        print(f"  {key}: exported project {projects[0][key]}, imported back "
              f"{projects[1][key]}")
    for line in diff[:10]:
        print(f"  {line}")
    ok = (len(arrived) == len(written) and got == want and misplaced == 0
          and results(back) == want and got_attrs == want_attrs == back_attrs and not diff)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
