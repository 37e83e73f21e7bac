"""``split`` never destroys its source or a file in use (issue 21, items 3 and 4), and a
store whose file is replaced or deleted under it refuses the next decision."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.session import Session, StorageError
from annotator.store import Store
from annotator.teams import TeamError, split

from .test_teams import make_project

ROOT = Path(__file__).resolve().parents[1]


def census(path: Path) -> tuple[int, int]:
    """(documents, spans) of a project."""
    with Store(path, readonly=True) as store:
        return store.count_documents(), store.conn.execute(
            "SELECT count(*) FROM spans").fetchone()[0]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if "split-tmp" in p.name)


def test_split_force_onto_its_own_source_is_refused(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The report: ``split victim.db --annotators victim,bob --out . --force`` replaced
    victim.db with victim's share and gave bob a share of that."""
    make_project(tmp_path / "victim.db")
    before = census(tmp_path / "victim.db")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["split", "victim.db", "--annotators", "victim,bob",
                                       "--out", ".", "--force"])
    assert result.exit_code == 1 and "refused" in result.output, result.output
    assert "victim.db" in result.output and "Traceback" not in result.output
    assert census(tmp_path / "victim.db") == before == (10, 30)
    assert not (tmp_path / "bob.db").exists() and leftovers(tmp_path) == []
    # the same through another spelling of the folder
    result = CliRunner().invoke(main, ["split", "victim.db", "--annotators", "bob,victim",
                                       "--out", str(tmp_path / "x" / ".."), "--force"])
    assert result.exit_code == 1 and census(tmp_path / "victim.db") == before


@pytest.mark.parametrize("link", ["symlink", "hardlink", "models"])
def test_split_refuses_a_link_to_its_source(tmp_path: Path, link: str) -> None:
    source = make_project(tmp_path / "victim.db")
    before = census(source)
    out = tmp_path / "out"
    out.mkdir()
    if link == "symlink":
        (out / "bob.db").symlink_to(source)
    elif link == "hardlink":
        os.link(source, out / "bob.db")
    else:
        out = tmp_path / "victim.db.models"  # the project's own models folder
    with Store(source) as store, pytest.raises(TeamError, match="refused"):
        split(store, ["alice", "bob"], out, force=True)
    assert census(source) == before
    assert not (out / "alice.db").exists()
    if link != "models":
        assert os.path.samefile(out / "bob.db", source)  # the link itself left alone


def test_split_crash_halfway_leaves_no_half_set(tmp_path: Path) -> None:
    source = make_project(tmp_path / "news.db")
    out = tmp_path / "out"
    with Store(source) as store:
        split(store, ["alice", "bob"], out, seed=1)
    old = {n: census(out / f"{n}.db") for n in ("alice", "bob")}

    def fail_at_bob(name: str) -> None:
        if name == "bob":
            raise KeyboardInterrupt

    with Store(source) as store, pytest.raises(KeyboardInterrupt):
        split(store, ["alice", "bob"], out, seed=2, overlap=0.0, force=True,
              on_file=fail_at_bob)
    # the earlier set stands whole (alice's share was made, and not put in place)
    assert {n: census(out / f"{n}.db") for n in ("alice", "bob")} == old
    assert leftovers(out) == []
    with Store(source) as store, pytest.raises(KeyboardInterrupt):
        split(store, ["alice", "bob"], tmp_path / "new", on_file=fail_at_bob)
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == []


def test_split_killed_halfway_leaves_no_output(tmp_path: Path) -> None:
    """A real kill (SIGKILL, nothing runs after it) while bob's file is being made."""
    source = make_project(tmp_path / "news.db")
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from annotator.store import Store
        from annotator.teams import split

        def kill_at_bob(name):
            if name == "bob":
                os.kill(os.getpid(), signal.SIGKILL)

        with Store(Path({str(source)!r})) as store:
            split(store, ["alice", "bob"], Path({str(tmp_path / 'out')!r}),
                  on_file=kill_at_bob)
    """)
    done = subprocess.run([sys.executable, "-c", script], env={**os.environ,
                          "PYTHONPATH": str(ROOT)}, capture_output=True, timeout=120)
    assert done.returncode == -9, done.stderr
    out = tmp_path / "out"
    assert not (out / "alice.db").exists() and not (out / "bob.db").exists()
    # the next split clears what the killed one left and completes
    result = CliRunner().invoke(main, ["split", str(source), "--annotators", "alice,bob",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert leftovers(out) == [] and census(out / "bob.db")[0] > 0


HOLD = textwrap.dedent("""
    import sys
    from annotator.session import Session
    from annotator.store import Store
    store = Store(sys.argv[1])
    store.conn.execute("SELECT count(*) FROM documents").fetchone()
    print("open", flush=True)
    sys.stdin.readline()
""")


def test_split_force_refuses_a_file_another_process_has_open(tmp_path: Path) -> None:
    source = make_project(tmp_path / "news.db")
    out = tmp_path / "out"
    with Store(source) as store:
        split(store, ["alice", "bob"], out)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out / "alice.db")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        inode = (out / "alice.db").stat().st_ino
        result = CliRunner().invoke(main, ["split", str(source), "--annotators",
                                           "alice,bob", "--out", str(out), "--force",
                                           "--seed", "5"])
        assert result.exit_code == 1, result.output
        assert f"pid {holder.pid}" in result.output and "nothing was written" in \
            result.output
        assert (out / "alice.db").stat().st_ino == inode and leftovers(out) == []
    finally:
        holder.communicate("\n", timeout=30)
    # closed there: now --force replaces it
    result = CliRunner().invoke(main, ["split", str(source), "--annotators", "alice,bob",
                                       "--out", str(out), "--force", "--seed", "5"])
    assert result.exit_code == 0, result.output


REPLACE = "import os, sys; os.replace(sys.argv[1], sys.argv[2])"


@pytest.mark.parametrize("how", ["replaced", "deleted"])
def test_session_refuses_a_decision_after_its_file_is_replaced(tmp_path: Path,
                                                               how: str) -> None:
    """The report: a Session on alice.db accepted 3 more spans after ``split --force``
    replaced the file, with no error, and the new file had none of them."""
    source = make_project(tmp_path / "news.db")
    with Store(source) as store:
        split(store, ["alice"], tmp_path / "a", overlap=0.0)
        split(store, ["alice"], tmp_path / "b", overlap=0.0)
    path = tmp_path / "a" / "alice.db"
    store = Store(path)
    try:
        session = Session(store, "alice")
        first, second = (s.id for s in store.spans(1)[:2])
        assert first is not None and second is not None
        session.accept(first)
        # another process puts another file in its place (or deletes it)
        if how == "replaced":
            argv = [sys.executable, "-c", REPLACE, str(tmp_path / "b" / "alice.db"), str(path)]
        else:
            argv = [sys.executable, "-c", f"import os; os.unlink({str(path)!r})"]
        subprocess.run(argv, check=True, timeout=60)
        with pytest.raises(StorageError, match=f"was {how}"):
            session.accept(second)
        with pytest.raises(StorageError, match="Open the project again"):
            session.set_status(1, "done")
        if how == "replaced":
            # the file there now, opened while ours still is: none of our decisions,
            # neither the refused ones nor (through our -wal) the one before the replace
            with Store(path) as fresh:
                assert all(s.decision == "pending" for s in fresh.spans(1))
                assert fresh.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        store.close()
