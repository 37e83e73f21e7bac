"""The fast path of the ``annotator`` script (annotator/cli/fast.py) says and does what
the click group says and does: each command line runs in a fresh process twice, by the
script's fast path and with ``ANNOTATOR_NO_FAST=1`` (click), and both must give the same
stdout, stderr and exit status and, for ``mark``, the same statuses and logged events
(issue 28 §3)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

#: run the script's entry point as the installed ``annotator`` script does
SCRIPT = ("import sys\n"
          "sys.argv[0] = 'annotator'\n"
          "from annotator.cli.fast import main\n"
          "sys.exit(main())\n")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from annotator.api import Project

    db = tmp_path_factory.mktemp("fast") / "p.db"
    texts = [("Reuters said Alice met Bob in Paris.", "Paris talks"),
             ("😀 Ça va? Zoë wrote in Zürich.", "Zoë’s \u202elettre 😀"),
             ("Plain text with \x1b[31mred\x1b[0m escape.", "escape \x1b[1mbold\x1b[0m"),
             ("The economy grew 3% said the minister.", "Economy")]
    from annotator.store import Store

    with Store(db) as store, store.write():
        for i, (text, title) in enumerate(texts):
            store.insert_document(text, {"title": title, "source": "wire"}, f"h{i}")
    with Project(db, annotator="ann") as p:
        alice = p.add(1, 13, 18, "PERSON")
        claim = p.add(1, 0, 36, "CLAIM")
        p.set(claim.id, claim_type="reported", claimant=alice.id, checkworthy="yes")
        p.add(2, 8, 11, "PERSON")
        p.accept_doc_label(4, "topic", "economy")
        p.mark(3, "flagged", note="why")
    return db


def _run(args: list[str], cwd: Path, env: dict[str, str],
         click: bool) -> subprocess.CompletedProcess[str]:
    env = {**env, "ANNOTATOR_NO_FAST": "1"} if click else dict(env)
    return subprocess.run([sys.executable, "-c", SCRIPT, *args], capture_output=True,
                          text=True, encoding="utf-8", errors="surrogateescape", cwd=cwd,
                          env=env, timeout=120, check=False)


def _effects(db: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The documents' statuses and notes, and the logged events (without times)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        docs = conn.execute("SELECT id, status, note FROM documents ORDER BY id").fetchall()
        columns = [r[1] for r in conn.execute("PRAGMA table_info(events)")]
        keep = [c for c in columns if c not in ("id", "ts", "created_at", "at", "time")]
        events = conn.execute(f"SELECT {', '.join(keep)} FROM events ORDER BY id").fetchall()
    finally:
        conn.close()
    return docs, events


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("ANNOTATOR_DB", "ANNOTATOR_NAME", "ANNOTATOR_NO_FAST")}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[1]),
                                         env.get("PYTHONPATH", "")])
    env["XDG_DATA_HOME"] = str(tmp / "data")  # the default project, if one is made
    env["PYTHONIOENCODING"] = "utf-8"
    return env


READ_CASES = [
    ["list"], ["list", "--json"], ["list", "--json", "--limit", "2"], ["list", "--limit=0"],
    ["list", "--status", "flagged"], ["list", "--status=done"], ["list", "--search", "Zoë"],
    ["list", "--search", "paris", "--json"], ["list", "--after", "2", "--limit", "1"],
    ["list", "--doc-label", "topic=economy"], ["list", "--doc-label", "topic=nope"],
    ["list", "--doc-label", "nope=x"], ["list", "--doc-label", "bad"],
    ["list", "--status", "bogus"], ["list", "--limit", "-1"], ["list", "--limit", "x"],
    ["list", "--limit"], ["list", "--bogus"], ["list", "extra"], ["list", "--json=1"],
    ["list", "--limit", "1", "--limit", "2"], ["list", "--", "--json"], ["list", "-h"],
    ["show", "1"], ["show", "1", "--json"], ["show", "--json", "2"], ["show", "3"],
    ["show", "4", "--json"], ["show", "99"], ["show"], ["show", "x"], ["show", "1", "2"],
    ["show", "+1"], ["show", "--help"], ["stats"], ["stats", "--json"], ["stats", "x"],
    ["--version"], ["--help"], [], ["nosuch"],
]


@pytest.mark.parametrize("args", READ_CASES, ids=" ".join)
def test_cli_fast_read_commands_say_what_click_says(project: Path, tmp_path: Path,
                                                    args: list[str]) -> None:
    env = _env(tmp_path)
    by_option = [*args, "--db", str(project)] if args and args[0] in (
        "list", "show", "stats") and "--" not in args else args
    fast = _run(by_option, tmp_path, env, click=False)
    slow = _run(by_option, tmp_path, env, click=True)
    assert (fast.returncode, fast.stdout, fast.stderr) == (
        slow.returncode, slow.stdout, slow.stderr)


@pytest.mark.parametrize("args", [["list", "--json"], ["show", "2"], ["stats"]],
                         ids=" ".join)
def test_cli_fast_project_from_the_environment_and_bad_files(
        project: Path, tmp_path: Path, args: list[str]) -> None:
    """``$ANNOTATOR_DB``, ``--db=`` joined, a missing file, a file that is not a project,
    a folder, an unreadable file, an empty name."""
    not_ours = tmp_path / "notes.db"
    not_ours.write_text("hello", encoding="utf-8")
    folder = tmp_path / "folder.db"
    folder.mkdir()
    env = _env(tmp_path)
    cases: list[tuple[list[str], dict[str, str]]] = [
        (args, {**env, "ANNOTATOR_DB": str(project)}),
        ([*args, f"--db={project}"], env),
        ([*args, "--db", str(tmp_path / "missing.db")], env),
        ([*args, "--db", str(not_ours)], env),
        ([*args, "--db", str(folder)], env),
        ([*args, "--db", ""], env),
        ([*args, "--db"], env),
    ]
    for argv, case_env in cases:
        fast = _run(argv, tmp_path, case_env, click=False)
        slow = _run(argv, tmp_path, case_env, click=True)
        assert (fast.returncode, fast.stdout, fast.stderr) == (
            slow.returncode, slow.stdout, slow.stderr), argv


MARK_CASES = [
    ["mark", "done", "1"], ["mark", "done", "1", "2", "--annotator", "zoë"],
    ["mark", "skipped", "--all"], ["mark", "new", "--all", "--from-status", "flagged"],
    ["mark", "flagged", "2", "--note", "why not ✓"], ["mark", "done", "2", "--note="],
    ["mark", "done", "99"], ["mark", "done", "1", "--annotator", "../x"],
    ["mark", "done"], ["mark", "done", "1", "--all"], ["mark", "finished", "1"],
    ["mark", "done", "x"], ["mark", "--from-status", "new", "done", "--all"],
    ["mark", "done", "1", "--from-status", "bogus"], ["mark", "--help"],
]


@pytest.mark.parametrize("args", MARK_CASES, ids=" ".join)
def test_cli_fast_mark_does_what_click_does(project: Path, tmp_path: Path,
                                            args: list[str]) -> None:
    env = {**_env(tmp_path), "ANNOTATOR_NAME": "tester"}
    results = []
    for click in (False, True):
        db = tmp_path / f"copy-{click}.db"
        shutil.copyfile(project, db)
        got = _run([*args, "--db", str(db)], tmp_path, env, click=click)
        results.append((got.returncode, got.stdout.replace(str(db), "DB"),
                        got.stderr.replace(str(db), "DB"), _effects(db)))
    assert results[0] == results[1]


def test_cli_fast_mark_on_a_read_only_file(project: Path, tmp_path: Path) -> None:
    results = []
    for click in (False, True):
        folder = tmp_path / str(click)
        folder.mkdir()
        db = folder / "p.db"
        shutil.copyfile(project, db)
        db.chmod(stat.S_IRUSR)
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
        try:
            got = _run(["mark", "done", "1", "--db", str(db)], tmp_path, _env(tmp_path),
                       click=click)
        finally:
            folder.chmod(stat.S_IRWXU)
        results.append((got.returncode, got.stdout.replace(str(folder), "F"),
                        got.stderr.replace(str(folder), "F"), _effects(db)))
    assert results[0] == results[1]
    if os.geteuid() != 0:  # root writes whatever the mode says
        assert results[0][0] == 1


def test_cli_fast_path_runs_without_click_and_click_path_with_it(project: Path,
                                                                tmp_path: Path) -> None:
    """The check that the comparisons above compare two ways: the fast path imports no
    click, ``ANNOTATOR_NO_FAST=1`` does."""
    code = ("import sys, json\n"
            "sys.argv[0] = 'annotator'\n"
            "from annotator.cli.fast import main\n"
            "try:\n"
            "    main(sys.argv[1:])\n"
            "except SystemExit:\n"
            "    pass\n"
            "print(json.dumps('click' in sys.modules), file=sys.stderr)\n")
    env = _env(tmp_path)
    args = ["show", "1", "--json", "--db", str(project)]
    for no_fast, expected in (("", False), ("1", True)):
        got = subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                             text=True, env={**env, "ANNOTATOR_NO_FAST": no_fast},
                             cwd=tmp_path, timeout=120, check=True)
        assert json.loads(got.stderr.strip().splitlines()[-1]) is expected


def test_cli_fast_statuses_are_the_models() -> None:
    from annotator.cli.fast import STATUSES
    from annotator.model import STATUSES as MODEL_STATUSES

    assert STATUSES == MODEL_STATUSES


def test_cli_fast_options_are_the_click_commands() -> None:
    """Every option the fast path reads is one of the click command's, of the same
    kind (a flag or a value), and each command's options are all there."""
    from annotator.cli import main
    from annotator.cli.fast import OPTIONS

    ctx = main.make_context("annotator", ["stats"])
    for name, options in OPTIONS.items():
        command = main.get_command(ctx, name)
        assert command is not None
        click_options = {opt: p for p in command.params for opt in p.opts
                         if opt.startswith("--")}
        assert set(options) == set(click_options), name
        for opt, (dest, kind) in options.items():
            assert click_options[opt].name == dest
            assert (kind == "flag") == bool(getattr(click_options[opt], "is_flag", False))
