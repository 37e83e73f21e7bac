"""Which packages the wheel holds, found on disk rather than listed by hand: annotator's
own, and the two folders at the top of the repository that install inside its
namespace, ``ui/`` as ``annotator.gui`` and ``resources/`` as ``annotator.resources``
(with their data folders, so that setuptools finds no importable folder left out).
Everything else is in pyproject.toml. setuptools' ``packages.find`` names packages
after their folders, so it cannot map ``ui`` to ``annotator.gui``: hence this file.
Nothing else is installed: not ``ui`` as a top-level name, nor bench/, tools/, tests/.
"""

from __future__ import annotations

from setuptools import find_namespace_packages, find_packages, setup

#: Installed name -> folder in the repository.
MAPPED = {"annotator.gui": "ui", "annotator.resources": "resources"}


def packages() -> list[str]:
    """Every package the wheel installs, by its installed name."""
    found = find_packages(include=["annotator", "annotator.*"])
    for name, folder in MAPPED.items():
        found.append(name)
        # resources/ holds data folders (samples, models) without __init__.py
        finder = find_namespace_packages if folder == "resources" else find_packages
        found += [f"{name}.{sub}" for sub in finder(where=folder, exclude=["*__pycache__*"])]
    return sorted(found)


def package_dir() -> dict[str, str]:
    return dict(MAPPED)


if __name__ == "__main__":  # as setuptools' build backend runs it
    setup(packages=packages(), package_dir=package_dir())
