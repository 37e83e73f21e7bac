"""spaCy ``.spacy`` files (``DocBin``), as ``spacy train`` reads them and our spaCy
export writes them (:mod:`annotator.export.spacy_docbin`).

``doc.ents`` become entities, ``doc.spans["claims"]`` claims (their attributes from
``doc.user_data["claims"]``, in the same order, as our export writes them), and
``doc.spans["incorrect_spans"]`` rejected suggestions, ``doc.cats`` document labels
(those scored 0.5 or more; :mod:`.doclabels`). Other span groups are counted as left
out. The other
``user_data`` entries that JSON can hold go to ``meta``; a document is ``done`` unless
``user_data["status"]`` says otherwise (a training set is finished annotation).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..model import STATUSES, Claim
from .records import ImportFailed, Record, _checked_span, _read_claim

CLAIMS_KEY, INCORRECT_KEY = "claims", "incorrect_spans"


def read_docbin(path: Path) -> Iterator[Record]:
    """The records of one ``.spacy`` file."""
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    try:
        data = path.read_bytes()
        docbin = DocBin(store_user_data=True).from_bytes(data)
    except OSError as exc:
        raise ImportFailed(path, None, f"cannot read: {exc.strerror}") from exc
    except Exception as exc:  # zlib, msgpack and spaCy's own errors alike
        raise ImportFailed(path, None, f"not a spaCy DocBin: {exc}"[:300]) from exc
    for n, doc in enumerate(docbin.get_docs(Vocab()), start=1):
        yield _record(path, n, doc)


def _record(path: Path, n: int, doc: Any) -> Record:
    user = dict(doc.user_data)
    status = user.pop("status", None)
    attrs = user.pop("claims", None)
    meta: dict[str, Any] = {}
    for key, value in user.items():
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            continue
        if isinstance(key, str):
            meta[key] = value
    meta.setdefault("file", path.name)
    meta["doc_index"] = n
    # "line": the document's place in the file, so errors name it
    record = Record(text=doc.text, meta=meta, path=path, line=n,
                    status=status if status in STATUSES else "done")
    if not record.text or record.text.isspace():
        raise ImportFailed(path, n, "document has no text")
    for ent in doc.ents:
        record.spans.append(_checked_span(record, ent.start_char, ent.end_char, ent.label_,
                                          "entity", None))
    claims = list(doc.spans[CLAIMS_KEY]) if CLAIMS_KEY in doc.spans else []
    if isinstance(attrs, list | tuple) and len(attrs) == len(claims):
        for i, claim in enumerate(attrs):
            _read_claim(record, claim, i, None)
    else:
        for span in claims:
            claim = _checked_span(record, span.start_char, span.end_char,
                                  span.label_ or "CLAIM", "claim", None)
            claim.claim = Claim()
            record.spans.append(claim)
    for key, group in doc.spans.items():
        if key == INCORRECT_KEY:
            for span in group:
                wrong = _checked_span(record, span.start_char, span.end_char, span.label_,
                                      "entity", None)
                wrong.origin, wrong.decision = "model", "rejected"
                record.spans.append(wrong)
        elif key != CLAIMS_KEY:
            record.leave_out(f"spans of the span group {key!r} (only {CLAIMS_KEY!r} holds "
                             "claims)", len(group))
    if doc.cats:
        from .doclabels import read_cats

        read_cats(record, dict(doc.cats), None)
    return record
