"""Our doccano export through a real doccano and back, counted:
``python -m bench.doccano_roundtrip [--generated N]`` (not in CI; doccano 1.8.4 from its
own venv, as :mod:`bench.peer_fixtures` installs and runs it, bound to 127.0.0.1 only
and stopped at the end).

The corpus of :func:`bench.ls_roundtrip.make_source` (the samples and one hostile
article, suggested, accepted and done; or with ``--generated N`` the 5 samples and N
generated articles with entities and claims, all accepted, done) is exported with
``annotator export --format doccano --layer all``, imported into a doccano
sequence-labelling project that allows overlapping spans (claims contain entities),
exported by doccano as JSONL, and that file imported by ``annotator import
--add-labels`` into a new project; then compared document by document: texts byte for
byte, spans, labels and layers (claims told apart by the project's claim label). The
format holds no claim attributes or claimant links; the documents' statuses travel only
as our ``meta.status``, which doccano keeps as metadata: counted, not part of the
comparison. Exits 1 when a text, span or label differs, 0 otherwise (also when doccano
cannot be installed: it says so).
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

from .ls_roundtrip import annotator, make_source
from .peer_fixtures import Doccano, ensure_doccano
from .peers import cache_dir


def labels(lines: list[dict[str, Any]]) -> Counter[str]:
    """Spans per label in doccano JSONL lines."""
    return Counter(str(triple[2]) for item in lines for triple in item.get("label", []))


def read_lines(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(raw) for raw in data.decode("utf-8").splitlines() if raw.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=int, metavar="N",
                        help="the 5 samples and N generated articles instead")
    args = parser.parse_args(argv)
    try:
        venv = ensure_doccano(cache_dir())
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"doccano is not available ({exc}); nothing measured")
        return 0
    version = subprocess.run([str(venv / "bin" / "python"), "-c", "import importlib.metadata"
                              " as m; print(m.version('doccano'))"], capture_output=True,
                             text=True, check=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="doccano-roundtrip-") as tmp:
        folder = Path(tmp)
        db, out = make_source(folder, args.generated), folder / "doccano.jsonl"
        annotator("export", "--db", db, "--format", "doccano", "--layer", "all",
                  "--out", str(out))
        written = read_lines(out.read_bytes())
        with Doccano(venv, folder / "doccano-home") as dc:
            print(f"doccano {version} on 127.0.0.1:{dc.port}")
            project = dc.api("POST", "/v1/projects", {
                "name": "annotator round trip", "description": "all layers",
                "project_type": "SequenceLabeling",
                "resourcetype": "SequenceLabelingProject", "guideline": "",
                "allow_overlapping": True, "use_relation": False, "grapheme_mode": False,
                "random_order": False, "collaborative_annotation": False, "tags": []},
                expect=201)["id"]
            dc.upload(project, out, "JSONL", "SequenceLabeling")
            examples = dc.api("GET", f"/v1/projects/{project}/examples?limit=1&offset=0")
            back = folder / "back.jsonl"
            back.write_bytes(dc.export(project, "JSONL"))
        exported = read_lines(back.read_bytes())
        from annotator.store import Store
        from bench.migrate import counts, differences, documents

        annotator("import", "--db", str(folder / "back.db"), "--add-labels", str(back))
        stores = [Store(folder / "p.db"), Store(folder / "back.db")]
        # statuses apart: the comparison is of texts, layers, offsets and labels
        docs = [{text: items for text, (_, items) in documents(x, ()).items()}
                for x in stores]
        diff = differences(*docs)
        projects = [counts(x) for x in stores]
        for x in stores:
            x.close()
    want, got = labels(written), labels(exported)
    print(f"documents: {examples['count']} of {len(written)} in doccano, {len(exported)} in "
          f"its export; spans: {sum(got.values())} of {sum(want.values())}; per label "
          f"equal: {got == want}")
    for label in sorted(want.keys() | got.keys()):
        print(f"  {label}: written {want[label]}, in its export {got[label]}")
    status_kept = Counter(str((item.get("meta") or {}).get("status", item.get("status")))
                          for item in exported)
    print(f"statuses in doccano's export (our meta.status, kept as metadata): "
          f"{dict(status_kept)}")
    texts_equal = sorted(x["text"] for x in written) == sorted(x["text"] for x in exported)
    print(f"texts byte for byte: {texts_equal}")
    for key in sorted(projects[0].keys() | projects[1].keys()):
        print(f"  {key}: exported project {projects[0][key]}, imported back "
              f"{projects[1][key]}")
    print(f"documents that differ (text, spans, layers, labels): {len(diff)}")
    for line in diff[:10]:
        print(f"  {line}")
    ok = (len(exported) == len(written) and got == want and texts_equal and not diff)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
