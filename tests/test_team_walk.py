"""The scripted walk of issue 21, item 2: a team project's gold set, reached only by
following the commands our own messages suggest.

Every command runs as a user runs it: the real ``annotator`` console script in a
subprocess. Where a message suggests commands (in backticks), each is parsed out, run
with ``shlex.split``, and must lead where the message says (a review that reviews
something, a list that lists something), never to an empty result that looks like
success; a suggestion that comes back after it was followed is a loop, and fails. The
steps and their outcomes are written to ``walk.log`` (and printed, ``pytest -s``)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.session import Session
from annotator.store import Store

from .test_teams import make_project


def annotator_exe() -> list[str]:
    found = Path(sys.executable).with_name("annotator")
    return [str(found)] if found.exists() else [sys.executable, "-m", "annotator"]


class Walk:
    """Runs commands in ``folder`` and keeps the log of steps."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.steps: list[str] = []
        self.followed: set[str] = set()

    def run(self, command: str, why: str = "") -> subprocess.CompletedProcess[str]:
        argv = shlex.split(command)
        assert argv[0] == "annotator", command
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        done = subprocess.run([*annotator_exe(), *argv[1:]], cwd=self.folder, env=env,
                              capture_output=True, text=True, timeout=300)
        out = (done.stdout + done.stderr).strip()
        first = out.splitlines()[0] if out else ""
        self.steps.append(f"{'  ' if why else ''}$ {command}{f'   [{why}]' if why else ''}\n"
                          f"{'  ' if why else ''}  -> exit {done.returncode}: {first[:300]}")
        return done

    def follow(self, done: subprocess.CompletedProcess[str], depth: int = 0) -> None:
        """Run every command the output suggests, and what those suggest in turn."""
        out = done.stdout + done.stderr
        for command in suggested(out):
            assert command not in self.followed, f"a loop: {command} suggested again"
            self.followed.add(command)
            result = self.run(command, "suggested")
            assert result.returncode == 0, result.stdout + result.stderr
            check_led_somewhere(command, result.stdout)
            assert depth < 4
            self.follow(result, depth + 1)


def suggested(text: str) -> list[str]:
    """The commands a message suggests: ``annotator …`` between backticks."""
    return [c for c in re.findall(r"`([^`]+)`", text) if c.startswith("annotator ")
            and "--help" not in c]


def check_led_somewhere(command: str, out: str) -> None:
    """A suggested review command did what its suggestion promised."""
    if "--conflicts" in command:
        n = re.search(r"(\d+) open conflict\(s\)", out)
        assert n and int(n.group(1)) > 0, out  # it lists the conflicts it was named for
    elif " review " in command:
        found = re.search(r"reviewed (\d+), (\d+) span\(s\) taken", out)
        assert found, out
        reviewed, taken = map(int, found.groups())
        left = re.search(r"left to review: (\d+)", out)
        # something happened: documents reviewed or spans taken into gold
        assert reviewed > 0 or taken > 0, out
        assert reviewed > 0 or left, out


def annotate_with_session(path: Path, who: str, person_as: str) -> None:
    """Accept every suggestion, the person as ``person_as``; mark every document done."""
    with Store(path) as store:
        session = Session(store, who)
        for doc_id in store.document_ids():
            for span in store.spans(doc_id):
                assert span.id is not None
                if span.label == "PERSON" and person_as != "PERSON":
                    session.relabel(span.id, person_as)
                else:
                    session.accept(span.id)
            session.set_status(doc_id, "done")


@pytest.fixture
def walk(tmp_path: Path) -> Walk:
    """news.db split to alice and bob (4 of 10 documents shared); alice accepts through
    the CLI, bob through a Session, calling the person an ORG; merged into team.db."""
    make_project(tmp_path / "news.db")
    w = Walk(tmp_path)
    assert w.run("annotator split news.db --annotators alice,bob --overlap 0.4 --seed 3 "
                 "--out out").returncode == 0
    assert w.run("annotator accept --annotator alice --db out/alice.db").returncode == 0
    assert w.run("annotator mark done --all --annotator alice --db out/alice.db"
                 ).returncode == 0
    annotate_with_session(tmp_path / "out" / "bob.db", "bob", "ORG")
    assert w.run("annotator merge out/alice.db out/bob.db --into team.db").returncode == 0
    return w


def gold_lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def write_log(walk: Walk, name: str) -> None:
    log = "\n".join(walk.steps)
    (walk.folder / f"{name}.log").write_text(log)
    print(f"\n--- walk: {name}\n{log}")


@pytest.mark.parametrize("start", [
    "annotator export --db team.db --set gold --out gold.jsonl --no-tokens",
    "annotator mark done --all --db team.db",
    "annotator export --db team.db --set gold --status any --out gold.jsonl --no-tokens",
    "annotator export --db team.db --set auto --status any --out gold.jsonl --no-tokens",
])
@pytest.mark.slow
def test_team_walk_every_suggested_command_leads_to_a_gold_set(walk: Walk,
                                                                start: str) -> None:
    refused = walk.run(start, "start")
    out = refused.stdout + refused.stderr
    if "--set auto" in start:  # auto exports what it can and counts the rest
        assert refused.returncode == 0 and "skipped 4: two or more annotators' sets" in out
        assert " review " not in out or suggested(out)
        refused = walk.run("annotator export --db team.db --set gold --out gold.jsonl "
                           "--no-tokens --force", "then gold")
        out = refused.stdout + refused.stderr
    else:
        assert refused.returncode == 1, out
    assert "annotator review" in out and "Ctrl+R" in out  # the window's step too
    assert suggested(out), out
    walk.follow(refused)
    # where the messages said: every document reviewed, the gold set complete
    stats = walk.run("annotator stats --db team.db --json", "check")
    review = json.loads(stats.stdout)["review"]
    assert review == {"to_review": 0, "shared": 4}
    exported = walk.run("annotator export --db team.db --set gold --out gold.jsonl "
                        "--no-tokens --force", "check")
    assert exported.returncode == 0, exported.stderr
    assert "exported 10 document(s), 30 span(s)" in exported.stdout
    assert all(line["spans"] for line in gold_lines(walk.folder / "gold.jsonl"))
    again = walk.run("annotator mark done --all --db team.db", "check")
    assert again.returncode == 0 and "marked 0 document(s)" in again.stdout
    write_log(walk, re.sub(r"\W+", "-", start)[10:60])


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_team_walk_mark_done_all_never_empties_the_gold_set(walk: Walk) -> None:
    """The trap of issue 21 as reported: mark done --all, stats, export. Before the fix
    every document became done with an empty gold set and exports wrote 0 spans with
    exit 0."""
    marked = walk.run("annotator mark done --all --db team.db")
    assert marked.returncode == 1 and "nothing was marked" in marked.stderr
    stats = json.loads(walk.run("annotator stats --db team.db --json").stdout)
    assert stats["review"]["to_review"] == 4
    assert stats["documents"]["by_status"].get("done", 0) == 0
    for what in ("gold", "auto"):
        done = walk.run(f"annotator export --db team.db --set {what} --status any --out "
                        f"{what}.jsonl --no-tokens")
        assert "0 span(s)" not in done.stdout
        if what == "gold":
            assert done.returncode == 1 and not (walk.folder / "gold.jsonl").exists()
    allowed = walk.run("annotator export --db team.db --set gold --status any --out "
                       "empty.jsonl --no-tokens --allow-empty")
    assert allowed.returncode == 0 and "exported 0 document(s)" in allowed.stdout
    assert "skipped 10: documents whose gold set has no span" in allowed.stdout
    write_log(walk, "mark-done-all")


@pytest.mark.parametrize("doc_id", [1, 8])  # shared by alice and bob; only alice's
@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_team_walk_mark_done_one_document_names_its_review(walk: Walk, doc_id: int) -> None:
    """The window's D and ``mark done ID`` on one document: the refusal names the
    review of that document, which leaves it reviewed with a gold set."""
    refused = walk.run(f"annotator mark done {doc_id} --db team.db", "start")
    out = refused.stdout + refused.stderr
    assert refused.returncode == 1 and f"document {doc_id} is not reviewed" in out
    commands = suggested(out)
    assert commands == [f"annotator review team.db --majority --docs {doc_id}"] \
        if doc_id == 1 else [f"annotator review team.db --take alice --docs {doc_id}"]
    walk.follow(refused)
    with Store(walk.folder / "team.db") as store:
        assert store.document_status(doc_id)[0] == "done"
        assert store.spans(doc_id, decisions=("accepted",))
        assert store.stats()["documents"]["by_status"]["done"] == 1  # that one only
    write_log(walk, f"mark-done-{doc_id}")
