"""Importing the core loads neither Qt nor spaCy (the import-linter contracts in
pyproject.toml, run by `make lint`, keep the static layers)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_layers_importing_core_loads_neither_qt_nor_spacy() -> None:
    code = ("import sys, annotator.cli, annotator.session, annotator.importers,"
            " annotator.train, annotator.train.loop, annotator.trained,"
            " annotator.suggest.checkworthy;"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in"
            " ('PySide6', 'spacy', 'ui', 'numpy', 'sqlite_utils')"
            " or m.startswith('annotator.gui')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


HEAVY = ("spacy", "thinc", "numpy", "sqlite_utils", "PySide6", "shiboken6", "ui", "tqdm",
         "annotator.gui")


def _imported(args: list[str], cwd: str) -> set[str]:
    """The top-level packages the real command ``python -m annotator ARGS`` imports
    (``-X importtime`` lists every module as it is imported)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "annotator", *args],
                          capture_output=True, text=True, cwd=cwd, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            module = line.rsplit("|", 1)[1].strip()
            names.add(module.split(".")[0])
            if module.startswith("annotator.gui"):  # the window, installed in the core's name
                names.add("annotator.gui")
    return names


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_layers_quick_commands_import_neither_spacy_nor_numpy(tmp_path) -> None:
    """list, show, stats, mark, --version and --help: no spaCy, numpy (sqlite-utils
    imports it), Qt or progress bar on the way; they start in a few tens of ms."""
    from annotator.store import Store

    db = tmp_path / "p.db"
    with Store(db) as store, store.write():
        for i in range(3):
            store.insert_document(f"Article {i} said Reuters.", {"title": f"t{i}"}, f"h{i}")
    commands = [["list", "--db", str(db)], ["list", "--json", "--limit", "1", "--db", str(db)],
                ["show", "2", "--json", "--db", str(db)], ["show", "2", "--db", str(db)],
                ["stats", "--db", str(db)], ["mark", "done", "1", "--db", str(db)],
                ["--version"], ["--help"]]
    for args in commands:
        heavy = _imported(args, str(tmp_path)) & set(HEAVY)
        assert not heavy, f"annotator {' '.join(args[:2])} imports {sorted(heavy)}"


def test_layers_list_does_not_import_the_other_commands(tmp_path) -> None:
    """Commands load on demand (annotator.cli.COMMANDS): list imports neither the
    exporters nor the suggester nor the entry points' metadata."""
    from annotator.store import Store

    db = tmp_path / "p.db"
    Store(db).close()
    code = ("import sys; from annotator.cli import main\n"
            f"main.main(['list', '--db', {str(db)!r}], standalone_mode=False)\n"
            "print(sorted(m for m in sys.modules if m.startswith(('annotator.export',"
            " 'annotator.suggest', 'annotator.tokens', 'importlib.metadata'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_layers_command_table_is_complete() -> None:
    """Every command a module of annotator.cli defines is in the table, and the reverse."""
    import importlib
    import pkgutil

    import annotator.cli
    from annotator.cli import COMMANDS, main

    for info in pkgutil.iter_modules(annotator.cli.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"annotator.cli.{info.name}")
    assert set(main.commands) == set(COMMANDS)
    for name, module in COMMANDS.items():
        assert main.commands[name].callback.__module__ == f"annotator.cli.{module}"


def test_layers_plugin_entry_points_read_as_importlib_metadata_reads_them() -> None:
    """The entry points read without importlib.metadata (for a quick --help) are the
    ones it finds: our gui command, and every console script."""
    from importlib.metadata import entry_points

    from annotator.cli._util import PLUGIN_GROUP, plugin_commands

    for group in (PLUGIN_GROUP, "console_scripts"):
        assert plugin_commands(group) == {e.name: e.value for e in entry_points(group=group)}
    assert plugin_commands()["gui"] == "annotator.gui.gui_command:gui_cmd"


@pytest.mark.slow  # over 0.4 s (make test-fast leaves it out)
def test_layers_core_never_imports_the_gui_by_its_installed_name() -> None:
    """lint-imports reads the source tree, where the window is ``ui`` (its contracts keep
    the core from importing ``ui``); installed it is ``annotator.gui``, a name that would
    pass them: no module of the core imports it by that name, absolutely or relatively."""
    import ast
    from pathlib import Path

    core = Path(__file__).resolve().parent.parent / "annotator"
    found = []
    for path in sorted(core.rglob("*.py")):
        package = ["annotator", *path.parent.relative_to(core).parts]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package[:len(package) - node.level + 1] if node.level else []
                modules = [".".join([*base, *(node.module or "").split(".")]).strip(".")]
                if not node.module:
                    modules = [".".join([*base, a.name]) for a in node.names]
            elif isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            else:
                continue
            found += [f"{path.relative_to(core)}: {m}" for m in modules
                      if m == "annotator.gui" or m.startswith("annotator.gui.")]
    assert found == []
