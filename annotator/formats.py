"""The names an export is chosen by (format, layer, alignment): the choices of the
``export`` command and the window's Export dialog, importable without the exporters
(``annotator --help`` lists ``export`` without importing them)."""

from __future__ import annotations

from .model import LAYERS

FORMATS = ("jsonl", "spacy", "doccano", "labelstudio", "conll")
LAYER_CHOICES = (*LAYERS, "all")
ALIGN_CHOICES = ("strict", "expand", "contract")
