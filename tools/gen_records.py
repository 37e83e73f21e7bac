"""Write ``annotator/records_methods.py``: the methods ``dataclasses`` makes for the
classes of :mod:`annotator.model` and ``annotator.session.Change`` (``__init__``,
``__repr__``, ``__eq__``, ``__hash__``, ``__match_args__``, and for frozen ones
``__setattr__`` and ``__delattr__``), as source, the same as Python 3.11's
``dataclasses`` writes them (see :mod:`annotator.records`).

``python -m tools.gen_records`` writes it; ``--check`` says whether it is current.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "annotator" / "records_methods.py"

HEADER = '''"""The methods of the classes of annotator.model, as ``dataclasses`` makes them: written
by ``python -m tools.gen_records`` (do not edit; tests/test_records.py checks it is
current). See annotator/records.py."""

# ruff: noqa
# mypy: ignore-errors
import _thread
import functools


class _HasDefaultFactory:
    def __repr__(self):
        return "<factory>"


_HAS_DEFAULT_FACTORY = _HasDefaultFactory()


def _recursive_repr(user_function):
    # what dataclasses wraps a __repr__ in: "..." for an object inside itself
    repr_running = set()

    @functools.wraps(user_function)
    def wrapper(self):
        key = id(self), _thread.get_ident()
        if key in repr_running:
            return "..."
        repr_running.add(key)
        try:
            result = user_function(self)
        finally:
            repr_running.discard(key)
        return result
    return wrapper


def _cls(module, name):
    import sys

    return getattr(sys.modules[module], name)

'''


def _methods(cls: type) -> str:
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    frozen = cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    name = cls.__qualname__
    args, body = [], []
    for f in fields:
        annotation = f": {f.type!r}"
        if f.default_factory is not dataclasses.MISSING:
            factory = f.default_factory.__name__  # type: ignore[union-attr]
            args.append(f"{f.name}{annotation} = _HAS_DEFAULT_FACTORY")
            value = f"{factory}() if {f.name} is _HAS_DEFAULT_FACTORY else {f.name}"
        elif f.default is not dataclasses.MISSING:
            args.append(f"{f.name}{annotation} = {f.default!r}")
            value = f.name
        else:
            args.append(f"{f.name}{annotation}")
            value = f.name
        if frozen:
            body.append(f"    object.__setattr__(self, {f.name!r}, {value})")
        else:
            body.append(f"    self.{f.name} = {value}")
    names = [f.name for f in fields]
    own = "".join(f"self.{n}," for n in names)
    other = "".join(f"other.{n}," for n in names)
    reprs = ", ".join(f"{n}={{self.{n}!r}}" for n in names)
    out = [f"# --- {name}", "",
           f"def {name}__init__(self, {', '.join(args)}) -> None:", *body, "", "",
           "@_recursive_repr",
           f"def {name}__repr__(self):",
           f"    return self.__class__.__qualname__ + f\"({reprs})\"", "", "",
           f"def {name}__eq__(self, other):",
           "    if other.__class__ is self.__class__:",
           f"        return ({own}) == ({other})",
           "    return NotImplemented", "", ""]
    methods = {"__init__": f"{name}__init__", "__repr__": f"{name}__repr__",
               "__eq__": f"{name}__eq__", "__hash__": "None",
               "__match_args__": repr(tuple(names))}
    if frozen:
        in_fields = repr(tuple(names))
        out += [f"def {name}__hash__(self):",
                f"    return hash(({own}))", "", "",
                f"def {name}__setattr__(self, name, value):",
                f"    cls = _cls({cls.__module__!r}, {name!r})",
                f"    if type(self) is cls or name in {in_fields}:",
                "        from dataclasses import FrozenInstanceError",
                "",
                "        raise FrozenInstanceError(f\"cannot assign to field {name!r}\")",
                "    super(cls, self).__setattr__(name, value)", "", "",
                f"def {name}__delattr__(self, name):",
                f"    cls = _cls({cls.__module__!r}, {name!r})",
                f"    if type(self) is cls or name in {in_fields}:",
                "        from dataclasses import FrozenInstanceError",
                "",
                "        raise FrozenInstanceError(f\"cannot delete field {name!r}\")",
                "    super(cls, self).__delattr__(name)", "", ""]
        methods.update({"__hash__": f"{name}__hash__", "__setattr__": f"{name}__setattr__",
                        "__delattr__": f"{name}__delattr__"})
    table = "".join(f"    {k!r}: {v},\n" for k, v in methods.items())
    out += [f"_{name} = {{\n{table}}}", "", ""]
    return "\n".join(out)


def source() -> str:
    """The text of ``annotator/records_methods.py`` for the current model."""
    from annotator import model, session  # noqa: F401  (they register their classes)
    from annotator.records import RECORDS

    parts = [HEADER]
    for cls, _, _ in RECORDS.values():
        parts.append(_methods(cls))
    parts.append("METHODS = {\n" + "".join(f"    {key!r}: _{cls.__qualname__},\n"
                                            for key, (cls, _, _) in RECORDS.items()) + "}\n")
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    text = source()
    if "--check" in argv:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is out of date: run python -m tools.gen_records", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
