"""``python -m annotator.gui.platform_check``: can Qt open a window on this Linux desktop?

Qt's X11 platform plugin (``libqxcb.so`` in the PySide6 wheel) needs shared libraries
that a plain Debian or Ubuntu desktop does not always have, ``libxcb-cursor0`` first of
all; without them the window aborts with Qt's own message about the "xcb" plugin.
This asks ``ldd`` which of the plugin's libraries are missing and prints the exact
install line. No Qt is imported (loading the plugin is what fails). ``make run`` and
``annotator gui`` run it first; it says nothing and passes where the window will use
another platform (Wayland, offscreen, macOS, Windows) or ``ldd`` is missing.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

#: Shared library -> the Debian/Ubuntu package that has it.
DEBIAN_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1", "libxcb-image.so.0": "libxcb-image0",
    "libxcb-util.so.1": "libxcb-util1", "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-randr.so.0": "libxcb-randr0", "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0", "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0", "libxcb-render.so.0": "libxcb-render0",
    "libxcb-xkb.so.1": "libxcb-xkb1", "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb.so.1": "libxcb1", "libX11-xcb.so.1": "libx11-xcb1", "libX11.so.6": "libx11-6",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0", "libxkbcommon.so.0": "libxkbcommon0",
    "libGL.so.1": "libgl1", "libEGL.so.1": "libegl1", "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6", "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0", "libgthread-2.0.so.0": "libglib2.0-0",
}
#: What the README's quick start names: the libraries most often missing.
USUAL = ("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-image0",
         "libxcb-render-util0", "libxkbcommon-x11-0")


def plugin_files() -> list[Path]:
    """The xcb platform plugin and the Qt library it loads, in the installed PySide6."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or spec.origin is None:
        return []
    qt = Path(spec.origin).parent / "Qt"
    files = [qt / "plugins" / "platforms" / "libqxcb.so", qt / "lib" / "libQt6XcbQpa.so.6"]
    return [f for f in files if f.exists()]


def missing_libraries(files: list[Path]) -> list[str]:
    """The shared libraries ``ldd`` cannot find for ``files``, in its order."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return []
    missing: list[str] = []
    for path in files:
        out = subprocess.run([ldd, str(path)], capture_output=True, text=True, check=False)
        for line in out.stdout.splitlines():
            name, _, where = line.strip().partition(" => ")
            if where.strip() == "not found" and name not in missing:
                missing.append(name)
    return missing


def install_line(missing: list[str]) -> str:
    """The command that installs what is missing (Debian/Ubuntu package names)."""
    packages = list(dict.fromkeys(DEBIAN_PACKAGES.get(name, name) for name in missing))
    return "sudo apt-get install " + " ".join(packages)


def uses_xcb(env: dict[str, str], platform: str = sys.platform) -> bool:
    """Whether Qt will open its windows through the xcb plugin here."""
    if not platform.startswith("linux"):
        return False
    chosen = env.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.split(";")[0].split(":")[0] == "xcb"
    return not env.get("WAYLAND_DISPLAY")  # a Wayland session: Qt's wayland plugin


def problem(env: dict[str, str] | None = None) -> str | None:
    """What keeps the window from opening on this desktop, with the fix; None if
    nothing does (as far as can be told without loading Qt)."""
    if not uses_xcb(dict(os.environ) if env is None else env):
        return None
    missing = missing_libraries(plugin_files())
    if not missing:
        return None
    return ("Qt's X11 platform plugin (xcb) cannot load: this system lacks "
            f"{', '.join(missing)}.\nInstall them (Debian, Ubuntu) with:\n\n"
            f"    {install_line(missing)}\n\n(Fedora: sudo dnf install xcb-util-cursor "
            "xcb-util-wm xcb-util-keysyms; Arch: sudo pacman -S xcb-util-cursor)")


def main() -> int:
    found = problem()
    if found:
        print(found, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
