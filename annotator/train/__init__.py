"""Training from the project's done documents, and the model in the loop.

- :func:`train` (:mod:`.run`): entities (the NER of a base pipeline, fine-tuned) and
  claim check-worthiness (a text classifier over the claim rules' units and cues), with
  spaCy's own training machinery (:mod:`.engine`), written beside the project
  (:mod:`annotator.trained` lists and resolves the models).
- :mod:`.loop`: what the window needs around it: refresh the pending suggestions of
  documents not done from a new model, order documents by uncertainty, tell when a
  retraining is due.

Importing this package does not import spaCy.
"""

from __future__ import annotations

from .engine import Stop
from .run import Progress, TrainError, TrainOptions, TrainResult, default_name, train

__all__ = ["Progress", "Stop", "TrainError", "TrainOptions", "TrainResult", "default_name",
           "train"]
