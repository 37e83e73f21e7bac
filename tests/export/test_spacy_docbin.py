"""spaCy export: DocBin read back, seeded split, alignment policy, and ``spacy train``."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.export import ExportError, ExportOptions, export, spacy_docbin

from .conftest import Project


def read(path: Path) -> list:
    import spacy
    from spacy.tokens import DocBin

    return list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_spacy_docbin_has_entities_claims_and_attributes(project: Project,
                                                         tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    summary = export(project.store, "spacy", out,
                     ExportOptions(dev_fraction=0.0, include_rejected=True))
    assert summary.splits == {"train": 4, "dev": 0}
    assert {p.name for p in out.iterdir()} == {"train.spacy", "dev.spacy", "config.cfg",
                                               "annotator_tokenizer.py"}
    docs = read(out / "train.spacy")
    assert read(out / "dev.spacy") == []
    emoji, arabic, combining, empty = docs
    assert [(e.text, e.label_) for e in emoji.ents] == [
        ("Alice Smith", "PERSON"), ("Bob Jones", "PERSON"), ("Baghdad", "GPE"),
        ("Monday", "DATE")]
    assert [(s.text, s.label_) for s in emoji.spans["claims"]] == [
        ('"We will win," Alice Smith said.', "CLAIM"), ("The army reported 12 deaths.", "CLAIM")]
    assert [s.text for s in emoji.spans["incorrect_spans"]] == ["Monday."]
    assert emoji.user_data["claims"][0]["claimant"]["text"] == "Alice Smith"
    assert [(e.text, e.label_) for e in arabic.ents] == [
        ("محمد علي", "PERSON"), ("12", "CARDINAL"), ("بغداد", "GPE")]
    assert [e.text for e in combining.ents] == ["Zoe\u0301 Lefe\u0300vre", "Sa\u0303o Paulo",
                                                "Iraq"]
    assert list(empty.ents) == [] and list(empty.spans["claims"]) == []
    for doc in docs:
        for span in [*doc.ents, *doc.spans["claims"]]:
            assert doc.text[span.start_char:span.end_char] == span.text
    assert "skipped 1: entity spans not on token boundaries (align=strict)" in summary.summary()


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_spacy_align_policies(project: Project, tmp_path: Path) -> None:
    expand = export(project.store, "spacy", tmp_path / "e",
                    ExportOptions(dev_fraction=0.0, align="expand"))
    assert "Iraqis" in [e.text for e in read(tmp_path / "e" / "train.spacy")[2].ents]
    assert expand.adjusted and not expand.skipped
    contract = export(project.store, "spacy", tmp_path / "c",
                      ExportOptions(dev_fraction=0.0, align="contract"))
    assert "not on token boundaries (align=contract)" in contract.summary()


@pytest.mark.slow
def test_spacy_split_is_seeded(project: Project, tmp_path: Path) -> None:
    def split(seed: int, name: str) -> tuple[list[int], list[int]]:
        export(project.store, "spacy", tmp_path / name, ExportOptions(dev_fraction=0.5, seed=seed))
        return tuple(  # type: ignore[return-value]
            [d.user_data["doc_id"] for d in read(tmp_path / name / f"{part}.spacy")]
            for part in ("train", "dev"))

    assert split(7, "a") == split(7, "b")
    train, dev = split(7, "a2")
    assert sorted(train + dev) == sorted(project.ids[k] for k in
                                         ("emoji", "arabic", "combining", "empty"))


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_spacy_shards_large_splits_into_a_folder(project: Project, tmp_path: Path,
                                                 monkeypatch) -> None:
    monkeypatch.setattr(spacy_docbin, "SHARD_DOCS", 2)
    export(project.store, "spacy", tmp_path / "s", ExportOptions(dev_fraction=0.0))
    shards = sorted((tmp_path / "s" / "train.spacy").iterdir())
    assert len(shards) == 2 and sum(len(read(p)) for p in shards) == 4


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_spacy_refuses_existing_output(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    export(project.store, "spacy", out)
    with pytest.raises(ExportError, match="already exists"):
        export(project.store, "spacy", out)
    export(project.store, "spacy", out, force=True)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


@pytest.mark.slow
def test_spacy_train_runs_from_another_folder(project: Project, tmp_path: Path) -> None:
    """The command the summary prints works from any working directory."""
    out = tmp_path / "deep" / "corpus"
    summary = export(project.store, "spacy", out, ExportOptions(
        dev_fraction=0.5, seed=1, spancat=True, status="any", include_rejected=True))
    assert summary.command and summary.command.startswith("train with: python -m spacy train")
    assert summary.command in summary.summary()
    args = shlex.split(summary.command.removeprefix("train with: "))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, *args[1:], "--training.max_steps", "2",
         "--training.eval_frequency", "1", "--training.batcher.size", "4",
         "--nlp.batch_size", "4"],
        cwd=elsewhere, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert (out / "model" / "model-last" / "meta.json").exists()
    assert not list(elsewhere.iterdir()), "wrote into the working directory"
    assert "spancat" in (out / "config.cfg").read_text()


# The alignment check of `spacy debug data`, on the tokenizer the exported config builds,
# in a process where Annotator cannot be imported (the code file stands alone).
_ALIGNMENT = """
import sys
sys.modules["annotator"] = None  # the code file must not need Annotator
sys.modules["ui"] = None
# ... nor its installed entry point (where Annotator is installed, spaCy finds the same
# tokenizer through it; here it stands for a machine without Annotator)
import catalogue
catalogue.AVAILABLE_ENTRY_POINTS = {
    group: [ep for ep in eps if not ep.value.startswith("annotator.")]
    for group, eps in catalogue.AVAILABLE_ENTRY_POINTS.items()}
import importlib.util
import spacy
from spacy.tokens import DocBin
from spacy.training import Example
from spacy.util import load_config, load_model_from_config

folder = sys.argv[1]
spec = importlib.util.spec_from_file_location("code", f"{folder}/annotator_tokenizer.py")
spec.loader.exec_module(importlib.util.module_from_spec(spec))
nlp = load_model_from_config(load_config(f"{folder}/config.cfg"), auto_fill=True)
misaligned = words = 0
for name in ("train", "dev"):
    for gold in DocBin().from_disk(f"{folder}/{name}.spacy").get_docs(nlp.vocab):
        eg = Example(nlp.make_doc(gold.text), gold)
        for token in eg.predicted:
            if not token.orth_.isspace():
                words += 1
                misaligned += eg.alignment.x2y.lengths[token.i] != 1
print(words, misaligned)
"""


@pytest.mark.slow
def test_spacy_config_tokenizes_as_the_docbin(project: Project, tmp_path: Path) -> None:
    """Issue 21.7: the config built spaCy's own tokenizer, which keeps "inIraq" whole
    while the DocBin (the project tokenizer) splits it: misaligned tokens that `spacy
    debug data` reports. The config names ``annotator.Tokenizer.v1``, defined in the code
    file written beside it, which the printed command passes with ``--code``."""
    out = tmp_path / "corpus"
    summary = export(project.store, "spacy", out, ExportOptions(dev_fraction=0.5, seed=1,
                                                                 status="any"))
    code = out / spacy_docbin.CODE_FILE
    assert code in summary.files and "--code" in shlex.split(summary.command or "")
    assert shlex.quote(str(code)) in (summary.command or "")
    assert "annotator" not in {line.split()[1].split(".")[0] for line in
                               code.read_text().splitlines()
                               if line.startswith(("import ", "from "))}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run([sys.executable, "-c", _ALIGNMENT, str(out)], cwd=elsewhere,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    words, misaligned = map(int, result.stdout.split())
    assert words > 50 and misaligned == 0


@pytest.mark.slow
def test_spacy_debug_data_finds_no_misaligned_tokens(project: Project, tmp_path: Path
                                                      ) -> None:
    """`spacy debug data` itself, from another folder, with the printed ``--code``."""
    out = tmp_path / "corpus"
    summary = export(project.store, "spacy", out, ExportOptions(dev_fraction=0.5, seed=1,
                                                                 status="any"))
    args = shlex.split((summary.command or "").removeprefix("train with: "))
    train = args.index("train")
    args = [*args[1:train], "debug", "data", *args[train + 1:args.index("--output")]]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run([sys.executable, *args], cwd=elsewhere, capture_output=True,
                            text=True, timeout=600)
    assert "Pipeline can be initialized with data" in result.stdout, result.stdout[-3000:]
    assert "misaligned" not in result.stdout, result.stdout[-3000:]
