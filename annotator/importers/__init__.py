"""Read articles, and the labels other tools gave them, from files into the store.

Plain text, CSV and JSONL (ours, Prodigy's and doccano's lines) in :mod:`.core`; the
peers' own files each in a module named for what it reads: Label Studio JSON, JSON-MIN
and task lines (:mod:`.labelstudio`), doccano's and Prodigy's extra keys (:mod:`.peers`),
CoNLL (:mod:`.conll`), spaCy ``DocBin`` (:mod:`.docbin`). :mod:`.detect` tells a file's
format by its content. Whatever a file holds either lands or is counted in
:attr:`ImportResult.left_out` with its reason.
"""

from .core import (
    BATCH,
    FORMATS,
    IMPORT_STATUSES,
    SPACY_MAX_LENGTH,
    ImportResult,
    MissingLabels,
    content_hash,
    import_paths,
    read_csv,
    read_file,
    read_jsonl,
    read_txt,
)
from .records import ImportFailed, Record, decode

__all__ = ["BATCH", "FORMATS", "IMPORT_STATUSES", "SPACY_MAX_LENGTH", "ImportFailed",
           "ImportResult", "MissingLabels", "Record", "content_hash", "decode",
           "import_paths", "read_csv", "read_file", "read_jsonl", "read_txt"]
