"""``annotator doctor``: check project files from others (see :mod:`annotator.store.doctor`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._util import main


@main.command("doctor")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--repair", is_flag=True,
              help="Write a copy without what is foreign (triggers, views, tables and "
                   "indexes not ours); the file itself is not changed.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where --repair writes the copy (default: NAME.repaired.db beside it).")
def doctor_cmd(files: tuple[Path, ...], repair: bool, out: Path | None) -> None:
    """Check project files before trusting them: the header (page size, encoding, page
    count), the schema against the one Annotator makes (every trigger, view, table or
    index that is not ours, every changed one), SQLite's quick_check and the caps on
    text and spans per document. Exit 1 if any file has a problem."""
    from ..store.doctor import examine
    from ..store.doctor import repair as repair_file

    if out is not None and len(files) > 1:
        raise click.UsageError("--out goes with one file")
    bad = 0
    for path in files:
        report = examine(path)
        click.echo(report.render())
        if report.ok:
            continue
        bad += 1
        if repair:
            target = out or path.with_name(f"{path.stem}.repaired.db")
            done = repair_file(path, target)
            click.echo(f"  repaired copy: {target} ({'; '.join(done)}); {path} is unchanged")
    if bad:
        sys.exit(1)
