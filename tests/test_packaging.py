"""The wheel's packages are found on disk by setup.py (not listed by hand), by their
installed names: ui/ installs as annotator.gui and resources/ as annotator.resources, so
that nothing but ``annotator`` lands at the top of site-packages, and no package of the
source tree can be left out of the wheel (as annotator.store once was).
tests/wheel/check.sh builds and installs the real wheel."""

from __future__ import annotations

import runpy
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_py() -> dict[str, object]:
    return runpy.run_path(str(ROOT / "setup.py"), run_name="setup_check")


def test_packaging_every_package_installs_inside_annotator() -> None:
    found = setup_py()["packages"]()  # type: ignore[operator]
    on_disk = {".".join(init.parent.relative_to(ROOT).parts)
               for top in ("annotator", "ui", "resources")
               for init in (ROOT / top).rglob("__init__.py")}
    installed = {name.replace("annotator.gui", "ui", 1).replace("annotator.resources",
                                                                  "resources", 1)
                 for name in found}
    assert on_disk - installed == set(), "packages left out of the wheel"
    assert {"annotator.gui", "annotator.editing", "annotator.resources.samples"} <= set(found)
    assert all(name == "annotator" or name.startswith("annotator.") for name in found)


def test_packaging_maps_the_top_folders_and_keeps_no_list() -> None:
    assert setup_py()["package_dir"]() == {  # type: ignore[operator]
        "annotator.gui": "ui", "annotator.resources": "resources"}
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "packages" not in config["tool"].get("setuptools", {})
    commands = config["project"]["entry-points"]["annotator.commands"]
    assert commands["gui"] == "annotator.gui.gui_command:gui_cmd"
