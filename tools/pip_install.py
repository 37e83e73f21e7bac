"""``python tools/pip_install.py LOG [--extra NAME] [PIP-ARGS...]``: ``pip install`` with a
short account on the terminal and pip's whole output in ``LOG``.

The Makefile's installs go through here. pip's own output is hundreds of lines (one or
more per package, and a build backend's warnings), in which a failure is easy to miss and
progress is not. This prints one line per phase and, on a terminal, a live count of the
packages pip has collected so far; pip's errors still come through, its warnings are counted,
and a failure shows the end of the log. ``--extra NAME`` installs the packages of
``[project.optional-dependencies] NAME`` in pyproject.toml by themselves, without
rebuilding the project's own editable install (``make test`` after ``make run``).
Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

TAIL = 40  # lines of the log shown when pip fails


def extra_requirements(name: str, pyproject: Path = Path("pyproject.toml")) -> list[str]:
    """The requirements of the optional dependency group ``name``."""
    with pyproject.open("rb") as f:
        return list(tomllib.load(f)["project"]["optional-dependencies"][name])


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


class Account:
    """Turns pip's lines into one line per phase (a live count on a terminal)."""

    def __init__(self, tty: bool) -> None:
        self.tty = tty
        self.collected = 0
        self.satisfied = 0
        self.warnings = 0
        self.first_warning = ""
        self.pending = False  # a live line is on the terminal, without its newline

    def say(self, text: str) -> None:
        self.end_live()
        print(f"  {text}", flush=True)

    def live(self, text: str) -> None:
        if self.tty:
            print(f"\r\033[K  {text}", end="", flush=True)
            self.pending = True

    def end_live(self) -> None:
        if self.pending:
            print(flush=True)
            self.pending = False

    def line(self, line: str) -> None:
        words = line.split()
        if line.startswith("Collecting ") and len(words) > 1:
            self.collected += 1
            self.live(f"collecting {self.collected}: {words[1]}")
        elif line.startswith("Downloading ") and len(words) > 1:
            self.live(f"collecting {self.collected}: downloading {' '.join(words[1:])}")
        elif line.startswith("Requirement already satisfied"):
            self.satisfied += 1
        elif line.startswith("Installing collected packages:"):
            names = line.split(":", 1)[1].split(",")
            self.say(f"collected {self.collected}; installing {plural(len(names), 'package')}"
                     " (unpacking takes the longest)")
        elif line.startswith("Successfully installed"):
            self.say(f"installed {plural(len(words) - 2, 'package')}")
        elif line.lstrip().startswith("ERROR"):  # (indented: from a build subprocess)
            self.say(line.strip())
        elif line.lstrip().startswith("WARNING"):  # counted: an index can give one a package
            self.warnings += 1
            self.first_warning = self.first_warning or line.strip()

    def finish(self, log: Path) -> None:
        self.end_live()
        if self.warnings:
            print(f"  {plural(self.warnings, 'warning')} from pip, in {log} (the first: "
                  f"{self.first_warning})", flush=True)
        if self.satisfied and not self.collected:
            print(f"  nothing to add: {plural(self.satisfied, 'requirement')} already satisfied",
                  flush=True)


def main(argv: list[str]) -> int:
    log_path, args = Path(argv[0]), argv[1:]
    if args[:1] == ["--extra"]:
        args = extra_requirements(args[1]) + args[2:]
    account = Account(sys.stdout.isatty())
    with log_path.open("a", encoding="utf-8") as log:
        log.write(f"$ pip install {' '.join(args)}\n")
        log.flush()
        pip = subprocess.Popen([sys.executable, "-m", "pip", "install", "--progress-bar",
                                "off", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, bufsize=1)
        assert pip.stdout is not None
        for line in pip.stdout:
            log.write(line)
            account.line(line)
        code = pip.wait()
    account.finish(log_path)
    if code:
        lines = log_path.read_text(encoding="utf-8").splitlines()[-TAIL:]
        print("\n".join(lines), file=sys.stderr)
        print(f"pip install failed (exit {code}); its whole output: {log_path}",
              file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
