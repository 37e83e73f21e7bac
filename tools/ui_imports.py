"""The import rewrite of issue 22: ``ui/`` installs as ``annotator.gui``. From the
repository top, it makes these changes:

- ``ui/`` installs as ``annotator.gui``: inside ``ui/`` its modules import each other
  relatively (``from .window import MainWindow``); everywhere else (tests, bench, tools,
  ``main.py``, shell scripts) ``ui.x`` becomes ``annotator.gui.x``, in imports and in
  the strings and docstrings that name a module (``"-m", "ui.platform_check"``,
  ``importlib.import_module("ui.app")``, ``:class:`ui.window.MainWindow```);
- what moved out of ``ui/`` is imported from its new home (:data:`MOVED_MODULES`,
  :data:`MOVED_NAMES`).

``python tools/ui_imports.py [--check] [PATH ...]`` (default: ``ui tests bench tools
main.py``): rewrites the files in place and sorts the imports it changed with ruff;
``--check`` changes nothing and exits 1 if a file would change. Run it again after a
merge that brings ``from ui.x import ...`` or ``from .offsets import reveal`` back: it
is idempotent.
"""

from __future__ import annotations

import argparse
import ast
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UI = ROOT / "ui"
GUI = "annotator.gui"  # where ui/ installs (pyproject.toml, setup.py)
DEFAULT = ("ui", "tests", "bench", "tools", "main.py")

#: ui module -> the module it became.
MOVED_MODULES = {
    "claimants": "annotator.editing.claimants",
    "label_changes": "annotator.editing.label_changes",
    "screenshots": "tools.screenshots",
    "team_screenshots": "tools.team_screenshots",
    "learn_screenshots": "tools.learn_screenshots",
}
#: (ui module, name) -> the module that holds the name now.
MOVED_NAMES = {("offsets", name): "annotator.editing.reveal" for name in (
    "reveal", "has_hidden", "hidden_name", "BIDI_MARK", "HIDDEN_MARK", "BIDI_CONTROLS",
    "INVISIBLE", "REVEAL")}


def ui_modules() -> set[str]:
    """The names of ui's modules and subpackages, and of those that moved out."""
    found = {p.stem for p in UI.glob("*.py") if p.stem != "__init__"}
    found |= {p.parent.name for p in UI.glob("*/__init__.py")}
    return found | set(MOVED_MODULES)


def home(module: str, name: str | None) -> str:
    """Where ``ui.<module>`` (its ``name``, if given) lives now, as an absolute name."""
    first, _, rest = module.partition(".")
    if name is not None and (first, name) in MOVED_NAMES and not rest:
        return MOVED_NAMES[first, name]
    if first in MOVED_MODULES:
        return MOVED_MODULES[first] + (f".{rest}" if rest else "")
    return f"{GUI}.{module}"


def _alias(alias: ast.alias) -> str:
    return alias.name + (f" as {alias.asname}" if alias.asname else "")


def _relative(target: str, inside_ui: bool) -> str:
    """``target`` as written in an import from a file of ``ui/`` (relative) or not."""
    if inside_ui and (target == GUI or target.startswith(GUI + ".")):
        return "." + target[len(GUI) + 1:]
    return target


def rewrite_import(node: ast.ImportFrom | ast.Import, inside_ui: bool,
                   modules: set[str]) -> list[str] | None:
    """The lines that replace ``node`` (without indentation), or None to keep it."""
    if isinstance(node, ast.Import):
        names = [a for a in node.names if a.name.split(".")[0] == "ui"
                 and len(a.name.split(".")) > 1 and a.name.split(".")[1] in modules]
        if not names:
            return None
        lines = []
        for a in node.names:
            if a not in names:
                lines.append(f"import {_alias(a)}")
                continue
            new = home(a.name.partition(".")[2], None)
            if inside_ui and new.startswith(GUI + ".") and a.asname is None:
                # ``ui.x.y`` in the code below would need rewriting too: say so instead
                raise ValueError(f"line {node.lineno}: import {a.name}: write "
                                 f"`from . import {a.name.split('.')[1]}` instead")
            if inside_ui and new.startswith(GUI + "."):
                package, _, last = _relative(new, True).rpartition(".")
                lines.append(f"from {package or '.'} import {last} as {a.asname}")
            else:
                lines.append(f"import {new}" + (f" as {a.asname}" if a.asname else ""))
        return lines
    if node.level == 1 and inside_ui:
        module = node.module or ""
    elif node.level == 0 and node.module is not None and (
            node.module == "ui" or node.module.startswith("ui.")):
        module = node.module.partition(".")[2]
    else:
        return None
    groups: dict[str, list[str]] = {}
    for alias in node.names:
        if module:
            if module.split(".")[0] not in modules:
                return None
            target = home(module, alias.name)
            groups.setdefault(_relative(target, inside_ui), []).append(_alias(alias))
        else:  # from ui import x / from . import x: x is a module
            if alias.name not in modules:
                return None
            target, _, last = home(alias.name, None).rpartition(".")
            written = _relative(target, inside_ui) if target != GUI else \
                ("." if inside_ui else GUI)
            groups.setdefault(written, []).append(
                last + (f" as {alias.asname}" if alias.asname else ""))
    if list(groups) == ["." * node.level + (node.module or "")]:
        return None  # already where it should be
    return [f"from {mod} import {', '.join(names)}" for mod, names in groups.items()]


def dotted(text: str, modules: set[str], inside_ui: bool = False) -> str:
    """Dotted mentions of ``ui.<module>[.<name>]`` in ``text`` at their new home. Inside
    ``ui/`` only commands (``-m ui.x``) and what moved out of ``ui/`` are rewritten: the
    prose there names the repository's modules (``ui.window.MainWindow``)."""
    names = "|".join(sorted(map(re.escape, modules), key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w./-])ui\.({names})\b(?:\.(\w+))?")

    def sub(match: re.Match[str]) -> str:
        module, name = match.group(1), match.group(2)
        new = home(module, name)
        command = text[max(match.start() - 3, 0):match.start()] == "-m "
        if inside_ui and not command and new.startswith(GUI + "."):
            return match.group(0)
        if name is not None and new == MOVED_NAMES.get((module, name)):
            return f"{new}.{name}"
        return new + (f".{name}" if name else "")

    return pattern.sub(sub, text)


def rewrite(path: Path, modules: set[str]) -> str:
    """The new text of ``path``."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        return dotted(text, modules)
    inside_ui = UI in path.resolve().parents
    lines = text.splitlines(keepends=True)
    edits = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            new = rewrite_import(node, inside_ui, modules)
            if new is not None:
                edits.append((node, new))
    for node, new in sorted(edits, key=lambda e: e[0].lineno, reverse=True):
        first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
        indent = lines[first][:node.col_offset]
        tail = lines[last][node.end_col_offset or 0:]  # a comment, the line's end
        block = "".join(f"{indent}{line}\n" for line in new[:-1])
        lines[first:last + 1] = [f"{block}{indent}{new[-1]}{tail}"]
    return dotted("".join(lines), modules, inside_ui)


def files(paths: list[str]) -> Iterator[Path]:
    me = Path(__file__).resolve()
    for name in paths:
        path = ROOT / name
        found = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in found:
            if file.suffix in (".py", ".sh") and file.resolve() != me \
                    and ".venv" not in file.parts and file.is_file():
                yield file


def sort_imports(changed: list[Path]) -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    subprocess.run([ruff, "check", "--quiet", "--select", "I", "--fix",
                    *map(str, changed)], cwd=ROOT, check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=list(DEFAULT),
                        help="files or folders, relative to the repository top")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a file would change")
    args = parser.parse_args(argv)
    modules = ui_modules()
    changed = []
    refused = []
    for path in files(args.paths):
        old = path.read_text(encoding="utf-8")
        try:
            new = rewrite(path, modules)
        except ValueError as exc:  # left as it is, and said
            refused.append(f"{path.relative_to(ROOT)}:{str(exc).removeprefix('line ')}")
            continue
        if new != old:
            changed.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    for path in changed:
        print(("would rewrite " if args.check else "rewrote ") + str(path.relative_to(ROOT)))
    if changed and not args.check:
        sort_imports([p for p in changed if p.suffix == ".py"])
    for line in refused:
        print(f"not rewritten: {line}", file=sys.stderr)
    return 1 if refused or (changed and args.check) else 0


if __name__ == "__main__":
    sys.exit(main())
