"""The peer benchmark: Annotator against Label Studio 1.23 on the same corpus, side by side.

``make bench-peers`` (or ``python -m bench.peers``; ``--quick`` for 1,000 documents and
one run while developing). Not part of ``make test`` or ``make bench``, never run in CI.

What it does:

1. Installs ``label-studio==1.23.*`` from PyPI into a virtual environment of its own,
   outside the project, cached between runs (``~/.cache/annotator-bench/labelstudio-1.23``;
   ``$ANNOTATOR_BENCH_CACHE`` or ``--cache-dir`` move it). If it cannot be installed or
   does not start, it says so and exits 0.
2. Writes the same generated corpus (:mod:`bench.corpus`, seeded: 10,000 news-like
   articles of about 500 words) in each tool's own import format: Annotator's JSONL
   (``{"text", "meta"}``, plus Prodigy ``spans`` and ``"answer": "accept"`` for the
   annotated set) and Label Studio's JSON task list (``{"data": {"text", "meta"}}``, plus
   one ``annotations[0].result`` of ``labels`` regions for the annotated set). The
   annotated set has the same entity spans in both: about 20 per article (names, outlets,
   places and dates of the generator's own lists, found in the text, at most 21 spread
   over the article).
3. Starts Label Studio as ``label-studio start`` does for a user (Django's server, SQLite
   in a throwaway data folder), bound to 127.0.0.1 only (``--internal-host``; this is
   checked on the server's listening sockets before any request), with its update check,
   Sentry error reporting and usage analytics switched off, and a user with an API token
   made without a prompt.
4. Runs every operation below on both tools, a fresh project for each run, the two
   tools in turn operation by operation (after one untimed round of every call on a
   small project), and takes the median of 3 runs (the list and show rows: each run the
   median of 5 calls after one untimed call).
5. Prints the table with the ratio (Annotator faster by x: the peer's time over
   Annotator's), the versions and the machine, and writes the rows into the ``peers``
   section of ``bench/results.json`` (the ``make bench`` rows stay as they are).
6. Stops the server (also on Ctrl+C, SIGTERM and errors) and removes its data.

What each row measures (wall time unless said otherwise):

- **import plain / annotated**: Annotator: the command ``annotator import FILE.jsonl`` into
  a new project, from process start to exit. Label Studio: one ``POST
  /api/projects/ID/import`` of the JSON file's bytes into a new project with the NER
  label config, until the response (the community edition imports synchronously).
- **first export**: the annotated project (all documents done, never suggested, so no
  token is cached): ``annotator export --format jsonl`` (tokens included: it tokenises
  every text and caches the tokens) against ``GET /api/projects/ID/export?exportType=JSON``
  written to a file (Label Studio's JSON has no tokens and nothing to cache).
- **second export**: the same command again (tokens cached) against a second Label
  Studio export of the same project.
- **export --no-tokens**: ``annotator export --no-tokens`` against that second export.
- **list first 100**: ``annotator list --json --limit 100`` until its 100th line is read (a
  command without ``--limit``: as ``| head -100`` reads it) against
  ``GET /api/tasks?project=ID&page=1&page_size=100``.
- **show one document**: ``annotator show ID --json`` against ``GET /api/tasks/ID``, the
  same article (number 4,242, or the middle one of a smaller corpus).
- **peak memory, annotated import**: Annotator: the peak resident memory of the import
  process itself (its ``VmHWM``: ``ru_maxrss`` of a child forked from a small launcher,
  so none of this harness's memory is counted). Label Studio: the server process's peak
  resident memory during the import (its ``VmHWM``, reset through
  ``/proc/PID/clear_refs`` just before the request).

Label Studio's requests are timed from this process over a new loopback connection
each, the server already running: its client costs nothing, while every Annotator
figure includes starting a Python process.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

LS_SERIES = "1.23"
LS_SPEC = "label-studio==1.23.*"
N_DOCS = 10_000
RUNS = 3
QUICK_DOCS = 1_000
LIST_N = 100
CALLS = 5  # timed list/show calls per run (after one untimed)
SHOW_ARTICLE = 4_242
SPANS_PER_DOC = 21  # at most; about 20 on average over the corpus
WARMUP = 20  # articles each tool imports, exports, lists and shows once, untimed, first
INSTALL_TIMEOUT_S = 1_800
START_TIMEOUT_S = 600
REQUEST_TIMEOUT_S = 3_600

# (key, row name, unit, target: Annotator faster by at least this, what it measures)
OPERATIONS: list[tuple[str, str, str, float, str]] = [
    ("import_plain", "import plain", "s", 1.0,
     "annotator import FILE.jsonl vs POST /api/projects/ID/import of the same tasks"),
    ("import_annotated", "import annotated", "s", 1.0,
     "the same with ~20 accepted entity spans per document (LS: one annotation each)"),
    ("export_first", "first export (JSONL with tokens, never suggested)", "s", 2.0,
     "annotator export --format jsonl (tokenises, caches) vs GET .../export?exportType=JSON"),
    ("export_second", "second export (tokens cached)", "s", 1.0,
     "the same export again vs a second Label Studio export"),
    ("export_no_tokens", "export --no-tokens", "s", 1.0,
     "annotator export --no-tokens vs the second Label Studio export"),
    ("list_first", "list first 100", "s", 1.0,
     "annotator list --json until line 100 vs GET /api/tasks?page_size=100 (server running)"),
    ("show_one", "show one document", "s", 1.0,
     "annotator show ID --json vs GET /api/tasks/ID (server running)"),
    ("peak_import_annotated", "peak memory, annotated import", "MB", 1.0,
     "the import process's VmHWM vs the Label Studio server's VmHWM during the import"),
]
KEYS = [op[0] for op in OPERATIONS]


class Unavailable(Exception):
    """Label Studio cannot be installed or started: the benchmark is skipped (exit 0)."""


# --- the corpus in both tools' formats ---------------------------------------------------


def _entity_pattern() -> re.Pattern[str]:
    from bench import corpus

    groups = [("PERSON", corpus.PEOPLE), ("ORG", corpus.ORGS + corpus.OUTLETS),
              ("GPE", corpus.PLACES + corpus.DATELINES), ("DATE", corpus.DAYS + corpus.FUTURE)]
    return re.compile("|".join(
        f"(?P<{label}>" + "|".join(re.escape(x) for x in sorted(names, key=len, reverse=True))
        + ")" for label, names in groups))


def annotate(text: str, pattern: re.Pattern[str] | None = None,
             most: int = SPANS_PER_DOC) -> list[tuple[int, int, str]]:
    """Entity spans ``(start, end, label)`` of a generated article: the generator's names,
    outlets, places and dates where they occur, at most ``most`` spread evenly, no overlap."""
    pattern = pattern or _entity_pattern()
    found = [(m.start(), m.end(), str(m.lastgroup)) for m in pattern.finditer(text)]
    if len(found) > most:
        found = [found[i * len(found) // most] for i in range(most)]
    return found


def entity_labels() -> list[str]:
    """The project's entity labels (``resources/labels.toml``), for Label Studio's config."""
    scheme = tomllib.loads((ROOT / "resources" / "labels.toml").read_text(encoding="utf-8"))
    return [label["name"] for label in scheme["label"] if label.get("layer") == "entity"]


def label_config() -> str:
    labels = "\n".join(f'    <Label value="{name}"/>' for name in entity_labels())
    return (f'<View>\n  <Labels name="label" toName="text">\n{labels}\n  </Labels>\n'
            f'  <Text name="text" value="$text"/>\n</View>\n')


@dataclass
class Inputs:
    """The corpus written for both tools; ``show_index`` is the article shown."""

    n_docs: int
    plain_jsonl: Path
    annotated_jsonl: Path
    plain_json: Path
    annotated_json: Path
    show_index: int
    spans: int
    warmup_jsonl: Path | None = None  # the first WARMUP annotated articles, both formats
    warmup_json: Path | None = None


def write_inputs(folder: Path, n_docs: int) -> Inputs:
    """The same articles and spans as Annotator JSONL and as Label Studio task JSON."""
    from bench.corpus import articles

    folder.mkdir(parents=True, exist_ok=True)
    pattern = _entity_pattern()
    paths = Inputs(n_docs, folder / "plain.jsonl", folder / "annotated.jsonl",
                   folder / "plain.json", folder / "annotated.json",
                   SHOW_ARTICLE if n_docs > SHOW_ARTICLE else n_docs // 2, 0,
                   folder / "warmup.jsonl", folder / "warmup.json")
    warm_a: list[str] = []
    warm_l: list[str] = []
    with contextlib.ExitStack() as stack:
        plain_a, annotated_a, plain_l, annotated_l = (
            stack.enter_context(p.open("w", encoding="utf-8")) for p in
            (paths.plain_jsonl, paths.annotated_jsonl, paths.plain_json, paths.annotated_json))
        plain_l.write("[")
        annotated_l.write("[")
        for i, item in enumerate(articles(n_docs)):
            text, meta = item["text"], item["meta"]
            spans = annotate(text, pattern)
            paths.spans += len(spans)
            sep = ",\n" if i else "\n"
            plain_a.write(json.dumps({"text": text, "meta": meta}, ensure_ascii=False) + "\n")
            line = json.dumps(
                {"text": text, "meta": meta, "answer": "accept",
                 "spans": [{"start": s, "end": e, "label": lab} for s, e, lab in spans]},
                ensure_ascii=False)
            annotated_a.write(line + "\n")
            task = {"data": {"text": text, "meta": meta}}
            plain_l.write(sep + json.dumps(task, ensure_ascii=False))
            task["annotations"] = [{"result": [
                {"id": f"e{k}", "from_name": "label", "to_name": "text", "type": "labels",
                 "value": {"start": s, "end": e, "text": text[s:e], "labels": [lab]}}
                for k, (s, e, lab) in enumerate(spans)]}]
            annotated_l.write(sep + json.dumps(task, ensure_ascii=False))
            if i < WARMUP:
                warm_a.append(line + "\n")
                warm_l.append(json.dumps(task, ensure_ascii=False))
        plain_l.write("\n]\n")
        annotated_l.write("\n]\n")
    assert paths.warmup_jsonl and paths.warmup_json
    paths.warmup_jsonl.write_text("".join(warm_a), encoding="utf-8")
    paths.warmup_json.write_text("[" + ",\n".join(warm_l) + "]\n", encoding="utf-8")
    return paths


def warm_up_annotator(inputs: Inputs, folder: Path) -> None:
    """Each call once on a tiny project, untimed: the interpreter's and the package's files
    are in the page cache before the first timed call, as Label Studio's server is warm."""
    assert inputs.warmup_jsonl is not None
    folder.mkdir(parents=True, exist_ok=True)
    db, out = folder / "warmup.db", folder / "warmup.jsonl"
    run_measured(["import", str(inputs.warmup_jsonl), "--db", str(db)], folder)
    run_measured(["export", "--db", str(db), "--out", str(out)], folder)
    time_show(db, 1, folder)
    subprocess.run([*annotator_command(), "list", "--json", "--db", str(db)], cwd=folder,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    shutil.rmtree(folder)


# --- Annotator: its command line, each call a process of its own -------------------------

# Forks and execs the command, waits for it, writes "exit seconds peak_kb" to argv[1]. The
# launcher is small (python -S), so the child's ru_maxrss is the command's own VmHWM, not
# the memory of the process that forked it (this harness).
LAUNCHER = r'''
import os, sys, time
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - t0
with open(sys.argv[1], "w") as fh:
    fh.write(f"{os.waitstatus_to_exitcode(status)} {elapsed:.6f} {usage.ru_maxrss}")
'''


def annotator_command() -> list[str]:
    """The installed ``annotator`` script beside this Python, else ``python -m annotator``."""
    script = Path(sys.executable).with_name("annotator")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "annotator"]


def annotator_version() -> str:
    out = subprocess.run([*annotator_command(), "--version"], capture_output=True, text=True,
                         check=False, cwd=ROOT).stdout.strip()
    return out.rsplit(" ", 1)[-1] if out else "unknown"


def run_measured(args: list[str], cwd: Path) -> tuple[float, float, str]:
    """Run ``annotator ARGS``: wall seconds, peak resident MB of that process, its stderr."""
    with tempfile.NamedTemporaryFile("r", prefix="peers-", suffix=".txt") as result, \
            tempfile.TemporaryFile("w+") as err:
        # A group of its own: interrupted, the launcher and the command are killed together.
        proc = subprocess.Popen(
            [sys.executable, "-S", "-c", LAUNCHER, result.name, *annotator_command(), *args],
            stdout=subprocess.DEVNULL, stderr=err, cwd=cwd, start_new_session=True)
        try:
            proc.wait()
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        err.seek(0)
        stderr = err.read()
        fields = Path(result.name).read_text().split()
    if proc.returncode or len(fields) != 3 or fields[0] != "0":
        raise RuntimeError(f"annotator {' '.join(args)} failed: {stderr[-2000:]}")
    return float(fields[1]), int(fields[2]) / 1024, stderr


def time_list(db: Path, cwd: Path, limit_flag: bool) -> float:
    """Seconds until ``annotator list --json`` has given its LIST_N-th line (or ended)."""
    args = ["list", "--json", "--db", str(db)] + (["--limit", str(LIST_N)] if limit_flag else [])
    started = time.perf_counter()
    proc = subprocess.Popen([*annotator_command(), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, cwd=cwd)
    assert proc.stdout is not None
    lines = 0
    try:
        for _ in proc.stdout:
            lines += 1
            if lines == LIST_N:
                break
        elapsed = time.perf_counter() - started
        proc.stdout.close()  # a real `| head -100`: the rest is not read
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    if lines < LIST_N:
        raise RuntimeError(f"annotator list gave {lines} lines, expected {LIST_N}")
    return elapsed


def time_show(db: Path, doc_id: int, cwd: Path) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    proc = subprocess.run([*annotator_command(), "show", str(doc_id), "--json", "--db", str(db)],
                          capture_output=True, cwd=cwd, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode:
        raise RuntimeError(f"annotator show failed: {proc.stderr.decode()[-2000:]}")
    return elapsed, json.loads(proc.stdout)


def list_has_limit() -> bool:
    out = subprocess.run([*annotator_command(), "list", "--help"], capture_output=True,
                         text=True, check=False, cwd=ROOT).stdout
    return "--limit" in out


Steps = Iterator[dict[str, float]]


def annotator_steps(inputs: Inputs, folder: Path, calls: int = CALLS) -> Steps:
    """One run on fresh projects, one figure set (``{key: seconds or MB}``) per step, in
    the same steps as :func:`label_studio_steps`, so that a run can alternate the tools."""
    folder.mkdir(parents=True, exist_ok=True)
    plain, annotated, out = folder / "plain.db", folder / "annotated.db", folder / "export.jsonl"
    seconds, _, _ = run_measured(["import", str(inputs.plain_jsonl), "--db", str(plain)], folder)
    yield {"import_plain": seconds}
    seconds, peak, _ = run_measured(
        ["import", str(inputs.annotated_jsonl), "--db", str(annotated)], folder)
    yield {"import_annotated": seconds, "peak_import_annotated": peak}
    export = ["export", "--db", str(annotated), "--format", "jsonl", "--force", "--out", str(out)]
    seconds, _, _ = run_measured(export, folder)
    first = out.read_bytes()
    lines = first.count(b"\n")
    if lines != inputs.n_docs:
        raise RuntimeError(f"first export wrote {lines} lines, not {inputs.n_docs}")
    yield {"export_first": seconds}
    seconds, _, _ = run_measured(export, folder)
    if out.read_bytes() != first:
        raise RuntimeError("the second export differs from the first")
    yield {"export_second": seconds}
    seconds, _, _ = run_measured([*export, "--no-tokens"], folder)
    yield {"export_no_tokens": seconds}
    limit = list_has_limit()
    time_list(annotated, folder, limit)  # untimed: the same first call as Label Studio's
    yield {"list_first": statistics.median(time_list(annotated, folder, limit)
                                           for _ in range(calls))}
    doc_id = inputs.show_index + 1  # a fresh project numbers documents in import order
    _, shown = time_show(annotated, doc_id, folder)
    if shown.get("meta", {}).get("id") != inputs.show_index:
        raise RuntimeError(f"document {doc_id} is not article {inputs.show_index}")
    show = statistics.median(time_show(annotated, doc_id, folder)[0] for _ in range(calls))
    for path in folder.iterdir():
        path.unlink()
    yield {"show_one": show}


def measure_annotator(inputs: Inputs, folder: Path, calls: int = CALLS) -> dict[str, float]:
    """One run of every operation on fresh projects; ``{key: seconds or MB}``."""
    got: dict[str, float] = {}
    for step in annotator_steps(inputs, folder, calls):
        got.update(step)
    return got


# --- Label Studio: its own venv, its server, its API --------------------------------------


def cache_dir() -> Path:
    if os.environ.get("ANNOTATOR_BENCH_CACHE"):
        return Path(os.environ["ANNOTATOR_BENCH_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "annotator-bench"


@dataclass
class Installed:
    venv: Path
    version: str
    python: str

    @property
    def script(self) -> Path:
        return self.venv / "bin" / "label-studio"


def _installed_version(venv: Path) -> str | None:
    python = venv / "bin" / "python"
    if not python.exists() or not (venv / "bin" / "label-studio").exists():
        return None
    proc = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('label-studio'))"],
        capture_output=True, text=True, check=False)
    version = proc.stdout.strip()
    return version if proc.returncode == 0 and version.startswith(LS_SERIES + ".") else None


def ensure_label_studio(cache: Path, install: bool = True) -> Installed:
    """Label Studio 1.23 in its cached venv, installed on first use; else :class:`Unavailable`."""
    venv = cache / f"labelstudio-{LS_SERIES}"
    version = _installed_version(venv)
    if version is None:
        if not install:
            raise Unavailable(f"Label Studio {LS_SERIES} is not installed in {venv}")
        print(f"installing {LS_SPEC} into {venv} (once; a few minutes) ...", flush=True)
        shutil.rmtree(venv, ignore_errors=True)
        venv.parent.mkdir(parents=True, exist_ok=True)
        log = venv.parent / f"labelstudio-{LS_SERIES}-install.log"
        try:
            with log.open("w") as fh:
                subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True,
                               stdout=fh, stderr=subprocess.STDOUT)
                subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install",
                                "--disable-pip-version-check", LS_SPEC], check=True,
                               stdout=fh, stderr=subprocess.STDOUT, timeout=INSTALL_TIMEOUT_S)
        except (OSError, subprocess.SubprocessError) as exc:
            tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.exists() \
                else []
            shutil.rmtree(venv, ignore_errors=True)
            raise Unavailable(f"installing {LS_SPEC} failed ({exc}); "
                              f"{' / '.join(tail)} (log: {log})") from exc
        version = _installed_version(venv)
        if version is None:
            raise Unavailable(f"{LS_SPEC} installed into {venv} but does not run (log: {log})")
    python = subprocess.run([str(venv / "bin" / "python"), "-c",
                             "import platform; print(platform.python_version())"],
                            capture_output=True, text=True, check=False).stdout.strip()
    return Installed(venv, version, python)


def _die_with_parent() -> None:
    """In the server's child process: SIGTERM when this harness dies, even by SIGKILL."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(pid: int) -> list[str]:
    """The local addresses ("127.0.0.1:8080") of the TCP sockets process ``pid`` listens on."""
    inodes = set()
    fd_dir = Path(f"/proc/{pid}/fd")
    for fd in fd_dir.iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = []
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                cols = line.split()
                if cols[3] != "0A" or cols[9] not in inodes:  # 0A: LISTEN
                    continue
                hex_ip, hex_port = cols[1].split(":")
                raw = bytes.fromhex(hex_ip)
                if width == 8:
                    ip = socket.inet_ntop(socket.AF_INET, raw[::-1])
                else:
                    ip = socket.inet_ntop(socket.AF_INET6, b"".join(
                        raw[i:i + 4][::-1] for i in range(0, 16, 4)))
                found.append(f"{ip}:{int(hex_port, 16)}")
    return found


def _is_loopback(address: str) -> bool:
    ip = address.rsplit(":", 1)[0]
    return ip.startswith("127.") or ip in ("::1", "::ffff:127.0.0.1")


def _peak_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def _reset_peak(pid: int) -> bool:
    """Reset the process's VmHWM to its current RSS (Linux ``clear_refs`` 5)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            parts = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(parts[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


@dataclass
class LabelStudio:
    """A Label Studio server of our own on 127.0.0.1 with a throwaway data folder."""

    installed: Installed
    root: Path
    port: int = 0
    token: str = field(default_factory=lambda: secrets.token_hex(20))
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    started_s: float = 0.0
    rss_before_mb: float = 0.0  # the server's resident memory when the last import began

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("LABEL_STUDIO_", "HEARTEX_", "SENTRY_", "DJANGO_"))}
        env.pop("VIRTUAL_ENV", None)
        env.pop("PYTHONPATH", None)
        off = {"LATEST_VERSION_CHECK": "false",  # no PyPI look-up at start
               "SENTRY_DSN": "", "FRONTEND_SENTRY_DSN": "",  # no error reporting
               "COLLECT_ANALYTICS": "false"}  # no usage reports
        for key, value in off.items():
            env[key] = value
            env[f"LABEL_STUDIO_{key}"] = value
        env["PATH"] = f"{self.installed.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        return env

    def start(self) -> None:
        data = self.root / "label-studio-data"
        data.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        self.log = self.root / "label-studio.log"
        cmd = [str(self.installed.script), "start", "--no-browser",
               "--internal-host", "127.0.0.1", "--port", str(self.port),
               "--host", f"http://127.0.0.1:{self.port}",
               "--data-dir", str(data), "--database", str(data / "label_studio.sqlite3"),
               "--username", "bench@localhost", "--password", secrets.token_hex(12),
               "--user-token", self.token, "--enable-legacy-api-token",
               "--log-level", "WARNING"]
        started = time.perf_counter()
        with self.log.open("wb") as fh:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=fh,
                                         stderr=subprocess.STDOUT, env=self.environment(),
                                         cwd=self.root, start_new_session=True,
                                         preexec_fn=_die_with_parent)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                raise Unavailable(f"Label Studio exited with status {self.proc.returncode} "
                                  f"while starting: {self.log_tail()}")
            if time.monotonic() > deadline:
                raise Unavailable(f"Label Studio did not answer within {START_TIMEOUT_S} s: "
                                  f"{self.log_tail()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if self.request("GET", "/api/version/", auth=False)[0] == 200:
                    break
            time.sleep(0.5)
        self.started_s = time.perf_counter() - started
        listening = _listening(self.proc.pid)
        for pid in _descendants(self.proc.pid):
            with contextlib.suppress(OSError):
                listening += _listening(pid)
        if not listening or not all(_is_loopback(a) for a in listening):
            raise Unavailable(f"Label Studio listens on {listening or 'nothing'}, "
                              "not on 127.0.0.1 only: stopped")
        status, body = self.request("GET", "/api/current-user/whoami")
        if status != 200:
            raise Unavailable(f"Label Studio refused the API token ({status}): {body[:300]!r}")

    def log_tail(self, lines: int = 5) -> str:
        if self.log is None or not self.log.exists():
            return "(no log)"
        return " / ".join(self.log.read_text(errors="replace").strip().splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the server and anything it started: SIGTERM to its group, SIGKILL after 15 s."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # stragglers of the group, if any
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)

    def __enter__(self) -> LabelStudio:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- HTTP, a new connection per request, as a command-line client makes ------------

    def request(self, method: str, path: str, body: bytes | Path | None = None,
                out: Path | None = None, auth: bool = True) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_S)
        headers = {"Accept": "application/json"}
        if auth:
            headers["Authorization"] = f"Token {self.token}"
        try:
            if isinstance(body, Path):
                headers["Content-Type"] = "application/json"
                headers["Content-Length"] = str(body.stat().st_size)
                with body.open("rb") as fh:
                    conn.request(method, path, body=fh, headers=headers)
                    response = conn.getresponse()
            else:
                if body is not None:
                    headers["Content-Type"] = "application/json"
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
            if out is not None and response.status == 200:
                with out.open("wb") as fh:
                    while chunk := response.read(1 << 20):
                        fh.write(chunk)
                return response.status, b""
            return response.status, response.read()
        finally:
            conn.close()

    def api(self, method: str, path: str, payload: Any = None, expect: int = 200) -> Any:
        body = None if payload is None else json.dumps(payload).encode()
        status, data = self.request(method, path, body)
        if status != expect:
            raise RuntimeError(f"{method} {path}: {status} {data[:500]!r}")
        return json.loads(data) if data else None

    def timed_import(self, tasks: Path, n_docs: int, annotated: bool,
                     measure_peak: bool = False) -> tuple[int, float, float | None, list[int]]:
        """A new project with the NER label config, the tasks imported into it:
        ``(project id, seconds of the import request, server peak MB or None, task ids)``."""
        project = self.api("POST", "/api/projects", {
            "title": f"bench {'annotated' if annotated else 'plain'} {time.time_ns()}",
            "label_config": label_config()}, expect=201)["id"]
        assert self.proc is not None
        pid = self.proc.pid
        reset = measure_peak and _reset_peak(pid)
        self.rss_before_mb = _rss_mb(pid)
        started = time.perf_counter()
        status, data = self.request(
            "POST", f"/api/projects/{project}/import?return_task_ids=true", tasks)
        elapsed = time.perf_counter() - started
        peak = _peak_mb(pid) if reset else None
        if status != 201:
            raise RuntimeError(f"import into project {project}: {status} {data[:500]!r}")
        result = json.loads(data)
        if result.get("task_count") != n_docs or (
                annotated and result.get("annotation_count") != n_docs):
            raise RuntimeError(f"Label Studio imported {result.get('task_count')} tasks, "
                               f"{result.get('annotation_count')} annotations, not {n_docs}")
        return project, elapsed, peak, list(result.get("task_ids") or [])

    def warm_up(self, inputs: Inputs, folder: Path) -> None:
        """Each request once on a small project, untimed: Django loads its views on first
        use, and a user's server has been running before they import."""
        assert inputs.warmup_json is not None
        folder.mkdir(parents=True, exist_ok=True)
        n = min(WARMUP, inputs.n_docs)
        project, _, _, ids = self.timed_import(inputs.warmup_json, n, True)
        self.timed_export(project, folder / "warmup.json")
        self.timed_get(f"/api/tasks?project={project}&page=1&page_size={LIST_N}")
        self.timed_get(f"/api/tasks/{ids[0]}")
        self.api("DELETE", f"/api/projects/{project}/", expect=204)
        shutil.rmtree(folder)

    def timed_export(self, project: int, out: Path) -> float:
        started = time.perf_counter()
        status, data = self.request(
            "GET", f"/api/projects/{project}/export?exportType=JSON", out=out)
        elapsed = time.perf_counter() - started
        if status != 200:
            raise RuntimeError(f"export of project {project}: {status} {data[:500]!r}")
        return elapsed

    def timed_get(self, path: str) -> tuple[float, Any]:
        started = time.perf_counter()
        status, data = self.request("GET", path)
        elapsed = time.perf_counter() - started
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {data[:500]!r}")
        return elapsed, data


def label_studio_steps(ls: LabelStudio, inputs: Inputs, folder: Path, calls: int = CALLS,
                       check: bool = True) -> Steps:
    """One run on new projects, in the steps of :func:`annotator_steps`."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "export.json"
    plain, seconds, _, _ = ls.timed_import(inputs.plain_json, inputs.n_docs, False)
    yield {"import_plain": seconds}
    project, seconds, peak, task_ids = ls.timed_import(
        inputs.annotated_json, inputs.n_docs, True, measure_peak=True)
    if peak is None:
        raise RuntimeError("cannot reset the server's peak memory (/proc/PID/clear_refs)")
    yield {"import_annotated": seconds, "peak_import_annotated": peak,
           "server_rss_before_import": ls.rss_before_mb}  # detail: what the server held idle
    seconds = ls.timed_export(project, out)
    if check:  # every task with its annotation and all its regions
        exported = json.loads(out.read_bytes())
        regions = sum(len(t["annotations"][0]["result"]) for t in exported)
        if len(exported) != inputs.n_docs or regions != inputs.spans:
            raise RuntimeError(f"Label Studio exported {len(exported)} tasks, {regions} "
                               f"regions; expected {inputs.n_docs}, {inputs.spans}")
    yield {"export_first": seconds}
    second = ls.timed_export(project, out)
    yield {"export_second": second}
    yield {"export_no_tokens": second}  # Label Studio's export has no tokens to leave out
    listing = f"/api/tasks?project={project}&page=1&page_size={LIST_N}"
    ls.timed_get(listing)  # untimed first call
    times = []
    for _ in range(calls):
        elapsed, data = ls.timed_get(listing)
        times.append(elapsed)
    if len(json.loads(data)["tasks"]) != LIST_N:
        raise RuntimeError(f"Label Studio listed {len(json.loads(data)['tasks'])} tasks")
    yield {"list_first": statistics.median(times)}
    task = f"/api/tasks/{task_ids[inputs.show_index]}"
    _, data = ls.timed_get(task)
    if json.loads(data)["data"]["meta"]["id"] != inputs.show_index:
        raise RuntimeError(f"task {task} is not article {inputs.show_index}")
    show = statistics.median(ls.timed_get(task)[0] for _ in range(calls))
    out.unlink(missing_ok=True)
    for pid in (plain, project):  # not timed: keeps the server's database the same size
        ls.api("DELETE", f"/api/projects/{pid}/", expect=204)
    yield {"show_one": show}


def alternate(ours: Steps, theirs: Steps) -> tuple[dict[str, float], dict[str, float]]:
    """Run two step sequences in turn (ours, theirs, ours, ...), so that a slow spell of
    the machine falls on both tools alike; the two figure dicts."""
    a: dict[str, float] = {}
    b: dict[str, float] = {}
    for step_a, step_b in zip(ours, theirs, strict=True):
        a.update(step_a)
        b.update(step_b)
    return a, b


# --- rows, table, results.json -----------------------------------------------------------


def make_rows(annotator_runs: list[dict[str, float]], peer_runs: list[dict[str, float]],
              n_docs: int, peer: str) -> list[dict[str, Any]]:
    """One row per operation, in the format of ``bench/results.json`` (see ``bench``): the
    value is Annotator's median, the baseline the peer's, ``faster_by`` = baseline / value
    (seconds or MB: how many times faster or leaner Annotator is), ``ratio`` = value /
    baseline as in the other rows; ``target`` is on ``faster_by``."""
    rows = []
    for key, name, unit, target, what in OPERATIONS:
        ours = [r[key] for r in annotator_runs]
        theirs = [r[key] for r in peer_runs]
        value, baseline = statistics.median(ours), statistics.median(theirs)
        faster = baseline / value if value else None
        rows.append({
            "name": name, "kind": "peer", "module": "peers", "op": key, "peer": peer,
            "n_docs": n_docs, "value": round(value, 4 if unit == "s" else 1), "unit": unit,
            "baseline": round(baseline, 4 if unit == "s" else 1),
            "ratio": None if not baseline else round(value / baseline, 3),
            "faster_by": None if faster is None else round(faster, 3),
            "target": target, "target_unit": "faster_by", "higher_is_better": False,
            "meets": None if faster is None else faster >= target,
            "detail": {"measures": what, "annotator_runs": [round(x, 4) for x in ours],
                       "peer_runs": [round(x, 4) for x in theirs]}})
        if key == "peak_import_annotated":
            rows[-1]["detail"]["peer_rss_before_import_mb"] = [
                round(r.get("server_rss_before_import", 0), 1) for r in peer_runs]
    return rows


def _fmt(value: float, unit: str) -> str:
    if unit == "MB":
        return f"{value:,.0f} MB"
    return f"{value:.2f} s" if value >= 0.1 else f"{value * 1000:.0f} ms"


def _faster(row: dict[str, Any]) -> str:
    faster = row["faster_by"]
    if faster is None:
        return "-"
    text = f"{faster:.2f}×" if faster < 10 else f"{faster:.1f}×"
    if row["unit"] == "MB":
        return f"{text} less" if faster >= 1 else f"{text}: more"
    return text if faster >= 1 else f"{text}: slower"


def table_cells(rows: list[dict[str, Any]], peer: str) -> list[list[str]]:
    head = ["operation", "Annotator", peer, "Annotator faster by", "target", "meets"]
    cells = [head]
    for r in rows:
        theirs = _fmt(r["baseline"], r["unit"])
        if r["unit"] == "MB":
            theirs += " (server)"
        cells.append([r["name"], _fmt(r["value"], r["unit"]), theirs, _faster(r),
                      f"≥ {r['target']:g}×", "yes" if r["meets"] else "no"])
    return cells


def print_table(rows: list[dict[str, Any]], peer: str) -> None:
    cells = table_cells(rows, peer)
    widths = [max(len(c[i]) for c in cells) for i in range(len(cells[0]))]
    for k, line in enumerate(cells):
        print("  ".join(c.rjust(w) if 0 < i < 4 else c.ljust(w)
                        for i, (c, w) in enumerate(zip(line, widths, strict=True))).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))


def markdown(rows: list[dict[str, Any]], peer: str) -> str:
    cells = table_cells(rows, peer)
    lines = ["| " + " | ".join(cells[0]) + " |",
             "|" + "|".join("---:" if 0 < i < 4 else "---" for i in range(len(cells[0]))) + "|"]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in line) + " |"
              for line in cells[1:]]
    return "\n".join(lines)


def write_results(path: Path, section: dict[str, Any]) -> None:
    """Put ``section`` under ``"peers"`` in ``path``, keeping everything else in it."""
    data: dict[str, Any] = {}
    if path.exists():
        with contextlib.suppress(ValueError):
            data = json.loads(path.read_text(encoding="utf-8"))
    data["peers"] = section
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


# --- main ---------------------------------------------------------------------------------


def _terminate(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks: the server stops


@contextlib.contextmanager
def _signals_end_cleanly() -> Iterator[None]:
    old = {s: signal.signal(s, _terminate) for s in (signal.SIGTERM, signal.SIGHUP)}
    # Ctrl+C raises KeyboardInterrupt even where a shell started us with SIGINT ignored.
    old[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


def _measure_both(args: argparse.Namespace, n_docs: int, runs: int
                  ) -> tuple[Installed, Inputs, list[dict[str, float]], list[dict[str, float]]]:
    """Install and start Label Studio, write the corpus, run both tools ``runs`` times."""
    installed = ensure_label_studio(args.cache_dir or cache_dir(), not args.no_install)
    peer = f"Label Studio {installed.version}"
    print(f"{peer} (Python {installed.python}) in {installed.venv}", flush=True)
    ours_runs: list[dict[str, float]] = []
    theirs_runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-peers-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        inputs = write_inputs(root / "corpus", n_docs)
        from .startup import compiled

        compiled()  # as an installed package is (see bench.startup.compiled)
        print(f"corpus: {n_docs:,} articles, {inputs.spans / n_docs:.1f} entity spans each on "
              f"average, written in {time.perf_counter() - t0:.1f} s", flush=True)
        with LabelStudio(installed, root) as ls:
            print(f"{peer} started on 127.0.0.1:{ls.port} in {ls.started_s:.1f} s", flush=True)
            warm_up_annotator(inputs, root / "annotator-warmup")
            ls.warm_up(inputs, root / "labelstudio-warmup")
            for k in range(runs):
                t0 = time.perf_counter()
                ours, theirs = alternate(
                    annotator_steps(inputs, root / f"annotator-{k}"),
                    label_studio_steps(ls, inputs, root / f"labelstudio-{k}", check=k == 0))
                ours_runs.append(ours)
                theirs_runs.append(theirs)
                print(f"run {k + 1}/{runs} in {time.perf_counter() - t0:.0f} s", flush=True)
    return installed, inputs, ours_runs, theirs_runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peers",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_DOCS:,} documents, one run (for development)")
    parser.add_argument("--docs", type=int, default=None, help=f"documents (default {N_DOCS:,})")
    parser.add_argument("--runs", type=int, default=None, help=f"runs (default {RUNS})")
    parser.add_argument("--out", type=Path, default=None,
                        help="results file (default bench/results.json; --quick: "
                             "bench/out/peers-quick.json)")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="where Label Studio's venv is kept (default "
                             "$ANNOTATOR_BENCH_CACHE or ~/.cache/annotator-bench)")
    parser.add_argument("--no-install", action="store_true",
                        help="use a cached Label Studio only; never install it")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    args = parser.parse_args(argv)
    n_docs = args.docs or (QUICK_DOCS if args.quick else N_DOCS)
    runs = args.runs or (1 if args.quick else RUNS)
    out = args.out or (HERE / "out" / "peers-quick.json" if args.quick
                       else HERE / "results.json")

    from bench.__main__ import machine

    where = machine()
    ours = annotator_version()
    print(f"peer benchmark: Annotator {ours} vs Label Studio {LS_SERIES}, {n_docs:,} documents, "
          f"median of {runs} run(s)\nmachine: {where}", flush=True)
    started = time.perf_counter()
    load_before = os.getloadavg()
    try:
        with _signals_end_cleanly():
            got = _measure_both(args, n_docs, runs)
    except Unavailable as exc:
        print(f"Label Studio is not available, the peer benchmark is skipped: {exc}")
        return 0
    except KeyboardInterrupt:
        print("\ninterrupted (Label Studio, if it was running, is stopped)")
        return 130
    installed, inputs, ours_runs, theirs_runs = got
    peer = f"Label Studio {installed.version}"
    rows = make_rows(ours_runs, theirs_runs, n_docs, peer)
    total = time.perf_counter() - started
    print()
    print_table(rows, peer)
    print("\nwhat each row measures:")
    for _key, name, _unit, _target, what in OPERATIONS:
        print(f"  {name}: {what}")
    if args.markdown:
        print()
        print(markdown(rows, peer))
    date = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    versions = {"annotator": ours, "label_studio": installed.version,
                "python": platform.python_version(), "label_studio_python": installed.python}
    load = {"before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in os.getloadavg()]}
    print(f"\nversions: Annotator {ours}, {peer}, Python {versions['python']}; {date}; "
          f"{total:.0f} s; load average (1, 5, 15 min) {load['before']} before, "
          f"{load['after']} after (2 cores: above ~0.5 someone else was busy)")
    write_results(out, {
        "machine": where, "date": date, "mode": "quick" if args.quick else "full",
        "n_docs": n_docs, "runs": runs, "peer": peer, "versions": versions,
        "spans_per_doc": round(inputs.spans / n_docs, 1), "seconds": round(total, 1),
        "load_average": load, "results": rows})
    print(f"wrote the peer rows into {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
