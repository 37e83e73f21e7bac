"""Plain data classes shared by every layer: documents, spans, claim attributes, labels."""

from __future__ import annotations

# The vocabularies as Literal types for the type checker; at run time they are made from
# the tuples below on first use (module __getattr__): importing typing was 16 M
# instructions of a quick command's start-up (issue 28 §3). tests/test_model.py checks
# that each tuple is its type's arguments.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from dataclasses import dataclass, field
    from pathlib import Path
    from typing import Any, Literal, TypeVar

    Layer = Literal["entity", "claim"]
    #: The layers of the label scheme: the span layers and ``doc`` (document labels,
    #: issue 25).
    LabelLayer = Literal["entity", "claim", "doc"]
    Origin = Literal["model", "human"]
    Decision = Literal["pending", "accepted", "rejected"]
    Status = Literal["new", "in_progress", "done", "skipped", "flagged"]
    ClaimType = Literal["statistic", "quote", "reported", "event", "prediction", "causal",
                        "other"]
    Checkworthy = Literal["yes", "no", "unsure"]
    _T = TypeVar("_T", bound=str)

else:  # the same classes, their methods written out once (annotator/records.py)
    from .records import dataclass, field

LAYERS: tuple[Layer, ...] = ("entity", "claim")
LABEL_LAYERS: tuple[LabelLayer, ...] = ("entity", "claim", "doc")
ORIGINS: tuple[Origin, ...] = ("model", "human")
DECISIONS: tuple[Decision, ...] = ("pending", "accepted", "rejected")
STATUSES: tuple[Status, ...] = ("new", "in_progress", "done", "skipped", "flagged")
CLAIM_TYPES: tuple[ClaimType, ...] = ("statistic", "quote", "reported", "event",
                                      "prediction", "causal", "other")
CHECKWORTHY: tuple[Checkworthy, ...] = ("yes", "no", "unsure")

#: Literal type -> the tuple of its values
_VOCABULARIES = {"Layer": "LAYERS", "LabelLayer": "LABEL_LAYERS", "Origin": "ORIGINS",
                 "Decision": "DECISIONS", "Status": "STATUSES", "ClaimType": "CLAIM_TYPES",
                 "Checkworthy": "CHECKWORTHY"}

if not TYPE_CHECKING:
    def __getattr__(name: str) -> object:
        """The Literal types (``Status``...), made on first use."""
        if name in _VOCABULARIES:
            from typing import Literal

            alias = Literal[globals()[_VOCABULARIES[name]]]
            globals()[name] = alias
            return alias
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
CLAIM_ATTRIBUTES = (
    "claim_type", "claimant_span_id", "claimant_text", "via", "checkworthy", "hedged",
)

def _one_of(value: object, allowed: tuple[_T, ...], what: str) -> _T:
    for member in allowed:
        if value == member:
            return member
    raise ValueError(f"unknown {what} {value!r} (one of: {', '.join(allowed)})")


# Narrowing at the boundaries: a str from outside (a CLI option, a database row, a
# file) becomes one of the vocabularies here, once, or is refused with ValueError.
def as_layer(value: object) -> Layer:
    """``value`` as a :data:`Layer` (ValueError if it is none)."""
    return _one_of(value, LAYERS, "layer")


def as_label_layer(value: object) -> LabelLayer:
    """``value`` as a :data:`LabelLayer` (ValueError if it is none)."""
    return _one_of(value, LABEL_LAYERS, "layer")


def as_origin(value: object) -> Origin:
    """``value`` as an :data:`Origin` (ValueError if it is none)."""
    return _one_of(value, ORIGINS, "origin")


def as_decision(value: object) -> Decision:
    """``value`` as a :data:`Decision` (ValueError if it is none)."""
    return _one_of(value, DECISIONS, "decision")


def as_status(value: object) -> Status:
    """``value`` as a document :data:`Status` (ValueError if it is none)."""
    return _one_of(value, STATUSES, "status")


def as_claim_type(value: object) -> ClaimType:
    """``value`` as a :data:`ClaimType` (ValueError if it is none)."""
    return _one_of(value, CLAIM_TYPES, "claim type")


def as_checkworthy(value: object) -> Checkworthy:
    """``value`` as a :data:`Checkworthy` answer (ValueError if it is none)."""
    return _one_of(value, CHECKWORTHY, "check-worthy answer")


LABEL_MAX_LENGTH = 64


def check_label_name(name: object) -> str | None:
    """Why ``name`` cannot be a label name, or ``None`` if it can.

    The one rule for labels everywhere (import, ``labels add``/``rename``, the window):
    a non-empty string of at most :data:`LABEL_MAX_LENGTH` characters, printable, with
    no whitespace, no control or format characters (tabs, newlines, NUL, bidi
    controls, zero-width spaces) and no surrogates. Such a name is one token in every
    export (CoNLL's ``token TAG`` lines, Label Studio's XML, spaCy's labels)."""
    if not isinstance(name, str):
        return f"a label must be a string, not {type(name).__name__}"
    if not name:
        return "a label cannot be empty"
    if len(name) > LABEL_MAX_LENGTH:
        return f"a label has at most {LABEL_MAX_LENGTH} characters ({len(name)} given)"
    # isprintable() is False for control, format (bidi, zero-width), surrogate and
    # separator characters, except the ASCII space, which isspace() catches.
    bad = next((ch for ch in name if not ch.isprintable() or ch.isspace()), None)
    if bad is None:
        return None
    return (f"a label cannot contain whitespace or control characters "
            f"({ascii(bad)} at {name.index(bad)})")


@dataclass
class Document:
    """An imported article. ``text`` never changes after import."""

    id: int
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""
    status: Status = "new"
    note: str | None = None
    title: str = ""
    created_at: str | None = None
    updated_at: str | None = None


@dataclass
class Claim:
    """Attributes of a claim span. ``claimant_span_id`` links to an entity span of the
    same document; otherwise ``claimant_text`` holds free text such as "author"."""

    claim_type: ClaimType | None = None
    claimant_span_id: int | None = None
    claimant_text: str | None = None
    via: str | None = None
    checkworthy: Checkworthy | None = None
    hedged: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in CLAIM_ATTRIBUTES}


@dataclass
class Span:
    """A labelled character range ``text[start:end]`` (Python code points, end exclusive)."""

    doc_id: int
    layer: Layer
    start: int
    end: int
    label: str
    origin: Origin = "model"
    decision: Decision = "pending"
    score: float | None = None
    model: str | None = None
    annotator: str | None = None
    cues: list[str] = field(default_factory=list)
    claim: Claim | None = None
    id: int | None = None
    created_at: str | None = None
    updated_at: str | None = None
    #: The annotation set the span belongs to: ``""`` for the project's own (a single
    #: person's work; the gold set of a team project), else an annotator's name.
    annotation_set: str = ""

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


def store_order(span: Span) -> tuple[int, int, int]:
    """The order spans are read in (:meth:`annotator.store.Store.spans`): by start,
    the longest first, then by id."""
    return span.start, -span.end, span.id or 0


#: How the project's own annotation set (``""``) is named on the command line and in
#: exports: in a team project it holds the reviewed labels.
GOLD = "gold"
#: ``annotator export --set auto``: gold where reviewed, else the one annotator's set.
AUTO = "auto"


#: Path separators: no plain name holds one.
_SEPARATORS = set("/\\")
#: What Windows refuses in a file name, and its device names: no set name (it becomes
#: ``NAME.db`` on someone else's machine too) holds or is one.
_NOT_IN_FILE_NAMES = set(':*?"<>|')
_WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                    *(f"lpt{i}" for i in range(1, 10))}


def check_plain_name(name: object) -> str | None:
    """Why ``name`` cannot be a plain name (``None`` if it can): the one rule for the
    names that may reach a path (annotator names: ``--annotator``, the window's name,
    and, with :func:`check_set_name`, split's ``NAME.db`` and merge's set names). A
    non-empty string with no path separator, no ``..``, no leading dot and no control or
    format characters (set names are also short: the label rule)."""
    if not isinstance(name, str):
        return f"a name must be a string, not {type(name).__name__}"
    if not name.strip():
        return "a name cannot be empty"
    if name.startswith("."):
        return "a name cannot start with a dot"
    if ".." in name:
        return "a name cannot contain '..'"
    bad = next((ch for ch in name if ch in _SEPARATORS
                or (not ch.isprintable() and ch != " ")), None)
    if bad is not None:
        return (f"a name cannot contain path separators or control characters "
                f"({ascii(bad)} at {name.index(bad)})")
    return None


def _check_file_name(name: str) -> str | None:
    bad = next((ch for ch in name if ch in _NOT_IN_FILE_NAMES), None)
    if bad is not None:
        return f"a name cannot contain any of :*?\"<>| ({bad!r} at {name.index(bad)})"
    if name.split(".")[0].strip().lower() in _WINDOWS_DEVICES:
        return f"{name!r} is a device name on Windows"
    return None


def check_set_name(name: object) -> str | None:
    """Why ``name`` cannot name an annotator's annotation set (``None`` if it can): a
    label-like name (printable, no spaces) that is a plain name (:func:`check_plain_name`)
    and a file name on any system (it becomes ``NAME.db`` in ``split``: none of
    ``:*?"<>|``, not ``con`` or ``nul``), other than ``gold`` and ``auto``."""
    reason = check_label_name(name)
    if reason:
        return reason.replace("a label", "an annotation set name")
    reason = check_plain_name(name) or _check_file_name(str(name))
    if reason:
        return reason.replace("a name", "an annotation set name")
    if isinstance(name, str) and name.lower() in (GOLD, AUTO):
        return f"{name!r} is reserved (the reviewed set, and export's default)"
    return None


@dataclass(frozen=True)
class Label:
    """A label of the scheme. ``category`` is non-empty exactly for document labels
    (``layer == "doc"``): the :class:`LabelCategory` the label is a choice of."""

    name: str
    layer: LabelLayer
    color: str
    key: str = ""
    description: str = ""
    category: str = ""


@dataclass(frozen=True)
class LabelCategory:
    """A group of document labels ("topic", "stance"): ``exclusive`` takes one choice
    (stance), otherwise several (topics); ``required``: a document is not done without
    one of its labels (the window asks once)."""

    name: str
    exclusive: bool
    required: bool = False
    description: str = ""


@dataclass
class DocLabel:
    """A decision on one document label of one document in one annotation set: a
    suggestion (``origin`` model, pending, with its score) or a person's choice."""

    id: int | None
    doc_id: int
    category: str
    label: str
    origin: Origin
    decision: Decision
    score: float | None = None
    model: str | None = None
    annotator: str | None = None
    annotation_set: str = ""
    created_at: str | None = None
    updated_at: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The row as the event log writes it (``before``/``after``), without times."""
        return {"id": self.id, "doc_id": self.doc_id, "annotation_set": self.annotation_set,
                "category": self.category, "label": self.label, "origin": self.origin,
                "decision": self.decision, "score": self.score, "model": self.model,
                "annotator": self.annotator}


@dataclass
class LabelScheme:
    """The labels a project uses, with their colour and shortcut key, and the
    categories of its document labels."""

    labels: list[Label]
    categories: list[LabelCategory] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path | None = None) -> LabelScheme:
        """A scheme from a TOML file (default: the shipped ``labels.toml``): ``[[label]]``
        tables and ``[[category]]`` tables for the document labels' categories."""
        import tomllib

        if path is None:
            from .paths import resource

            data = tomllib.loads(resource("labels.toml").read_text(encoding="utf-8"))
        else:
            with open(path, encoding="utf-8") as fh:
                data = tomllib.loads(fh.read())
        labels = [
            Label(
                name=item["name"],
                layer=item.get("layer", "entity"),
                color=item["color"],
                key=item.get("key", ""),
                description=item.get("description", ""),
                category=item.get("category", ""),
            )
            for item in data["label"]
        ]
        categories = [
            LabelCategory(name=item["name"], exclusive=bool(item.get("exclusive", False)),
                          required=bool(item.get("required", False)),
                          description=item.get("description", ""))
            for item in data.get("category", [])
        ]
        return cls(labels, categories)

    def get(self, name: str) -> Label | None:
        return next((label for label in self.labels if label.name == name), None)

    def for_layer(self, layer: str) -> list[Label]:
        return [label for label in self.labels if label.layer == layer]

    def span_labels(self) -> list[Label]:
        """The labels of spans (entity and claim), in order: what relabels a span."""
        return [label for label in self.labels if label.layer != "doc"]

    def by_key(self, key: str) -> Label | None:
        """The span label with that key (document labels' keys follow a prefix)."""
        return next((label for label in self.labels
                     if label.key and label.key == key and label.layer != "doc"), None)

    def category(self, name: str) -> LabelCategory | None:
        return next((c for c in self.categories if c.name == name), None)

    def doc_labels(self, category: str | None = None) -> list[Label]:
        """The document labels (of one category), in order."""
        return [label for label in self.labels if label.layer == "doc"
                and (category is None or label.category == category)]
