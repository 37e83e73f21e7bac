"""Model folders beside a project: names, listing, ``--model NAME|latest|PATH``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator import trained
from annotator.paths import models_dir


def _model(db: Path, name: str, created: str, **meta: object) -> Path:
    folder = models_dir(db) / name
    folder.mkdir(parents=True)
    (folder / "meta.json").write_text(json.dumps(
        {"annotator_model": 1, "name": name, "created": created, "layers": ["claim"],
         **meta}), encoding="utf-8")
    return folder


def test_trained_names_list_and_resolve(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    assert trained.list_models(db) == [] and trained.next_name(db, "news") == "news-1"
    with pytest.raises(trained.ModelError, match="no trained model"):
        trained.resolve("latest", db)
    first = _model(db, "news-1", "2026-01-01T00:00:00+00:00")
    second = _model(db, "news-2", "2026-01-02T00:00:00+00:00", done_documents=40)
    other = _model(db, "claims-1", "2026-01-03T00:00:00+00:00")
    (models_dir(db) / ".news-3.abcd1234.tmp").mkdir()  # a run in progress
    (models_dir(db) / "junk").mkdir()  # not a model: ignored
    assert [m.name for m in trained.list_models(db)] == ["news-1", "news-2", "claims-1"]
    assert trained.next_name(db, "news") == "news-4" and trained.next_name(db, "x") == "x-1"
    assert trained.resolve("latest", db) == other
    assert trained.resolve("news", db) == second and trained.resolve("news-1", db) == first
    assert trained.resolve(str(first), None) == first  # by path, from anywhere
    assert trained.resolve("en_core_web_sm", db) is None  # a spaCy package name
    assert trained.info(second).as_dict()["done_documents"] == 40
    assert not trained.is_model(models_dir(db) / "junk")
