"""The generated parts of ``docs/``: ``make docs`` writes them, ``--check`` compares.

- ``docs/cli-reference.md``: every command's ``--help``, read from the click commands
  themselves (the core's and those of the ``annotator.commands`` entry points);
- ``docs/architecture.md``, between its ``modules`` markers: every module of the
  repository's packages with the first sentence of its docstring;
- ``docs/benchmarks.md``, between its markers: the tables of ``bench/results.json``
  (rendered by :mod:`bench.report`).

A generated section sits between ``<!-- BEGIN GENERATED NAME (make docs) -->`` and
``<!-- END GENERATED NAME -->``; the text around it is written by hand.
``tests/test_docs.py`` fails when a file differs from what this script makes.

    python -m tools.gen_docs            # rewrite what differs
    python -m tools.gen_docs --check    # exit 1 and name the files that differ
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
#: the packages whose modules the module map lists (those that exist)
PACKAGES = ("annotator", "ui", "resources", "bench", "tools")
#: the width ``--help`` is rendered at (a terminal's, whatever runs this)
HELP_WIDTH = 88
REGENERATE = "make docs"


# --- the CLI reference ---------------------------------------------------------------


def command_tree() -> Iterator[tuple[list[str], click.Command, click.Context]]:
    """Every command of ``annotator``, depth first, groups before their commands, as
    (its words after ``annotator``, the command, a context for rendering its help)."""
    from annotator.cli import main

    root = click.Context(main, info_name="annotator", terminal_width=HELP_WIDTH,
                         max_content_width=HELP_WIDTH, **main.context_settings)

    def walk(command: click.Command, ctx: click.Context,
             words: list[str]) -> Iterator[tuple[list[str], click.Command, click.Context]]:
        yield words, command, ctx
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is None or sub.hidden:
                    continue
                sub_ctx = click.Context(sub, parent=ctx, info_name=name,
                                        terminal_width=HELP_WIDTH,
                                        max_content_width=HELP_WIDTH, **sub.context_settings)
                yield from walk(sub, sub_ctx, [*words, name])

    yield from walk(main, root, [])


def option_names(command: click.Command) -> list[str]:
    """Every spelling of every visible option of ``command`` (``--x``, ``-x``, ``--no-x``)."""
    names: list[str] = []
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            names += [*param.opts, *param.secondary_opts]
    return names


def heading(words: list[str]) -> str:
    return " ".join(["annotator", *words])


def cli_reference() -> str:
    """``docs/cli-reference.md``: the help of every command, as ``--help`` prints it."""
    tree = list(command_tree())
    out = ["# Command-line reference", "",
           "<!-- Generated from the commands' --help by tools/gen_docs.py: run "
           f"`{REGENERATE}`, do not edit. -->", "",
           "Every command and its options, exactly as `annotator COMMAND --help` prints "
           "them. How to use them together: [cli.md](cli.md).", ""]
    for words, _command, _ctx in tree[1:]:
        indent = "  " * (len(words) - 1)
        out.append(f"{indent}- [`{heading(words)}`](#{slug(heading(words))})")
    for words, command, ctx in tree:
        level = "#" * min(2 + max(len(words) - 1, 0), 4)
        out += ["", f"{level} {heading(words)}", "", "```text",
                command.get_help(ctx).rstrip(), "```"]
    return "\n".join(out) + "\n"


# --- the module map ------------------------------------------------------------------


def modules(root: Path = ROOT) -> list[str]:
    """The ``.py`` files of :data:`PACKAGES`, as paths relative to ``root``, sorted."""
    found = []
    for package in PACKAGES:
        folder = root / package
        if folder.is_dir():
            found += [p.relative_to(root).as_posix() for p in folder.rglob("*.py")
                      if "__pycache__" not in p.parts]
    return sorted(found, key=lambda p: (p.split("/")[:-1], p))


def summary(path: Path) -> str:
    """The first sentence of a module's docstring, reST roles turned into Markdown."""
    try:
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    except SyntaxError:
        doc = ""
    para = " ".join(doc.split("\n\n")[0].split())
    if not para:
        return "(no docstring)"
    sentence = para
    for match in re.finditer(r"[.?!](?=\s|$)", para):
        if not para[: match.start()].endswith(("e.g", "i.e", "cf", "vs", "etc")):
            sentence = para[: match.end()]
            break
    sentence = re.sub(r":\w+:`~?\.?([^`]+)`", r"`\1`", sentence)  # :mod:`x` -> `x`
    sentence = sentence.replace("``", "`")
    return sentence


def module_map(root: Path = ROOT) -> str:
    """A table per package folder: each module and what its docstring says it is."""
    out: list[str] = []
    folder = None
    for path in modules(root):
        parent, _, name = path.rpartition("/")
        if parent != folder:
            folder = parent
            if out:
                out.append("")
            out += [f"**`{parent}/`**", "", "| module | what it is |", "| --- | --- |"]
        what = summary(root / path).replace("|", "\\|")
        out.append(f"| `{name}` | {what} |")
    return "\n".join(out)


# --- sections between markers --------------------------------------------------------


def begin_marker(name: str) -> str:
    return f"<!-- BEGIN GENERATED {name} ({REGENERATE}) -->"


def end_marker(name: str) -> str:
    return f"<!-- END GENERATED {name} -->"


def replace_section(text: str, name: str, content: str) -> str:
    """``text`` with what lies between the markers of ``name`` replaced by ``content``."""
    begin, end = begin_marker(name), end_marker(name)
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < start:
        raise ValueError(f"no '{begin}' ... '{end}' in the file")
    return text[: start + len(begin)] + "\n" + content.strip("\n") + "\n" + text[stop:]


def sections(text: str) -> list[str]:
    """The names of the generated sections in ``text``."""
    return re.findall(r"<!-- BEGIN GENERATED (\S+) ", text)


# --- anchors (GitHub's rule), shared with the link check ------------------------------


def slug(title: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces -> -."""
    title = re.sub(r"`|\*\*|\[([^\]]*)\]\([^)]*\)", r"\1", title.strip())
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


# --- everything ----------------------------------------------------------------------


def expected(root: Path = ROOT) -> dict[Path, str]:
    """Each generated file with the text it should hold."""
    from bench.report import render

    docs = root / "docs"
    files = {docs / "cli-reference.md": cli_reference()}
    generated = {"modules": module_map(root), **render(root / "bench" / "results.json")}
    for path in sorted(docs.glob("*.md")):
        text = files.get(path) or path.read_text(encoding="utf-8")
        for name in sections(text):
            if name not in generated:
                raise ValueError(f"{path}: unknown generated section {name!r}")
            text = replace_section(text, name, generated[name])
        files[path] = text
    return files


def stale(root: Path = ROOT) -> list[Path]:
    """The generated files whose text differs from what :func:`expected` makes."""
    return [path for path, text in expected(root).items()
            if not path.exists() or path.read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a generated file is out of date")
    args = parser.parse_args(argv)
    files = expected()
    changed = [p for p, text in files.items()
               if not p.exists() or p.read_text(encoding="utf-8") != text]
    for path in changed:
        rel = path.relative_to(ROOT)
        if args.check:
            print(f"{rel}: out of date; run `{REGENERATE}`", file=sys.stderr)
        else:
            path.write_text(files[path], encoding="utf-8")
            print(f"wrote {rel}")
    if not changed:
        print(f"{len(files)} generated files up to date")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
