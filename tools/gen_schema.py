"""Writes ``annotator/store/schema_objects.py``: the schema objects this version of
Annotator makes, recorded so that opening a project compares against them without
building the schema in memory first (issue 28 §3: 18 of the 29 million instructions a
``stats`` ran after its imports).

    python -m tools.gen_schema            # rewrite the file if it differs
    python -m tools.gen_schema --check    # exit 1 if it differs (tests/store/test_trust.py)

Run it after a change to ``annotator/store/schema.py``. A stale file costs only speed:
the recorded objects are used when they are those of the current ``SCHEMA_VERSION``,
and a file whose schema differs from them is still compared with the schema built in
memory (:func:`annotator.store.trust.describe_schema`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "annotator" / "store" / "schema_objects.py"

HEADER = '''"""The schema objects of a project at :data:`VERSION`, as this version of Annotator
makes it (``sqlite_master``: kind, table, SQL with whitespace normalised; by lower-case
name), recorded by ``python -m tools.gen_schema`` from
:func:`annotator.store.trust.expected_schema`. Opening a project compares its schema with
these first (:func:`annotator.store.trust.describe_schema`), which spares every command
building the schema in memory; ``tests/store/test_trust.py`` keeps them equal."""

from __future__ import annotations

'''


def render() -> str:
    """The text of :data:`TARGET` for the schema this checkout makes."""
    from annotator.store.schema import SCHEMA_VERSION
    from annotator.store.trust import expected_schema

    lines = [HEADER, f"VERSION = {SCHEMA_VERSION}\n\n",
             "SCHEMA_OBJECTS: dict[str, tuple[str, str, str | None]] = {\n"]
    for name, (kind, table, sql) in sorted(expected_schema(SCHEMA_VERSION).items()):
        line = f"    {name!r}: ({kind!r}, {table!r}, {sql!r}),\n"
        lines.append(line if len(line) <= 90 else
                     f"    {name!r}: ({kind!r}, {table!r}, {_chunked(sql)}),\n")
    lines.append("}\n")
    return "".join(lines)


def _chunked(sql: str | None, width: int = 64) -> str:
    """``sql`` as a Python literal within the line length: adjacent strings of at most
    ``width`` characters, one a line, in parentheses."""
    if sql is None:
        return repr(sql)
    parts = [sql[i:i + width] for i in range(0, len(sql), width)]
    return "(\n" + "".join(f"        {part!r}\n" for part in parts) + "    )"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the recorded schema differs; write nothing")
    args = parser.parse_args(argv)
    text = render()
    current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
    if current == text:
        return 0
    if args.check:
        print(f"{TARGET.relative_to(ROOT)} is stale: run python -m tools.gen_schema")
        return 1
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
