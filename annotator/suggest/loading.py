"""Loading a spaCy pipeline that someone hands us: a package name, a pipeline folder, or
a ``spacy train`` output folder (``model-best`` inside it, else ``model-last``).

A folder is data, never code: spaCy builds the pipeline from its ``config.cfg`` with the
factories and registered functions that are installed here, and reads the weights. So
before spaCy sees a folder, its config is read (as text, nothing run) and every factory
and registered function it names must be installed; one that is not is refused by its
name, in one line. A folder that is not a pipeline (a ``meta.json`` of something else,
spaCy's E054), or whose weights are cut short ("Unpack failed"), is refused in one line
too. Nothing is written into the folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ModelNotFound as ModelNotFound

if TYPE_CHECKING:
    from spacy.language import Language

#: The folders ``spacy train --output`` writes, in the order we take them.
TRAIN_OUTPUTS = ("model-best", "model-last")
CONFIG = "config.cfg"


def pipeline_path(name: str) -> tuple[str, str | None]:
    """What to load for ``name``, and a note when it is not ``name`` itself: a ``spacy
    train`` output folder gives its ``model-best`` (else its ``model-last``, said in
    the note). Other names are returned as they are."""
    path = Path(name).expanduser()
    if not path.is_dir() or (path / CONFIG).is_file():
        return name, None
    for k, sub in enumerate(TRAIN_OUTPUTS):
        if (path / sub / CONFIG).is_file():
            note = None if k == 0 else (f"{path} has no {TRAIN_OUTPUTS[0]}/: using {sub}/ "
                                        "(the weights of the last training step)")
            return str(path / sub), note
    return name, None


def load(name: str, config: dict[str, Any] | None = None) -> Language:
    """``spacy.load(name)`` (with ``config`` overrides) for a package name or a
    pipeline folder (see :func:`pipeline_path`), checked first as the module docstring
    says. Raises :class:`ModelNotFound` with one line."""
    import spacy

    from ..tokens import register_tokenizer

    register_tokenizer()  # a pipeline `spacy train` made from our spaCy export names it
    name, _ = pipeline_path(name)
    path = Path(name).expanduser()
    is_path = path.exists() or "/" in name or "\\" in name
    if is_path:
        check_folder(path)
    try:
        return spacy.load(path if is_path else name, config=config or {})
    except OSError as exc:
        if is_path and path.is_dir():
            raise ModelNotFound(f"{path}: not a loadable spaCy pipeline "
                                f"({_first_line(exc)})") from exc
        raise
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        # spaCy's E054 (a meta.json that is not a pipeline's), msgpack's "Unpack
        # failed" (weights cut short), a config that does not build
        where = str(path) if is_path else repr(name)
        raise ModelNotFound(f"{where}: not a loadable spaCy pipeline "
                            f"({_first_line(exc)})") from exc


def check_folder(path: Path) -> None:
    """Refuse (:class:`ModelNotFound`) a pipeline folder that spaCy cannot build from
    what is installed: no ``config.cfg``, an unreadable one, or one that names a
    factory or a registered function that is not installed. Reads only."""
    from thinc.api import Config

    config_file = path / CONFIG
    if not path.is_dir():
        raise ModelNotFound(f"{path}: no such pipeline folder")
    if not config_file.is_file():
        raise ModelNotFound(f"{path}: not a spaCy pipeline (no {CONFIG}"
                            + (f"; {', '.join(TRAIN_OUTPUTS)} are not there either)"
                               if not any((path / s).is_dir() for s in TRAIN_OUTPUTS)
                               else ")"))
    try:
        config = Config().from_str(config_file.read_text(encoding="utf-8"),
                                   interpolate=False)
    except Exception as exc:  # thinc raises its own parse errors, ValueError, ...
        raise ModelNotFound(f"{config_file}: not a readable spaCy config "
                            f"({_first_line(exc)})") from exc
    missing = sorted(set(_missing(config)))
    if missing:
        raise ModelNotFound(
            f"{path}: the pipeline needs code that is not installed here: "
            f"{', '.join(missing)} (a pipeline folder is loaded as data only; install the "
            "package that provides it)")


def _missing(config: dict[str, Any]) -> Iterator[str]:
    """The factories and registered functions ``config`` names that are not installed,
    as ``factory 'NAME'`` or ``REGISTRY 'NAME'``."""
    import spacy  # noqa: F401  (registers spaCy's own functions)
    from spacy.util import get_lang_class, registry

    from ..tokens import register_tokenizer

    register_tokenizer()  # annotator.Tokenizer.v1: what a pipeline trained on our export names

    lang = str((config.get("nlp") or {}).get("lang") or "")
    try:
        lang_class: Any = get_lang_class(lang)
    except Exception:
        yield f"language {lang!r}"
        return
    _register_installed(lang_class)
    for component in (config.get("components") or {}).values():
        if isinstance(component, dict) and "factory" in component:
            factory = str(component["factory"])
            if not lang_class.has_factory(factory):
                yield f"factory {factory!r}"
    yield from _missing_functions(config, registry)


def _register_installed(lang_class: Any) -> None:
    """Register the factories that are installed (spaCy's own and those of installed
    packages' entry points), as building a ``Language`` does, without building one."""
    try:
        from spacy.pipeline.factories import register_factories
        from spacy.util import registry

        register_factories()
        registry._entry_point_factories.get_all()
    except (ImportError, AttributeError):  # another spaCy version: let it register
        lang_class()


def _missing_functions(node: Any, registry: Any) -> Iterator[str]:
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if isinstance(key, str) and key.startswith("@"):
            kind = key[1:]
            try:
                known = registry.has(kind, str(value))
            except Exception:  # no such registry
                known = False
            if not known:
                yield f"{kind} {str(value)!r}"
        else:
            yield from _missing_functions(value, registry)


def sentences(nlp: Language) -> str | None:
    """Where ``nlp``'s sentences come from, when not from its parser (the claim rules
    need sentences): its senter or sentencizer, or else a sentencizer, added here
    (first, so every later pipe sees it). ``None``: the parser."""
    if "parser" in nlp.pipe_names:
        return None
    for pipe in ("senter", "sentencizer"):
        if pipe in nlp.pipe_names:
            return f"claims: sentences from the pipeline's {pipe} (it has no parser)"
    nlp.add_pipe("sentencizer", first=True)
    return ("claims: sentences from a sentencizer, added (the pipeline has no parser or "
            "senter)")


def scheme_notes(nlp: Language, label_for: dict[str, str],
                 model_labels: list[str] | None = None) -> list[str]:
    """What the project's scheme (``label_for``: see
    :func:`~annotator.suggest.runner.project_labels`) will make of the pipeline's entity
    labels (its NER's, or ``model_labels``, from a model folder's ``meta.json``), said
    before anything is stored: no NER at all, every label outside the scheme, or the
    labels that will be left out."""
    if model_labels is None:
        if "ner" not in nlp.pipe_names:
            return ["entities: the pipeline has no NER (no \"ner\" pipe): no entity "
                    "suggestions; claims only"]
        model_labels = list(getattr(nlp.get_pipe("ner"), "labels", ()))
    outside = sorted(x for x in model_labels if x not in label_for)
    if not outside:
        return []
    how = "add them to the scheme or map them (`annotator labels add`, `annotator labels map`)"
    if len(outside) == len(model_labels):
        return [f"entities: none of the pipeline's {len(outside)} label(s) is in the "
                f"project's scheme or mapped ({', '.join(outside)}): no entity suggestions; "
                + how]
    return [f"entities: {len(outside)} of the pipeline's {len(model_labels)} label(s) are "
            f"not in the project's scheme nor mapped and will not be stored "
            f"({', '.join(outside)}); " + how]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
