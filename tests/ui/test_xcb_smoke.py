"""The window on a real X server: Qt's xcb platform under Xvfb (not the offscreen
platform every other GUI test uses), a real key event from the X server (XTEST, by
``xdotool``), then the database. CI installs Xvfb, xdotool and the xcb libraries
(``.ci/run``); elsewhere the test is skipped when they are missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from annotator.gui.platform_check import problem

from annotator.store import Store

from .conftest import TEXT, add_document

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.gui


def need(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI must provide {what} (.ci/run installs it)")
    pytest.skip(f"no {what} here")


@pytest.fixture
def display() -> Iterator[str]:
    """A fresh Xvfb server; its DISPLAY."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        need("Xvfb (Debian: xvfb)")
    read, write = os.pipe()
    server = subprocess.Popen([xvfb, "-displayfd", str(write), "-screen", "0", "1280x800x24",
                               "-nolisten", "tcp"], pass_fds=(write,),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        if not number:
            pytest.fail("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


def xdotool(env: dict[str, str], *args: str, timeout: float = 30) -> str:
    out = subprocess.run(["xdotool", *args], env=env, capture_output=True, text=True,
                         timeout=timeout, check=True)
    return out.stdout.strip()


def test_xcb_smoke_accepts_a_span_with_a_real_key(display, tmp_path):
    if shutil.which("xdotool") is None:
        need("xdotool")
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
           "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_RUNTIME_DIR": str(tmp_path)}
    env.pop("WAYLAND_DISPLAY", None)
    missing = problem(env)
    if missing:
        need(f"the xcb libraries: {missing}")
    db = tmp_path / "fresh.db"
    with Store(db) as store:
        add_document(store, TEXT, [("entity", "Rohilat Afrin", "PERSON")])
    app = subprocess.Popen([sys.executable, "main.py", "--db", str(db), "--annotator", "ci"],
                           cwd=ROOT, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    try:
        window = xdotool(env, "search", "--sync", "--name", "Annotator — fresh.db")
        window = window.splitlines()[0]
        xdotool(env, "windowfocus", "--sync", window)
        time.sleep(0.5)  # the window takes the focus, the first paint is done
        xdotool(env, "key", "a")  # through the X server, as a keyboard would
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with Store(db, readonly=True) as store:
                if store.spans(1)[0].decision == "accepted":
                    break
            time.sleep(0.2)
        xdotool(env, "key", "ctrl+q")
        output, _ = app.communicate(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(10)
    assert app.returncode == 0, output
    with Store(db, readonly=True) as store:
        [span] = store.spans(1)
        assert (span.decision, span.annotator) == ("accepted", "ci")
        assert [(e["action"], e["annotator"]) for e in store.events(1)
                if e["span_id"] == span.id] == [("accept", "ci")]
        assert store.get_document(1).status == "in_progress"
