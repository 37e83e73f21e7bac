"""``suggest --cluster``: documents parsed on a Dask distributed cluster's workers.

Dask schedules; nothing here does. This process reads the documents, sends them in
batches (ids and texts, with the project's label map and what to load: see
:class:`WorkerModel`) with ``Client.submit``, and writes what comes back as each batch
completes (``as_completed``), in the short transactions of
:func:`~annotator.suggest.runner.suggest`: no transaction is open while it waits for
the cluster. A worker loads the suggester once (:func:`_loaded`, kept for the worker
process's life) and runs the same last pipeline component as ``--processes``
(:class:`~annotator.suggest.runner.SuggestionComponent`), so the suggestions, scores,
cues, claim attributes and cached tokens are the same.

Failures are Dask's to handle where it can: a worker lost in the middle of a batch has
the batch run again on another (its result comes back once: one future, one write);
the cluster gone (the scheduler closed, the connection lost) cancels the futures, and
the run stops with what was written kept (:class:`~annotator.errors.ClusterLost`).

Dask is imported inside the functions, so ``annotator`` starts without it; without
the ``annotator[cluster]`` extra, :func:`open_cluster` says how to install it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ClusterError, ClusterLost, ModelNotFound
from .runner import (
    BATCH_CHARS,
    Item,
    Suggester,
    _batches,
    _in_scheme,
    add_component,
    made_suggestions,
    same_tokenizer,
)

if TYPE_CHECKING:
    from distributed import Client, Future

__all__ = ["INSTALL", "Cluster", "WorkerModel", "open_cluster", "parse_spec",
           "require_dask"]

#: What to run when Dask distributed is missing (shlex-safe as it is).
INSTALL = "python -m pip install 'annotator[cluster]'"
#: Seconds to wait for a scheduler to answer, for its first worker, for every worker
#: to load the model.
CONNECT_S = 30.0
WORKERS_S = 60.0
LOAD_S = 600.0
#: Batches in flight per worker: each has the next one waiting, none is idle.
AHEAD = 2


@dataclass(frozen=True)
class WorkerModel:
    """What a worker loads (once) to suggest as this process would: ``source`` as
    :func:`~annotator.suggest.runner.load_suggester` takes it (``None``: the default
    pipeline; an installed pipeline's name; an absolute path), and the options."""

    source: str | None
    rules_only: bool = False
    entity_beam: int = 0

    @property
    def path(self) -> str | None:
        """The folder a worker must be able to read, if ``source`` is one."""
        src = self.source
        return src if src is not None and ("/" in src or "\\" in src) else None


def parse_spec(spec: str) -> tuple[str, int | None]:
    """``local`` / ``local:N`` -> ``("local", N or None)``; a scheduler's address
    (``tcp://HOST:8786``, ``tls://...``, ``HOST:PORT``) -> ``(address, None)``.
    Raises :class:`ClusterError` for anything else."""
    if spec == "local" or spec.startswith("local:"):
        n = spec.partition(":")[2]
        if n and not (n.isdigit() and int(n) > 0):
            raise ClusterError(f"--cluster {spec}: local:N needs N, a number of workers "
                               "of 1 or more (local:4)")
        return "local", int(n) if n else None
    scheme, sep, rest = spec.rpartition("://")
    host, colon, port = (rest if sep else spec).rpartition(":")
    if (sep and scheme not in ("tcp", "tls", "inproc", "ucx", "ws", "wss")) or not host \
            or not colon or not port.isdigit():
        raise ClusterError(f"--cluster {spec}: not a scheduler address (tcp://HOST:8786) "
                           "nor local[:N]")
    return spec, None


# --- on a worker ----------------------------------------------------------------------

_lock = threading.Lock()
_suggesters: dict[WorkerModel, tuple[Suggester, bool]] = {}


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"


def _loaded(model: WorkerModel) -> tuple[Suggester, bool]:
    """On a worker: the suggester ``model`` names, loaded on the first call (with the
    component added) and kept; and whether it caches tokens. A path this worker
    cannot read is refused naming the worker."""
    from .runner import load_suggester

    got = _suggesters.get(model)
    if got is not None:
        return got
    if model.path is not None:
        path = Path(model.path)
        if not path.exists():
            raise ModelNotFound(f"worker {_worker_name()}: cannot read the model path "
                                f"{model.path} (no such file or folder on that machine)")
        if not os.access(path, os.R_OK | (os.X_OK if path.is_dir() else 0)):
            raise ModelNotFound(f"worker {_worker_name()}: cannot read the model path "
                                f"{model.path} (permission denied)")
    try:
        suggester = load_suggester(model.source, None, rules_only=model.rules_only)
    except ModelNotFound as exc:
        raise ModelNotFound(f"worker {_worker_name()}: {exc}") from exc
    tokens = same_tokenizer(suggester.nlp)
    add_component(suggester.nlp, tokens=tokens, scorer=suggester.checkworthiness,
                  entity_beam=model.entity_beam)
    _suggesters[model] = suggester, tokens
    return suggester, tokens


def check_worker(model: WorkerModel) -> tuple[str, str, bool]:
    """On a worker, before the run: load the model (:func:`_loaded`); its name, its
    claims' model name, and whether it caches tokens, for this process to compare."""
    with _lock:
        suggester, tokens = _loaded(model)
    return suggester.name, suggester.claim_model, tokens


def parse_batch(model: WorkerModel, label_for: dict[str, str],
                docs: list[tuple[int, str]]) -> list[dict[str, Any]]:
    """On a worker: one batch of ``(doc_id, text)`` through the pipeline; the
    component's output of each text (plain values), suggestions whose label the
    project's scheme lacks (``label_for``) left out here and counted (``unknown``)."""
    with _lock:  # one parse at a time in a worker process (spaCy's pipeline is shared)
        suggester, _ = _loaded(model)
        outs = [doc.user_data["annotator_suggestions"] for doc in suggester.nlp.pipe(
            (text for _, text in docs), batch_size=max(len(docs), 1))]
    return [_in_labels(out, text, label_for) for out, (_, text) in zip(outs, docs,
                                                                      strict=True)]


def _in_labels(out: dict[str, Any], text: str, label_for: dict[str, str]
               ) -> dict[str, Any]:
    """``out`` with only the suggestions the scheme has a label for (mapped), those
    left out counted in ``unknown`` (what storing them would have done: see
    :func:`~annotator.suggest.runner.store_suggestions`)."""
    from collections import Counter
    from dataclasses import asdict

    try:
        entities, claims, _ = made_suggestions(out)
    except RuntimeError:
        return out
    unknown: Counter[str] = Counter()
    entities, claims = _in_scheme(text, entities, claims, label_for, unknown)
    return {**out, "entities": [[e.start, e.end, e.label, e.score, e.cues] for e in entities],
            "claims": [asdict(c) for c in claims], "unknown": dict(unknown)}


# --- here -----------------------------------------------------------------------------


@dataclass
class Cluster:
    """A connection to a cluster (and the :class:`LocalCluster` it started, if any),
    ready to parse for :func:`~annotator.suggest.runner.suggest` (``remote=``)."""

    client: Client
    model: WorkerModel
    label_for: dict[str, str]
    local: Any = None  # the LocalCluster of --cluster local[:N]
    address: str = ""
    #: workers seen during the run, and those gone (lost, or stopped)
    seen: set[str] = field(default_factory=set)
    batches_failed: int = 0
    #: the workers when last asked, and when that was
    current: list[str] = field(default_factory=list)
    _asked: float = 0.0

    def workers(self) -> list[str]:
        """The workers the scheduler knows now (none when it cannot be asked)."""
        try:
            workers = dict(self.client.scheduler_info(n_workers=-1).get("workers") or {})
        except Exception:  # the scheduler is gone: the run finds out from its futures
            workers = {}
        self.current = [str(w) for w in workers]
        self._asked = time.perf_counter()
        self.seen.update(self.current)
        return self.current

    def status(self) -> str:
        """``N workers, K failures`` for the progress bar: the workers now (asked at
        most once a second), and the workers lost plus the batches that failed."""
        if time.perf_counter() - self._asked > 1.0:
            self.workers()
        n, failed = len(self.current), self.failures()
        return f"{n} worker{'' if n == 1 else 's'}, {failed} failure{'' if failed == 1 else 's'}"

    def failures(self) -> int:
        """Workers that left during the run, and batches that failed."""
        return len(self.seen - set(self.current)) + self.batches_failed

    def check(self, name: str, claim_model: str, tokens: bool) -> None:
        """Have each worker load the model (:func:`check_worker`, in parallel) and
        refuse, naming the worker, one that cannot or loads another one than this
        process did (``name``, ``claim_model``: another version installed there)."""
        from distributed import wait

        workers = self.workers()
        futures = {w: self.client.submit(check_worker, self.model, workers=[w],
                                         allow_other_workers=False, pure=False)
                   for w in workers}
        done, not_done = wait(list(futures.values()), timeout=LOAD_S)
        if not_done:
            slow = [w for w, f in futures.items() if f in not_done]
            raise ClusterError(f"worker(s) {', '.join(slow)} did not load the model in "
                               f"{LOAD_S:.0f} s")
        for worker, future in futures.items():
            try:
                got = future.result()
            except ModelNotFound:
                raise
            except Exception as exc:
                raise ClusterError(f"worker {worker}: cannot load the model "
                                   f"({type(exc).__name__}: {exc})") from exc
            if got != (name, claim_model, tokens):
                raise ClusterError(
                    f"worker {worker} loads {got[1]!r}, this machine {claim_model!r}"
                    + (" (another tokenizer)" if got[:2] == (name, claim_model) else ""),
                    hint="install the same version of annotator and the model on every "
                         "worker")

    def parsed(self, items: Iterator[Item], batch_size: int
               ) -> Generator[tuple[dict[str, Any], Item], None, None]:
        """See :class:`~annotator.suggest.runner.Remote`: batches as
        ``--processes`` makes them, sent a few per worker ahead, results yielded as
        each batch completes; a document's pieces held until all are back."""
        from distributed import as_completed

        batches = _batches(items, batch_size, BATCH_CHARS)
        sent: dict[object, tuple[Future[list[dict[str, Any]]], list[Item]]] = {}
        ahead = AHEAD * max(len(self.workers()), 1) + 1
        done = as_completed(loop=self.client.loop)
        # pieces of a long document: how many were sent (final once the last is), and
        # those back, until all are
        expected: dict[int, int] = {}
        complete: set[int] = set()
        held: dict[int, list[tuple[dict[str, Any], Item]]] = {}

        def send() -> bool:
            batch = next(batches, None)
            if batch is None:
                return False
            for _, (doc_id, _, in_pieces, full_text) in batch:
                if in_pieces:
                    expected[doc_id] = expected.get(doc_id, 0) + 1
                    if full_text is not None:
                        complete.add(doc_id)
            docs = [(place[0], text) for text, place in batch]
            future = self.client.submit(parse_batch, self.model, self.label_for, docs,
                                        pure=False)
            sent[future.key] = future, batch
            done.add(future)
            return True

        for _ in range(ahead):
            if not send():
                break
        try:
            for future in done:
                _, batch = sent.pop(future.key)
                outs = self._result(future)
                send()
                for out, item in zip(outs, batch, strict=True):
                    doc_id, _, in_pieces, _ = item[1]
                    if not in_pieces:
                        yield out, item
                        continue
                    held.setdefault(doc_id, []).append((out, item))
                    if doc_id in complete and len(held[doc_id]) == expected[doc_id]:
                        yield from sorted(held.pop(doc_id), key=lambda x: x[1][1][1])
        finally:
            if sent and self.client.status == "running":  # stopped early: stop them
                self.client.cancel([future for future, _ in sent.values()])

    def _result(self, future: Future[list[dict[str, Any]]]) -> list[dict[str, Any]]:
        """A batch's result; :class:`ClusterLost` when the cluster went away."""
        from concurrent.futures import CancelledError

        try:
            return future.result()
        except ModelNotFound as exc:  # a worker that joined later cannot load the model
            self.batches_failed += 1
            raise ClusterLost(str(exc)) from exc
        except (CancelledError, OSError, TimeoutError) as exc:
            self.batches_failed += 1
            raise ClusterLost(f"the cluster at {self.address} is gone "
                              f"({type(exc).__name__})") from exc
        except Exception as exc:
            self.batches_failed += 1
            if type(exc).__name__ == "KilledWorker":  # Dask gave up on the batch
                raise ClusterLost(f"the batch killed {exc.args[-1] if exc.args else ''} "
                                  "worker(s) of the cluster at "
                                  f"{self.address} again and again ({type(exc).__name__})"
                                  ) from exc
            raise

    def close(self) -> None:
        """Close the connection, and the LocalCluster if this started one."""
        try:
            self.client.close(timeout=10)
        finally:
            if self.local is not None:
                self.local.close(timeout=10)


def require_dask(spec: str) -> None:
    """Refuse (:class:`ClusterError`, one line) ``spec`` if it names no cluster, or
    when Dask distributed is not installed (saying how to install it)."""
    parse_spec(spec)
    import importlib.util

    if importlib.util.find_spec("distributed") is None:
        raise ClusterError("--cluster needs Dask distributed, which is not installed here",
                           hint=f"install it with: {INSTALL}")


def open_cluster(spec: str, model: WorkerModel, label_for: dict[str, str]) -> Cluster:
    """Connect to the scheduler at ``spec`` (or start a LocalCluster, ``local[:N]``:
    N worker processes of one thread, default one a core) and wait for a worker.
    Raises :class:`ClusterError` (one line) when Dask distributed is not installed or
    the cluster cannot be reached."""
    require_dask(spec)
    where, n = parse_spec(spec)
    import logging

    import distributed

    # Dask logs its own view of a lost scheduler ("Failed to reconnect ..."); the run
    # says it in one line (ClusterLost)
    logging.getLogger("distributed").setLevel(logging.CRITICAL)

    local = None
    try:
        if where == "local":
            local = distributed.LocalCluster(
                n_workers=n or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                # this machine only: the scheduler, the workers and their HTTP servers
                # (Dask's default binds the dashboard to every interface)
                host="127.0.0.1", dashboard_address="127.0.0.1:0",
                silence_logs=logging.ERROR)
            client = distributed.Client(local, timeout=CONNECT_S)
            address = f"local:{n or os.cpu_count() or 1} ({local.scheduler_address})"
        else:
            client = distributed.Client(where, timeout=CONNECT_S)
            address = where
    except (OSError, TimeoutError) as exc:
        if local is not None:
            local.close()
        raise ClusterError(f"--cluster {spec}: cannot reach the scheduler "
                           f"({type(exc).__name__}: {exc})",
                           hint="start one with `dask scheduler` (see docs/scale.md)") from exc
    cluster = Cluster(client, model, label_for, local, address)
    try:
        client.wait_for_workers(1, timeout=WORKERS_S)
    except (OSError, TimeoutError) as exc:
        cluster.close()
        raise ClusterError(f"--cluster {spec}: no worker joined the scheduler in "
                           f"{WORKERS_S:.0f} s",
                           hint="start some with `dask worker ADDRESS` (see docs/scale.md)"
                           ) from exc
    return cluster
