"""``suggest --cluster`` on a real Dask LocalCluster of two worker processes
(``local:2``): the same suggestions as one process, a worker killed in the middle of
the run, the scheduler lost in the middle of the run, and the run resumed after.

Each test is bounded by a timeout; the cluster is started once for the module (its
workers load the pipeline once each)."""

from __future__ import annotations

import os
import signal
import sys

import pytest
from click.testing import CliRunner

from annotator.errors import ClusterError, ClusterLost, ModelNotFound
from annotator.store import Store
from annotator.suggest import runner
from annotator.suggest.runner import Suggester, pipeline_id, project_labels, suggest
from tests.suggest.test_runner import _suggested, comparison_texts, suggested_run

pytest.importorskip("distributed")

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def normalised(got: tuple[list, list, list]) -> tuple[list, list, list]:
    """:func:`_suggested` without the span ids (a cluster writes documents in the order
    their batches come back, so the ids differ): spans and claims keyed by their
    document, layer, range and label, claimants by their span's key."""
    spans, claims, tokens = got
    key = {row[0]: tuple(row[1:6]) for row in spans}
    rows = sorted(tuple(row[1:]) for row in spans)
    assert len(set(rows)) == len(rows)  # no suggestion twice
    out = sorted((key[c[0]], *(key.get(x, x) if i == 1 else x for i, x in enumerate(c[1:])))
                 for c in claims)
    return rows, out, tokens


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return comparison_texts()


@pytest.fixture(scope="module")
def suggester(nlp) -> Suggester:
    """The default suggester (what ``suggest`` loads without --model), on the session's
    pipeline."""
    from annotator.suggest.checkworthy import shipped

    return Suggester(nlp, shipped(), pipeline_id(nlp))


@pytest.fixture(scope="module")
def pieces_4000():
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(runner, "PIECE_CHARS", 4_000)  # cut here, in this process
        yield


@pytest.fixture(scope="module")
def reference(tmp_path_factory, nlp, texts, pieces_4000):
    """What one process stores (``--processes 1``), normalised."""
    return normalised(suggested_run(tmp_path_factory.mktemp("one") / "p.db", texts, nlp))


def labels() -> dict[str, str]:
    with Store(":memory:") as store:
        return project_labels(store)


def start(n: int = 2):
    from annotator.suggest.cluster import WorkerModel, open_cluster

    return open_cluster(f"local:{n}", WorkerModel(None), labels())


@pytest.fixture(scope="module")
def cluster(suggester):
    """A LocalCluster of two worker processes, each with the model loaded (checked)."""
    from annotator.suggest.runner import same_tokenizer

    remote = start()
    try:
        remote.check(suggester.name, suggester.claim_model, same_tokenizer(suggester.nlp))
        yield remote
    finally:
        remote.close()


def new_project(path, texts: list[str]) -> Store:
    store = Store(path)
    with store.write():
        for i, text in enumerate(texts):
            store.insert_document(text, {}, f"h{i}")
    return store


def suggested_ids(store: Store) -> set[int]:
    return {row[0] for row in store.conn.execute(
        "SELECT DISTINCT doc_id FROM spans WHERE origin = 'model'")}


def test_cluster_stores_what_one_process_stores(tmp_path, texts, suggester, cluster,
                                                reference):
    """--cluster local:2 stores what --processes 1 stores: every span, score, cue, claim
    attribute and cached token (the project tokenizer's), a document in pieces too."""
    got = suggested_run(tmp_path / "c.db", texts, suggester, remote=cluster)
    assert reference[0] and reference[1] and len(reference[2]) == len(texts)
    assert normalised(got) == reference
    assert cluster.failures() == 0


def test_cluster_worker_killed_mid_run_writes_every_document_once(
        tmp_path, texts, suggester, reference):
    """A worker process killed in the middle of the run (SIGKILL): Dask runs its batch
    again elsewhere and every document is written once, as one process writes it. (A
    cluster of its own: its Nanny starts the worker again, with threads here that end
    when the cluster closes.)"""
    from annotator.suggest.runner import same_tokenizer

    remote = start()
    try:
        remote.check(suggester.name, suggester.claim_model, same_tokenizer(suggester.nlp))
        client = remote.client
        killed: list[str] = []

        def kill_one(done: int) -> None:
            if killed:
                return
            busy = [w for w, keys in client.processing().items() if keys]
            pids = client.run(os.getpid)
            victim = (busy or list(pids))[0]
            os.kill(pids[victim], signal.SIGKILL)
            killed.append(victim)

        with new_project(tmp_path / "k.db", texts) as store:
            result = suggest(store, suggester, batch_size=2, remote=remote,
                             on_progress=kill_one)
            assert killed and result.documents == len(texts) and not result.skipped
            assert normalised(_suggested(store)) == reference
        remote.workers()
        assert killed[0] not in remote.current and remote.failures() >= 1
    finally:
        remote.close()


@pytest.fixture(scope="module")
def after_loss(tmp_path_factory, texts, suggester, pieces_4000):
    """A run whose cluster (scheduler and workers) is closed after the first documents
    are written: the project, the error, and the documents written."""
    path = tmp_path_factory.mktemp("lost") / "l.db"
    remote = start()
    try:
        with new_project(path, texts) as store:
            def close_cluster(done: int) -> None:
                if remote.local.status.name != "closed":
                    remote.local.close(timeout=10)

            with pytest.raises(ClusterLost) as caught:
                suggest(store, suggester, batch_size=2, remote=remote,
                        on_progress=close_cluster)
            written = suggested_ids(store)
    finally:
        remote.close()
    return path, caught.value, written


def test_cluster_lost_scheduler_keeps_what_was_written_and_counts_the_rest(
        after_loss, texts):
    path, error, written = after_loss
    assert 0 < len(written) < len(texts)
    assert f"stopped after {len(written)} document(s), kept; " \
           f"{len(texts) - len(written)} document(s) not suggested" in str(error)
    assert "is gone" in str(error) and "run the same command again" in error.describe()
    with Store(path) as store:  # nothing half-written: no document left in the middle
        assert not store.conn.execute(
            "SELECT key FROM meta WHERE key LIKE 'suggesting:%'").fetchall()
        assert len(store.document_ids_for_suggest(False)) == len(texts) - len(written)


def test_cluster_resumed_run_finishes_the_rest(after_loss, texts, suggester, cluster,
                                               reference):
    """Running again after the loss suggests the documents left, and only those: the
    project ends as one uninterrupted process leaves it."""
    path, _, written = after_loss
    with Store(path) as store:
        result = suggest(store, suggester, batch_size=2, remote=cluster)
        assert result.documents == len(texts) - len(written)
        assert result.left == len(written)
        assert normalised(_suggested(store)) == reference


def test_cluster_worker_that_cannot_read_the_model_path_is_named(cluster, tmp_path):
    """A model path the workers cannot read is refused, naming the worker."""
    from dataclasses import replace

    from annotator.suggest.cluster import WorkerModel

    missing = replace(cluster, model=WorkerModel(str(tmp_path / "nowhere" / "model")))
    with pytest.raises(ModelNotFound, match=r"worker tcp://[\d.:]+: cannot read the model "
                                            r"path .*nowhere/model"):
        missing.check("x", "x", True)


def test_cluster_without_dask_says_how_to_install_it(db_path, monkeypatch):
    """Without the cluster extra, --cluster is one line saying how to install it."""
    from annotator.cli import main

    Store(db_path).close()
    monkeypatch.setitem(sys.modules, "distributed", None)
    got = CliRunner().invoke(main, ["suggest", "--db", str(db_path), "--cluster", "local:2"])
    assert got.exit_code == 1
    lines = got.output.strip().splitlines()
    assert len(lines) == 1 and "pip install 'annotator[cluster]'" in lines[0], got.output


@pytest.mark.parametrize("spec", ["local:0", "local:x", "nowhere", "http://h:1"])
def test_cluster_bad_address_is_one_line(spec):
    from annotator.suggest.cluster import parse_spec

    with pytest.raises(ClusterError, match="--cluster"):
        parse_spec(spec)


def test_cluster_cli_starts_without_importing_dask():
    """Dask is imported only when --cluster is used: the command line starts without
    it."""
    import subprocess

    code = ("import sys, annotator.cli, annotator.suggest.cluster, annotator.suggest.runner;"
            " print(any(m.split('.')[0] in ('dask', 'distributed') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == "False"
