"""The Python API: a project, its documents with their spans, and the decisions a person
makes, as the window and the command line make them.

>>> from annotator.api import Project
>>> with Project("news.db", annotator="alice") as project:  # doctest: +SKIP
...     for item in project.documents(status="new", label="MONEY"):
...         for span in item.entities:
...             if span.label == "MONEY" and span.decision == "pending":
...                 project.reject(span.id)

Every decision goes through :mod:`annotator.decide` (the ``annotator decide`` lines) and
so through :class:`~annotator.session.Session`, the window's own operations: the same
checks, the same refusals (:class:`~annotator.session.SessionError`, in the same words),
the same event log. The command line's deciding commands are thin layers over this
class. Documents are read lazily, a batch at a time: the corpus is never held in memory.
See ``docs/api.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from .decide import Decided, DecideResult, Lookups, apply_decisions, apply_line
from .editing.doc_labels import DocLabelChange
from .model import Decision, DocLabel, Document, Layer, Span, Status
from .session import Change, Session, SessionError, decider
from .store import Store

if TYPE_CHECKING:
    from .export.base import ExportOptions, ExportSummary
    from .importers.core import ImportResult
    from .suggest.runner import SuggestResult

__all__ = ["DecideResult", "DocumentSpans", "Project", "SessionError"]

#: A line of decisions: its place (for messages) and the JSON line or its dict.
Entry = tuple[str, str | dict[str, Any]]


@dataclass
class DocumentSpans:
    """One document and its spans in the project's set being worked on (status and
    note are that set's)."""

    document: Document
    spans: list[Span]

    @property
    def id(self) -> int:
        return self.document.id

    @property
    def text(self) -> str:
        return self.document.text

    @property
    def status(self) -> str:
        return self.document.status

    @property
    def entities(self) -> list[Span]:
        """The spans of the ``entity`` layer, by start."""
        return [s for s in self.spans if s.layer == "entity"]

    @property
    def claims(self) -> list[Span]:
        """The spans of the ``claim`` layer, by start."""
        return [s for s in self.spans if s.layer == "claim"]


class Project:
    """An open project: read its documents, decide, import, export, suggest.

    ``path``: the project file. ``annotator``: who decides; default by the one rule of
    :func:`~annotator.session.decider` (``$ANNOTATOR_NAME``, a split file's annotator,
    the name saved in the project, the login name). ``annotation_set``: the set read
    and written (``""``: the project's own, the gold set of a team project; an
    annotator's name: theirs). ``create``: make the file if it does not exist (else
    :class:`~annotator.store.StoreError`). Use it as a context manager, or call
    :meth:`close`."""

    def __init__(self, path: str | Path, annotator: str | None = None,
                 annotation_set: str = "", *, create: bool = False,
                 readonly: bool = False) -> None:
        self.store = Store(Path(path), create=create and not readonly, readonly=readonly)
        try:
            self.session = Session(self.store, decider(annotator, self.store),
                                   annotation_set)
        except SessionError:
            self.store.close()
            raise

    # -- the project

    @property
    def path(self) -> Path:
        return self.store.path

    @property
    def annotator(self) -> str:
        """Who the decisions are logged as."""
        return self.session.annotator

    @property
    def annotation_set(self) -> str:
        return self.session.annotation_set

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    # -- reading

    def documents(self, status: str | None = None, label: str | None = None,
                  ids: Iterable[int] | None = None, batch_size: int = 200,
                  doc_label: tuple[str, str] | None = None
                  ) -> Iterator[DocumentSpans]:
        """The documents of the set being worked on, in id order, each with its spans,
        read ``batch_size`` at a time. ``status``: only those with this status in the
        set; ``label``: only those with a span (not rejected) of this label;
        ``doc_label``: ``(category, label)``, only those with this document label
        accepted; ``ids``: only these. An annotator's set holds the documents given to
        them."""
        chosen = None if ids is None else set(ids)
        if label is not None:
            with_label = set(self.store.document_ids_with_label(label, self.annotation_set))
            chosen = with_label if chosen is None else chosen & with_label
        if doc_label is not None:
            with_doc_label = set(self.store.document_ids_with_doc_label(
                *doc_label, annotation_set=self.annotation_set))
            chosen = with_doc_label if chosen is None else chosen & with_doc_label
        if self.annotation_set:
            in_set = self.store.set_documents(self.annotation_set, status)
            chosen = set(in_set) if chosen is None else chosen & set(in_set)
            status = None
        if chosen is None:
            yield from self._with_spans(self.store.iter_documents(status, batch_size))
            return
        ordered = sorted(chosen)
        for i in range(0, len(ordered), batch_size):
            yield from self._with_spans(self.store.iter_documents(
                status, batch_size, ids=ordered[i:i + batch_size]))

    def _with_spans(self, documents: Iterable[Document]) -> Iterator[DocumentSpans]:
        for doc in documents:
            if self.annotation_set:
                found = self.store.document_status(doc.id, self.annotation_set)
                if found is None:
                    continue
                doc = replace(doc, status=found[0], note=found[1])
            yield DocumentSpans(doc, self.store.spans(doc.id,
                                                      annotation_set=self.annotation_set))

    def document(self, doc_id: int) -> DocumentSpans:
        """One document with its spans; :class:`SessionError` if there is none (in the
        set being worked on)."""
        found = next(self.documents(ids=[doc_id]), None)
        if found is None:
            raise SessionError(f"no document {doc_id}" + (
                f" in {self.annotation_set}'s set" if self.annotation_set else ""))
        return found

    def span(self, span_id: int) -> Span:
        """One span of the set being worked on; :class:`SessionError` if there is none."""
        span = self.store.get_span(span_id)
        if span is None or span.annotation_set != self.annotation_set:
            raise SessionError(f"no span {span_id}" + (
                f" in {self.annotation_set}'s set" if self.annotation_set else ""))
        return span

    def select(self, doc_id: int | None = None, layer: Layer | None = None,
               label: str | None = None, min_score: float | None = None,
               max_score: float | None = None,
               decisions: tuple[Decision, ...] = ("pending",)) -> list[tuple[int, int]]:
        """``(document id, span id)`` of the spans with one of ``decisions`` that the
        selectors pick (the ``--doc``, ``--layer``, ``--label``, ``--min-score`` and
        ``--max-score`` of ``accept``, ``reject`` and ``relabel``), by document and
        start."""
        if doc_id is not None:
            self.store.document(doc_id)  # refuses an unknown id (UnknownDocument)
        ids = self.store.pending_span_ids(doc_id=doc_id, layer=layer, label=label,
                                          min_score=min_score, max_score=max_score,
                                          decisions=decisions,
                                          annotation_set=self.annotation_set)
        spans = [self.store.get_span(i) for i in ids]
        return [(s.doc_id, i) for i, s in zip(ids, spans, strict=True) if s is not None]

    def uncertain(self, layer: Literal["entity", "claim"] = "entity",
                  limit: int = -1) -> list[int]:
        """Document ids not done, those whose pending ``layer`` suggestions sit nearest
        the decision margin first (:func:`annotator.train.loop.uncertain_documents`)."""
        from .train.loop import uncertain_documents

        return uncertain_documents(self.store, layer, limit=limit)

    # -- decisions (each one transaction, logged; refusals raise SessionError)

    def decide(self, lines: Iterable[str | dict[str, Any]] | Iterable[Entry],
               source: str = "<api>", skip_invalid: bool = False,
               dry_run: bool = False) -> DecideResult:
        """Apply decision lines (JSON strings or dicts, the ``annotator decide`` format;
        or ``(where, line)`` pairs) all-or-nothing in one transaction: the first line
        that cannot apply raises :class:`~annotator.decide.DecisionsRefused`
        (``SOURCE:LINE: reason``) and nothing is written; ``skip_invalid`` lists such
        lines in the result and applies the rest; ``dry_run`` rolls everything back."""
        def entries() -> Iterator[Entry]:
            for number, line in enumerate(lines, 1):
                if isinstance(line, tuple):
                    yield line
                else:
                    yield f"{source}:{number}", line

        return apply_decisions(self.session, entries(), source, skip_invalid=skip_invalid,
                               dry_run=dry_run)

    def _one(self, item: dict[str, Any]) -> list[Change]:
        return [c for c in self._decide_one(item) if isinstance(c, Change)]

    def _decide_one(self, item: dict[str, Any]) -> list[Decided]:
        with self.session.batch():
            return list(apply_line(self.session, item, Lookups(self.session)))

    def _span_line(self, verb: str, span_id: int, **fields: Any) -> list[Change]:
        span = self.store.get_span(span_id)  # of any set: the line's check says whose
        if span is None:
            raise SessionError(f"no span {span_id}")
        return self._one({"do": verb, "doc": span.doc_id, "span": span_id, **fields})

    def accept(self, span_id: int) -> list[Change]:
        """Accept a span (it replaces the pending entities it overlaps; refused over an
        accepted entity)."""
        return self._span_line("accept", span_id)

    def reject(self, span_id: int) -> list[Change]:
        return self._span_line("reject", span_id)

    def relabel(self, span_id: int, label: str) -> list[Change]:
        """Give the span a label of its layer; it becomes accepted."""
        return self._span_line("relabel", span_id, label=label)

    def resize(self, span_id: int, start: int, end: int) -> list[Change]:
        """Move the span's edges (code points, end exclusive); it becomes accepted."""
        return self._span_line("resize", span_id, start=start, end=end)

    def delete(self, span_id: int) -> list[Change]:
        return self._span_line("delete", span_id)

    def set(self, span_id: int, **attributes: Any) -> list[Change]:
        """Set claim attributes: ``claim_type``, ``claimant`` (an entity span id or a
        text), ``via``, ``checkworthy``, ``hedged``; ``None`` clears one."""
        return self._span_line("set", span_id, **attributes)

    def add(self, doc_id: int, start: int, end: int, label: str,
            **attributes: Any) -> Span:
        """A span made by a person, accepted; its layer is the label's (claim
        attributes may follow, as in :meth:`set`). Returns the new span."""
        changes = self._one({"do": "add", "doc": doc_id, "start": start, "end": end,
                             "label": label, **attributes})
        span = changes[0].span
        assert span is not None and span.id is not None
        return self.span(span.id)

    def mark(self, doc_id: int, status: Status, note: str | None = None) -> list[Change]:
        """Set a document's status (``new``, ``in_progress``, ``done``, ``skipped``,
        ``flagged``) in the set, with a note if given."""
        item: dict[str, Any] = {"do": "mark", "doc": doc_id, "status": status}
        if note is not None:
            item["note"] = note
        return self._one(item)

    def note(self, doc_id: int, text: str) -> list[Change]:
        """Set a document's note; its status stays."""
        return self._one({"do": "note", "doc": doc_id, "text": text})

    # -- document labels (issue 25)

    def doc_labels(self, doc_id: int) -> list[DocLabel]:
        """A document's label rows in the set being worked on (suggestions and
        decisions), in the scheme's order."""
        self.document(doc_id)  # refuses a document not in the set
        return self.store.doc_labels(doc_id, self.annotation_set)

    def _doc_label_line(self, doc_id: int, category: str, label: str, decision: str
                        ) -> DocLabelChange:
        [change] = self._decide_one({"do": "doc-label", "doc": doc_id, "category": category,
                                     "label": label, "decision": decision})
        assert isinstance(change, DocLabelChange)
        return change

    def accept_doc_label(self, doc_id: int, category: str, label: str) -> DocLabelChange:
        """Accept a document label (an exclusive category replaces its choice), as a
        ``doc-label`` line of ``annotator decide``."""
        return self._doc_label_line(doc_id, category, label, "accept")

    def reject_doc_label(self, doc_id: int, category: str, label: str) -> DocLabelChange:
        """Reject a document label (recorded as "not this label")."""
        return self._doc_label_line(doc_id, category, label, "reject")

    def remove_doc_label(self, doc_id: int, category: str, label: str) -> DocLabelChange:
        """Take a document label off the document (its row goes)."""
        return self._doc_label_line(doc_id, category, label, "remove")

    def accept_doc_label_suggestions(self, doc_id: int, category: str | None = None
                                     ) -> DocLabelChange | None:
        """Accept a document's pending document-label suggestions (of ``category``), as
        the window's accept key on the document-label bar; ``None``: none pending."""
        from .editing.doc_labels import accept_suggestions

        self.document(doc_id)
        with self.session.batch():
            return accept_suggestions(self.store, doc_id, category,
                                      annotator=self.annotator,
                                      annotation_set=self.annotation_set)

    def accept_all(self, doc_id: int | None = None, layer: Layer | None = None,
                   label: str | None = None, min_score: float | None = None,
                   max_score: float | None = None) -> Change:
        """Accept every pending suggestion the selectors pick, in one transaction (an
        entity overlapping an accepted one stays pending), as ``annotator accept``."""
        if doc_id is not None:
            self.store.document(doc_id)  # refuses an unknown id (UnknownDocument)
        return self.session.accept_all(doc_id=doc_id, layer=layer, label=label,
                                       min_score=min_score, max_score=max_score)

    def mark_all(self, doc_ids: list[int] | None, status: Status, note: str | None = None,
                 from_status: Status | None = None) -> list[int]:
        """Set the status of ``doc_ids`` (``None``: every document; ``from_status``:
        only those with it now) in one transaction, as ``annotator mark``; returns the
        ids that changed."""
        return self.session.set_statuses(doc_ids, status, note=note, from_status=from_status)

    # -- files and models (one-liners over the core functions)

    def import_files(self, paths: Iterable[str | Path], fmt: str = "auto",
                     **options: Any) -> ImportResult:
        """:func:`annotator.importers.import_paths` into this project (one transaction;
        options: ``text_field``, ``status``, ``add_labels``, ``as_sets``)."""
        from .importers import import_paths

        return import_paths(self.store, [Path(p) for p in paths], fmt=fmt, **options)

    def export(self, fmt: str, out: str | Path, options: ExportOptions | None = None,
               *, force: bool = False) -> ExportSummary:
        """:func:`annotator.export.export` of this project to ``out``."""
        from .export import export

        return export(self.store, fmt, Path(out), options, force=force)

    def suggest(self, model: str | None = None, doc_ids: Iterable[int] | None = None,
                *, redo: bool = False, entity_scores: bool = False,
                on_progress: Callable[[int], None] | None = None) -> SuggestResult:
        """Store pending suggestions from ``model`` (``latest``, a trained model's name
        or folder, a spaCy pipeline; default: the shipped pipeline), as
        ``annotator suggest`` does (:func:`annotator.suggest.runner.suggest`);
        ``entity_scores`` as its ``--entity-scores``."""
        from .suggest.runner import ENTITY_BEAM, load_suggester, suggest

        return suggest(self.store, load_suggester(model, self.path), doc_ids, redo=redo,
                       on_progress=on_progress,
                       entity_beam=ENTITY_BEAM if entity_scores else 0)
