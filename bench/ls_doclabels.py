"""Document labels (issue 25) through a real Label Studio: ``python -m bench.ls_doclabels``
(not in CI; the Label Studio 1.23 of ``make bench-peers``, in its own venv outside the
project, bound to 127.0.0.1 only, stopped at the end).

The bundled samples and an article of emoji, Arabic and accents are imported, every one
given document labels of two categories added for the run (``subject``: multi-label,
``tone``: exclusive) through :func:`annotator.editing.doc_labels.choose`, and marked done;
then ``annotator export --format labelstudio``. A Label Studio project is made with the
exported config (Label Studio validates it: a bad one is refused with 400), the tasks
imported through its API (validated against the config), and read back: tasks,
annotations, and the document-level ``choices`` results per category and label, against
those written; then Label Studio's own JSON export of the project is imported by
``annotator import --add-labels`` into a new project and its document labels compared
document by document (and ``tone`` must come back exclusive, as the config's
``choice="single"`` says). Exits 1 when anything differs, 0 otherwise (also when Label
Studio is not installed: it says so).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from .ls_roundtrip import HOSTILE, ROOT, annotator
from .peers import LabelStudio, Unavailable, cache_dir, ensure_label_studio

CATEGORIES = {"subject": (False, ("war", "trade", "vote", "disease")),
              "tone": (True, ("calm", "alarmed", "sober"))}


def choices(tasks: list[dict[str, Any]]) -> Counter[str]:
    """Document-level choices per ``category=label`` over the tasks' annotations."""
    out: Counter[str] = Counter()
    for task in tasks:
        for annotation in task["annotations"]:
            for r in annotation["result"]:
                if r["type"] == "choices" and r["from_name"] in CATEGORIES:
                    out.update(f"{r['from_name']}={c}" for c in r["value"]["choices"])
    return out


def by_text(db: Path) -> dict[str, list[tuple[str, str]]]:
    """text -> sorted (category, label) of the accepted document labels."""
    from annotator.store import Store

    with Store(db, readonly=True) as store:
        out = {}
        for doc_id in store.document_ids():
            doc = store.get_document(doc_id)
            assert doc is not None
            out[doc.text] = sorted((x.category, x.label) for x in store.doc_labels(doc_id)
                                   if x.decision == "accepted")
        return out


def make_source(folder: Path) -> Path:
    """The samples and the hostile article, document-labelled and done."""
    from annotator.editing.doc_labels import choose
    from annotator.labels import add
    from annotator.model import Label, LabelCategory
    from annotator.store import Store

    db = folder / "p.db"
    (folder / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    samples = sorted(str(p) for p in (ROOT / "resources" / "samples").glob("*.txt"))
    annotator("import", "--db", str(db), *samples, str(folder / "hostile.txt"))
    with Store(db) as store:
        for name, (exclusive, labels) in CATEGORIES.items():
            for n, label in enumerate(labels):
                add(store, Label(label, "doc", "", category=name), None,
                    category=LabelCategory(name, exclusive) if n == 0 else None)
        for i, doc_id in enumerate(store.document_ids()):
            subjects = CATEGORIES["subject"][1]
            for label in {subjects[i % 4], subjects[(i * 3 + 1) % 4]}:
                choose(store, doc_id, "subject", label, annotator="alice")
            if i % 3:  # some documents without a tone
                choose(store, doc_id, "tone", CATEGORIES["tone"][1][i % 3], annotator="alice")
    annotator("mark", "done", "--all", "--db", str(db))
    return db


def main() -> int:
    try:
        installed = ensure_label_studio(cache_dir(), install=True)
    except Unavailable as exc:
        print(f"Label Studio is not available ({exc}); nothing measured")
        return 0
    with tempfile.TemporaryDirectory(prefix="ls-doclabels-") as tmp:
        folder = Path(tmp)
        db, out = make_source(folder), folder / "ls.json"
        annotator("export", "--db", str(db), "--format", "labelstudio", "--out", str(out))
        written = json.loads(out.read_text(encoding="utf-8"))
        config = out.with_suffix(".label_config.xml").read_text(encoding="utf-8")
        with LabelStudio(installed, folder / "ls") as ls:
            print(f"Label Studio {installed.version} on 127.0.0.1:{ls.port}")
            project = ls.api("POST", "/api/projects", {"title": "document labels",
                                                       "label_config": config},
                             expect=201)["id"]
            status, data = ls.request("POST", f"/api/projects/{project}/import", out)
            print(f"import: {status} {data.decode()[:200]}")
            if status != 201:
                return 1
            listed = ls.api("GET", f"/api/tasks?project={project}&page=1&page_size=1000")
            ids = [t["id"] for t in (listed["tasks"] if isinstance(listed, dict) else listed)]
            arrived = [ls.api("GET", f"/api/tasks/{i}") for i in ids]
            controls = ls.api("GET", f"/api/projects/{project}")["parsed_label_config"]
            ls.timed_export(project, folder / "back.json")
            back = json.loads((folder / "back.json").read_text(encoding="utf-8"))
        (folder / "back.label_config.xml").write_text(config, encoding="utf-8")
        imported = subprocess.run(
            [sys.executable, "-m", "annotator", "import", "--db", str(folder / "back.db"),
             "--add-labels", str(folder / "back.json")],
            check=True, capture_output=True, text=True).stdout
        source, again = by_text(db), by_text(folder / "back.db")
        from annotator.store import Store

        with Store(folder / "back.db", readonly=True) as store:
            tone = store.label_scheme().category("tone")
    annotations = sum(len(t["annotations"]) for t in arrived)
    want, got, exported = choices(written), choices(arrived), choices(back)
    print("Label Studio parsed the config's Choices: " + ", ".join(
        f"{name} {controls[name]['type']} ({len(controls[name]['labels'])} choices)"
        for name in CATEGORIES))
    print(f"tasks: {len(arrived)} of {len(written)} arrived, annotations {annotations}; "
          f"document choices: {sum(got.values())} of {sum(want.values())}, per label equal: "
          f"{got == want}; in its own export: {sum(exported.values())}")
    for key in sorted(want):
        print(f"  {key}: written {want[key]}, arrived {got[key]}, in its export {exported[key]}")
    differ = [t[:40] for t in source if source[t] != again.get(t)]
    print(f"imported back with `annotator import --add-labels`: "
          f"{sum(map(len, again.values()))} of {sum(map(len, source.values()))} document "
          f"labels; documents that differ: {len(differ)}; tone exclusive: "
          f"{tone is not None and tone.exclusive}")
    print("  " + imported.strip().replace("\n", "\n  "))
    ok = (len(arrived) == len(written) and annotations == len(written) and got == want
          and exported == want and not differ and tone is not None and tone.exclusive)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
