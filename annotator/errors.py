"""Every error Annotator shows a person, under one base: :class:`AnnotatorError`.

An ``AnnotatorError`` is a *refusal*: the core declined to do something and says why
in one line (``str(exc)``), with a ``hint`` where there is something to do about it.
It is raised where the rule lives (the core: ``export()``, ``split()``, ``merge()``,
``import_paths()``, ``train()``, the session), so the command line and the window
refuse the same things in the same words: both show :meth:`AnnotatorError.describe`.
Nothing was written when one is raised, unless the message says otherwise.

Any other exception is a bug: the command line keeps its traceback and asks for a
report (:data:`REPORT`); so does the window, on its terminal.

The areas' classes keep the names (and the modules) they had, so ``from
annotator.session import SessionError`` goes on working; those that callers catch as
``ValueError`` or ``LookupError`` still are one. This module imports nothing of ours.
"""

from __future__ import annotations

TYPE_CHECKING = False  # pathlib is not imported at run time: see annotator/store/files.py
if TYPE_CHECKING:
    from pathlib import Path

#: What the command line prints below the traceback of a bug (anything that is not an
#: AnnotatorError nor a failure of the storage).
REPORT = ("This is a bug in Annotator, not something you did: please report it on the "
          "project's issue tracker, with the traceback above and the command you ran.")
#: What the window says of a bug in its background work (the traceback goes to stderr).
REPORT_WINDOW = ("a bug in Annotator, not something you did: please report it on the "
                 "project's issue tracker, with the traceback printed on the terminal")


class AnnotatorError(Exception):
    """A refusal, said in one line (``str(exc)``), with an optional ``hint``: what to
    do about it, or what became of the work (``nothing was written``). Front ends show
    :meth:`describe`; nothing else is needed to show one."""

    #: A clause appended to the message after ``; `` (no full stop), or ``None``.
    hint: str | None = None

    def __init__(self, message: str = "", *args: object, hint: str | None = None):
        super().__init__(message, *args)
        if hint is not None:
            self.hint = hint

    def describe(self) -> str:
        """The message and its hint, in one line (``message; hint``): what both the
        command line (after ``Error:``) and the window (its refusal banner or dialog)
        show."""
        text = str(self)
        return f"{text}; {self.hint}" if self.hint else text


def describe(exc: BaseException) -> str | None:
    """:meth:`AnnotatorError.describe` for a refusal; ``None`` for anything else (a bug,
    which keeps its traceback)."""
    return exc.describe() if isinstance(exc, AnnotatorError) else None


# --- the project file ---------------------------------------------------------------


class StoreError(AnnotatorError):
    """The file cannot be used as an Annotator project (not ours, or too new)."""


class ReadOnlyError(StoreError):
    """A write asked of a project opened read-only."""


class ReplacedError(StoreError):
    """The project file was replaced or deleted under an open store (another program
    renamed a file over it, or removed it): a write now would go into a file nobody
    can open again, so it is refused."""


# --- decisions -----------------------------------------------------------------------


class SessionError(AnnotatorError, ValueError):
    """An operation that cannot be done (bad offsets, overlap, unknown span)."""


class UnknownDocument(SessionError, LookupError):
    """A document id the project does not hold."""

    def __init__(self, doc_id: int, project: Path | str):
        super().__init__(f"no document {doc_id} in {project}")
        self.doc_id = doc_id


class OverlapError(SessionError):
    """An entity span would overlap an accepted entity span."""


class ConflictError(SessionError):
    """Undo/redo refused: another window changed what the change touched since, and
    restoring it would silently overwrite that decision."""


class NeedsReviewError(SessionError):
    """A team project's document marked done (reviewed) with an empty gold set while
    its annotators labelled spans in it: review first (issue 21)."""


class StorageError(SessionError):
    """The decision could not be written (project busy elsewhere, disk full, read-only
    file); the transaction rolled back, so nothing of it was written."""


class DecisionError(SessionError):
    """One line that cannot apply (the reason, without the place)."""


class DecisionsRefused(SessionError):
    """A line that cannot apply stopped the file: ``FILE:LINE: reason``; nothing was
    written (the hint says so)."""

    hint = "nothing was written"

    def __init__(self, where: str, reason: str):
        super().__init__(f"{where}: {reason}")
        self.where, self.reason = where, reason


class LabelError(AnnotatorError, ValueError):
    """A label change that cannot be made; nothing was changed."""


# --- files in and out ----------------------------------------------------------------


class ImportFailed(AnnotatorError):
    """Bad input: the message names the file and, where it applies, the line (an import
    adds the hint that nothing was imported: it is one transaction)."""

    def __init__(self, path: Path | str, line: int | None, message: str):
        from pathlib import Path

        self.path, self.line, self.message = Path(path), line, message
        where = f"{path}:{line}" if line else f"{path}"
        super().__init__(f"{where}: {message}")


class ExportError(AnnotatorError):
    """The export cannot be done (output exists, bad option, nothing to export);
    nothing was written."""


# --- teams ---------------------------------------------------------------------------


class TeamError(StoreError):
    """A split, merge or review that cannot be done; nothing was written."""


# --- models --------------------------------------------------------------------------


class ModelNotFound(AnnotatorError):
    """The spaCy pipeline asked for is not installed or cannot be loaded (nothing is
    ever downloaded); the message is one line."""


class ModelError(AnnotatorError):
    """A trained model that cannot be found or read."""


class NothingToEvaluate(AnnotatorError, ValueError):
    """``evaluate --set`` chose no document (the message says which step gives some)."""


class TrainError(AnnotatorError):
    """Training cannot start (nothing to learn from, an unknown base pipeline)."""


# --- a cluster (suggest --cluster) ---------------------------------------------------


class ClusterError(AnnotatorError):
    """``suggest --cluster`` cannot start: Dask distributed is not installed, the
    scheduler cannot be reached or has no workers, or a worker cannot load the model
    (the message names the worker). Nothing was suggested."""


class ClusterLost(ClusterError):
    """The cluster went away in the middle of ``suggest --cluster``: what was written
    is kept, and the message counts the documents left (running the same command again
    continues with them)."""
