"""``make run`` and ``annotator gui`` say which of Qt's xcb libraries are missing and
how to install them, before Qt aborts (ui/platform_check.py; no Qt loaded)."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest
from annotator.gui import platform_check

ROOT = Path(__file__).resolve().parents[2]


def fake_ldd(tmp_path: Path, missing: list[str]) -> Path:
    script = tmp_path / "ldd"
    lines = "\\n".join([*(f"\\t{name} => not found" for name in missing),
                        "\\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x0)"])
    script.write_text(f"#!/bin/sh\nprintf '{lines}\\n'\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_platform_check_names_the_packages_to_install(tmp_path, monkeypatch):
    ldd = fake_ldd(tmp_path, ["libxcb-cursor.so.0", "libxcb-icccm.so.4",
                              "libxcb-keysyms.so.1"])
    monkeypatch.setattr(platform_check.shutil, "which", lambda name: str(ldd))
    monkeypatch.setattr(platform_check, "plugin_files", lambda: [Path("libqxcb.so")])
    message = platform_check.problem({"DISPLAY": ":0"})
    assert message is not None
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1\n" in message
    assert platform_check.problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert platform_check.problem({"WAYLAND_DISPLAY": "wayland-0"}) is None


def test_platform_check_passes_where_nothing_is_missing(tmp_path, monkeypatch):
    ldd = fake_ldd(tmp_path, [])
    monkeypatch.setattr(platform_check.shutil, "which", lambda name: str(ldd))
    assert platform_check.problem({"QT_QPA_PLATFORM": "xcb"}).startswith("no display:")
    assert not platform_check.uses_xcb({}, platform="darwin")


def test_platform_check_runs_as_make_run_does():
    out = subprocess.run([sys.executable, "-m", "annotator.gui.platform_check"], cwd=ROOT,
                         capture_output=True, text=True, check=False,
                         env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    assert (out.returncode, out.stderr) == (0, "")
    assert "annotator.gui.platform_check" in (ROOT / "Makefile").read_text(encoding="utf-8")
    for package in platform_check.USUAL:  # the README's quick start names them
        assert package in (ROOT / "README.md").read_text(encoding="utf-8"), package


def clean_env(**extra: str) -> dict[str, str]:
    """The test's environment without any display or Qt platform choice."""
    import os

    drop = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return {**env, **extra}


@pytest.mark.slow  # over 0.4 s (make test-fast leaves it out)
def test_gui_without_a_display_says_so_in_one_line(tmp_path):
    """No DISPLAY: one line naming the missing display, exit 1 (not Qt's abort, rc 134,
    blaming libxcb-cursor0)."""
    db = tmp_path / "p.sqlite"
    out = subprocess.run([sys.executable, "-m", "annotator", "gui", "--db", str(db)],
                         cwd=tmp_path, capture_output=True, text=True, check=False,
                         env=clean_env(), timeout=120)
    assert out.returncode == 1, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("no display: DISPLAY is not set"), lines
    assert "xcb" not in out.stderr and not db.exists()


def test_a_display_nobody_answers_at_is_named(tmp_path):
    """DISPLAY names a server that is not there: the same one line, with the display."""
    out = subprocess.run([sys.executable, "-m", "annotator.gui.platform_check"], cwd=ROOT,
                         capture_output=True, text=True, check=False,
                         env=clean_env(DISPLAY=":97"), timeout=60)
    assert out.returncode == 1
    assert out.stderr.startswith("no display: cannot connect to the X server of "
                                 "DISPLAY=':97'"), out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    for chosen in ("offscreen", "minimal"):
        assert platform_check.problem({"QT_QPA_PLATFORM": chosen}) is None
    assert platform_check.x_socket("localhost:10.0")[1] == ("localhost", 6010)
