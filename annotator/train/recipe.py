"""How the entity layer is trained: the batcher, optimizer, dropout, evaluation and
starting point of ``annotator train --layer entity`` (issue 27).

:data:`DEFAULT` is what the command uses; the other fields' values are the variants
``bench/learning.py --conll`` measured against it on CoNLL-2003 (docs/learning.md,
"CoNLL-2003"). The API takes another recipe through
:attr:`annotator.train.TrainOptions.entity_recipe`; the command line does not.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

#: The training words from which a project with labels of its own gets a new NER
#: (:meth:`EntityRecipe.use_fresh`).
FRESH_MIN_WORDS = 100_000


@dataclass(frozen=True)
class EntityRecipe:
    """The settings of one way to train the NER."""

    learn_rate: float = 0.001
    #: Batches by words: from ``batch_start`` words (fewer for a small project: see
    #: :meth:`batch_words`), growing by ``compound`` a step up to ``batch_stop`` (spaCy's
    #: ``compounding.v1`` in ``batch_by_words.v1``). A batch of about 1,000 words trains
    #: twice as many words a CPU second as one of 100 (one CoNLL document).
    batch_start: int = 1000
    batch_stop: int = 2000
    compound: float = 1.001
    dropout: float = 0.1
    #: Steps between held-out evaluations (0: by the data's size, see :meth:`every`).
    eval_every: int = 0
    #: Evaluations without a better held-out score before training stops.
    patience_evals: int = 10
    #: Held-out words the evaluations during training read (0: all the held-out
    #: documents); a seeded sample of whole documents, so that evaluating a large
    #: held-out set does not eat the time budget. The final scores read them all.
    eval_words: int = 8000
    #: A new NER (only the labels the done documents use) on a copy of the base
    #: pipeline's tok2vec, rather than the base NER fine-tuned. ``None``: when
    #: :meth:`use_fresh` says so (a large project with labels the base NER lacks).
    fresh: bool | None = None
    #: Keep the base NER's other labels alive: after each update, one rehearsal update
    #: towards the base model's own predictions on the same texts (spaCy's
    #: ``nlp.rehearse``). Only with a fine-tuned (not fresh) NER.
    rehearse: bool = False
    #: Tokenise with the project's tokenizer (:func:`annotator.tokens.fix_tokenizer`), as
    #: suggestions are made; False: the base pipeline's own tokenizer.
    project_tokenizer: bool = True

    def batch_words(self, words: int) -> int:
        """The first batch's size for ``words`` training words: ``batch_start``, but no
        more than a hundredth of the words (at least 100), so that a small project still
        gets about a hundred updates an epoch."""
        return max(min(100, self.batch_start), min(self.batch_start, words // 100))

    def training_config(self, words: int = 0) -> dict[str, Any]:
        """The ``[training.batcher]`` and ``[training.optimizer]`` sections for ``words``
        training words (0: as the recipe says)."""
        from .engine import TRAINING_CONFIG

        start = self.batch_words(words) if words else self.batch_start
        config: dict[str, Any] = {
            "batcher": {**TRAINING_CONFIG["batcher"],
                        "size": {"@schedules": "compounding.v1", "start": start,
                                 "stop": max(start, self.batch_stop),
                                 "compound": self.compound}},
            "optimizer": {**TRAINING_CONFIG["optimizer"], "learn_rate": self.learn_rate},
        }
        return config

    def every(self, words: int) -> int:
        """Steps between evaluations for ``words`` training words."""
        if self.eval_every:
            return self.eval_every
        return max(10, min(200, self.steps_per_epoch(words) // 2))

    def steps_per_epoch(self, words: int) -> int:
        """About how many updates one pass over ``words`` training words takes."""
        return max(1, words // max(600, self.batch_words(words)))

    def use_fresh(self, words: int, labels: list[str], base_labels: list[str]) -> bool:
        """Whether to train a new NER: as :attr:`fresh` says, or, when it is ``None``,
        for at least :data:`FRESH_MIN_WORDS` training words with a label the base NER
        lacks (CoNLL-2003: +1.0 F1 point over fine-tuning at the same time; a small
        project is better served by what the base NER knows)."""
        if self.fresh is not None:
            return self.fresh
        return words >= FRESH_MIN_WORDS and bool(set(labels) - set(base_labels))

    def with_(self, **changes: Any) -> EntityRecipe:
        """A copy with ``changes``."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


#: What ``annotator train --layer entity`` uses.
DEFAULT = EntityRecipe()
#: What it used before issue 27: spaCy's default batches (100 words, growing to 1,000
#: at 1.001 a step, which a 10-minute run never reaches), every held-out document read
#: at each evaluation, five evaluations of patience.
BEFORE = EntityRecipe(batch_start=100, batch_stop=1000, eval_words=0, patience_evals=5,
                      fresh=False)
