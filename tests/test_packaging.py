"""The wheel lists its packages by name (resources/ is mapped to annotator.resources,
which automatic discovery cannot do): every package in the source tree is listed, so a
new subpackage cannot be left out of the wheel (as annotator.store once was)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_in_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("annotator", "ui")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found - listed == set(), f"missing from pyproject.toml packages: {found - listed}"
    assert "annotator.resources" in listed
