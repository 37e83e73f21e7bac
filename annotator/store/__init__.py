"""The project database: one SQLite file per project.

Tables (see docs/architecture.md, Data model): ``documents``, ``spans``, ``claims``
(attributes of claim spans), ``events`` (append-only decision log), ``meta`` (schema version),
``tokens`` (a cache of token boundaries; derived, safe to empty), ``documents_fts`` (the
search index), ``labels``/``label_map`` (the project's label scheme) and, for teams,
``annotation_sets``, ``set_documents`` and an ``annotation_set`` column on ``spans`` and
``events``. The connection runs in WAL mode with foreign keys on and a busy timeout;
every write goes through :meth:`Store.write`, one ``BEGIN IMMEDIATE`` transaction.

The package's modules: :mod:`.core` (:class:`Store`: open, create, migrate, labels,
events, statistics), :mod:`.base` (the connection and its transactions), the queries by
subject (:mod:`.documents`, :mod:`.spans`, :mod:`.sets`), :mod:`.schema` (tables and
migrations), :mod:`.files` (opening the file: the only code that does; what went wrong,
in words), :mod:`.trust` (a file from others is checked before it is trusted: schema,
header, integrity, caps), :mod:`.doctor` (``annotator doctor``) and :mod:`.rows`.
"""

from ..errors import ReadOnlyError, ReplacedError, StoreError
from .base import PRECEDENCE, Precedence
from .core import Store
from .files import (
    BUSY_TIMEOUT_MS,
    describe_busy,
    describe_sqlite_error,
    lock_holders,
    readonly_reason,
    storage_reason,
)
from .rows import choose_set, fts_query, now
from .schema import _SCHEMA_V1, APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, make_title

__all__ = ["APPLICATION_ID", "BUSY_TIMEOUT_MS", "MIGRATIONS", "PRECEDENCE", "SCHEMA_VERSION",
           "Precedence", "ReadOnlyError", "ReplacedError", "Store", "StoreError", "_SCHEMA_V1",
           "choose_set", "describe_busy", "describe_sqlite_error", "fts_query", "lock_holders",
           "make_title", "now", "readonly_reason", "storage_reason"]
