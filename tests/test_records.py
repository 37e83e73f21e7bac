"""The classes of annotator.model get their methods written out (annotator/records.py,
annotator/records_methods.py) instead of made by ``@dataclasses.dataclass`` at every
start (issue 28 §3): each behaves as the class ``dataclasses`` makes of the same fields."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from annotator import model, session  # noqa: F401  (they register their classes)
from annotator.records import RECORDS, dataclass_twin


def _value(f: dataclasses.Field, k: int) -> object:
    kind = str(f.type)
    if kind.startswith("list"):
        return [f"v{k}"]
    if kind.startswith("dict"):
        return {"k": k}
    if kind.startswith(("int", "float")):
        return k
    if kind.startswith("bool"):
        return bool(k % 2)
    return f"{f.name}{k}"


@pytest.mark.parametrize("name", list(RECORDS))
def test_records_behave_as_their_dataclasses(name: str) -> None:
    cls, frozen, specs = RECORDS[name]
    twin = dataclass_twin(cls, frozen, specs)
    assert str(inspect.signature(cls)) == str(inspect.signature(twin))
    assert cls.__match_args__ == twin.__match_args__
    assert repr(cls.__dataclass_params__) == repr(twin.__dataclass_params__)
    assert [(f.name, f.type, f.default, f.default_factory, f.init, f.repr, f.compare)
            for f in dataclasses.fields(cls)] == [
        (f.name, f.type, f.default, f.default_factory, f.init, f.repr, f.compare)
        for f in dataclasses.fields(twin)]
    assert dataclasses.is_dataclass(cls)
    fields = dataclasses.fields(twin)
    for f in fields:  # class attributes: the plain defaults, not the factories
        assert (f.name in cls.__dict__) == (f.name in twin.__dict__), f.name
        if f.name in twin.__dict__:
            assert cls.__dict__[f.name] == twin.__dict__[f.name]
    required = {f.name: _value(f, 1) for f in fields
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    for kwargs in (required, {f.name: _value(f, 2) for f in fields}):
        ours, theirs = cls(**kwargs), twin(**kwargs)
        assert repr(ours) == repr(theirs)
        assert dataclasses.asdict(ours) == dataclasses.asdict(theirs)
        assert ours == cls(**kwargs)
        assert ours.__eq__(theirs) is NotImplemented
        assert dataclasses.replace(ours, **kwargs) == ours
        for f in fields:
            changed = dataclasses.replace(ours, **{f.name: "other"})
            assert (changed == ours) is False
            assert repr(changed) == repr(dataclasses.replace(theirs, **{f.name: "other"}))
        if frozen:
            assert hash(ours) == hash(theirs)
            for f in fields:
                with pytest.raises(dataclasses.FrozenInstanceError) as got:
                    setattr(ours, f.name, 1)
                with pytest.raises(dataclasses.FrozenInstanceError) as want:
                    setattr(theirs, f.name, 1)
                assert str(got.value) == str(want.value)
                with pytest.raises(dataclasses.FrozenInstanceError) as got:
                    delattr(ours, f.name)
                with pytest.raises(dataclasses.FrozenInstanceError) as want:
                    delattr(theirs, f.name)
                assert str(got.value) == str(want.value)
        else:
            assert cls.__hash__ is None and twin.__hash__ is None
            with pytest.raises(TypeError):
                hash(ours)
    factories = [f.name for f in fields if f.default_factory is not dataclasses.MISSING]
    if factories:  # each object gets its own list or dict
        one, two = cls(**required), cls(**required)
        for name in factories:
            assert getattr(one, name) == getattr(two, name)
            assert getattr(one, name) is not getattr(two, name)


def test_records_repr_of_an_object_inside_itself() -> None:
    from annotator.model import Document

    doc = Document(1, "t")
    doc.meta["self"] = doc
    assert repr(doc).startswith("Document(id=1, text='t', meta={'self': ...}")


def test_records_methods_are_current() -> None:
    from tools import gen_records

    assert gen_records.main(["--check"]) == 0, "run python -m tools.gen_records"
