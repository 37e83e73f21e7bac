"""JSONL export: shape, offsets, filters, atomic output and the import round trip."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.export import ExportError, ExportOptions, export
from annotator.importers import import_paths
from annotator.session import Session
from annotator.store import Store

from .conftest import ARABIC, EMOJI, Project, at


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_default_exports_done_documents_and_accepted_spans(project: Project,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    summary = export(project.store, "jsonl", out)
    items = lines(out)
    assert [i["text"][:5] for i in items] == ["😀 Ali", ARABIC[:5], "Zoe\u0301 ", "Nothi"]
    assert summary.documents == 4 and summary.spans_by_label["PERSON"] == 4
    first = items[0]
    assert [(s["label"], s["text"]) for s in first["spans"]] == [
        ("PERSON", "Alice Smith"), ("PERSON", "Bob Jones"), ("GPE", "Baghdad"),
        ("DATE", "Monday")]  # the rejected "Monday." and pending "army" are not there
    assert "rejected" not in first
    assert items[3]["spans"] == [] and items[3]["claims"] == []
    assert {i["answer"] for i in items} == {"accept"}
    assert first["_annotator_id"] == "alice" and isinstance(first["_timestamp"], int)
    assert isinstance(first["_input_hash"], int) and isinstance(first["_task_hash"], int)
    assert "exported 4 document(s)" in summary.summary()


def test_jsonl_offsets_exact_after_emoji_arabic_and_combining_marks(project: Project,
                                                                    tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    export(project.store, "jsonl", out, ExportOptions(status="any", include_rejected=True))
    for item in lines(out):
        text = item["text"]
        tokens = item["tokens"]
        assert "".join(t["text"] + (" " if t["ws"] else "") for t in tokens) == text
        for i, t in enumerate(tokens):
            assert t["id"] == i and text[t["start"]:t["end"]] == t["text"]
        for s in item["spans"] + item["claims"] + item["rejected"]:
            assert s["text"] == text[s["start"]:s["end"]]
        for s in item["spans"]:
            first, last = tokens[s["token_start"]], tokens[s["token_end"]]
            assert first["start"] <= s["start"] < first["end"]
            assert last["start"] < s["end"] <= last["end"]
        for c in item["claims"]:
            if c["claimant"] and "start" in c["claimant"]:
                who = c["claimant"]
                assert who["text"] == text[who["start"]:who["end"]]


def test_jsonl_claims_carry_attributes_and_claimants(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    export(project.store, "jsonl", out)
    emoji, arabic = lines(out)[:2]
    quote, stat = emoji["claims"]
    assert quote == {"start": 53, "end": 85, "text": '"We will win," Alice Smith said.',
                     "label": "CLAIM", "claim_type": "quote",
                     "claimant": {"text": "Alice Smith", "start": 2, "end": 13,
                                  "label": "PERSON"},
                     "via": None, "checkworthy": "no", "hedged": False}
    # linked to a suggestion nobody accepted: still named, with its offsets
    assert stat["claimant"] == {"text": "army", "start": 90, "end": 94, "label": "ORG"}
    assert stat["via"] == "Reuters" and stat["checkworthy"] == "yes"
    assert arabic["claims"][0]["claimant"] == {"text": "a ministry official"}
    assert arabic["claims"][0]["hedged"] is True


def test_jsonl_filters_layer_annotator_status(project: Project, tmp_path: Path) -> None:
    export(project.store, "jsonl", tmp_path / "e.jsonl", ExportOptions(layer="entity"))
    assert all(i["claims"] == [] for i in lines(tmp_path / "e.jsonl"))
    export(project.store, "jsonl", tmp_path / "c.jsonl", ExportOptions(layer="claim"))
    assert all(i["spans"] == [] for i in lines(tmp_path / "c.jsonl"))
    export(project.store, "jsonl", tmp_path / "b.jsonl", ExportOptions(annotator="bob"))
    assert all(i["spans"] == [] == i["claims"] for i in lines(tmp_path / "b.jsonl"))
    export(project.store, "jsonl", tmp_path / "s.jsonl", ExportOptions(status="skipped"))
    (skipped,) = lines(tmp_path / "s.jsonl")
    assert skipped["answer"] == "ignore" and skipped["spans"][0]["text"] == "Kirkuk"
    export(project.store, "jsonl", tmp_path / "a.jsonl", ExportOptions(status="any"))
    assert [i.get("status") for i in lines(tmp_path / "a.jsonl")][-1] == "new"


def test_jsonl_refuses_existing_output_unless_forced(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("keep me")
    with pytest.raises(ExportError, match="already exists"):
        export(project.store, "jsonl", out)
    assert out.read_text() == "keep me"
    export(project.store, "jsonl", out, force=True)
    assert len(lines(out)) == 4


def test_jsonl_cancelled_export_leaves_no_file(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    seen = []

    def cancel(n: int) -> None:
        seen.append(n)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export(project.store, "jsonl", out, on_progress=cancel)
    assert seen == [100] or seen == [4]
    assert not out.exists() and not any(p.suffix == ".tmp" for p in tmp_path.iterdir())


def test_jsonl_round_trip_through_a_new_project_gives_identical_lines(
        project: Project, tmp_path: Path) -> None:
    for opts in (ExportOptions(), ExportOptions(status="any", include_rejected=True)):
        first = tmp_path / "first.jsonl"
        export(project.store, "jsonl", first, opts, force=True)
        db2 = tmp_path / "second.db"
        db2.unlink(missing_ok=True)
        with Store(db2) as second:
            import_paths(second, [first])
            again = tmp_path / "again.jsonl"
            export(second, "jsonl", again, opts, force=True)
        assert again.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")


def test_jsonl_import_label_export_import_export(tmp_path: Path) -> None:
    """The issue's round trip: import -> label -> export -> import anew -> export."""
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps({"text": t, "meta": {"source": "wire"}},
                                        ensure_ascii=False) for t in (EMOJI, ARABIC)) + "\n",
                   encoding="utf-8")
    with Store(tmp_path / "a.db") as store:
        ids = import_paths(store, [src]).doc_ids
        session = Session(store, "maya")
        session.add(ids[0], "entity", *at(EMOJI, "Bob Jones"), "PERSON")
        session.add(ids[0], "claim", *at(EMOJI, "The army reported 12 deaths."), "CLAIM")
        session.add(ids[1], "entity", *at(ARABIC, "بغداد"), "GPE")
        for doc_id in ids:
            session.set_status(doc_id, "done")
        export(store, "jsonl", tmp_path / "1.jsonl")
    with Store(tmp_path / "b.db") as store:
        import_paths(store, [tmp_path / "1.jsonl"])
        export(store, "jsonl", tmp_path / "2.jsonl")
    first = (tmp_path / "1.jsonl").read_bytes()
    assert first == (tmp_path / "2.jsonl").read_bytes()
    assert [json.loads(line)["meta"] for line in first.splitlines()] == [
        {"source": "wire"}, {"source": "wire"}]


def test_export_package_imports_without_spacy(project: Project, tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from annotator.store import Store\n"
        "from annotator.export import ExportOptions, export\n"
        f"store = Store({str(project.path)!r})\n"
        f"export(store, 'doccano', Path({str(tmp_path / 'd.jsonl')!r}))\n"
        f"export(store, 'labelstudio', Path({str(tmp_path / 'ls.json')!r}))\n"
        f"export(store, 'jsonl', Path({str(tmp_path / 'j.jsonl')!r}),"
        " ExportOptions(tokens=False))\n"
        "assert 'spacy' not in sys.modules, 'spacy imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
