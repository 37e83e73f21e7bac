"""The ``annotator gui`` command, registered through the ``annotator.commands`` entry
point (``pyproject.toml``): the core never imports ``ui/``. Imports no Qt until run."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from annotator.cli._util import db_option


@click.command("gui")
@click.option("--annotator", "annotator_name", default=None, help="Who is annotating.")
@click.option("--read-only", "read_only", is_flag=True,
              help="Open the project for reading (and exporting) only.")
@db_option
def gui_cmd(db_path: Path | None, annotator_name: str | None, read_only: bool) -> None:
    """Open the annotation window (same as ``python main.py``)."""
    from .app import run

    argv = [] if db_path is None else ["--db", str(db_path)]
    if annotator_name:
        argv += ["--annotator", annotator_name]
    if read_only:
        argv.append("--read-only")
    sys.exit(run(argv))
