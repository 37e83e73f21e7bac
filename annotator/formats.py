"""The names an export is chosen by (format, layer, alignment): the choices of the
``export`` command and the window's Export dialog, importable without the exporters
(``annotator --help`` lists ``export`` without importing them)."""

from __future__ import annotations

from .model import LAYERS

FORMATS = ("jsonl", "spacy", "doccano", "labelstudio", "conll", "csv")
#: ``doc``: the document labels alone; ``all``: spans of both layers and document labels.
LAYER_CHOICES = (*LAYERS, "doc", "all")
ALIGN_CHOICES = ("strict", "expand", "contract")
