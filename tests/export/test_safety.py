"""No export destroys anything or leaves debris, and every failure is one line: the
project's own files refused in every form, bad targets refused, umask permissions,
stale temporary files removed, a full disk, labels and meta that would break a format."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.export import FORMATS, WRITERS, ExportError, ExportOptions, export
from annotator.importers import ImportFailed, import_paths
from annotator.model import Span
from annotator.store import Store

from .conftest import Project


def out_for(tmp_path: Path, fmt: str) -> Path:
    """A place for ``fmt``'s output: ``e.FMT`` (``e.json`` for Label Studio), ``sp/``."""
    return tmp_path / ("sp" if fmt == "spacy" else f"e.{'json' if fmt == 'labelstudio' else fmt}")


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# --- the project's own files ------------------------------------------------------------


def _targets(project: Project) -> Iterator[tuple[str, Path]]:
    db = project.path
    yield "same path", db
    yield "-wal", Path(f"{db}-wal")
    yield "-shm", Path(f"{db}-shm")
    yield "-journal", Path(f"{db}-journal")
    yield "a backup", db.with_name(f"{db.name}.v2.bak")
    yield "inside the models folder", db.with_name(f"{db.name}.models") / "x.jsonl"
    link = db.parent / "link.jsonl"
    link.symlink_to(db)
    yield "symlink", link
    hard = db.parent / "hard.jsonl"
    os.link(db, hard)
    yield "hard link", hard
    folder_link = db.parent / "folder-link"
    folder_link.symlink_to(db.parent)
    yield "through a symlinked folder", folder_link / db.name
    yield "relative, with ..", Path(os.path.relpath(db.parent / "sub" / ".." / db.name))


def fingerprint(path: Path) -> tuple[int, int, int]:
    """The file's identity and state, by ``stat`` (reading the project file outside its
    connection would drop this process's locks on it)."""
    st = os.stat(path)
    return st.st_ino, st.st_size, st.st_mtime_ns


def test_safety_export_refuses_the_project_in_every_form(project: Project) -> None:
    before = fingerprint(project.path)
    for what, target in _targets(project):
        for fmt in FORMATS:
            with pytest.raises(ExportError, match="refused: .* destroy the project"):
                export(project.store, fmt, target, force=True)
        assert fingerprint(project.path) == before, what
    assert project.store.count_documents() == 6  # still a working project
    assert project.store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_safety_cli_export_onto_the_project_fails_and_changes_nothing(
        project: Project) -> None:
    project.store.close()
    before = fingerprint(project.path)
    result = CliRunner().invoke(main, ["export", "--db", str(project.path), "--out",
                                       str(project.path), "--force"])
    assert result.exit_code == 1 and "refused" in result.output
    assert "Traceback" not in result.output and fingerprint(project.path) == before


# --- bad targets --------------------------------------------------------------------------


def test_safety_dangling_symlink_is_not_replaced_without_force(project: Project,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "dangling.jsonl"
    out.symlink_to(tmp_path / "nowhere" / "x.jsonl")
    with pytest.raises(ExportError, match="already exists .*symlink to nothing"):
        export(project.store, "jsonl", out)
    assert out.is_symlink()
    export(project.store, "jsonl", out, force=True)  # --force replaces the link itself
    assert not out.is_symlink() and out.stat().st_size > 0
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "spacy"])
def test_safety_file_formats_refuse_folders_and_file_parents(project: Project, tmp_path: Path,
                                                             fmt: str) -> None:
    (tmp_path / "folder.json").mkdir()
    with pytest.raises(ExportError, match="is a folder"):
        export(project.store, fmt, tmp_path / "folder.json", force=True)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError, match="is a file, not a folder"):
        export(project.store, fmt, tmp_path / "file" / "e.json")
    with pytest.raises(ExportError, match="is a file, not a folder"):
        export(project.store, fmt, tmp_path / "file" / "deeper" / "e.json")
    assert listing(tmp_path) == ["file", "folder.json", "project.db", "project.db-shm",
                                 "project.db-wal"] or "project.db" in listing(tmp_path)


def test_safety_cli_messages_for_bad_targets(project: Project, tmp_path: Path) -> None:
    project.store.close()
    (tmp_path / "file").write_text("x")
    (tmp_path / "folder").mkdir()
    cases = [
        (["--out", str(tmp_path / "file" / "e.jsonl")], "is a file, not a folder"),
        (["--out", str(tmp_path / "folder"), "--force"], "is a folder"),
        (["--format", "spacy", "--out", str(tmp_path / "file"), "--force"], "is a file"),
        (["--format", "labelstudio", "--out", str(tmp_path / "ls.jsonl")],
         "Label Studio imports a JSON list"),
    ]
    for args, message in cases:
        result = CliRunner().invoke(main, ["export", "--db", str(project.path), *args])
        assert result.exit_code == 1 and message in result.output, result.output
        assert "Traceback" not in result.output and len(result.output.splitlines()) == 1


# --- permissions, stale temporaries -------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_safety_exported_files_get_the_umask_permissions(project: Project, tmp_path: Path,
                                                         fmt: str) -> None:
    old = os.umask(0o022)
    try:
        summary = export(project.store, fmt, out_for(tmp_path, fmt) / "deep"
                         if fmt == "spacy" else out_for(tmp_path, fmt))
    finally:
        os.umask(old)
    for path in summary.files:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), (path, oct(mode))
    if fmt == "spacy":
        assert stat.S_IMODE(summary.out.stat().st_mode) == 0o755


@pytest.mark.parametrize("fmt", FORMATS)
def test_safety_stale_temporaries_removed_and_said(project: Project, tmp_path: Path,
                                                   fmt: str) -> None:
    out = out_for(tmp_path, fmt)
    stale = []
    for path in WRITERS[fmt].outputs(out, ExportOptions()):
        stale.append(path.parent / f".{path.name}.ab12cd34.tmp")
    if fmt == "spacy":
        (out / ".export-1a2b3c4d").mkdir(parents=True)
        (out / ".export-1a2b3c4d" / "train-0000.spacy").write_bytes(b"x")
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"partial")
    keep = tmp_path / ".e.x.notours.tmp"  # not a name an export makes: left alone
    keep.write_text("mine")
    summary = export(project.store, fmt, out)
    removed = len(stale) + (fmt == "spacy")
    assert summary.stale_removed == removed
    assert f"removed {removed} temporary file(s) left by an earlier" in summary.summary()
    assert not [p for p in tmp_path.rglob(".*") if p != keep]
    assert keep.exists()


# --- a full disk ---------------------------------------------------------------------------


def _small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 200 KB tmpfs when ``mount`` works here (root, Linux), else ``None``."""
    folder = tmp_path / "small"
    folder.mkdir()
    if sys.platform != "linux" or os.geteuid() != 0:
        yield None  # type: ignore[misc]
        return
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(folder)],
                          capture_output=True)
    if done.returncode != 0:
        yield None  # type: ignore[misc]
        return
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path | None]:
    yield from _small_fs(tmp_path)


FILL = 300  # documents of ~2 KB of random words: more than 200 KB in every format
# ... drawn from this many random words. spaCy makes a lexeme of each word it has not seen:
# 90,000 distinct words took ~20 s per export to tokenise, 2,000 take a tenth of that
# (the outputs stay over 600 KB in every format).
VOCABULARY = 2_000


def _big_project(path: Path) -> Path:
    import random
    import string

    from annotator.session import Session

    rng = random.Random(5)
    words = ["".join(rng.choices(string.ascii_lowercase, k=6)) for _ in range(VOCABULARY)]
    with Store(path) as store:
        texts = [f"Report {i}: Alice Smith met officials in Baghdad. " + " ".join(
            rng.choices(words, k=300)) for i in range(FILL)]
        from annotator.importers import content_hash

        with store.write():
            ids = store.insert_documents([(t, {}, content_hash(t), "done") for t in texts])
            for doc_id, text in zip(ids, texts, strict=True):
                start = text.index("Baghdad")
                store.insert_span(Span(doc_id=doc_id, layer="entity", start=start,
                                       end=start + 7, label="GPE", origin="human",
                                       decision="accepted"))
        Session(store, "t")
    return path


@pytest.fixture(scope="module")
def big_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The big project, built once for the module (closed: no ``-wal`` beside it)."""
    db = _big_project(tmp_path_factory.mktemp("big") / "big.db")
    assert not Path(f"{db}-wal").exists()
    return db


@pytest.fixture
def big_db(big_template: Path, tmp_path: Path) -> Path:
    """A copy of the big project for this test alone (an export writes its token cache
    into the project). No connection is open on the template, so copying it is safe."""
    return Path(shutil.copyfile(big_template, tmp_path / "big.db"))


def _check_project(db: Path) -> None:
    with Store(db, readonly=True) as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.count_documents() == FILL


# jsonl tokenises in worker processes and spacy makes every Doc before it writes: seconds
SLOW_FILL = {"jsonl", "spacy"}


@pytest.mark.parametrize("fmt", [pytest.param(f, marks=pytest.mark.slow) if f in SLOW_FILL
                                 else f for f in FORMATS])
def test_safety_full_disk_is_one_line_and_leaves_nothing(small_fs: Path | None,
                                                         big_db: Path, fmt: str) -> None:
    """A full disk, simulated with a 200 KB tmpfs (``mount -t tmpfs``; needs root, else
    skipped, and the RLIMIT_FSIZE test below still runs): one line, exit 1, nothing left
    behind, the project intact."""
    if small_fs is None:
        pytest.skip("cannot mount a tmpfs here")
    db = big_db
    target = small_fs / ("sp" if fmt == "spacy" else "e.json")
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--format", fmt,
                                       "--out", str(target)])
    assert result.exit_code == 1 and "disk full" in result.output, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert listing(small_fs) == []
    _check_project(db)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["jsonl", "spacy"])
def test_safety_file_size_limit_is_one_line_and_leaves_nothing(tmp_path: Path, big_db: Path,
                                                               fmt: str) -> None:
    """A write that fails (EFBIG) under ``RLIMIT_FSIZE`` in a subprocess, SIGXFSZ ignored:
    the full-disk path without mount rights."""
    db = big_db
    target = tmp_path / "out" / ("sp" if fmt == "spacy" else "e.json")
    code_text = ("import resource, signal, sys\n"
                 "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
                 "resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))\n"
                 "from annotator.cli import main\n"
                 "sys.exit(main())\n")
    # The default processes: the 300 documents are tokenised by worker processes,
    # stopped when the write fails.
    done = subprocess.run([sys.executable, "-c", code_text, "export", "--db", str(db),
                           "--format", fmt, "--out", str(target)],
                          capture_output=True, text=True, timeout=240)
    output = done.stdout + done.stderr
    assert done.returncode == 1 and "file too large" in output, output
    assert "Traceback" not in output and len(output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
    _check_project(db)


@pytest.mark.timeout(300, method="thread")
@pytest.mark.parametrize("at", [1, 3])
@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_safety_dead_tokenising_worker_is_one_line_and_leaves_nothing(tmp_path: Path,
                                                                      at: int) -> None:
    """A tokenising worker process that dies mid-way (killed: out of memory, a signal;
    here each worker kills itself at its ``at``-th document, by the test hook) ends
    the export at once: one line, exit 1, nothing written, the project intact."""
    db = _big_project(tmp_path / "big.db")
    target = tmp_path / "out" / "e.jsonl"
    env = {**os.environ, "ANNOTATOR_TEST_STOP_AT": f"tokens:{at}:SIGKILL"}
    done = subprocess.run([sys.executable, "-m", "annotator", "export", "--db", str(db),
                           "--format", "jsonl", "--out", str(target), "--processes", "2"],
                          capture_output=True, text=True, timeout=240, env=env)
    output = done.stdout + done.stderr
    assert done.returncode == 1 and "worker process" in output, output
    assert "Traceback" not in output and len(output.strip().splitlines()) == 1, output
    assert not (tmp_path / "out").exists()
    _check_project(db)


# --- labels and meta that would break a format ------------------------------------------


@pytest.mark.parametrize("label", ["GP E", "GPE\n", "A\x00B", "X\tY", "\u202eGPE", "L" * 65])
def test_safety_bad_label_refused_at_import_with_file_and_line(tmp_path: Path,
                                                               label: str) -> None:
    src = tmp_path / "in.jsonl"
    good = {"text": "Paris is nice.", "spans": [{"start": 0, "end": 5, "label": "GPE"}]}
    bad = {"text": "Paris again.", "spans": [{"start": 0, "end": 5, "label": label}]}
    src.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    with Store(tmp_path / "p.db") as store:
        with pytest.raises(ImportFailed, match=r"in\.jsonl:2: .*label"):
            import_paths(store, [src])
        assert store.count_documents() == 0


def test_safety_bad_labels_in_a_project_never_reach_an_export(project: Project,
                                                              tmp_path: Path) -> None:
    """A label made before labels were checked is counted out, with its reason."""
    doc_id = project.ids["emoji"]
    for label in ("GP E", "B\nC", "N\x00L"):
        with project.store.write():
            project.store.insert_span(Span(doc_id=doc_id, layer="entity", start=0, end=1,
                                           label=label, origin="human", decision="accepted"))
    for fmt in FORMATS:
        out = out_for(tmp_path, fmt)
        # csv writes document labels by default: with the spans selected, it counts them
        opts = ExportOptions(layer="all") if fmt == "csv" else None
        summary = export(project.store, fmt, out, opts, force=True)
        assert summary.skipped["spans whose label is not a valid name (whitespace or "
                               "control characters; rename the label)"] == 3
    conll = (tmp_path / "e.conll").read_text(encoding="utf-8")
    assert all(len(line.split(" ")) in (2, 4) for line in conll.splitlines() if line)
    ET.fromstring((tmp_path / "e.label_config.xml").read_text(encoding="utf-8"))


CONTROL_META = {"title": "a\x00b\x01c\nd\re\u2028f\x7f\x85", "source": "\x1b[31mred",
                "nested": {"k\x02": ["\x03", "\t"]}}


def test_safety_meta_with_control_characters_stays_well_formed(tmp_path: Path) -> None:
    text = "Bob went to Paris \x07 today\x0b with\u2028Alice."
    with Store(tmp_path / "p.db") as store:
        from annotator.importers import content_hash
        from annotator.session import Session

        with store.write():
            doc_id = store.insert_document(text, CONTROL_META, content_hash(text))
        session = Session(store, "t")
        session.add(doc_id, "entity", text.index("Paris"), text.index("Paris") + 5, "GPE")
        session.set_status(doc_id, "done")
        for fmt in FORMATS:
            export(store, fmt, out_for(tmp_path, fmt))
    assert json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))[0]["meta"] \
        == CONTROL_META
    ET.fromstring((tmp_path / "e.label_config.xml").read_text(encoding="utf-8"))
    for name in ("e.jsonl", "e.doccano"):
        lines = (tmp_path / name).read_text(encoding="utf-8").split("\n")
        assert lines[-1] == "" and len(lines) == 2
        assert not any(ord(ch) < 0x20 for ch in lines[0])  # JSON escapes every one
        item = json.loads(lines[0])
        assert {k: v for k, v in item["meta"].items() if k in CONTROL_META} == CONTROL_META
    conll = (tmp_path / "e.conll").read_text(encoding="utf-8").split("\n")
    assert "Paris B-GPE" in conll and "\\u0007 O" in conll
    assert all(len(line.split(" ")) in (2, 4) and line.isprintable() for line in conll if line)
