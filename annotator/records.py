"""``dataclass`` and ``field`` for :mod:`annotator.model`, without making the classes'
methods at every start.

``@dataclasses.dataclass`` writes each class's ``__init__``, ``__repr__`` and ``__eq__``
as source text and compiles it, at every start of every process, and importing
``dataclasses`` imports ``inspect`` (with ``ast``, ``dis``, ``tokenize``): together 70 M
instructions of a quick command's start-up, more than its own work (issue 28 §3). The
methods of the model's classes are instead written out once by ``python -m
tools.gen_records`` into :mod:`annotator.records_methods` (compiled into its ``.pyc``
like any module), from what ``dataclasses`` makes of the same classes; this decorator
puts them on the class. What ``dataclasses`` itself reads (``__dataclass_fields__``,
``__dataclass_params__``, for ``fields``, ``replace``, ``asdict``, ``is_dataclass``) is
made by ``dataclasses`` on first use. ``tests/test_records.py`` checks that each class
behaves as its ``dataclasses`` twin does and that the written methods are current.

The type checker sees ``dataclasses.dataclass`` itself (``annotator/model.py``).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class FieldSpec:
    """What ``field(...)`` was given in a class body (for its ``dataclasses`` twin)."""

    __slots__ = ("kwargs",)

    def __init__(self, kwargs: dict[str, Any]) -> None:
        self.kwargs = kwargs


def field(**kwargs: Any) -> Any:
    """``dataclasses.field`` in a class body decorated by :func:`dataclass`."""
    return FieldSpec(kwargs)


class _Lazy:
    """``__dataclass_fields__`` or ``__dataclass_params__`` (``name``) of one class, made
    by ``dataclasses`` on first use, then stored on the class in place of both."""

    def __init__(self, name: str, cls: type, frozen: bool,
                 specs: dict[str, FieldSpec]) -> None:
        self.name, self.cls, self.frozen, self.specs = name, cls, frozen, specs

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        twin = dataclass_twin(self.cls, self.frozen, self.specs)
        for name in ("__dataclass_fields__", "__dataclass_params__"):
            setattr(self.cls, name, twin.__dict__[name])
        return self.cls.__dict__[self.name]


#: the classes made by :func:`dataclass`, in order: ``module.name`` -> (class, frozen,
#: field specs)
RECORDS: dict[str, tuple[type, bool, dict[str, FieldSpec]]] = {}


def dataclass_twin(cls: type, frozen: bool, specs: dict[str, FieldSpec]) -> type:
    """The class ``@dataclasses.dataclass`` makes of ``cls``'s fields (annotations,
    defaults, ``field(...)``), with the same name and module: what ``cls`` must behave
    as, and where its ``dataclasses`` attributes come from."""
    import dataclasses

    namespace: dict[str, Any] = {"__annotations__": dict(cls.__annotations__),
                                 "__module__": cls.__module__,
                                 "__qualname__": cls.__qualname__, "__doc__": cls.__doc__}
    for name in cls.__annotations__:
        if name in specs:
            namespace[name] = dataclasses.field(**specs[name].kwargs)
        elif name in cls.__dict__:
            namespace[name] = cls.__dict__[name]
    return dataclasses.dataclass(frozen=frozen)(type(cls.__name__, (), namespace))


def dataclass(cls: type | None = None, /, *, frozen: bool = False) -> Any:
    """``@dataclass`` / ``@dataclass(frozen=True)`` for the classes of
    :mod:`annotator.model`: their written-out methods (:mod:`annotator.records_methods`),
    the ``dataclasses`` attributes made on first use."""

    def wrap(cls: type) -> type:
        specs = {name: value for name, value in list(cls.__dict__.items())
                 if isinstance(value, FieldSpec)}
        for name in specs:
            delattr(cls, name)  # as dataclasses does for a default_factory
        key = f"{cls.__module__}.{cls.__qualname__}"
        RECORDS[key] = (cls, frozen, specs)
        try:
            from .records_methods import METHODS

            methods = METHODS[key]
        except (ImportError, KeyError):  # not written yet: as dataclasses makes them
            twin = dataclass_twin(cls, frozen, specs)
            methods = {name: twin.__dict__[name] for name in _MADE if name in twin.__dict__}
        for name, method in methods.items():
            if name not in cls.__dict__:
                if callable(method):
                    method.__qualname__ = f"{cls.__qualname__}.{name}"
                    method.__module__ = cls.__module__
                setattr(cls, name, method)
        for name in ("__dataclass_fields__", "__dataclass_params__"):
            setattr(cls, name, _Lazy(name, cls, frozen, specs))
        return cls

    return wrap if cls is None else wrap(cls)


#: what dataclasses adds to a class (of the options used here)
_MADE = ("__init__", "__repr__", "__eq__", "__hash__", "__match_args__", "__setattr__",
         "__delattr__")
