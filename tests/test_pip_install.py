"""tools/pip_install.py, the Makefile's installs: pip's lines become one line per phase,
warnings are counted, errors shown (fed pip's own lines; no pip is run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.pip_install import Account, extra_requirements

PIP_LINES = """\
Obtaining file:///src/annotator
  Installing build dependencies: started
  WARNING: Location 'file:///opt/x/simple/setuptools/' is ignored: it is neither a file
Collecting click>=8.1 (from annotator==0.1)
  Using cached click-8.1.7-py3-none-any.whl (97 kB)
Collecting spacy<3.9,>=3.8 (from annotator==0.1)
WARNING: Location 'file:///opt/x/simple/spacy/' is ignored: it is neither a file
Requirement already satisfied: tqdm>=4.60 in ./.venv/lib/python3.11/site-packages
Building wheels for collected packages: annotator
Installing collected packages: click, spacy, annotator
Successfully installed annotator-0.1 click-8.1.7 spacy-3.8.2
""".splitlines(keepends=True)


def test_pip_install_one_line_per_phase_and_warnings_counted(
        capsys: pytest.CaptureFixture[str]) -> None:
    account = Account(tty=False)
    for line in PIP_LINES:
        account.line(line)
    account.finish(Path(".venv/install.log"))
    assert capsys.readouterr().out.splitlines() == [
        "  collected 2; installing 3 packages (unpacking takes the longest)",
        "  installed 3 packages",
        "  2 warnings from pip, in .venv/install.log (the first: WARNING: Location "
        "'file:///opt/x/simple/setuptools/' is ignored: it is neither a file)"]


def test_pip_install_errors_come_through_and_nothing_to_add_is_said(
        capsys: pytest.CaptureFixture[str]) -> None:
    account = Account(tty=False)
    for line in ["Requirement already satisfied: pytest>=8 in ./.venv\n",
                 "ERROR: Could not find a version that satisfies the requirement nope\n"]:
        account.line(line)
    account.finish(Path("log"))
    assert capsys.readouterr().out.splitlines() == [
        "  ERROR: Could not find a version that satisfies the requirement nope",
        "  nothing to add: 1 requirement already satisfied"]


def test_pip_install_extra_reads_the_dev_tools_from_pyproject() -> None:
    dev = extra_requirements("dev", Path(__file__).resolve().parent.parent / "pyproject.toml")
    assert any(r.startswith("pytest") for r in dev) and not any(
        r.startswith("spacy") for r in dev)
