"""The project's tokenizer and its token cache: the one owner of both, used by the
suggestion runner (its pipeline's tokenizer gets the same rules) and by the exporters
(tokens in JSONL, DocBin, CoNLL), so a suggested span and its exported tokens agree.

**Glued words.** Scraped articles lose spaces at line or tag boundaries: "inIraq",
"USmaintains", "ISISpropaganda", "Wall StreetJournal", "State(ISIS)". spaCy keeps each
as one token, so the parser and the entity recogniser see a word that does not exist.
:func:`fix_tokenizer` adds zero-width *infix* patterns that split at a case change:

- lower-case letters, then a capitalised word: ``in|Iraq``, ``Street|Journal``;
- an acronym of two or more capitals, then three or more lower-case letters:
  ``US|maintains``, ``ISIS|propaganda`` (``CEOs``, ``NGOs`` are left alone);
- an opening bracket between letters: ``State|(|ISIS``;
- and a slash is split off the start or end of a word: ``News|/``, ``/|Reuters`` (a
  dateline "Shafaq News/ The ..."; "and/or", "km/h" and "1/2" stay whole).

Splitting only moves token boundaries: the text is never changed, so every offset
stays exact. Real camel-case names (``YouTube``, ``JPMorgan``, ``McDonald``) are
special cases from ``resources/camelcase.txt`` and stay whole. Where a glued token
survives and an entity ends or starts inside it, :func:`trim_to_glue` cuts the entity at
the case change, so "USmaintains" as ORG is suggested as "US".

**The project tokenizer** is ``spacy.blank("en")`` with those rules (no model), loaded
on first use: importing this module does not import spaCy. The rules live in
:mod:`annotator.tokenizer_code`, a standalone file that the spaCy export writes beside
its config (``annotator.Tokenizer.v1``), so ``spacy train`` tokenises as we do. The
window snaps and steps spans by these tokens too (:class:`TokenBounds`).

The JSONL export writes every document's tokens, and tokenising was by far its dearest
step: spaCy's tokenizer stops saving chunks (the whitespace-delimited pieces it tokenises
one by one) to its cache once a special case has fired in a text (a double space, an em
dash, "Mr."), which real news nearly always has early, so nearly every word went through
the prefix, suffix and infix rules again (about 0.7 M characters/s on the bench corpus).
:func:`tokenize` *primes* the cache first: each chunk of the text not seen before is
tokenised alone, which saves it to spaCy's cache as spaCy does for any chunk met before
the first special case of a text; then the whole text is tokenised by spaCy, as before.
The tokens are spaCy's own whole-text tokens (priming changes only what its cache holds,
never what it returns: the tests compare with a tokenizer whose cache is off); the cost
falls nine-fold (4.4 to 0.49 ms for a 3,100-character article).

A document's tokens, once computed, are kept in the store's ``tokens`` table
(:meth:`annotator.store.Store.put_tokens`): the token starts (for the spans'
``token_start``/``token_end``, as uint32) and the exact JSON the export writes
(compressed), about three times the size of the text together. The suggestion runner writes
them while it parses, and an export writes the ones it had to compute, so the next export
only reads them. An entry carries :func:`tokenizer_id`; one made by another spaCy version
is recomputed, never trusted. The JSON is made in one pass of C-level ``map`` calls
(:func:`tokens_json`), identical to encoding the token dicts with :mod:`json`. Many
documents to tokenise at once go to worker processes (:class:`TokenCache`).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import re
import sys
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from . import testhook, tokenizer_code
from .errors import AnnotatorError
from .jsonenc import compact_json
from .paths import load_lexicon

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.context import BaseContext

    from spacy.language import Language
    from spacy.tokens import Doc

    from .store import Store

_R = TypeVar("_R")

# Bumped when the rules change (tokenizer_code.RULES_VERSION): cached tokens made by
# other rules are recomputed.
RULES_VERSION = tokenizer_code.RULES_VERSION

RENEW_EVERY = 10_000  # documents; the vocab keeps every new string it sees
CACHE_CHUNKS = 300_000  # distinct chunks kept in the tokenizer's cache, at most
_AFFIXES = "\"'“”‘’«»()[]{}<>,;:!?.…-—–*/"  # stripped to find a special case inside a chunk
_RISKY = frozenset("'’.")  # in most special cases ("don't", "U.S.", "Mr.")
_calls = 0

#: The tokens of one text: start offsets, lengths (code points), and 1 where the token
#: is followed by a space, 0 where not.
Boundaries = tuple[list[int], list[int], list[int]]

_ESCAPE = re.compile(r'["\\\x00-\x1f]')  # what JSON escapes when ensure_ascii is off
_TOKEN = '{"text":"%s","start":%d,"end":%d,"id":%d,"ws":%s}'
_WS = ("false", "true")


# --- the rules ---------------------------------------------------------------

# Zero-width split points (see the module docstring), title abbreviations that must not
# end a sentence ("Brig. Gen. Ali al-Hassan"): in the standalone module that the spaCy
# export writes beside its config, so that the config builds this very tokenizer.
GLUE_INFIXES = tokenizer_code.GLUE_INFIXES
TITLE_ABBREVIATIONS = tokenizer_code.TITLE_ABBREVIATIONS
_GLUE_RE = re.compile("|".join(f"(?:{p})" for p in GLUE_INFIXES[:2]))


def fix_tokenizer(nlp: Language) -> Language:
    """Give ``nlp``'s tokenizer the project's rules (in place; returns ``nlp``)."""
    from spacy.tokenizer import Tokenizer

    tokenizer = nlp.tokenizer  # idempotent: the affixes are rebuilt from the defaults
    assert isinstance(tokenizer, Tokenizer)
    tokenizer_code.customize(tokenizer, nlp.Defaults, camelcase_names())
    return nlp


def register_tokenizer() -> None:
    """Register ``annotator.Tokenizer.v1`` (the name the spaCy export's config gives this
    tokenizer) in spaCy's registry, so a pipeline trained on an export loads."""
    tokenizer_code.register(camelcase_names())


def tokenizer_source() -> str:
    """The standalone code file that builds this tokenizer from a spaCy config."""
    return tokenizer_code.source(camelcase_names())


def glue_points(word: str) -> list[int]:
    """Offsets inside ``word`` where a glued word boundary is (see GLUE_INFIXES)."""
    return [m.start() for m in _GLUE_RE.finditer(word)]


@functools.cache
def camelcase_names() -> frozenset[str]:
    """The camel-case names the tokenizer keeps whole (``resources/camelcase.txt``)."""
    return frozenset(load_lexicon("camelcase.txt"))


def word_splits(word: str) -> list[int]:
    """Where the project tokenizer splits a run of letters ``word`` at a glued word
    boundary: :func:`glue_points`, none in a camel-case name it keeps whole. Pure
    :mod:`re`, for token boundaries without spaCy (the window's span editing)."""
    if word in camelcase_names():
        return []
    return glue_points(word)


def trim_to_glue(text: str, start: int, end: int) -> tuple[int, int]:
    """Cut ``text[start:end]`` at glue points, dropping lower-case pieces at either end.

    An entity ending inside a glued word ("USmaintains") keeps its capitalised head
    ("US"); one starting inside ("inIraq") keeps the capitalised tail ("Iraq")."""
    cuts = [start + p for p in glue_points(text[start:end])]
    bounds = [start, *cuts, end]
    pieces = list(zip(bounds, bounds[1:], strict=False))
    # Only a piece inside the first (last) word may go: "the Wall StreetJournal" stays.
    while len(pieces) > 1 and text[pieces[0][0]].islower() \
            and not any(ch.isspace() for ch in text[pieces[0][0]:pieces[0][1]]):
        pieces.pop(0)
    while len(pieces) > 1 and text[pieces[-1][0]].islower() \
            and not any(ch.isspace() for ch in text[pieces[-1][0]:pieces[-1][1]]):
        pieces.pop()
    return pieces[0][0], pieces[-1][1]


def unglue(text: str) -> str:
    """``text`` with a space at each glue point, for free-text attributes
    ("Wall StreetJournal" -> "Wall Street Journal"); offsets are not kept."""
    return " ".join(
        "".join(_split_word(word)) if glue_points(word) else word for word in text.split(" ")
    )


def _split_word(word: str) -> list[str]:
    out, last = [], 0
    for point in glue_points(word):
        out.append(word[last:point] + " ")
        last = point
    out.append(word[last:])
    return out


# --- the project tokenizer ----------------------------------------------------------


@functools.cache
def blank_nlp(sentences: bool = False) -> Language:
    """The project tokenizer: ``spacy.blank("en")`` with :func:`fix_tokenizer` (and a
    rule-based sentencizer if asked), cached."""
    import spacy

    nlp = fix_tokenizer(spacy.blank("en"))
    if sentences:
        nlp.add_pipe("sentencizer")
    return nlp


@functools.cache
def tokenizer_id() -> str:
    """The tag of cached tokens: our rules' version and spaCy's (read from the package
    metadata, so checking the cache does not import spaCy)."""
    from importlib.metadata import version

    return f"annotator-en {RULES_VERSION} spacy {version('spacy')}"


class _Primed:
    """The project tokenizer with a cache that keeps every chunk (see the module
    docstring): spaCy's tokenizer, and the chunks already tokenised alone."""

    def __init__(self) -> None:
        from spacy.tokenizer import Tokenizer

        tokenizer = blank_nlp().tokenizer
        assert isinstance(tokenizer, Tokenizer)
        self.tokenizer = tokenizer
        # spaCy's default (10,000 chunks) is a few hundred articles' vocabulary
        self.tokenizer.max_cache_size = CACHE_CHUNKS
        self.seen: set[str] = set()
        # whitespace chunks: the common ones once (finding them in each text costs more)
        for n in (1, 2, 3):
            for run in itertools.product(" \n\t\r", repeat=n):
                self(f"x{''.join(run)}")

    def __call__(self, text: str) -> Doc:
        """spaCy's tokens of ``text``, its cache primed with the text's chunks first."""
        # str.split() cuts at str.isspace(), as spaCy's tokenizer does
        new = set(text.split()).difference(self.seen)
        if new:
            tokenizer = self.tokenizer
            # A special case met in a call stops spaCy caching the rest of it: chunks
            # that cannot meet one (letters and digits, or punctuation around a word
            # that is not a special case, with no apostrophe or full stop: "said,",
            # "(Reuters)") are primed together, in one call; the others one by one. A
            # guess wrong here costs speed, never a token.
            rules = tokenizer.rules
            together = [c for c in new if c not in rules and c.strip(_AFFIXES) not in rules
                        and not _RISKY.intersection(c)]
            if together:
                tokenizer(" ".join(together))
            for chunk in new.difference(together):
                tokenizer(chunk)
            self.seen.update(new)
        doc: Doc = self.tokenizer(text)
        return doc


@functools.cache
def _primed() -> _Primed:
    return _Primed()


def tokenize(text: str) -> Boundaries:
    """The token boundaries of ``text`` (see :data:`Boundaries`): spaCy's tokens with the
    project's rules (:func:`blank_nlp`)."""
    global _calls
    from spacy.attrs import IDX, LENGTH, SPACY

    _calls += 1
    tokenizer = _primed()
    if _calls % RENEW_EVERY == 0 or len(tokenizer.seen) > CACHE_CHUNKS:
        # a fresh vocab (and cache) now and then keeps memory flat
        blank_nlp.cache_clear()
        _primed.cache_clear()
        tokenizer = _primed()
    doc = tokenizer(text)
    if not len(doc):
        return [], [], []
    columns = cast(list[list[int]], doc.to_array([IDX, LENGTH, SPACY]).T.tolist())
    starts, lengths, spaces = columns
    return starts, lengths, spaces


def tokens_json(text: str, bounds: Boundaries) -> str:
    """Prodigy-style tokens (``text``, ``start``, ``end`` in code points, ``id``,
    ``ws``) as a JSON array, the same string :mod:`json` makes of the dicts."""
    starts, lengths, spaces = bounds
    ends = list(map(int.__add__, starts, lengths))
    words = list(map(text.__getitem__, map(slice, starts, ends)))
    if _ESCAPE.search(text):
        # the tokens holding a character JSON escapes (never the one space a token may
        # be followed by, so each such character is inside a token)
        for i in {bisect_right(starts, m.start()) - 1 for m in _ESCAPE.finditer(text)}:
            words[i] = compact_json(words[i])[1:-1]
    rows = zip(words, starts, ends, range(len(starts)), map(_WS.__getitem__, spaces),
               strict=True)
    return f"[{','.join(map(_TOKEN.__mod__, rows))}]"


def compute(text: str) -> tuple[list[int], bytes]:
    """What the JSONL export needs of ``text``'s tokens, and what the cache keeps: the
    token starts and the tokens JSON in UTF-8."""
    bounds = tokenize(text)
    return bounds[0], tokens_json(text, bounds).encode("utf-8")


def pack(starts: Sequence[int], encoded: bytes) -> tuple[bytes, bytes]:
    """A document's token starts and tokens JSON (UTF-8) as two blobs for the store: the starts
    as little-endian uint32 (read back without a copy loop), the JSON compressed with
    zlib."""
    values = array("I", starts)
    if sys.byteorder == "big":
        values.byteswap()
    return values.tobytes(), zlib.compress(encoded, 1)


def unpack(starts_blob: bytes, json_blob: bytes) -> tuple[array[int], bytes]:
    """The inverse of :func:`pack`."""
    return unpack_starts(starts_blob), zlib.decompress(json_blob)


def unpack_starts(starts_blob: bytes) -> array[int]:
    """The token starts of :func:`pack`'s first blob."""
    starts = array("I")
    starts.frombytes(starts_blob)
    if sys.byteorder == "big":
        starts.byteswap()
    return starts


def token_range(starts: Sequence[int], start: int, end: int) -> tuple[int, int]:
    """Indices of the first and last (inclusive) token that ``[start, end)`` touches,
    given the tokens' start offsets."""
    return max(bisect_right(starts, start) - 1, 0), max(bisect_right(starts, end - 1) - 1, 0)


# --- the cache ----------------------------------------------------------------------


Tokens = tuple[Sequence[int], bytes]  # token starts, tokens JSON in UTF-8

# Documents to tokenise in one batch from which worker processes pay: starting them costs
# about 1.3 s (spaCy imported and a tokenizer built in each, side by side), a document
# about 1.1 ms of tokens, JSON and compression in one process.
PARALLEL_MIN = 200
MAX_WORKERS = 4  # each holds its own tokenizer and cache, ~110 MB
TASK_DOCS = 32  # documents per task sent to a worker


def _work(texts: list[str]) -> list[tuple[bytes, bytes, bytes]]:
    """In a worker process: each text's starts blob, tokens JSON (UTF-8) and JSON blob
    (see :func:`pack`)."""
    out = []
    for text in texts:
        if _in_worker:
            testhook.step("tokens")  # TEST-ONLY: a test may kill this worker here
        starts, encoded = compute(text)
        starts_blob, json_blob = pack(starts, encoded)
        out.append((starts_blob, encoded, json_blob))
    return out


_in_worker = False  # set in a worker process (by _start_worker)


def _start_worker() -> None:
    """A worker leaves Ctrl+C to the process that started it (which stops the workers),
    dies of SIGTERM (whatever handler it inherited), and builds its tokenizer while
    that process reads the first documents."""
    import signal

    global _in_worker
    _in_worker = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    _primed()


@contextlib.contextmanager
def _program_not_imported() -> Iterator[None]:
    """A worker started meanwhile does not import the program's main module: by default
    a spawned or fork-server worker runs the script that started this process again
    (the ``annotator`` script, ``main.py``, a user's script without a ``__main__``
    guard), which costs time or worse. A worker needs only this module."""
    import types

    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def run_apart(work: Callable[..., _R], *args: Any) -> _R:
    """``work(*args)`` in a process of its own, spawned for it (a tokenizer built there
    first, see :func:`_start_worker`), and its result: for long work whose Python
    would otherwise hold the interpreter lock that a window's thread needs to draw
    and take keys. ``work`` is a module-level function; its arguments and result are
    pickled. The process ends before this returns."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker)
    try:
        with _program_not_imported():
            future = pool.submit(work, *args)
        return future.result()
    finally:
        pool.shutdown(wait=True)


def available_cpus() -> int:
    """The processors this process may run on."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _starts(blob: bytes) -> array[int]:
    starts = array("I")
    starts.frombytes(blob)
    if sys.byteorder == "big":
        starts.byteswap()
    return starts


class WorkerDied(AnnotatorError):
    """A worker process tokenising documents ended abruptly (killed by a signal, out of
    memory): the tokens it was making are lost. One line, for the user."""


def _worker_death(pool: ProcessPoolExecutor | None) -> str:
    """What ended a worker of ``pool``, as far as its exit code says."""
    import signal

    codes = [p.exitcode for p in (getattr(pool, "_processes", None) or {}).values()]
    for code in codes:
        if code is not None and code < 0:
            with contextlib.suppress(ValueError):
                return f"killed by {signal.Signals(-code).name}"
    return "killed, or out of memory"


class TokenRequest:
    """One :meth:`TokenCache.request`: the tokens found in the cache, the documents still
    to tokenise, and their tokens being made by worker processes (if any)."""

    def __init__(self, found: dict[int, Tokens], missing: list[tuple[int, str]],
                 futures: list[Future[list[tuple[bytes, bytes, bytes]]]]):
        self.found = found
        self.missing = missing
        self.futures = futures


class TokenCache:
    """A project's cached tokens (the store's ``tokens`` table), read and filled in
    batches. Writing is best effort: a project that cannot be written (read-only, busy,
    full) is still tokenised, only not cached. :attr:`computed` counts the documents
    tokenised here, :attr:`saved` those written to the cache.

    ``processes``: how many worker processes tokenise (1: this process only; ``None``:
    as many as there are processors, up to :data:`MAX_WORKERS`, once a batch has
    :data:`PARALLEL_MIN` documents to tokenise). The workers stop at :meth:`close`
    (the cache is a context manager). The tokens are the same either way."""

    def __init__(self, store: Store, write: bool = True, processes: int | None = 1):
        self.store = store
        self.writable = write and not store.readonly
        self.computed = 0
        self.saved = 0
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> TokenCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, docs: Sequence[tuple[int, str]]) -> dict[int, Tokens]:
        """The tokens of each ``(doc_id, text)``: cached, or computed and cached."""
        if not docs:
            return {}
        return self.collect(self.request(docs))

    def starts(self, docs: Sequence[tuple[int, str]]) -> dict[int, Sequence[int]]:
        """The token starts of each ``(doc_id, text)``, all that agreement needs: the
        cached ones without reading or decompressing their tokens JSON (a third of
        agreement's time at 100,000 documents), the others computed and cached as by
        :meth:`get`."""
        texts = dict(docs)
        return self.starts_by_id(list(texts), lambda ids: {i: texts[i] for i in ids})

    def starts_by_id(self, doc_ids: list[int],
                     texts: Callable[[list[int]], dict[int, str]]) -> dict[int, Sequence[int]]:
        """:meth:`starts` of documents by id; ``texts(ids)`` gives the texts of those
        not cached, only they are read (agreement reads no text of a cached one)."""
        if not doc_ids:
            return {}
        found = self.store.get_token_starts(doc_ids, tokenizer_id())
        out: dict[int, Sequence[int]] = {doc_id: unpack_starts(blob)
                                         for doc_id, blob in found.items()}
        missing = [doc_id for doc_id in doc_ids if doc_id not in out]
        if missing:
            text_of = texts(missing)
            out.update((doc_id, tokens[0]) for doc_id, tokens in
                       self.get([(doc_id, text_of[doc_id]) for doc_id in missing]).items())
        return out

    def request(self, docs: Sequence[tuple[int, str]]) -> TokenRequest:
        """Start on the tokens of ``docs``: the cached ones are read now, the others
        are tokenised by the workers (if any) meanwhile; :meth:`collect` returns them."""
        found = self.store.get_tokens([doc_id for doc_id, _ in docs], tokenizer_id())
        out: dict[int, Tokens] = {doc_id: unpack(*blobs) for doc_id, blobs in found.items()}
        missing = [(doc_id, text) for doc_id, text in docs if doc_id not in out]
        pool = self._workers(len(missing))
        futures = []
        if pool is not None:
            with _program_not_imported():  # a submit may start a worker
                futures = [pool.submit(_work, [text for _, text in missing[i:i + TASK_DOCS]])
                           for i in range(0, len(missing), TASK_DOCS)]
        return TokenRequest(out, missing, futures)

    def collect(self, batch: TokenRequest) -> dict[int, Tokens]:
        """The tokens of the documents of a :meth:`request`, the new ones cached."""
        out = batch.found
        if batch.futures:
            from concurrent.futures.process import BrokenProcessPool

            try:
                made = [row for future in batch.futures for row in future.result()]
            except BrokenProcessPool as exc:
                # Python marks every task of the pool failed and stops the others; the
                # pool cannot be used again.
                why = _worker_death(self._pool)
                self.close()
                raise WorkerDied(f"a worker process tokenising documents ended abruptly "
                                 f"({why})") from exc
        else:
            made = _work([text for _, text in batch.missing])
        fresh = []
        for (doc_id, _), (starts_blob, encoded, json_blob) in zip(batch.missing, made,
                                                                 strict=True):
            out[doc_id] = (_starts(starts_blob), encoded)
            fresh.append((doc_id, starts_blob, json_blob))
        self.computed += len(fresh)
        self.put(fresh)
        return out

    def put(self, rows: Sequence[tuple[int, bytes, bytes]]) -> None:
        """Cache ``(doc_id, starts blob, JSON blob)`` rows made elsewhere (by
        :func:`pack`, from this tokenizer's tokens), best effort."""
        if not rows or not self.writable:
            return
        import sqlite3

        tag = tokenizer_id()
        try:
            with self.store.write():
                self.store.put_tokens([(doc_id, tag, s, j) for doc_id, s, j in rows])
            self.saved += len(rows)
        except (sqlite3.Error, OSError):
            self.writable = False  # not worth retrying for every batch

    def _workers(self, missing: int) -> ProcessPoolExecutor | None:
        """The worker processes, started when first worth it; ``None``: tokenise here."""
        if self._pool is not None or missing == 0:
            return self._pool
        n = self.processes
        if n is None:
            n = min(available_cpus(), MAX_WORKERS) if missing >= PARALLEL_MIN else 1
        if n <= 1:
            return None
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        # Never fork this process (it may hold threads, a window's, and the project's
        # file): a fork server with spaCy imported once forks the workers where there is
        # one (stopped at close()), else each worker is spawned and imports it itself.
        context: BaseContext
        if "forkserver" in methods:
            server = multiprocessing.get_context("forkserver")
            server.set_forkserver_preload(["spacy.lang.en", __name__])
            context = server
        else:
            context = multiprocessing.get_context("spawn")
        try:
            self._pool = ProcessPoolExecutor(n, mp_context=context, initializer=_start_worker)
        except OSError:  # no processes here (a sandbox): tokenise in this one
            self.processes = 1
        return self._pool

    def close(self) -> None:
        """Stop the worker processes, at once (work not collected is dropped)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        stop_workers(pool)
        _stop_fork_server()


#: How long :func:`stop_workers` lets running tasks end before it kills their workers.
STOP_GRACE_S = 10.0


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Stop a process pool soon: the work not started is cancelled and each worker ends
    after the task it is running (one batch), then the pool's own threads are joined.
    A worker still running after :data:`STOP_GRACE_S` is killed. Killing them first
    hung an export for good, about one run in six: a worker killed while it wrote a
    result to the pipe left half a message there, and the pool's thread waited in
    ``recv`` for the rest, which ``shutdown()`` then joined (``tests/export/
    test_safety.py``, a write failing under ``RLIMIT_FSIZE``)."""
    import time

    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + STOP_GRACE_S
    for process in processes:
        process.join(max(deadline - time.monotonic(), 0))
    for process in processes:
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=True)
    for process in processes:
        process.join()


def _stop_fork_server() -> None:
    """Stop the fork server the workers came from (it holds spaCy, ~100 MB; it would
    otherwise wait for this process to end). Started again when next needed."""
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    stop = getattr(server, "_stop", None)
    if stop is not None:
        with contextlib.suppress(OSError, ChildProcessError):
            stop()


# --- token boundaries for span editing ----------------------------------------------


class TokenBounds:
    """The word tokens of one text (the project tokenizer's tokens, whitespace tokens
    left out) as sorted start and end offsets (code points): what the window snaps a
    selection to and steps a span or the caret by, so that a span it stores falls on the
    tokens every export writes. Pure Python: made from the token cache's starts
    (:meth:`from_starts`, no spaCy) or by the tokenizer (:meth:`of`)."""

    def __init__(self, text: str, starts: Sequence[int], ends: Sequence[int]):
        self.text = text
        self.starts = list(starts)
        self.ends = list(ends)

    @classmethod
    def of(cls, text: str) -> TokenBounds:
        """The tokens of ``text``, by :func:`tokenize` (imports spaCy)."""
        return cls.from_boundaries(text, tokenize(text))

    @classmethod
    def from_boundaries(cls, text: str, bounds: Boundaries) -> TokenBounds:
        """The word tokens among the tokenizer's ``bounds`` of ``text``."""
        starts, lengths, _ = bounds
        words = [(a, a + n) for a, n in zip(starts, lengths, strict=True)
                 if not text[a].isspace()]
        return cls(text, [a for a, _ in words], [b for _, b in words])

    @classmethod
    def from_starts(cls, text: str, starts: Sequence[int]) -> TokenBounds:
        """The tokens of ``text`` from their start offsets alone (the token cache keeps
        those): spaCy's tokens tile the text but for spaces, and only a whitespace token
        holds white space, so a word token runs to the next token's start or to the first
        white space before it."""
        out_starts: list[int] = []
        out_ends: list[int] = []
        bounds = [*starts, len(text)]
        for a, b in zip(bounds, bounds[1:], strict=False):
            if a >= len(text) or text[a].isspace():
                continue
            end = a + 1
            while end < b and not text[end].isspace():
                end += 1
            out_starts.append(a)
            out_ends.append(end)
        return cls(text, out_starts, out_ends)

    def snap(self, start: int, end: int) -> tuple[int, int] | None:
        """Widen ``[start, end)`` to whole tokens; ``None`` if it holds no token."""
        first = bisect_right(self.ends, start)  # first token ending after start
        last = bisect_left(self.starts, end) - 1  # last token starting before end
        if first > last or first >= len(self.starts):
            return None
        return self.starts[first], self.ends[last]

    def aligned(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` starts at a token start and ends at a token end."""
        i = bisect_left(self.starts, start)
        j = bisect_left(self.ends, end)
        return i < len(self.starts) and self.starts[i] == start \
            and j < len(self.ends) and self.ends[j] == end and i <= j

    def grow_start(self, start: int) -> int:
        """The start of the token before ``start`` (or ``start`` at the beginning)."""
        i = bisect_left(self.starts, start) - 1
        return self.starts[i] if i >= 0 else start

    def shrink_start(self, start: int, end: int) -> int:
        """The start of the next token after ``start`` that still leaves a span."""
        i = bisect_right(self.starts, start)
        if i < len(self.starts) and self.starts[i] < end:
            return self.starts[i]
        return start

    def grow_end(self, end: int) -> int:
        """The end of the token after ``end`` (or ``end`` at the end of the text)."""
        i = bisect_right(self.ends, end)
        return self.ends[i] if i < len(self.ends) else end

    def shrink_end(self, start: int, end: int) -> int:
        """The end of the token before ``end`` that still leaves a span."""
        i = bisect_left(self.ends, end) - 1
        if i >= 0 and self.ends[i] > start:
            return self.ends[i]
        return end

    def at(self, pos: int) -> tuple[int, int] | None:
        """The token holding code point ``pos``, else the one ending there (a caret
        just after a word); None between words."""
        i = bisect_right(self.starts, pos) - 1
        if i >= 0 and pos <= self.ends[i]:
            return self.starts[i], self.ends[i]
        return None

    def step(self, here: int, forward: bool, extend: bool) -> int:
        """Where a word move (``extend`` False: to a token start) or a token extension
        (True: forward to a token end, back to a token start) from ``here`` ends."""
        if forward:
            bounds = self.ends if extend else self.starts
            i = bisect_right(bounds, here)
            return bounds[i] if i < len(bounds) else len(self.text)
        i = bisect_left(self.starts, here) - 1
        return self.starts[i] if i >= 0 else 0


def cached_bounds(store: Store, doc_id: int, text: str) -> TokenBounds | None:
    """``text``'s tokens from the project's token cache, if it holds them for this
    tokenizer (no spaCy is imported); else ``None``."""
    found = store.get_tokens([doc_id], tokenizer_id()).get(doc_id)
    if found is None:
        return None
    return TokenBounds.from_starts(text, _starts(found[0]))
