"""The shape of ui/: its modules import each other without a circle, and no file grows
past about 400 lines unless its docstring says why (issue 12)."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "ui"
MAX_LINES = 400
ABSOLUTE = ("ui.", "annotator.gui.")  # its modules by name (they import relatively)


def ui_imports() -> dict[str, set[str]]:
    """Module name -> the ui modules it imports (at any depth in its code)."""
    graph: dict[str, set[str]] = {}
    for path in sorted(UI.glob("*.py")):
        name = path.stem
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level == 1 and module:
                    found.add(module.split(".")[0])
                elif node.level == 1:
                    found.update(alias.name for alias in node.names)
                elif module.startswith(ABSOLUTE):
                    found.add(module.removeprefix("annotator.gui.").removeprefix("ui.")
                              .split(".")[0])
            elif isinstance(node, ast.Import):
                found.update(a.name.removeprefix("annotator.gui.").removeprefix("ui.")
                             .split(".")[0] for a in node.names
                             if a.name.startswith(ABSOLUTE))
        graph[name] = found - {name}
    return graph


def test_layout_ui_imports_have_no_circle() -> None:
    graph = ui_imports()
    assert {"window", "actions", "taskbar", "projects"} <= set(graph)
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:  # pragma: no cover - the message is the point
        raise AssertionError(f"import circle in ui/: {exc.args[1]}") from exc
    assert set(order) == set(graph) | {m for deps in graph.values() for m in deps}


def test_layout_ui_files_stay_small_or_say_why() -> None:
    long = []
    for path in sorted(UI.glob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if lines > MAX_LINES and "lines" not in docstring:
            long.append(f"{path.name}: {lines} lines")
    assert long == []
