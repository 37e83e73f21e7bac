"""Pipelines and model folders handed to ``suggest --model`` and ``train --base``:
loaded as data only, refused in one line when they cannot be, never written to, and
their labels checked against the project's scheme before anything is stored (issue 21,
items 6 and 10; issue 29, model folders). Real spaCy pipelines, written to disk here."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from annotator.cli import main
from annotator.store import Store

TEXTS = ("The study followed 48,217 adults in Basra aged 40 to 73 for about eight and a "
         "half years.",
         "During the follow-up period, 2,941 participants, or roughly 6.1%, were diagnosed "
         "with type 2 diabetes.")


def _project(path: Path) -> Path:
    """Two documents, done, each with an accepted entity (so that `train` gets as far as
    loading its base)."""
    from annotator.model import Span

    with Store(path) as store, store.write():
        for k, text in enumerate(TEXTS):
            doc = store.insert_document(text, {}, f"h{k}", status="done")
            start = text.index("2")
            store.insert_span(Span(doc, "entity", start, start + 1, "CARDINAL",
                                   origin="human", decision="accepted"))
    return path


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    assert result.output.count("\n") == 1 and result.output.startswith("Error:"), \
        result.output
    return result.output


@pytest.fixture(scope="module")
def pipelines(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Small real pipeline folders: ``ner`` (tok2vec + NER, as `spacy train` writes,
    labels GPE and CARDINAL), ``alien`` (NER labels the scheme lacks), ``no-ner`` (a
    sentencizer alone)."""
    import spacy

    root = tmp_path_factory.mktemp("pipelines")
    for name, labels in (("ner", ["GPE", "CARDINAL"]), ("alien", ["WEAPONX", "VEHICLEX"])):
        nlp = spacy.blank("en")
        nlp.add_pipe("tok2vec")
        ner = nlp.add_pipe("ner")
        for label in labels:
            ner.add_label(label)  # type: ignore[attr-defined]
        nlp.initialize()
        nlp.to_disk(root / name)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.to_disk(root / "no-ner")
    return root


def tree_hash(folder: Path) -> str:
    """Names, sizes, modification times and bytes of everything under ``folder``."""
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        st = path.stat()
        h.update(f"{path.relative_to(folder)} {st.st_size} {st.st_mtime_ns}".encode())
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


@pytest.mark.slow
def test_loading_a_spacy_train_output_folder_takes_model_best_else_model_last(
        tmp_path: Path, pipelines: Path) -> None:
    db = _project(tmp_path / "p.db")
    out = tmp_path / "out"
    shutil.copytree(pipelines / "ner", out / "model-best")
    shutil.copytree(pipelines / "ner", out / "model-last")
    result = cli("suggest", "--model", out, "--db", db)
    assert result.exit_code == 0, result.output
    assert "in 2 document(s)" in result.output and "model-last" not in result.output
    # claims need sentences: the pipeline has no parser, so a sentencizer is added
    assert "sentencizer, added" in result.output
    assert int(result.output.split(" and ")[1].split()[0]) > 0  # claims suggested
    shutil.rmtree(out / "model-best")
    result = cli("suggest", "--redo", "--model", out, "--db", db)
    assert result.exit_code == 0, result.output
    assert "using model-last/" in result.output


@pytest.mark.slow
def test_loading_suggest_says_what_it_left_and_from_which_model(
        tmp_path: Path, pipelines: Path) -> None:
    db = _project(tmp_path / "p.db")
    assert cli("suggest", "--model", pipelines / "ner", "--db", db).exit_code == 0
    result = cli("suggest", "--model", pipelines / "ner", "--db", db)
    assert result.exit_code == 0, result.output
    assert "in 0 document(s)" in result.output
    assert "left 2 document(s) that have suggestions already (from en_pipeline 0.0.0" \
        in result.output and "--redo" in result.output


def test_loading_latest_without_models_says_where_models_come_from(tmp_path: Path) -> None:
    db = _project(tmp_path / "p.db")
    out = one_line_error(cli("suggest", "--model", "latest", "--db", db))
    assert "annotator train" in out and "another project's model" in out


@pytest.mark.slow
def test_loading_pipeline_without_ner_or_with_labels_outside_the_scheme_says_so(
        tmp_path: Path, pipelines: Path) -> None:
    db = _project(tmp_path / "p.db")
    result = cli("suggest", "--model", pipelines / "no-ner", "--db", db)
    assert result.exit_code == 0, result.output
    assert "has no NER" in result.output
    result = cli("suggest", "--redo", "--model", pipelines / "alien", "--db", db)
    assert result.exit_code == 0, result.output
    [line] = [x for x in result.output.splitlines() if "none of the pipeline's" in x]
    assert "VEHICLEX, WEAPONX" in line
    with Store(db) as store:
        assert store.labels_outside_scheme() == {}


@pytest.mark.parametrize("command", ["suggest", "train"])
def test_loading_a_folder_with_a_meta_json_of_something_else_is_one_line(
        tmp_path: Path, command: str) -> None:
    db = _project(tmp_path / "p.db")
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "meta.json").write_text(json.dumps({"title": "my notes"}))  # spaCy's E054
    option = "--model" if command == "suggest" else "--base"
    assert "not a spaCy pipeline" in one_line_error(cli(command, option, folder, "--db", db))


@pytest.mark.parametrize("command", ["suggest", "train"])
@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_loading_truncated_weights_are_one_line(tmp_path: Path, pipelines: Path,
                                                command: str) -> None:
    db = _project(tmp_path / "p.db")
    folder = tmp_path / "cut"
    shutil.copytree(pipelines / "ner", folder)
    weights = folder / "ner" / "model"
    weights.write_bytes(weights.read_bytes()[:1000])  # "Unpack failed"
    option = "--model" if command == "suggest" else "--base"
    out = one_line_error(cli(command, option, folder, "--db", db))
    assert str(folder) in out and "not a loadable spaCy pipeline" in out


@pytest.mark.parametrize(("old", "new", "named"), [
    ('factory = "ner"', 'factory = "evil_ner"', "factory 'evil_ner'"),
    ('@tokenizers = "spacy.Tokenizer.v1"', '@tokenizers = "evil.Tokenizer.v1"',
     "tokenizers 'evil.Tokenizer.v1'"),
])
def test_loading_code_that_is_not_installed_is_refused_by_its_name(
        tmp_path: Path, pipelines: Path, old: str, new: str, named: str) -> None:
    db = _project(tmp_path / "p.db")
    folder = tmp_path / "evil"
    shutil.copytree(pipelines / "ner", folder)
    config = folder / "config.cfg"
    assert old in config.read_text()
    config.write_text(config.read_text().replace(old, new))
    for command, option in (("suggest", "--model"), ("train", "--base")):
        out = one_line_error(cli(command, option, folder, "--db", db))
        assert named in out and "not installed" in out
    with Store(db) as store:
        assert [s.origin for s in store.spans(1)] == ["human"]


def test_loading_a_model_folder_without_its_pipeline_is_refused(
        tmp_path: Path, pipelines: Path) -> None:
    db = _project(tmp_path / "p.db")
    folder = tmp_path / "copied-3"
    folder.mkdir()
    (folder / "meta.json").write_text(json.dumps(
        {"annotator_model": 1, "name": "copied-3", "layers": ["entity"]}))
    out = one_line_error(cli("suggest", "--model", folder, "--db", db))
    assert "pipeline/" in out and "missing" in out
    with Store(db) as store:  # not suggested with the base pipeline instead
        assert [s.origin for s in store.spans(1)] == ["human"]


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_loading_never_writes_into_the_folder(tmp_path: Path, pipelines: Path) -> None:
    db = _project(tmp_path / "p.db")
    out = tmp_path / "out"
    shutil.copytree(pipelines / "ner", out / "model-best")
    before = tree_hash(out)
    for path in [out, *out.rglob("*")]:
        os.chmod(path, 0o555 if path.is_dir() else 0o444)
    try:
        result = cli("suggest", "--model", out, "--db", db)
        assert result.exit_code == 0, result.output
    finally:
        for path in [out, *out.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
    assert tree_hash(out) == before


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_loading_a_model_folders_meta_labels_are_checked_before_anything_is_stored(
        tmp_path: Path, pipelines: Path) -> None:
    db = _project(tmp_path / "p.db")
    folder = tmp_path / "theirs-2"
    shutil.copytree(pipelines / "alien", folder / "pipeline")
    (folder / "meta.json").write_text(json.dumps(
        {"annotator_model": 1, "name": "theirs-2", "layers": ["entity"],
         "labels": {"entity": ["GPE", "WEAPONX"]}}))
    result = cli("suggest", "--model", folder, "--rules-only", "--db", db)
    assert result.exit_code == 0, result.output
    [line] = [x for x in result.output.splitlines() if "will not be stored" in x]
    assert "1 of the pipeline's 2 label(s)" in line and "(WEAPONX)" in line
