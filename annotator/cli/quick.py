"""The bodies of the quick commands (``list``, ``show``, ``stats``, ``mark``) and what
ends every command that fails, without click.

Each body takes plain values and is called both by its click command
(:mod:`.documents`) and by the fast path of the ``annotator`` script (:mod:`.fast`),
which runs the common forms of these commands without importing click (issue 28 §3:
click and what it imports were half of a quick command's start-up). :func:`failure` is
the one handler of a command's failure, used by the click group's ``invoke`` and by
the fast path alike, so both end a failing command with the same words.
"""

from __future__ import annotations

import os
import sys

from .. import __version__
from ..errors import REPORT, AnnotatorError

TYPE_CHECKING = False
if TYPE_CHECKING:  # not imported at run time: typing alone is a third of a start-up
    from collections.abc import Callable
    from pathlib import Path
    from typing import Any, NoReturn

    from ..store import Store

    Echo = Callable[..., None]


def echo(message: str = "", err: bool = False) -> None:
    """Write ``message`` and a newline to stdout (stderr with ``err``) and flush, as
    ``click.echo`` does for a string on a stream with a usable encoding (the fast path
    leaves every other stream to click): ANSI escape sequences are removed unless the
    stream is a terminal."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        return
    out = message + "\n"
    if "\033" in out and not _isatty(stream):
        import re

        out = re.sub(r"\033\[[0-?]*[ -/]*[@-~]", "", out)  # click's own pattern
    stream.write(out)
    stream.flush()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except Exception:
        return False


def open_store(db_path: str | Path | None, create: bool = True, readonly: bool = False) -> Store:
    """Open the project (``--db``, else the default one). ``readonly`` for commands
    that only read (they never create or change files beside the project). A file that
    is not a project raises :class:`~annotator.errors.StoreError`, which the group
    says in one line."""
    from ..store import Store  # not on the way of --help and --version

    if not db_path:
        from ..paths import default_db_path

        db_path = default_db_path()
    return Store(db_path, create=create and not readonly, readonly=readonly)


def failure(exc: BaseException, command: str | None) -> str:
    """What a command that raised ``exc`` ends with: the one line to show after
    ``Error:`` (exit status 1) for a refusal (:class:`~annotator.errors.AnnotatorError`)
    or a failure of the storage (full disk, read-only or busy project, I/O error).
    A closed pipe (``annotator list | head``) ends the process quietly with status 1;
    anything else is a bug: its traceback, then a line asking for a report
    (:data:`annotator.errors.REPORT`), and exit status 1. The click group's ``invoke``
    and the fast path both end a failing command here."""
    import sqlite3

    if isinstance(exc, BrokenPipeError):
        # the reader of our output went away (`annotator list | head`): end quietly,
        # as other command-line tools do, not with "failed: Broken pipe"
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    if isinstance(exc, AnnotatorError):
        return exc.describe()
    if isinstance(exc, (sqlite3.Error, OSError)):  # no refusal is one of these
        from ..store import storage_reason

        reason = storage_reason(exc)
        if reason is not None:
            return f"{command or 'the command'} failed: {reason}"
    _bug()


def _bug() -> NoReturn:
    """End on the exception being handled, which is a bug: its traceback, then the line
    asking for a report, on stderr; exit status 1 (as Python's own, uncaught)."""
    import traceback

    traceback.print_exc()
    echo(f"\n{REPORT} (annotator {__version__})", err=True)
    sys.exit(1)


def list_documents(db_path: str | Path | None, status: str | None = None,
                   search: str | None = None, limit: int | None = None, after_id: int = 0,
                   doc_label: str | None = None, as_json: bool = False) -> None:
    """``annotator list``: one line per document (id, status, span counts, title), or one
    JSON object per line; streamed in pages by id, a small first one."""
    if as_json:
        import json

        encode = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps makes one a row
    with open_store(db_path, readonly=True) as store:
        chosen = None if doc_label is None else _doc_label_filter(store, doc_label)
        out = sys.stdout
        left = limit
        page = 100  # a small first page, so the first lines come at once
        while left is None or left > 0:
            rows = store.document_rows(status=status, search=search, after_id=after_id,
                                       limit=page if left is None else min(page, left),
                                       doc_label=chosen)
            if not rows:
                break
            if as_json:
                lines = [encode(row) for row in rows]
            else:
                lines = [f"{row['id']:>6}  {row['status']:<11}  {row['pending']:>4} pending "
                         f"{row['accepted']:>4} accepted  {row['title'][:70]}"
                         for row in rows]
            out.write("\n".join(lines) + "\n")
            out.flush()
            after_id = rows[-1]["id"]
            if left is not None:
                left -= len(rows)
            page = 2000


def doc_label_syntax_ok(value: str) -> bool:
    """Whether ``--doc-label`` has the form ``CATEGORY=LABEL`` (both non-empty)."""
    category, sep, label = value.partition("=")
    return bool(sep and category and label)


def _doc_label_filter(store: Store, value: str) -> tuple[str, str]:
    """``--doc-label CATEGORY=LABEL`` as a pair, both in the project's scheme."""
    from ..errors import LabelError
    from ..labels import existing_category

    if not doc_label_syntax_ok(value):
        import click  # a usage error: the fast path leaves this one to click

        raise click.BadParameter(f"{value!r}: give CATEGORY=LABEL, e.g. topic=politics",
                                 param_hint="--doc-label")
    category, _, label = value.partition("=")
    scheme = store.label_scheme()
    try:
        existing_category(scheme, category)
    except LabelError as exc:
        raise LabelError(f"--doc-label {value}: {exc}") from None
    names = [x.name for x in scheme.doc_labels(category)]
    if label not in names:
        raise LabelError(f"--doc-label {value}: no label {label!r} in category {category} "
                         f"({', '.join(names) or 'none'})")
    return category, label


def show_document(db_path: str | Path | None, doc_id: int, as_json: bool = False,
                  echo: Echo = echo) -> None:
    """``annotator show``: a document, its meta, its document labels, all its spans and
    claim attributes (one JSON object with ``as_json``)."""
    import json

    with open_store(db_path, readonly=True) as store:
        doc = store.document(doc_id)
        spans = store.spans(doc_id)
        labels = store.doc_labels(doc_id)
    by_id = {s.id: s for s in spans}
    out_spans = []
    for s in spans:
        item: dict[str, Any] = {
            "id": s.id, "layer": s.layer, "start": s.start, "end": s.end, "label": s.label,
            "origin": s.origin, "decision": s.decision, "score": s.score, "model": s.model,
            "annotator": s.annotator, "text": doc.text[s.start:s.end], "cues": s.cues,
        }
        if s.claim is not None:
            claim = s.claim.as_dict()
            target = by_id.get(claim["claimant_span_id"])
            claim["claimant"] = (
                {"span_id": target.id, "text": doc.text[target.start:target.end],
                 "label": target.label}
                if target else claim["claimant_text"])
            item["claim"] = claim
        out_spans.append(item)
    doc_labels = [{k: v for k, v in r.as_dict().items() if k not in ("doc_id",
                                                                      "annotation_set")}
                  for r in labels]
    if as_json:
        echo(json.dumps({
            "id": doc.id, "status": doc.status, "note": doc.note, "title": doc.title,
            "meta": doc.meta, "content_hash": doc.content_hash, "text": doc.text,
            "spans": out_spans, "doc_labels": doc_labels,
        }, ensure_ascii=False, indent=2))
        return
    echo(f"# {doc.id} [{doc.status}] {doc.title}")
    echo(json.dumps(doc.meta, ensure_ascii=False))
    for row in doc_labels:
        score = "" if row["score"] is None else f" {row['score']:.2f}"
        echo(f"{row['category']}: {row['label']} ({row['origin']} {row['decision']}"
             f"{score})")
    echo()
    echo(doc.text)
    echo()
    for item in out_spans:
        echo(f"{item['id']:>6} {item['layer']:<6} {item['start']:>6}-{item['end']:<6} "
             f"{item['label']:<10} {item['origin']:<5} {item['decision']:<8} "
             f"{'' if item['score'] is None else format(item['score'], '.2f'):>5} "
             f"{item['text'][:60]!r}")
        if "claim" in item:
            echo(f"{'':>14}{json.dumps(item['claim'], ensure_ascii=False)}")


def show_stats(db_path: str | Path | None, as_json: bool = False, echo: Echo = echo) -> None:
    """``annotator stats``: documents by status; spans by layer, label and decision;
    document labels by category, label and decision (one JSON object with ``as_json``)."""
    with open_store(db_path, readonly=True) as store:
        stats = store.stats()
    if as_json:
        import json

        echo(json.dumps(stats, indent=2))
        return
    docs = stats["documents"]
    echo(f"documents: {docs['total']}  " + "  ".join(
        f"{k}: {v}" for k, v in docs["by_status"].items()))
    for layer, labels in stats["spans"].items():
        echo(f"{layer}:")
        for label, counts in labels.items():
            echo(f"  {label:<12} " + "  ".join(f"{k}: {v}" for k, v in counts.items()))
    for category, labels in stats["doc_labels"].items():
        echo(f"document labels, {category}:")
        for label, counts in labels.items():
            echo(f"  {label:<12} " + "  ".join(f"{k}: {v}" for k, v in counts.items()))
    if "annotation_sets" in stats:
        review = stats["review"]
        echo(f"annotation sets (shared documents: {review['shared']}, to review: "
             f"{review['to_review']}):")
        for name, item in stats["annotation_sets"].items():
            echo(f"  {name:<12} " + "  ".join(
                f"{k}: {v}" for k, v in item["by_status"].items())
                + f"  accepted spans: {item['accepted_spans']}"
                + (f"  accepted document labels: {item['accepted_doc_labels']}"
                   if item.get("accepted_doc_labels") else ""))


def mark_documents(db_path: str | Path | None, status: str, doc_ids: list[int] | None,
                   from_status: str | None = None, note: str | None = None,
                   annotator_name: str | None = None, echo: Echo = echo) -> None:
    """``annotator mark``: set the status of the documents ``doc_ids`` (``None``: every
    document, of ``from_status`` if given) in one transaction, one logged event per
    document, and say how many and as whom. Both statuses must be valid ones (the
    callers checked them)."""
    # what annotator.api.Project(db, annotator).mark_all does, without importing the API
    # (the decisions, the label files): a quick command starts in tens of ms (issue 28)
    from ..model import as_status
    from ..session import Session, decider

    with open_store(db_path, create=False) as store:
        session = Session(store, decider(annotator_name, store))
        changed = session.set_statuses(
            doc_ids, as_status(status), note=note,
            from_status=as_status(from_status) if from_status else None)
        who = session.annotator
    echo(f"marked {len(changed)} document(s) {status} as {who}")
