"""A learned check-worthiness model: a spaCy text classifier over claim units.

The claim rules (:mod:`~annotator.suggest.claims`) find the units and the cues; the
classifier reads each unit's words and the cues that fired (:func:`~annotator.suggest.
claims.unit_features`) and gives the probability that it is a claim worth checking. It
is a ``textcat_multilabel`` component named ``checkworthy`` with one label, a bag of
words and word pairs (spaCy's ``TextCatBOW``): about 1 ms for the units of an article,
against some 50 ms to parse it. It is trained by :mod:`annotator.train` and stored in a
model folder as the spaCy pipeline ``checkworthy/``; the folder's ``meta.json`` holds
the decision threshold chosen on held-out documents (:mod:`annotator.trained`).

A small model trained on ClaimBuster's debate sentences ships in
``resources/models/checkworthy/`` and scores claims by default (:func:`shipped`).
spaCy is imported when a model is loaded, never by importing this module.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import trained
from ..paths import resource

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.vocab import Vocab

COMPONENT = "checkworthy"
LABEL = "CHECKWORTHY"
#: The folder of a model that holds the classifier pipeline.
FOLDER = "checkworthy"
#: Where the shipped model is, under ``resources/``.
SHIPPED = "models/checkworthy"
#: A unit with no feature at all still needs one token.
EMPTY = "[empty]"


class Checkworthiness:
    """A loaded classifier (see the module docstring). ``name`` goes into the ``model``
    of the claims it scores; ``threshold`` is the probability from which a unit is
    suggested."""

    def __init__(self, nlp: Language, threshold: float, name: str,
                 path: Path | None = None, meta: dict[str, Any] | None = None):
        self.nlp = nlp
        self.component: Any = nlp.get_pipe(COMPONENT)
        self.threshold = threshold
        self.name = name
        self.path = path
        self.meta = meta or {}

    @classmethod
    def load(cls, model_dir: Path) -> Checkworthiness:
        """The classifier of an Annotator model folder (one with ``checkworthy/``)."""
        from .loading import load

        model_dir = Path(model_dir)
        meta = trained.read_meta(model_dir)
        claim = meta.get("claim") or {}
        nlp = load(str(model_dir / FOLDER))  # checked first, as data only
        return cls(nlp, float(claim.get("threshold", 0.5)), trained.model_id(meta, model_dir),
                   model_dir, meta)

    def score(self, units: Sequence[Sequence[str]], vocab: Vocab | None = None
              ) -> list[float]:
        """The probability of each unit (its features), in order. ``vocab``: make the
        units' ``Doc`` objects in this vocabulary (the parsing pipeline's, which holds
        the words already) rather than the classifier's own."""
        from spacy.tokens import Doc

        if not units:
            return []
        vocab = vocab or self.nlp.vocab
        docs = [Doc(vocab, words=list(u) or [EMPTY]) for u in units]
        scores = self.component.predict(docs)
        return [float(x) for x in scores[:, 0]]


def has_classifier(model_dir: Path) -> bool:
    """Whether the model folder holds a check-worthiness classifier."""
    return (Path(model_dir) / FOLDER / "config.cfg").is_file()


def shipped_path() -> Path | None:
    """The shipped model's folder, if the package has one."""
    node = resource(SHIPPED)
    try:
        path = Path(str(node))
    except TypeError:  # pragma: no cover - a resource that is no folder on disk
        return None
    return path if has_classifier(path) else None


@functools.lru_cache(maxsize=1)
def shipped() -> Checkworthiness | None:
    """The shipped model, loaded once per process (``None`` if the package has none)."""
    path = shipped_path()
    return Checkworthiness.load(path) if path is not None else None
