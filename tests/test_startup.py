"""The quick commands (``list``, ``show``, ``stats``, ``mark``) do at start-up only what
they need (issue 28 §3; the figures are in bench/startup.py, not here): opening a
project compares its schema with the recorded one instead of building the schema in
memory, and ``mark`` does not import the API's decisions and label files."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

#: modules no quick command needs: the decisions (annotator.api, decide), the label
#: files (tempfile, tomllib: annotator.labels), besides the heavy ones of test_layers.py
NOT_NEEDED = ("annotator.api", "annotator.decide", "annotator.labels",
              "annotator.editing", "tempfile", "tomllib")
#: what the script's fast path (annotator.cli.fast) does without: click and what it
#: imports, typing, uuid (the project id of a new file only), dataclasses with inspect
#: (annotator/records.py), pathlib (with urllib.parse and ipaddress: the store keeps
#: the project's name as a str), getpass, shlex and copy (annotator/session.py)
NOT_ON_THE_FAST_PATH = ("click", "typing", "uuid", "gettext", "platform", "dataclasses",
                        "inspect", "pathlib", "ipaddress", "getpass", "shlex", "copy")
#: what a command that only reads does without besides: threading and weakref (the
#: store's precedence of writes makes its condition at the first write)
NOT_TO_READ = ("threading", "weakref")


@pytest.fixture
def project(tmp_path):
    from annotator.store import Store

    db = tmp_path / "p.db"
    with Store(db) as store, store.write():
        for i in range(3):
            store.insert_document(f"Article {i} said Reuters.", {"title": f"t{i}"}, f"h{i}")
    return db


def _run_in_process(args: list[str], cwd) -> dict[str, object]:
    """Run ``annotator ARGS`` in a fresh interpreter; what it imported and whether it
    built the expected schema in memory."""
    code = ("import json, os, sys\n"
            "from annotator.cli import main\n"
            "sys.stdout = open(os.devnull, 'w')\n"
            f"main.main({args!r}, standalone_mode=False)\n"
            "from annotator.store.trust import expected_schema\n"
            "sys.stdout = sys.__stdout__\n"
            "print(json.dumps({'built': expected_schema.cache_info().currsize,"
            " 'modules': sorted(sys.modules)}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=cwd, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [["stats"], ["list", "--limit", "2"], ["show", "2", "--json"],
                                  ["mark", "done", "1"], ["mark", "new", "1"]])
def test_startup_quick_commands_build_no_schema_and_import_no_decisions(project, args):
    got = _run_in_process([*args, "--db", str(project)], project.parent)
    assert got["built"] == 0, f"annotator {args[0]} built the schema in memory"
    modules = set(got["modules"])  # type: ignore[arg-type]
    extra = sorted(m for m in modules if m.startswith(NOT_NEEDED))
    assert not extra, f"annotator {' '.join(args)} imports {extra}"


def _run_script(args: list[str], cwd) -> dict[str, object]:
    """Run ``annotator ARGS`` as the installed script does (its entry point,
    annotator.cli.fast:main) in a fresh interpreter; the modules it imported."""
    code = ("import os, sys\n"
            "sys.argv[0] = 'annotator'\n"
            # an editable install's finder imports pathlib (with re) at start-up: forget
            # them, so that an import of one by the command shows
            "for name in [m for m in sys.modules if m.startswith(('pathlib', 'urllib',\n"
            "             'ipaddress', 'fnmatch', 're.')) or m == 're']:\n"
            "    sys.modules.pop(name, None)\n"
            "from annotator.cli.fast import main\n"
            "sys.stdout = open(os.devnull, 'w')\n"
            f"status = main({args!r})\n"
            "sys.stdout = sys.__stdout__\n"
            "modules = sorted(sys.modules)\n"
            "import json\n"
            "print(json.dumps({'status': status, 'modules': modules}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=cwd, check=True, env={**os.environ, "ANNOTATOR_NO_FAST": ""})
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [["stats"], ["stats", "--json"], ["list", "--json", "--limit=2"],
                                  ["list", "--status", "new", "--search", "Reuters"],
                                  ["show", "2", "--json"], ["show", "1"],
                                  ["mark", "done", "1"], ["mark", "new", "--all"]])
def test_startup_fast_path_imports_no_click(project, args):
    got = _run_script([*args, "--db", str(project)], project.parent)
    assert got["status"] == 0
    modules = set(got["modules"])  # type: ignore[arg-type]
    unwanted = NOT_ON_THE_FAST_PATH + (NOT_TO_READ if args[0] != "mark" else ())
    if "--json" not in args and args[0] != "show":  # show prints the meta as JSON
        unwanted += ("json", "re")  # 8 ms: imported where JSON or a pattern is used
    extra = sorted(m for m in modules if m.startswith(NOT_NEEDED)
                   or m.partition(".")[0] in unwanted)
    assert not extra, f"annotator {' '.join(args)} imports {extra}"


def test_startup_other_command_lines_go_to_click(project):
    """What the fast path does not run (here: --help) is click's, as before."""
    code = ("import sys\n"
            "sys.argv[0] = 'annotator'\n"
            "from annotator.cli.fast import main\n"
            "main(['list', '--help'])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=project.parent, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Usage: annotator list [OPTIONS]")


def test_startup_vocabularies_are_their_literal_types():
    """annotator.model keeps its tuples and its Literal types (made on first use, so
    that a quick command does not import typing) equal."""
    from typing import get_args

    from annotator import model

    for name, values in model._VOCABULARIES.items():
        assert get_args(getattr(model, name)) == getattr(model, values), name
    with pytest.raises(AttributeError):
        model.NoSuchThing  # noqa: B018


def test_startup_recorded_schema_is_the_one_this_version_builds():
    """``annotator/store/schema_objects.py`` (``python -m tools.gen_schema``) holds what
    ``expected_schema`` builds for the current version."""
    from annotator.store.schema import SCHEMA_VERSION
    from annotator.store.schema_objects import SCHEMA_OBJECTS, VERSION
    from annotator.store.trust import expected_schema, recorded_schema
    from tools import gen_schema

    assert VERSION == SCHEMA_VERSION
    assert expected_schema(SCHEMA_VERSION) == SCHEMA_OBJECTS
    assert recorded_schema() is SCHEMA_OBJECTS
    assert gen_schema.main(["--check"]) == 0, "run python -m tools.gen_schema"


def test_startup_a_changed_schema_is_still_refused_by_the_built_one(project):
    """The recorded schema only spares work: a file that differs from it is compared with
    the schema built in memory, and refused with the same words."""
    import sqlite3

    from annotator.errors import StoreError
    from annotator.store import Store
    from annotator.store.trust import expected_schema

    conn = sqlite3.connect(project)
    conn.execute("CREATE INDEX extra_idx ON documents(title)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="an extra index extra_idx on documents"):
        Store(project, create=False, readonly=True)
    assert expected_schema.cache_info().currsize >= 1


def test_startup_mark_says_what_the_api_said(project, monkeypatch):
    """``mark`` runs the session itself (not annotator.api.Project): the same refusal of
    a bad annotator name, the same line, the same logged decider."""
    from click.testing import CliRunner

    from annotator.cli import main
    from annotator.store import Store

    runner = CliRunner()
    bad = runner.invoke(main, ["mark", "done", "1", "--annotator", "../x", "--db",
                               str(project)])
    assert bad.exit_code == 1
    assert "annotator '../x'" in bad.output
    ok = runner.invoke(main, ["mark", "done", "1", "2", "--annotator", "ann",
                              "--db", str(project)])
    assert ok.exit_code == 0, ok.output
    assert ok.output == "marked 2 document(s) done as ann\n"
    with Store(project, create=False, readonly=True) as store:
        assert [store.document(i).status for i in (1, 2, 3)] == ["done", "done", "new"]


def test_startup_script_ends_early_only_when_nothing_is_left_to_run(project):
    """The script ends a quick command without the interpreter's teardown
    (``fast.end``), but not when an :mod:`atexit` function is registered: the test
    hook's count is still printed, and the output and status are the command's."""
    script = ("import sys\n"
              "sys.argv[0] = 'annotator'\n"
              "from annotator.cli.fast import main\n"
              "sys.exit(main())\n")
    env = {**os.environ, "ANNOTATOR_NO_FAST": ""}
    for args, status in ((["stats"], 0), (["show", "99"], 1)):
        plain = subprocess.run([sys.executable, "-c", script, *args, "--db", str(project)],
                               capture_output=True, text=True, cwd=project.parent, env=env)
        counted = subprocess.run(
            [sys.executable, "-c", script, *args, "--db", str(project)],
            capture_output=True, text=True, cwd=project.parent,
            env={**env, "ANNOTATOR_TEST_STOP_AT": "count"})
        assert plain.returncode == counted.returncode == status
        assert plain.stdout == counted.stdout
        assert "annotator-test-steps:" not in plain.stderr
        assert "annotator-test-steps:" in counted.stderr  # the atexit function ran
        assert counted.stderr.startswith(plain.stderr)
        assert ("documents: 3" in plain.stdout) if status == 0 else \
            ("no document 99" in plain.stderr)
    assert not list(project.parent.glob("p.db-*")), "the project's -wal/-shm left behind"
