"""One component trained with spaCy's own training machinery.

The loop is spaCy's: :func:`spacy.training.loop.train_while_improving` (what ``spacy
train`` runs) over batches from :func:`~spacy.training.loop.create_train_batches`,
evaluated by :func:`~spacy.training.loop.create_evaluation_callback`, with the batcher
and optimizer built from a config section (:data:`TRAINING_CONFIG`, stored in the
model's ``meta.json``). What is ours: the data comes from memory rather than
``.spacy`` files, the best checkpoint is kept in memory (the component's bytes), and
the run stops at a deadline (``--max-minutes``) or when asked to.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.training import Example

#: The batcher and optimizer, as a spaCy config (``[training.batcher]`` and
#: ``[training.optimizer]`` of ``spacy train``), resolved by spaCy's registry.
TRAINING_CONFIG: dict[str, Any] = {
    "batcher": {
        "@batchers": "spacy.batch_by_words.v1", "discard_oversize": False, "tolerance": 0.2,
        "size": {"@schedules": "compounding.v1", "start": 100, "stop": 1000,
                 "compound": 1.001},
    },
    "optimizer": {
        "@optimizers": "Adam.v1", "beta1": 0.9, "beta2": 0.999, "L2_is_weight_decay": True,
        "L2": 0.01, "grad_clip": 1.0, "use_averages": True, "eps": 1e-8,
        "learn_rate": 0.001,
    },
}


class Stop(Exception):
    """Raised by a progress callback to end training now (the best model so far is
    kept)."""


@dataclass
class Step:
    """What one training step reports (see :class:`annotator.train.Progress`)."""

    step: int
    epoch: int
    loss: float
    score: float | None
    seconds: float


@dataclass
class Outcome:
    """How a run ended."""

    steps: int = 0
    epochs: int = 0
    best_score: float | None = None
    best_step: int | None = None
    stopped: str = "finished"  # finished (epochs or patience), max_steps, time, asked
    seconds: float = 0.0
    evaluations: list[tuple[int, float]] = field(default_factory=list)
    eval_seconds: float = 0.0  # the last evaluation's duration


def train_component(
    nlp: Language,
    name: str,
    train: list[Example],
    dev: list[Example],
    *,
    score_key: str,
    resume: bool,
    max_epochs: int,
    max_steps: int = 0,
    eval_every: int = 200,
    patience: int = 1600,
    dropout: float = 0.1,
    deadline: float | None = None,
    on_step: Callable[[Step], None] | None = None,
    config: dict[str, Any] | None = None,
    rehearse: bool = False,
    final_eval: float = 1.0,
) -> Outcome:
    """Train the component ``name`` of ``nlp`` (the others are left alone and not
    run). ``resume``: it has weights already (a base pipeline's NER), else it is
    initialised from ``train``. Stops after ``max_epochs`` (0: no limit), ``max_steps``
    (0: no limit), ``patience`` steps without a better held-out ``score_key``, at the
    ``deadline`` (a :func:`time.monotonic` time; an evaluation takes as long as the last
    one, so it stops that much before), or when ``on_step`` raises :class:`Stop`. The
    component ends with its best held-out weights (the last ones without ``dev``).
    ``config``: the batcher and optimizer (default :data:`TRAINING_CONFIG`).
    ``rehearse`` (with ``resume``): after each update, one update of the same texts
    towards what the component predicted before training (spaCy's ``nlp.rehearse``),
    so that what the training data does not show is not forgotten. ``final_eval``: how
    many times an evaluation the measuring after training takes (``dev`` is a sample of
    the held-out documents), kept free before the deadline."""
    from spacy.training.loop import (
        create_evaluation_callback,
        create_train_batches,
        train_while_improving,
    )
    from spacy.util import registry

    outcome = Outcome()
    started = time.monotonic()
    resolved = registry.resolve(config or TRAINING_CONFIG)
    batcher, optimizer = resolved["batcher"], resolved["optimizer"]
    component: Any = nlp.get_pipe(name)
    with nlp.select_pipes(enable=[name]):
        if resume:
            nlp.resume_training(sgd=optimizer)
        else:
            component.initialize(lambda: train, nlp=nlp)
        base_evaluate = create_evaluation_callback(nlp, lambda _nlp: dev, {score_key: 1.0})

        def evaluate() -> tuple[float, dict[str, Any]]:
            if not dev:
                return 0.0, {}
            t0 = time.monotonic()
            result: tuple[float, dict[str, Any]] = base_evaluate()
            outcome.eval_seconds = time.monotonic() - t0
            return result

        steps = train_while_improving(
            nlp, optimizer, create_train_batches(nlp, lambda _nlp: train, batcher, max_epochs),
            evaluate, dropout=dropout, eval_frequency=max(1, eval_every), accumulate_gradient=1,
            patience=patience if dev else 0, max_steps=max_steps, exclude=[],
            annotating_components=[], before_update=None)
        best: bytes | None = None
        last_loss = 0.0
        try:
            for batch, info, is_best in steps:
                if rehearse and resume:
                    nlp.rehearse(batch, sgd=optimizer)
                outcome.steps = info["step"] + 1
                outcome.epochs = info["epoch"]
                if info["losses"].get(name) is not None:
                    last_loss = float(info["losses"][name])
                if is_best is not None:
                    outcome.evaluations.append((info["step"], float(info["score"])))
                    if is_best:
                        with nlp.use_params(optimizer.averages):
                            best = component.to_bytes(exclude=["vocab"])
                        outcome.best_score = float(info["score"])
                        outcome.best_step = info["step"]
                if on_step is not None:
                    on_step(Step(info["step"] + 1, info["epoch"], last_loss,
                                 None if info["score"] is None else float(info["score"]),
                                 time.monotonic() - started))
                if max_steps and outcome.steps >= max_steps:
                    outcome.stopped = "max_steps"
                    break
                if deadline is not None and \
                        time.monotonic() + outcome.eval_seconds * 1.2 * final_eval \
                        >= deadline:
                    outcome.stopped = "time"
                    break
        except Stop:
            outcome.stopped = "asked"
        if best is None or not dev:
            # No held-out evaluation to choose by: the averaged last weights.
            with nlp.use_params(optimizer.averages):
                best = component.to_bytes(exclude=["vocab"])
        component.from_bytes(best, exclude=["vocab"])
    outcome.seconds = time.monotonic() - started
    return outcome
