"""The documentation cannot drift from the code.

1. Every command and option is in ``docs/cli-reference.md``, and the page is exactly what
   ``tools/gen_docs.py`` makes from the commands' ``--help`` (so are the other generated
   sections: the module map, the benchmark tables).
2. Every module the module map of ``docs/architecture.md`` lists exists, and every module
   of every package is listed.
3. Every relative link of ``README.md`` and ``docs/`` resolves, ``#anchors`` included.
4. Every shell block marked runnable (a fence opened with ```` ```sh runnable ````) runs,
   in order, page by page, on a small project in a temporary folder.

When one fails because the code changed: ``make docs`` regenerates the generated parts.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools import gen_docs

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
REFERENCE = DOCS / "cli-reference.md"
ARCHITECTURE = DOCS / "architecture.md"
REGENERATE = "run `make docs` (python -m tools.gen_docs) and commit what it rewrites"
PAGES = sorted([ROOT / "README.md", *DOCS.rglob("*.md")])
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def prose_lines(text: str) -> list[tuple[int, str]]:
    """The lines of a Markdown page outside fenced code blocks, with their numbers."""
    out, fence = [], None
    for number, line in enumerate(text.split("\n"), 1):
        match = FENCE.match(line)
        if match and (fence is None or match.group(2).startswith(fence)):
            fence = match.group(2)[0] * 3 if fence is None else None
            continue
        if fence is None:
            out.append((number, line))
    return out


# --- 1. the CLI reference --------------------------------------------------------------


def test_reference_equals_the_generated_text() -> None:
    made = gen_docs.cli_reference()
    have = REFERENCE.read_text(encoding="utf-8") if REFERENCE.exists() else ""
    if have != made:
        diff = "".join(list(difflib.unified_diff(
            have.splitlines(keepends=True), made.splitlines(keepends=True),
            f"{rel(REFERENCE)} (committed)", f"{rel(REFERENCE)} (from --help)"))[:60])
        pytest.fail(f"{rel(REFERENCE)} is not what the commands' --help says; "
                    f"{REGENERATE}.\n{diff}")


def reference_sections() -> dict[str, str]:
    """The reference's text under each heading (``annotator labels add`` -> its help)."""
    text = REFERENCE.read_text(encoding="utf-8")
    parts = re.split(r"^#{2,4} (annotator\b.*)$", text, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def test_every_command_and_option_is_in_the_reference() -> None:
    sections = reference_sections()
    missing = []
    for words, command, _ctx in gen_docs.command_tree():
        title = gen_docs.heading(words)
        section = sections.get(title)
        if section is None:
            missing.append(f"command `{title}` has no section")
            continue
        for name in gen_docs.option_names(command):
            if not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", section):
                missing.append(f"`{title}`: option {name} is not in its section")
    assert not missing, (f"{rel(REFERENCE)} lacks what the commands have; {REGENERATE}:\n  "
                         + "\n  ".join(missing))


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_generated_sections_are_current() -> None:
    stale = gen_docs.stale()
    assert not stale, ("generated documentation out of date: "
                       + ", ".join(rel(p) for p in stale) + f"; {REGENERATE}")


# --- 2. the module map -----------------------------------------------------------------


def mapped_modules() -> list[str]:
    """The modules the module map of architecture.md lists, as repository paths."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    begin, end = gen_docs.begin_marker("modules"), gen_docs.end_marker("modules")
    assert begin in text and end in text, f"{rel(ARCHITECTURE)} has no module map markers"
    folder, found = None, []
    for line in text[text.index(begin): text.index(end)].splitlines():
        if heading := re.fullmatch(r"\*\*`([\w/]+)/`\*\*", line.strip()):
            folder = heading.group(1)
        elif row := re.match(r"\| `([\w.]+\.py)` \|", line):
            assert folder is not None, f"module row before any folder: {line}"
            found.append(f"{folder}/{row.group(1)}")
    return found


def repository_modules() -> set[str]:
    """Every module of every top-level package (a folder with an ``__init__.py``, or a
    folder the map covers), tests and hidden folders aside."""
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}
    undeclared = packages - set(gen_docs.PACKAGES)
    assert not undeclared, (f"package(s) {sorted(undeclared)} are not in tools/gen_docs.py's "
                            "PACKAGES: add them there and run `make docs`")
    return {p.relative_to(ROOT).as_posix() for package in gen_docs.PACKAGES
            for p in (ROOT / package).rglob("*.py") if "__pycache__" not in p.parts}


def test_every_mapped_module_exists() -> None:
    gone = [m for m in mapped_modules() if not (ROOT / m).is_file()]
    assert not gone, f"the module map lists modules that do not exist: {gone}; {REGENERATE}"


def test_every_module_is_in_the_map() -> None:
    unlisted = sorted(repository_modules() - set(mapped_modules()))
    assert not unlisted, f"modules missing from the module map: {unlisted}; {REGENERATE}"


# --- 3. links ----------------------------------------------------------------------------

LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def anchors(page: Path) -> set[str]:
    """The anchors GitHub makes for a page's headings (duplicates get -1, -2, ...)."""
    seen: dict[str, int] = {}
    found = set()
    for _number, line in prose_lines(page.read_text(encoding="utf-8")):
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not match:
            continue
        base = gen_docs.slug(match.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(page: Path) -> list[tuple[int, str]]:
    out = []
    for number, line in prose_lines(page.read_text(encoding="utf-8")):
        line = re.sub(r"`[^`]*`", "", line)  # inline code is not a link
        out += [(number, m.group(1)) for m in LINK.finditer(line)]
    return out


def test_every_page_is_in_the_index() -> None:
    """Each page of docs/ is reachable: linked from docs/index.md (or the README)."""
    linked = {(page.parent / target.partition("#")[0]).resolve()
              for page in (ROOT / "README.md", DOCS / "index.md")
              for _number, target in links(page)}
    orphans = [rel(p) for p in sorted(DOCS.glob("*.md"))
               if p.name != "index.md" and p.resolve() not in linked]
    assert not orphans, f"pages linked from neither docs/index.md nor README.md: {orphans}"


def test_pages_have_links_to_check() -> None:
    assert sum(len(links(p)) for p in PAGES) > 50


@pytest.mark.parametrize("page", PAGES, ids=rel)
def test_every_relative_link_resolves(page: Path) -> None:
    broken = []
    for number, target in links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:, ...
            continue
        path_part, _, anchor = target.partition("#")
        dest = (page.parent / path_part).resolve() if path_part else page
        where = f"{rel(page)}:{number}: {target}"
        if not dest.exists():
            broken.append(f"{where}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{where}: no heading with anchor #{anchor} in {rel(dest)}")
    assert not broken, "broken links:\n  " + "\n  ".join(broken)


# --- 4. runnable shell blocks ------------------------------------------------------------


def runnable_blocks(page: Path) -> list[tuple[int, str]]:
    """The blocks of ``page`` fenced as ```` ```sh runnable ````, with their first line."""
    blocks, current, start = [], None, 0
    for number, line in enumerate(page.read_text(encoding="utf-8").split("\n"), 1):
        if current is None:
            if re.fullmatch(r"```sh runnable\s*", line):
                current, start = [], number + 1
        elif line.startswith("```"):
            blocks.append((start, "\n".join(current)))
            current = None
        else:
            current.append(line)
    assert current is None, f"{rel(page)}:{start}: runnable block not closed"
    return blocks


RUNNABLE = [p for p in PAGES if runnable_blocks(p)]


def test_there_are_runnable_blocks() -> None:
    assert ROOT / "README.md" in RUNNABLE and DOCS / "cli.md" in RUNNABLE


def small_project(folder: Path) -> dict[str, str]:
    """A folder as the runnable blocks expect it: the sample articles in ``articles/``
    and ``resources/samples/``, an ``annotator`` command on the PATH running this tree
    with this interpreter, and a home of its own (no default project touched)."""
    samples = ROOT / "resources" / "samples"
    shutil.copytree(samples, folder / "articles")
    shutil.copytree(samples, folder / "resources" / "samples")
    bin_dir = folder / ".bin"
    bin_dir.mkdir()
    shim = bin_dir / "annotator"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m annotator "$@"\n')
    shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANNOTATOR_")}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
               HOME=str(folder), XDG_DATA_HOME=str(folder / ".data"),
               XDG_CONFIG_HOME=str(folder / ".config"), QT_QPA_PLATFORM="offscreen")
    return env


def _slow_if_it_loads_spacy(page: Path) -> pytest.ParameterSet:
    text = " ".join(block for _line, block in runnable_blocks(page))
    slow = re.search(r"annotator (suggest|train|evaluate)\b", text) is not None
    return pytest.param(page, id=rel(page), marks=[pytest.mark.slow] if slow else [])


@pytest.mark.parametrize("page", [_slow_if_it_loads_spacy(p) for p in RUNNABLE])
def test_runnable_blocks_run(page: Path, tmp_path: Path) -> None:
    env = small_project(tmp_path)
    script = ["set -euo pipefail"]
    for line, block in runnable_blocks(page):
        script += [f"echo '>>> {rel(page)}:{line}' >&2", block]
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        started = re.findall(r">>> (\S+)", done.stderr)
        pytest.fail(f"the runnable block at {started[-1] if started else rel(page)} failed "
                    f"(exit {done.returncode}):\n--- stdout\n{done.stdout[-2000:]}"
                    f"\n--- stderr\n{done.stderr[-3000:]}")
