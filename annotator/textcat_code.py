"""spaCy's exclusive text classifier for one category of document labels among several:
the pipeline factory ``annotator_category_textcat``.

spaCy's ``textcat`` refuses a document whose ``doc.cats`` holds more than one positive
label, over *all* of ``doc.cats`` (``TextCategorizer._validate_categories``), so an
exclusive category ("stance") cannot be trained beside another category ("topic") in
one pipeline: the document's topic counts as a second positive. This component is
spaCy's ``textcat`` (same model, scorer and threshold) that checks only its own labels,
and learns nothing from a document without one (a document labelled with a topic and no
stance yet).
The spaCy export writes this file's text into the code file it passes to ``spacy train
--code`` (:mod:`annotator.export.spacy_docbin`), so, like the tokenizer, it imports only
spaCy and the standard library.
"""

FACTORY = "annotator_category_textcat"


def register():  # type: ignore[no-untyped-def]
    """Register :data:`FACTORY` with spaCy (once)."""
    from spacy.language import Language
    from spacy.pipeline.textcat import DEFAULT_SINGLE_TEXTCAT_MODEL, TextCategorizer

    if Language.has_factory(FACTORY):
        return

    class CategoryTextCategorizer(TextCategorizer):
        """``textcat``, exclusive among its own labels only; a document without any of
        them is no example for it (its labels are left out of ``doc.cats``: missing,
        not "none of these", which a softmax cannot learn)."""

        @property
        def support_missing_values(self):  # type: ignore[no-untyped-def]
            return True

        def _validate_categories(self, examples):  # type: ignore[no-untyped-def]
            own = set(self.labels)
            for eg in examples:
                values = [v for k, v in eg.reference.cats.items() if k in own]
                if values.count(1.0) > 1:
                    raise ValueError(f"{self.name}: more than one label of an exclusive "
                                     f"category in {eg.reference.cats}")
                if any(v not in (0.0, 1.0) for v in values):
                    raise ValueError(f"{self.name}: cats must be 0 or 1: {eg.reference.cats}")

    def make(nlp, name, model, threshold, scorer):  # type: ignore[no-untyped-def]
        return CategoryTextCategorizer(nlp.vocab, model, name, threshold=threshold,
                                       scorer=scorer)

    Language.factory(
        FACTORY, assigns=["doc.cats"],
        default_config={"threshold": 0.0, "model": DEFAULT_SINGLE_TEXTCAT_MODEL,
                        "scorer": {"@scorers": "spacy.textcat_scorer.v2"}},
        default_score_weights={"cats_score": 1.0, "cats_macro_f": None},
    )(make)


def source() -> str:
    """This file's text, registering the factory when imported (what the export appends
    to the code file of ``spacy train --code``)."""
    from pathlib import Path

    text = Path(__file__).read_text(encoding="utf-8")
    return text + "\n\nregister()  # written by the export: `spacy train --code` imports this\n"
